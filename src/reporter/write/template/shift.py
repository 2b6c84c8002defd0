"""Insert rows into a template sheet the way Excel would, and then some.

openpyxl's ``insert_rows`` only moves cells. A finance template also has formulas, defined
names, Excel tables, charts, merged cells, conditional formats, validations, images and
row heights that point at those rows. :func:`insert_rows` moves all of them, and *extends*
every range that ends on the table's last row, so ``SUM(B5:B5)`` under a one-row anchor
becomes ``SUM(B5:B40)`` once 36 rows are filled in (Excel would leave it as ``B5:B5``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import quote_sheetname, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

MAX_ROW = 1_048_576
_SHEET = r"(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!:]+))!"
_REF = re.compile(rf"^(?:{_SHEET})?(?P<ref>[^!]+)$")
_CELL = re.compile(r"^(\$?[A-Za-z]{1,3})(\$?)(\d+)$")
_ROWS = re.compile(r"^(\$?)(\d+):(\$?)(\d+)$")


class CannotMove(Exception):
    """Something below the table cannot be moved down (the message says what)."""


@dataclass(frozen=True)
class Shift:
    """``count`` rows inserted after row ``after`` of sheet ``sheet``."""

    sheet: str
    after: int
    count: int

    def start(self, row: int) -> int:
        """Where a range's first row (or a single cell's row) goes."""
        return row + self.count if row > self.after else row

    def end(self, row: int) -> int:
        """Where a range's last row goes: a range ending on the table's row grows with it."""
        return row + self.count if row >= self.after else row


def _cell(text: str, row_of: Callable[[int], int]) -> str:
    m = _CELL.match(text)
    if not m:
        return text
    return f"{m.group(1)}{m.group(2)}{row_of(int(m.group(3)))}"


def shift_ref(ref: str, shift: Shift, home: str, grow: bool = False) -> str:
    """One reference (``B5``, ``$A$5:$D$5``, ``'P&L'!B5:B9``, ``5:9``) after the shift.

    ``home`` is the sheet an unqualified reference is on. Names and table references are
    returned unchanged (tables are moved by :func:`insert_rows` itself). With ``grow``, a
    single cell on the table's row is a one-row range and grows with it: a chart series or
    defined name over a one-row table means the whole table (a formula's ``=B5`` does not).
    """
    m = _REF.match(ref)
    if not m:
        return ref
    sheet = m.group("quoted")
    sheet = sheet.replace("''", "'") if sheet is not None else m.group("plain")
    if (sheet if sheet is not None else home) != shift.sheet:
        return ref
    body = m.group("ref")
    prefix = ref[: len(ref) - len(body)]
    rows = _ROWS.match(body)
    if rows:
        a, r1, b, r2 = rows.groups()
        return f"{prefix}{a}{shift.start(int(r1))}:{b}{shift.end(int(r2))}"
    if ":" in body:
        first, _, last = body.partition(":")
        if _CELL.match(first) and _CELL.match(last):
            return f"{prefix}{_cell(first, shift.start)}:{_cell(last, shift.end)}"
        return ref
    cell = _CELL.match(body)
    if grow and cell and int(cell.group(3)) == shift.after:
        return f"{prefix}{body}:{_cell(body, shift.end)}"
    return prefix + _cell(body, shift.start)


def shift_formula(formula: str, shift: Shift, home: str, grow: bool = False) -> str:
    """A formula (with or without ``=``) with every reference into the shifted sheet moved."""
    text = formula if formula.startswith("=") else "=" + formula
    try:
        tokens = Tokenizer(text)
    except Exception:  # openpyxl raises bare errors on odd formulas; leave those alone
        return formula
    changed = False
    for token in tokens.items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            new = shift_ref(token.value, shift, home, grow)
            changed |= new != token.value
            token.value = new
    if not changed:
        return formula
    out: str = tokens.render()
    return out if formula.startswith("=") else out[1:]


def _shift_range(ref: str, shift: Shift) -> str:
    """A plain range like ``A4:D5`` (no sheet) under the same start/end rule."""
    return shift_ref(ref, shift, shift.sheet)


def _check_movable(ws: Worksheet, shift: Shift) -> None:
    if ws.max_row + shift.count > MAX_ROW:
        raise CannotMove(
            f"{shift.count} more rows would push row {ws.max_row} past Excel's last row {MAX_ROW}"
        )
    for pivot in getattr(ws, "_pivots", []):
        ref = pivot.location.ref
        if range_boundaries(ref)[3] > shift.after:
            raise CannotMove(f"the pivot table {pivot.name!r} at {ref} is below the table")
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            value = cell.value
            if isinstance(value, ArrayFormula):
                top, bottom = range_boundaries(value.ref)[1], range_boundaries(value.ref)[3]
                if top <= shift.after < bottom:
                    raise CannotMove(f"the array formula at {value.ref} would be split")


def _shift_formulas(wb: Workbook, shift: Shift) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" and isinstance(value, str):
                    cell.value = shift_formula(value, shift, ws.title)
                elif isinstance(value, ArrayFormula) and value.text:
                    value.text = shift_formula(value.text, shift, ws.title)
                    if ws.title == shift.sheet:
                        value.ref = _shift_range(value.ref, shift)


def _shift_names(wb: Workbook, shift: Shift) -> None:
    scopes: list[tuple[Any, str]] = [(wb.defined_names, shift.sheet)]
    scopes += [(ws.defined_names, ws.title) for ws in wb.worksheets]
    for names, home in scopes:
        for defined in names.values():
            if defined.attr_text:
                defined.attr_text = shift_formula(defined.attr_text, shift, home, grow=True)


def _shift_sheet_parts(ws: Worksheet, shift: Shift) -> None:
    """Everything on the filled sheet that is addressed by rows, other than cells."""
    for table in ws.tables.values():
        table.ref = _shift_range(table.ref, shift)
        if table.autoFilter is not None and table.autoFilter.ref:
            table.autoFilter.ref = _shift_range(table.autoFilter.ref, shift)
    if ws.auto_filter.ref:
        ws.auto_filter.ref = _shift_range(ws.auto_filter.ref, shift)
    merged = []
    for rng in list(ws.merged_cells.ranges):
        ws.merged_cells.remove(rng)
        lo, hi = rng.min_row, rng.max_row
        # a merge ending on the table's row is layout beside it, not a range over it
        new_hi = hi + shift.count if hi > shift.after else hi
        merged.append(
            CellRange(
                min_col=rng.min_col, max_col=rng.max_col, min_row=shift.start(lo), max_row=new_hi
            ).coord
        )
    for coord in merged:
        ws.merge_cells(coord)
    _shift_conditional_formats(ws, shift)
    for validation in ws.data_validations.dataValidation:
        validation.sqref = " ".join(_shift_range(r.coord, shift) for r in validation.sqref.ranges)
    heights = {r: d.height for r, d in ws.row_dimensions.items() if r > shift.after and d.height}
    for r in heights:
        ws.row_dimensions[r].height = None
    for r, height in heights.items():
        ws.row_dimensions[r + shift.count].height = height
    template_height = ws.row_dimensions[shift.after].height
    if template_height:
        for r in range(shift.after + 1, shift.after + shift.count + 1):
            ws.row_dimensions[r].height = template_height
    if ws.print_area:
        ws.print_area = [_shift_range(a.split("!")[-1], shift) for a in ws.print_area.split(",")]


def _shift_conditional_formats(ws: Worksheet, shift: Shift) -> None:
    old = ws.conditional_formatting
    rules = [(cf.sqref, cf.rules) for cf in old]
    old._cf_rules.clear()
    for sqref, cf_rules in rules:
        coords = " ".join(_shift_range(r.coord, shift) for r in sqref.ranges)
        for rule in cf_rules:
            rule.formula = [shift_formula(f, shift, ws.title) for f in rule.formula]
            old.add(coords, rule)


def _shift_drawings(wb: Workbook, shift: Shift) -> None:
    """Charts and images: move those anchored below; repoint every chart's series."""
    for ws in wb.worksheets:
        for drawing in [*ws._charts, *ws._images]:
            if ws.title == shift.sheet:
                _move_anchor(drawing, shift)
        for chart in ws._charts:
            # a chart's _charts holds itself first, then any charts combined with it
            for part in {id(c): c for c in [chart, *getattr(chart, "_charts", [])]}.values():
                for series in part.series:
                    _shift_series(series, shift, ws.title)


def _move_anchor(drawing: Any, shift: Shift) -> None:
    anchor = drawing.anchor
    if isinstance(anchor, str):
        drawing.anchor = _cell(anchor, shift.start)
        return
    start = getattr(anchor, "_from", None)
    # anchor rows are 0-based: a drawing starting below the table's row moves down
    if start is not None and start.row + 1 > shift.after:
        start.row += shift.count
        end = getattr(anchor, "to", None)
        if end is not None:
            end.row += shift.count


def _shift_series(series: Any, shift: Shift, home: str) -> None:
    refs = [series.tx.strRef if series.tx is not None else None]
    for name in ("cat", "val", "xVal", "yVal", "bubbleSize"):
        source = getattr(series, name, None)
        if source is not None:
            refs += [getattr(source, kind, None) for kind in ("numRef", "strRef", "multiLvlStrRef")]
    for ref in refs:
        if ref is None or not ref.f:
            continue
        ref.f = shift_formula(ref.f, shift, home, grow=ref is not refs[0])
        # the cached points are the template's; Excel and LibreOffice re-read the range
        for cache in ("numCache", "strCache", "multiLvlStrCache"):
            if hasattr(ref, cache):
                setattr(ref, cache, None)


def insert_rows(wb: Workbook, ws: Worksheet, after: int, count: int) -> None:
    """Insert ``count`` rows below row ``after`` of ``ws``, moving and extending references.

    Raises :class:`CannotMove` (before changing anything) when something below cannot move.
    """
    if count <= 0:
        return
    shift = Shift(ws.title, after, count)
    _check_movable(ws, shift)
    ws.insert_rows(after + 1, count)
    _shift_formulas(wb, shift)
    _shift_names(wb, shift)
    _shift_sheet_parts(ws, shift)
    _shift_drawings(wb, shift)


def sheet_ref(ws: Worksheet, ref: str) -> str:
    """``ref`` qualified with its sheet, as a defined name or chart stores it."""
    return f"{quote_sheetname(ws.title)}!{ref}"
