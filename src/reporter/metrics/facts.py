"""The enriched frame as integer codes, made once per run, and the groups reports are for.

Every table of every report is computed in one grouped pass over these codes: a row's
``group`` says which report it belongs to (all rows to the company's; each row to its
segment's when reports are per segment of a dimension), and per-report tables are slices
of the grouped results, never re-runs over masked copies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    """Which report each row belongs to (``code``, -1: none) and the reports' names."""

    code: np.ndarray
    names: tuple[str, ...]
    segment: pd.Series | None = None  # the dimension column, for per-segment groups
    dimension: str | None = None

    @property
    def size(self) -> int:
        return len(self.names)

    @classmethod
    def company(cls, n: int) -> Groups:
        return cls(np.zeros(n, dtype=np.int64), ("All",))

    @classmethod
    def segments(cls, enriched: pd.DataFrame, dimension: str, codes: Codes) -> Groups:
        """One group per value of ``dimension`` (its ``codes``), in segment order."""
        order = sorted(range(len(codes.values)), key=lambda i: segment_sort_key(codes.values[i]))
        remap = np.full(len(codes.values) + 1, -1, dtype=np.int64)
        remap[order] = np.arange(len(order))
        names = tuple(str(codes.values[i]) for i in order)
        return cls(remap[codes.codes], names, enriched[dimension], dimension)

    def split(self, table: pd.DataFrame, column: str = "_g") -> list[pd.DataFrame]:
        """``table``'s rows per group (its ``column`` dropped), in order, empty where none."""
        out = []
        keys = table[column].to_numpy()
        bounds = np.searchsorted(keys, np.arange(self.size + 1))
        rest = table.drop(columns=column)
        for g in range(self.size):
            out.append(rest.iloc[bounds[g] : bounds[g + 1]].reset_index(drop=True))
        return out
