"""In a column that writes decimals with a comma, an amount like ``$1,000`` could be one
thousand or one: it is refused (left empty, with ``ambiguous-amount``), never read as 1.0
(found by benchmarks/fuzz_load.py: a won deal silently cut a thousandfold)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.config import from_mapping
from reporter.read import load_dataset
from reporter.read import values as v


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$1,000", True),
        ("12,500", True),
        ("1,000 €", True),
        ("12,50", False),  # two digits after the comma: decimals only
        ("3000,5", False),
        ("1,000,000", False),  # two commas cannot both be decimal
        ("1.234,56", False),  # both separators: no doubt
        (1000.0, False),  # a number cell is a number
    ],
)
def test_could_group(value: object, expected: bool) -> None:
    assert v.could_group(value) is expected


def _load(tmp_path: Path, amounts: list[str]) -> tuple[dict[str, object], list]:
    rows = ["Opportunity ID;Owner;Stage;Close Date;Amount"]
    rows += [f"O{i};Ana Lopez;Closed Won;2026-03-0{i};{a}" for i, a in enumerate(amounts, 1)]
    path = tmp_path / "tracker.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = load_dataset([path], from_mapping({}))
    frame = data.opportunities
    return dict(zip(frame["opportunity_id"], frame["amount"], strict=True)), data.issues


def test_a_thousands_looking_amount_in_a_decimal_comma_column_is_refused(tmp_path: Path) -> None:
    amounts, issues = _load(tmp_path, ["12,50", "$1,000", "3000,5"])
    assert amounts["O1"] == 12.5
    assert amounts["O2"] is None or amounts["O2"] != amounts["O2"]  # empty, not 1.0
    assert amounts["O3"] == 3000.5
    ambiguous = [i for i in issues if i.code == "ambiguous-amount"]
    assert [(i.row, i.column, i.value) for i in ambiguous] == [(3, "Amount", "$1,000")]
    assert "could be thousands or decimals" in ambiguous[0].problem
    # the refusal is the amount's one issue: not also "won deal without an amount"
    assert [i.code for i in issues if i.row == 3] == ["ambiguous-amount"]


def test_the_same_amount_in_a_decimal_point_column_is_one_thousand(tmp_path: Path) -> None:
    amounts, issues = _load(tmp_path, ["12.50", "$1,000"])
    assert amounts == {"O1": 12.5, "O2": 1000.0}
    assert not [i for i in issues if i.code == "ambiguous-amount"]
