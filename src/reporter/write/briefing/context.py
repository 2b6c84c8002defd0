"""Report → the plain, already-formatted values a briefing template lays out.

No metric is computed here: every figure is read from the segment's
:class:`~reporter.metrics.report.Report` (or the whole-company one for the comparison
chart) and turned into text by :mod:`reporter.write.briefing.format`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from reporter.config import Config
from reporter.history.records import to_record
from reporter.metrics.report import Report
from reporter.model import Dataset
from reporter.vocabulary import UNKNOWN
from reporter.write.briefing import branding, charts
from reporter.write.briefing import format as fmt
from reporter.write.briefing.restatements import restatement_rows
from reporter.write.running import through

FOOTER_INPUTS = 3
LOWER_IS_BETTER = frozenset({"cycle_days_median"})  # a shorter cycle is good news
LONG_TITLE = 48
# A table of at most this many rows is kept whole on one page with its heading (CSS class
# "keep"): a short table split 2 + 2 across pages reads as two tables. A longer one may
# break; its heading row repeats on the next page.
KEEP_ROWS = 12
WHOLE_COMPANY = "Whole company"

# (Headline field, label, kind) for the headline tiles, in reading order.
TILES = (
    ("won_opportunities", "Won opportunities", "count"),
    ("won_amount", "Won amount", "money"),
    ("won_customers", "Won customers", "count"),
    ("win_rate", "Win rate", "rate"),
    ("acv_mean", "Average deal size (ACV)", "money"),
    ("cycle_days_median", "Median sales cycle", "days"),
)


def dimension_label(name: str) -> str:
    """``lead_source`` → ``Lead source``."""
    return name.replace("_", " ").capitalize()


def _date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _day(iso: Any) -> date | None:
    """The ISO date of a row's ``to_date`` (None for a whole quarter)."""
    if fmt.missing(iso) or not str(iso).strip():
        return None
    return date.fromisoformat(str(iso)[:10])


def quarter_label(quarter: object, to_date: Any) -> str:
    """``FY2026 Q4 (to 15 Nov)`` for a quarter still running, else the quarter's label."""
    day = _day(to_date)
    return f"{quarter} ({through(day)})" if day else str(quarter)


def _amount_note(who: str, reason: Any) -> list[str]:
    """``FY2026 Q3 won amount —: 1 won deal has no amount; …`` when the core gave a reason."""
    return [] if fmt.missing(reason) or not reason else [f"{who} won amount {fmt.DASH}: {reason}"]


def _value(kind: str, value: Any, currency: str | None) -> str:
    if kind == "money":
        return fmt.money(value, currency)
    if kind == "rate":
        return fmt.percent(value)
    if kind == "days":
        return fmt.days(value)
    return fmt.integer(value)


def _tile_note(name: str, report: Report, currency: str | None) -> str:
    h = report.headline
    if name == "win_rate":
        weighted = fmt.percent(h.amount_weighted_win_rate)
        if h.amount_weighted_win_rate is None and "amount_weighted_win_rate" in report.reasons:
            weighted += f" ({report.reasons['amount_weighted_win_rate']})"
        # the counts behind the rate: the cohort's in cohort mode, never close-date counts
        cohort = " in the cohort" if report.period.mode == "cohort" else ""
        return (
            f"{fmt.integer(h.win_rate_won)} won, {fmt.integer(h.win_rate_lost)} lost{cohort} · "
            f"95% interval {fmt.interval(h.ci_low, h.ci_high)} · amount-weighted {weighted}"
        )
    if name == "acv_mean":
        return f"median {fmt.money(h.acv_median, currency)}"
    if name == "cycle_days_median":
        return f"mean {fmt.days(h.cycle_days_mean)}"
    return ""


def headline_tiles(report: Report, currency: str | None) -> list[dict[str, Any]]:
    """One tile per headline figure: value (or "—" and why), the value compared with (like
    for like when the quarter is running, with the full previous quarter), the core's
    change with an arrow, and a note."""
    changes = {c.name: c for c in report.changes}
    full = report.headline_previous_full if report.like_for_like else None
    tiles = []
    for name, label, kind in TILES:
        change = changes[name]
        value = getattr(report.headline, name)
        previous = getattr(report.headline_previous, name)
        tiles.append(
            {
                "label": label,
                "value": _value(kind, value, currency),
                "missing": report.reasons.get(name, "") if value is None else "",
                "previous": _value(kind, previous, currency),
                # "— vs — in …" reads as a comparison that was made: compare only two
                # known values, else just state the previous quarter's figure
                "compare": not fmt.missing(value) and not fmt.missing(previous),
                "previous_missing": fmt.missing(previous),
                "full_previous": _value(kind, getattr(full, name), currency) if full else "",
                "change": fmt.change(kind, change.delta, change.relative, currency),
                "direction": fmt.direction(change.delta),
                "lower_is_better": name in LOWER_IS_BETTER,
                "note": _tile_note(name, report, currency),
                "directional": name == "win_rate" and report.headline.directional,
            }
        )
    return tiles


def _capped(frame: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, int]:
    return frame.head(limit), max(len(frame) - limit, 0)


def segment_tables(
    report: Report, skip: str, currency: str | None, limit: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """Win rate by segment per other dimension; plus dimensions with no data (all Unknown)."""
    frame = report.win_rate_by_segment
    tables, absent = [], []
    for dim in dict.fromkeys(frame["dimension"].astype(str)):
        if dim in (skip, "all"):  # the briefing's own dimension is the comparison chart
            continue
        part = frame[frame["dimension"].astype(str) == dim]
        if set(part["segment"].astype(str)) <= {UNKNOWN}:
            absent.append(dimension_label(dim))
            continue
        shown, more = _capped(part, limit)
        rows = [
            {
                "segment": fmt.name(r.segment),
                "won": fmt.integer(r.won),
                "lost": fmt.integer(r.lost),
                "win_rate": fmt.percent(r.win_rate),
                "interval": fmt.interval(r.ci_low, r.ci_high),
                "directional": fmt.missing(r.directional) or bool(r.directional),
                "avg_won": fmt.money(r.avg_won_amount, currency),
                "cycle": fmt.days(r.median_cycle_days),
            }
            for r in shown.itertuples(index=False)
        ]
        tables.append(
            {
                "label": dimension_label(dim),
                "rows": rows,
                "more": more,
                "keep": len(rows) <= KEEP_ROWS,
            }
        )
    return tables, absent


def top_reps(report: Report, currency: str | None, top: int) -> dict[str, Any]:
    """The period's reps by won opportunities (then won amount), at most ``top``; while the
    period is still running, ``to_date`` ("to 15 Nov") marks its attainment."""
    frame = report.won_opportunities_by_rep
    frame = frame[(frame["quarter"] == report.period.label) & (frame["won_opportunities"] > 0)]
    frame = frame.sort_values(
        ["won_opportunities", "won_amount", "rep"], ascending=[False, False, True], kind="stable"
    )
    shown, more = _capped(frame, top)
    rows = [
        {
            "rank": i,
            "rep": fmt.name(r.rep),
            "manager": fmt.name(r.manager),
            "won": fmt.integer(r.won_opportunities),
            "amount": fmt.money(r.won_amount, currency),
            "lost": fmt.integer(r.lost_opportunities),
            "win_rate": fmt.percent(r.win_rate),
            "interval": fmt.interval(r.ci_low, r.ci_high),
            "directional": bool(r.directional),
            "target": fmt.money(r.target, currency),
            "attainment": fmt.percent(r.attainment, 0),
        }
        for i, r in enumerate(shown.itertuples(index=False), start=1)
    ]
    has_targets = bool(frame["target"].notna().any())
    # A quarter still running: its attainment is the won amount so far against the whole
    # quarter's target, a number that reads as a shortfall if it is not marked to date.
    day = _day(report.period.to_date(report.period.label))
    to_date = through(day) if day else ""
    notes = (
        [
            f"Attainment ({to_date}): won amount so far against the whole quarter's target; "
            f"{report.period.label} is still running."
        ]
        if has_targets and to_date
        else []
    )
    notes += [
        note
        for r in shown.itertuples(index=False)
        for note in _amount_note(fmt.name(r.rep), getattr(r, "won_amount_reason", None))
    ]
    return {
        "rows": rows,
        "more": more,
        "has_targets": has_targets,
        "to_date": to_date,
        "notes": notes,
        "keep": len(rows) <= KEEP_ROWS,
    }


def new_customers(report: Report, currency: str | None, limit: int) -> dict[str, Any]:
    """Accounts whose first won deal closed in the period, latest first (the heading says
    so); the core's records come in no promised order, so the order is set here."""
    frame = report.new_customers.sort_values(
        ["first_won_date", "account"], ascending=[False, True], kind="stable"
    )
    shown, more = _capped(frame, limit)
    rows = [
        {
            "account": fmt.name(r.account),
            "date": fmt.DASH if fmt.missing(r.first_won_date) else _date(r.first_won_date),
            "rep": fmt.name(r.rep),
            "opportunity": fmt.name(r.opportunity_name),
            "amount": fmt.money(r.amount, currency),
        }
        for r in shown.itertuples(index=False)
    ]
    return {
        "rows": rows,
        "more": more,
        "total": fmt.integer(len(frame)),
        "keep": len(rows) <= KEEP_ROWS,
    }


def loss_reasons(report: Report, limit: int) -> dict[str, Any]:
    """Lost opportunities of the period by reason, most frequent first."""
    frame = report.loss_reasons
    frame = frame[frame["dimension"].astype(str) == "all"]
    frame = frame.sort_values(["lost", "loss_reason"], ascending=[False, True], kind="stable")
    shown, more = _capped(frame, limit)
    rows = [
        {
            "reason": fmt.name(r.loss_reason),
            "lost": fmt.integer(r.lost),
            "share": fmt.percent(r.share),
        }
        for r in shown.itertuples(index=False)
    ]
    recorded = bool(len(frame)) and set(frame["loss_reason"].astype(str)) != {UNKNOWN}
    return {"rows": rows, "more": more, "recorded": recorded, "keep": len(rows) <= KEEP_ROWS}


def pipeline(report: Report, currency: str | None, top: int) -> dict[str, Any]:
    """Open pipeline now: totals from the headline, then the reps with most open amount."""
    h = report.headline
    frame = report.pipeline
    reps = frame[frame["dimension"].astype(str) == "rep"].sort_values(
        ["open_amount", "segment"], ascending=[False, True], kind="stable"
    )
    shown, more = _capped(reps, top)
    rows = [
        {
            "rep": fmt.name(r.segment),
            "open": fmt.integer(r.open_opportunities),
            "amount": fmt.money(r.open_amount, currency),
            "target": fmt.money(r.target, currency),
            "coverage": fmt.percent(r.coverage, 0),
        }
        for r in shown.itertuples(index=False)
    ]
    has_targets = not fmt.missing(h.target) or bool(reps["target"].notna().any())
    missing = [
        report.reasons[name]
        for name in ("open_amount", "coverage")
        if getattr(h, name) is None
        and name in report.reasons
        and (name != "coverage" or has_targets)
    ]
    return {
        "open": fmt.integer(h.open_opportunities),
        "amount": fmt.money(h.open_amount, currency),
        "target": fmt.money(h.target, currency),
        "coverage": fmt.percent(h.coverage, 0),
        "has_targets": has_targets,
        "missing": "; ".join(dict.fromkeys(missing)),
        "rows": rows,
        "more": more,
        "keep": len(rows) <= KEEP_ROWS,
    }


BRIDGE_PARTS = (
    ("new_customer_first_wins", "first wins of new customers (the won customers)"),
    ("new_customer_further_wins", "further wins of accounts first won this quarter"),
    ("existing_customer_wins", "wins from existing customers"),
    ("no_account_wins", "wins without an account"),
)


def bridge(report: Report) -> dict[str, Any]:
    """How the quarter's won opportunities become its won customers (the core's bridge)."""
    frame = report.bridge
    everyone = frame[frame["dimension"].astype(str) == "all"]
    if everyone.empty:
        return {"won": fmt.integer(0), "customers": fmt.integer(0), "rows": []}
    row = everyone.iloc[0]
    return {
        "won": fmt.integer(row["won_opportunities"]),
        "customers": fmt.integer(row["new_customer_first_wins"]),
        "rows": [{"label": text, "count": fmt.integer(row[key])} for key, text in BRIDGE_PARTS],
    }


def trend_rows(report: Report, currency: str | None) -> list[dict[str, Any]]:
    """The trailing-four-quarter figures behind the trend chart, as a table; a quarter
    still running is labelled "to" the day its figures go through."""
    return [
        {
            "quarter": quarter_label(r.quarter, getattr(r, "to_date", None)),
            "running": _day(getattr(r, "to_date", None)) is not None,
            "won": fmt.integer(r.won_opportunities),
            "amount": fmt.money(r.won_amount, currency),
            "lost": fmt.integer(r.lost_opportunities),
            "win_rate": fmt.percent(r.win_rate),
            "interval": fmt.interval(r.ci_low, r.ci_high),
            "customers": fmt.integer(r.won_customers),
        }
        for r in report.trend.itertuples(index=False)
    ]


def trend_notes(report: Report) -> list[str]:
    """Under the quarter-by-quarter table: which quarter is still running (compared with
    whole ones) and why a won amount is "—"."""
    notes = []
    for r in report.trend.itertuples(index=False):
        day = _day(getattr(r, "to_date", None))
        if day is not None:
            notes.append(
                f"{quarter_label(r.quarter, day.isoformat())}: still running, its figures go "
                f"through {_date(day)}; the other quarters are whole."
            )
        notes += _amount_note(str(r.quarter), getattr(r, "won_amount_reason", None))
    return notes


def footer(report: Report, dataset: Dataset, config: Config) -> dict[str, Any]:
    """Definitions, window mode, thresholds and the inputs' SHA-256 prefixes."""
    mode = report.period.mode
    window = (
        "snapshot: outcomes whose close date is in the period"
        if mode == "snapshot"
        else "cohort: opportunities created in the period that have closed so far"
    )
    inputs = [{"name": Path(i.path).name, "sha": i.sha256[:12]} for i in dataset.inputs]
    # The running footer has two lines of room; the full list is in the Definitions block.
    shown = " ".join(i["sha"] for i in inputs[:FOOTER_INPUTS]) or fmt.DASH
    if len(inputs) > FOOTER_INPUTS:
        shown += f" (+{len(inputs) - FOOTER_INPUTS} more)"
    return {
        "mode": mode,
        "window": window,
        "min_closed": config.win_rate.min_closed,
        "inputs": inputs,
        "sha_short": shown,
    }


Deferred = dict[str, charts.Chart]  # chart name → chart, drawn later by a briefing worker


def _svg(name: str, drawing: charts.Chart, deferred: Deferred | None) -> Markup:
    """The chart's SVG now, or its placeholder when ``deferred`` collects it for a worker."""
    if deferred is None:
        # Vega-Lite escaped every label in the SVG; Markup only stops Jinja escaping it twice
        return Markup(charts.draw(drawing))
    deferred[name] = drawing
    return Markup(charts.placeholder(name))


def _comparison(
    segments: pd.DataFrame, segment: str, config: Config, deferred: Deferred | None
) -> dict[str, Any]:
    drawing, shown, hidden = charts.comparison_chart(segments, segment, config.theme)
    return {"svg": _svg("comparison", drawing, deferred), "shown": shown, "hidden": hidden}


def build_context(
    report: Report,
    overall: Report,
    dataset: Dataset,
    config: Config,
    deferred: Deferred | None = None,
    *,
    company: bool = False,
) -> dict[str, Any]:
    """Everything ``briefing.html.j2`` needs for one segment, as formatted text.

    ``company``: the whole company's briefing; ``scope`` then says so instead of naming
    the dimension its segments are compared by.

    With ``deferred``, the charts are not drawn: the context holds placeholders and
    ``deferred`` receives the charts (see :func:`reporter.write.briefing.charts.fill`).
    """
    dimension, segment = report.segment or (config.briefings.by, "All")
    currency = report.currency  # the core's one currency label (None: no symbol)
    limit = config.briefings.max_rows
    comparison = overall.win_rate_by_segment
    comparison = comparison[comparison["dimension"].astype(str) == dimension]
    tables, absent = segment_tables(report, dimension, currency, limit)
    quarter = report.period.quarter
    return {
        "segment": fmt.name(segment, fmt.TITLE_CHARS),
        "segment_short": charts.short(segment, 60),
        "long_title": len(str(segment)) > LONG_TITLE,
        "dimension": dimension_label(dimension),
        "company": company,
        "scope": WHOLE_COMPANY if company else dimension_label(dimension),
        "period": report.period.label,
        "period_dates": f"{_date(quarter.start)} – {_date(quarter.end)}"
        + (
            f"; quarter to date, data through {_date(report.period.data_through)}"
            if report.period.partial and report.period.data_through
            else ""
        ),
        "previous": report.previous_label,
        "previous_full": report.previous_full_label if report.like_for_like else "",
        "currency": currency or "",
        "directional": report.headline.directional,
        "min_closed": config.win_rate.min_closed,
        "tiles": headline_tiles(report, currency),
        "segment_tables": tables,
        "absent_dimensions": absent,
        "top_reps": top_reps(report, currency, config.briefings.top_reps),
        "new_customers": new_customers(report, currency, limit),
        "loss_reasons": loss_reasons(report, limit),
        "pipeline": pipeline(report, currency, config.briefings.top_reps),
        "bridge": bridge(report),
        "trend": {
            "svg": _svg("trend", charts.trend_chart(report.trend, config.theme), deferred),
            "running": next(
                (r["quarter"] for r in trend_rows(report, currency) if r["running"]), ""
            ),
        },
        "trend_rows": trend_rows(report, currency),
        "trend_notes": trend_notes(report),
        "comparison": _comparison(comparison, str(segment), config, deferred),
        "footer": footer(report, dataset, config),
        "restatements": restatement_rows(map(to_record, report.restatements), currency),
        "theme": branding.context(config.theme),
    }
