"""Assemble a :class:`Report` for one period from an enriched opportunities frame."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from reporter.errors import InputError
from reporter.metrics.enrich import segment_columns
from reporter.metrics.report import (
    NEW_CUSTOMER_COLUMNS,
    TREND_COLUMNS,
    WON_DEAL_COLUMNS,
    Change,
    Headline,
    Period,
    Report,
)
from reporter.metrics.settings import Settings
from reporter.metrics.stats import rate, wilson_interval
from reporter.metrics.tables import (
    closed_in_window,
    loss_reason_counts,
    overall_target,
    pipeline_table,
    rep_manager,
    rep_quarters,
    segment_rates,
    won_customer_counts,
    won_in,
)
from reporter.model import empty_targets
from reporter.quarters import Quarter, parse_quarter

CHANGE_FIELDS = (
    "won_opportunities",
    "won_amount",
    "won_customers",
    "win_rate",
    "acv_mean",
    "cycle_days_median",
)


def data_quarters(enriched: pd.DataFrame, start_month: int) -> list[Quarter]:
    """Every quarter in which some won or lost opportunity closed, oldest first."""
    closed = enriched[enriched["outcome"].isin(("won", "lost"))]["close_quarter"].dropna()
    return sorted(parse_quarter(label, start_month) for label in closed.unique())


def choose_period(enriched: pd.DataFrame, start_month: int) -> Quarter:
    """The latest quarter with closed outcomes dated no later than today.

    A deal dated in the future (a typo such as 2052 for 2025) is flagged by the reader and
    never becomes the period; only when every closed deal is in the future is one used.
    """
    today = pd.Timestamp(date.today())
    past = enriched[enriched["close_date"].le(today)]
    quarters = data_quarters(past, start_month) or data_quarters(enriched, start_month)
    if not quarters:
        raise InputError(
            "no won or lost opportunity with a close date in the data, so there is no "
            "quarter to report on",
            hint="check the stage / IsWon columns and the close dates (see `reporter check`)",
        )
    return quarters[-1]


def build_report(
    enriched: pd.DataFrame,
    period: Period,
    settings: Settings,
    targets: pd.DataFrame,
    quarters: Sequence[Quarter],
    segment: tuple[str, str] | None = None,
    by: str | None = None,
) -> Report:
    """All tables for ``period`` over ``enriched`` (the whole data set or one segment).

    ``by`` is only recorded in the report's settings (which dimension the briefings use).
    """
    dims = segment_columns(enriched, settings.dimensions)
    targets = _targets_for(targets, enriched, segment)
    quarter = period.quarter
    min_closed = settings.min_closed
    window = closed_in_window(enriched, quarter, period.mode)
    in_period = enriched[
        enriched["close_quarter"].eq(quarter.label) | enriched["created_quarter"].eq(quarter.label)
    ]
    in_period = in_period[~in_period["outcome"].eq("excluded")]
    new = enriched[enriched["new_customer"]]
    headline = headline_for(enriched, quarter, period.mode, min_closed, targets, segment)
    previous = headline_for(enriched, quarter.previous(), period.mode, min_closed, targets, segment)
    all_quarters = sorted(set(quarters) | {quarter})
    won_customers_all = won_customer_counts(new, all_quarters, dims)
    return Report(
        period=period,
        previous=quarter.previous(),
        trailing=quarter.trailing(4),
        quarters=tuple(quarters),
        headline=headline,
        headline_previous=previous,
        changes=tuple(
            Change(name, _num(getattr(headline, name)), _num(getattr(previous, name)))
            for name in CHANGE_FIELDS
        ),
        trend=trend(enriched, quarter.trailing(4), period.mode, min_closed),
        won_opportunities_by_rep=rep_quarters(enriched, all_quarters),
        won_customers=won_customers_all[won_customers_all["quarter"].eq(quarter.label)].reset_index(
            drop=True
        ),
        won_customers_by_quarter=won_customers_all,
        new_customers=new_customer_list(new, quarter, dims),
        win_rate_by_segment=segment_rates(window, in_period, dims, min_closed),
        loss_reasons=loss_reason_counts(window[window["outcome"].eq("lost")], dims),
        pipeline=pipeline_table(enriched[enriched["outcome"].eq("open")], dims, targets, quarter),
        won_deals=won_deal_list(enriched, quarter, dims),
        dimensions=tuple(dims),
        settings={
            "mode": period.mode,
            "min_closed": min_closed,
            "fiscal_year_start_month": settings.fiscal_year_start_month,
            "dimensions": list(dims),
            "briefings_by": by,
        },
        segment=segment,
    )


def _targets_for(
    targets: pd.DataFrame, enriched: pd.DataFrame, segment: tuple[str, str] | None
) -> pd.DataFrame:
    """Targets that belong to this subset: its reps' and its own segments' targets."""
    if segment is None or targets.empty:
        return targets
    keep = pd.Series(False, index=targets.index)
    for dim in targets["dimension"].unique():
        if dim == "rep":
            values = set(enriched["rep"].dropna())
        elif dim in enriched.columns:
            values = set(enriched[dim].dropna())
        else:
            continue
        keep |= targets["dimension"].eq(dim) & targets["segment"].isin(values)
    return targets[keep]


def headline_for(
    enriched: pd.DataFrame,
    quarter: Quarter,
    mode: str,
    min_closed: int,
    targets: pd.DataFrame,
    segment: tuple[str, str] | None = None,
) -> Headline:
    """Headline figures for one quarter. Won counts/amount by close date; rates by window."""
    won_q = won_in(enriched, quarter)
    window = closed_in_window(enriched, quarter, mode)
    won_w = window[window["outcome"].eq("won")]
    n_won, n_lost = len(won_w), int(window["outcome"].eq("lost").sum())
    low, high = wilson_interval(n_won, n_won + n_lost)
    won_amount_w = float(won_w["amount"].sum())
    lost_amount_w = float(window.loc[window["outcome"].eq("lost"), "amount"].sum())
    open_opps = enriched[enriched["outcome"].eq("open")]
    target = _headline_target(targets, quarter, segment)
    open_amount = float(open_opps["amount"].sum())
    return Headline(
        quarter=quarter.label,
        won_opportunities=len(won_q),
        won_amount=float(won_q["amount"].sum()),
        lost_opportunities=int(
            (enriched["outcome"].eq("lost") & enriched["close_quarter"].eq(quarter.label)).sum()
        ),
        won_customers=int(
            (enriched["new_customer"] & enriched["close_quarter"].eq(quarter.label)).sum()
        ),
        win_rate=rate(n_won, n_lost),
        ci_low=low,
        ci_high=high,
        directional=(n_won + n_lost) < min_closed,
        amount_weighted_win_rate=rate(won_amount_w, lost_amount_w),
        acv_mean=_opt(won_w["amount"], "mean"),
        acv_median=_opt(won_w["amount"], "median"),
        cycle_days_median=_opt(won_w["cycle_days"], "median"),
        cycle_days_mean=_opt(won_w["cycle_days"], "mean"),
        open_opportunities=len(open_opps),
        open_amount=open_amount,
        target=target,
        coverage=open_amount / target if target else None,
    )


def _headline_target(
    targets: pd.DataFrame, quarter: Quarter, segment: tuple[str, str] | None
) -> float | None:
    q = targets[targets["quarter"].eq(quarter.label)]
    if segment is None:
        return overall_target(q)
    own = q[q["dimension"].eq(segment[0]) & q["segment"].eq(segment[1])]
    if not own.empty:
        return float(own["target"].sum())
    reps = q[q["dimension"].eq("rep")]
    return float(reps["target"].sum()) if not reps.empty else None


def _opt(values: pd.Series, how: str) -> float | None:
    present = values.dropna()
    if present.empty:
        return None
    return float(present.mean() if how == "mean" else present.median())


def _num(value: object) -> float | None:
    if value is None:
        return None
    return float(value)  # type: ignore[arg-type]


def trend(
    enriched: pd.DataFrame, quarters: Sequence[Quarter], mode: str, min_closed: int
) -> pd.DataFrame:
    """Headline figures for each of the trailing quarters, oldest first."""
    no_targets = empty_targets()
    rows = []
    for q in quarters:
        h = headline_for(enriched, q, mode, min_closed, no_targets)
        rows.append(
            {
                "quarter": q.label,
                "won_opportunities": h.won_opportunities,
                "won_amount": h.won_amount,
                "lost_opportunities": h.lost_opportunities,
                "win_rate": np.nan if h.win_rate is None else h.win_rate,
                "ci_low": np.nan if h.ci_low is None else h.ci_low,
                "ci_high": np.nan if h.ci_high is None else h.ci_high,
                "won_customers": h.won_customers,
            }
        )
    return pd.DataFrame(rows, columns=list(TREND_COLUMNS))


def new_customer_list(new: pd.DataFrame, quarter: Quarter, dims: Sequence[str]) -> pd.DataFrame:
    """Each account won for the first time in ``quarter``, with its first won deal."""
    rows = new[new["close_quarter"].eq(quarter.label)].sort_values(["close_date", "account"])
    table = pd.DataFrame(
        {
            "account": rows["account"],
            "quarter": rows["close_quarter"],
            "first_won_date": rows["close_date"],
            "opportunity_id": rows["opportunity_id"],
            "opportunity_name": rows["opportunity_name"],
            "rep": rows["rep"],
            "amount": rows["amount"],
        }
    )
    for dim in dims:
        table[dim] = rows[dim]
    return table.reset_index(drop=True)[[*NEW_CUSTOMER_COLUMNS, *dims]]


def won_deal_list(enriched: pd.DataFrame, quarter: Quarter, dims: Sequence[str]) -> pd.DataFrame:
    """Every won deal closing in ``quarter``: the drill-through behind the bonus figures."""
    won = won_in(enriched, quarter).sort_values(["rep", "close_date", "opportunity_id"])
    managers = rep_manager(enriched)
    table = pd.DataFrame(
        {
            "opportunity_id": won["opportunity_id"],
            "opportunity_name": won["opportunity_name"],
            "rep": won["rep"],
            "manager": won["manager"].where(won["manager"].notna(), won["rep"].map(managers)),
            "account": won["account"],
            "close_date": won["close_date"],
            "created_date": won["created_date"],
            "amount": won["amount"],
            "deal_type": won["deal_type"],
            "new_customer": won["new_customer"].astype(bool),
            "cycle_days": won["cycle_days"],
        }
    )
    extra = [d for d in dims if d != "deal_type"]
    for dim in extra:
        table[dim] = won[dim]
    for col in ("source_file", "source_sheet", "source_row"):
        table[col] = won[col]
    return table.reset_index(drop=True)[
        [*WON_DEAL_COLUMNS, *extra, "source_file", "source_sheet", "source_row"]
    ]
