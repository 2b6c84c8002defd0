"""Data-quality issues: problems with rows and cells, kept as data.

Each issue has a stable ``code`` (tests and other tools match on it, never on wording),
the place it was found (file, sheet, Excel row number, column), the offending value,
what is wrong and what reporter did about it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Stable codes. Add new ones; never rename.
CODES: dict[str, str] = {
    "blank-row": "Blank row skipped",
    "totals-row": "Totals or subtotal row skipped",
    "duplicate-opportunity": "Same opportunity id seen again; later copy merged into the first",
    "conflicting-duplicate": "Same opportunity id seen again with different values; one copy kept",
    "missing-amount": "Won or lost opportunity has no amount; counted, adds nothing to amounts",
    "duplicate-row": "Identical row seen again (no id column); later copy merged into the first",
    "bad-amount": "Amount is not a number",
    "negative-amount": "Amount is negative",
    "bad-date": "Date could not be read",
    "ambiguous-date": "Date text could be day-first or month-first",
    "date-order": "Close date is before created date",
    "future-close-date": "Won or lost opportunity has a close date after today",
    "missing-close-date": "Won or lost opportunity has no close date",
    "missing-owner": "Opportunity has no owner",
    "missing-stage": "Opportunity has no stage and no won/closed flag",
    "unknown-stage": "Stage name not in the won/lost/excluded lists; treated as open",
    "bad-boolean": "Won/closed flag is not a yes/no value",
    "excel-error": "Cell holds an Excel error (#DIV/0!, #REF!, #N/A ...)",
    "formula-no-value": "Formula cell has no saved value",
    "unmatched-account": "Account not found in the accounts table",
    "unmatched-owner": "Owner not found in the reps table",
    "missing-dimension": "A configured segment dimension is not a column of the data",
    "unknown-column": "Column not recognised; ignored",
    "ignored-sheet": "Sheet not recognised as opportunities or a reference table; ignored",
    "hidden-sheet": "Hidden sheet not read",
    "bad-target": "Target row could not be read",
    "conflicting-flags": "IsWon set on an opportunity that is not closed",
    "text-truncated": "Text longer than Excel allows was truncated in the workbook",
    "note-row": "Row with a single text cell (a note, caption or footer) skipped",
    "bad-number": "Number could not be read",
    "sheet-split": "Table longer than an Excel sheet allows continued on another sheet",
}

# What reporter did with the row or cell.
QUARANTINED = "row quarantined (not counted)"
SKIPPED = "row skipped"
MERGED = "merged (counted once)"
KEPT = "kept; value left blank"
KEPT_AS_IS = "kept as is"
IGNORED = "ignored"


@dataclass(frozen=True)
class Issue:
    """One data-quality finding. ``row`` is the Excel/CSV line number (1-based, header included)."""

    code: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: Any
    problem: str
    action: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown issue code {self.code!r}")

    def to_record(self) -> dict[str, Any]:
        """A JSON-safe dict (values rendered as text when they are not plain scalars)."""
        record = asdict(self)
        value = record["value"]
        if value is not None and not isinstance(value, str | int | float | bool):
            record["value"] = str(value)
        return record
