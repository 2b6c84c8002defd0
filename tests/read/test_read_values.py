"""Cell parsing, outcome rules, quarters and bands: table-driven unit tests."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from reporter.config import Outcomes
from reporter.read import values as v
from reporter.read.excel import _scan_sheet_xml
from reporter.read.headers import alias_index, find_header, map_columns
from reporter.read.outcome import OutcomeRules
from reporter.read.reference import size_band
from reporter.read.targets import parse_quarter_label

AMOUNTS = [
    ("12500", False, 12500.0),
    ("$12,500.00", False, 12500.0),
    ("€3,000", False, 3000.0),
    ("(1,200)", False, -1200.0),
    ("-1,200.50", False, -1200.5),
    ("12 500", False, 12500.0),
    ("12\u00a0500,75", False, 12500.75),
    ("1.234,56", False, 1234.56),
    ("1.234,56 €", True, 1234.56),
    ("3000,5", True, 3000.5),
    ("1.234", True, 1234.0),
    ("1.234", False, 1.234),
    ("1,234,567", False, 1234567.0),
    ("USD 1,200", False, 1200.0),
    ("1,200 EUR", False, 1200.0),
    ("£99.99", False, 99.99),
    (4200.5, False, 4200.5),
    (0, False, 0.0),
    ("", False, None),
    ("  ", False, None),
    ("-", False, None),
    ("n/a", False, None),
    (None, False, None),
]


@pytest.mark.parametrize(("cell", "comma", "expected"), AMOUNTS, ids=[repr(a[0]) for a in AMOUNTS])
def test_parse_amount(cell: object, comma: bool, expected: float | None) -> None:
    assert v.parse_amount(cell, comma) == expected


BAD_AMOUNTS = ["1.2k", "twelve", "12-500", "$", True, "1,2,3"]


@pytest.mark.parametrize("cell", BAD_AMOUNTS, ids=[repr(a) for a in BAD_AMOUNTS])
def test_bad_amount_raises(cell: object) -> None:
    with pytest.raises(ValueError):
        v.parse_amount(cell)


DECIMAL_COLUMNS = [
    (["1.234,56", "3000,5", "250"], True),
    (["1,234.56", "3000.5"], False),
    (["1,234", "12,500"], False),
    (["3,5", "2.5"], False),
    ([12.5, "7"], False),
]


@pytest.mark.parametrize(
    ("cells", "expected"), DECIMAL_COLUMNS, ids=[str(c[0]) for c in DECIMAL_COLUMNS]
)
def test_decimal_comma_column(cells: list[object], expected: bool) -> None:
    assert v.decimal_comma_column(cells) is expected


DATES = [
    (date(2024, 2, 10), False, date(2024, 2, 10)),
    (datetime(2024, 2, 10, 15, 30), False, date(2024, 2, 10)),
    (45400.0, False, date(2024, 4, 18)),
    (45400.75, False, date(2024, 4, 18)),
    (61, False, date(1900, 3, 1)),
    (59, False, date(1900, 2, 28)),
    ("2024-03-05", False, date(2024, 3, 5)),
    ("2024-01-22T16:14:25.000+0000", False, date(2024, 1, 22)),
    ("2017-03-01 12:00:00.123", False, date(2017, 3, 1)),
    ("2024/03/05", False, date(2024, 3, 5)),
    ("04/15/2024", False, date(2024, 4, 15)),
    ("10/20/16", False, date(2016, 10, 20)),
    ("10/20/16 3:45 PM", False, date(2016, 10, 20)),
    ("15.03.2024", True, date(2024, 3, 15)),
    ("03/04/2024", True, date(2024, 4, 3)),
    ("03/04/2024", False, date(2024, 3, 4)),
    ("20240131", False, date(2024, 1, 31)),
    ("15 Jan 2024", False, date(2024, 1, 15)),
    ("Jan 15, 2024", False, date(2024, 1, 15)),
    ("15-Jan-2024", False, date(2024, 1, 15)),
    ("", False, None),
    ("-", False, None),
    (None, False, None),
]


@pytest.mark.parametrize(("cell", "day_first", "expected"), DATES, ids=[repr(d[0]) for d in DATES])
def test_parse_date(cell: object, day_first: bool, expected: date | None) -> None:
    assert v.parse_date(cell, day_first) == expected


BAD_DATES = ["not a date", "13/13/2024", "2024-02-30", 60, 0, -5.0, True, "31/02/2024"]


@pytest.mark.parametrize("cell", BAD_DATES, ids=[repr(d) for d in BAD_DATES])
def test_bad_date_raises(cell: object) -> None:
    with pytest.raises(ValueError):
        v.parse_date(cell)


def test_1904_serial() -> None:
    assert v.parse_date(43800.0, date1904=True) == date(2023, 12, 2)


DAY_FIRST = [
    (["04/15/2024", "07/01/2024"], (False, False)),
    (["25/12/2023", "01/02/2024"], (True, False)),
    (["03/04/2024", "05/06/2024"], (False, True)),
    (["03/03/2024", "2024-01-01"], (False, False)),
    (["25/12/2023", "12/25/2023"], (False, False)),
]


@pytest.mark.parametrize(("cells", "expected"), DAY_FIRST, ids=[str(c[0]) for c in DAY_FIRST])
def test_day_first_column(cells: list[object], expected: tuple[bool, bool]) -> None:
    assert v.day_first_column(cells) == expected


BOOLEANS = [
    (1, True), (0, False), (1.0, True), (True, True), (False, False), (None, False),
    ("", False), ("1", True), ("0", False), ("true", True), ("FALSE", False), ("TRUE", True),
    ("yes", True), ("No", False), ("y", True), ("n", False), ("x", True), ("X", True),
]  # fmt: skip


@pytest.mark.parametrize(("cell", "expected"), BOOLEANS, ids=[repr(b[0]) for b in BOOLEANS])
def test_parse_bool(cell: object, expected: bool) -> None:
    assert v.parse_bool(cell) is expected


@pytest.mark.parametrize("cell", ["maybe", 2, "won't"], ids=["maybe", "2", "quote"])
def test_bad_bool_raises(cell: object) -> None:
    with pytest.raises(ValueError):
        v.parse_bool(cell)


TEXTS = [("  Ana  Lopez ", "Ana Lopez"), ("Ana\tLopez", "Ana Lopez"), (12345.0, "12345"),
         ("", None), ("   ", None), (None, None), (math.nan, None), ("NA", "NA")]  # fmt: skip


@pytest.mark.parametrize(("cell", "expected"), TEXTS, ids=[repr(t[0]) for t in TEXTS])
def test_clean_text(cell: object, expected: str | None) -> None:
    assert v.clean_text(cell) == expected


STAGES = [
    ("Closed Won", "won"), ("closed won", "won"), ("Closed-Won", "won"), ("CLOSED_WON", "won"),
    ("closedwon", "won"), ("Won", "won"), ("Close-won", "won"), ("Closed Lost", "lost"),
    ("No Decision", "lost"), ("lost", "lost"), ("Duplicate", "excluded"), ("Negotiation", "open"),
    ("proposal/price quote", "open"), ("Verbal Commit", None),
]  # fmt: skip


@pytest.mark.parametrize(("stage", "expected"), STAGES, ids=[s[0] for s in STAGES])
def test_stage_outcome(stage: str, expected: str | None) -> None:
    assert OutcomeRules(Outcomes()).of_stage(stage) == expected


FLAGS = [
    # stage, is_won, is_closed, has_won, has_closed → outcome, conflicting
    ("Negotiation", True, True, True, True, "won", False),
    ("Negotiation", True, False, True, True, "won", True),
    ("Closed Won", False, True, True, True, "lost", False),
    ("Closed Won", False, False, True, True, "open", False),
    ("Duplicate", True, True, True, True, "excluded", False),
    (None, False, True, True, True, "lost", False),
    ("Closed Lost", False, None, True, False, "lost", False),
    ("Closed Won", None, True, False, True, "won", False),
    ("Closed Won", None, True, True, True, "won", False),  # unreadable IsWon: stage decides
    (None, None, None, False, False, None, False),
]


@pytest.mark.parametrize(
    ("stage", "won", "closed", "has_won", "has_closed", "outcome", "conflicting"),
    FLAGS,
    ids=[f"{f[0]}-{f[1]}-{f[2]}-{f[3]}-{f[4]}" for f in FLAGS],
)
def test_flags_decide(
    stage: str | None,
    won: bool | None,
    closed: bool | None,
    has_won: bool,
    has_closed: bool,
    outcome: str | None,
    conflicting: bool,
) -> None:
    decision = OutcomeRules(Outcomes()).decide(stage, won, closed, has_won, has_closed)
    assert (decision.outcome, decision.conflicting) == (outcome, conflicting)


QUARTERS = [
    ("FY2026 Q3", 1, "FY2026 Q3"), ("FY26 Q3", 1, "FY2026 Q3"), ("fy2026q3", 1, "FY2026 Q3"),
    ("2026-Q3", 1, "FY2026 Q3"), ("Q3 2026", 1, "FY2026 Q3"), ("Q3 FY26", 1, "FY2026 Q3"),
    (date(2026, 8, 1), 1, "FY2026 Q3"), (date(2026, 2, 1), 2, "FY2027 Q1"),
    ("2026-08-15", 1, "FY2026 Q3"),
]  # fmt: skip


@pytest.mark.parametrize(("cell", "start", "label"), QUARTERS, ids=[str(q[0]) for q in QUARTERS])
def test_quarter_label(cell: object, start: int, label: str) -> None:
    assert parse_quarter_label(cell, start) == label


BANDS = [(0, "0-49"), (49, "0-49"), (50, "50-249"), (999, "250-999"), (1000, "1000-4999"),
         (5000, "5000+"), (120000, "5000+"), (None, None), (-1, None)]  # fmt: skip


@pytest.mark.parametrize(("employees", "band"), BANDS, ids=[str(b[0]) for b in BANDS])
def test_size_band(employees: float | None, band: str | None) -> None:
    assert size_band(employees, (0, 50, 250, 1000, 5000)) == band


def test_header_found_under_title_block_and_aliases_map() -> None:
    index = alias_index({"owner": "sales_agent"})
    rows = [
        ["Opportunities by Rep", "", ""],
        ["Generated by Sales Ops", "", ""],
        ["", "", ""],
        ["sales_agent", "Stage Name", "CLOSE-DATE", "Opportunity Owner"],
        ["Ana", "Won", "2024-01-01", "Someone"],
    ]
    assert find_header(rows, index) == 3
    assert map_columns(rows[3], index) == {"owner": 0, "stage": 1, "close_date": 2}


def test_xml_scan_finds_errors_and_unsaved_formulas() -> None:
    xml = (
        b'<sheetData><row r="2"><c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        b'<c r="C2"><f>SUM(A1:A3)</f><v></v></c><c r="D2"><f>A1</f><v>5</v></c>'
        b'<c r="AA3" t="str"><f>IF(1,"","")</f><v></v></c><c r="E2" s="1"/></row></sheetData>'
    )
    assert _scan_sheet_xml(xml) == {
        (1, 1): ("excel-error", "#DIV/0!"),
        (1, 2): ("formula-no-value", "formula without a saved value"),
    }
