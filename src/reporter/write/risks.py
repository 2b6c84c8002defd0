"""Risks to a bonus as every output lists them: the issue, the rep and the amount.

The readers give an issue severity ``bonus-risk`` when a won deal may be paid wrongly (a
won-looking unknown stage, a won deal quarantined, dated in the future or with its amount
refused) and name the rep and the amount where they know them. A deal the data kept (a
won-looking stage counts as open) also gives them from its row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reporter.model import Dataset

Place = tuple[str, str | None, int]


def bonus_risk_records(dataset: Dataset) -> list[dict[str, Any]]:
    """Each bonus risk, in input order: the issue's fields plus ``rep`` and ``amount``."""
    deals = _deals_by_place(dataset)
    out = []
    for issue in dataset.bonus_risks:
        record = issue.to_record()
        deal = deals.get((Path(issue.file).name, issue.sheet or None, issue.row or 0))
        rep, amount = record.get("rep"), record.get("amount")
        record["rep"] = rep if rep else (deal[0] if deal else None)
        record["amount"] = amount if amount else (deal[1] if deal else None)
        out.append(record)
    return out


def _deals_by_place(dataset: Dataset) -> dict[Place, tuple[str | None, str | None]]:
    """(file name, sheet, row) → (owner, amount as text) of every deal the data kept."""
    frame = dataset.opportunities
    out: dict[Place, tuple[str | None, str | None]] = {}
    if frame is None or frame.empty:
        return out
    for file, sheet, row, owner, amount in zip(
        frame["source_file"],
        frame["source_sheet"],
        frame["source_row"],
        frame["owner"],
        frame["amount"],
        strict=False,
    ):
        place = (
            Path(str(file)).name,
            None if sheet is None or sheet != sheet else str(sheet),
            int(row),
        )
        text = None if amount is None or amount != amount else f"{float(amount):,.2f}"
        out[place] = (None if owner is None or owner != owner else str(owner), text)
    return out
