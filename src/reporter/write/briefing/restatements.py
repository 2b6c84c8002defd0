"""Restatements as the PDFs print them (briefings and rep statements): formatted text only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reporter.history.records import why_unknown
from reporter.write.briefing import format as fmt

FIGURE_NAMES = {
    "won_opportunities": "won opportunities",
    "won_amount": "won amount",
    "won_customers": "won customers",
}


def restatement_rows(
    records: Iterable[Mapping[str, Any]], currency: str | None
) -> list[dict[str, Any]]:
    """One row per restated figure (records as in metrics.json ``restatements``)."""
    return [_row(r, currency) for r in records]


def _row(r: Mapping[str, Any], currency: str | None) -> dict[str, Any]:
    money = r["figure"] == "won_amount"

    def show(value: Any) -> str:
        return fmt.money(value, currency) if money else fmt.integer(value)

    def signed(value: Any) -> str:
        return ("+" if not fmt.missing(value) and value > 0 else "") + show(value)

    return {
        "quarter": r["quarter"],
        "basis": "frozen" if r["basis"] == "closed" else "last run",
        "rep": r.get("who") or r["rep"],  # a segment's or the company's row names them
        "figure": FIGURE_NAMES.get(r["figure"], r["figure"]),
        "frozen": show(r["frozen"]),
        "now": show(r["now"]),
        "difference": signed(r["difference"]),
        # Beside a "—": why the frozen or current figure is unknown (never shown as 0).
        "why": why_unknown(r.get("frozen_reason"), r.get("now_reason")),
        "deals": [
            {"id": d["opportunity_id"], "what": d["what_changed"], "effect": signed(d["effect"])}
            for d in r["deals"]
        ],
    }
