"""Typed, checked cell writes for the finance workbook.

Every value goes through :meth:`Cells.put`, which picks the Excel type from the column's
*kind* (never from the value's look), applies a real number format, keeps input text as
text (quote prefix for text an editor would turn into a formula), and checks XlsxWriter's
return code: a truncated string becomes a ``text-truncated`` note, anything else stops the
build before a corrupt file can exist.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reporter.errors import OutputError
from reporter.quality import KEPT_AS_IS, Issue
from reporter.theme import LEGACY, Theme

EXCEL_MAX_CHARS = 32_767
EXCEL_MAX_ROWS = 1_048_576
SHEET_NAME_MAX = 31
WIDTH_CAP = 60
WIDTH_MIN = 6
ROW_HEIGHT = 15  # points per line of 11-point text

# Kinds of column; each maps to one Excel type and number format.
TEXT, INT, MONEY, PCT, DATE, DAYS, BOOL, COUNT_LABEL, ROW_NUMBER, POINTS = (
    "text",
    "int",
    "money",
    "pct",
    "date",
    "days",
    "bool",
    "count_label",
    "row_number",  # a sheet row number: no thousands separator
    "points",  # a change of a rate, in percentage points (3.0 = +3.0 pp)
)
NUMBER_FORMATS = {
    INT: "#,##0",
    PCT: "0.0%",
    DATE: "yyyy-mm-dd",
    DAYS: "#,##0.0",
    COUNT_LABEL: '#,##0 "deals"',
    ROW_NUMBER: "0",
    POINTS: '+0.0" pp";-0.0" pp";0.0" pp"',
}
DEFAULT_MONEY = "#,##0.00"
# Known ISO codes get their symbol; any other single currency is shown by its code.
_SYMBOLS = {"USD": '"$"', "EUR": '"€"', "GBP": '"£"', "JPY": '"¥"', "CHF": '"CHF "'}

# A leading = + - @ or a control character is how a formula or DDE payload starts.
_RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Writes one cell of a column: (row, column, value, directional row?).
Writer = Callable[[int, int, Any, bool], None]


def money_format(currencies: list[str]) -> str:
    """The currency number format: with a symbol when the data has exactly one currency."""
    codes = sorted({c.strip().upper() for c in currencies if c and c.strip()})
    if len(codes) != 1:
        return DEFAULT_MONEY
    code = codes[0]
    symbol = _SYMBOLS.get(code)
    if symbol:
        return f"{symbol}#,##0.00"
    safe = re.sub(r"[^A-Z]", "", code)[:3]
    return f'#,##0.00 "{safe}"' if safe else DEFAULT_MONEY


def sheet_name(wanted: str, taken: set[str] | None = None) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, ≤31 chars, not 'History'.

    ``taken`` holds names already used (compared case-insensitively, as Excel does).
    """
    name = _BAD_SHEET_CHARS.sub("_", wanted).strip().strip("'") or "Sheet"
    if name.casefold() == "history":
        name = "History_"
    name = name[:SHEET_NAME_MAX]
    used = {t.casefold() for t in taken or set()}
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)] + suffix
    return candidate


def is_missing(value: Any) -> bool:
    """True for None, pandas NA/NaT and NaN/inf (all written as blank cells).

    Unlike :func:`reporter.vocabulary.is_missing`, text of spaces is written as it is and
    an infinite number is blank: this is about what a cell can hold, not what a reader saw.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool:  # most cells: no pandas call
        return False
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


DASH = "—"


class Unknown(float):
    """A figure the core could not know (its ``reason`` says why): missing to every check
    here (a NaN), written as "—" rather than a blank, and never replaced by a formula."""

    reason: str

    def __new__(cls, reason: str = "") -> Unknown:
        value = super().__new__(cls, math.nan)
        value.reason = reason
        return value


def truthy(value: Any) -> bool:
    """True for a set boolean flag (Python or numpy), False for missing or false."""
    return not is_missing(value) and bool(value)


def as_number(value: Any) -> float | None:
    """A finite float, or None for anything missing."""
    if is_missing(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def as_datetime(value: Any) -> datetime | None:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        stamp: datetime = value.to_pydatetime()
        return stamp.replace(tzinfo=None)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    parsed: datetime = pd.Timestamp(value).to_pydatetime()
    return parsed


def wraps(text: str) -> bool:
    """Whether a text cell gets the wrapping format (long or multi-line text)."""
    return len(text) > WIDTH_CAP or "\n" in text


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapping text cell needs at a column width (1 for text that does not wrap)."""
    if not wraps(text):
        return 1
    room = max(1, int(width) - 2)
    return sum(max(1, len(textwrap.wrap(part, room))) for part in text.splitlines() or [""])


def display_width(value: Any, kind: str, money: str) -> int:
    """Characters a value needs once formatted (an estimate good enough for widths)."""
    if is_missing(value):
        return 0
    if kind == TEXT:
        text = str(value)
        return max((len(line) for line in text.splitlines()), default=len(text))
    if kind == DATE:
        return 10
    if kind == BOOL:
        return 5
    number = float(value)
    if kind == PCT:
        return len(f"{number:.1%}")
    if kind in (INT, COUNT_LABEL, ROW_NUMBER):
        return len(f"{number:,.0f}") + (6 if kind == COUNT_LABEL else 0)
    if kind == DAYS:
        return len(f"{number:,.1f}")
    return len(f"{number:,.2f}") + (0 if money == DEFAULT_MONEY else 4)


@dataclass
class Styles:
    """All formats of one workbook, created once each (so styles.xml is deterministic)."""

    workbook: Workbook
    money: str = DEFAULT_MONEY
    theme: Theme = field(default_factory=Theme)
    _cache: dict[tuple[Any, ...], Format] = field(default_factory=dict)

    def cell(
        self,
        kind: str,
        *,
        directional: bool = False,
        quote: bool = False,
        total: bool = False,
        wrap: bool = False,
    ) -> Format:
        """The format for a data cell of ``kind`` (directional rows are italic grey)."""
        key = ("cell", kind, directional, quote, total, wrap)
        if key not in self._cache:
            props: dict[str, Any] = {"valign": "top"}
            if wrap:
                props["text_wrap"] = True
            if kind == DATE:
                props["align"] = "center"
            if kind == MONEY:
                props["num_format"] = self.money
            elif kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            if directional:
                props.update({"italic": True, "font_color": "#767676"})
            if quote:
                props["quote_prefix"] = True
            if total:
                props.update({"bold": True, "top": 1})
                if kind == MONEY:  # a total formula may give "—": right, like the numbers
                    props["align"] = "right"
            self._cache[key] = self.workbook.add_format(props)
        return self._cache[key]

    def _title_colour(self) -> dict[str, str]:
        """A themed workbook's titles are in its primary colour; the default stays black."""
        palette = self.theme.palette
        return {} if palette == LEGACY else {"font_color": palette.primary}

    def named(self, name: str) -> Format:
        """Formats that are not data cells: header, title, subtitle, section, note, wrap."""
        key = ("named", name)
        if key not in self._cache:
            props = {
                "header": {
                    "bold": True,
                    "bg_color": self.theme.palette.header_fill,
                    "bottom": 1,
                    "valign": "top",
                    "text_wrap": True,
                },
                "title": {"bold": True, "font_size": 14, **self._title_colour()},
                "subtitle": {"font_color": "#404040"},
                "section": {"bold": True, "font_size": 12},
                "note": {"italic": True, "font_color": "#595959"},
                # a figure that cannot be known: "—", right-aligned like the numbers
                "dash": {"align": "right", "font_color": "#595959"},
                "total_dash": {"align": "right", "font_color": "#595959", "bold": True, "top": 1},
                "wrap": {"text_wrap": True, "valign": "top"},
            }[name]
            self._cache[key] = self.workbook.add_format(props)
        return self._cache[key]


@dataclass
class Cells:
    """Writes typed cells and keeps the notes (truncations, splits) for the report."""

    styles: Styles
    workbook_name: str = "sales-report.xlsx"
    notes: list[Issue] = field(default_factory=list)

    def put(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        value: Any,
        kind: str,
        *,
        header: str = "",
        directional: bool = False,
        total: bool = False,
    ) -> None:
        """Write ``value`` as ``kind``; missing values become formatted blank cells."""
        fmt = self.styles.cell(kind, directional=directional, total=total)
        if isinstance(value, Unknown):
            dash = self.styles.named("total_dash" if total else "dash")
            self._check(ws.write_string(row, col, DASH, dash), ws, row, col, header, DASH)
            if value.reason:  # why, on hover (the printed sheets say it in a column)
                ws.write_comment(row, col, value.reason, {"author": "reporter"})
        elif is_missing(value):
            self._check(ws.write_blank(row, col, None, fmt), ws, row, col, header, value)
        elif kind == TEXT:
            self.text(ws, row, col, value, header=header, directional=directional, total=total)
        elif kind == DATE:
            stamp = as_datetime(value)
            self._check(ws.write_datetime(row, col, stamp, fmt), ws, row, col, header, value)
        elif kind == BOOL:
            self._check(ws.write_boolean(row, col, bool(value), fmt), ws, row, col, header, value)
        else:
            self._check(ws.write_number(row, col, float(value), fmt), ws, row, col, header, value)

    def writer(self, ws: Worksheet, kind: str, *, header: str = "") -> Writer:
        """:meth:`put` for one column of ``kind``: the Excel type and the formats are
        chosen once for the column, not once per cell."""
        formats = (self.styles.cell(kind), self.styles.cell(kind, directional=True))
        blank, check = ws.write_blank, self._check
        if kind == TEXT:

            def write_text(row: int, col: int, value: Any, directional: bool) -> None:
                if isinstance(value, Unknown):  # "—" and its reason: the general path
                    self.put(ws, row, col, value, kind, header=header, directional=directional)
                elif is_missing(value):
                    code = blank(row, col, None, formats[directional])
                    if code:
                        check(code, ws, row, col, header, value)
                else:
                    self.text(ws, row, col, value, header=header, directional=directional)

            return write_text
        if kind == DATE:

            def write_date(row: int, col: int, value: Any, directional: bool) -> None:
                if isinstance(value, Unknown) or is_missing(value):  # the general path
                    self.put(ws, row, col, value, kind, header=header, directional=directional)
                    return
                # the format looked up per cell, as put() does: formats are made when first
                # used, and that order numbers them in styles.xml
                fmt = self.styles.cell(kind, directional=directional)
                code = ws.write_datetime(row, col, as_datetime(value), fmt)
                if code:
                    check(code, ws, row, col, header, value)

            return write_date
        if kind == BOOL:  # rare columns: the general path

            def write_any(row: int, col: int, value: Any, directional: bool) -> None:
                self.put(ws, row, col, value, kind, header=header, directional=directional)

            return write_any
        number = ws.write_number

        def write_number(row: int, col: int, value: Any, directional: bool) -> None:
            fmt = formats[directional]
            if isinstance(value, Unknown):  # "—" and its reason: the general path
                self.put(ws, row, col, value, kind, header=header, directional=directional)
                return
            if is_missing(value):
                code = blank(row, col, None, fmt)
            else:
                code = number(row, col, float(value), fmt)
            if code:
                check(code, ws, row, col, header, value)

        return write_number

    def text(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        value: Any,
        *,
        header: str = "",
        directional: bool = False,
        total: bool = False,
        fmt: Format | None = None,
    ) -> None:
        """Write text as text: quote-prefixed when it starts like a formula."""
        text = str(value)
        if fmt is None:
            risky = text.startswith(_RISKY_START)
            # Long or multi-line text wraps inside the capped column width instead of
            # spilling across (or being cut by) the next column.
            wrap = wraps(text)
            fmt = self.styles.cell(
                TEXT, directional=directional, quote=risky, total=total, wrap=wrap
            )
        self._check(ws.write_string(row, col, text, fmt), ws, row, col, header, text)

    def formula(
        self, ws: Worksheet, row: int, col: int, formula: str, kind: str, value: Any, **style: Any
    ) -> None:
        """Write a live formula together with its computed value ("" when blank)."""
        fmt = self.styles.cell(kind, **style)
        cached: Any = DASH if isinstance(value, Unknown) else "" if is_missing(value) else value
        code = ws.write_formula(row, col, formula, fmt, cached)
        self._check(code, ws, row, col, formula, value)

    def _check(self, code: int, ws: Worksheet, row: int, col: int, header: str, value: Any) -> None:
        if code == 0:
            return
        if code == -2:
            self.note_truncated(ws.get_name(), row, header, value)
            return
        raise OutputError(
            f"{self.workbook_name}: could not write sheet {ws.get_name()!r} "
            f"row {row + 1} column {col + 1} (XlsxWriter code {code})",
            hint="this is a bug in reporter; please report it with the input file",
        )

    def note_truncated(self, sheet: str, row: int, header: str, value: Any) -> None:
        text = str(value)
        self.notes.append(
            Issue(
                code="text-truncated",
                file=self.workbook_name,
                sheet=sheet,
                row=row + 1,
                column=header or None,
                value=text[:100] + "…",
                problem=f"text of {len(text):,} characters; Excel allows {EXCEL_MAX_CHARS:,}",
                action=f"first {EXCEL_MAX_CHARS:,} characters kept",
            )
        )

    def note(self, sheet: str, problem: str, action: str) -> None:
        """A workbook-level note (e.g. a table continued on another sheet)."""
        self.notes.append(
            Issue(
                code="sheet-split",
                file=self.workbook_name,
                sheet=sheet,
                row=None,
                column=None,
                value=None,
                problem=problem,
                action=action or KEPT_AS_IS,
            )
        )
