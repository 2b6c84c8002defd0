"""One writer per column: its Excel type and formats chosen once, read back with openpyxl."""

from __future__ import annotations

import math
from datetime import datetime

import openpyxl
import pandas as pd
import xlsxwriter

from reporter.write.xlsx.cells import DATE, INT, MONEY, TEXT, Cells, Styles, Unknown, is_missing


def test_column_writers_type_each_cell_by_the_column(tmp_path):
    path = tmp_path / "w.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    ws = workbook.add_worksheet("T")
    cells = Cells(Styles(workbook))
    money, count = cells.writer(ws, MONEY, header="Amount"), cells.writer(ws, INT, header="Won")
    text, day = cells.writer(ws, TEXT, header="Rep"), cells.writer(ws, DATE, header="Close")
    values = [
        (1234.5, 3, "Ann", datetime(2026, 8, 15), False),
        (float("nan"), None, "=1+1", pd.NaT, True),  # missing → blank; formula-like → text
        (float("inf"), pd.NA, None, None, False),
        (Unknown("1 won deal has no amount"), 2, "Bob", None, False),  # the core's "—"
    ]
    for r, (amount, won, rep, close, directional) in enumerate(values):
        money(r, 0, amount, directional)
        count(r, 1, won, directional)
        text(r, 2, rep, directional)
        day(r, 3, close, directional)
    workbook.close()
    sheet = openpyxl.load_workbook(path)["T"]
    assert [c.value for c in sheet[1]] == [1234.5, 3, "Ann", datetime(2026, 8, 15)]
    assert sheet["A1"].number_format == "#,##0.00" and sheet["B1"].number_format == "#,##0"
    assert [c.value for c in sheet[2]] == [None, None, "=1+1", None]
    assert sheet["C2"].data_type == "s" and sheet["C2"].quotePrefix  # kept as text
    assert sheet["A2"].font.i and not sheet["A1"].font.i  # the directional row is italic
    assert [c.value for c in sheet[3]] == [None, None, None, None]  # inf is no number
    assert sheet["A4"].value == "—" and sheet["A4"].comment.text == "1 won deal has no amount"


def test_is_missing_fast_paths_agree_with_pandas():
    for value in ("", "  ", "x", 0, 1, True, False, 2.5):
        assert is_missing(value) is False
    for value in (None, math.nan, math.inf, -math.inf, pd.NA, pd.NaT):
        assert is_missing(value) is True
