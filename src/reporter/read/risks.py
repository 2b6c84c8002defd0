"""Risks to a bonus: issues on won deals that change what a rep is paid.

A won-looking unknown stage (code ``won-looking-stage``, always a risk), and on a won deal:
no owner or no close date (quarantined), a close date in the future, an amount refused
(unreadable, an Excel error, or in a currency without a rate). Codes registered with
``when_won`` get severity ``bonus-risk`` on won rows here, with the rep and the amount,
so the CLI summary and the Data Quality sheet can list them first and ``--strict`` fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from reporter.quality import BONUS_RISK, REGISTRY, Issue

Cell = tuple[str, str | None, int | None]


def flag_bonus_risks(
    issues: Iterable[Issue], won: Mapping[Cell, tuple[str | None, str | None]]
) -> list[Issue]:
    """``issues`` with the bonus risks flagged; ``won`` maps each won row to (rep, amount)."""
    out: list[Issue] = []
    for issue in issues:
        cell = (issue.file, issue.sheet, issue.row)
        if REGISTRY[issue.code].when_won and cell in won:
            rep, amount = won[cell]
            who = f" [won deal: {rep or 'no owner'}, {amount or 'amount unknown'}]"
            issue = replace(issue, severity=BONUS_RISK, problem=issue.problem + who)
        out.append(issue)
    return out
