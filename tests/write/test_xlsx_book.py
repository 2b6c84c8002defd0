"""The workbook's XlsxWriter subclass and the column widths worked out per column."""

from __future__ import annotations

import math

import openpyxl
import pytest
from xlsxwriter.worksheet import Worksheet

from reporter.write.xlsx.book import Book, Sheet
from reporter.write.xlsx.cells import DEFAULT_MONEY, INT, MONEY, PCT, TEXT, Unknown, display_width
from reporter.write.xlsx.table import widest

FORMULAS = [
    "=B2+C2",
    '=IF(B2+C2=0,"",B2/(B2+C2))',
    '=IF(OR(D2="",D2=0),"",C2/D2)',
    "=SUBTOTAL(109,C2:C40)",
    '=SUMIF(C2:C9,"FY2026 Q4 (to 20 Nov)",D2:D9)',
    '=IF(SUBTOTAL(102,H2:H9)<SUBTOTAL(103,A2:A9),"—",SUBTOTAL(109,H2:H9))',
    "{=SUM(A1:A3*B1:B3)}",
    # XlsxWriter rewrites these: they must take its own path
    "=XLOOKUP(A1,B1:B9,C1:C9)",
    "=SORT(A1:A9)",
    "=_xlfn.STDEV.S(A1:A9)",
    "=IF(A1,FILTER(A1:A9,B1:B9),0)",
    '=SUMIF(A1:A9,"UNIQUE(",B1:B9)',
    "=SINGLE(A1)",
    "=1+XSINGLE(A1)",
]


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("future", [False, True])
def test_a_formula_is_prepared_as_xlsxwriter_prepares_it(formula, future):
    ours, theirs = Sheet(), Worksheet()
    ours.use_future_functions = theirs.use_future_functions = future
    assert ours._prepare_formula(formula) == theirs._prepare_formula(formula)


def test_the_book_writes_plain_and_future_formulas_as_excel_reads_them(tmp_path):
    path = tmp_path / "b.xlsx"
    book = Book(str(path), {"strings_to_formulas": False})
    ws = book.add_worksheet("T")
    assert isinstance(ws, Sheet)
    ws.write_number(0, 1, 3)
    ws.write_number(0, 2, 1)
    ws.write_formula(1, 0, '=IF(B1+C1=0,"",B1/(B1+C1))', None, 0.75)
    ws.write_formula(2, 0, "=XLOOKUP(B1,B1:B2,C1:C2)", None, 1)
    book.close()
    sheet = openpyxl.load_workbook(path)["T"]
    assert sheet["A2"].value == '=IF(B1+C1=0,"",B1/(B1+C1))'
    # a dynamic-array function: an array formula, with the prefix Excel needs
    assert sheet["A3"].value.text == "=_xlfn.XLOOKUP(B1,B1:B2,C1:C2)"
    assert openpyxl.load_workbook(path, data_only=True)["T"]["A2"].value == 0.75


def test_widest_is_the_widest_formatted_value():
    # 9.995 rounds up to "10.00" (5 characters), -1,234.5 is "-1,234.50" (9)
    assert widest([9.995, 3.0, None, -1234.5], MONEY, DEFAULT_MONEY) == 9
    assert widest([0.0, -0.0], PCT, DEFAULT_MONEY) == 5  # "-0.0%"
    assert widest([0.0, 0.5], PCT, DEFAULT_MONEY) == 5  # "50.0%"
    assert widest([999_999, 1_000_000], INT, DEFAULT_MONEY) == 9  # "1,000,000"
    assert widest([float("nan"), Unknown("why"), None], INT, DEFAULT_MONEY) == 0
    assert widest([], MONEY, DEFAULT_MONEY) == 0
    assert widest(["abc", "a\rbcdef", "xy\u2028z"], TEXT, DEFAULT_MONEY) == 5  # "bcdef"
    assert widest(["", None, 12345], TEXT, DEFAULT_MONEY) == 5


@pytest.mark.parametrize("kind", [MONEY, PCT, INT])
def test_widest_agrees_with_formatting_every_value(kind):
    values = [
        0.0,
        -0.0,
        -0.0004,
        0.9995,
        9.995,
        99.994,
        -99.996,
        1e9 + 0.5,
        -1e7,
        math.inf,
        None,
        Unknown(""),
        12,
    ]
    for n in range(1, len(values) + 1):
        part = values[:n]
        assert widest(part, kind, DEFAULT_MONEY) == max(
            display_width(v, kind, DEFAULT_MONEY) for v in part
        )
