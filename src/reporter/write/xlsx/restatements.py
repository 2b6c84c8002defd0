"""The **Restatements** sheet: every figure of a closed quarter (or of the open quarter since
the last run) that changed, one row per deal behind the change and what changed in it.

The figures are the ones the metrics core computed (now) and the history store froze or
recorded (then); the difference and each deal's effect come from ``reporter.history.diff``.
An empty sheet says so in its one row: nothing changed. A figure the core could not know
(a won amount with a won deal missing its amount) is "—" with the reason beside it, and so
are the difference and a deal's effect on it: never 0.
"""

from __future__ import annotations

from typing import Any

from reporter.history.records import sheet_rows
from reporter.metrics.report import Report
from reporter.write.xlsx.cells import INT, MONEY, TEXT, Unknown
from reporter.write.xlsx.table import Col, Table

SHEET = "Restatements"
_FIGURES = {
    "won_opportunities": "Won opportunities",
    "won_amount": "Won amount",
    "won_customers": "Won customers",
}


def restatements(report: Report) -> Table:
    """The Restatements table of ``report`` (won amounts as money, counts as numbers)."""
    rows: list[dict[str, Any]] = []
    for row in sheet_rows(report.restatements):
        money = row["figure"] == "won_amount"
        values = {k: _shown(row, k) for k in ("frozen", "now", "difference", "effect")}
        rows.append(
            {
                **row,
                "figure": _FIGURES.get(row["figure"], row["figure"]),
                # One column per kind, so Excel formats each as what it is.
                **{f"{k}_money": v if money else None for k, v in values.items()},
                **{f"{k}_count": None if money else v for k, v in values.items()},
            }
        )
    if not rows:
        rows.append(
            {
                "what_changed": "No restatement: every closed quarter matches its frozen "
                "figures and the open quarter matches the last run."
            }
        )
    columns = (
        Col("quarter", "Quarter", TEXT),
        Col("rep", "Rep", TEXT),
        Col("figure", "Figure", TEXT),
        Col("frozen_count", "Frozen (count)", INT),
        Col("now_count", "Now (count)", INT),
        Col("difference_count", "Difference (count)", INT),
        Col("frozen_money", "Frozen (amount)", MONEY),
        Col("now_money", "Now (amount)", MONEY),
        Col("difference_money", "Difference (amount)", MONEY),
        Col("why_unknown", "Why a figure is —", TEXT),
        Col("opportunity_id", "Opportunity id", TEXT),
        Col("account", "Account", TEXT),
        Col("effect_count", "Deal's effect (count)", INT),
        Col("effect_money", "Deal's effect (amount)", MONEY),
        Col("what_changed", "What changed", TEXT),
        Col("compared_with", "Compared with", TEXT),
    )
    return Table(SHEET, columns, rows)


def _shown(row: dict[str, Any], key: str) -> Any:
    """The value, or "—" (an :class:`Unknown` with its reason) where the store or the core
    had none for a figure that exists: an unknown won amount, a difference or effect on it."""
    if row[key] is not None or (key == "effect" and row["opportunity_id"] is None):
        return row[key]
    if key == "effect":
        return Unknown("the deal's amount is unknown (then or now)")
    return Unknown(row["why_unknown"] or "unknown")
