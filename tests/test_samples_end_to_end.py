"""The reporter on samples/ against the generator's own ground truth (samples/ground_truth.json).

The generator knows every deal it made before it wrote the mess (text amounts, padded
names, duplicates, totals and blank rows) into the workbook; the reporter must see through
all of it to the same numbers.
"""

from __future__ import annotations

import json

import pytest

from reporter.config import Config
from reporter.pipeline import check, compute_all
from support.data import REPO

SAMPLES = REPO / "samples"
TRUTH = json.loads((SAMPLES / "ground_truth.json").read_text())


@pytest.fixture(scope="module")
def dataset():
    return check([SAMPLES], Config())


@pytest.fixture(scope="module")
def reports(dataset):
    return {
        q: compute_all(dataset, Config(), q.replace(" ", ""))[0]
        for q in TRUTH["won_total_by_quarter"]
    }


def test_won_per_rep_per_quarter_matches_ground_truth(reports):
    any_report = next(iter(reports.values()))
    table = any_report.won_opportunities_by_rep
    got = {
        (r.rep, r.quarter): r.won_opportunities for r in table.itertuples() if r.won_opportunities
    }
    expected = {
        (rep, q): n
        for rep, by_q in TRUTH["won_by_rep_quarter"].items()
        for q, n in by_q.items()
        if n
    }
    assert got == expected
    amounts = {(r.rep, r.quarter): r.won_amount for r in table.itertuples() if r.won_opportunities}
    expected_amounts = {
        (rep, q): a
        for rep, by_q in TRUTH["won_amount_by_rep_quarter"].items()
        for q, a in by_q.items()
        if TRUTH["won_by_rep_quarter"][rep].get(q)
    }
    assert amounts == pytest.approx(expected_amounts)


@pytest.mark.parametrize("quarter", sorted(TRUTH["won_total_by_quarter"]))
def test_quarter_totals_match_ground_truth(reports, quarter):
    h = reports[quarter].headline
    assert h.won_opportunities == TRUTH["won_total_by_quarter"][quarter]
    assert h.lost_opportunities == TRUTH["lost_total_by_quarter"][quarter]
    if "won_customers_by_quarter" in TRUTH:
        assert h.won_customers == TRUTH["won_customers_by_quarter"][quarter]


def test_default_period_and_mess_reported(dataset):
    codes = {i.code for i in dataset.issues}
    assert {"duplicate-opportunity", "totals-row", "missing-owner"} <= codes
    dupes = [i for i in dataset.issues if i.code == "duplicate-opportunity"]
    assert len(dupes) == 4
    report, _ = compute_all(dataset, Config())
    assert report.period.label == TRUTH.get("default_period", "FY2026 Q4")
