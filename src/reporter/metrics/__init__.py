"""The metrics core: canonical opportunities in, :class:`Report` out. No I/O.

``compute`` builds the company-wide report; ``segment_reports`` builds one report per
segment of the briefing dimension, with new-customer status decided on the whole data set.
Definitions: SPEC.md "Definitions" and docs/metrics.md.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from reporter.config import Config
from reporter.metrics.enrich import enrich, is_enriched, segment_columns, segment_sort_key
from reporter.metrics.report import Period, Report
from reporter.metrics.summary import build_report, choose_period, data_quarters
from reporter.model import empty_targets
from reporter.quarters import Quarter, parse_quarter

__all__ = [
    "Quarter",
    "Report",
    "compute",
    "data_through",
    "enrich",
    "resolve_period",
    "segment_reports",
]


def data_through(enriched: pd.DataFrame) -> date | None:
    """The latest close date of a won or lost opportunity (how far the data reach)."""
    closed = enriched.loc[enriched["outcome"].isin(("won", "lost")), "close_date"].dropna()
    return None if closed.empty else closed.max().date()


def resolve_period(enriched: pd.DataFrame, config: Config, period: str | None) -> Quarter:
    """The reporting quarter: ``period`` if given, else the latest with closed outcomes."""
    start = config.periods.fiscal_year_start_month
    if period is None:
        return choose_period(enriched, start)
    quarter = parse_quarter(period, start)
    known = data_quarters(enriched, start)
    if known and not (known[0] <= quarter <= known[-1]):
        from reporter.errors import PeriodError

        raise PeriodError(
            f"period {quarter.label} is outside the data, which has closed deals from "
            f"{known[0].label} to {known[-1].label}",
            hint=f"pick a quarter in that range, e.g. --period {known[-1].key}",
        )
    return quarter


def compute(
    opportunities: pd.DataFrame,
    config: Config,
    period: str | Quarter | None = None,
    targets: pd.DataFrame | None = None,
) -> Report:
    """Every metric for the reporting period over all ``opportunities``."""
    enriched = opportunities if is_enriched(opportunities) else enrich(opportunities, config)
    quarter = period if isinstance(period, Quarter) else resolve_period(enriched, config, period)
    return build_report(
        enriched,
        Period(quarter, config.win_rate.mode, data_through(enriched)),
        config,
        targets if targets is not None else empty_targets(),
        quarters=data_quarters(enriched, config.periods.fiscal_year_start_month),
    )


def segment_reports(
    opportunities: pd.DataFrame,
    config: Config,
    period: str | Quarter | None = None,
    targets: pd.DataFrame | None = None,
    dimension: str | None = None,
) -> dict[str, Report]:
    """One report per segment of ``dimension`` (default: the briefing dimension).

    The period is chosen on the whole data set so every briefing covers the same quarter.
    """
    dim = dimension or config.briefings.by
    enriched = opportunities if is_enriched(opportunities) else enrich(opportunities, config)
    if dim not in enriched.columns:
        from reporter.errors import ConfigError

        known = ", ".join(segment_columns(enriched, config))
        raise ConfigError(
            f"briefings are by {dim!r}, but the data has no such column",
            hint=f"set [briefings] by to one of: {known}",
        )
    quarter = period if isinstance(period, Quarter) else resolve_period(enriched, config, period)
    all_quarters = data_quarters(enriched, config.periods.fiscal_year_start_month)
    tg = targets if targets is not None else empty_targets()
    through = data_through(enriched)
    reports: dict[str, Report] = {}
    for value in sorted(enriched[dim].dropna().unique(), key=segment_sort_key):
        subset = enriched[enriched[dim].eq(value)]
        reports[str(value)] = build_report(
            subset,
            Period(quarter, config.win_rate.mode, through),
            config,
            tg,
            quarters=all_quarters,
            segment=(dim, str(value)),
        )
    return reports
