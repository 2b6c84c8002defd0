"""The row rules of an opportunity table, in one place: which rows raise an issue, which are
set aside (quarantined), and in what order.

Both read paths read this table. :meth:`OpportunityBuilder.judge` asks every rule about one
record, top down (``Rule.one``); the column-by-column path (read/columnar.py) asks every rule
about all the rows of a table at once (``Rule.every``) to find the rows that need judging one
by one, then judges exactly those through the builder, whose verdict on each is final. So a
rule is written once, with both forms side by side, and a rule added here is obeyed by both
paths. ``tests/read/test_read_row_rules.py`` checks
that the two forms agree for every rule in :data:`RULES`, and plants a new rule to show both
paths set its row aside.

Order matters and is the order issues are raised: first the notes on how the outcome was
decided (kept rows and set-aside rows both get them), then the quarantine rules (the first
that holds sets the row aside and no later rule is asked), then the warnings (the row is
counted, with an issue). A deleted row is dropped before any rule is asked (no deal, one
``deleted-record`` issue): that is not a rule of this table but the one flag both paths
read first (:func:`deleted`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np

from reporter.read.outcome import Decision
from reporter.vocabulary import LOST, WON

Record = dict[str, Any]
Bools = np.ndarray[Any, np.dtype[np.bool_]]
Objects = np.ndarray[Any, np.dtype[Any]]

NOTE, QUARANTINE, WARNING = "note", "quarantine", "warning"
_CLOSING = (WON, LOST)


def objects(values: Sequence[Any]) -> Objects:
    """``values`` as a 1-d object array (lists of tuples stay one item per row)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass
class Rows:
    """Every row of one table at once, holding what a record of each row would hold.

    The outcome rules' decisions are kept once per distinct decision (``kinds``) with each
    row's index into them (``which``): a table has a handful of stages and flag pairs.
    """

    columns: Mapping[str, Sequence[Any]]  # canonical field → one value per row
    kinds: Sequence[Decision]  # the distinct decisions
    which: np.ndarray[Any, np.dtype[np.intp]]  # each row's decision, as an index into kinds
    today: date
    count: int = field(init=False)

    def __post_init__(self) -> None:
        self.count = len(self.which)
        self._cache: dict[str, Objects] = {}

    @classmethod
    def of(
        cls, columns: Mapping[str, Sequence[Any]], decisions: Sequence[Decision], today: date
    ) -> Rows:
        """Rows with one decision given per row."""
        position: dict[Decision, int] = {}
        which = [position.setdefault(d, len(position)) for d in decisions]
        return cls(columns, list(position), np.asarray(which, dtype=np.intp), today)

    def column(self, name: str) -> Objects:
        """The column as an object array (all None when the table does not have it)."""
        got = self._cache.get(name)
        if got is None:
            values = self.columns.get(name)
            got = self._cache[name] = (
                np.full(self.count, None, dtype=object) if values is None else objects(values)
            )
        return got

    def raw(self, name: str) -> Sequence[Any]:
        """The column as given (a list; all None when the table does not have it)."""
        return self.columns.get(name, [None] * self.count)

    def decided(self, test: Callable[[Decision], bool]) -> Bools:
        """Rows whose decision passes ``test`` (asked once per distinct decision)."""
        passed: Bools = np.array([bool(test(d)) for d in self.kinds], dtype=bool)[self.which]
        return passed

    @cached_property
    def outcome(self) -> Objects:
        """Each row's outcome (None: no stage and no usable flag)."""
        kinds = objects([d.outcome for d in self.kinds])
        outcome: Objects = kinds[self.which]
        return outcome

    @cached_property
    def closing(self) -> Bools:
        """Rows that are won or lost."""
        return self.decided(lambda d: d.outcome in _CLOSING)

    def none(self, name: str) -> Bools:
        """Rows whose ``name`` is empty."""
        empty: Bools = self.column(name) == None  # noqa: E711 (elementwise)
        return empty


@dataclass(frozen=True)
class Rule:
    """One check on an opportunity row and the issue it raises when it holds.

    ``one(record, decision, today)`` judges a single record (its ``outcome`` is set);
    ``every(rows)`` gives, for all rows at once, exactly the rows where ``one`` holds: a row
    it misses is never judged on the column-by-column path, and for a quarantine rule the
    rows it flags decide, before any row is judged, whether that path may be taken at all.
    ``details(table, record)`` gives the issue's ``value`` and the fields its text needs.
    """

    code: str  # the issue code (quality.REGISTRY)
    field: str  # the canonical column the issue names
    kind: str  # NOTE, QUARANTINE or WARNING
    one: Callable[[Record, Decision, date], bool]
    every: Callable[[Rows], Bools]
    details: Callable[[Any, Record], dict[str, Any]] = lambda table, record: {}
    # Not raised when the cell already has an issue for its unreadable value.
    unless_flagged: bool = False

    @property
    def sets_aside(self) -> bool:
        """Whether a row this rule holds for is quarantined (left out of every figure)."""
        return self.kind == QUARANTINE


def deleted(value: Any) -> bool:
    """Whether an ``is_deleted`` cell drops its row (read first, before any rule)."""
    return bool(value)


def deleted_rows(rows: Rows) -> Bools:
    """:func:`deleted` for every row."""
    return np.fromiter(map(deleted, rows.raw("is_deleted")), bool, rows.count)


# ---------------------------------------------------------------- the checks, both forms


def _unknown_stage(rows: Rows) -> Bools:
    named: Bools = rows.decided(lambda d: d.unknown_stage) & ~rows.none("stage")
    return named


def _negative(rows: Rows) -> Bools:
    amount = rows.column("amount")
    given = ~rows.none("amount")
    negative = np.zeros(rows.count, dtype=bool)
    negative[given] = amount[given].astype(float) < 0
    return negative


def _future(rows: Rows) -> Bools:
    close, today = rows.raw("close_date"), rows.today
    future = {d for d in set(close) if d is not None and d > today}
    if not future:
        return np.zeros(rows.count, dtype=bool)
    late = np.fromiter((d in future for d in close), bool, rows.count)
    closing_late: Bools = rows.closing & late
    return closing_late


def _backwards(rows: Rows) -> Bools:
    created, close = rows.raw("created_date"), rows.raw("close_date")
    return np.fromiter(
        (a is not None and b is not None and b < a for a, b in zip(created, close, strict=True)),
        bool,
        rows.count,
    )


def _iso(record: Record, name: str) -> str:
    day: date = record[name]
    return day.isoformat()


RULES: tuple[Rule, ...] = (
    # Notes on how the outcome was decided; the row goes on to the quarantine rules.
    Rule(
        "unknown-stage",  # or won-looking-stage: the builder tells the two apart
        "stage",
        NOTE,
        lambda r, d, today: d.unknown_stage and r.get("stage") is not None,
        _unknown_stage,
    ),
    Rule(
        "conflicting-flags",
        "is_won",
        NOTE,
        lambda r, d, today: d.conflicting,
        lambda rows: rows.decided(lambda d: d.conflicting),
        lambda table, r: {"value": True},
    ),
    # Quarantine: the first that holds sets the row aside.
    Rule(
        "missing-owner",
        "owner",
        QUARANTINE,
        lambda r, d, today: r.get("owner") is None,
        lambda rows: rows.none("owner"),
    ),
    Rule(
        "missing-stage",
        "stage",
        QUARANTINE,
        lambda r, d, today: r["outcome"] is None,
        lambda rows: rows.outcome == None,  # noqa: E711 (elementwise)
    ),
    Rule(
        "missing-close-date",
        "close_date",
        QUARANTINE,
        lambda r, d, today: r["outcome"] in _CLOSING and r.get("close_date") is None,
        lambda rows: rows.closing & rows.none("close_date"),
        lambda table, r: {"outcome": r["outcome"]},
    ),
    # Warnings: the row is counted, with an issue.
    Rule(
        "missing-amount",
        "amount",
        WARNING,
        lambda r, d, today: r.get("amount") is None and r["outcome"] in _CLOSING,
        lambda rows: rows.closing & rows.none("amount"),
        # The text as read ("n/a"), shown as the value.
        lambda table, r: {
            "value": table.amount_text.get(r["source_row"]),
            "outcome": r["outcome"],
        },
        unless_flagged=True,
    ),
    Rule(
        "negative-amount",
        "amount",
        WARNING,
        lambda r, d, today: r.get("amount") is not None and r["amount"] < 0,
        _negative,
        lambda table, r: {"value": r["amount"]},
    ),
    Rule(
        "future-close-date",
        "close_date",
        WARNING,
        lambda r, d, today: (
            r.get("close_date") is not None and r["outcome"] in _CLOSING and r["close_date"] > today
        ),
        _future,
        lambda table, r: {"value": _iso(r, "close_date"), "outcome": r["outcome"]},
    ),
    Rule(
        "date-order",
        "close_date",
        WARNING,
        lambda r, d, today: (
            r.get("created_date") is not None
            and r.get("close_date") is not None
            and r["close_date"] < r["created_date"]
        ),
        _backwards,
        lambda table, r: {"value": _iso(r, "close_date"), "created": _iso(r, "created_date")},
    ),
)


@dataclass(frozen=True)
class Verdicts:
    """What :data:`RULES` make of every row of a table, before any issue is raised."""

    deleted: Bools
    quarantined: Bools  # some quarantine rule holds (deleted rows may be flagged too)
    doubtful: Bools  # deleted, or some rule holds: to be judged one by one


def verdicts(rows: Rows) -> Verdicts:
    """Every rule's column form over ``rows`` (read from :data:`RULES` at call time)."""
    gone = deleted_rows(rows)
    quarantined = np.zeros(rows.count, dtype=bool)
    doubtful = gone.copy()
    for rule in RULES:
        holds = rule.every(rows)
        doubtful |= holds
        if rule.sets_aside:
            quarantined |= holds
    return Verdicts(gone, quarantined, doubtful)
