"""The pieces of the grouped pass (issue 11): codes, folded segments, grouped statistics.

Expected values are worked out by hand from the inputs written here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reporter.config import Config
from reporter.metrics import enrich as metrics_enrich
from reporter.metrics.codes import quarter_codes
from reporter.metrics.enrich import fold_codes
from reporter.metrics.facts import Facts, Groups
from reporter.metrics.figures import ClosedRows, _mean, _median
from support.figures import deal, frame, report_for, segment_report_for


def test_folded_codes_group_spellings_and_unknown_together():
    values = pd.Series(["West", "west", " West", None, "", "Unknown", "East"], dtype=object)
    codes = fold_codes(values)
    names = codes.column(values.index).tolist()
    # "West" is written twice (once with a space), "west" once: "West" names the segment;
    # blank, missing and a written "Unknown" are one segment.
    assert names == ["West", "West", "West", "Unknown", "Unknown", "Unknown", "East"]
    assert len(set(codes.codes.tolist())) == 3
    assert codes.codes[0] == codes.codes[1] == codes.codes[2]
    assert codes.codes[3] == codes.codes[4] == codes.codes[5]


def test_no_unknown_segment_when_nothing_is_missing():
    codes = fold_codes(pd.Series(["East", "West", "east"], dtype=object))
    assert sorted(codes.values.tolist()) == ["East", "West"]
    assert not codes.unchanged  # "east" is rewritten as "East"
    assert fold_codes(pd.Series(["East", "West", "East"], dtype=object)).unchanged
    assert not fold_codes(pd.Series(["East", None], dtype=object)).unchanged  # None: Unknown


def test_folded_codes_without_a_missing_name_leave_blanks_out():
    codes = fold_codes(pd.Series(["Ana", None, " "], dtype=object), missing=None)
    assert codes.codes.tolist() == [0, -1, -1]
    assert codes.column(pd.RangeIndex(3)).tolist() == ["Ana", None, None]


def test_quarter_codes_follow_the_fiscal_year():
    dates = pd.Series(pd.to_datetime(["2026-03-31", "2026-04-01", None, "2025-12-01"]))
    codes = quarter_codes(dates, start_month=4)
    labels = [None if c < 0 else codes.values[c] for c in codes.codes]
    # April start: March 2026 closes FY2026 (Q4), April 2026 opens FY2027 (Q1),
    # December 2025 is the third quarter of FY2026.
    assert labels == ["FY2026 Q4", "FY2027 Q1", None, "FY2026 Q3"]


def test_grouped_median_and_mean_skip_unknown_values():
    group = np.array([0, 0, 0, 1, 1, 2, 3, 3, 3, 3])
    values = np.array([3.0, 1.0, 2.0, 10.0, np.nan, np.nan, 4.0, 1.0, 3.0, 2.0])
    median = _median(group, values, 4)
    mean = _mean(group, values, 4)
    assert median[:2].tolist() == [2.0, 10.0] and math.isnan(median[2])
    assert median[3] == 2.5  # 1, 2, 3, 4: the mean of the two middle values
    assert mean[:2].tolist() == [2.0, 10.0] and math.isnan(mean[2])
    assert mean[3] == 2.5


def _closed_facts() -> Facts:
    nan = np.nan
    outcome = ["won", "won", "lost", "lost", "won", "lost", "open", "won"]
    n = len(outcome)
    return Facts(
        n=n,
        won=np.array([o == "won" for o in outcome]),
        lost=np.array([o == "lost" for o in outcome]),
        open=np.array([o == "open" for o in outcome]),
        excluded=np.zeros(n, dtype=bool),
        amount=np.array([100.0, nan, 0.0, 40.0, 60.0, nan, 5.0, 1000.0]),
        cycle=np.array([10.0, 20.0, nan, nan, nan, nan, nan, 5.0]),
        new_customer=np.zeros(n, dtype=bool),
        close_q=np.zeros(n, dtype=np.int64),
        created_q=np.zeros(n, dtype=np.int64),
        quarters=["FY2026 Q3"],
    )


def test_closed_figures_count_each_state_per_group():
    facts = _closed_facts()
    closed = ClosedRows(facts, np.arange(facts.n))
    # The last deal is in no group (-1): left out; the open deal is not closed.
    f = closed.figures([("g", np.array([0, 0, 0, 0, 1, 1, 1, -1]))])
    g0, g1 = f.loc[0], f.loc[1]
    # Group 0: wins of 100 and of no amount (cycles 10, 20), losses of 0 and 40.
    assert [g0[c] for c in ("won", "lost", "won_missing", "lost_missing")] == [2, 2, 1, 0]
    assert (g0["won_sum"], g0["lost_sum"], g0["lost_nonzero"]) == (100.0, 40.0, 1)
    assert (g0["acv_mean"], g0["acv_median"]) == (100.0, 100.0)
    assert (g0["cycle_mean"], g0["cycle_median"]) == (15.0, 15.0)
    # Group 1: a win of 60 with no cycle, a loss with no amount.
    assert [g1[c] for c in ("won", "lost", "won_missing", "lost_missing")] == [1, 1, 0, 1]
    assert (g1["won_sum"], g1["lost_sum"], g1["lost_nonzero"]) == (60.0, 0.0, 0)
    assert (g1["acv_mean"], g1["acv_median"]) == (60.0, 60.0)
    assert math.isnan(g1["cycle_mean"]) and math.isnan(g1["cycle_median"])
    assert f["won"].dtype == np.int64 and f["lost_nonzero"].dtype == np.int64


def test_closed_figures_of_one_group_holding_every_row():
    facts = _closed_facts()
    f = ClosedRows(facts, np.arange(facts.n)).figures([("g", np.zeros(facts.n, np.int64))])
    every = f.loc[0]
    # Wins 100, (none), 60, 1000; losses 0, 40, (none).
    assert [every[c] for c in ("won", "lost", "won_missing", "lost_missing")] == [4, 3, 1, 1]
    assert (every["won_sum"], every["lost_sum"], every["lost_nonzero"]) == (1160.0, 40.0, 1)
    assert every["acv_mean"] == 1160.0 / 3 and every["acv_median"] == 100.0
    assert every["cycle_mean"] == 35.0 / 3 and every["cycle_median"] == 10.0


def test_segment_reports_are_slices_that_add_up_to_the_company():
    rows = [
        deal("won", "Ana", "2026-07-03", "A1", amount=100.0, region="West"),
        deal("won", "Bo", "2026-08-03", "B1", amount=250.0, region="East"),
        deal("won", "Bo", "2026-09-03", "B2", amount=50.0, region="east"),
        deal("lost", "Ana", "2026-09-30", "A2", amount=70.0, region="West"),
    ]
    company = report_for(rows, "FY2026Q3")
    east = segment_report_for(rows, "FY2026Q3", "East")
    west = segment_report_for(rows, "FY2026Q3", "West")
    # East has Bo's two wins ("east" is East): 250 + 50; West one win and one loss.
    assert (east.headline.won_opportunities, east.headline.won_amount) == (2, 300.0)
    assert (west.headline.won_opportunities, west.headline.lost_opportunities) == (1, 1)
    assert company.headline.won_amount == 400.0
    assert east.headline.win_rate == 1.0 and west.headline.win_rate == 0.5
    assert east.won_opportunities_by_rep["rep"].tolist() == ["Bo"]


def _groups(code: list[int]) -> Groups:
    names = ("All", "A", "B")
    return Groups(np.array(code), names, pd.Series(["x"] * len(code)), "region", company=True)


def test_a_deal_in_no_segment_counts_for_the_company_only():
    facts = _closed_facts()
    # The last deal (won, 1000, 5 days) is in no segment: only the company's group has it.
    groups = _groups([1, 1, 2, 2, 1, 2, 1, -1])
    assert not groups.derived
    f = ClosedRows(facts, np.arange(facts.n)).figures([], groups)
    company, a, b = f.loc[0], f.loc[1], f.loc[2]
    # Every closed deal: wins 100, (none), 60, 1000; losses 0, 40, (none).
    assert [company[c] for c in ("won", "lost", "won_missing", "lost_missing")] == [4, 3, 1, 1]
    assert (company["won_sum"], company["acv_median"], company["cycle_median"]) == (
        1160.0,
        100.0,
        10.0,
    )
    # A: wins of 100 (10 days), of no amount (20 days) and of 60.
    assert [a[c] for c in ("won", "lost", "won_missing")] == [3, 0, 1]
    assert (a["won_sum"], a["acv_median"], a["cycle_median"]) == (160.0, 80.0, 15.0)
    # B: losses of 0, 40 and of no amount.
    assert [b[c] for c in ("won", "lost", "lost_missing", "lost_sum")] == [0, 3, 1, 40.0]
    assert math.isnan(b["acv_median"])


def test_company_block_from_the_segments_when_every_row_has_one():
    groups = _groups([1, 1, 2])
    assert groups.derived
    g, k = groups.spread(None, np.array([0, 1, 1]))
    assert g.tolist() == [1, 1, 2]  # the company's layer is left out: made from the blocks
    # Per (group, k) with two k each: A has one of each, B one k=1; the company both.
    assert groups.bincount(g, k, 2).tolist() == [1, 2, 1, 1, 0, 1]
    sums = groups.bincount(g, k, 2, weights=np.array([0.1, 0.2, 0.3]))
    assert sums.tolist() == [0.1, 0.2 + 0.3, 0.1, 0.2, 0.0, 0.3]
    # A row in no segment: the company's layer is spread too.
    loose = _groups([1, -1, 2])
    g, k = loose.spread(None, np.array([0, 1, 1]))
    assert (g.tolist(), k.tolist()) == ([0, 0, 0, 1, 2], [0, 1, 1, 0, 1])
    assert loose.bincount(g, k, 2).tolist() == [1, 2, 1, 0, 0, 1]


def test_first_win_is_earliest_close_then_created_then_lowest_id():
    rows = [
        # Acme: the 5 July wins beat the 10 July one; of those, the one created first.
        deal("won", "Ana", "2026-07-10", "Acme", created="2026-06-01"),
        deal("won", "Ana", "2026-07-05", "Acme", created="2026-07-02"),
        deal("won", "Ana", "2026-07-05", "Acme", created="2026-07-01"),
        # Beta: closed and created on the same days: the lowest id (OPP-9 before OPP-10).
        deal("won", "Bo", "2026-07-05", "Beta", created="2026-07-01"),
        deal("won", "Bo", "2026-07-05", "Beta", created="2026-07-01"),
        # Gamma: same close; a missing created date goes last.
        deal("won", "Cy", "2026-07-05", "Gamma", created=None),
        deal("won", "Cy", "2026-07-05", "Gamma", created="2026-07-04"),
        # Delta: same days and the same id: the earlier row.
        deal("won", "Di", "2026-07-05", "Delta", created="2026-07-01"),
        deal("won", "Di", "2026-07-05", "Delta", created="2026-07-01"),
        # Eta: a lost deal earlier than its win is no first win.
        deal("lost", "Di", "2026-07-01", "Eta", created="2026-06-01"),
        deal("won", "Di", "2026-07-09", "Eta", created="2026-06-01"),
    ]
    data = frame(rows)
    data["opportunity_id"] = [
        "OPP-1", "OPP-2", "OPP-3", "OPP-10", "OPP-9", "OPP-4", "OPP-5", "D", "D", "OPP-6", "E"
    ]  # fmt: skip
    first = metrics_enrich(data, Config())["first_win"].tolist()
    assert [i for i, f in enumerate(first) if f] == [2, 4, 6, 7, 10]
