"""Tables in the finance workbook: a header row, typed rows, live formulas, a totals row.

A :class:`Col` says how one column is written. Formula columns carry a template over the
row's own cells (``{won}`` becomes that row's cell in the ``won`` column) and are written
with the value the metrics core reported, so a reader that does not recalculate shows the
same number. When the reported value is *not* what the formula would give (e.g. a cohort
win rate beside close-date counts) the value is written as a plain number instead: a
formula that disagrees with its own cached value would be a lie.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from string import Formatter
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reporter.write.xlsx.cells import (
    BOOL,
    DATE,
    EXCEL_MAX_ROWS,
    PCT,
    ROW_HEIGHT,
    TEXT,
    WIDTH_CAP,
    WIDTH_MIN,
    Cells,
    Unknown,
    as_number,
    display_width,
    is_missing,
    sheet_name,
    truthy,
    wrapped_lines,
    wraps,
)

Row = Mapping[str, Any]
PAGE_WIDTH = 240  # column-width units that still print legibly (~65 %) on a landscape page


@dataclass(frozen=True)
class Col:
    """One column: where its value comes from, its kind, its formula and its total.

    ``total`` is ``"sum"`` (SUBTOTAL 109 of the column), ``"complete:<key>"`` (that sum,
    or "—" while a visible row counted in column ``key`` has no number), ``"count:<key>"``
    (SUBTOTAL 103, non-blank cells of column ``key``), ``"formula"`` (the row template
    over the totals row) or ``"text"`` (the core's total value as words, e.g. a reason).
    SUBTOTAL rather than SUM so a filtered table totals what is visible.
    """

    key: str
    header: str
    kind: str
    formula: str | None = None
    derive: Callable[[Row], float | None] | None = None
    total: str | None = None
    total_kind: str | None = None  # the totals cell's kind when it differs (a count)


@dataclass(frozen=True)
class Table:
    """A table sheet: its columns, its rows, and which row field marks a row directional."""

    sheet: str
    columns: tuple[Col, ...]
    rows: Sequence[Row]
    totals: bool = False
    directional_key: str | None = None
    landscape: bool = True
    # The core's totals (column key → value), stored as the totals cells' values; with
    # ``totals_of`` = (column key, value) the totals cover only the rows holding that value
    # (SUMIF, e.g. the reporting quarter of Rep Bonuses) and are labelled ``totals_label``.
    totals_values: Mapping[str, Any] | None = None
    totals_of: tuple[str, str] | None = None
    totals_label: str = "Total"
    # The columns a directional row greys (its rate and interval); () greys the whole row.
    directional_cols: tuple[str, ...] = ()


def ratio(numerator: Any, denominator: Any) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    top, bottom = as_number(numerator), as_number(denominator)
    if top is None or bottom is None or bottom == 0:
        return None
    return top / bottom


def rate(won_key: str, lost_key: str) -> Callable[[Row], float | None]:
    """won / (won + lost) from a row's cells (blank cells count as 0, as in Excel)."""

    def derive(row: Row) -> float | None:
        won = as_number(row.get(won_key)) or 0.0
        lost = as_number(row.get(lost_key)) or 0.0
        return ratio(won, won + lost)

    return derive


def rate_col(key: str, header: str, won: str, lost: str, total: str | None = None) -> Col:
    """A win-rate column: a live won/(won+lost) formula over the row, with its value."""
    return Col(
        key, header, PCT, formula=rate_formula(won, lost), derive=rate(won, lost), total=total
    )


def share_col(key: str, header: str, part: str, whole: str, total: str | None = None) -> Col:
    """A part ÷ whole column (attainment, coverage): live formula, blank without a whole."""
    return Col(
        key,
        header,
        PCT,
        formula=share_formula(part, whole),
        derive=lambda r: ratio(r.get(part), r.get(whole)),
        total=total,
    )


def rate_formula(won: str, lost: str) -> str:
    return f'IF({{{won}}}+{{{lost}}}=0,"",{{{won}}}/({{{won}}}+{{{lost}}}))'


def share_formula(part: str, whole: str) -> str:
    """part / whole, blank when whole is blank or zero (attainment, coverage)."""
    return f'IF(OR({{{whole}}}="",{{{whole}}}=0),"",{{{part}}}/{{{whole}}})'


def same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def formula_value(col: Col, row: Row) -> tuple[bool, float | None]:
    """(write as formula?, value): the reported value when the formula agrees with it."""
    derived = col.derive(row) if col.derive else None
    if col.key not in row:
        return True, derived
    if isinstance(row[col.key], Unknown):  # "—": no formula could say it
        return False, row[col.key]
    reported = as_number(row[col.key])
    if col.derive is None or same_value(reported, derived):
        return True, reported
    return False, reported


def write_rows(
    ws: Worksheet,
    cells: Cells,
    top: int,
    columns: Sequence[Col],
    rows: Sequence[Row],
    *,
    left: int = 0,
    totals: bool = False,
    directional_key: str | None = None,
    widths: Sequence[int] | None = None,
    spec: Table | None = None,
) -> tuple[int, list[int]]:
    """Write a header at ``top``, then rows, then an optional totals row (``spec`` gives
    the core's totals, and the rows they cover).

    Column widths are fitted to the content first (or taken from ``widths``) so rows with
    wrapped text get the height they need: LibreOffice does not re-fit heights on load.
    Returns the row after the table and each column's width.
    """
    money = cells.styles.money
    # a formula column's (as formula?, value) per row, decided once for widths and cells
    decided = {
        j: [formula_value(col, row) for row in rows]
        for j, col in enumerate(columns)
        if col.formula is not None
    }
    fitted = list(widths) if widths is not None else fit_widths(columns, rows, money, decided)
    header_fmt = cells.styles.named("header")
    for j, col in enumerate(columns):
        cells.text(ws, top, left + j, col.header, fmt=header_fmt, header=col.header)
    where = {c.key: left + j for j, c in enumerate(columns)}
    # each plain column's writer is chosen once (its type, its formats), not once per cell
    writers = [
        cells.writer(ws, c.kind, header=c.header) if c.formula is None else None for c in columns
    ]
    formulas = {j: _template(columns[j].formula or "", where) for j in decided}
    # the columns a directional row greys (all of them unless the table names some)
    greyed = [
        spec is None or not spec.directional_cols or col.key in spec.directional_cols
        for col in columns
    ]
    # per column, in order (the order cells are written decides the shared strings' order)
    plan = [
        (j, left + j, col, writers[j], col.kind == TEXT, greyed[j]) for j, col in enumerate(columns)
    ]
    for i, row in enumerate(rows):
        r = top + 1 + i
        flagged = bool(directional_key) and truthy(row.get(directional_key or ""))
        lines = 1
        for j, c, col, write, text, grey in plan:
            if write is None:
                done, value = decided[j][i]
                _formula_cell(ws, cells, r, c, col, done, value, formulas[j], flagged and grey)
                continue
            value = row.get(col.key)
            write(r, c, value, flagged and grey)
            if text and value is not None:
                shown = value if type(value) is str else None if is_missing(value) else str(value)
                if shown is not None and wraps(shown):  # else wrapped_lines would say 1
                    lines = max(lines, wrapped_lines(shown, fitted[j]))
        if lines > 1:
            ws.set_row(r, ROW_HEIGHT * lines)
    end = top + 1 + len(rows)
    if totals and rows:
        for j, width in _write_totals(ws, cells, end, top + 1, columns, rows, where, left, spec):
            if widths is None:
                fitted[j] = min(WIDTH_CAP, max(fitted[j], width))
        end += 1
    return end, fitted


def fit_widths(
    columns: Sequence[Col],
    rows: Sequence[Row],
    money: str,
    decided: Mapping[int, Sequence[tuple[bool, float | None]]] | None = None,
) -> list[int]:
    """Each column's width: its widest value or header word, within [WIDTH_MIN, WIDTH_CAP].

    ``decided`` holds the formula columns' values already worked out (by column index).
    """
    widths = [header_width(c) for c in columns]
    for j, col in enumerate(columns):
        if col.formula:
            known = (decided or {}).get(j) or [formula_value(col, row) for row in rows]
            values = [value for _, value in known]
        else:
            values = [row.get(col.key) for row in rows]
        widths[j] = max(widths[j], widest(values, col.kind, money) + 2)
    # 10 % slack: a reader without Calibri (LibreOffice's DejaVu fallback) is wider.
    return [min(WIDTH_CAP, max(WIDTH_MIN, math.ceil(w * 1.1))) for w in widths]


def widest(values: Sequence[Any], kind: str, money: str) -> int:
    """The largest :func:`display_width` of a column's values, without formatting each one.

    A number's formatted length never shrinks as its magnitude grows (the format has fixed
    decimals and rounds monotonically), so only the largest and the smallest number of
    the column are formatted; text is measured by its length, line by line only when it
    has several lines.
    """
    if kind == TEXT:
        most = 0
        for value in values:
            if type(value) is str and _LINE_BREAK.search(value) is None:
                most = max(most, len(value))
            else:
                most = max(most, display_width(value, kind, money))
        return most
    if kind in (DATE, BOOL):
        return max((display_width(v, kind, money) for v in values), default=0)
    numbers = [float(v) for v in values if not is_missing(v)]
    if not numbers:
        return 0
    low, high = min(numbers), max(numbers)
    extremes = [low, high]
    if low == 0.0 and any(v == 0.0 and math.copysign(1.0, v) < 0 for v in numbers):
        extremes.append(-0.0)  # formats as "-0.0%": one character wider than 0
    return max(display_width(v, kind, money) for v in extremes)


# What str.splitlines() splits on: a text with none of these is one line of its length.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def header_width(col: Col) -> int:
    """Width a header asks for: it wraps, so only its longest word must fit on a line."""
    longest = max((len(w) for w in col.header.split()), default=0)
    wanted = min(len(col.header), 18 if col.kind == TEXT else 9)
    return max(longest, wanted) + 2  # + room for the filter button


def header_lines(columns: Sequence[Col], widths: Sequence[int]) -> int:
    """Lines the tallest wrapped header needs at the given widths (greedy word wrap)."""
    most = 1
    for col, width in zip(columns, widths, strict=False):
        room, lines, used = max(1, width - 1), 1, 0
        for word in col.header.split():
            if used and used + 1 + len(word) > room:
                lines, used = lines + 1, len(word)
            else:
                used += len(word) + (1 if used else 0)
        most = max(most, lines)
    return most


def _refs(where: Mapping[str, int], r: int) -> dict[str, str]:
    return {key: xl_rowcol_to_cell(r, c) for key, c in where.items()}


def _template(formula: str, where: Mapping[str, int]) -> Callable[[int], str]:
    """A row formula's text for any row: ``{won}`` becomes that row's cell of column
    ``won`` (what ``formula.format(**_refs(where, r))`` gives, without a reference for
    every column of the table per cell)."""
    pieces = [
        (literal, xl_col_to_name(where[key]) if key is not None else "")
        for literal, key, _spec, _conversion in Formatter().parse(formula)
    ]

    def at(r: int) -> str:
        number = str(r + 1)
        return "=" + "".join(lit + (col + number if col else "") for lit, col in pieces)

    return at


def _formula_cell(
    ws: Worksheet,
    cells: Cells,
    r: int,
    c: int,
    col: Col,
    as_formula: bool,
    value: float | None,
    formula: Callable[[int], str],
    directional: bool,
) -> None:
    """One formula column's cell: the live formula with its value, or the value alone
    (see :func:`formula_value`)."""
    if isinstance(value, Unknown) or not as_formula:
        cells.put(ws, r, c, value, col.kind, header=col.header, directional=directional)
    else:
        cells.formula(ws, r, c, formula(r), col.kind, value, directional=directional)


def _write_totals(
    ws: Worksheet,
    cells: Cells,
    r: int,
    first: int,
    columns: Sequence[Col],
    rows: Sequence[Row],
    where: Mapping[str, int],
    left: int,
    spec: Table | None = None,
) -> list[tuple[int, int]]:
    """The totals row: SUBTOTALs over the data rows (SUMIFs over the rows of one value when
    ``spec.totals_of`` is set), and formula columns over the totals. The values stored are
    the core's when ``spec.totals_values`` has them."""
    last = r - 1
    values: dict[str, float | None] = {}
    widths: list[tuple[int, int]] = []
    core = dict(spec.totals_values or {}) if spec else {}
    only = spec.totals_of if spec else None

    def span(key: str) -> str:
        letter = xl_col_to_name(where[key])
        return f"{letter}{first + 1}:{letter}{last + 1}"

    def summed(key: str) -> str:
        if only is None:
            return f"=SUBTOTAL(109,{span(key)})"
        return f'=SUMIF({span(only[0])},"{only[1]}",{span(key)})'

    for col in columns:
        if col.total == "sum":
            values[col.key] = sum(
                as_number(row.get(col.key)) or 0.0
                for row in rows
                if only is None or row.get(only[0]) == only[1]
            )
        elif col.total and col.total.startswith("count:"):
            key = col.total.split(":", 1)[1]
            values[col.key] = float(sum(1 for row in rows if filled(row.get(key))))
        elif col.total and col.total.startswith("complete:"):
            # a sum only when every row has a number: one unknown makes the total "—"
            key = col.total.split(":", 1)[1]
            known = [as_number(row.get(col.key)) for row in rows if filled(row.get(key))]
            complete = all(v is not None for v in known)
            values[col.key] = sum(v or 0.0 for v in known) if complete else Unknown()
        if col.key in core and col.total and col.total != "text":
            values[col.key] = as_number(core[col.key])
    for j, col in enumerate(columns):
        c = left + j
        if isinstance(core.get(col.key), Unknown):  # the core's total is "—", not a sum
            cells.put(ws, r, c, core[col.key], col.kind, total=True)
            continue
        if j == 0:
            label = spec.totals_label if spec else "Total"
            cells.text(ws, r, c, label, total=True)
            widths.append((j, len(label) + 2))
            continue
        if col.total == "sum":
            formula, value = summed(col.key), values[col.key]
        elif col.total and col.total.startswith("count:"):
            formula, value = f"=SUBTOTAL(103,{span(col.total.split(':', 1)[1])})", values[col.key]
        elif col.total and col.total.startswith("complete:"):
            # filter-aware: "—" while a visible row (counted in column <key>) has no number
            own, rows_of = span(col.key), span(col.total.split(":", 1)[1])
            formula = f'=IF(SUBTOTAL(102,{own})<SUBTOTAL(103,{rows_of}),"—",SUBTOTAL(109,{own}))'
            value = values[col.key]
        elif col.total == "text" and filled(core.get(col.key)):  # the core's words (a reason)
            cells.text(ws, r, c, str(core[col.key]), total=True)
            continue
        elif col.total == "formula" and col.formula and col.derive:
            formula = "=" + col.formula.format(**_refs(where, r))
            value = values[col.key] if col.key in values else col.derive(values)
        else:
            cells.put(ws, r, c, None, col.kind, total=True)
            continue
        kind = col.total_kind or col.kind
        cells.formula(ws, r, c, formula, kind, value, total=True)
        widths.append((j, display_width(value, kind, cells.styles.money) + 2))
    return widths


def filled(value: Any) -> bool:
    """True when a cell would be non-blank (what COUNTA/SUBTOTAL 103 counts)."""
    return not is_missing(value) and value != ""


def setup_sheet(
    ws: Worksheet,
    header_row: int,
    widths: Sequence[int],
    *,
    paper: int,
    footer_label: str,
    landscape: bool = True,
    columns: Sequence[Col] = (),
    one_page: bool = False,
) -> None:
    """Column widths, print set-up (fit to width, repeated header) and a page footer."""
    for j, width in enumerate(widths):
        ws.set_column(j, j, width)
    if columns:
        ws.set_row(header_row, ROW_HEIGHT * header_lines(columns, widths) + 2)
    if landscape:
        ws.set_landscape()
    ws.set_paper(paper)
    if one_page:
        ws.fit_to_pages(1, 1)
    else:
        # A landscape page holds ~150 character widths at 100 %; a much wider table
        # prints across pages, each repeating the header row and the first column.
        wide = min(3, math.ceil(sum(widths) / PAGE_WIDTH))
        ws.fit_to_pages(max(1, wide), 0)
        ws.repeat_rows(header_row)
        if wide > 1:
            ws.repeat_columns(0)
        ws.hide_gridlines(0)  # print gridlines too: the PDF/paper copy stays readable
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(f"&L{_escape_hf(ws.get_name())}&C{_escape_hf(footer_label)}&RPage &P of &N")


def _escape_hf(text: str) -> str:
    return text.replace("&", "&&")


def write_table_sheets(
    workbook: Workbook,
    cells: Cells,
    table: Table,
    taken: set[str],
    *,
    paper: int,
    footer_label: str,
    max_rows: int = EXCEL_MAX_ROWS,
) -> list[Worksheet]:
    """Write ``table`` on its own sheet (header frozen, autofilter), continued if too long."""
    per_sheet = max(1, max_rows - 1 - (1 if table.totals else 0))
    chunks = [table.rows[i : i + per_sheet] for i in range(0, len(table.rows), per_sheet)] or [[]]
    sheets = []
    for n, chunk in enumerate(chunks):
        name = sheet_name(table.sheet if n == 0 else f"{table.sheet} ({n + 1})", taken)
        taken.add(name)
        ws = workbook.add_worksheet(name)
        sheets.append(ws)
        columns = table.columns
        _end, widths = write_rows(
            ws,
            cells,
            0,
            columns,
            chunk,
            totals=table.totals,
            directional_key=table.directional_key,
            spec=table,
        )
        last_data = max(1, len(chunk))
        ws.autofilter(0, 0, last_data, len(columns) - 1)
        ws.freeze_panes(1, 0)
        setup_sheet(ws, 0, widths, paper=paper, footer_label=footer_label, columns=columns)
        if not chunk:
            cells.text(ws, 1, 0, "(none)", fmt=cells.styles.named("note"))
        if len(chunks) > 1:
            cells.note(
                name,
                f"{table.sheet}: {len(table.rows):,} rows do not fit on one sheet",
                f"rows {n * per_sheet + 1:,}-{n * per_sheet + len(chunk):,} on sheet {name!r}"
                + ("; totals are per sheet" if table.totals else ""),
            )
    return sheets
