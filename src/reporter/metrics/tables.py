"""Metric tables from an enriched opportunities frame. Pure functions: frames in, frames out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from reporter.metrics.enrich import segment_sort_key
from reporter.metrics.missing import (
    WonAmount,
    amount_sum,
    complete_sum,
    text_or_none,
    weighted_rate,
    won_amount_reason,
)
from reporter.metrics.report import (
    LOSS_REASON_COLUMNS,
    PIPELINE_COLUMNS,
    REP_COLUMNS,
    SEGMENT_COLUMNS,
    WON_CUSTOMER_COLUMNS,
)
from reporter.metrics.stats import rate, wilson_interval
from reporter.metrics.targets import segment_targets
from reporter.quarters import Quarter

ALL = "all"
ALL_SEGMENT = "All"


def closed_in_window(frame: pd.DataFrame, quarter: Quarter, mode: str) -> pd.DataFrame:
    """Won and lost opportunities that count for the win rate of ``quarter``.

    snapshot: close date in the quarter. cohort: created in the quarter, closed so far.
    """
    closed = frame[frame["outcome"].isin(("won", "lost"))]
    column = "close_quarter" if mode == "snapshot" else "created_quarter"
    return closed[closed[column].eq(quarter.label)]


def won_in(frame: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Won opportunities whose close date is in ``quarter`` (the bonus basis, any mode)."""
    return frame[frame["outcome"].eq("won") & frame["close_quarter"].eq(quarter.label)]


def rep_manager(frame: pd.DataFrame) -> pd.Series:
    """Each rep's manager: the most frequent non-blank manager on their deals (ties: A-Z)."""
    known = frame[frame["manager"].notna()][["rep", "manager"]]
    if known.empty:
        return pd.Series(dtype=object)
    counts = known.value_counts().reset_index(name="n")
    counts = counts.sort_values(["rep", "n", "manager"], ascending=[True, False, True])
    return counts.drop_duplicates("rep").set_index("rep")["manager"]


def rep_quarters(frame: pd.DataFrame, quarters: Sequence[Quarter]) -> pd.DataFrame:
    """Won/lost per rep per quarter by close date, for every rep-quarter with any deal.

    A rep-quarter appears when the rep has a (non-excluded) opportunity closing, expected to
    close, or created in one of ``quarters``; with no closed outcome its win rate is blank,
    not 0 %.
    """
    frame = frame[~frame["outcome"].eq("excluded")]
    keys = pd.concat(
        [
            frame[["rep", "close_quarter"]].rename(columns={"close_quarter": "quarter"}),
            frame[["rep", "created_quarter"]].rename(columns={"created_quarter": "quarter"}),
        ]
    ).dropna()
    keys = keys[keys["quarter"].isin([q.label for q in quarters])].drop_duplicates()
    won = frame[frame["outcome"].eq("won")]
    lost = frame[frame["outcome"].eq("lost")]
    won_g = won.groupby(["rep", "close_quarter"])
    table = keys.set_index(["rep", "quarter"])
    table["won_opportunities"] = won_g.size().reindex(table.index, fill_value=0)
    # No won deal: 0. Won deals none of which has an amount: NaN (unknown, never 0).
    known = won_g["amount"].sum(min_count=1).reindex(table.index, fill_value=0.0)
    with_amount = won_g["amount"].count().reindex(table.index, fill_value=0)
    table["won_without_amount"] = table["won_opportunities"] - with_amount
    table["won_amount_known"] = known
    # Any won deal without an amount: the rep's won amount is unknown (never a partial sum).
    table["won_amount"] = known.where(table["won_without_amount"].eq(0))
    lost_counts = lost.groupby(["rep", "close_quarter"]).size()
    table["lost_opportunities"] = lost_counts.reindex(table.index, fill_value=0)
    table = table.reset_index()
    table["manager"] = table["rep"].map(rep_manager(frame))
    table["win_rate"] = [
        rate(w, lo) for w, lo in zip(table["won_opportunities"], table["lost_opportunities"])
    ]
    table["won_opportunities"] = table["won_opportunities"].astype("int64")
    table["lost_opportunities"] = table["lost_opportunities"].astype("int64")
    table["won_without_amount"] = table["won_without_amount"].astype("int64")
    for col in ("won_amount", "won_amount_known"):
        table[col] = table[col].astype("float64")
    table["win_rate"] = table["win_rate"].astype("float64")
    table["_q"] = table["quarter"].map(_quarter_sort_key)
    table = table.sort_values(["_q", "rep"]).drop(columns="_q").reset_index(drop=True)
    # targets, attainment and intervals are added by targets.add_rep_figures
    return table[[c for c in REP_COLUMNS if c in table.columns]]


def _quarter_sort_key(label: str) -> tuple[int, int]:
    fy, q = label.split(" ")
    return int(fy[2:]), int(q[1:])


def segment_rates(
    window: pd.DataFrame,
    candidates: pd.DataFrame,
    dimensions: Sequence[str],
    min_closed: int,
    currency: str | None = None,
) -> pd.DataFrame:
    """Win rate per segment of each dimension, plus the ``all``/``All`` row first.

    ``window`` holds the closed opportunities of the window; ``candidates`` the rows whose
    segment values should be listed even without a closed outcome (blank rate then).
    """
    rows: list[dict[str, object]] = [
        _segment_row(ALL, ALL_SEGMENT, window, min_closed, currency),
    ]
    for dim in dimensions:
        values = sorted(
            set(candidates[dim].dropna()) | set(window[dim].dropna()), key=segment_sort_key
        )
        for value in values:
            rows.append(
                _segment_row(dim, value, window[window[dim].eq(value)], min_closed, currency)
            )
    table = pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))
    for col in ("won", "lost", "won_without_amount"):
        table[col] = table[col].astype("int64")
    table["won_amount_reason"] = text_or_none(table["won_amount_reason"])
    table["directional"] = table["directional"].astype(bool)
    return table


def _segment_row(
    dim: str, value: object, closed: pd.DataFrame, min_closed: int, currency: str | None
) -> dict[str, Any]:
    won = closed[closed["outcome"].eq("won")]
    lost = closed[closed["outcome"].eq("lost")]
    n_won, n_lost = len(won), len(lost)
    won_amount = WonAmount.of(won["amount"])
    lost_amount = complete_sum(lost["amount"])
    low, high = wilson_interval(n_won, n_won + n_lost)
    return {
        "dimension": dim,
        "segment": value,
        "won": n_won,
        "lost": n_lost,
        "win_rate": _nan(rate(n_won, n_lost)),
        "ci_low": _nan(low),
        "ci_high": _nan(high),
        "directional": (n_won + n_lost) < min_closed,
        "won_amount": _nan(won_amount.total),
        "won_without_amount": won_amount.without_amount,
        "won_amount_known": _nan(won_amount.known),
        "won_amount_reason": won_amount_reason(
            won_amount.without_amount, n_won, won_amount.known, currency
        ),
        "lost_amount": _nan(lost_amount),
        "amount_weighted_win_rate": _nan(weighted_rate(won["amount"], lost["amount"])),
        "avg_won_amount": _nan(_stat(won["amount"], "mean")),
        "median_won_amount": _nan(_stat(won["amount"], "median")),
        "median_cycle_days": _nan(_stat(won["cycle_days"], "median")),
        "mean_cycle_days": _nan(_stat(won["cycle_days"], "mean")),
    }


def _stat(values: pd.Series, how: str) -> float | None:
    present = values.dropna()
    if present.empty:
        return None
    return float(present.mean() if how == "mean" else present.median())


def _nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


def won_customer_counts(
    new: pd.DataFrame, quarters: Sequence[Quarter], dimensions: Sequence[str]
) -> pd.DataFrame:
    """New customers per quarter, overall (``all``), per rep and per segment dimension.

    Every quarter gets an ``all`` row, 0 when nobody was won; segment rows appear for
    segments that won at least one new customer in the quarter.
    """
    rows: list[dict[str, object]] = []
    for quarter in quarters:
        in_q = new[new["close_quarter"].eq(quarter.label)]
        rows.append(
            {
                "quarter": quarter.label,
                "dimension": ALL,
                "segment": ALL_SEGMENT,
                "won_customers": len(in_q),
            }
        )
        for dim in ("rep", *dimensions):
            counts = in_q[dim].value_counts()
            for value in sorted(counts.index, key=segment_sort_key):
                count = counts[value]
                rows.append(
                    {
                        "quarter": quarter.label,
                        "dimension": dim,
                        "segment": value,
                        "won_customers": int(count),
                    }
                )
    # ``to_date`` is added by the caller, which knows the running quarter.
    table = pd.DataFrame(rows, columns=list(WON_CUSTOMER_COLUMNS[:-1]))
    table["won_customers"] = table["won_customers"].astype("int64")
    return table


def loss_reason_counts(lost: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """Lost opportunities by reason, overall and per segment (missing reason → 'Not given')."""
    reasons = lost["loss_reason"].fillna("Not given").astype(object)
    frames = []
    for dim in (ALL, *dimensions):
        segment = pd.Series(ALL_SEGMENT, index=lost.index) if dim == ALL else lost[dim]
        counts = (
            pd.DataFrame({"segment": segment, "loss_reason": reasons})
            .value_counts()
            .reset_index(name="lost")
        )
        counts.insert(0, "dimension", dim)
        frames.append(counts)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if table.empty:
        return pd.DataFrame(columns=list(LOSS_REASON_COLUMNS))
    table = table.sort_values(
        ["dimension", "segment", "lost", "loss_reason"],
        ascending=[True, True, False, True],
        key=lambda s: s.map(str) if s.dtype == object else s,
    )
    order = {d: i for i, d in enumerate((ALL, *dimensions))}
    table = table.sort_values("dimension", key=lambda s: s.map(order), kind="mergesort")
    table["lost"] = table["lost"].astype("int64")
    totals = table.groupby(["dimension", "segment"])["lost"].transform("sum")
    table["share"] = (table["lost"] / totals).astype("float64")
    return table[list(LOSS_REASON_COLUMNS)].reset_index(drop=True)


def pipeline_table(
    open_opps: pd.DataFrame,
    dimensions: Sequence[str],
    targets: pd.DataFrame,
    quarter: Quarter,
    whole: pd.DataFrame,
    listed: pd.DataFrame | None = None,
    total_target: float | None = None,
) -> pd.DataFrame:
    """Open pipeline count and amount, overall, per rep and per segment; coverage vs target.

    Coverage = open pipeline amount ÷ the target set for the reporting quarter. The overall
    target is the sum of per-rep targets (or, without those, of the first dimension that has
    targets); a segment's is its own, else its reps' (see :func:`segment_targets`, told
    from ``whole``, the whole data set). Rows are the segments with open deals and those
    with a target in ``listed`` (default ``targets``: a segment's report lists only its own
    reps' and segments' targets, and its ``all`` row has ``total_target``, the segment's own
    target, never the company's).
    """
    q_targets = targets[targets["quarter"].eq(quarter.label)]
    rows: list[dict[str, object]] = []
    company = overall_target(q_targets) if listed is None else total_target
    rows.append(_pipeline_row(ALL, ALL_SEGMENT, open_opps, company))
    for dim in ("rep", *dimensions):
        dim_targets = segment_targets(whole, q_targets, dim)
        shown = q_targets if listed is None else listed[listed["quarter"].eq(quarter.label)]
        own = set(shown.loc[shown["dimension"].eq(dim), "segment"])
        values = sorted(set(open_opps[dim].dropna()) | own, key=segment_sort_key)
        for value in values:
            target = dim_targets.get(str(value))
            rows.append(_pipeline_row(dim, value, open_opps[open_opps[dim].eq(value)], target))
    table = pd.DataFrame(rows, columns=list(PIPELINE_COLUMNS))
    table["open_opportunities"] = table["open_opportunities"].astype("int64")
    for col in ("open_amount", "target", "coverage"):
        table[col] = table[col].astype("float64")
    return table


def overall_target(q_targets: pd.DataFrame) -> float | None:
    """The company target of one quarter's targets: per-rep targets summed, else the first
    dimension's."""
    if q_targets.empty:
        return None
    reps = q_targets[q_targets["dimension"].eq("rep")]
    chosen = (
        reps
        if not reps.empty
        else q_targets[q_targets["dimension"].eq(q_targets["dimension"].iloc[0])]
    )
    return float(chosen["target"].sum())


def _pipeline_row(
    dim: str, value: object, rows: pd.DataFrame, target: float | None
) -> dict[str, Any]:
    amount = amount_sum(rows["amount"])
    has_target = target is not None and not pd.isna(target) and float(target) > 0
    known = has_target and amount is not None
    return {
        "dimension": dim,
        "segment": value,
        "open_opportunities": len(rows),
        "open_amount": _nan(amount),
        "target": float(target) if target is not None and not pd.isna(target) else np.nan,
        "coverage": amount / float(target) if known else np.nan,  # type: ignore[operator,arg-type]
    }
