"""Risks to a bonus as every output lists them: the issue, the rep and the amount.

The readers give an issue severity ``bonus-risk`` when a won deal may be paid wrongly (a
won-looking unknown stage, a won deal quarantined, dated in the future or with its amount
blank or refused) and attach the deal it concerns: ``rep``, ``amount`` and ``currency``
(see read/risks.py). The outputs show those fields; nothing here looks them up again.
"""

from __future__ import annotations

from typing import Any

from reporter.model import Dataset
from reporter.quality import deal_text


def bonus_risk_records(dataset: Dataset) -> list[dict[str, Any]]:
    """Each bonus risk, in input order: the issue's fields, ``rep``/``amount``/``currency``
    included."""
    return [issue.to_record() for issue in dataset.bonus_risks]


def left_out_notes(dataset: Dataset) -> list[str]:
    """One line per quarter whose figures leave out quarantined won deals, from the
    issues' ``missing_from``: ``Not in FY2026 Q3: 1 quarantined won deal (no owner,
    13,900 USD), see Data Quality``."""
    by_quarter: dict[str, list[str]] = {}
    for issue in dataset.bonus_risks:
        if issue.missing_from:
            deal = deal_text(issue.rep, issue.amount, issue.currency)
            by_quarter.setdefault(issue.missing_from, []).append(deal)
    return [
        f"Not in {quarter}: {len(deals)} quarantined won deal(s) ({'; '.join(deals)}), "
        "see Data Quality"
        for quarter, deals in sorted(by_quarter.items(), reverse=True)
    ]
