"""The metrics core: canonical opportunities in, :class:`Reports` out. No I/O.

:func:`run` is the one entry point: it enriches the canonical frame once, picks the period
on the whole data set, and builds the company-wide report plus, when the caller names a
dimension ``by``, one report per segment of it (new-customer status decided on the whole data
set). The core takes the :class:`Settings` it needs; output settings never reach it.
Definitions: SPEC.md "Definitions" and docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from reporter.config import Config
from reporter.errors import ConfigError, PeriodError
from reporter.metrics.codes import Codes
from reporter.metrics.enrich import enrich as enrich_frame
from reporter.metrics.enrich import enrich_coded, segment_columns
from reporter.metrics.facts import Facts, Groups, facts_of
from reporter.metrics.report import Period, Report
from reporter.metrics.settings import Settings
from reporter.metrics.summary import Context, build_reports, choose_period, data_quarters
from reporter.model import empty_targets
from reporter.quarters import Quarter, parse_quarter
from reporter.vocabulary import CLOSED

__all__ = [
    "Quarter",
    "Report",
    "Reports",
    "Settings",
    "compute",
    "enrich",
    "run",
    "segment_reports",
]


@dataclass(frozen=True)
class Reports:
    """The company-wide report, one report per segment of ``by``, and the enriched frame
    they were computed from (for history, which records deals as the core saw them)."""

    company: Report
    segments: dict[str, Report] = field(default_factory=dict)
    enriched: pd.DataFrame | None = None


def run(
    opportunities: pd.DataFrame,
    settings: Settings,
    *,
    period: str | Quarter | None = None,
    targets: pd.DataFrame | None = None,
    by: str | None = None,
    currency: str | None = None,
) -> Reports:
    """Every metric for the period: company-wide, and per segment of ``by`` when given.

    ``opportunities`` is the canonical frame (``model.OPPORTUNITY_COLUMNS``); ``period`` a
    quarter or its text (``FY2026Q3``), default the latest with closed deals; ``by`` the
    dimension the caller wants one report per segment of (the briefings' dimension);
    ``currency`` the one currency every amount is in (default: the frame's ``currency``
    column when it holds exactly one code).
    """
    enriched, codes = enrich_coded(opportunities, settings, by)
    if by is not None and by not in enriched.columns:
        known = ", ".join(segment_columns(enriched, settings.dimensions))
        raise ConfigError(
            f"briefings are by {by!r}, but the data has no such column",
            hint=f"set [briefings] by to one of: {known}",
        )
    currency = currency or one_currency(opportunities)
    facts = facts_of(enriched, segment_columns(enriched, settings.dimensions), codes)
    context = _context(enriched, settings, period, targets, by, currency, codes, facts)
    # One grouped pass: the company's report is group 0 (every row), each segment of ``by``
    # one more group (each row in its segment's too); the reports are slices of its results.
    groups = (
        Groups.company_only(len(enriched))
        if by is None
        else Groups.segments(enriched, by, codes[by], company=True)
    )
    company, *rest = build_reports(enriched, facts, groups, context)
    segments = dict(zip(groups.names[1:], rest, strict=True))
    return Reports(company, segments, enriched)


def _context(
    enriched: pd.DataFrame,
    settings: Settings,
    period: str | Quarter | None,
    targets: pd.DataFrame | None,
    by: str | None,
    currency: str | None = None,
    codes: dict[str, Codes] | None = None,
    facts: Facts | None = None,
) -> Context:
    """The period, targets and quarters every report of a run shares (``codes`` and
    ``facts``: the run's, when made, so the outcomes are not compared again)."""
    start = settings.fiscal_year_start_month
    close_quarter = None if codes is None else codes["close_quarter"]
    closed = None if facts is None else facts.won | facts.lost
    quarters = data_quarters(enriched, start, close_quarter, closed)
    quarter = (
        period
        if isinstance(period, Quarter)
        else _resolve_period(enriched, settings, period, quarters, close_quarter, closed)
    )
    window = Period(quarter, settings.win_rate_mode, _data_through(enriched, closed))
    tg = targets if targets is not None else empty_targets()
    return Context(window, settings, tg, quarters, by, currency)


def compute(
    opportunities: pd.DataFrame,
    config: Config,
    period: str | Quarter | None = None,
    targets: pd.DataFrame | None = None,
) -> Report:
    """The company-wide report of :func:`run`, settings taken from a whole config.

    A convenience for tests and benchmarks; it skips the per-segment reports.
    """
    settings = Settings.of(config)
    by = config.briefings.by
    enriched, codes = enrich_coded(opportunities, settings, by)
    facts = facts_of(enriched, segment_columns(enriched, settings.dimensions), codes)
    currency = one_currency(opportunities)
    context = _context(enriched, settings, period, targets, by, currency, codes, facts)
    return build_reports(enriched, facts, Groups.company_only(len(enriched)), context)[0]


def segment_reports(
    opportunities: pd.DataFrame,
    config: Config,
    period: str | Quarter | None = None,
    targets: pd.DataFrame | None = None,
    dimension: str | None = None,
) -> dict[str, Report]:
    """The per-segment reports of :func:`run` (default dimension: ``[briefings] by``).

    A convenience for tests and benchmarks; the pipeline calls :func:`run`.
    """
    by = dimension or config.briefings.by
    return run(opportunities, Settings.of(config), period=period, targets=targets, by=by).segments


def enrich(opportunities: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The enriched frame :func:`run` computes on, settings taken from a whole config.

    A convenience for tests and history; :func:`run` enriches by itself.
    """
    return enrich_frame(opportunities, Settings.of(config), config.briefings.by)


def one_currency(opportunities: pd.DataFrame) -> str | None:
    """The one currency code of the opportunities, or None when absent or mixed."""
    if "currency" not in opportunities.columns:
        return None
    # Each distinct value once (a million rows hold a handful of codes).
    distinct = pd.unique(opportunities["currency"].dropna().to_numpy(dtype=object))
    codes = {str(c).strip().upper() for c in distinct if str(c).strip()}
    return codes.pop() if len(codes) == 1 else None


def _data_through(enriched: pd.DataFrame, closed: np.ndarray | None = None) -> date | None:
    """The latest close date of a won or lost opportunity (how far the data reach).

    A close date after today is a typo or a forecast, never how far the data reach (the
    reader flags it); it counts only when every closed deal is dated in the future.
    """
    is_closed = closed
    if is_closed is None:
        outcome = enriched["outcome"].to_numpy(dtype=object)
        is_closed = np.zeros(len(outcome), dtype=bool)
        for word in CLOSED:
            is_closed |= outcome == word
    closed = enriched["close_date"].to_numpy(dtype="datetime64[ns]")[is_closed]
    closed = closed[~np.isnat(closed)]
    past = closed[closed <= np.datetime64(pd.Timestamp(date.today()), "ns")]
    closed = past if len(past) else closed
    return None if not len(closed) else pd.Timestamp(closed.max()).date()


def _resolve_period(
    enriched: pd.DataFrame,
    settings: Settings,
    period: str | None,
    known: list[Quarter],
    close_quarter: Codes | None,
    closed: np.ndarray | None = None,
) -> Quarter:
    """The reporting quarter: ``period`` if given, else the latest with closed outcomes
    (``known``: the quarters with closed outcomes)."""
    start = settings.fiscal_year_start_month
    if period is None:
        return choose_period(enriched, start, close_quarter, closed)
    quarter = parse_quarter(period, start)
    if known and not (known[0] <= quarter <= known[-1]):
        raise PeriodError(
            f"period {quarter.label} is outside the data, which has closed deals from "
            f"{known[0].label} to {known[-1].label}",
            hint=f"pick a quarter in that range, e.g. --period {known[-1].key}",
        )
    return quarter
