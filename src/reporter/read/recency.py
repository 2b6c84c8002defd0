"""Which of two copies of one opportunity is the newer information.

The same deal often arrives twice: last month's export beside this month's. The newest
information wins, never the "most won" copy, so a deal re-opened since is open:

1. a last-modified stamp (``LastModifiedDate``, ``SystemModstamp``, HubSpot "Last Modified
   Date", Zoho "Modified Time") on both copies decides;
2. else the newer file: by the export date written in it (a Salesforce report's "Generated
   By: … 4/1/2025 9:02 AM" footer, "As of …" title line), else its modification time (to
   the second);
3. else the order given (files in the order named, a folder in name order; rows top down).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from reporter.read.dates import parse_timestamp

Record = dict[str, Any]
# Keys the readers add to a record to order copies; never compared as content.
STAMP, FILE_AGE, ORDER = "last_modified", "_file_age", "_order"
ORDERING = frozenset({STAMP, FILE_AGE, ORDER})


# A title or footer line that says when the export was made, and the date-time in it.
_EXPORT_LINE = re.compile(
    r"^\s*(generated|as of|exported|export date|run on|report date|created on)\b", re.I
)
_STAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?)"
)


def export_stamp(lines: Iterable[str]) -> datetime | None:
    """When a report was exported, from its title block or footer lines (None: not said).

    Numeric dates are read month-first unless the first part is above 12: Salesforce writes
    them in the exporting user's locale, and the US one is the default.
    """
    for line in lines:
        if not _EXPORT_LINE.match(line):
            continue
        match = _STAMP.search(line)
        if match is None:
            continue
        text = match.group(1)
        first = re.match(r"\d+", text)
        day_first = first is not None and len(first.group()) <= 2 and int(first.group()) > 12
        try:
            return parse_timestamp(text, day_first)
        except ValueError:
            continue
    return None


def is_newer(record: Record, kept: Record) -> bool:
    """True when ``record`` carries newer information than ``kept``."""
    mine, theirs = record.get(STAMP), kept.get(STAMP)
    if mine is not None and theirs is not None and mine != theirs:
        return bool(mine > theirs)
    mine_age, their_age = record.get(FILE_AGE), kept.get(FILE_AGE)
    if mine_age is not None and their_age is not None and mine_age != their_age:
        return bool(mine_age > their_age)
    return bool(record.get(ORDER, 0) >= kept.get(ORDER, 0))


def why_newer(winner: Record, loser: Record) -> str:
    """The reason ``winner`` was kept, for the data-quality report."""
    mine, theirs = winner.get(STAMP), loser.get(STAMP)
    if mine is not None and theirs is not None and mine != theirs:
        return f"last modified {_text(mine)}, after {_text(theirs)}"
    mine_age, their_age = winner.get(FILE_AGE), loser.get(FILE_AGE)
    if mine_age is not None and their_age is not None and mine_age != their_age:
        when = datetime.fromtimestamp(mine_age).strftime("%Y-%m-%d %H:%M")
        return f"its file is newer (exported or saved {when})"
    return "it comes later in the order the files were given"


def change_list(kept: Record, other: Record, fields: list[str]) -> str:
    """``stage 'Closed Won' → 'Negotiation/Review', amount 10,000 → 12,000``."""
    return ", ".join(f"{f} {_text(other.get(f))} → {_text(kept.get(f))}" for f in fields)


def _text(value: Any) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return repr(value) if isinstance(value, str) else str(value)
