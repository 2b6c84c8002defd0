"""The metrics core takes text columns as object, categorical or Arrow-backed strings alike.

A reader may hand the dimension columns over as pandas categoricals (codes with no hashing)
or as pandas' Arrow-backed ``str``; the figures must not depend on which. Expected values
are worked out by hand from the rows written here.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reporter import metrics
from reporter.metrics.enrich import fold_codes
from reporter.write.json import report_document
from support.figures import deal, frame

TEXT = (
    "owner",
    "account",
    "region",
    "industry",
    "type",
    "lead_source",
    "stage",
    "outcome",
    "loss_reason",
)


def test_categorical_codes_fold_like_text_and_skip_unused_categories():
    values = pd.Series(
        pd.Categorical(
            ["West", "west", "West", None, "East"],
            categories=["East", "North", "West", "west"],  # "North": no row uses it
        )
    )
    codes = fold_codes(values)
    # West is written twice and west once: one segment named West; the missing row is
    # Unknown; North names nothing because no deal is in it.
    assert sorted(codes.values.tolist()) == ["East", "Unknown", "West"]
    named = codes.column(values.index).tolist()
    assert named == ["West", "West", "West", "Unknown", "East"]


def _rows() -> list[dict[str, object]]:
    return [
        deal("won", "Ana", "2026-07-03", "Acme", amount=100.0, region="West", industry="Retail"),
        deal("won", "Bo", "2026-08-03", "Beta", amount=250.0, region="East", industry="retail"),
        deal("won", "bo", "2026-09-03", "ACME", amount=50.0, region="east", industry=None),
        deal("lost", "Ana", "2026-09-30", "Gamma", amount=70.0, region=None, loss_reason="Price"),
        deal("lost", "Bo", "2026-08-30", "Eta", amount=20.0, region="East", industry="Health"),
        deal("open", "Ana", "2026-10-15", "Delta", amount=30.0, region="West"),
        deal("won", "Ana", "2026-04-10", "Acme", amount=40.0, region="West", type="New Business"),
    ]


def _documents(opportunities: pd.DataFrame) -> str:
    reports = metrics.run(opportunities, metrics.Settings(), period="FY2026Q3", by="region")
    docs = {
        "company": report_document(reports.company),
        "segments": {k: report_document(v) for k, v in reports.segments.items()},
    }
    return json.dumps(docs, sort_keys=True, default=str)


@pytest.mark.parametrize("dtype", ["category", "str"])
def test_categorical_and_arrow_text_give_the_same_reports_as_object_text(dtype):
    plain = frame(_rows())
    typed = plain.copy()
    for col in TEXT:
        typed[col] = typed[col].astype(dtype)
    assert _documents(typed) == _documents(plain)
    reports = metrics.run(typed, metrics.Settings(), period="FY2026Q3", by="region")
    # FY2026 Q3 (Jul-Sep): won 100 (West) + 250 + 50 (East, "east" folded in) = 400;
    # Acme's first win was in April (Q2), so its July win is not a new customer: Beta is.
    assert reports.company.headline.won_amount == 400.0
    assert reports.company.headline.won_customers == 1
    assert list(reports.segments) == ["East", "West", "Unknown"]
    assert reports.segments["East"].headline.won_amount == 300.0
    assert reports.segments["Unknown"].headline.lost_opportunities == 1
    # Two lost deals in the quarter: one for Price, one with no reason given.
    reasons = reports.company.loss_reasons
    overall = reasons[reasons["dimension"].eq("all")]
    assert dict(zip(overall["loss_reason"], overall["lost"], strict=True)) == {
        "Price": 1,
        "Not given": 1,
    }
