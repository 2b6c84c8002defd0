"""The coded grid: one code per cell, each distinct value parsed once, cells that equal
without being the same cell (True and 1.0, -0.0 and 0.0) kept apart."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np

from reporter.read.coded import CodedGrid
from reporter.read.columns import FAILED
from reporter.read.values import all_clean, clean_text, parse_amount


def _column(rows, col):
    grid = CodedGrid(rows)
    return grid, grid.column(col, np.arange(len(rows)))


def test_equal_numbers_and_booleans_are_each_parsed_as_they_are():
    # True == 1.0 == 1 in Python, but a TRUE cell is text "TRUE" and a 1.0 cell is "1".
    _, column = _column([[True], [1.0], [1], ["1"], [1.0]], 0)
    assert column.map(clean_text).tolist() == ["TRUE", "1", "1", "1", "1"]
    amounts = column.map(parse_amount, floats_as_is=True).tolist()
    assert amounts[0] is FAILED  # a yes/no value is not an amount
    assert amounts[1:] == [1.0, 1.0, 1.0, 1.0]


def test_a_boolean_in_one_column_does_not_stand_for_a_number_in_another():
    rows = [[True, "a"], ["b", 1.0]]
    grid = CodedGrid(rows)
    second = grid.column(1, np.arange(2))
    assert second.map(clean_text).tolist() == ["a", "1"]


def test_minus_zero_keeps_its_sign_as_an_amount():
    _, column = _column([[0.0], [-0.0], ["-0"]], 0)
    out = column.map(parse_amount, floats_as_is=True).tolist()
    assert [math.copysign(1, x) for x in out] == [1, -1, -1]


def test_one_moment_in_two_zones_is_two_cells():
    utc = datetime(2025, 1, 2, 12, 0, tzinfo=UTC)
    east = datetime(2025, 1, 2, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert utc == east
    _, column = _column([[utc], [east]], 0)
    assert column.map(lambda cell: cell and cell.hour).tolist() == [12, 14]


def test_blank_cells_are_missing_empty_or_whitespace_text():
    rows = [[None, "", "  ", "\t\n", "x", " x ", 0.0, date(2025, 1, 2)]]
    grid = CodedGrid(rows)
    assert grid.blank_cells().tolist() == [[True, True, True, True, False, False, False, False]]


def test_short_rows_are_padded_and_a_column_past_the_last_is_missing():
    grid = CodedGrid([["a", "b"], ["c"]])
    assert grid.blank_cells().tolist() == [[False, False], [False, True]]
    beyond = grid.column(5, np.arange(2))
    assert beyond.cells() == [None, None]
    assert beyond.map(clean_text).tolist() == [None, None]


def test_distinct_values_come_in_the_order_they_first_appear_in_the_column():
    # "03/04/2025" appears first in the grid in column 0, but column 1 meets "25/03/2025" first.
    rows = [["03/04/2025", "25/03/2025"], ["x", "03/04/2025"], ["y", "25/03/2025"]]
    grid = CodedGrid(rows)
    column = grid.column(1, np.arange(3))
    assert column.distinct() == ["25/03/2025", "03/04/2025"]


def test_a_nulled_cell_reads_as_missing_and_the_rest_as_they_are():
    _, column = _column([["#N/A"], ["n/a"], [12.5], [datetime(2025, 1, 2, 9, 30)]], 0)
    column.null(0)
    assert column.cells() == [None, "n/a", 12.5, datetime(2025, 1, 2, 9, 30)]
    assert column.map(clean_text).tolist() == [None, "n/a", "12.5", "2025-01-02 09:30:00"]


def test_texts_given_back_as_they_are_are_not_parsed_one_by_one():
    calls = []

    def parse(cell):
        calls.append(cell)
        return clean_text(cell)

    _, column = _column([["a b"], ["c"], ["a b"]], 0)
    assert column.map(parse, identity=all_clean).tolist() == ["a b", "c", "a b"]
    assert calls == [None]  # only the missing cell's result is asked for


def test_all_clean_finds_every_whitespace_that_clean_text_would_change():
    assert all_clean(["a", "b c", "Zürich"])
    for text in ["", " a", "a ", "a  b", "a\tb", "a\x1fb", "a\u00a0b", "a\u2003b", "a\nb"]:
        assert not all_clean(["ok", text]), repr(text)
        assert clean_text(text) != text


def test_amount_cells_take_the_one_currency_marked_and_blanks_stay_blank() -> None:
    from reporter.read.tables import _labels

    grid = CodedGrid([["$12,500.00"], [8000.0], [None], ["  "], ["$3.00"], [math.nan]])
    column = grid.column(0, np.arange(6))
    # As currency.label_cells: a plain number (and NaN) beside dollars is dollars.
    assert _labels(column) == ["USD", "USD", None, None, "USD", "USD"]


def test_amount_cells_in_two_currencies_keep_each_its_own() -> None:
    from reporter.read.tables import _labels

    grid = CodedGrid([["$1"], ["€2"], [3.0], ["$1"]])
    assert _labels(grid.column(0, np.arange(4))) == ["USD", "EUR", None, "USD"]
    assert _labels(CodedGrid([[1.0], [2.5], ["3"]]).column(0, np.arange(3))) is None


def test_the_one_currency_is_one_object_for_the_trip_back() -> None:
    from reporter.read.tables import _labels

    labels = _labels(CodedGrid([["$1"], [2.0], [3.0]]).column(0, np.arange(3)))
    assert labels == ["USD"] * 3 and len({id(x) for x in labels}) == 1
