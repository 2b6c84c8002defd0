"""metrics.json tables, converted column by column: every dtype the core's tables hold."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd

from reporter.write.json import records, report_document
from support.figures import deal, report_for


def test_records_make_every_kind_of_column_json_safe():
    frame = pd.DataFrame(
        {
            "won": np.array([3, 0, 12], dtype=np.int64),
            "amount": [1234.5, np.nan, np.inf],
            "directional": [True, False, True],
            "close": pd.to_datetime(["2026-08-15 13:45", None, "1969-12-31 23:00"]),
            "rep": pd.Series(["Ann", None, "Bo"], dtype="str"),
            "mixed": pd.Series([np.int64(7), None, np.float64("nan")], dtype=object),
            "when": pd.Series([date(2026, 1, 2), pd.Timestamp("2026-03-04"), pd.NA], dtype=object),
            "share": pd.array([1, None, 2], dtype="Int64"),
        }
    )
    rows = records(frame)
    assert rows == [
        {
            "won": 3,
            "amount": 1234.5,
            "directional": True,
            "close": "2026-08-15",
            "rep": "Ann",
            "mixed": 7,
            "when": "2026-01-02",
            "share": 1,
        },
        {
            "won": 0,
            "amount": None,
            "directional": False,
            "close": None,
            "rep": None,
            "mixed": None,
            "when": "2026-03-04",
            "share": None,
        },
        {
            "won": 12,
            "amount": None,  # inf is no number
            "directional": True,
            "close": "1969-12-31",  # the day it falls on, not rounded up to 1970
            "rep": "Bo",
            "mixed": None,
            "when": None,
            "share": 2,
        },
    ]
    assert [type(r["won"]) for r in rows] == [int, int, int]  # Python, not numpy
    assert type(rows[0]["mixed"]) is int and type(rows[0]["directional"]) is bool
    json.dumps(rows, allow_nan=False)  # every value is JSON


def test_records_of_an_empty_table_and_of_one_without_columns():
    assert records(pd.DataFrame({"a": pd.Series([], dtype=float)})) == []
    assert records(pd.DataFrame(index=range(2))) == [{}, {}]


def test_a_briefing_document_leaves_out_the_drill_through_tables():
    report = report_for(
        [
            deal("won", "Ann", "2026-08-03", "A1", amount=100.0, region="West"),
            deal("lost", "Bo", "2026-09-30", "B1", amount=50.0, region="East"),
        ],
        "FY2026Q3",
    )
    full = report_document(report)
    briefing = report_document(report, leave_out=("won_deals", "bridge_by_quarter"))
    assert [(d["account"], d["amount"]) for d in full["won_deals"]] == [("A1", 100.0)]
    assert "won_deals" in full and "won_deals" not in briefing
    assert "bridge_by_quarter" not in briefing
    assert list(briefing) == [k for k in full if k not in ("won_deals", "bridge_by_quarter")]
    assert briefing["trend"] == full["trend"]
