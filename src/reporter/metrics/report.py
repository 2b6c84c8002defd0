"""What the metrics core hands to the writers: plain frozen dataclasses of DataFrames.

Writers format these; they never compute a metric. Every rate is a fraction (0.25) or
None/NaN when there is no closed outcome. Column lists below are the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from reporter.history.diff import Restatement
from reporter.quarters import Quarter, quarter_of

REP_COLUMNS = (
    "rep",
    "manager",
    "quarter",  # label, e.g. "FY2026 Q3"
    "won_opportunities",
    "won_amount",  # NaN when any won deal has no amount (never a partial sum)
    "won_without_amount",  # won deals with no amount
    "won_amount_known",  # sum of the known won amounts; NaN when none is known
    "won_amount_reason",  # why won_amount is NaN; None when it is known
    "lost_opportunities",
    "win_rate",  # won / (won + lost) by close date in the quarter; NaN if none closed
    "ci_low",  # 95 % Wilson interval of the win rate
    "ci_high",
    "directional",  # bool: won + lost < min_closed
    "target",  # the rep's target for the quarter; NaN when none given
    "attainment",  # won_amount / target; NaN without a (positive) target or won amount
    "to_date",  # ISO date the data go through when the quarter is still running, else None
)
WON_CUSTOMER_COLUMNS = ("quarter", "dimension", "segment", "won_customers", "to_date")
NEW_CUSTOMER_COLUMNS = (
    "account",
    "quarter",
    "first_won_date",
    "opportunity_id",
    "opportunity_name",
    "rep",
    "amount",
    # then one column per segment dimension (industry, company_size, region, ...)
)
SEGMENT_COLUMNS = (
    "dimension",
    "segment",
    "won",
    "lost",
    "win_rate",
    "ci_low",
    "ci_high",
    "directional",  # bool: won + lost < min_closed
    "won_amount",  # NaN when any won deal has no amount (never a partial sum)
    "won_without_amount",
    "won_amount_known",
    "won_amount_reason",
    "lost_amount",  # NaN when any lost deal has no amount
    "amount_weighted_win_rate",  # won_amount / (won_amount + lost_amount); NaN if either is
    "avg_won_amount",  # ACV mean
    "median_won_amount",  # ACV median
    "median_cycle_days",
    "mean_cycle_days",
)
LOSS_REASON_COLUMNS = (
    "dimension",
    "segment",
    "loss_reason",
    "lost",
    "share",  # of the segment's lost opportunities
)
PIPELINE_COLUMNS = (
    "dimension",  # "all", "rep" or a segment dimension
    "segment",
    "open_opportunities",
    "open_amount",  # NaN when any open deal has no amount (never a partial sum)
    "open_without_amount",  # open deals with no amount
    "open_amount_known",  # sum of the known open amounts; NaN when none is known
    "open_amount_reason",  # why open_amount is NaN; None when it is known
    "target",  # NaN when no target given
    "coverage",  # open_amount / target; NaN without a target or open amount
)
BRIDGE_COLUMNS = (
    "dimension",  # "all", "rep" or a segment dimension
    "segment",
    "won_opportunities",  # = the four parts below
    "new_customer_first_wins",  # = won customers
    "new_customer_further_wins",  # more wins of accounts first won in the quarter
    "existing_customer_wins",  # accounts won before, or customers before the data
    "no_account_wins",
)
BRIDGE_QUARTER_COLUMNS = ("quarter", *BRIDGE_COLUMNS, "to_date")
TREND_COLUMNS = (
    "quarter",
    "won_opportunities",
    "won_amount",  # NaN when any won deal has no amount
    "won_without_amount",
    "won_amount_known",
    "won_amount_reason",
    "lost_opportunities",
    "win_rate",
    "ci_low",
    "ci_high",
    "won_customers",
    "to_date",  # ISO date the data go through when the quarter is still running
)
WON_DEAL_COLUMNS = (
    "opportunity_id",
    "opportunity_name",
    "rep",
    "manager",
    "account",
    "close_date",
    "created_date",
    "amount",
    "deal_type",
    "new_customer",  # bool: this deal made the account a new customer
    "cycle_days",
    # then segment dimension columns, then source_file, source_sheet, source_row
)


@dataclass(frozen=True)
class Period:
    """The reporting period and the win-rate window mode used."""

    quarter: Quarter
    mode: str  # "snapshot" | "cohort"
    data_through: date | None = None  # latest close date of a won/lost deal in the data

    @property
    def label(self) -> str:
        return self.quarter.label

    @property
    def partial(self) -> bool:
        """True when the data stop before the quarter ends (a quarter to date)."""
        return self.data_through is not None and self.data_through < self.quarter.end

    @property
    def running(self) -> Quarter | None:
        """The quarter still running when the data stop (the one ``data_through`` falls in,
        whatever quarter is reported on); None when the data reach a quarter's last day."""
        through = self.data_through
        if through is None:
            return None
        quarter = quarter_of(through, self.quarter.start_month)
        return quarter if through < quarter.end else None

    def to_date(self, quarter_label: str) -> str | None:
        """The ISO date the data go through when ``quarter_label`` is still running, else
        None: what every per-quarter row carries in its ``to_date`` field."""
        running = self.running
        if running is None or running.label != quarter_label or self.data_through is None:
            return None
        return self.data_through.isoformat()

    def to_record(self) -> dict[str, Any]:
        return {
            "label": self.quarter.label,
            "start": self.quarter.start.isoformat(),
            "end": self.quarter.end.isoformat(),
            "mode": self.mode,
            "data_through": self.data_through.isoformat() if self.data_through else None,
            "complete": not self.partial,
        }


@dataclass(frozen=True)
class Headline:
    """Headline figures for one quarter (whole data set or one segment's subset)."""

    quarter: str
    won_opportunities: int
    won_amount: float | None  # None when any won deal has no amount (never a partial sum)
    lost_opportunities: int
    won_customers: int
    win_rate: float | None
    ci_low: float | None
    ci_high: float | None
    directional: bool
    amount_weighted_win_rate: float | None
    acv_mean: float | None
    acv_median: float | None
    cycle_days_median: float | None
    cycle_days_mean: float | None
    open_opportunities: int | None  # None for a past quarter: the pipeline is as of the data
    open_amount: float | None
    target: float | None
    coverage: float | None
    # The won and lost counts behind win_rate: the window's (cohort counts in cohort mode).
    win_rate_won: int = 0
    win_rate_lost: int = 0
    won_without_amount: int = 0  # won deals (by close date) with no amount
    won_amount_known: float | None = None  # their known amounts summed; None if none known
    # The open pipeline's deals with no amount and their known amounts summed (None for a
    # past quarter; open_amount_known None when no open deal has an amount).
    open_without_amount: int | None = None
    open_amount_known: float | None = None
    # The ISO date the figures go through when the quarter is still running (or is cut
    # there for a like-for-like comparison); None for a whole quarter.
    to_date: str | None = None


@dataclass(frozen=True)
class Change:
    """A headline figure now, the previous quarter, and the change between them."""

    name: str
    current: float | None
    previous: float | None
    kind: str = "count"  # count | money | days | rate

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def relative(self) -> float | None:
        """Fractional change (0.1 = +10 %); None when the previous value is 0 or missing,
        and for a rate (a rate changes in percentage points, never in per cent)."""
        if self.delta is None or not self.previous or self.kind == "rate":
            return None
        return self.delta / abs(self.previous)

    @property
    def points(self) -> float | None:
        """A rate's change in percentage points (0.42 → 0.45 is 3.0); None otherwise."""
        if self.delta is None or self.kind != "rate":
            return None
        return self.delta * 100

    def to_record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "current": self.current,
            "previous": self.previous,
            "delta": self.delta,
            "relative": self.relative,
            "points": self.points,
        }


@dataclass(frozen=True)
class Report:
    """All metrics for one reporting period over one set of opportunities.

    A briefing's report is the same structure computed on one segment's opportunities
    (with new-customer status still decided on the whole data set).
    """

    period: Period
    previous: Quarter
    trailing: tuple[Quarter, ...]  # four quarters ending with the period, oldest first
    quarters: tuple[Quarter, ...]  # every quarter with a close date in the data
    headline: Headline
    headline_previous: Headline
    changes: tuple[Change, ...]
    trend: pd.DataFrame  # TREND_COLUMNS, one row per trailing quarter
    won_opportunities_by_rep: pd.DataFrame  # REP_COLUMNS, every quarter in the data
    won_customers: pd.DataFrame  # WON_CUSTOMER_COLUMNS, reporting period only
    won_customers_by_quarter: pd.DataFrame  # WON_CUSTOMER_COLUMNS, every quarter
    new_customers: pd.DataFrame  # NEW_CUSTOMER_COLUMNS, reporting period only
    win_rate_by_segment: pd.DataFrame  # SEGMENT_COLUMNS, reporting period
    loss_reasons: pd.DataFrame  # LOSS_REASON_COLUMNS, reporting period (dimension "all" too)
    pipeline: pd.DataFrame  # PIPELINE_COLUMNS, open opportunities now
    won_deals: pd.DataFrame  # WON_DEAL_COLUMNS, won deals closing in the period
    dimensions: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    segment: tuple[str, str] | None = None  # (dimension, value) for a briefing's report
    # Filled by the pipeline from the history store: closed quarters vs their frozen figures,
    # the open quarter vs the last run (a briefing's: those with a deal in its segment).
    restatements: tuple[Restatement, ...] = ()
    # The full previous quarter; headline_previous is it cut at previous_through when the
    # reporting quarter is still running (like for like), else the same figures.
    headline_previous_full: Headline | None = None
    previous_through: date | None = None
    bridge: pd.DataFrame = field(default_factory=lambda: _empty(BRIDGE_COLUMNS))
    bridge_by_quarter: pd.DataFrame = field(default_factory=lambda: _empty(BRIDGE_QUARTER_COLUMNS))
    rep_totals: dict[str, Any] = field(default_factory=dict)  # the period's Rep Bonuses totals
    reasons: dict[str, str] = field(default_factory=dict)  # figure → why it is None ("—")
    currency: str | None = None  # the one currency every amount is in, when known

    @property
    def previous_label(self) -> str:
        """``FY2026 Q1 to 15 Feb 2026`` when compared like for like, else ``FY2026 Q1``."""
        day = self.previous_through
        if day is None:
            return self.previous.label
        return f"{self.previous.label} to {day.day} {day:%b %Y}"

    @property
    def previous_full_label(self) -> str:
        """``FY2026 Q1 (full quarter)``."""
        return f"{self.previous.label} (full quarter)"

    @property
    def like_for_like(self) -> bool:
        return self.previous_through is not None


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))
