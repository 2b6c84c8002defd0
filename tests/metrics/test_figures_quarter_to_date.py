"""A quarter still running is compared like for like (issue 9, Build 7).

The data stop on 15 May 2026, inside FY2026 Q2 (April-June). The previous quarter is
therefore compared up to the same day, 15 February 2026; the full FY2026 Q1 is kept
beside it, labelled as such. Expected figures are counted by hand from the deals below.
"""

from __future__ import annotations

import pytest

from support.figures import day, deal, report_for

# FY2026 Q1 = Jan-Mar 2026; like for like = up to and including 15 Feb.
Q1_DEALS = [
    deal("won", "Ana", "2026-01-10", "A1"),  # like for like
    deal("won", "Ana", "2026-02-15", "A2"),  # like for like (the same day counts)
    deal("won", "Bo", "2026-02-16", "A3"),  # full quarter only
    deal("won", "Bo", "2026-03-30", "A4"),  # full quarter only
    deal("lost", "Ana", "2026-02-01", "L1"),  # like for like
    deal("lost", "Bo", "2026-03-01", "L2"),  # full quarter only
]
Q2_DEALS = [
    deal("won", "Ana", "2026-04-02", "B1"),
    deal("won", "Bo", "2026-05-15", "B2"),
    deal("lost", "Bo", "2026-04-20", "L3"),
]


@pytest.fixture(scope="module")
def report():
    return report_for(Q1_DEALS + Q2_DEALS, "FY2026Q2")


def test_running_quarter_is_compared_up_to_the_same_day(report):
    assert report.period.partial
    assert report.previous_through == day("2026-02-15")
    prev = report.headline_previous
    assert (prev.won_opportunities, prev.lost_opportunities, prev.won_customers) == (2, 1, 2)
    assert prev.win_rate == pytest.approx(2 / 3)


def test_full_previous_quarter_is_kept_beside_it(report):
    full = report.headline_previous_full
    assert (full.won_opportunities, full.lost_opportunities, full.won_customers) == (4, 2, 4)
    assert full.win_rate == pytest.approx(4 / 6)


def test_changes_are_against_the_like_for_like_quarter(report):
    changes = {c.name: c for c in report.changes}
    assert changes["won_opportunities"].delta == 0  # 2 now, 2 by 15 Feb: not "▼ 50 %"
    assert changes["won_opportunities"].relative == 0
    assert changes["win_rate"].delta == pytest.approx(2 / 3 - 2 / 3)


def test_comparison_label_names_the_cut_off(report):
    assert report.previous_label == "FY2026 Q1 to 15 Feb 2026"
    assert report.previous_full_label == "FY2026 Q1 (full quarter)"


def test_cut_off_day_is_clamped_to_the_shorter_month():
    # Data through 31 May (day 31 of the 2nd month) → 28 Feb in the previous quarter.
    report = report_for([*Q1_DEALS, deal("won", "Bo", "2026-05-31", "B9")], "FY2026Q2")
    assert report.previous_through == day("2026-02-28")


def test_a_complete_quarter_is_compared_with_the_full_previous_one():
    report = report_for([*Q1_DEALS, *Q2_DEALS, deal("won", "Cy", "2026-06-30", "B3")], "FY2026Q2")
    assert not report.period.partial
    assert report.previous_through is None
    assert report.headline_previous.won_opportunities == 4
    assert report.previous_label == "FY2026 Q1"


def test_running_quarter_rows_say_to_date(report):
    assert report.headline.to_date == "2026-05-15"
    assert report.headline_previous.to_date == "2026-02-15"
    assert report.headline_previous_full.to_date is None
    trend = report.trend.set_index("quarter")["to_date"]
    assert trend["FY2026 Q2"] == "2026-05-15"
    assert trend["FY2026 Q1"] is None
    reps = report.won_opportunities_by_rep.set_index(["rep", "quarter"])["to_date"]
    assert reps[("Ana", "FY2026 Q2")] == "2026-05-15"
    assert reps[("Ana", "FY2026 Q1")] is None
    for table in (report.bridge_by_quarter, report.won_customers_by_quarter):
        dated = table.set_index("quarter")["to_date"]
        assert set(dated[dated.index == "FY2026 Q2"]) == {"2026-05-15"}
        assert set(dated[dated.index == "FY2026 Q1"]) == {None}
    assert report.rep_totals["to_date"] == "2026-05-15"


def test_a_running_quarter_after_the_period_is_marked_too():
    # Reporting on the complete Q1 while Q2 runs to 15 May: the Q2 rep rows say so.
    report = report_for(Q1_DEALS + Q2_DEALS, "FY2026Q1")
    assert report.headline.to_date is None
    reps = report.won_opportunities_by_rep.set_index(["rep", "quarter"])["to_date"]
    assert reps[("Bo", "FY2026 Q2")] == "2026-05-15"
    assert reps[("Bo", "FY2026 Q1")] is None


def test_running_rep_attainment_is_against_the_full_target_and_says_to_date():
    targets = [("rep", "Ana", "FY2026 Q2", 400.0), ("rep", "Ana", "FY2026 Q1", 1000.0)]
    report = report_for(Q1_DEALS + Q2_DEALS, "FY2026Q2", target_rows=targets)
    ana = report.won_opportunities_by_rep.set_index(["rep", "quarter"]).loc[("Ana", "FY2026 Q2")]
    assert ana["attainment"] == pytest.approx(100 / 400)  # one win of 100 so far
    assert ana["to_date"] == "2026-05-15"
    # Like for like, Q1 is cut at 15 Feb: a part of a quarter has no target.
    assert report.headline_previous.target is None
    assert report.headline_previous.coverage is None
    assert report.reasons["previous_target"].startswith(
        "a target is for the whole quarter; the like-for-like comparison stops at 2026-02-15"
    )
    assert report.headline_previous_full.target == 1000.0
    changes = {c.name: c for c in report.changes}
    assert changes["target"].previous is None
