"""Small-sample statistics: rates that stay blank without data, Wilson score intervals."""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def rate(won: float, lost: float) -> float | None:
    """won ÷ (won + lost); None (never 0) when there is nothing in the denominator."""
    total = won + lost
    if total <= 0:
        return None
    return won / total


def wilson_interval(won: int, total: int, z: float = Z95) -> tuple[float | None, float | None]:
    """95 % Wilson score interval for won out of total; (None, None) when total is 0.

    Unlike the normal approximation it stays inside [0, 1] and is honest for 0 or 100 %
    rates on a handful of deals (3 of 3 won → 0.44 to 1.00, not 1.00 to 1.00).
    """
    if total <= 0:
        return None, None
    p = won / total
    z2 = z * z
    denom = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
