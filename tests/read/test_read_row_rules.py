"""The one table of row rules (read/row_rules.py), read by both read paths.

Every rule has a per-record form (the builder's) and a column form (the column-by-column
path's). Here the two are compared on every combination of the values the rules look at,
the number of rows each rule holds for is counted by hand, and a new rule planted in the
table is shown to set its row aside on both paths.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pytest

import reporter.read as read
from reporter import quality
from reporter.config import Config
from reporter.model import Dataset
from reporter.read import load_dataset, risks, row_rules
from reporter.read.outcome import Decision
from reporter.vocabulary import EXCLUDED, LOST, OPEN, WON

TODAY = date(2026, 11, 29)
CREATED = date(2025, 1, 1)
# (stage, decision): every kind of decision the outcome rules make, and one they never make
# (unknown stage on a row with no stage) to show the stage is looked at.
DECIDED = [
    ("Closed Won", Decision(WON)),
    ("Closed Lost", Decision(LOST)),
    ("Prospecting", Decision(OPEN)),
    (None, Decision(None)),
    ("Mystery", Decision(OPEN, unknown_stage=True)),
    (None, Decision(OPEN, unknown_stage=True)),
    ("Negotiation", Decision(WON, conflicting=True)),
    ("Dropped", Decision(EXCLUDED)),
]
OWNERS = [None, "Ann"]
CLOSES = [
    None,
    date(2025, 3, 1),
    date(2199, 1, 1),
    date(2024, 6, 30),
]  # none, past, future, before created
AMOUNTS = [None, 0.0, 100.0, -5.0]
CREATEDS = [None, CREATED]
GRID = list(itertools.product(OWNERS, DECIDED, CLOSES, AMOUNTS, CREATEDS))  # 2·8·4·4·2 = 512

# Rows each rule holds for, counted from the grid by hand. Closing (won or lost) decisions
# are 3 of the 8: won, lost and the conflicting won.
EXPECTED = {
    "unknown-stage": 2 * 1 * 4 * 4 * 2,  # "Mystery" only: the stage-less one does not count
    "conflicting-flags": 2 * 1 * 4 * 4 * 2,
    "missing-owner": 1 * 8 * 4 * 4 * 2,
    "missing-stage": 2 * 1 * 4 * 4 * 2,
    "missing-close-date": 2 * 3 * 1 * 4 * 2,
    "missing-amount": 2 * 3 * 4 * 1 * 2,
    "negative-amount": 2 * 8 * 4 * 1 * 2,
    "future-close-date": 2 * 3 * 1 * 4 * 2,  # closing, closes 2199
    "date-order": 2 * 8 * 1 * 4 * 1,  # created given, closes 30 Jun 2024
}


def _records() -> list[dict[str, Any]]:
    return [
        {
            "owner": owner,
            "stage": stage,
            "outcome": decision.outcome,
            "close_date": close,
            "amount": amount,
            "created_date": created,
        }
        for owner, (stage, decision), close, amount, created in GRID
    ]


def _rows() -> row_rules.Rows:
    records = _records()
    columns = {name: [r[name] for r in records] for name in records[0] if name != "outcome"}
    return row_rules.Rows.of(columns, [decision for _, (_, decision), *_ in GRID], TODAY)


@pytest.mark.parametrize("rule", row_rules.RULES, ids=lambda rule: rule.code)
def test_each_rule_says_the_same_of_one_record_and_of_all_rows(rule: row_rules.Rule) -> None:
    one = [rule.one(r, decision, TODAY) for r, (_, (_, decision), *_) in zip(_records(), GRID)]
    every = rule.every(_rows())
    assert every.dtype == np.bool_
    assert every.tolist() == one
    assert sum(one) == EXPECTED[rule.code]  # a rule with no count here fails: count it


def test_every_rule_in_the_table_is_counted_here() -> None:
    assert [rule.code for rule in row_rules.RULES] == list(EXPECTED)


def test_quarantine_rules_come_after_the_notes_and_before_the_warnings() -> None:
    kinds = [rule.kind for rule in row_rules.RULES]
    assert kinds == sorted(
        kinds, key=[row_rules.NOTE, row_rules.QUARANTINE, row_rules.WARNING].index
    )


def test_the_verdicts_set_aside_the_rows_any_quarantine_rule_holds_for() -> None:
    rows = row_rules.Rows.of(
        {
            "owner": ["Ann", None, "Bob", "Cy", "Di"],
            "close_date": [date(2025, 3, 1), date(2025, 3, 1), None, None, date(2025, 3, 1)],
            "amount": [10.0, 10.0, 10.0, 10.0, -1.0],
            "is_deleted": [None, None, None, None, True],
        },
        [Decision(WON), Decision(WON), Decision(LOST), Decision(OPEN), Decision(WON)],
        TODAY,
    )
    said = row_rules.verdicts(rows)
    # Row 2 no owner; row 3 lost without a close date; row 4 open, no close date: fine;
    # row 5 deleted (and negative).
    assert said.deleted.tolist() == [False, False, False, False, True]
    assert said.quarantined.tolist() == [False, True, True, False, False]
    assert said.doubtful.tolist() == [False, True, True, False, True]


# ---------------------------------------------------------------- a rule planted in the table

HEADER = "Opportunity ID,Owner,Stage,Amount,Close Date,Created Date"
ROWS = [
    "P1,Ann,Closed Won,100,2025-01-10,2025-01-01",
    "P2,Bob,Closed Won,2500000,2025-01-11,2025-01-01",  # the planted rule sets it aside
    "P3,Ann,Closed Lost,300,2025-01-12,2025-01-01",
]
PLANTED = "planted-large-amount"


def _plant(monkeypatch: pytest.MonkeyPatch) -> None:
    code = quality.Code(
        "Amount over a million (planted by a test)",
        quality.ERROR,
        "amount over 1,000,000",
        quality.QUARANTINED,
    )
    registry = MappingProxyType({**quality.REGISTRY, PLANTED: code})
    monkeypatch.setattr(quality, "REGISTRY", registry)
    monkeypatch.setattr(risks, "REGISTRY", registry)
    monkeypatch.setattr(quality, "CODES", {**quality.CODES, PLANTED: code.title})
    rule = row_rules.Rule(
        PLANTED,
        "amount",
        row_rules.QUARANTINE,
        lambda r, d, today: r.get("amount") is not None and r["amount"] > 1_000_000,
        lambda rows: np.fromiter(
            (a is not None and a > 1_000_000 for a in rows.raw("amount")), bool, rows.count
        ),
        lambda table, r: {"value": r["amount"]},
    )
    quarantine_end = max(i for i, r in enumerate(row_rules.RULES) if r.sets_aside) + 1
    rules = row_rules.RULES
    monkeypatch.setattr(
        row_rules, "RULES", (*rules[:quarantine_end], rule, *rules[quarantine_end:])
    )


def _load(path: Path, monkeypatch: pytest.MonkeyPatch, straight: bool) -> tuple[Dataset, bool]:
    taken: list[bool] = []
    real = read.straight_frame

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs) if straight else None
        taken.append(result is not None)
        return result

    monkeypatch.setattr(read, "straight_frame", spy)
    return load_dataset([path], Config()), taken == [True]


def test_a_rule_planted_in_the_table_sets_its_row_aside_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    before, took = _load(path, monkeypatch, straight=True)
    assert took and sorted(before.opportunities["opportunity_id"]) == ["P1", "P2", "P3"]
    _plant(monkeypatch)
    fast, took = _load(path, monkeypatch, straight=True)
    assert took  # the column-by-column path ran, and obeyed the planted rule
    general, took = _load(path, monkeypatch, straight=False)
    assert not took
    for data in (fast, general):
        assert sorted(data.opportunities["opportunity_id"]) == ["P1", "P3"]
        assert data.opportunities["amount"].sum() == 400  # 100 won + 300 lost
        [issue] = [i for i in data.issues if i.code == PLANTED]
        assert (issue.row, issue.column, issue.value) == (3, "Amount", 2_500_000)
    pd.testing.assert_frame_equal(fast.opportunities, general.opportunities)
    assert fast.issues == general.issues
