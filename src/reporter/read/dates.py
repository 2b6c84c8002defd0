"""Day-first or month-first, decided per column from the whole file; and timestamps.

A numeric date such as ``03/04/2025`` reads two ways. Each date column is decided by its own
values (a ``25/03/2025`` makes it day-first, a ``03/25/2025`` month-first); a column whose
every value reads both ways follows the file's other date columns; failing that
``[periods] date_order``; failing that reporting stops and names the column and its values,
because a date read the wrong way round moves a deal into another quarter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from reporter.read import values as v
from reporter.read.values import AMBIGUOUS, DAY_FIRST, MONTH_FIRST, order_evidence

DATE_ORDERS = (DAY_FIRST, MONTH_FIRST)


class UndecidableDates(Exception):
    """Date columns that read both ways with nothing to decide (becomes an InputError)."""

    def __init__(self, samples: Mapping[str, list[str]]) -> None:
        self.samples = dict(samples)
        shown = "; ".join(f"column {c!r}: {', '.join(s)}" for c, s in self.samples.items())
        super().__init__(
            f"dates read both day-first and month-first, and no other value or date column "
            f"in the file decides which ({shown})"
        )

    hint = (
        'set [periods] date_order = "day-first" (or "month-first") in config.toml, or export '
        "the dates as real Excel dates or as YYYY-MM-DD"
    )


def decide_orders(
    columns: Mapping[str, Sequence[Any]], configured: str | None
) -> dict[str, tuple[bool, str | None]]:
    """Header → (day-first?, why) for each date column of one table.

    ``why`` is None when the column's own values decide; else it says what decided: the
    other date columns of the file (when those that decide agree), then ``configured``
    (``[periods] date_order``). Nothing to decide with: :class:`UndecidableDates`.
    """
    evidence = {name: order_evidence(cells) for name, cells in columns.items()}
    decided = {name: e for name, e in evidence.items() if e in DATE_ORDERS}
    orders = set(decided.values())
    if len(orders) == 1:
        fallback: str | None = orders.pop()
        why = f"the file's {', '.join(repr(n) for n in decided)} column is {fallback}"
    else:
        fallback, why = configured, f"[periods] date_order = {configured!r}"
    out: dict[str, tuple[bool, str | None]] = {}
    undecided: dict[str, list[str]] = {}
    for name, seen in evidence.items():
        if seen != AMBIGUOUS:
            out[name] = (seen == DAY_FIRST, None)
        elif fallback is None:
            undecided[name] = _samples(columns[name])
        else:
            out[name] = (fallback == DAY_FIRST, why)
    if undecided:
        raise UndecidableDates(undecided)
    return out


def _samples(cells: Sequence[Any], limit: int = 3) -> list[str]:
    out: list[str] = []
    for value in cells:
        if isinstance(value, str) and v.NUMERIC_DATE.match(value.strip()):
            match = v.NUMERIC_DATE.match(value.strip())
            assert match is not None
            if int(match.group(1)) != int(match.group(2)) and value.strip() not in out:
                out.append(value.strip())
        if len(out) == limit:
            break
    return out


def parse_timestamp(value: Any, day_first: bool = False, date1904: bool = False) -> datetime | None:
    """A point in time (a last-modified stamp) from a real datetime, a serial or text.

    The time of day is kept (two edits on one day are ordered); a zone suffix is ignored,
    as every stamp in one export is written in the same zone.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        day = v.parse_date(value, day_first, date1904)
        if day is None:
            return None
        fraction = float(value) % 1
        return datetime(day.year, day.month, day.day) + timedelta(days=fraction)
    if not isinstance(value, str) or not value.strip():
        return None
    head, clock = v.split_time(value.strip())
    day = v.parse_date(head, day_first, date1904)
    if day is None:
        return None
    return datetime.combine(day, clock or time())
