"""Targets per rep and per segment for one quarter, and what they are compared with.

A segment's target is its own row in the targets table; without one, it is the sum of the
targets of the reps who sell **only** in that segment (so the segments add up to the
company). When a rep with a target also sells in another segment, the split is unknown and
the segment has no target (coverage blank, with the reason) rather than a guessed one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reporter.metrics.report import REP_COLUMNS
from reporter.metrics.stats import wilson_interval
from reporter.vocabulary import UNKNOWN


def quarter_targets(targets: pd.DataFrame, quarter_label: str) -> pd.DataFrame:
    """The targets rows of one quarter."""
    return targets[targets["quarter"].eq(quarter_label)]


def rep_target_map(q_targets: pd.DataFrame) -> dict[str, float]:
    """Rep → target for one quarter (several rows for one rep are added)."""
    if q_targets.empty:  # most runs have no targets: no grouping of an empty table
        return {}
    reps = q_targets[q_targets["dimension"].astype(str).str.casefold().eq("rep")]
    return {str(k): float(v) for k, v in reps.groupby("segment")["target"].sum().items()}


def segment_targets(
    enriched: pd.DataFrame, q_targets: pd.DataFrame, dimension: str
) -> dict[str, float | None]:
    """Segment value → target for one quarter and dimension (None when it cannot be told).

    Own targets win; else the targets of the reps whose every opportunity is in the segment
    (deals whose segment is ``Unknown`` aside).
    """
    if q_targets.empty:
        return {}
    own = q_targets[q_targets["dimension"].eq(dimension)].groupby("segment")["target"].sum()
    out: dict[str, float | None] = {str(k): float(v) for k, v in own.items()}
    reps = rep_target_map(q_targets)
    if not reps or dimension not in enriched.columns:
        return out
    homes = enriched[enriched["rep"].isin(reps.keys())].groupby("rep")[dimension].unique()
    derived: dict[str, float | None] = {}
    for rep, found in homes.items():
        # A deal with no segment value (Unknown) says nothing about where the rep sells.
        values = [str(v) for v in found if str(v) != UNKNOWN]
        for key in values:
            if len(values) > 1:
                derived[key] = None  # this rep's target cannot be split between segments
            elif derived.get(key, 0.0) is not None:
                derived[key] = (derived.get(key) or 0.0) + reps[str(rep)]
    for key, value in derived.items():
        out.setdefault(key, value)
    return out


def add_rep_figures(table: pd.DataFrame, targets: pd.DataFrame, min_closed: int) -> pd.DataFrame:
    """The rep table with target, attainment (won amount ÷ target), interval, directional."""
    out = table.copy()
    by_quarter: dict[str, dict[str, float]] = {}
    targets_col = []
    for rep, quarter in zip(out["rep"], out["quarter"], strict=False):
        if quarter not in by_quarter:
            by_quarter[quarter] = rep_target_map(quarter_targets(targets, quarter))
        targets_col.append(by_quarter[quarter].get(str(rep), np.nan))
    out["target"] = pd.Series(targets_col, index=out.index, dtype="float64")
    has_target = out["target"].gt(0)
    out["attainment"] = (out["won_amount"] / out["target"]).where(has_target).astype("float64")
    lows, highs = [], []
    for won, lost in zip(out["won_opportunities"], out["lost_opportunities"], strict=False):
        low, high = wilson_interval(int(won), int(won + lost))
        lows.append(np.nan if low is None else low)
        highs.append(np.nan if high is None else high)
    out["ci_low"] = pd.Series(lows, index=out.index, dtype="float64")
    out["ci_high"] = pd.Series(highs, index=out.index, dtype="float64")
    out["directional"] = (out["won_opportunities"] + out["lost_opportunities"]).lt(min_closed)
    return out[[c for c in REP_COLUMNS if c in out.columns]]
