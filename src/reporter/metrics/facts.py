"""The enriched frame as integer codes, made once per run, and the groups reports are for.

Every table of every report is computed in one grouped pass over these codes: a row's
``group`` says which report it belongs to (all rows to the company's; each row to its
segment's when reports are per segment of a dimension), and per-report tables are slices
of the grouped results, never re-runs over masked copies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from reporter.metrics.codes import Codes, segment_sort_key


@dataclass
class Facts:
    """Per-row arrays the grouped tables are computed from."""

    n: int
    won: np.ndarray
    lost: np.ndarray
    open: np.ndarray
    excluded: np.ndarray
    amount: np.ndarray  # float64, NaN = no amount
    cycle: np.ndarray
    new_customer: np.ndarray
    close_q: np.ndarray  # quarter code per row (-1: no date), into ``quarters``
    created_q: np.ndarray
    quarters: list[str]  # label per quarter code
    dims: dict[str, Codes] = field(default_factory=dict)  # rep and every segment dimension
    # Tables every group's reports slice (the period's deal lists), made once per run.
    memo: dict[object, Any] = field(default_factory=dict)
    account: np.ndarray | None = None  # account code per row (-1: no account), when known

    def quarter_code(self, label: str) -> int:
        """The code of quarter ``label`` (-2, matching no row, when no row has it)."""
        return self._index.get(label, -2)

    def in_quarters(self, codes: np.ndarray, wanted: Sequence[int]) -> np.ndarray:
        """Rows whose quarter code (``codes``: close or created) is one of ``wanted``."""
        table = np.zeros(len(self.quarters) + 1, dtype=bool)  # the last entry: no date
        table[[w for w in wanted if w >= 0]] = True
        hit: np.ndarray = table[codes]
        return hit

    def codes(self, dim: str) -> Codes:
        return self.dims[dim]

    def once(self, key: object, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per run: work that does not depend on the grouping
        (which rows, their quarters, sorted values) is shared by the company's pass and
        the segments' pass."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def __post_init__(self) -> None:
        self._index = {label: i for i, label in enumerate(self.quarters)}


def facts_of(enriched: pd.DataFrame, dims: Sequence[str], codes: dict[str, Codes]) -> Facts:
    """The facts of ``enriched``, with the ``codes`` enrich made (rep, quarters, ``dims``)."""
    outcome = codes["outcome"]
    close, created = codes["close_quarter"], codes["created_quarter"]
    labels = sorted(
        set(close.values.tolist()) | set(created.values.tolist()), key=_quarter_sort_key
    )
    index = {label: i for i, label in enumerate(labels)}
    return Facts(
        n=len(enriched),
        won=outcome.where("won"),
        lost=outcome.where("lost"),
        open=outcome.where("open"),
        excluded=outcome.where("excluded"),
        amount=enriched["amount"].to_numpy(dtype="float64"),
        cycle=enriched["cycle_days"].to_numpy(dtype="float64"),
        new_customer=enriched["new_customer"].to_numpy(dtype=bool),
        close_q=_recode(close, index),
        created_q=_recode(created, index),
        quarters=labels,
        dims={d: codes[d] for d in ("rep", *dims)},
        account=codes["account"].codes if "account" in codes else None,
    )


def _recode(codes: Codes, index: dict[str, int]) -> np.ndarray:
    table = np.array([index[v] for v in codes.values.tolist()] + [-1], dtype=np.int64)
    recoded: np.ndarray = table[codes.codes]
    return recoded


def _quarter_sort_key(label: str) -> tuple[int, int]:
    fy, q = label.split(" ")
    return int(fy[2:]), int(q[1:])


@dataclass(frozen=True)
class Groups:
    """Which reports each row belongs to, and the reports' names.

    ``code`` is each row's one group (-1: none). With ``company`` the first group is the
    company's report and holds every row besides its own group: the company and the
    segments are then computed in one grouped pass (each row counted once in each of its
    groups, in row order, so the company's sums are those of a pass of its own).
    """

    code: np.ndarray
    names: tuple[str, ...]
    segment: pd.Series | None = None  # the dimension column, for per-segment groups
    dimension: str | None = None
    company: bool = False  # group 0 is the company's: every row is in it too

    @property
    def size(self) -> int:
        return len(self.names)

    def is_company(self, g: int) -> bool:
        """True when group ``g`` is the company's report (every row)."""
        return self.dimension is None or (self.company and g == 0)

    @classmethod
    def company_only(cls, n: int) -> Groups:
        """The company's report alone: one group of every row."""
        return cls(np.zeros(n, dtype=np.int64), ("All",))

    @classmethod
    def segments(
        cls, enriched: pd.DataFrame, dimension: str, codes: Codes, company: bool = False
    ) -> Groups:
        """One group per value of ``dimension`` (its ``codes``), in segment order; with
        ``company``, the company's report first (group 0, every row) and the segments
        after it."""
        order = sorted(range(len(codes.values)), key=lambda i: segment_sort_key(codes.values[i]))
        first = 1 if company else 0
        remap = np.full(len(codes.values) + 1, -1, dtype=np.int64)
        remap[order] = np.arange(first, first + len(order))
        names = ("All",) * first + tuple(str(codes.values[i]) for i in order)
        return cls(remap[codes.codes], names, enriched[dimension], dimension, company)

    @cached_property
    def exhaustive(self) -> bool:
        """True when every row is in a group of ``code`` (looked at once: every table asks)."""
        return bool((self.code >= 0).all())

    @cached_property
    def derived(self) -> bool:
        """True when the company's report is group 0 and every row is in a segment too: the
        company's counts are then the totals over the segments' (see :meth:`bincount`)."""
        return self.company and self.dimension is not None and self.exhaustive

    def layers(
        self, rows: np.ndarray | None = None, whole: bool = False
    ) -> list[tuple[np.ndarray | None, np.ndarray]]:
        """The memberships of the rows at positions ``rows`` (default: every row), as
        layers in which each row appears at most once: (which rows, as positions into
        ``rows``, None for all in order; their groups). The company's layer comes first.

        When the groups are :attr:`derived`, the company's layer is left out unless
        ``whole``: the caller fills the company's figures from the segments' (see
        :meth:`bincount`)."""
        code = self.code if rows is None else self.code[rows]
        at = None
        if not self.exhaustive:
            inside = code >= 0
            at = None if inside.all() else np.flatnonzero(inside)
        own = (at, code if at is None else code[at])
        if not self.company or self.dimension is None or (self.derived and not whole):
            return [own]
        return [(None, np.zeros(len(code), dtype=np.int64)), own]

    def members(
        self, rows: np.ndarray | None = None, whole: bool = False
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """Every membership of the rows at positions ``rows`` (default: every row), as
        :meth:`layers` gives them: which row it is (a position into ``rows``; None when each
        row is its one member, in order) and its group. A row is in each of its groups
        once, in row order within a group."""
        layers = self.layers(rows, whole)
        if len(layers) == 1:
            return layers[0]
        n = len(self.code) if rows is None else len(rows)
        every = np.arange(n)
        at = np.concatenate([every if a is None else a for a, _ in layers])
        return at, np.concatenate([g for _, g in layers])

    def spread(
        self, rows: np.ndarray | None, *values: np.ndarray, whole: bool = False
    ) -> list[np.ndarray]:
        """:meth:`members` of ``rows``: each membership's group, then each of ``values``
        (one per row of ``rows``) repeated for each of its row's memberships."""
        layers = self.layers(rows, whole)
        if len(layers) == 1:
            at, g = layers[0]
            return [g, *(v if at is None else v[at] for v in values)]
        # Layer by layer: a layer of every row is the values as they are (a copy, not a
        # gather).
        return [
            np.concatenate([g for _, g in layers]),
            *(np.concatenate([v if at is None else v[at] for at, _ in layers]) for v in values),
        ]

    def bincount(
        self, g: np.ndarray, k: np.ndarray, per: int, weights: np.ndarray | None = None
    ) -> np.ndarray:
        """Members (or their ``weights`` summed) per (group, ``k``), ``k`` in ``0..per-1``,
        as one array of ``size * per``, from the memberships :meth:`spread` gives (``g``).

        When the groups are :attr:`derived` the company's block is made here: its counts
        are the totals over the segments, its sums a sum over the same rows in row order
        (what a pass of its own would add up, to the last bit)."""
        out: np.ndarray = np.bincount(g * per + k, weights=weights, minlength=self.size * per)
        if self.derived:
            if weights is None:
                out[:per] = out.reshape(self.size, per)[1:].sum(axis=0)
            else:
                out[:per] = np.bincount(k, weights=weights, minlength=per)
        return out

    def split(self, table: pd.DataFrame, column: str = "_g") -> list[pd.DataFrame]:
        """``table``'s rows per group (its ``column`` dropped), in order, empty where none."""
        out = []
        keys = table[column].to_numpy()
        bounds = np.searchsorted(keys, np.arange(self.size + 1))
        rest = table.drop(columns=column)
        for g in range(self.size):
            out.append(rest.iloc[bounds[g] : bounds[g + 1]].reset_index(drop=True))
        return out
