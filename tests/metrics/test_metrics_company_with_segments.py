"""The company's report computed in the segments' grouped pass (issue 11).

``metrics.run`` with ``by`` makes the company's report group 0 of the one grouped pass and
each segment one more group; the company's counts come from the segments' totals and its
sums, medians and lists from its own rows. Expected values are worked out by hand from the
deals written here.
"""

from __future__ import annotations

from reporter.config import Config
from reporter.metrics import Reports, Settings, compute, run
from reporter.write.json import report_document
from support.figures import deal, frame

# FY2026 Q3 is July to September 2026 (fiscal year from January).
ROWS = [
    # West: wins of 100 (10 days) and 300 (20 days), and an open deal of 500.
    deal("won", "Ana", "2026-07-03", "A1", 100.0, "2026-06-23", region="West"),
    deal("won", "Ana", "2026-07-21", "A2", 300.0, "2026-07-01", region="West"),
    deal("open", "Ana", "2026-12-01", "A3", 500.0, "2026-08-01", region="West"),
    # East: one win of 1000 (30 days).
    deal("won", "Bo", "2026-08-31", "B1", 1000.0, "2026-08-01", region="East"),
    # North: only lost deals.
    deal("lost", "Cy", "2026-09-01", "C1", 50.0, "2026-08-01", region="North"),
    deal("lost", "Cy", "2026-09-02", "C2", 70.0, "2026-08-01", region="North"),
    # No region (the Unknown segment): a win of 200 (4 days).
    deal("won", "Bo", "2026-07-05", "B2", 200.0, "2026-07-01", region=None),
]


def _reports() -> Reports:
    return run(frame(ROWS), Settings(), period="FY2026Q3", by="region")


def test_company_headline_from_the_one_pass_is_over_every_deal():
    reports = _reports()
    h = reports.company.headline
    assert list(reports.segments) == ["East", "North", "West", "Unknown"]  # Unknown last
    assert (h.won_opportunities, h.lost_opportunities) == (4, 2)
    assert h.won_amount == 1600.0 and h.acv_mean == 400.0
    # Won amounts 100, 200, 300, 1000: the median is 250, not a median of the segments'
    # medians (West 200, East 1000, Unknown 200).
    assert h.acv_median == 250.0
    # Cycles 4, 10, 20, 30 days: median 15, mean 16.
    assert (h.cycle_days_median, h.cycle_days_mean) == (15.0, 16.0)
    assert h.win_rate == 4 / 6
    assert (h.open_opportunities, h.open_amount) == (1, 500.0)
    assert h.won_customers == 4
    assert reports.company.segment is None
    assert reports.segments["West"].headline.acv_median == 200.0
    assert reports.segments["West"].segment == ("region", "West")


def test_a_segment_with_only_lost_deals_and_the_company_rows_beside_it():
    reports = _reports()
    north = reports.segments["North"].headline
    assert (north.won_opportunities, north.lost_opportunities) == (0, 2)
    assert north.win_rate == 0.0 and north.acv_median is None
    rates = reports.company.win_rate_by_segment
    region = rates[rates["dimension"].eq("region")].set_index("segment")
    assert region.loc["North", "won"] == 0 and region.loc["North", "lost"] == 2
    assert region.loc["North", "lost_amount"] == 120.0
    assert region.loc["West", "median_won_amount"] == 200.0
    overall = rates[rates["dimension"].eq("all")].iloc[0]
    assert (overall["won"], overall["lost"], overall["median_won_amount"]) == (4, 2, 250.0)
    assert overall["median_cycle_days"] == 15.0
    reps = reports.company.won_opportunities_by_rep
    q3 = reps[reps["quarter"].eq("FY2026 Q3")].set_index("rep")
    # Bo's wins are in East (1000) and Unknown (200): the company's row has both.
    assert q3.loc["Bo", "won_opportunities"] == 2 and q3.loc["Bo", "won_amount"] == 1200.0
    assert q3.loc["Cy", "lost_opportunities"] == 2
    pipeline = reports.company.pipeline
    assert pipeline[pipeline["dimension"].eq("all")]["open_amount"].tolist() == [500.0]
    bridge = reports.company.bridge
    assert bridge[bridge["dimension"].eq("all")]["new_customer_first_wins"].tolist() == [4]


def test_the_company_report_is_the_same_with_or_without_segments():
    data = frame(ROWS)
    alone = compute(data, Config(), "FY2026Q3")
    with_segments = run(data, Settings(), period="FY2026Q3", by="region").company
    assert report_document(with_segments) == report_document(alone)
