"""Nothing known to be missing is a 0 (issue 9, Build 7).

A figure whose inputs are unknown is None in the core (``null`` in metrics.json, "—" on
paper) and the report says why; the amount-weighted win rate is hidden with a note when the
lost deals carry no amount (it would read 100 %).
"""

from __future__ import annotations

import math

import pytest

from support.figures import deal, report_for

NO_AMOUNTS = [
    deal("won", "Ana", "2026-07-05", "Acme", amount=None, region="West"),
    deal("won", "Bo", "2026-08-05", "Beta", amount=None, region="East"),
    deal("lost", "Bo", "2026-08-06", "Gamma", amount=None, region="East"),
    deal("open", "Ana", "2026-12-01", "Delta", amount=None, region="West"),
    deal("open", "Bo", "2026-12-02", "Eta", amount=None, region="East"),
]

LOST_AT_ZERO = [
    deal("won", "Ana", "2026-07-05", "Acme", amount=500.0, region="West"),
    deal("won", "Bo", "2026-08-05", "Beta", amount=300.0, region="East"),
    deal("lost", "Bo", "2026-08-06", "Gamma", amount=0.0, region="East"),
    deal("lost", "Ana", "2026-08-07", "Iota", amount=None, region="West"),
]


def test_no_amounts_means_no_won_or_open_amount_not_zero():
    r = report_for(NO_AMOUNTS, "FY2026Q3")
    assert r.headline.won_opportunities == 2  # counts do not depend on amounts
    assert r.headline.open_opportunities == 2
    assert r.headline.won_amount is None
    assert r.headline.open_amount is None
    assert "won_amount" in r.reasons and "open_amount" in r.reasons


def test_no_amounts_in_the_tables_are_nan_not_zero():
    r = report_for(NO_AMOUNTS, "FY2026Q3")
    reps = r.won_opportunities_by_rep
    ana = reps[(reps["rep"] == "Ana") & (reps["quarter"] == "FY2026 Q3")].iloc[0]
    assert ana["won_opportunities"] == 1
    assert math.isnan(ana["won_amount"])
    everyone = r.pipeline[r.pipeline["dimension"] == "all"].iloc[0]
    assert everyone["open_opportunities"] == 2
    assert math.isnan(everyone["open_amount"])


def test_amount_weighted_rate_hidden_when_lost_amounts_are_all_zero_or_missing():
    r = report_for(LOST_AT_ZERO, "FY2026Q3")
    assert r.headline.win_rate == pytest.approx(2 / 4)
    assert r.headline.amount_weighted_win_rate is None  # 800 / (800 + 0) would say 100 %
    assert "amount_weighted_win_rate" in r.reasons
    seg = r.win_rate_by_segment
    assert seg["amount_weighted_win_rate"].isna().all()


def test_amount_weighted_rate_unknown_when_one_lost_amount_is_blank():
    rows = [*LOST_AT_ZERO, deal("lost", "Ana", "2026-09-01", "Kappa", 200.0, region="West")]
    r = report_for(rows, "FY2026Q3")
    # won 500 + 300, lost 0 + blank + 200: the blank one could be anything, so the rate
    # (800 / 1000 if it were 0) is not told.
    assert r.headline.amount_weighted_win_rate is None
    assert r.reasons["amount_weighted_win_rate"] == (
        "1 lost deal has no amount, so the amount-weighted rate cannot be told"
    )
    west = r.win_rate_by_segment.set_index(["dimension", "segment"]).loc[("region", "West")]
    assert math.isnan(west["lost_amount"])  # 200 + blank: never the partial 200


def test_amount_weighted_rate_shown_when_every_amount_is_known():
    rows = [*LOST_AT_ZERO[:3], deal("lost", "Ana", "2026-09-01", "Kappa", 200.0, region="West")]
    r = report_for(rows, "FY2026Q3")
    # won 500 + 300, lost 0 + 200 → 800 / 1000
    assert r.headline.amount_weighted_win_rate == pytest.approx(0.8)
    assert "amount_weighted_win_rate" not in r.reasons


def test_previous_quarter_has_no_pipeline_figures():
    """The open pipeline is as of the data; it was never recorded for past quarters."""
    rows = [*LOST_AT_ZERO, deal("won", "Ana", "2026-05-01", "Lambda", 50.0, region="West")]
    r = report_for(rows, "FY2026Q3", target_rows=[("rep", "Ana", "FY2026 Q2", 1000.0)])
    prev = r.headline_previous
    assert prev.open_opportunities is None
    assert prev.open_amount is None
    assert prev.coverage is None
    # Q3 runs to 7 Aug (the last close), so Q2 is compared up to 7 May: a part of a
    # quarter has no target; the full Q2 keeps its 1,000.
    assert prev.to_date == "2026-05-07"
    assert prev.target is None
    assert r.reasons["previous_target"].startswith("a target is for the whole quarter")
    assert r.headline_previous_full.target == 1000.0
    assert "previous_coverage" in r.reasons


def test_no_target_means_no_coverage_with_a_reason():
    r = report_for(LOST_AT_ZERO, "FY2026Q3")
    assert r.headline.target is None and r.headline.coverage is None
    assert "coverage" in r.reasons
