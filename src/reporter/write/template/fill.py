"""Fill finance's own Excel template with the figures of metrics.json (openpyxl only).

A cell holding ``{{ headline.won_amount }}`` gets the figure (a number stays a number, so
the template's number format and formulas apply); text around a placeholder makes the
cell text (``"Sales {{ period.label }}"``). A cell holding ``{{ table: rep_bonuses | … }}``
— or an Excel table or defined name called ``rep_bonuses`` — receives the rows: rows are
inserted below so what is under the table moves down, and every formula, defined name,
Excel table, chart series and conditional format that covers the table's row grows with
it (:mod:`reporter.write.template.shift`). The rest of the workbook (styles, charts,
names, print set-up) is kept as it is.

Everything is checked before anything is written: an unknown name, filter or column is a
:class:`~reporter.errors.TemplateError` naming the file, sheet and cell, with the valid
names near the typo.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from reporter.errors import TemplateError
from reporter.files import atomic_path
from reporter.write.template import names
from reporter.write.template.shift import CannotMove, insert_rows

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_TABLE = re.compile(r"^\s*table\s*:(.*)$", re.DOTALL | re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MISSING = "—"  # a figure metrics.json does not have is shown as missing, never as 0
NO_ROWS = "(no rows)"


@dataclass
class Anchor:
    """Where a table goes: sheet, first body row and column, rows already in the body."""

    ws: Worksheet
    row: int
    col: int
    body_rows: int
    spec: names.TableSpec
    where: str  # "cell B5", "Excel table rep_bonuses", "defined name rep_bonuses"
    columns: list[str] | None = None  # data column per sheet column, from matched headers
    formula_cols: tuple[int, ...] = ()  # body columns whose formula is filled down


@dataclass(frozen=True)
class Filled:
    """What a fill did, for the CLI's summary line."""

    placeholders: int
    tables: dict[str, int]  # table name → rows written


def _error(
    template: Path, ws: Worksheet | None, where: str, message: str, hint: str
) -> TemplateError:
    place = f"{template.name}" + (f", sheet {ws.title!r}" if ws is not None else "")
    return TemplateError(f"{place}, {where}: {message}", hint=hint)


def _load(template: Path) -> Workbook:
    if template.suffix.lower() != ".xlsx":
        raise TemplateError(
            f"template {template}: only .xlsx templates can be filled, not {template.suffix!r}",
            hint="save the template as Excel Workbook (.xlsx) and point [workbook] template at it",
        )
    try:
        return openpyxl.load_workbook(template)
    except FileNotFoundError:
        raise TemplateError(
            f"template {template} not found",
            hint="check [workbook] template (a relative path is relative to the config file)",
        ) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TemplateError(
            f"template {template} cannot be read as an Excel workbook ({exc})",
            hint="open it in Excel and save it again as .xlsx",
        ) from None


def _norm(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def _typed(value: Any) -> Any:
    """A metrics.json value as a cell value: dates as dates, missing as "—"."""
    if value is None:
        return MISSING
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, list | dict):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return value


def _as_text(value: Any) -> str:
    """A value inside text: counts with separators, other numbers to 2 places."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(_typed(value))


def _interpolate(text: str, values: list[Any], header: bool = False) -> str:
    """``text`` with its placeholders, in order, replaced by ``values`` as text.

    In a print header or footer ``&`` starts a code, so a figure's own ``&`` is doubled.
    """
    texts = iter([_as_text(v).replace("&", "&&") if header else _as_text(v) for v in values])
    return PLACEHOLDER.sub(lambda _m: next(texts), text)


def _put(cell: Cell, value: Any) -> None:
    """Write ``value``; text is always text, even when it starts with ``=``."""
    value = _typed(value)
    cell.value = value
    if isinstance(value, str):
        # a rep called "=HYPERLINK(…)" must stay a name, not become a live formula
        cell.data_type = "s"
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True
    elif isinstance(value, dt.date) and cell.number_format == "General":
        cell.number_format = "yyyy-mm-dd"


def _scan(
    template: Path, wb: Workbook, metrics: Mapping[str, Any]
) -> tuple[list[tuple[Cell, Any]], list[Anchor]]:
    """Every scalar placeholder (resolved) and every table anchor, checked, nothing written."""
    scalars: list[tuple[Cell, Any]] = []
    anchors: list[Anchor] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or "{{" not in cell.value:
                    continue
                where = f"cell {cell.coordinate}"
                text = cell.value
                if text.count("{{") != len(PLACEHOLDER.findall(text)):
                    raise _error(
                        template,
                        ws,
                        where,
                        f"unclosed placeholder in {text!r}",
                        "close it with }}, e.g. {{ period.label }}",
                    )
                found = PLACEHOLDER.findall(text)
                table = [m for m in found if _TABLE.match(m)]
                if table:
                    if PLACEHOLDER.sub("", text).strip() or len(found) > 1:
                        raise _error(
                            template,
                            ws,
                            where,
                            f"a table placeholder must be alone in its cell: {text!r}",
                            "put {{ table: … }} in a cell of its own, where the first row goes",
                        )
                    spec = _spec(template, ws, where, _TABLE.match(table[0])[1], metrics)  # type: ignore[index]
                    anchors.append(Anchor(ws, cell.row, cell.column, 1, spec, where))
                    continue
                try:
                    values = [_figure(metrics, m) for m in found]
                except names.NameError_ as exc:
                    raise _error(template, ws, where, exc.message, exc.hint) from None
                if PLACEHOLDER.fullmatch(text.strip()):
                    scalars.append((cell, values[0]))
                else:
                    scalars.append((cell, _interpolate(text, values)))
    anchors += _named_anchors(template, wb, metrics)
    for anchor in anchors:
        _check_columns(template, anchor, metrics)
    _check_overlaps(template, anchors)
    return scalars, anchors


_PARTS = {"left": "left", "center": "centre", "right": "right"}


def _print_texts(template: Path, wb: Workbook, metrics: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """Placeholders in the print headers and footers, resolved (e.g. "&C{{ period.label }}")."""
    out: list[tuple[Any, str]] = []
    for ws in wb.worksheets:
        for kind in (
            "oddHeader",
            "oddFooter",
            "evenHeader",
            "evenFooter",
            "firstHeader",
            "firstFooter",
        ):
            block = getattr(ws, kind)
            for part, word in _PARTS.items():
                item = getattr(block, part)
                if not item.text or "{{" not in item.text:
                    continue
                where = f"print {'header' if 'Header' in kind else 'footer'} ({word})"
                found = PLACEHOLDER.findall(item.text)
                try:
                    values = [_figure(metrics, m) for m in found]
                except names.NameError_ as exc:
                    raise _error(template, ws, where, exc.message, exc.hint) from None
                out.append((item, _interpolate(item.text, values, header=True)))
    return out


def _figure(metrics: Mapping[str, Any], name: str) -> Any:
    """The single figure at ``name``: a group or a table is not one figure."""
    value = names.lookup(metrics, name)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{name.strip()}.{k}" for k in list(value)[:8])
        raise names.NameError_(f"{name.strip()!r} is a group of figures", f"name one: {inner}")
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        raise names.NameError_(
            f"{name.strip()!r} is a table",
            f"use {{{{ table: {name.strip()} }}}} for all rows, or {name.strip()}.0.COLUMN for one",
        )
    return value


def _spec(
    template: Path, ws: Worksheet, where: str, text: str, metrics: Mapping[str, Any]
) -> names.TableSpec:
    try:
        return names.parse_table(text, metrics)
    except names.NameError_ as exc:
        raise _error(template, ws, where, exc.message, exc.hint) from None


def _named_anchors(template: Path, wb: Workbook, metrics: Mapping[str, Any]) -> list[Anchor]:
    """Excel tables and workbook defined names called like a metrics table."""
    known = set(names.table_names(metrics))
    out: list[Anchor] = []
    for ws in wb.worksheets:
        for table in ws.tables.values():
            if table.name not in known:
                continue
            c1, r1, _c2, r2 = range_boundaries(table.ref)
            header = 1 if table.headerRowCount is None else table.headerRowCount
            body = r2 - r1 + 1 - header - (table.totalsRowCount or 0)
            where = f"Excel table {table.name} ({table.ref})"
            spec = names.TableSpec(name=table.name)
            out.append(Anchor(ws, r1 + header, c1, max(body, 1), spec, where))
    for name, defined in wb.defined_names.items():
        if name not in known:
            continue
        dests = list(defined.destinations)
        if len(dests) != 1 or dests[0][0] not in wb.sheetnames:
            raise _error(
                template,
                None,
                f"defined name {name}",
                "does not refer to one range on one sheet",
                f"make {name} refer to the cells where the table's first row goes",
            )
        sheet, ref = dests[0]
        c1, r1, _c2, r2 = range_boundaries(ref.replace("$", ""))
        out.append(
            Anchor(
                wb[sheet], r1, c1, r2 - r1 + 1, names.TableSpec(name=name), f"defined name {name}"
            )
        )
    return out


def _check_columns(template: Path, anchor: Anchor, metrics: Mapping[str, Any]) -> None:
    """Decide which data column goes in which sheet column; formula columns fill down."""
    try:
        columns, _rows = names.rows_of(metrics, anchor.spec)
    except names.NameError_ as exc:
        raise _error(template, anchor.ws, anchor.where, exc.message, exc.hint) from None
    if anchor.spec.columns:
        anchor.columns = list(anchor.spec.columns)
        return
    ws, head = anchor.ws, anchor.row - 1
    by_norm = {_norm(c): c for c in columns}
    headers: list[tuple[int, Any]] = []
    col = anchor.col
    while head >= 1 and ws.cell(head, col).value not in (None, ""):
        headers.append((col, ws.cell(head, col).value))
        col += 1
    matched = [by_norm.get(_norm(h)) for _c, h in headers]
    if not any(matched):
        anchor.columns = columns
        return
    mapped: list[str] = []
    formulas: list[int] = []
    for (col, header), column in zip(headers, matched, strict=True):
        body = ws.cell(anchor.row, col)
        if body.data_type == "f":
            formulas.append(col)
            mapped.append("")
        elif column is None:
            raise _error(
                template,
                ws,
                f"cell {get_column_letter(col)}{head}",
                f"column header {header!r} above {anchor.where} matches no column"
                f" of {anchor.spec.name!r}",
                f"rename it to one of: {', '.join(columns)} — or put a formula in the row below it",
            )
        else:
            mapped.append(column)
    anchor.columns = mapped
    anchor.formula_cols = tuple(formulas)


def _check_overlaps(template: Path, anchors: list[Anchor]) -> None:
    """Two tables growing in the same rows of a sheet would tear each other apart."""
    seen: dict[tuple[str, int], Anchor] = {}
    for anchor in anchors:
        for r in range(anchor.row, anchor.row + anchor.body_rows):
            other = seen.get((anchor.ws.title, r))
            if other is not None and other.where != anchor.where:
                raise _error(
                    template,
                    anchor.ws,
                    anchor.where,
                    f"shares row {r} with {other.where}: rows inserted for one would split"
                    " the other",
                    "put tables that grow under one another (or on separate sheets),"
                    " not side by side",
                )
            seen[(anchor.ws.title, r)] = anchor


def _fill_table(template: Path, wb: Workbook, anchor: Anchor, metrics: Mapping[str, Any]) -> int:
    ws = anchor.ws
    _columns, rows = names.rows_of(metrics, anchor.spec)
    columns = anchor.columns or _columns
    need = max(len(rows), 1)
    template_row = anchor.row
    last = ws.max_column
    formulas = {
        c: ws.cell(template_row, c).value
        for c in range(1, last + 1)
        if ws.cell(template_row, c).data_type == "f"
        and (c in anchor.formula_cols or not anchor.col <= c < anchor.col + len(columns))
    }
    extra = need - anchor.body_rows
    if extra > 0:
        try:
            insert_rows(wb, ws, anchor.row + anchor.body_rows - 1, extra)
        except CannotMove as exc:
            raise _error(
                template,
                ws,
                anchor.where,
                f"the table needs {extra} more rows but {exc}",
                "leave the rows below the table free of that, or move the table to its own sheet",
            ) from None
        _copy_row_look(
            ws, template_row, range(anchor.row + anchor.body_rows, anchor.row + need), last
        )
    for i in range(max(need, anchor.body_rows)):
        r = anchor.row + i
        row = rows[i] if i < len(rows) else None
        for j, column in enumerate(columns):
            if not column:
                continue  # a formula column
            cell = ws.cell(r, anchor.col + j)
            if row is not None:
                _put(cell, row.get(column))
            else:
                cell.value = NO_ROWS if (i == 0 and j == 0 and not rows) else None
        if i:
            for c, formula in formulas.items():
                origin = f"{get_column_letter(c)}{template_row}"
                ws.cell(r, c).value = Translator(formula, origin).translate_formula(
                    f"{get_column_letter(c)}{r}"
                )
    return len(rows)


def _copy_row_look(ws: Worksheet, source: int, targets: range, last: int) -> None:
    """New rows look like the template's row: styles and horizontal merges."""
    styles = {c: copy.copy(ws.cell(source, c)._style) for c in range(1, last + 1)}
    merges = [m for m in ws.merged_cells.ranges if m.min_row == m.max_row == source]
    for r in targets:
        for c, style in styles.items():
            ws.cell(r, c)._style = copy.copy(style)
        for m in merges:
            ws.merge_cells(start_row=r, end_row=r, start_column=m.min_col, end_column=m.max_col)


def fill_template(template: Path, metrics: Mapping[str, Any], out: Path) -> Filled:
    """Fill ``template`` with ``metrics`` (metrics.json as a dict) and write it to ``out``.

    Raises :class:`TemplateError` naming file, sheet and cell for any unknown name or
    filter, a table that cannot grow, or a template that is not an .xlsx workbook.
    """
    template = Path(template)
    wb = _load(template)
    scalars, anchors = _scan(template, wb, metrics)
    print_texts = _print_texts(template, wb, metrics)
    for item, text in print_texts:
        item.text = text
    for cell, value in scalars:
        _put(cell, value)
    written: dict[str, int] = {}
    # bottom-up per sheet: rows inserted for a lower table never move a higher anchor
    for anchor in sorted(anchors, key=lambda a: (a.ws.title, -a.row)):
        written[anchor.spec.name] = _fill_table(template, wb, anchor, metrics)
    with atomic_path(Path(out)) as tmp:
        wb.save(tmp)
    return Filled(placeholders=len(scalars), tables=written)
