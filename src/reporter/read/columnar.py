"""Opportunity tables straight into the frame, column by column, when no row needs a record.

The general path (:mod:`reporter.read.opportunities` and on) makes one dict per row so that
owner ids can be renamed, duplicates merged, amounts converted and reference tables joined
row by row. Most exports need none of that: every row has its own opportunity id, no id
repeats, there is no user, account or reps table, and the amounts are in one currency or
none. Then every step after the outcome is a no-op or a whole-column fill, and the rows
that raise an issue are the only ones that need looking at one by one — through the very
same :meth:`OpportunityBuilder.judge`, in the same order, so the issues are the same.
Which rows may raise one is not restated here: it is the column form of each rule in the
table both paths read (:mod:`reporter.read.row_rules`), and what the builder then says of a
row (counted, set aside, dropped) is final.

:func:`straight_frame` decides from the columns alone (before any issue is raised) whether
this holds; when it does not it returns None and the caller takes the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from reporter.model import DATE_COLUMNS, NUMBER_COLUMNS, coerce_types
from reporter.read import currency as money
from reporter.read import row_rules
from reporter.read.opportunities import OpportunityBuilder, Record
from reporter.read.outcome import Decision
from reporter.read.reference import size_band
from reporter.read.risks import Cell, Deal
from reporter.read.tables import ACCOUNTS, REPS, Table, UserTable
from reporter.vocabulary import ACCOUNT_ID, OPPORTUNITY_COLUMNS, WON

_FLAGS = ("is_won", "is_closed", "is_deleted")
Bools = np.ndarray[Any, np.dtype[np.bool_]]


_objects = row_rules.objects


@dataclass
class _Judged:
    """One table's columns (as a record would hold them) and what the rules made of them."""

    table: Table
    columns: dict[str, list[Any]]
    rows: row_rules.Rows  # the columns as object arrays, each made once
    outcomes: list[str | None]
    deleted: Bools
    counted: Bools  # neither deleted nor quarantined
    doubtful: Bools  # rows that may raise an issue: judged one by one


def _judge_columns(table: Table, builder: OpportunityBuilder, today: date) -> _Judged:
    """Outcome per row, and which rows may raise an issue, without raising any.

    Which rows those are comes from the table of rules both paths read
    (:mod:`reporter.read.row_rules`): each rule's column form, over every row at once.
    """
    from reporter.read.opportunities import _CARRIED

    names = [f for f in table.values if f in _CARRIED or f in _FLAGS]
    columns = {f: table.values[f] for f in names}
    columns.update(table.extras)  # as in a record: an extra of the same name wins
    none = [None] * len(table.rows)
    has_won, has_closed = "is_won" in table.values, "is_closed" in table.values
    given = [columns.get(name, none) for name in ("stage", "is_won", "is_closed")]
    which, keys = _distinct_keys(given)
    kinds = [builder.rules.decide(*key, has_won, has_closed) for key in keys]
    rows = row_rules.Rows(columns, kinds, which, today)
    said = row_rules.verdicts(rows)
    outcomes: list[str | None] = rows.outcome.tolist()
    counted = ~said.deleted & ~said.quarantined
    return _Judged(table, columns, rows, outcomes, said.deleted, counted, said.doubtful)


def _distinct_keys(
    given: list[list[Any]],
) -> tuple[np.ndarray[Any, Any], list[tuple[Any, Any, Any]]]:
    """(each row's index into the distinct keys, the distinct keys in order of first row).

    A key is the row's values of ``given`` as a tuple, equal keys as a dict would merge them
    (True == 1.0). Column by column with ``pd.factorize``, which merges what a dict merges
    but for missing values: it takes None and NaN (and NaT) as one, so a column with
    anything missing but None is left to the dict.
    """
    stage, won, closed = given
    count = len(stage)
    combined = np.zeros(count, dtype=np.int64)
    for values in given:
        cells = _objects(values)
        codes, uniques = pd.factorize(cells)
        missing = codes < 0
        if not (cells[missing] == None).all():  # noqa: E711 (elementwise: NaN is not None)
            return _by_dict(stage, won, closed)
        codes[missing] = len(uniques)  # None: a value of its own
        combined = combined * (len(uniques) + 1) + codes
    which, _ = pd.factorize(combined)
    _, first = np.unique(which, return_index=True)
    keys = [(stage[at], won[at], closed[at]) for at in first.tolist()]
    return which.astype(np.intp), keys


def _eligible(judged: list[_Judged], tables: Sequence[Table], others: Sequence[Any]) -> bool:
    if any(isinstance(o, UserTable) and o.names for o in others):
        return False  # owner ids to rename
    if any(t.kind in (ACCOUNTS, REPS) for t in tables):
        return False  # rows to join
    ids: list[Any] = []
    for one in judged:
        column = one.columns.get("opportunity_id")
        if column is None:
            return False
        present = one.rows.column("opportunity_id")[~one.deleted]
        if not all(present):
            return False  # synthetic ids: duplicates are found by content
        ids += one.rows.column("opportunity_id")[one.counted].tolist()
    return len(set(ids)) == len(ids)  # duplicates to merge


def _one_currency(judged: list[_Judged], rates: money.Rates) -> tuple[bool, str | None]:
    """(whether :func:`money.convert` would change nothing, the data's currency)."""
    seen: set[Any] = set()
    for one in judged:
        amount = one.rows.column("amount")
        priced = one.counted & (amount != None)  # noqa: E711
        codes = one.columns.get("currency")
        seen |= (
            set(one.rows.column("currency")[priced].tolist())
            if codes is not None
            else ({None} if priced.any() else set())
        )
    known = sorted(c for c in seen if c)
    if not known:
        return True, rates.reporting
    if seen == {known[0]} and rates.reporting in (None, known[0]):
        return True, known[0]
    return False, None


def straight_frame(
    opportunity_tables: Sequence[Table],
    builder: OpportunityBuilder,
    tables: Sequence[Table],
    others: Sequence[Any],
    rates: Callable[[], money.Rates],
    extras: tuple[str, ...],
    bands: Sequence[int],
) -> tuple[pd.DataFrame, dict[Cell, Deal], str | None] | None:
    """(frame, deals behind the issues, currency) as the general path would give; or None
    when some row needs a record (see the module docstring), with no issue raised."""
    judged = [_judge_columns(t, builder, builder.today) for t in opportunity_tables]
    if not _eligible(judged, tables, others):
        return None
    unchanged, currency = _one_currency(judged, rates())
    if not unchanged:
        return None
    for one in judged:
        _raise_issues(one, builder)
    frame = _frame(judged, extras, bands)
    return frame, _deals(judged, builder), currency


def _record(one: _Judged, at: int) -> Record:
    table = one.table
    record: Record = {name: column[at] for name, column in one.columns.items()}
    record["source_file"], record["source_sheet"] = table.raw.file, table.raw.sheet
    record["source_row"] = table.rows[at]
    return record


def _raise_issues(one: _Judged, builder: OpportunityBuilder) -> None:
    """Every doubtful row through the builder's own judgement, top down. What it says is
    final: the column forms of the rules only chose which rows to ask."""
    has_won, has_closed = "is_won" in one.table.values, "is_closed" in one.table.values
    decisions: dict[tuple[Any, Any, Any], Decision] = {}
    for at in np.flatnonzero(one.doubtful).tolist():
        counted = builder.judge(one.table, _record(one, at), decisions, has_won, has_closed)
        one.counted[at] = counted is True


def _filled(one: _Judged, name: str, keep: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The column at the kept rows: every row kept, the array :class:`Rows` made, never
    written (the callers copy before they write)."""
    column = one.rows.column(name)
    if keep.size == column.size:
        return column
    kept: np.ndarray[Any, Any] = column[keep]
    return kept


def _same(count: int, value: Any) -> np.ndarray[Any, Any]:
    """``value`` in every row, one object (np.full would make a str per row)."""
    column = np.empty(count, dtype=object)
    column.fill(value)
    return column


def _frame(judged: list[_Judged], extras: tuple[str, ...], bands: Sequence[int]) -> pd.DataFrame:
    names = [*OPPORTUNITY_COLUMNS, *(e for e in extras if e not in OPPORTUNITY_COLUMNS)]
    parts: dict[str, list[np.ndarray[Any, Any]]] = {name: [] for name in names}
    for one in judged:
        keep = np.flatnonzero(one.counted)
        table = one.table
        given = {name: _filled(one, name, keep) for name in names}
        given["outcome"] = _objects(one.outcomes)[keep]
        given["source_file"] = _same(keep.size, table.raw.file)
        given["source_sheet"] = _same(keep.size, table.raw.sheet)
        given["source_row"] = _objects(table.rows)[keep]
        # The join without reference tables: the AccountId stands for a missing account name.
        account, account_id = given["account"], _filled(one, ACCOUNT_ID, keep)
        fill = (account == None) & np.fromiter(map(bool, account_id), bool, keep.size)  # noqa: E711
        if fill.any():
            given["account"] = account = account.copy()
            account[fill] = account_id[fill]
        size = given["company_size"]
        bare = np.flatnonzero(size == None)  # noqa: E711
        if bare.size:
            given["company_size"] = size = size.copy()
            size[bare] = _bands(given["employees"][bare], bands)
        for name in names:
            parts[name].append(given[name])
    data = {name: _typed(name, _joined(parts[name])) for name in names}
    # Each column is new and the frame's own: no copy into one block of them all.
    return pd.DataFrame(data, columns=names, copy=False)


def _joined(parts: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    """The tables' parts of one column end to end (one table: its part, not a copy)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _typed(name: str, column: np.ndarray[Any, Any]) -> pd.Series:
    """:func:`coerce_types` of one column, without copying the whole frame first.

    Text columns take only its one step (missing values as None); the others its own code,
    on this column alone. tests/read/test_read_columnar.py holds the two to the same frame.
    """
    if name in DATE_COLUMNS:
        return _days(name, column)
    if name in NUMBER_COLUMNS or name == "source_row":
        typed: pd.Series = coerce_types(pd.DataFrame({name: column}, dtype=object))[name]
        return typed
    missing = pd.isna(column)
    if missing.any():
        column = column.copy()  # it may be the array Rows made
        column[missing] = None
    return pd.Series(column, dtype=object)


def _days(name: str, column: np.ndarray[Any, Any]) -> pd.Series:
    """:func:`coerce_types` of a date column, once per distinct day.

    A column has a few thousand distinct days: each is converted as the whole column would
    convert it when they are all dates or naive datetimes (no text whose format pandas
    would infer from the first one, no zones that equal each other's moments).
    """
    codes, uniques = pd.factorize(column)
    distinct = uniques.tolist()
    if not all(_plain_day(d) for d in distinct):
        typed: pd.Series = coerce_types(pd.DataFrame({name: column}, dtype=object))[name]
        return typed
    once = coerce_types(pd.DataFrame({name: [*distinct, None]}, dtype=object))[name]
    return pd.Series(once.to_numpy()[codes], name=name)  # code -1 (None, NaN) reads the NaT


def _plain_day(value: Any) -> bool:
    return value.__class__ is date or (value.__class__ is datetime and value.tzinfo is None)


def _bands(employees: np.ndarray[Any, Any], bands: Sequence[int]) -> list[str | None]:
    """:func:`size_band` of each cell, once per distinct number (equal numbers compare
    alike with the bands); a missing cell (None or NaN, whose bands differ) one by one."""
    codes, uniques = pd.factorize(employees)
    distinct = uniques.tolist()
    if not all(u.__class__ in (float, int) for u in distinct):
        return [size_band(e, bands) for e in employees.tolist()]
    table = np.empty(len(distinct) + 1, dtype=object)
    table[:-1] = [size_band(u, bands) for u in distinct]
    out = table[codes]
    missing = np.flatnonzero(codes < 0)
    out[missing] = [size_band(e, bands) for e in employees[missing].tolist()]
    banded: list[str | None] = out.tolist()
    return banded


def _by_dict(
    stage: list[Any], won: list[Any], closed: list[Any]
) -> tuple[np.ndarray[Any, Any], list[tuple[Any, Any, Any]]]:
    """:func:`_distinct_keys` with a dict: one lookup per row."""
    position: dict[tuple[Any, Any, Any], int] = {}
    which = np.fromiter(
        (position.setdefault(key, len(position)) for key in zip(stage, won, closed)),
        np.intp,
        len(stage),
    )
    return which, list(position)


def _deals(judged: list[_Judged], builder: OpportunityBuilder) -> dict[Cell, Deal]:
    """The deal of every opportunity row an issue names (all the issues are raised by now)."""
    named = {(i.file, i.sheet, i.row) for i in builder.issues}
    deals: dict[Cell, Deal] = {}
    for one in judged:
        file, sheet = one.table.raw.file, one.table.raw.sheet
        rows = [row for f, s, row in named if f == file and s == sheet and row is not None]
        wanted = np.isin(np.asarray(one.table.rows, dtype=np.int64), rows) & ~one.deleted
        for at in np.flatnonzero(wanted).tolist():
            record = _record(one, at)
            deals[(file, sheet, record["source_row"])] = Deal.of(
                record, won=one.outcomes[at] == WON
            )
    return deals
