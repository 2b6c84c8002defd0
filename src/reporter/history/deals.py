"""The deal records behind the bonus figures, as the history store keeps them.

One record per opportunity with exactly what decides the figures a quarter is paid on:
who it is credited to (``rep``, owner names already folded by the metrics core), the
account, the outcome, the amount, the close and created dates, whether it made its account
a new customer (``new_customer``, decided by the core on the whole data set) and its value
of the briefing dimension (``segment``, so a restatement can name the briefing it affects).
Every record has a content hash, so a deal unchanged between two runs is stored once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import compress
from typing import Any, NamedTuple, overload

import numpy as np
import pandas as pd

from reporter.gc_pause import paused_gc

_MISSING = "\x00"


class Deal(NamedTuple):
    """One opportunity as it stood in one run. Dates are ISO strings (None when missing).

    A named tuple rather than a dataclass: a build makes one per opportunity (100k+), and
    tuples are several times cheaper to create.
    """

    opportunity_id: str
    rep: str | None
    account: str | None
    outcome: str
    amount: float | None
    close_date: str | None
    created_date: str | None
    new_customer: bool
    segment: str | None = None

    def won_in(self, start: str, end: str) -> bool:
        """Won with a close date in [start, end] (ISO dates): counts for that quarter."""
        return (
            self.outcome == "won"
            and self.close_date is not None
            and start <= self.close_date <= end
        )

    def content(self) -> str:
        """The canonical text the content hash is taken over."""
        return "\x1f".join(
            (
                self.opportunity_id,
                self.rep or _MISSING,
                self.account or _MISSING,
                self.outcome,
                _MISSING if self.amount is None else repr(self.amount),
                self.close_date or _MISSING,
                self.created_date or _MISSING,
                "1" if self.new_customer else "0",
                self.segment or _MISSING,
            )
        )

    def digest(self) -> bytes:
        """16-byte content hash: equal for equal records, in any run."""
        return hashlib.blake2b(self.content().encode(), digest_size=16).digest()


class DealTable(Sequence[Deal]):
    """Every deal of a build, kept as columns (one list per :class:`Deal` field).

    A sequence of :class:`Deal` to whatever reads it deal by deal, but what touches every
    deal of a 100k-row build works on the columns: the content hashes
    (:meth:`digests`), the rows the store inserts (:meth:`rows`), the deals won in a
    quarter (:meth:`won_in`) and the deals of given ids (:meth:`with_ids`). Only the deals
    a comparison looks at become :class:`Deal` tuples.
    """

    def __init__(self, columns: Sequence[list[Any]]) -> None:
        if len(columns) != len(Deal._fields):
            raise ValueError(f"a deal table has {len(Deal._fields)} columns, not {len(columns)}")
        self.columns = tuple(columns)
        self._digests: list[bytes] | None = None

    @classmethod
    def of(cls, deals: Iterable[Deal]) -> DealTable:
        """``deals`` as a table (itself when it is one already)."""
        if isinstance(deals, DealTable):
            return deals
        columns = [list(c) for c in zip(*deals)]
        return cls(columns or [[] for _ in Deal._fields])

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, index: int) -> Deal: ...

    @overload
    def __getitem__(self, index: slice) -> list[Deal]: ...

    def __getitem__(self, index: int | slice) -> Deal | list[Deal]:
        if isinstance(index, slice):
            return [Deal._make(row) for row in zip(*(c[index] for c in self.columns))]
        return Deal._make(c[index] for c in self.columns)

    def __iter__(self) -> Iterator[Deal]:
        return map(Deal._make, zip(*self.columns))

    def digests(self) -> list[bytes]:
        """Each deal's :meth:`Deal.digest` (worked out once, column by column)."""
        if self._digests is None:
            oid, rep, account, outcome, amount, close, created, new, segment = self.columns
            fields = (
                oid,
                [v or _MISSING for v in rep],
                [v or _MISSING for v in account],
                outcome,
                [_MISSING if v is None else repr(v) for v in amount],
                [v or _MISSING for v in close],
                [v or _MISSING for v in created],
                ["1" if v else "0" for v in new],
                [v or _MISSING for v in segment],
            )
            blake2b = hashlib.blake2b
            with paused_gc():
                self._digests = [
                    blake2b("\x1f".join(t).encode(), digest_size=16).digest() for t in zip(*fields)
                ]
        return self._digests

    def rows(self, keep: Sequence[bool] | None = None) -> Iterator[tuple[Any, ...]]:
        """(hash, the deal's fields…, new_customer as 0/1) per deal, or per deal whose
        ``keep`` is true: the rows of ``deal_versions`` after their id."""
        oid, rep, account, outcome, amount, close, created, new, segment = self.columns
        rows = zip(
            self.digests(),
            oid,
            rep,
            account,
            outcome,
            amount,
            close,
            created,
            [int(v) for v in new],
            segment,
        )
        return rows if keep is None else compress(rows, keep)

    def won_in(self, start: str, end: str) -> list[Deal]:
        """The deals won with a close date in [start, end] (see :meth:`Deal.won_in`)."""
        outcome, close = self.columns[3], self.columns[5]
        return [
            self[i]
            for i, (o, c) in enumerate(zip(outcome, close))
            if o == "won" and c is not None and start <= c <= end
        ]

    def with_ids(self, wanted: Collection[str]) -> dict[str, Deal]:
        """The deals whose opportunity id is in ``wanted``, by id (the last of a repeated id)."""
        return {oid: self[i] for i, oid in enumerate(self.columns[0]) if oid in wanted}


def deals_from_enriched(enriched: pd.DataFrame, segment: str | None = None) -> DealTable:
    """Every opportunity of the metrics core's enriched frame as a :class:`Deal`.

    ``segment`` names the column whose value each deal keeps (the briefing dimension).
    Excluded opportunities are kept too: a deal marked Duplicate after a quarter was paid
    is a restatement to explain.
    """
    n = len(enriched)
    segments = _texts(enriched[segment]) if segment and segment in enriched.columns else [None] * n
    new = (
        enriched["new_customer"].fillna(False).astype(bool).tolist()
        if "new_customer" in enriched.columns
        else [False] * n
    )
    return DealTable(
        [
            enriched["opportunity_id"].astype(str).tolist(),
            _texts(enriched["rep"] if "rep" in enriched.columns else enriched["owner"]),
            _texts(enriched["account"]),
            enriched["outcome"].astype(str).tolist(),
            _numbers(enriched["amount"]),
            _dates(enriched["close_date"]),
            _dates(enriched["created_date"]),
            new,
            segments,
        ]
    )


def _texts(series: pd.Series) -> list[str | None]:
    present = series.notna().to_numpy().tolist()
    values = series.tolist()
    if isinstance(series.dtype, pd.StringDtype):  # already str where present
        return [v if ok else None for v, ok in zip(values, present)]
    return [str(v) if ok else None for v, ok in zip(values, present)]


def _numbers(series: pd.Series) -> list[float | None]:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64")
    missing = np.isnan(values).tolist()
    return [None if m else v for v, m in zip(values.tolist(), missing)]


def _dates(series: pd.Series) -> list[str | None]:
    """ISO days; each distinct day is formatted once (a column holds a few thousand)."""
    days = pd.to_datetime(series).to_numpy().astype("datetime64[D]")
    distinct, where = np.unique(days, return_inverse=True)
    labels = [None if d == "NaT" else str(d) for d in distinct.astype(str).tolist()]
    return [labels[i] for i in where.ravel().tolist()]


def by_id(deals: Iterable[Deal]) -> dict[str, Deal]:
    """Deals keyed by opportunity id."""
    return {d.opportunity_id: d for d in deals}
