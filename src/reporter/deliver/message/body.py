"""The words of each message: what it is, the period, the headline figures, data quality.

Every figure comes from the run's metrics.json (copied into delivery.json at build time);
nothing is computed here but formatting. Each message has a plain-text body and an HTML
alternative saying the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

MISSING = "—"


@dataclass(frozen=True)
class Body:
    """A message's subject, plain text and HTML."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Section:
    """A titled block: lines of prose and/or rows of (label, value)."""

    title: str
    lines: tuple[str, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()


def period_text(label: str, detail: Mapping[str, Any] | None) -> str:
    """ "FY2026 Q3 (1 Jul 2026 – 30 Sep 2026), quarter to date: data through 20 Sep 2026"."""
    detail = detail or {}
    start, end = _day(detail.get("start")), _day(detail.get("end"))
    text = f"{label} ({start} – {end})" if start and end else label
    if detail.get("complete") is False:
        through = _day(detail.get("data_through"))
        text += ", quarter to date" + (f": data through {through}" if through else "")
    return text


def headline_rows(
    headline: Mapping[str, Any], currency: str | None = None
) -> tuple[tuple[str, str], ...]:
    """The headline figures as (label, formatted value); a missing figure shows "—".

    Amounts carry ``currency`` (the one currency the metrics core labelled them with,
    e.g. "6,400 USD"); without one they are shown bare, as every other output shows them.
    """
    won, lost = headline.get("won_opportunities"), headline.get("lost_opportunities")
    rate = headline.get("win_rate")
    rate_text = MISSING + " (no won or lost opportunities)" if rate is None else f"{rate:.1%}"
    if rate is not None and won is not None and lost is not None:
        rate_text += f" ({won:,} won, {lost:,} lost)"
    if rate is not None and headline.get("directional"):
        rate_text += ", directional: few closed deals"
    rows = [
        ("Won opportunities", _count(won)),
        ("Won amount", _amount(headline.get("won_amount"), currency)),
        ("Won customers", _count(headline.get("won_customers"))),
        ("Win rate", rate_text),
    ]
    if headline.get("target") is not None:
        rows.append(("Target", _amount(headline.get("target"), currency)))
    return tuple(rows)


def quality_section(quality: Mapping[str, Any]) -> Section:
    """The data-quality summary: counts per issue, the quarantined rows, where to look."""
    codes: Sequence[Mapping[str, Any]] = quality.get("codes") or ()
    if not codes:
        return Section("Data quality", ("no issues: every row was read and counted.",))
    total = sum(int(c["count"]) for c in codes)
    lines = [
        f"{total:,} issue(s); {int(quality.get('quarantined', 0)):,} row(s) quarantined"
        " (not counted). The Data Quality sheet of sales-report.xlsx lists each one.",
    ]
    rows = tuple((f"{c['title']} ({c['code']})", f"{int(c['count']):,}") for c in codes)
    return Section("Data quality", tuple(lines), rows)


def render(subject: str, greeting: str, sections: Sequence[Section], footer: str) -> Body:
    """Plain text and HTML from the same sections."""
    text = [greeting, ""]
    html = [f"<p>{escape(greeting)}</p>"]
    for s in sections:
        text.append(f"{s.title}:")
        html.append(f"<h3>{escape(s.title)}</h3>")
        text += [f"  {line}" for line in s.lines]
        html += [f"<p>{escape(line)}</p>" for line in s.lines]
        if s.rows:
            width = max(len(label) for label, _ in s.rows)
            text += [f"  {label + ':':<{width + 1}} {value}" for label, value in s.rows]
            html.append("<table>")
            html += [
                f'<tr><td>{escape(label)}</td><td align="right">{escape(value)}</td></tr>'
                for label, value in s.rows
            ]
            html.append("</table>")
        text.append("")
    text.append(f"-- {footer}")
    html.append(f'<p style="color:#666">{escape(footer)}</p>')
    page = '<html><body style="font-family:sans-serif">' + "\n".join(html) + "</body></html>"
    return Body(subject, "\n".join(text) + "\n", page + "\n")


def _day(value: Any) -> str:
    if not value:
        return ""
    try:
        d = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{d.day} {d:%b %Y}"


def _count(value: Any) -> str:
    return MISSING if value is None else f"{int(value):,}"


def _amount(value: Any, currency: str | None = None) -> str:
    if value is None:
        return MISSING + " (no amounts in the data)"
    return f"{float(value):,.0f}" + (f" {currency}" if currency else "")
