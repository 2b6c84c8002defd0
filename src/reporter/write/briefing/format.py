"""Number formatting for briefings: one function per kind of figure, "—" for missing.

These functions are the single definition of how a figure looks on paper; tests format
the Report's values with them and look for the result in the PDF text.
"""

from __future__ import annotations

import math
from typing import Any

from reporter.printable import without_controls

DASH = "—"
UP, DOWN, FLAT = "▲", "▼", "▶"

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas NA."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT and NA are not equal to themselves
    except (TypeError, ValueError):
        return False


# A name longer than this is cut with an ellipsis: a 40,000-character deal name would take
# the renderer minutes to break into lines (and be unreadable anyway).
NAME_CHARS = 80
TITLE_CHARS = 200


def name(value: Any, limit: int = NAME_CHARS) -> str:
    """A name from the data as a table shows it: "" if missing, cut to ``limit`` with "…"."""
    if missing(value):
        return ""
    # Line breaks would break the layout; other control characters print as boxes.
    text = without_controls(" ".join(str(value).split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def integer(value: Any) -> str:
    """``1,234``."""
    return DASH if missing(value) else f"{round(float(value)):,}"


def percent(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage: 0.6321 → ``63.2%``."""
    return DASH if missing(value) else f"{float(value) * 100:.{digits}f}%"


def money(value: Any, currency: str | None = None) -> str:
    """``$12,500`` (whole units; a currency code without a symbol is prefixed: ``CHF 12,500``)."""
    if missing(value):
        return DASH
    amount = float(value)
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.0f}"
    if currency is None:
        return f"{sign}{text}"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{currency} {text}"


def days(value: Any) -> str:
    """``42 days`` (rounded)."""
    if missing(value):
        return DASH
    n = round(float(value))
    return f"{n:,} day" if n == 1 else f"{n:,} days"


def interval(low: Any, high: Any) -> str:
    """A 95% interval of two fractions: ``58.1–67.9%``."""
    if missing(low) or missing(high):
        return DASH
    return f"{float(low) * 100:.1f}–{float(high) * 100:.1f}%"


def change(kind: str, delta: Any, relative: Any, currency: str | None = None) -> str:
    """The change against the previous quarter, with an arrow.

    Counts and amounts show the absolute change and the relative one (``▲ 12 (+8.5%)``);
    rates show percentage points (``▼ 2.1 pp``). Missing → "—".
    """
    if missing(delta):
        return DASH
    d = float(delta)
    arrow = UP if d > 0 else DOWN if d < 0 else FLAT
    if kind == "rate":
        return f"{arrow} {abs(d) * 100:.1f} pp"
    if kind == "money":
        body = money(abs(d), currency)
    elif kind == "days":
        body = days(abs(d))
    else:
        body = integer(abs(d))
    if missing(relative) or math.isinf(float(relative)):
        return f"{arrow} {body}"
    return f"{arrow} {body} ({float(relative) * 100:+.1f}%)"


def direction(delta: Any) -> str:
    """``up``, ``down`` or ``flat`` (a CSS class), ``none`` when unknown."""
    if missing(delta):
        return "none"
    d = float(delta)
    return "up" if d > 0 else "down" if d < 0 else "flat"
