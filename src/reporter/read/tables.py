"""A raw sheet → a classified table of data rows with parsed column values.

Finds the header row, decides what the sheet is (opportunities, accounts, reps, targets),
skips blank, totals and note rows (reporting the ones a reader would want to know about),
and parses every mapped column: text, amounts, dates, yes/no flags.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from reporter.errors import InputError, MissingColumn
from reporter.quality import Issue
from reporter.read import currency as money
from reporter.read import values as v
from reporter.read.coded import CodedColumn, CodedGrid
from reporter.read.columns import FAILED
from reporter.read.crm_objects import crm_object, user_columns
from reporter.read.dates import UndecidableDates, decide_orders, parse_timestamp
from reporter.read.headers import (
    ACCOUNT_ID,
    AliasIndex,
    find_header,
    header_names,
    map_columns,
)
from reporter.read.packed import packed
from reporter.read.raw import RawSheet
from reporter.read.recency import export_stamp
from reporter.vocabulary import TARGET_KEYS, normalise

OPPORTUNITIES, ACCOUNTS, REPS, TARGETS = "opportunities", "accounts", "reps", "targets"
AMOUNT_FIELDS = {
    "amount": "bad-amount",
    "target": "bad-target",
    "employees": "bad-number",
    money.ROW_RATE: "bad-number",
}
DATE_FIELDS = ("created_date", "close_date", "customer_since", "last_modified")
FLAG_FIELDS = ("is_won", "is_closed", "is_deleted")
# Fields a targets table may be keyed by, in the order they are preferred.
SEGMENT_FIELDS = tuple(d.source for d in TARGET_KEYS)
ACCOUNT_ATTRIBUTES = {"industry", "employees", "company_size", "customer_since"}
_TOTALS = re.compile(r"^\s*(grand\s*)?(sub\s*-?\s*)?totals?\b|^\s*(sum|count)\b", re.IGNORECASE)

# What to put in [columns] for each required field, for the MissingColumn hint.
_REQUIRED_EXAMPLES = {
    "owner": 'owner = "Sales Rep"',
    "close_date": 'close_date = "Closed On"',
    "stage": 'stage = "Deal Status"',
}


@dataclass
class Table:
    """One recognised table: its kind, where it is, and parsed values per canonical field."""

    kind: str
    raw: RawSheet
    headers: dict[str, str]  # canonical field → header as written
    rows: list[int] = field(default_factory=list)  # Excel/CSV row number per data row
    values: dict[str, list[Any]] = field(default_factory=dict)
    extras: dict[str, list[Any]] = field(default_factory=dict)  # extra dimension → text
    exported: datetime | None = None  # export date written in a title or footer line
    # Excel/CSV row number → the text of an amount cell read as no value ("n/a", "-"), so
    # the missing-amount issue can show what the cell said.
    amount_text: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Unrecognised:
    """A sheet that is not a table reporter uses, with the headers it had (for messages)."""

    raw: RawSheet
    headers: tuple[str, ...]


@dataclass(frozen=True)
class SetAside:
    """A CRM export of another object (stage history, line items, contacts…): not read."""

    raw: RawSheet
    what: str


@dataclass(frozen=True)
class UserTable:
    """A user / owner table: owner id → the person's name."""

    raw: RawSheet
    names: dict[str, str]


@dataclass(frozen=True)
class RatesTable:
    """An exchange-rates sheet or file (reporting units per unit; see read/currency.py)."""

    raw: RawSheet
    rates: tuple[money.Rate, ...]
    corporate: str | None


def classify(fields: set[str], segment_extras: Iterable[str] = ()) -> str | None:
    """What a table is, judged by its canonical columns (None: not one reporter uses)."""
    if ("stage" in fields or "is_won" in fields) and ({"owner", "close_date"} & fields):
        return OPPORTUNITIES
    if "owner" in fields and "close_date" in fields:
        return OPPORTUNITIES  # stage missing: check_required will say so
    if "target" in fields and (
        "owner" in fields or set(SEGMENT_FIELDS) & fields or any(segment_extras)
    ):
        return TARGETS
    data_loader_account = {"opportunity_id", "opportunity_name"} <= fields and bool(
        ACCOUNT_ATTRIBUTES & fields
    )
    if "account" in fields or ACCOUNT_ID in fields or data_loader_account:
        return ACCOUNTS
    if "owner" in fields:
        return REPS
    return None


def check_required(raw: RawSheet, colmap: dict[str, int], headers: list[str]) -> None:
    """Raise :class:`MissingColumn` unless owner, stage (or IsWon) and close date are there."""
    missing = [f for f in ("owner", "close_date") if f not in colmap]
    if "stage" not in colmap and "is_won" not in colmap:
        missing.insert(0, "stage")
    if not missing:
        return
    name = missing[0]
    label = "stage (or IsWon)" if name == "stage" else name.replace("_", " ")
    seen = ", ".join(headers[:20]) or "none"
    if len(headers) > 20:
        seen += f", … ({len(headers)} in all)"
    raise MissingColumn(
        f"{raw.where}: the opportunities table has no {label} column (headers seen: {seen})",
        hint=f"name the column in config.toml under [columns], e.g. {_REQUIRED_EXAMPLES[name]}",
    )


def read_table(
    raw: RawSheet,
    index: AliasIndex,
    extras: tuple[str, ...],
    issues: list[Issue],
    date_order: str | None = None,
) -> Table | Unrecognised | SetAside | UserTable | RatesTable | None:
    """Classify and extract one sheet. None for a sheet with no cells at all.

    ``date_order`` (``[periods] date_order``) reads date columns nothing in the file decides.
    """
    header_at = find_header(raw.rows, index)
    if header_at is None:
        return None
    header = raw.rows[header_at]
    other = _other_table(raw, header_at)
    if other is not None:
        return other
    colmap = map_columns(header, index)
    converted = _prefer_converted(colmap)
    extra_cols = _extra_columns(header, extras)
    kind = classify(set(colmap), extra_cols)
    if kind is None:
        return Unrecognised(raw, tuple(header_names(header)))
    if kind == OPPORTUNITIES:
        check_required(raw, colmap, header_names(header))
        if not converted:
            _row_rates(header, colmap)
    if kind == ACCOUNTS and "account" not in colmap and ACCOUNT_ID not in colmap:
        # A Salesforce Account export: its Id is the key opportunities' AccountId points at.
        colmap[ACCOUNT_ID] = colmap.pop("opportunity_id")
        colmap["account"] = colmap.pop("opportunity_name")
    headers = {f: str(header[c]).strip() for f, c in colmap.items()}
    table = Table(kind, raw, headers)
    columns = _extract(table, header_at, colmap, extra_cols, issues)
    table.exported = export_stamp(_lone_texts(raw, header_at, table.rows))
    # The cells now live in table.values; a full sheet's worth (a million rows) of raw
    # cell objects is about a gigabyte better released before the records are built.
    del raw.rows[header_at + 1 :]
    _parse(table, columns, issues, date_order)
    return table


@dataclass(frozen=True)
class SheetReader:
    """:func:`read_table` with a file's settings, as one picklable callable.

    It runs in the reader's child process (see read/guarded.py); a sheet that is not a
    table of data keeps only its name and place for the trip back.
    """

    index: AliasIndex
    extras: tuple[str, ...]
    date_order: str | None = None

    def __call__(
        self, raw: RawSheet, issues: list[Issue]
    ) -> Table | Unrecognised | SetAside | UserTable | RatesTable | None:
        result = read_table(raw, self.index, self.extras, issues, self.date_order)
        if not isinstance(result, Table):
            raw.rows, raw.row_numbers = [], []
        return result


def _lone_texts(raw: RawSheet, header_at: int, data_rows: list[int]) -> list[str]:
    """Rows holding one text cell outside the data: title block and footer lines."""
    outside = ~np.isin(np.asarray(raw.row_numbers, dtype=np.int64), data_rows)
    outside[header_at] = False
    out = []
    for i in np.flatnonzero(outside).tolist():
        filled = [c for c in raw.rows[i] if not v.is_blank(c)]
        if len(filled) == 1 and isinstance(filled[0], str):
            out.append(filled[0])
    return out


def _other_table(raw: RawSheet, header_at: int) -> SetAside | UserTable | RatesTable | None:
    """A user table, a rates table or another CRM object, recognised by its headers."""
    header = raw.rows[header_at]
    body = raw.rows[header_at + 1 :]
    users = user_columns(header)
    if users is not None:
        names: dict[str, str] = {}
        for row in body:
            key, name = v.clean_text(_cell(row, users.id)), users.display(row)
            if key is not None and name is not None:
                names.setdefault(key, name)
        return UserTable(raw, names)
    what = crm_object(header)
    if what is not None:
        return SetAside(raw, what)
    layout = money.rates_layout(header)
    if layout is not None:
        rates, corporate, _ = money.table_rates(layout, body, v.parse_date, v.parse_amount)
        if rates:
            return RatesTable(raw, tuple(rates), corporate)
    return None


def _prefer_converted(colmap: dict[str, int]) -> bool:
    """Salesforce's ``Amount (converted)`` (one currency) beats ``Amount`` (each deal's own).

    The converted amount takes its own currency column, never the original one. True when
    the table has a converted amount.
    """
    if "amount_converted" not in colmap:
        return False
    colmap["amount"] = colmap.pop("amount_converted")
    colmap.pop("currency", None)
    if "currency_converted" in colmap:
        colmap["currency"] = colmap.pop("currency_converted")
    return True


def _row_rates(header: list[Any], colmap: dict[str, int]) -> None:
    """Zoho CRM's per-row ``Exchange Rate`` beside ``Currency`` (see read/currency.py)."""
    if "currency" not in colmap or "amount" not in colmap:
        return
    for col, cell in enumerate(header):
        if normalise(cell) in money.ROW_RATE_HEADERS and col not in colmap.values():
            colmap[money.ROW_RATE] = col
            return


def _extra_columns(header: list[Any], extras: tuple[str, ...]) -> dict[str, int]:
    wanted = {normalise(name): name for name in extras}
    out: dict[str, int] = {}
    for col, cell in enumerate(header):
        name = wanted.get(normalise(cell))
        if name is not None and name not in out:
            out[name] = col
    return out


def _cell(row: list[Any], col: int) -> Any:
    return row[col] if col < len(row) else None


def _issue(
    table: Table, code: str, row: int, column: str | None, value: Any, **values: Any
) -> Issue:
    return Issue.make(
        code,
        file=table.raw.file,
        sheet=table.raw.sheet,
        row=row,
        column=column,
        value=value,
        **values,
    )


def _skip_reason(table: Table, row: list[Any], colmap: dict[str, int]) -> str | None:
    """``totals-row`` / ``note-row`` when the row is not a record, else None.

    A totals label often sits in the first column, which may be the id or owner column, so
    those cells may hold the label itself; a row with a stage is always a record.
    """
    if "stage" in colmap and not v.is_blank(_cell(row, colmap["stage"])):
        return None
    filled = [c for c in row if not v.is_blank(c)]
    texts = [c for c in filled if isinstance(c, str)]
    keys = [_cell(row, colmap[f]) for f in ("opportunity_id", "owner") if f in colmap]
    keys_are_labels = all(v.is_blank(c) or (isinstance(c, str) and _TOTALS.match(c)) for c in keys)
    if texts and _TOTALS.match(texts[0]) and keys_are_labels:
        return "totals-row"
    if table.kind == OPPORTUNITIES and len(filled) == 1 and texts and len(colmap) >= 3:
        return "note-row"
    return None


def _extract(
    table: Table,
    header_at: int,
    colmap: dict[str, int],
    extra_cols: dict[str, int],
    issues: list[Issue],
) -> dict[str, CodedColumn]:
    """Data rows → one coded column per field (no Python work per ordinary cell).

    Blank rows between data rows, totals and note rows, Excel errors and unsaved formulas
    are reported in the order a reader goes through the sheet: row by row, and within a row
    field by field; a blank row is reported when the next data row is reached. Extra
    dimensions are cleaned here; the fields are parsed by :func:`_parse`.
    """
    raw = table.raw
    start = header_at + 1
    body = raw.rows[start:]
    grid = CodedGrid(body)
    blank_cells = grid.blank_cells()
    blank: np.ndarray[Any, np.dtype[np.bool_]] = np.asarray(blank_cells.all(axis=1), dtype=bool)
    for i, col in raw.flags if raw.flags else ():
        if i >= start and col < max(len(body[i - start]), 1):
            blank[i - start] = False
    # Rows that are not blank and have no stage may be totals or notes: judged one by one.
    doubtful = ~blank
    if "stage" in colmap and colmap["stage"] < grid.width:
        doubtful &= blank_cells[:, colmap["stage"]]
    data = ~blank
    events: list[tuple[tuple[int, int, int], Issue]] = []
    for k in np.flatnonzero(doubtful).tolist():
        row = body[k]
        reason = _skip_reason(table, row, colmap)
        if reason is not None:
            data[k] = False
            text = next(str(c) for c in row if not v.is_blank(c))
            events.append(
                ((k, 0, k), _issue(table, reason, raw.row_numbers[start + k], None, text))
            )
    kept = np.flatnonzero(data)
    if kept.size:
        # A blank row inside the data is reported when the next data row is reached.
        inner = np.flatnonzero(blank[kept[0] : kept[-1]]) + kept[0]
        following = kept[np.searchsorted(kept, inner)]
        for b, d in zip(inner.tolist(), following.tolist(), strict=True):
            number = raw.row_numbers[start + b]
            events.append(((d, 0, b), _issue(table, "blank-row", number, None, None)))
    numbers = np.asarray(raw.row_numbers[start:], dtype=np.int64)[kept]
    table.rows = numbers.tolist()
    flags = _column_flags(raw.flags, start, kept)
    columns: dict[str, CodedColumn] = {}
    for order, (f, col) in enumerate(colmap.items()):
        column = grid.column(col, kept)
        header = table.headers[f]
        for at, (code, shown) in _bad_cells(column, flags.get(col, {})):
            column.null(at)
            where = (int(kept[at]), 1, order)
            events.append(
                (where, _issue(table, code, int(numbers[at]), header, shown, error=shown))
            )
        columns[f] = column
    events.sort(key=lambda event: event[0])
    issues.extend(issue for _, issue in events)
    table.extras = {name: _clean(grid.column(col, kept)) for name, col in extra_cols.items()}
    grid.release()
    return columns


def _column_flags(
    flags: dict[tuple[int, int], tuple[str, str]], start: int, kept: np.ndarray[Any, Any]
) -> dict[int, dict[int, tuple[str, str]]]:
    """Column → (position among the kept rows → flag), for the flagged cells of data rows."""
    if not flags:
        return {}
    position = {int(k): at for at, k in enumerate(kept.tolist())}
    out: dict[int, dict[int, tuple[str, str]]] = {}
    for (i, col), flag in flags.items():
        at = position.get(i - start)
        if at is not None:
            out.setdefault(col, {})[at] = flag
    return out


def _excel_error(cell: Any) -> bool:
    return cell.__class__ is str and "#" in cell and v.EXCEL_ERROR.match(cell.strip()) is not None


def _bad_cells(
    column: CodedColumn, flags: dict[int, tuple[str, str]]
) -> list[tuple[int, tuple[str, str]]]:
    """(position, (code, shown)) for each flagged cell or Excel error written as text."""
    errors = column.matching(_excel_error, among=column.grid.hashed)
    if not errors.any():
        return sorted(flags.items())
    found = dict(flags)
    cells = column.cells()
    for at in np.flatnonzero(errors).tolist():
        if at not in found:
            found[at] = ("excel-error", cells[at].strip())
    return sorted(found.items())


def _parse(
    table: Table,
    columns: dict[str, CodedColumn],
    issues: list[Issue],
    date_order: str | None = None,
) -> None:
    """Turn each column's cells into typed values, reporting cells that cannot be read."""
    currencies = _currencies(table, columns)
    orders = _date_orders(table, columns, date_order)
    for f, column in columns.items():
        header = table.headers[f]
        if f in AMOUNT_FIELDS:
            table.values[f] = _parse_amounts(table, header, column, AMOUNT_FIELDS[f], issues)
            if f == "amount":
                table.amount_text = _said_nothing(table, column, table.values[f])
        elif f in DATE_FIELDS:
            table.values[f] = _parse_dates(table, header, column, orders[header], issues)
        elif f in FLAG_FIELDS:
            table.values[f] = _parsed(table, header, column, v.parse_bool, "bad-boolean", issues)
        elif f != "quarter":
            table.values[f] = _clean(column)
        else:
            table.values[f] = column.cells()
    if currencies is not None:
        table.values["currency"] = currencies


def _clean(column: CodedColumn) -> list[Any]:
    """:func:`values.clean_text` of every cell; clean distinct texts are checked in one pass."""
    cleaned: list[Any] = column.map(v.clean_text, identity=v.all_clean).tolist()
    return packed(cleaned, column.present().size)


def _labels(amounts: CodedColumn) -> list[str | None] | None:
    """:func:`currency.label_cells` of the amount cells, once per distinct text."""
    found, results = amounts.texts_through(money.currency_in)
    marked = results - {None}
    if not marked:
        return None
    if len(marked) == 1:
        (only,) = marked
        # As label_cells: every cell but a blank one (missing, or an all-space text).
        blank = amounts.grid.blank[amounts.codes]
        missing = np.flatnonzero(amounts.codes < 0)
        if missing.size:  # NaN has code -1 too, but is not blank to label_cells
            cells = amounts.cells()
            blank[missing] = [money.is_blank(cells[at]) for at in missing.tolist()]
        # fill() keeps the one str object (np.full and np.where would make one per cell).
        labels = np.empty(blank.size, dtype=object)
        labels.fill(only)
        labels[blank] = None
        shared: list[str | None] = labels.tolist()
        return shared
    listed: list[str | None] = found.tolist()
    return listed


def _currencies(table: Table, columns: dict[str, CodedColumn]) -> list[str | None] | None:
    """Each row's currency: the currency column, else a symbol or code in the amount text."""
    amounts = columns.get("amount")
    marked = _labels(amounts) if amounts is not None else None
    column = columns.get("currency")
    if column is None:
        if marked is not None:
            table.headers.setdefault("currency", table.headers["amount"])
        return marked
    codes: list[str | None] = column.map(money.code_of).tolist()
    if marked is not None:
        codes = [code or mark for code, mark in zip(codes, marked, strict=True)]
    named = {c for c in codes if c}
    if len(named) == 1:
        # A blank currency cell in a one-currency column is that currency, as a plain
        # number beside marked amounts is (see currency.label_cells).
        (only,) = named
        codes = [only] * len(codes)
    return codes


def _said_nothing(table: Table, column: CodedColumn, parsed: list[Any]) -> dict[int, str]:
    """Row number → text of each cell that parsed as no value but was not blank ("n/a")."""
    said = column.matching(lambda cell: cell.__class__ is str and bool(cell.strip()))
    if not said.any():
        return {}
    cells = column.cells()
    return {
        table.rows[at]: cells[at].strip()
        for at in np.flatnonzero(said).tolist()
        if parsed[at] is None
    }


def _date_orders(
    table: Table, columns: dict[str, CodedColumn], configured: str | None
) -> dict[str, tuple[bool, str | None]]:
    """Day-first or not for each date column, decided on the whole table (see read/dates).

    What decides is which values a column holds, not how often: each distinct one is looked
    at once, in the order it first appears.
    """
    distinct = {table.headers[f]: columns[f].distinct() for f in DATE_FIELDS if f in columns}
    try:
        return decide_orders(distinct, configured)
    except UndecidableDates as exc:
        raise InputError(f"{table.raw.where}: {exc}", hint=exc.hint) from None


def _parse_amounts(
    table: Table, header: str, column: CodedColumn, code: str, issues: list[Issue]
) -> list[Any]:
    texts = [cell for cell in column.distinct() if cell.__class__ is str]
    comma = v.decimal_comma_column(texts)  # what decides is which texts, not how often

    def parse(cell: Any) -> Any:
        return v.parse_amount(cell, comma)

    def why(cell: Any) -> str:
        """The issue of a cell parse refused: thousands or decimals, or not a number."""
        return "ambiguous-amount" if comma and v.could_group(cell) else code

    # An amount written as a number is that number: no call per number cell.
    return _parsed(table, header, column, parse, why, issues, floats_as_is=True)


def _parsed(
    table: Table,
    header: str,
    column: CodedColumn,
    parse: Any,
    code: str | Callable[[Any], str],
    issues: list[Issue],
    floats_as_is: bool = False,
) -> list[Any]:
    """``parse`` over a column (once per distinct value); a cell it refuses is an issue:
    ``code``, or ``code(cell)`` where the parser refuses cells for more than one reason."""
    out = column.map(parse, floats_as_is)
    failed = np.flatnonzero(out == FAILED)
    if failed.size:
        cells = column.cells()
        for at in failed.tolist():
            cell = cells[at]
            issue = code if isinstance(code, str) else code(cell)
            issues.append(_issue(table, issue, table.rows[at], header, cell))
        out[failed] = None
    result: list[Any] = out.tolist()
    return result


def _parse_dates(
    table: Table,
    header: str,
    column: CodedColumn,
    order: tuple[bool, str | None],
    issues: list[Issue],
) -> list[Any]:
    day_first, why = order
    if why is not None:
        cells = column.cells()
        sample = next(c for c in cells if isinstance(c, str) and v.NUMERIC_DATE.match(c.strip()))
        issues.append(
            _issue(
                table,
                "ambiguous-date",
                table.rows[cells.index(sample)],
                header,
                sample,
                order="day-first" if day_first else "month-first",
                why=why,
            )
        )
    parse = parse_timestamp if header == table.headers.get("last_modified") else v.parse_date
    date1904 = table.raw.date1904
    return _parsed(
        table, header, column, lambda cell: parse(cell, day_first, date1904), "bad-date", issues
    )
