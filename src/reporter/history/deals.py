"""The deal records behind the bonus figures, as the history store keeps them.

One record per opportunity with exactly what decides the figures a quarter is paid on:
who it is credited to (``rep``, owner names already folded by the metrics core), the
account, the outcome, the amount, the close and created dates, whether it made its account
a new customer (``new_customer``, decided by the core on the whole data set) and its value
of the briefing dimension (``segment``, so a restatement can name the briefing it affects).
Every record has a content hash, so a deal unchanged between two runs is stored once.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
import pandas as pd

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


def deals_from_enriched(enriched: pd.DataFrame, segment: str | None = None) -> list[Deal]:
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
    with paused_gc():
        return [
            Deal._make(row)
            for row in zip(
                enriched["opportunity_id"].astype(str).tolist(),
                _texts(enriched["rep"] if "rep" in enriched.columns else enriched["owner"]),
                _texts(enriched["account"]),
                enriched["outcome"].astype(str).tolist(),
                _numbers(enriched["amount"]),
                _dates(enriched["close_date"]),
                _dates(enriched["created_date"]),
                new,
                segments,
            )
        ]


def _texts(series: pd.Series) -> list[str | None]:
    present = series.notna().to_numpy()
    return [str(v) if ok else None for v, ok in zip(series.tolist(), present)]


def _numbers(series: pd.Series) -> list[float | None]:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64")
    return [None if np.isnan(v) else float(v) for v in values]


def _dates(series: pd.Series) -> list[str | None]:
    days = pd.to_datetime(series).to_numpy().astype("datetime64[D]").astype(str)
    return [None if d == "NaT" else str(d) for d in days]


def by_id(deals: Iterable[Deal]) -> dict[str, Deal]:
    """Deals keyed by opportunity id."""
    return {d.opportunity_id: d for d in deals}


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while making 100k+ small objects.

    They hold no cycles, but every allocation burst triggers a full collection over the
    whole pandas heap: 2-3x the time of the work itself.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
