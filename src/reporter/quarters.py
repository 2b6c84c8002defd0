"""Fiscal quarters: labels, boundaries, parsing, and vectorised assignment of dates.

A fiscal year is named for the calendar year in which it ends. With
``fiscal_year_start_month = 2``, FY2027 runs 1 Feb 2026 – 31 Jan 2027 and its Q1 is
Feb–Apr 2026.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from reporter.errors import PeriodError


@dataclass(frozen=True, order=True)
class Quarter:
    """One fiscal quarter. Orders chronologically."""

    fiscal_year: int
    quarter: int
    start_month: int = 1

    @property
    def label(self) -> str:
        """Human label, e.g. ``FY2026 Q3``."""
        return f"FY{self.fiscal_year} Q{self.quarter}"

    @property
    def key(self) -> str:
        """Compact form used on the command line, e.g. ``FY2026Q3``."""
        return f"FY{self.fiscal_year}Q{self.quarter}"

    @property
    def start(self) -> date:
        first_year = self.fiscal_year - (1 if self.start_month > 1 else 0)
        months = (self.start_month - 1) + (self.quarter - 1) * 3
        return date(first_year + months // 12, months % 12 + 1, 1)

    @property
    def end(self) -> date:
        """Last day of the quarter (inclusive)."""
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        if self.quarter == 4:
            return Quarter(self.fiscal_year + 1, 1, self.start_month)
        return Quarter(self.fiscal_year, self.quarter + 1, self.start_month)

    def previous(self) -> Quarter:
        if self.quarter == 1:
            return Quarter(self.fiscal_year - 1, 4, self.start_month)
        return Quarter(self.fiscal_year, self.quarter - 1, self.start_month)

    def trailing(self, n: int = 4) -> tuple[Quarter, ...]:
        """The ``n`` quarters ending with this one, oldest first."""
        out = [self]
        for _ in range(n - 1):
            out.append(out[-1].previous())
        return tuple(reversed(out))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def quarter_of(day: date, start_month: int = 1) -> Quarter:
    """The fiscal quarter a calendar date falls in."""
    offset = (day.month - start_month) % 12
    fiscal_year = day.year + (1 if start_month > 1 and day.month >= start_month else 0)
    return Quarter(fiscal_year, offset // 3 + 1, start_month)


def quarter_labels(dates: pd.Series, start_month: int = 1) -> pd.Series:
    """Vectorised :func:`quarter_of` → label strings (None where the date is missing)."""
    d = pd.to_datetime(dates)
    month = d.dt.month
    offset = (month - start_month) % 12
    fy = d.dt.year + ((month >= start_month) & (start_month > 1)).astype("Int64")
    q = offset // 3 + 1
    labels = "FY" + fy.astype("Int64").astype(str) + " Q" + q.astype("Int64").astype(str)
    return labels.where(d.notna(), None).astype(object)


# Quarter spellings accepted on the command line and in targets sheets; the year written is
# the fiscal year: FY2026Q3, FY2026 Q3, fy2026-q3, FY26 Q3, Q3 FY26, 2026-Q3, Q3 2026.
_FORMS = (
    (re.compile(r"^FY\s*'?(\d{2}|\d{4})\s*[-_ /]?\s*Q([1-4])$", re.IGNORECASE), 1, 2),
    (re.compile(r"^Q([1-4])\s*[-_ /]?\s*FY\s*'?(\d{2}|\d{4})$", re.IGNORECASE), 2, 1),
    (re.compile(r"^(\d{4})\s*[-_ /]?\s*Q([1-4])$", re.IGNORECASE), 1, 2),
    (re.compile(r"^Q([1-4])\s*[-_ /]?\s*(\d{4})$", re.IGNORECASE), 2, 1),
)


def parse_quarter(text: str, start_month: int = 1) -> Quarter:
    """Parse ``FY2026Q3`` and the other spellings above. Raises :class:`PeriodError`."""
    cleaned = (text or "").strip()
    for pattern, year_group, quarter_group in _FORMS:
        match = pattern.match(cleaned)
        if match:
            year = match.group(year_group)
            fiscal_year = 2000 + int(year) if len(year) == 2 else int(year)
            return Quarter(fiscal_year, int(match.group(quarter_group)), start_month)
    raise PeriodError(
        f"period {text!r} is not a fiscal quarter",
        hint="write it like FY2026Q3 (fiscal year, then quarter 1-4)",
    )
