"""How a quarter still running is named in every output: ``FY2026 Q4 (to 15 Nov)``.

The metrics core puts ``to_date`` (the ISO day the data go through) on every per-quarter
row of the quarter still running; a full quarter's row has None and keeps its plain label.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reporter.vocabulary import is_missing


def running_label(label: str, to_date: Any) -> str:
    """``label`` with the day the data go through when the quarter is still running."""
    if is_missing(to_date):
        return str(label)
    return f"{label} ({through(to_date)})"


def through(to_date: Any) -> str:
    """``to 15 Nov``: the day a running quarter's figures go through."""
    day = date.fromisoformat(str(to_date)[:10])
    return f"to {day.day} {day:%b}"
