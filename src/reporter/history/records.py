"""Restatements as plain records (metrics.json), flat rows (the sheet) and one CLI line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from reporter.history.diff import CLOSED, Restatement
from reporter.history.figures import COMPANY

SHEET_COLUMNS = (
    "quarter",
    "compared_with",
    "rep",
    "figure",
    "frozen",
    "now",
    "difference",
    "why_unknown",
    "opportunity_id",
    "account",
    "effect",
    "what_changed",
)


def to_record(r: Restatement) -> dict[str, Any]:
    """One restatement for metrics.json: the figure, its reference, and every deal behind it."""
    return {
        "quarter": r.quarter,
        "basis": r.basis,
        "run": r.run,
        "note": r.note,
        "rep": r.rep if r.is_rep else None,
        "dimension": r.dimension,  # "rep", the briefing dimension, or "all" (the company)
        "segment": None if r.is_rep else r.rep,
        "who": r.who,
        "figure": r.figure,
        "frozen": r.frozen,  # None: unknown, "—" with frozen_reason
        "now": r.now,  # None: unknown, "—" with now_reason
        "difference": r.difference,  # None when either is unknown
        "frozen_reason": r.frozen_reason,
        "now_reason": r.now_reason,
        "restated": r.restated,
        "deals": [
            {
                "opportunity_id": d.opportunity_id,
                "account": d.account,
                "changes": list(d.kinds),
                "what_changed": d.what,
                "effect": d.effect,
            }
            for d in r.deals
        ],
    }


def sheet_rows(restatements: Sequence[Restatement]) -> list[dict[str, Any]]:
    """One row per (restatement, deal); a restatement without a deal keeps one blank row."""
    rows: list[dict[str, Any]] = []
    for r in restatements:
        head = {
            "quarter": r.quarter,
            "compared_with": f"frozen figures, {r.note}" if r.basis == CLOSED else r.note,
            "rep": r.who,
            "figure": r.figure,
            "frozen": r.frozen,
            "now": r.now,
            "difference": r.difference,
            "why_unknown": why_unknown(r.frozen_reason, r.now_reason),
        }
        deals = r.deals or (None,)
        for d in deals:
            rows.append(
                {
                    **head,
                    "opportunity_id": d.opportunity_id if d else None,
                    "account": d.account if d else None,
                    "effect": d.effect if d else None,
                    "what_changed": d.what if d else "no deal explains this difference",
                }
            )
    return rows


def why_unknown(frozen_reason: str | None, now_reason: str | None) -> str | None:
    """Why a frozen or current figure is "—", in one text: ``now —: 1 won deal has no amount …``."""
    parts = [
        f"{when} —: {why}" for when, why in (("frozen", frozen_reason), ("now", now_reason)) if why
    ]
    return "; ".join(parts) or None


def summary_line(restatements: Sequence[Restatement]) -> str:
    """One CLI line: which quarters were restated, by how many deals, or "none"."""
    if not restatements:
        return "Restatements: none"
    parts = []
    for quarter in dict.fromkeys(r.quarter for r in restatements):
        mine = [r for r in restatements if r.quarter == quarter]
        deals = sorted({d.opportunity_id for r in mine for d in r.deals})
        reps = sorted({r.rep for r in mine if r.restated and r.is_rep})
        others = sorted({r.who for r in mine if r.restated and not r.is_rep})
        whose = f"{len(reps)} rep(s)" + (
            f" and the won customers of {', '.join(others)}" if others else ""
        )
        kind = "closed, frozen" if mine[0].basis == CLOSED else "vs last run"
        listed = ", ".join(deals[:6]) + (f" and {len(deals) - 6} more" if len(deals) > 6 else "")
        if deals:
            parts.append(
                f"{quarter} ({kind}): {len(deals)} deal(s) changed figures of {whose} — {listed}"
            )
        else:
            parts.append(f"{quarter} ({kind}): figures of {whose} differ, no deal named")
    return "Restatements: " + "; ".join(parts)


def for_segment(restatements: Sequence[Restatement], segment: str) -> list[Restatement]:
    """The restatements with a deal in ``segment`` (then or now), keeping only those deals:
    what one segment's briefing shows (the company's own rows are the company briefing's)."""
    out = []
    for r in restatements:
        if r.dimension == COMPANY:
            continue
        deals = tuple(d for d in r.deals if segment in d.segments)
        if deals:
            out.append(replace(r, deals=deals))
    return out


def closed_restated(restatements: Sequence[Restatement]) -> list[Restatement]:
    """The restatements that move a closed quarter's figure (what ``--strict`` fails on)."""
    return [r for r in restatements if r.basis == CLOSED and r.restated]
