"""Headline figures for one quarter, and the changes against the quarter compared with.

Won counts and amounts go by close date (bonuses); the win rate by the window (snapshot
or cohort), with the window's own won and lost counts beside it. Amounts that cannot be
known are None (see :mod:`reporter.metrics.missing`).
"""

from __future__ import annotations

import pandas as pd

from reporter.metrics.missing import WonAmount, amount_sum, weighted_rate
from reporter.metrics.report import Change, Headline
from reporter.metrics.stats import rate, wilson_interval
from reporter.metrics.tables import closed_in_window, won_in
from reporter.quarters import Quarter

# (Headline field, kind) of every figure compared with the previous quarter, in order.
# A rate's change is in percentage points and has no relative change.
CHANGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("won_opportunities", "count"),
    ("won_amount", "money"),
    ("lost_opportunities", "count"),
    ("won_customers", "count"),
    ("win_rate", "rate"),
    ("amount_weighted_win_rate", "rate"),
    ("acv_mean", "money"),
    ("acv_median", "money"),
    ("cycle_days_median", "days"),
    ("cycle_days_mean", "days"),
    ("open_opportunities", "count"),
    ("open_amount", "money"),
    ("target", "money"),
    ("coverage", "rate"),
)


def headline_for(
    enriched: pd.DataFrame,
    quarter: Quarter,
    mode: str,
    min_closed: int,
    target: float | None,
    *,
    with_pipeline: bool = True,
    to_date: str | None = None,
) -> Headline:
    """Headline figures for one quarter.

    ``with_pipeline=False`` for a past quarter: the open pipeline is as of the data, so a
    past quarter has no open figures and no coverage (None, never today's pipeline).
    ``to_date`` is the ISO day the figures go through when the quarter is still running
    (or is cut there for a like-for-like comparison).
    """
    won_q = won_in(enriched, quarter)
    window = closed_in_window(enriched, quarter, mode)
    won_w = window[window["outcome"].eq("won")]
    lost_w = window[window["outcome"].eq("lost")]
    n_won, n_lost = len(won_w), len(lost_w)
    low, high = wilson_interval(n_won, n_won + n_lost)
    open_opps = enriched[enriched["outcome"].eq("open")]
    open_amount = amount_sum(open_opps["amount"]) if with_pipeline else None
    has_target = target is not None and target > 0
    won_amount = WonAmount.of(won_q["amount"])
    return Headline(
        quarter=quarter.label,
        won_opportunities=len(won_q),
        won_amount=won_amount.total,
        won_without_amount=won_amount.without_amount,
        won_amount_known=won_amount.known,
        to_date=to_date,
        lost_opportunities=int(
            (enriched["outcome"].eq("lost") & enriched["close_quarter"].eq(quarter.label)).sum()
        ),
        won_customers=int(
            (enriched["new_customer"] & enriched["close_quarter"].eq(quarter.label)).sum()
        ),
        win_rate=rate(n_won, n_lost),
        win_rate_won=n_won,
        win_rate_lost=n_lost,
        ci_low=low,
        ci_high=high,
        directional=(n_won + n_lost) < min_closed,
        amount_weighted_win_rate=weighted_rate(won_w["amount"], lost_w["amount"]),
        acv_mean=_stat(won_w["amount"], "mean"),
        acv_median=_stat(won_w["amount"], "median"),
        cycle_days_median=_stat(won_w["cycle_days"], "median"),
        cycle_days_mean=_stat(won_w["cycle_days"], "mean"),
        open_opportunities=len(open_opps) if with_pipeline else None,
        open_amount=open_amount,
        target=target,
        coverage=(
            open_amount / target
            if with_pipeline and has_target and open_amount is not None and target
            else None
        ),
    )


def lost_without_amount(enriched: pd.DataFrame, quarter: Quarter, mode: str) -> bool:
    """True when the window's lost deals exist and none carries an amount other than 0."""
    window = closed_in_window(enriched, quarter, mode)
    lost = window.loc[window["outcome"].eq("lost"), "amount"]
    return bool(len(lost)) and not lost.fillna(0).ne(0).any()


def window_missing(enriched: pd.DataFrame, quarter: Quarter, mode: str) -> tuple[int, int]:
    """How many won and lost deals of the win-rate window have no amount."""
    window = closed_in_window(enriched, quarter, mode)
    blank = window["amount"].isna()
    return int((blank & window["outcome"].eq("won")).sum()), int(
        (blank & window["outcome"].eq("lost")).sum()
    )


def changes(now: Headline, before: Headline) -> tuple[Change, ...]:
    """One :class:`Change` per compared figure, now against ``before``."""
    return tuple(
        Change(name, _num(getattr(now, name)), _num(getattr(before, name)), kind)
        for name, kind in CHANGE_FIELDS
    )


def _stat(values: pd.Series, how: str) -> float | None:
    present = values.dropna()
    if present.empty:
        return None
    return float(present.mean() if how == "mean" else present.median())


def _num(value: object) -> float | None:
    if value is None:
        return None
    return float(value)  # type: ignore[arg-type]
