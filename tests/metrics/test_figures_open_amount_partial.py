"""The open pipeline amount is never a silent partial sum (issue 9, "missing is not zero").

Six deals are open now: Ann's 300, 200 and one without an amount (West), Bo's 1,000 and 500
(East), Cy's one without an amount (North). The company's open amount is unknown ("—"),
never 2,000, and so is its coverage; what is known is said beside it. Every figure below
is counted by hand from the deals listed here.
"""

from __future__ import annotations

import math

import pytest

from support.figures import deal, report_for, segment_report_for

DEALS = [
    deal("won", "Ann", "2026-08-03", "A1", amount=100.0, region="West"),
    deal("lost", "Bo", "2026-09-30", "B1", amount=50.0, region="East"),
    deal("open", "Ann", "2026-10-15", "A2", amount=300.0, region="West"),
    deal("open", "Ann", "2026-11-15", "A3", amount=200.0, region="West"),
    deal("open", "Ann", "2026-12-15", "A4", amount=None, region="West"),  # "n/a"
    deal("open", "Bo", "2026-10-20", "B2", amount=1000.0, region="East"),
    deal("open", "Bo", None, "B3", amount=500.0, region="East"),
    deal("open", "Cy", "2026-11-01", "C1", amount=None, region="North"),
]
TARGETS = [("rep", "Ann", "FY2026 Q3", 1000.0), ("rep", "Bo", "FY2026 Q3", 3000.0)]


@pytest.fixture(scope="module")
def report():
    return report_for(DEALS, "FY2026Q3", target_rows=TARGETS)


def test_headline_open_amount_is_unknown_not_partial(report):
    h = report.headline
    assert h.open_opportunities == 6  # counts never depend on amounts
    assert h.open_amount is None  # not 2,000
    assert h.open_without_amount == 2  # A4, C1
    assert h.open_amount_known == 2000.0  # 300 + 200 + 1,000 + 500
    assert report.reasons["open_amount"] == "2 open deals have no amount; the other 4 total 2,000"


def test_coverage_is_unknown_with_the_open_amount(report):
    h = report.headline
    assert h.target == 4000.0  # Ann 1,000 + Bo 3,000
    assert h.coverage is None  # never 2,000 / 4,000
    assert report.reasons["coverage"] == report.reasons["open_amount"]


def test_pipeline_rows_say_what_is_known(report):
    p = report.pipeline.set_index(["dimension", "segment"])
    everyone = p.loc[("all", "All")]
    assert math.isnan(everyone["open_amount"]) and math.isnan(everyone["coverage"])
    assert (everyone["open_without_amount"], everyone["open_amount_known"]) == (2, 2000.0)
    assert everyone["open_amount_reason"] == report.reasons["open_amount"]
    ann = p.loc[("rep", "Ann")]
    assert ann["open_opportunities"] == 3
    assert math.isnan(ann["open_amount"])  # not 500
    assert (ann["open_without_amount"], ann["open_amount_known"]) == (1, 500.0)
    assert ann["open_amount_reason"] == "1 open deal has no amount; the other 2 total 500"
    assert ann["target"] == 1000.0
    assert math.isnan(ann["coverage"])  # 500 / 1,000 would understate her pipeline
    bo = p.loc[("rep", "Bo")]
    assert (bo["open_amount"], bo["open_without_amount"], bo["open_amount_known"]) == (
        1500.0,
        0,
        1500.0,
    )
    assert bo["open_amount_reason"] is None
    assert bo["coverage"] == pytest.approx(0.5)  # 1,500 / 3,000
    cy = p.loc[("rep", "Cy")]
    assert math.isnan(cy["open_amount"]) and math.isnan(cy["open_amount_known"])
    assert cy["open_without_amount"] == 1
    assert cy["open_amount_reason"] == "this open deal has no amount"
    west = p.loc[("region", "West")]
    assert math.isnan(west["open_amount"]) and west["open_amount_known"] == 500.0
    assert p.loc[("region", "East"), "open_amount"] == 1500.0


def test_no_amount_at_all_in_a_group_is_not_zero(report):
    north = segment_report_for(DEALS, "FY2026Q3", "North", target_rows=TARGETS)
    h = north.headline
    assert (h.open_opportunities, h.open_without_amount) == (1, 1)
    assert h.open_amount is None and h.open_amount_known is None
    # As for a won amount: the headline's reason when nothing is known at all.
    assert north.reasons["open_amount"] == "none of these deals has an amount"
    row = north.pipeline.set_index(["dimension", "segment"]).loc[("all", "All")]
    assert row["open_amount_reason"] == "this open deal has no amount"


def test_a_segment_report_has_the_same_rule():
    west = segment_report_for(DEALS, "FY2026Q3", "West", target_rows=TARGETS)
    assert west.headline.open_amount is None
    assert west.headline.open_amount_known == 500.0
    assert west.reasons["open_amount"] == "1 open deal has no amount; the other 2 total 500"
    assert west.headline.coverage is None  # West's target is Ann's 1,000; its amount unknown
    east = segment_report_for(DEALS, "FY2026Q3", "East", target_rows=TARGETS)
    assert east.headline.open_amount == 1500.0
    assert (east.headline.open_without_amount, east.headline.open_amount_known) == (0, 1500.0)
    assert east.headline.coverage == pytest.approx(0.5)  # Bo sells only in East: 3,000
    assert "open_amount" not in east.reasons


def test_metrics_json_carries_the_fields(report):
    from reporter.write.json import report_document

    doc = report_document(report)
    head = doc["headline"]
    assert head["open_amount"] is None and head["coverage"] is None
    assert (head["open_without_amount"], head["open_amount_known"]) == (2, 2000.0)
    assert doc["reasons"]["open_amount"].startswith("2 open deals have no amount")
    rows = {(r["dimension"], r["segment"]): r for r in doc["pipeline"]}
    ann = rows[("rep", "Ann")]
    assert ann["open_amount"] is None  # null, never NaN or 0
    assert (ann["open_without_amount"], ann["open_amount_known"]) == (1, 500.0)
    assert ann["open_amount_reason"] == "1 open deal has no amount; the other 2 total 500"
    # A past quarter has no pipeline at all: nothing to count as missing either.
    previous = doc["headline_previous"]
    assert previous["open_without_amount"] is None and previous["open_amount_known"] is None
