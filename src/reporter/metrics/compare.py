"""Like-for-like comparison of a quarter still running with the quarter before it.

When the data stop before the reporting quarter ends (data through 15 May in an
April-June quarter), the previous quarter is taken **up to the same day** (15 February):
the same month of the quarter and the same day of the month, clamped to that month's last
day (31 May → 28 February). The data are then read as they stood on that day: deals
closing later were still open, accounts first won later were not customers yet (see
``headline.quarter_figures``).
"""

from __future__ import annotations

import calendar
from datetime import date

from reporter.metrics.report import Period


def same_day_previous(period: Period) -> date | None:
    """The previous quarter's day matching ``period.data_through``; None for a full quarter."""
    if not period.partial or period.data_through is None:
        return None
    through = period.data_through
    q = period.quarter
    months = (through.year - q.start.year) * 12 + (through.month - q.start.month)
    start = q.previous().start
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(through.day, last))
