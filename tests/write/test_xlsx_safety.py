"""Hostile and oversized input in the finance workbook: text stays text, limits are noted."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from reporter.config import Config
from reporter.write.xlsx import write_workbook
from reporter.write.xlsx.cells import EXCEL_MAX_CHARS, sheet_name
from support.xlsx_helpers import hand_dataset, hand_report

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "http://example.com/phish",
    "=====",
]


def build(tmp_path: Path, report=None, **kw) -> Path:
    path = tmp_path / "sales-report.xlsx"
    write_workbook(path, report or hand_report(), hand_dataset(), Config(), **kw)
    return path


@pytest.mark.parametrize(
    "payload", PAYLOADS, ids=["hyperlink", "dde", "minus", "at", "tab", "url", "equals"]
)
def test_formula_like_names_stay_text(tmp_path, payload):
    path = build(tmp_path, hand_report({"account": payload, "deal": payload}))
    wb = openpyxl.load_workbook(path)
    found = []
    for ws in wb.worksheets:
        assert not ws._hyperlinks, ws.title
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == payload:
                    found.append(cell)
                    assert cell.data_type == "s"
                    assert cell.quotePrefix or not payload.startswith(("=", "+", "-", "@", "\t"))
    sheets = {c.parent.title for c in found}
    assert {"New Customers", "Won Deals"} <= sheets


def test_formulas_are_only_the_writers_own(tmp_path):
    path = build(tmp_path, hand_report({"account": "=1+1", "deal": "=SUM(A1:A9)"}))
    wb = openpyxl.load_workbook(path)
    formulas = [
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas
    assert all(f.startswith(("=IF(", "=SUBTOTAL(", "=SUMIF(")) or _bridge_sum(f) for f in formulas)


def _bridge_sum(formula: str) -> bool:
    """The Won Customers sheet's won opportunities: the sum of four cells on its row."""
    import re

    return re.fullmatch(r"=[A-Z]+\d+(\+[A-Z]+\d+){3}", formula) is not None


def test_overlong_text_is_truncated_with_a_note(tmp_path):
    long = "x" * (EXCEL_MAX_CHARS + 10)
    path = build(tmp_path, hand_report({"deal": long}))
    wb = openpyxl.load_workbook(path)
    deals = wb["Won Deals"]
    assert len(deals["B2"].value) == EXCEL_MAX_CHARS
    codes = [c.value for c in wb["Data Quality"]["A"]]
    assert codes.count("text-truncated") >= 2  # New Customers and Won Deals
    notes = [c.value for c in wb["Definitions"]["A"]]
    assert "text-truncated" in notes


def test_table_longer_than_a_sheet_continues_on_the_next(tmp_path):
    path = build(tmp_path, max_rows=3)  # header + 1 data row + totals row per sheet
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    at = names.index("Won Deals")
    assert names[at : at + 3] == ["Won Deals", "Won Deals (2)", "Won Deals (3)"]
    ids = [wb[n]["A2"].value for n in names[at : at + 3]]
    assert ids == ["O-1", "O-2", "O-3"]
    assert names[-1] == "Definitions"
    quality = wb["Data Quality"]
    assert "sheet-split" in [c.value for c in quality["A"]]
    for n in names[at : at + 3]:
        assert wb[n].freeze_panes == "A2" and wb[n].auto_filter.ref


SHEET_NAMES = [
    ("Won Deals", set(), "Won Deals"),
    ("Sales/Returns: Q3?", set(), "Sales_Returns_ Q3_"),
    ("x" * 40, set(), "x" * 31),
    ("History", set(), "History_"),
    ("west", {"West"}, "west (2)"),
    ("'quoted'", set(), "quoted"),
    ("y" * 40, {"y" * 31}, "y" * 27 + " (2)"),
]


@pytest.mark.parametrize(
    ("wanted", "taken", "expected"),
    SHEET_NAMES,
    ids=["plain", "bad-chars", "long", "reserved", "case-dup", "quotes", "long-dup"],
)
def test_sheet_names_are_valid_and_unique(wanted, taken, expected):
    assert sheet_name(wanted, taken) == expected


def test_failed_write_leaves_no_file(tmp_path):
    report = hand_report()
    deals = report.won_deals.astype({"amount": object})
    deals.loc[0, "amount"] = "not a number"  # a bug upstream: the writer must not half-write
    report = type(report)(**{**report.__dict__, "won_deals": deals})
    target = tmp_path / "out" / "sales-report.xlsx"
    with pytest.raises(ValueError):
        write_workbook(target, report, hand_dataset(), Config())
    assert list((tmp_path / "out").iterdir()) == []


def test_failed_write_keeps_the_previous_workbook(tmp_path):
    target = build(tmp_path)
    before = target.read_bytes()
    report = hand_report()
    bad = report.trend.astype({"won_amount": object})
    bad.loc[0, "won_amount"] = "oops"
    with pytest.raises(ValueError):
        write_workbook(
            target, type(report)(**{**report.__dict__, "trend": bad}), hand_dataset(), Config()
        )
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sales-report.xlsx"]


def test_empty_report_tables_still_make_a_valid_workbook(tmp_path):
    report = hand_report()
    empty = {
        k: getattr(report, k).iloc[0:0]
        for k in (
            "won_deals",
            "new_customers",
            "loss_reasons",
            "pipeline",
            "won_opportunities_by_rep",
        )
    }
    path = build(tmp_path, type(report)(**{**report.__dict__, **empty}))
    wb = openpyxl.load_workbook(path)
    assert wb["Won Deals"]["A2"].value == "(none)"
    assert wb["Won Deals"].auto_filter.ref == "A1:" + wb["Won Deals"].auto_filter.ref.split(":")[1]


def test_nan_and_missing_values_are_blank_or_a_dash(tmp_path):
    report = hand_report()
    deals = report.won_deals.copy()
    deals.loc[0, "amount"] = float("nan")
    deals.loc[1, "close_date"] = pd.NaT
    path = build(tmp_path, type(report)(**{**report.__dict__, "won_deals": deals}))
    ws = openpyxl.load_workbook(path)["Won Deals"]
    assert ws["F3"].value is None
    # a won deal without an amount is "—", and the amount total with it (never 1,800 + 1,500)
    assert ws["H2"].value == "—" and ws["H2"].comment is not None
    assert ws["H5"].value == '=IF(SUBTOTAL(102,H2:H4)<SUBTOTAL(103,A2:A4),"—",SUBTOTAL(109,H2:H4))'
