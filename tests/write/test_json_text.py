"""metrics.json's fast text is json.dumps(indent=2) character for character."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reporter.write.json import records
from reporter.write.json_text import Records, dumps, is_flat


def table(rows: list[dict], flat: bool | None = None) -> Records:
    out = Records(rows)
    out.flat = is_flat([v for r in rows for v in r.values()]) if flat is None else flat
    return out


AWKWARD = [
    {"a": "},\n    {", "b": 1, "c": -0.0, "d": None, "e": True},
    {"a": 'quote " and \\ and \t and \u2028', "b": 10**20, "c": 1e16, "d": 0.1, "e": False},
    {"a": "Zürich — 東京 \x00 \x1f", "b": -3, "c": 1.5e-300, "d": "", "e": None},
]


def standard(doc: object) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)


@pytest.mark.parametrize(
    "doc",
    [
        {"t": table(AWKWARD)},
        {"x": 1, "deep": {"deeper": [table(AWKWARD), {"t": table(AWKWARD[:1])}]}, "y": []},
        {"empty": table([]), "no keys": table([{}, {}], flat=True), "z": "end"},
        {"nested": table([{"a": [1, 2], "b": {"c": 3}}, {"a": [], "b": {}}])},  # not flat
        [table(AWKWARD), table(AWKWARD[1:])],
        table(AWKWARD),
        {"mimic": "\x00table 0\x00", "t": table(AWKWARD)},  # text like an old placeholder
        {"plain list": [{"a": 1}, {"a": 2}], "s": "x"},
    ],
)
def test_the_text_is_the_standard_indented_json(doc):
    assert dumps(doc) == standard(doc)


def test_a_non_flat_table_is_not_marked_flat():
    assert not is_flat(["a", 1, [2]]) and not is_flat([{"a": 1}]) and is_flat(["a", 1.0, None])


def test_report_tables_are_flat_records_and_dump_the_same():
    frame = pd.DataFrame(
        {
            "quarter": pd.Series(["FY2026 Q3", None], dtype="str"),
            "won": [3, 4],
            "amount": [1.5, float("nan")],
            "when": pd.to_datetime(["2026-08-15", None]),
            "extra": pd.Series([{"k": 1}, None], dtype=object),
        }
    )
    assert records(frame[["quarter", "won", "amount", "when"]]).flat
    mixed = records(frame)
    assert not mixed.flat  # the dict in "extra" goes through the standard encoder
    doc = {"t": records(frame[["quarter", "won"]]), "m": mixed}
    assert dumps(doc) == standard(doc)
