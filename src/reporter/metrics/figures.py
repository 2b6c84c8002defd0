"""Grouped figures of won and lost deals: counts, amounts, averages and medians per key.

``closed_figures`` is the one place the core aggregates closed deals for a headline, a
trend row or a segment row; it groups by any integer keys (report group, quarter,
segment value) in one pass. The rules for unknown amounts are those of
:mod:`reporter.metrics.missing`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reporter.metrics.facts import Facts, Groups
from reporter.metrics.stats import rate

CLOSED_COLUMNS = (
    "won",
    "lost",
    "won_missing",
    "lost_missing",
    "won_sum",
    "lost_sum",
    "lost_nonzero",
    "acv_mean",
    "acv_median",
    "cycle_median",
    "cycle_mean",
)


def closed_figures(
    facts: Facts,
    keys: Sequence[tuple[str, np.ndarray]],
    rows: np.ndarray,
    won: np.ndarray | None = None,
    lost: np.ndarray | None = None,
) -> pd.DataFrame:
    """Won/lost figures of the closed deals among ``rows`` (row positions), indexed by
    ``keys`` (integer codes per row; a row with a negative code in any key is left out).

    ``won``/``lost`` override the outcomes (a like-for-like cut turns later closes open).
    """
    return ClosedRows(facts, rows, won, lost).figures(keys)


class ClosedRows:
    """The closed deals among some rows, prepared once to be grouped by several keys
    (the win-rate table groups the same window by every dimension in turn)."""

    def __init__(
        self,
        facts: Facts,
        rows: np.ndarray,
        won: np.ndarray | None = None,
        lost: np.ndarray | None = None,
    ) -> None:
        won = facts.won if won is None else won
        lost = facts.lost if lost is None else lost
        self.idx = rows[won[rows] | lost[rows]]
        self.won, self.lost = won[self.idx], lost[self.idx]
        self.amount = facts.amount[self.idx]
        self.na = np.isnan(self.amount)
        self.won_amount = np.where(self.won & ~self.na, self.amount, np.nan)
        self.won_cycle = np.where(self.won, facts.cycle[self.idx], np.nan)
        # Each statistic's known values in ascending order (stable), sorted once: a
        # grouping then only orders them by group (a radix sort of small codes).
        self.known = {"amount": ~np.isnan(self.won_amount), "cycle": ~np.isnan(self.won_cycle)}
        self._by_value = {
            "amount": _value_order(self.won_amount),
            "cycle": _value_order(self.won_cycle),
        }
        # Every count is a number of rows in some states, so one count per (group, state)
        # gives them all; each sum's weights (0 where a row does not count) are made once.
        # Adding 0.0 leaves a running sum as it is, so the sums are those of the counted
        # rows in row order, exactly.
        self.state = (
            self.won * _WON
            | self.lost * _LOST
            | self.na * _NO_AMOUNT
            | (self.amount != 0) * _NONZERO
            | self.known["cycle"] * _CYCLE
        ).astype(np.int64)
        self.weights = {
            "won_sum": np.where(self.won & ~self.na, self.amount, 0.0),
            "lost_sum": np.where(self.lost & ~self.na, self.amount, 0.0),
            "cycle": np.where(self.known["cycle"], self.won_cycle, 0.0),
        }

    def figures(
        self, keys: Sequence[tuple[str, np.ndarray]], groups: Groups | None = None
    ) -> pd.DataFrame:
        """The figures per combination of ``keys`` (see :func:`closed_figures`); with
        ``groups``, per report group (key ``g``, first) and combination of ``keys``: a row in
        several groups (the company's and its segment's) counts once in each."""
        gathered = [codes[self.idx] for _, codes in keys]
        names = [name for name, _ in keys]
        if groups is None:
            return self._figures(None, gathered, names)
        # One layer at a time (each row at most once in a layer), the company's first:
        # their groups are distinct, so the tables follow each other in group order.
        tables = []
        for at, g in groups.layers(self.idx, whole=True):
            parts = gathered if at is None else [codes[at] for codes in gathered]
            tables.append(self._figures(at, [g, *parts], ["g", *names]))
        return tables[0] if len(tables) == 1 else pd.concat(tables)

    def _figures(
        self, at: np.ndarray | None, gathered: list[np.ndarray], names: list[str]
    ) -> pd.DataFrame:
        """The figures per combination of the codes ``gathered`` (one per closed row among
        ``at``, positions into the closed rows; None: all)."""
        keep = np.ones(len(gathered[0]), dtype=bool)
        for codes in gathered:
            keep &= codes >= 0
        every = at is None and bool(keep.all())
        parts = gathered if every else [codes[keep] for codes in gathered]
        rows = None if every else (np.flatnonzero(keep) if at is None else at[keep])
        found, group, at_key = group_keys(parts)
        m = len(found)

        def part(values: np.ndarray) -> np.ndarray:
            return values if rows is None else values[rows]

        def total(weights: np.ndarray) -> np.ndarray:
            summed: np.ndarray = np.bincount(group, weights=part(weights), minlength=m)
            return summed

        # Rows per (group, state), then each count as the rows of the states it covers.
        states = np.bincount(group * _STATES + part(self.state), minlength=m * _STATES)
        count = dict(zip(_COUNTS, (states.reshape(m, _STATES) @ _COUNTED).T, strict=True))
        won_sum = total(self.weights["won_sum"])
        # Where each closed row lands in ``group`` (-1: left out), for the sorted statistics.
        slot = np.full(len(self.idx), -1, dtype=np.int64)
        if rows is None:
            slot[:] = group
        else:
            slot[rows] = group
        data = {
            "won": count["won"],
            "lost": count["lost"],
            "won_missing": count["won_missing"],
            "lost_missing": count["lost_missing"],
            "won_sum": won_sum,
            "lost_sum": total(self.weights["lost_sum"]),
            "lost_nonzero": count["lost_nonzero"],
            # The known won amounts' sum is ``won_sum`` (the same rows, in the same order).
            "acv_mean": _ratio(won_sum, count["acv_known"]),
            "acv_median": self._median("amount", self.won_amount, slot, m),
            "cycle_median": self._median("cycle", self.won_cycle, slot, m),
            "cycle_mean": _ratio(total(self.weights["cycle"]), count["cycle_known"]),
        }
        index = (
            pd.MultiIndex.from_arrays(at_key, names=names)
            if len(names) > 1
            else pd.Index(at_key[0], name=names[0])
        )
        return pd.DataFrame(data, index=index)

    def _median(self, name: str, values: np.ndarray, slot: np.ndarray, m: int) -> np.ndarray:
        """:func:`_median` of ``values`` per group, from the value order made once."""
        order = self._by_value[name]
        order = order[slot[order] >= 0]
        return _sorted_median(slot[order], values[order], m)


# A closed row's state: bits of what it is (won, lost, without an amount, a nonzero amount,
# a known cycle), and which states each count of :meth:`ClosedRows.figures` covers.
_WON, _LOST, _NO_AMOUNT, _NONZERO, _CYCLE = 1, 2, 4, 8, 16
_STATES = 32
_COUNTS = (
    "won",
    "lost",
    "won_missing",
    "lost_missing",
    "lost_nonzero",
    "acv_known",
    "cycle_known",
)


def _covers(state: int) -> list[bool]:
    def has(bit: int) -> bool:
        return bool(state & bit)

    won, lost, na = has(_WON), has(_LOST), has(_NO_AMOUNT)
    return [
        won,
        lost,
        won and na,
        lost and na,
        lost and not na and has(_NONZERO),
        won and not na,
        won and has(_CYCLE),
    ]


_COUNTED = np.array([_covers(state) for state in range(_STATES)], dtype=np.int64)


def _ratio(summed: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``summed / count`` per group, NaN where the count is 0 (as :func:`_mean`)."""
    mean: np.ndarray = np.where(count > 0, summed / np.maximum(count, 1), np.nan)
    return mean


def _value_order(values: np.ndarray) -> np.ndarray:
    """Positions of the known ``values`` in ascending order (ties in position order)."""
    known = np.flatnonzero(~np.isnan(values))
    order: np.ndarray = known[np.argsort(values[known], kind="stable")]
    return order


def group_keys(parts: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """The distinct combinations of the integer ``parts`` (non-negative codes per row), in
    ascending order; each row's combination; and each combination's parts.

    Like ``np.unique(..., return_inverse=True)`` on the combined key, but with a count per
    possible key instead of a sort when there are not many more keys than rows.
    """
    n = len(parts[0]) if parts else 0
    radix = [int(part.max(initial=0)) + 1 for part in parts]
    key = np.zeros(n, dtype=np.int64)
    for part, base in zip(parts, radix, strict=True):
        key = key * base + part
    size = int(np.prod(radix, dtype=np.float64))
    if size <= 2 * n + 65_536:
        found = np.flatnonzero(np.bincount(key, minlength=size))
        lookup = np.zeros(size, dtype=np.int64)
        lookup[found] = np.arange(len(found))
        group: np.ndarray = lookup[key]
        at: list[np.ndarray] = []
        rest = found
        for base in reversed(radix):
            rest, part = np.divmod(rest, base)
            at.insert(0, part)
        return found, group, at
    found, first, group = np.unique(key, return_index=True, return_inverse=True)
    return found, group, [part[first] for part in parts]


def _mean(
    group: np.ndarray, values: np.ndarray, m: int, known: np.ndarray | None = None
) -> np.ndarray:
    """Per-group mean of the known ``values`` (NaN where none is known; ``known``: which
    are, when the caller has it)."""
    known = ~np.isnan(values) if known is None else known
    count = np.bincount(group[known], minlength=m)
    summed = np.bincount(group[known], weights=values[known], minlength=m)
    mean: np.ndarray = np.where(count > 0, summed / np.maximum(count, 1), np.nan)
    return mean


def _median(group: np.ndarray, values: np.ndarray, m: int) -> np.ndarray:
    """Per-group median of the known ``values`` (NaN where none is known)."""
    known = ~np.isnan(values)
    g, v = group[known], values[known]
    by_value = np.argsort(v, kind="stable")
    return _sorted_median(g[by_value], v[by_value], m)


def _sorted_median(g: np.ndarray, v: np.ndarray, m: int) -> np.ndarray:
    """Per-group median of known values ``v`` already in ascending order, ``g`` their groups."""
    # Stably by group (a radix sort for small group codes): by group, then by value.
    small = g.astype(np.int16 if m < 2**15 else np.int64)
    order = np.argsort(small, kind="stable")
    v = v[order]
    count = np.bincount(g, minlength=m)
    start = np.cumsum(count) - count
    has = count > 0
    low = np.where(has, start + (count - 1) // 2, 0)
    high = np.where(has, start + count // 2, 0)
    if not len(v):
        return np.full(m, np.nan)
    median: np.ndarray = np.where(has, (v[low] + v[high]) / 2, np.nan)
    return median


def won_sum(row: pd.Series) -> float | None:
    """The group's won amount: None when any won deal has no amount."""
    return None if row["won_missing"] else float(row["won_sum"])


def lost_sum(row: pd.Series) -> float | None:
    return None if row["lost_missing"] else float(row["lost_sum"])


def weighted(row: pd.Series) -> float | None:
    """The amount-weighted win rate of the group; None when it would say nothing (see
    :mod:`reporter.metrics.missing`)."""
    if row["lost"] and not row["lost_nonzero"]:
        return None
    won, lost = won_sum(row), lost_sum(row)
    if won is None or lost is None:
        return None
    return rate(won, lost)


def stat(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


STATS = frozenset(CLOSED_COLUMNS[7:])


def row_of(table: pd.DataFrame, key: object) -> pd.Series:
    """One group's figures (zeros, and NaN for averages, when the group has none)."""
    try:
        found = table.loc[key]
    except KeyError:
        found = None
    if isinstance(found, pd.Series):
        return found
    return pd.Series({c: (np.nan if c in STATS else 0) for c in table.columns}, dtype=object)
