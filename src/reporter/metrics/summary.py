"""Assemble a :class:`Report` for one period from an enriched opportunities frame."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from reporter.errors import InputError
from reporter.metrics.bridge import bridge_by_quarter
from reporter.metrics.compare import as_of, same_day_previous
from reporter.metrics.enrich import segment_columns
from reporter.metrics.headline import (
    changes,
    headline_for,
    lost_without_amount,
    window_missing,
)
from reporter.metrics.missing import (
    amount_sum,
    complete_sum,
    reasons,
    text_or_none,
    won_amount_reason,
)
from reporter.metrics.report import (
    NEW_CUSTOMER_COLUMNS,
    REP_COLUMNS,
    TREND_COLUMNS,
    WON_DEAL_COLUMNS,
    Period,
    Report,
)
from reporter.metrics.settings import Settings
from reporter.metrics.stats import rate
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
from reporter.metrics.targets import add_rep_figures, quarter_targets, segment_targets
from reporter.quarters import Quarter, parse_quarter


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
    whole: pd.DataFrame | None = None,
    currency: str | None = None,
) -> Report:
    """All tables for ``period`` over ``enriched`` (the whole data set or one segment).

    ``whole`` is the whole data set when ``enriched`` is one segment's subset (a segment's
    target is told from where its reps sell); ``by`` is only recorded in the report's
    settings (which dimension the briefings use).
    """
    whole = enriched if whole is None else whole
    dims = segment_columns(enriched, settings.dimensions)
    own_targets = _targets_for(targets, enriched, segment)
    quarter, mode = period.quarter, period.mode
    previous_q = quarter.previous()
    min_closed = settings.min_closed
    start = settings.fiscal_year_start_month
    window = closed_in_window(enriched, quarter, mode)
    in_period = enriched[
        enriched["close_quarter"].eq(quarter.label) | enriched["created_quarter"].eq(quarter.label)
    ]
    in_period = in_period[~in_period["outcome"].eq("excluded")]
    new = enriched[enriched["new_customer"]]
    target_now = _headline_target(whole, targets, quarter, segment)
    target_before = _headline_target(whole, targets, previous_q, segment)
    headline = headline_for(
        enriched, quarter, mode, min_closed, target_now, to_date=period.to_date(quarter.label)
    )
    previous_full = headline_for(
        enriched, previous_q, mode, min_closed, target_before, with_pipeline=False
    )
    through = same_day_previous(period)
    cut = None if through is None else as_of(enriched, through)
    previous = (
        previous_full
        if cut is None or through is None
        else headline_for(
            cut,
            previous_q,
            mode,
            min_closed,
            None,  # a target is for the whole quarter, never for part of it
            with_pipeline=False,
            to_date=through.isoformat(),
        )
    )
    all_quarters = sorted(set(quarters) | {quarter})
    labels = [q.label for q in all_quarters]
    won_customers_all = _with_to_date(won_customer_counts(new, all_quarters, dims), period)
    bridges = _with_to_date(bridge_by_quarter(enriched, labels, dims, start), period)
    reps = add_rep_figures(rep_quarters(enriched, all_quarters), own_targets, min_closed)
    reps = _with_to_date(reps, period)
    reps["won_amount_reason"] = _row_reasons(reps, currency)
    reps = reps[list(REP_COLUMNS)]
    return Report(
        period=period,
        previous=previous_q,
        trailing=quarter.trailing(4),
        quarters=tuple(quarters),
        headline=headline,
        headline_previous=previous,
        changes=changes(headline, previous),
        trend=trend(enriched, quarter.trailing(4), mode, min_closed, period, currency),
        won_opportunities_by_rep=reps,
        won_customers=won_customers_all[won_customers_all["quarter"].eq(quarter.label)].reset_index(
            drop=True
        ),
        won_customers_by_quarter=won_customers_all,
        new_customers=new_customer_list(new, quarter, dims),
        win_rate_by_segment=segment_rates(window, in_period, dims, min_closed, currency),
        loss_reasons=loss_reason_counts(window[window["outcome"].eq("lost")], dims),
        pipeline=pipeline_table(
            enriched[enriched["outcome"].eq("open")],
            dims,
            targets,
            quarter,
            whole,
            listed=None if segment is None else own_targets,
            total_target=target_now,
        ),
        won_deals=won_deal_list(enriched, quarter, dims),
        dimensions=tuple(dims),
        settings={
            "mode": mode,
            "min_closed": min_closed,
            "fiscal_year_start_month": start,
            "dimensions": list(dims),
            "briefings_by": by,
        },
        segment=segment,
        headline_previous_full=previous_full,
        previous_through=through,
        bridge=bridges[bridges["quarter"].eq(quarter.label)]
        .drop(columns="quarter")
        .reset_index(drop=True),
        bridge_by_quarter=bridges,
        rep_totals=rep_totals(reps, quarter.label, period, currency),
        reasons=reasons(
            headline,
            previous,
            any_amounts=bool(whole["amount"].notna().any()),
            quarter=quarter.label,
            previous_quarter=previous_q.label,
            lost_without_amount=lost_without_amount(enriched, quarter, mode),
            weighted_missing=window_missing(enriched, quarter, mode),
            previous_weighted_missing=window_missing(
                enriched if cut is None else cut, previous_q, mode
            ),
            currency=currency,
        ),
        currency=currency,
    )


def rep_totals(
    reps: pd.DataFrame,
    quarter_label: str,
    period: Period | None = None,
    currency: str | None = None,
) -> dict[str, object]:
    """The Rep Bonuses totals of one quarter: counts and amounts summed, rates of the sums.

    The win rate goes by close date, like every rep row; the target is the sum of the
    reps' targets (None when no rep has one). The won amount is None when any rep's is
    (some won deal has no amount): never a partial sum.
    """
    rows = reps[reps["quarter"].eq(quarter_label)]
    won = int(rows["won_opportunities"].sum())
    lost = int(rows["lost_opportunities"].sum())
    without = int(rows["won_without_amount"].sum())
    has_wins = rows["won_opportunities"].gt(0)
    known = amount_sum(rows.loc[has_wins, "won_amount_known"]) if has_wins.any() else 0.0
    amount = complete_sum(rows.loc[has_wins, "won_amount"])
    target = amount_sum(rows["target"]) if rows["target"].notna().any() else None
    attainment = amount / target if amount is not None and target else None
    return {
        "quarter": quarter_label,
        "won_opportunities": won,
        "won_amount": amount,
        "won_without_amount": without,
        "won_amount_known": known,
        "won_amount_reason": won_amount_reason(without, won, known, currency),
        "lost_opportunities": lost,
        "win_rate": rate(won, lost),
        "target": target,
        "attainment": attainment,
        "to_date": None if period is None else period.to_date(quarter_label),
    }


def _with_to_date(table: pd.DataFrame, period: Period) -> pd.DataFrame:
    """``table`` with its ``to_date`` column: the data's last day on the running quarter's
    rows, None on every whole quarter's."""
    out = table.copy()
    out["to_date"] = pd.Series(
        [period.to_date(label) for label in out["quarter"]], index=out.index, dtype=object
    )
    return out


def _row_reasons(table: pd.DataFrame, currency: str | None) -> pd.Series:
    """Each row's ``won_amount_reason`` (None where the won amount is known)."""
    return pd.Series(
        [
            won_amount_reason(int(n), int(w), None if pd.isna(k) else float(k), currency)
            for n, w, k in zip(
                table["won_without_amount"],
                table["won_opportunities"],
                table["won_amount_known"],
                strict=True,
            )
        ],
        index=table.index,
        dtype=object,
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


def _headline_target(
    whole: pd.DataFrame, targets: pd.DataFrame, quarter: Quarter, segment: tuple[str, str] | None
) -> float | None:
    """The company target, or the segment's (the same as its row in the pipeline table)."""
    q = quarter_targets(targets, quarter.label)
    if segment is None:
        return overall_target(q)
    return segment_targets(whole, q, segment[0]).get(segment[1])


def trend(
    enriched: pd.DataFrame,
    quarters: Sequence[Quarter],
    mode: str,
    min_closed: int,
    period: Period | None = None,
    currency: str | None = None,
) -> pd.DataFrame:
    """Headline figures for each of the trailing quarters, oldest first; the running
    quarter's row says ``to_date``."""
    rows = []
    for q in quarters:
        to_date = None if period is None else period.to_date(q.label)
        h = headline_for(enriched, q, mode, min_closed, None, with_pipeline=False)
        rows.append(
            {
                "quarter": q.label,
                "won_opportunities": h.won_opportunities,
                "won_amount": np.nan if h.won_amount is None else h.won_amount,
                "won_without_amount": h.won_without_amount,
                "won_amount_known": np.nan if h.won_amount_known is None else h.won_amount_known,
                "won_amount_reason": won_amount_reason(
                    h.won_without_amount, h.won_opportunities, h.won_amount_known, currency
                ),
                "lost_opportunities": h.lost_opportunities,
                "win_rate": np.nan if h.win_rate is None else h.win_rate,
                "ci_low": np.nan if h.ci_low is None else h.ci_low,
                "ci_high": np.nan if h.ci_high is None else h.ci_high,
                "won_customers": h.won_customers,
                "to_date": to_date,
            }
        )
    table = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    table["won_without_amount"] = table["won_without_amount"].astype("int64")
    for col in ("won_amount", "won_amount_known"):
        table[col] = table[col].astype("float64")
    for col in ("won_amount_reason", "to_date"):
        table[col] = text_or_none(table[col])
    return table


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
