"""Per-rep figures from the core, and cohort counts beside a cohort rate (Build 1, 7, 8).

Rep target, attainment, the 95 % Wilson interval and the directional mark are columns of
the core's rep table (they used to exist only in the workbook, or not at all). In cohort
mode the won and lost counts shown beside the rate are the cohort's, not the close-date
counts (the "41.0 % … 82 won, 104 lost" tile).
"""

from __future__ import annotations

import math

import pytest

from support.figures import config, deal, report_for, segment_report_for

REP_DEALS = [
    deal("won", "Ana", "2026-07-05", "A1", amount=200.0, region="West"),
    deal("won", "Ana", "2026-08-05", "A2", amount=200.0, region="West"),
    deal("won", "Ana", "2026-09-05", "A3", amount=200.0, region="West"),
    deal("lost", "Bo", "2026-07-06", "B1", amount=50.0, region="East"),
    deal("lost", "Bo", "2026-08-06", "B2", amount=50.0, region="East"),
    deal("open", "Ana", "2026-12-01", "A4", amount=400.0, region="West"),
    deal("open", "Bo", "2026-12-01", "B3", amount=900.0, region="East"),
]
REP_TARGETS = [("rep", "Ana", "FY2026 Q3", 1000.0), ("rep", "Bo", "FY2026 Q3", 600.0)]


def rep_row(report, rep, quarter="FY2026 Q3"):
    table = report.won_opportunities_by_rep
    return table[(table["rep"] == rep) & (table["quarter"] == quarter)].iloc[0]


@pytest.fixture(scope="module")
def report():
    return report_for(REP_DEALS, "FY2026Q3", target_rows=REP_TARGETS[:1])


def test_rep_target_and_attainment_come_from_the_core(report):
    ana = rep_row(report, "Ana")
    assert ana["target"] == 1000.0
    assert ana["attainment"] == pytest.approx(600 / 1000)
    bo = rep_row(report, "Bo")  # no target given for Bo: blank, never 0 %
    assert math.isnan(bo["target"]) and math.isnan(bo["attainment"])


def test_rep_win_rate_carries_a_wilson_interval_and_a_directional_mark(report):
    # 3 of 3: p = 1, n = 3, z² = 3.8415 → centre 0.7193, half-width 0.2807.
    ana = rep_row(report, "Ana")
    assert ana["ci_low"] == pytest.approx(0.4385, abs=1e-4)
    assert ana["ci_high"] == pytest.approx(1.0)
    assert bool(ana["directional"])  # 3 closed < min_closed 20
    # 0 of 2: centre = half-width = 0.3288 → 0 to 0.6576.
    bo = rep_row(report, "Bo")
    assert bo["ci_low"] == pytest.approx(0.0)
    assert bo["ci_high"] == pytest.approx(0.6576, abs=1e-4)


def test_segment_coverage_from_reps_that_sell_only_there_agrees_everywhere():
    """West's target is Ana's (she sells only in West): coverage 400 / 1000 in the
    pipeline table and in West's own report alike."""
    company = report_for(REP_DEALS, "FY2026Q3", target_rows=REP_TARGETS)
    west = company.pipeline[
        (company.pipeline["dimension"] == "region") & (company.pipeline["segment"] == "West")
    ].iloc[0]
    assert west["target"] == 1000.0
    assert west["coverage"] == pytest.approx(0.4)
    own = segment_report_for(REP_DEALS, "FY2026Q3", "West", target_rows=REP_TARGETS)
    assert own.headline.target == 1000.0
    assert own.headline.coverage == pytest.approx(0.4)


def test_segment_coverage_blank_when_a_rep_sells_in_several_segments():
    rows = [*REP_DEALS, deal("open", "Ana", "2026-12-03", "A5", amount=100.0, region="East")]
    company = report_for(rows, "FY2026Q3", target_rows=REP_TARGETS)
    east = company.pipeline[
        (company.pipeline["dimension"] == "region") & (company.pipeline["segment"] == "East")
    ].iloc[0]
    assert math.isnan(east["coverage"])
    own = segment_report_for(rows, "FY2026Q3", "East", target_rows=REP_TARGETS)
    assert own.headline.coverage is None


# Cohort: FY2026 Q3 = Jul-Sep 2026. Created in Q3: won 2 + 1 (closed Oct), lost 1 + 1
# (closed Nov). Created in Q2 but closed in Q3: won 3, lost 2 (close-date counts only).
COHORT_DEALS = [
    deal("won", "Ana", "2026-07-20", "C1", created="2026-07-02"),
    deal("won", "Ana", "2026-08-20", "C2", created="2026-07-03"),
    deal("won", "Bo", "2026-10-10", "C3", created="2026-08-01"),
    deal("lost", "Bo", "2026-09-01", "C4", created="2026-07-04"),
    deal("lost", "Bo", "2026-11-01", "C5", created="2026-09-04"),
    deal("won", "Ana", "2026-07-10", "C6", created="2026-05-01"),
    deal("won", "Bo", "2026-07-11", "C7", created="2026-05-02"),
    deal("won", "Bo", "2026-07-12", "C8", created="2026-05-03"),
    deal("lost", "Ana", "2026-07-13", "C9", created="2026-05-04"),
    deal("lost", "Ana", "2026-07-14", "C10", created="2026-05-05"),
]


def test_cohort_rate_comes_with_cohort_counts():
    r = report_for(COHORT_DEALS, "FY2026Q3", cfg=config(win_rate={"mode": "cohort"}))
    h = r.headline
    assert h.win_rate == pytest.approx(3 / 5)
    assert (h.win_rate_won, h.win_rate_lost) == (3, 2)
    # the bonus counts stay by close date: 2 + 3 won, 1 + 2 lost in Q3
    assert (h.won_opportunities, h.lost_opportunities) == (5, 3)


def test_snapshot_rate_counts_are_the_close_date_counts():
    r = report_for(COHORT_DEALS, "FY2026Q3")
    h = r.headline
    assert (h.win_rate_won, h.win_rate_lost) == (5, 3)
    assert h.win_rate == pytest.approx(5 / 8)


def test_a_segments_pipeline_lists_only_its_own_reps_and_target():
    """West's report: Ana's row only (Bo sells in East), the all row at West's target."""
    west = segment_report_for(REP_DEALS, "FY2026Q3", "West", target_rows=REP_TARGETS)
    reps = west.pipeline[west.pipeline["dimension"] == "rep"]
    assert list(reps["segment"]) == ["Ana"]
    everyone = west.pipeline[west.pipeline["dimension"] == "all"].iloc[0]
    assert everyone["target"] == 1000.0  # not the company's 1,600
    assert everyone["coverage"] == pytest.approx(0.4)
