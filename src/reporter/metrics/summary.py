"""Assemble the :class:`Report` of every group (the company, or each segment) in one pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from reporter.errors import InputError
from reporter.metrics.bridge import bridge_by_quarter
from reporter.metrics.codes import Codes
from reporter.metrics.compare import same_day_previous
from reporter.metrics.enrich import segment_columns
from reporter.metrics.facts import Facts, Groups
from reporter.metrics.headline import QuarterFigures, changes, quarter_figures
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
    Headline,
    Period,
    Report,
)
from reporter.metrics.settings import Settings
from reporter.metrics.stats import rate
from reporter.metrics.tables import (
    loss_reason_counts,
    overall_target,
    pipeline_table,
    rep_manager,
    rep_quarters,
    segment_rates,
    won_customer_counts,
)
from reporter.metrics.targets import add_rep_figures, quarter_targets, segment_targets
from reporter.quarters import Quarter, parse_quarter


def data_quarters(
    enriched: pd.DataFrame,
    start_month: int,
    close_quarter: Codes | None = None,
    closed: np.ndarray | None = None,
) -> list[Quarter]:
    """Every quarter in which some won or lost opportunity closed, oldest first.

    ``close_quarter``: the codes of the ``close_quarter`` column, and ``closed``: which rows
    are won or lost, when the caller has them.
    """
    return _closed_quarters(enriched, start_month, None, close_quarter, closed)


def _closed_quarters(
    enriched: pd.DataFrame,
    start_month: int,
    rows: np.ndarray | None,
    close_quarter: Codes | None = None,
    closed: np.ndarray | None = None,
) -> list[Quarter]:
    if closed is None:
        outcome = enriched["outcome"].to_numpy(dtype=object)
        closed = (outcome == "won") | (outcome == "lost")
    if rows is not None:
        closed = closed & rows
    if close_quarter is None:
        labels = pd.unique(enriched["close_quarter"].to_numpy(dtype=object)[closed]).tolist()
    else:
        # Which quarter codes occur among the closed rows: a count per code, no hashing.
        hit = close_quarter.codes[closed]
        seen = np.bincount(hit[hit >= 0], minlength=len(close_quarter.values))
        labels = close_quarter.values[seen > 0].tolist()
    return sorted(parse_quarter(label, start_month) for label in labels if label is not None)


def choose_period(
    enriched: pd.DataFrame,
    start_month: int,
    close_quarter: Codes | None = None,
    closed: np.ndarray | None = None,
) -> Quarter:
    """The latest quarter with closed outcomes dated no later than today.

    A deal dated in the future (a typo such as 2052 for 2025) is flagged by the reader and
    never becomes the period; only when every closed deal is in the future is one used.
    ``close_quarter``, ``closed``: as for :func:`data_quarters`.
    """
    today = pd.Timestamp(date.today())
    past = enriched["close_date"].le(today).to_numpy()
    quarters = _closed_quarters(
        enriched, start_month, past, close_quarter, closed
    ) or data_quarters(enriched, start_month, close_quarter, closed)
    if not quarters:
        raise InputError(
            "no won or lost opportunity with a close date in the data, so there is no "
            "quarter to report on",
            hint="check the stage / IsWon columns and the close dates (see `reporter check`)",
        )
    return quarters[-1]


@dataclass(frozen=True)
class Context:
    """What every report of a run shares: period, settings, targets, quarters, currency."""

    period: Period
    settings: Settings
    targets: pd.DataFrame
    quarters: Sequence[Quarter]
    by: str | None = None
    currency: str | None = None


def build_reports(
    enriched: pd.DataFrame, facts: Facts, groups: Groups, context: Context
) -> list[Report]:
    """The report of every group: all tables for the period, from grouped passes.

    New-customer status and a segment's target are told from the whole data set
    (``enriched``), whatever the group.
    """
    settings, targets, period = context.settings, context.targets, context.period
    dims = segment_columns(enriched, settings.dimensions)
    quarter, mode = period.quarter, period.mode
    previous_q = quarter.previous()
    min_closed = settings.min_closed
    start = settings.fiscal_year_start_month
    q_code, p_code = facts.quarter_code(quarter.label), facts.quarter_code(previous_q.label)
    trailing = quarter.trailing(4)
    figures = quarter_figures(facts, groups, [facts.quarter_code(q.label) for q in trailing], mode)
    through = same_day_previous(period)
    cut = _cut_figures(enriched, facts, groups, p_code, mode, through)
    all_quarters = sorted(set(context.quarters) | {quarter})
    labels = [q.label for q in all_quarters]
    targets_now = _group_targets(enriched, targets, quarter, groups)
    targets_before = _group_targets(enriched, targets, previous_q, groups)
    open_count, open_known, open_sum = _open_figures(facts, groups)
    window_q = facts.close_q if mode == "snapshot" else facts.created_q
    window = (facts.won | facts.lost) & (window_q == q_code)
    in_period = ((facts.close_q == q_code) | (facts.created_q == q_code)) & ~facts.excluded
    rates = segment_rates(
        enriched, facts, groups, window, in_period, dims, min_closed, context.currency
    )
    losses = loss_reason_counts(enriched, facts, groups, window & facts.lost, dims)
    pipelines = pipeline_table(
        enriched, facts, groups, dims, targets, quarter, targets_now, context.currency
    )
    customers = won_customer_counts(facts, groups, all_quarters, dims)
    bridges = bridge_by_quarter(enriched, facts, groups, labels, dims, start)
    reps = _rep_tables(enriched, facts, groups, all_quarters, targets, context)
    if "lists" not in facts.memo:  # the same for every grouping of the run
        facts.memo["lists"] = (
            new_customer_list(enriched, facts, quarter, dims),
            won_deal_list(enriched, facts, quarter, dims),
        )
    new_list, won_list = facts.memo["lists"]
    new_lists = _slices(new_list[0], groups, new_list[1])
    won_lists = _won_deal_lists(enriched, facts, groups, won_list)
    any_amounts = bool(np.any(~np.isnan(facts.amount)))
    out = []
    for g in range(groups.size):
        headline = figures.headline(
            g,
            q_code,
            quarter.label,
            min_closed,
            targets_now[g],
            open_figures=(
                int(open_count[g]),
                int(open_count[g] - open_known[g]),
                float(open_sum[g]),
            ),
            to_date=period.to_date(quarter.label),
        )
        previous_full = figures.headline(g, p_code, previous_q.label, min_closed, targets_before[g])
        previous = (
            previous_full
            if cut is None or through is None
            else cut.headline(
                g,
                p_code,
                previous_q.label,
                min_closed,
                None,  # a target is for the whole quarter, never for part of it
                to_date=through.isoformat(),
            )
        )
        won_customers_all = _with_to_date(customers[g], period)
        bridge_all = _with_to_date(bridges[g], period)
        segment = None if groups.is_company(g) else (str(groups.dimension), groups.names[g])
        out.append(
            Report(
                period=period,
                previous=previous_q,
                trailing=trailing,
                quarters=tuple(context.quarters),
                headline=headline,
                headline_previous=previous,
                changes=changes(headline, previous),
                trend=trend(figures, g, facts, trailing, min_closed, period, context.currency),
                won_opportunities_by_rep=reps[g],
                won_customers=_rows_of(won_customers_all, quarter.label),
                won_customers_by_quarter=won_customers_all,
                new_customers=new_lists[g],
                win_rate_by_segment=rates[g],
                loss_reasons=losses[g],
                pipeline=pipelines[g],
                won_deals=won_lists[g],
                dimensions=tuple(dims),
                settings={
                    "mode": mode,
                    "min_closed": min_closed,
                    "fiscal_year_start_month": start,
                    "dimensions": list(dims),
                    "briefings_by": context.by,
                },
                segment=segment,
                headline_previous_full=previous_full,
                previous_through=through,
                bridge=_rows_of(bridge_all, quarter.label).drop(columns="quarter"),
                bridge_by_quarter=bridge_all,
                rep_totals=rep_totals(reps[g], quarter.label, period, context.currency),
                reasons=reasons(
                    headline,
                    previous,
                    any_amounts=any_amounts,
                    quarter=quarter.label,
                    previous_quarter=previous_q.label,
                    lost_without_amount=figures.lost_without_amount(g, q_code),
                    weighted_missing=figures.window_missing(g, q_code),
                    previous_weighted_missing=(cut or figures).window_missing(g, p_code),
                    currency=context.currency,
                ),
                currency=context.currency,
            )
        )
    return out


def _open_figures(facts: Facts, groups: Groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each group's open deals: how many, how many with an amount, and their amounts summed."""
    # The open deals and their amounts do not depend on the grouping: found once per run.
    rows, has_amount, amount = facts.once("open deals", lambda: _open_deals(facts))
    group, has_amount, amount = groups.spread(rows, has_amount, amount)
    none = np.zeros(len(group), dtype=np.int64)
    count = groups.bincount(group, none, 1)
    known = groups.bincount(group, none, 1, weights=has_amount)
    return count, known, groups.bincount(group, none, 1, weights=amount)


def _open_deals(facts: Facts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.flatnonzero(facts.open)
    amount = facts.amount[rows]
    return rows, ~np.isnan(amount), np.nan_to_num(amount)


def _cut_figures(
    enriched: pd.DataFrame,
    facts: Facts,
    groups: Groups,
    p_code: int,
    mode: str,
    through: date | None,
) -> QuarterFigures | None:
    """The previous quarter's figures as the data stood on ``through`` (like for like)."""
    if through is None:
        return None
    cutoff = pd.Timestamp(through)
    keep = ~enriched["created_date"].gt(cutoff).to_numpy()
    return quarter_figures(
        facts,
        groups,
        [p_code],
        mode,
        keep=keep,
        closed_by=cutoff,
        close_date=enriched["close_date"].to_numpy(),
    )


def _group_targets(
    enriched: pd.DataFrame, targets: pd.DataFrame, quarter: Quarter, groups: Groups
) -> list[float | None]:
    """Each group's headline target: the company's, or the segment's (the same as its row
    in the pipeline table)."""
    q = quarter_targets(targets, quarter.label)
    if groups.dimension is None:
        return [overall_target(q)]
    by_segment = segment_targets(enriched, q, groups.dimension)
    return [
        overall_target(q) if groups.is_company(g) else by_segment.get(name)
        for g, name in enumerate(groups.names)
    ]


def _rep_tables(
    enriched: pd.DataFrame,
    facts: Facts,
    groups: Groups,
    quarters: Sequence[Quarter],
    targets: pd.DataFrame,
    context: Context,
) -> list[pd.DataFrame]:
    """Every group's rep-quarter table with targets, attainment, intervals and to_date."""
    table = rep_quarters(enriched, facts, groups, quarters)
    group = table["_g"]
    reps = add_rep_figures(table.drop(columns="_g"), targets, context.settings.min_closed)
    reps = _with_to_date(reps, context.period)
    reps["won_amount_reason"] = _row_reasons(reps, context.currency)
    reps = reps[list(REP_COLUMNS)]
    reps.insert(0, "_g", group)
    return groups.split(reps)


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


def _rows_of(table: pd.DataFrame, label: str) -> pd.DataFrame:
    return table[table["quarter"].eq(label)].reset_index(drop=True)


def _with_to_date(table: pd.DataFrame, period: Period) -> pd.DataFrame:
    """``table`` with its ``to_date`` column: the data's last day on the running quarter's
    rows, None on every whole quarter's."""
    out = table.copy()
    # One answer per distinct quarter label, spread over the rows.
    codes, labels = pd.factorize(out["quarter"], use_na_sentinel=True)
    answers = np.array([period.to_date(label) for label in labels] + [None], dtype=object)
    out["to_date"] = pd.Series(answers[codes], index=out.index, dtype=object)
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


def trend(
    figures: QuarterFigures,
    g: int,
    facts: Facts,
    quarters: Sequence[Quarter],
    min_closed: int,
    period: Period,
    currency: str | None = None,
) -> pd.DataFrame:
    """Headline figures for each of the trailing quarters, oldest first; the running
    quarter's row says ``to_date``."""
    rows = []
    for q in quarters:
        h = figures.headline(g, facts.quarter_code(q.label), q.label, min_closed, None)
        rows.append(_trend_row(h, period.to_date(q.label), currency))
    table = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    table["won_without_amount"] = table["won_without_amount"].astype("int64")
    for col in ("won_amount", "won_amount_known"):
        table[col] = table[col].astype("float64")
    for col in ("won_amount_reason", "to_date"):
        table[col] = text_or_none(table[col])
    return table


def _trend_row(h: Headline, to_date: str | None, currency: str | None) -> dict[str, object]:
    def nan(value: float | None) -> float:
        return np.nan if value is None else value

    return {
        "quarter": h.quarter,
        "won_opportunities": h.won_opportunities,
        "won_amount": nan(h.won_amount),
        "won_without_amount": h.won_without_amount,
        "won_amount_known": nan(h.won_amount_known),
        "won_amount_reason": won_amount_reason(
            h.won_without_amount, h.won_opportunities, h.won_amount_known, currency
        ),
        "lost_opportunities": h.lost_opportunities,
        "win_rate": nan(h.win_rate),
        "ci_low": nan(h.ci_low),
        "ci_high": nan(h.ci_high),
        "won_customers": h.won_customers,
        "to_date": to_date,
    }


def _slices(table: pd.DataFrame, groups: Groups, rows: np.ndarray) -> list[pd.DataFrame]:
    """One table of the whole data set cut per group, in its order (``rows``: each table
    row's position in the enriched frame)."""
    code = groups.code[rows]
    whole = table.reset_index(drop=True)
    return [
        whole if groups.is_company(g) else table[code == g].reset_index(drop=True)
        for g in range(groups.size)
    ]


def _columns(enriched: pd.DataFrame, rows: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """The ``names`` columns of the enriched frame at positions ``rows`` (no full-frame take)."""
    return pd.DataFrame({name: enriched[name].take(rows).reset_index(drop=True) for name in names})


def new_customer_list(
    enriched: pd.DataFrame, facts: Facts, quarter: Quarter, dims: Sequence[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Each account won for the first time in ``quarter``, with its first won deal, and
    the deals' positions in ``enriched``."""
    rows = np.flatnonzero(facts.new_customer & (facts.close_q == facts.quarter_code(quarter.label)))
    names = ["account", "close_quarter", "close_date", "opportunity_id", "opportunity_name"]
    deals = _columns(enriched, rows, [*names, "rep", "amount", *dims])
    deals = deals.sort_values(["close_date", "account"])
    table = deals.rename(columns={"close_quarter": "quarter", "close_date": "first_won_date"})
    return table[[*NEW_CUSTOMER_COLUMNS, *dims]], rows[deals.index.to_numpy()]


def won_deal_list(
    enriched: pd.DataFrame, facts: Facts, quarter: Quarter, dims: Sequence[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Every won deal closing in ``quarter`` (the drill-through behind the bonus figures),
    and the deals' positions in ``enriched``; managers are filled per group."""
    rows = np.flatnonzero(facts.won & (facts.close_q == facts.quarter_code(quarter.label)))
    extra = [d for d in dims if d != "deal_type"]
    names = [*WON_DEAL_COLUMNS, *extra, "source_file", "source_sheet", "source_row"]
    won = _columns(enriched, rows, names)
    won = won.sort_values(["rep", "close_date", "opportunity_id"])
    won["new_customer"] = won["new_customer"].astype(bool)
    return won, rows[won.index.to_numpy()]


def _won_deal_lists(
    enriched: pd.DataFrame,
    facts: Facts,
    groups: Groups,
    deals: tuple[pd.DataFrame, np.ndarray],
) -> list[pd.DataFrame]:
    """The won deal list of every group: a deal with no manager takes its rep's usual
    manager within the group."""
    table, rows = deals
    managers = rep_manager(enriched, facts, groups, np.ones(facts.n, dtype=bool))

    def filled(group: np.ndarray) -> pd.DataFrame:
        """The table with each blank manager filled from ``group``'s usual managers."""
        out = table.copy()
        fallback: object = None  # no rep has a usual manager: blanks stay blank
        if managers:
            fallback = pd.Series(
                [managers.get((int(g), str(r))) for g, r in zip(group, out["rep"], strict=True)],
                index=out.index,
                dtype=object,
            )
        out["manager"] = out["manager"].where(out["manager"].notna(), fallback)
        return out

    lists = _slices(filled(groups.code[rows]), groups, rows)
    if groups.company and groups.dimension is not None:  # the company's: its own managers
        lists[0] = filled(np.zeros(len(rows), dtype=np.int64)).reset_index(drop=True)
    return lists
