"""A won amount is never a silent partial sum (issue 9, "Left" 1).

Ann has three deals won in FY2026 Q3, one of them without an amount ("n/a" in the export,
blank in the canonical frame): her won amount is unknown ("—"), and the report says what is
known: 1 won deal has no amount, the other 2 total 900. Every figure below is counted by
hand from the deals listed here.
"""

from __future__ import annotations

import math

import pytest

from support.figures import deal, report_for

DEALS = [
    deal("won", "Ann", "2026-07-03", "A1", amount=400.0, region="West"),
    deal("won", "Ann", "2026-08-14", "A2", amount=500.0, region="West"),
    deal("won", "Ann", "2026-09-02", "A3", amount=None, region="West"),  # "n/a"
    deal("won", "Bo", "2026-07-20", "B1", amount=100.0, region="East"),
    deal("won", "Bo", "2026-09-30", "B2", amount=200.0, region="East"),  # Q3 is complete
    deal("lost", "Bo", "2026-08-01", "B3", amount=50.0, region="East"),
]
TARGETS = [("rep", "Ann", "FY2026 Q3", 2000.0), ("rep", "Bo", "FY2026 Q3", 1000.0)]


@pytest.fixture(scope="module")
def report():
    return report_for(DEALS, "FY2026Q3", target_rows=TARGETS)


def test_headline_won_amount_is_unknown_not_partial(report):
    h = report.headline
    assert h.won_opportunities == 5  # counts never depend on amounts
    assert h.won_amount is None  # not 1,200
    assert h.won_without_amount == 1
    assert h.won_amount_known == 1200.0  # 400 + 500 + 100 + 200
    assert report.reasons["won_amount"] == "1 won deal has no amount; the other 4 total 1,200"


def test_rep_row_says_what_is_known(report):
    reps = report.won_opportunities_by_rep.set_index(["rep", "quarter"])
    ann = reps.loc[("Ann", "FY2026 Q3")]
    assert ann["won_opportunities"] == 3
    assert math.isnan(ann["won_amount"])  # not 900
    assert ann["won_without_amount"] == 1
    assert ann["won_amount_known"] == 900.0  # 400 + 500
    assert ann["won_amount_reason"] == "1 won deal has no amount; the other 2 total 900"
    assert ann["target"] == 2000.0
    assert math.isnan(ann["attainment"])  # 900 / 2,000 would understate her
    bo = reps.loc[("Bo", "FY2026 Q3")]
    assert (bo["won_amount"], bo["won_without_amount"], bo["won_amount_known"]) == (300, 0, 300)
    assert bo["won_amount_reason"] is None
    assert bo["attainment"] == pytest.approx(0.3)  # 300 / 1,000


def test_rep_totals_are_unknown_when_one_rep_is(report):
    totals = report.rep_totals
    assert totals["won_opportunities"] == 5
    assert totals["won_amount"] is None
    assert totals["won_without_amount"] == 1
    assert totals["won_amount_known"] == 1200.0
    assert totals["attainment"] is None  # target 3,000 is known; the won amount is not
    assert totals["target"] == 3000.0


def test_segment_rows(report):
    seg = report.win_rate_by_segment.set_index(["dimension", "segment"])
    west = seg.loc[("region", "West")]
    assert math.isnan(west["won_amount"])
    assert (west["won_without_amount"], west["won_amount_known"]) == (1, 900.0)
    east = seg.loc[("region", "East")]
    assert (east["won_amount"], east["won_without_amount"], east["lost_amount"]) == (300, 0, 50)
    assert east["amount_weighted_win_rate"] == pytest.approx(300 / 350)
    everyone = seg.loc[("all", "All")]
    assert math.isnan(everyone["won_amount"])
    assert everyone["won_amount_known"] == 1200.0
    assert math.isnan(everyone["amount_weighted_win_rate"])


def test_trend_row(report):
    q3 = report.trend.set_index("quarter").loc["FY2026 Q3"]
    assert math.isnan(q3["won_amount"])
    assert (q3["won_without_amount"], q3["won_amount_known"]) == (1, 1200.0)
    assert q3["won_amount_reason"] == "1 won deal has no amount; the other 4 total 1,200"


def test_amount_weighted_rate_is_unknown_with_its_reason(report):
    assert report.headline.amount_weighted_win_rate is None
    assert report.reasons["amount_weighted_win_rate"] == (
        "1 won deal has no amount, so the amount-weighted rate cannot be told"
    )


def test_acv_is_over_the_deals_with_an_amount(report):
    # Documented: the mean of the known amounts, (400 + 500 + 100 + 200) / 4.
    assert report.headline.acv_mean == pytest.approx(300.0)


def test_a_segment_report_has_the_same_rule():
    from support.figures import segment_report_for

    west = segment_report_for(DEALS, "FY2026Q3", "West", target_rows=TARGETS)
    assert west.headline.won_amount is None
    assert west.reasons["won_amount"] == "1 won deal has no amount; the other 2 total 900"
    east = segment_report_for(DEALS, "FY2026Q3", "East", target_rows=TARGETS)
    assert east.headline.won_amount == 300.0
    assert "won_amount" not in east.reasons
