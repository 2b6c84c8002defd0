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

from reporter.metrics.facts import Facts
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
    won = facts.won if won is None else won
    lost = facts.lost if lost is None else lost
    take = won[rows] | lost[rows]
    for _, codes in keys:
        take &= codes[rows] >= 0
    idx = rows[take]
    parts = [codes[idx] for _, codes in keys]
    key = np.zeros(len(idx), dtype=np.int64)
    for part in parts:
        key = key * (int(part.max(initial=0)) + 1) + part
    found, first, group = np.unique(key, return_index=True, return_inverse=True)
    m = len(found)
    w, lo = won[idx], lost[idx]
    amount = facts.amount[idx]
    na = np.isnan(amount)
    won_amount = np.where(w & ~na, amount, np.nan)
    won_cycle = np.where(w, facts.cycle[idx], np.nan)

    def total(weights: np.ndarray) -> np.ndarray:
        summed: np.ndarray = np.bincount(group, weights=weights, minlength=m)
        return summed

    data = {
        "won": total(w).astype(np.int64),
        "lost": total(lo).astype(np.int64),
        "won_missing": total(w & na).astype(np.int64),
        "lost_missing": total(lo & na).astype(np.int64),
        "won_sum": total(np.where(w & ~na, amount, 0.0)),
        "lost_sum": total(np.where(lo & ~na, amount, 0.0)),
        "lost_nonzero": total(lo & ~na & (amount != 0)).astype(np.int64),
        "acv_mean": _mean(group, won_amount, m),
        "acv_median": _median(group, won_amount, m),
        "cycle_median": _median(group, won_cycle, m),
        "cycle_mean": _mean(group, won_cycle, m),
    }
    names = [name for name, _ in keys]
    at = [part[first] for part in parts]
    index = (
        pd.MultiIndex.from_arrays(at, names=names)
        if len(names) > 1
        else pd.Index(at[0], name=names[0])
    )
    return pd.DataFrame(data, index=index)


def _mean(group: np.ndarray, values: np.ndarray, m: int) -> np.ndarray:
    """Per-group mean of the known ``values`` (NaN where none is known)."""
    known = ~np.isnan(values)
    count = np.bincount(group[known], minlength=m)
    summed = np.bincount(group[known], weights=values[known], minlength=m)
    mean: np.ndarray = np.where(count > 0, summed / np.maximum(count, 1), np.nan)
    return mean


def _median(group: np.ndarray, values: np.ndarray, m: int) -> np.ndarray:
    """Per-group median of the known ``values`` (NaN where none is known)."""
    known = ~np.isnan(values)
    g, v = group[known], values[known]
    # By value, then stably by group (a radix sort for small group codes).
    by_value = np.argsort(v, kind="stable")
    small = g[by_value].astype(np.int16 if m < 2**15 else np.int64)
    order = by_value[np.argsort(small, kind="stable")]
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


def won_known(row: pd.Series) -> float | None:
    """The known won amounts summed; None when there are won deals and none is known."""
    if row["won"] and row["won_missing"] == row["won"]:
        return None
    return float(row["won_sum"])


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
