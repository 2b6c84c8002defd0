"""Parsing once per distinct value gives what parsing every cell gives, failures included."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import pytest

from reporter.read import excel
from reporter.read.columns import FAILED, map_distinct
from reporter.read.values import clean_text, parse_amount

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "read"


def test_equal_values_of_different_types_are_parsed_apart() -> None:
    # True == 1 == 1.0 in Python, but as cells they read differently.
    cells = [True, 1, 1.0, True, "1", None, 1]
    assert map_distinct(clean_text, cells) == ["TRUE", "1", "1", "TRUE", "1", None, "1"]


def test_refused_cells_come_back_as_failed_in_place() -> None:
    cells = ["$1,200.00", "n/a", "twelve", 3.5, "twelve", float("nan")]
    out = map_distinct(parse_amount, cells)
    assert out[:2] == [1200.0, None]
    assert out[2] is FAILED and out[4] is FAILED
    assert out[3] == 3.5 and out[5] is None


def test_repeated_values_share_one_parsed_object() -> None:
    # One object per distinct value is what keeps a million-row column small.
    cells = [f"{'North'} {'America'}" for _ in range(3)]  # equal, but three objects
    assert len({id(c) for c in cells}) == 3
    out = map_distinct(clean_text, cells)
    assert out == ["North America"] * 3
    assert len({id(v) for v in out}) == 1


def test_negative_zero_keeps_its_sign() -> None:
    out = map_distinct(parse_amount, [0.0, -0.0])
    assert [math.copysign(1, v) for v in out] == [1.0, -1.0]


def test_dates_and_datetimes_are_told_apart() -> None:
    cells = [datetime(2025, 3, 1, 0, 0), date(2025, 3, 1), datetime(2025, 3, 1, 9, 30)]
    assert map_distinct(clean_text, cells) == ["2025-03-01", "2025-03-01", "2025-03-01 09:30:00"]


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_error_cells_found_whatever_the_read_size(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sheet XML is searched in pieces; a marker cut in two by a piece boundary counts.
    monkeypatch.setattr(excel, "_CHUNK", chunk)
    path = FIXTURES / "excel_error_cells_and_hidden_sheet.xlsx"
    sheets, _ = excel.read_workbook(path, path.name, "xlsx")
    deals = next(s for s in sheets if s.sheet == "Deals")
    assert sorted(code for code, _ in deals.flags.values()) == ["excel-error"] * 3
