"""The deal each issue concerns, and the risks to a bonus among the issues.

Every issue found on an opportunity row gets the rep, the amount and the currency of that
deal (``Issue.rep/amount/currency``), so the Data Quality sheet and metrics.json can show
them for quarantined rows too. On a won deal, codes registered with ``when_won`` (no owner,
no close date, a close date in the future, an amount blank or refused) get severity
``bonus-risk``; a won-looking unknown stage (``won-looking-stage``) always has it. The CLI
summary and the Data Quality sheet list them first and ``--strict`` fails on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from reporter.quality import BONUS_RISK, QUARANTINED, REGISTRY, Issue, deal_text
from reporter.quarters import quarter_of

Cell = tuple[str, str | None, int | None]


@dataclass(frozen=True)
class Deal:
    """One opportunity row as read: the record (owner names and conversions land in it
    later), its amount and currency as written, and whether it is won."""

    record: Mapping[str, Any]
    amount: float | None
    currency: str | None
    won: bool

    @classmethod
    def of(cls, record: Mapping[str, Any], won: bool) -> Deal:
        """The deal of ``record`` now, before amounts are converted."""
        return cls(record, record.get("amount"), record.get("currency"), won)

    def shown(self, currency: str | None) -> tuple[str | None, float | None, str | None]:
        """(rep, amount, currency) as the figures count it: converted when it was, as
        written when it was refused or never reached conversion (a quarantined row).
        ``currency`` is the data's one currency, for rows that do not name theirs."""
        counted = self.record.get("amount")
        if counted is not None:
            amount, code = counted, self.record.get("currency")
        else:
            amount, code = self.amount, self.currency
        rep = self.record.get("owner")
        if amount is None:
            return (str(rep) if rep else None, None, None)
        return (str(rep) if rep else None, amount, code or currency)


def attach_deals(
    issues: Iterable[Issue],
    deals: Mapping[Cell, Deal],
    currency: str | None = None,
    start_month: int = 1,
) -> list[Issue]:
    """``issues`` with the deal each concerns, and the bonus risks flagged.

    ``deals`` maps each opportunity row (file, sheet, row) to its :class:`Deal`;
    ``currency`` is the data's one currency (None when mixed or never stated);
    ``start_month`` the fiscal year's, to name the quarter a quarantined won deal is
    missing from (it counts in none, so its risk says which one).
    """
    out: list[Issue] = []
    for issue in issues:
        deal = deals.get((issue.file, issue.sheet, issue.row))
        if deal is None:
            out.append(issue)
            continue
        rep, amount, code = deal.shown(currency)
        issue = replace(issue, rep=rep, amount=amount, currency=code)
        spec = REGISTRY[issue.code]
        if spec.when_won and deal.won:
            closed = deal.record.get("close_date")
            text = deal_text(rep, amount, code)
            quarter = None
            if spec.action == QUARANTINED and closed is not None:
                quarter = quarter_of(closed, start_month).label
                text += f", closed {closed:%d %b %Y}: not in {quarter}"
            issue = replace(
                issue,
                missing_from=quarter,
                severity=BONUS_RISK,
                problem=f"{issue.problem} [won deal: {text}]",
                action=(
                    spec.won_action.format(column=issue.column, row=issue.row)
                    if spec.won_action
                    else issue.action
                ),
            )
        out.append(issue)
    return out
