"""Figures that cannot be known are None, never 0, and the report says why.

``amount_sum`` and ``weighted_rate`` are the only ways the core adds amounts up for a
headline or a table row; ``reasons`` explains every None a reader will see as "—".
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reporter.metrics.stats import rate

NO_AMOUNTS = "the input gives no amounts (no amount column, or every amount blank)"
NO_AMOUNT_HERE = "none of these deals has an amount"
LOST_WITHOUT_AMOUNT = (
    "hidden: the lost deals carry no amount (all 0 or blank), so it would read 100 %"
)
NO_CLOSED = "no won or lost deal in the window"
NO_WON = "no won deal with an amount"
NO_CYCLE = "no won deal with both dates"
NO_TARGET = "no target given for {quarter}"
NO_PIPELINE_HISTORY = "the open pipeline is as of the data; it was not recorded for {quarter}"


def amount_sum(amounts: pd.Series) -> float | None:
    """Sum of the known amounts; None when there are deals but none has an amount."""
    known = amounts.dropna()
    if len(amounts) and known.empty:
        return None
    return float(known.sum())


def weighted_rate(won_amounts: pd.Series, lost_amounts: pd.Series) -> float | None:
    """Won amount ÷ (won + lost amount); None when it would say nothing.

    Hidden when lost deals exist but none carries an amount other than 0 (some CRMs zero
    them: the rate would read 100 %), or when no won deal has an amount.
    """
    if len(lost_amounts) and not lost_amounts.fillna(0).ne(0).any():
        return None
    won = amount_sum(won_amounts)
    lost = amount_sum(lost_amounts)
    if won is None or lost is None:
        return None
    return rate(won, lost)


def reasons(
    headline: Any,
    previous: Any,
    *,
    any_amounts: bool,
    quarter: str,
    previous_quarter: str,
    lost_without_amount: bool,
) -> dict[str, str]:
    """Figure name → why it is None, for the headline (and ``previous_…`` for the
    comparison quarter). Only figures that are actually missing are listed."""
    out: dict[str, str] = {}
    amount = NO_AMOUNTS if not any_amounts else NO_AMOUNT_HERE
    for name in ("won_amount", "open_amount"):
        if getattr(headline, name) is None:
            out[name] = amount
    if headline.win_rate is None:
        out["win_rate"] = NO_CLOSED
    if headline.amount_weighted_win_rate is None:
        if lost_without_amount:
            out["amount_weighted_win_rate"] = LOST_WITHOUT_AMOUNT
        else:
            out["amount_weighted_win_rate"] = NO_CLOSED if headline.win_rate is None else amount
    if headline.acv_mean is None:
        out["acv_mean"] = NO_WON if any_amounts else NO_AMOUNTS
    if headline.cycle_days_median is None:
        out["cycle_days_median"] = NO_CYCLE
    if headline.target is None:
        out["target"] = NO_TARGET.format(quarter=quarter)
    if headline.coverage is None:
        out["coverage"] = (
            out["target"] if headline.target is None else out.get("open_amount", amount)
        )
    history = NO_PIPELINE_HISTORY.format(quarter=previous_quarter)
    for name in ("open_opportunities", "open_amount", "coverage"):
        out[f"previous_{name}"] = history
    if previous.target is None:
        out["previous_target"] = NO_TARGET.format(quarter=previous_quarter)
    for name in ("won_amount", "win_rate", "amount_weighted_win_rate", "acv_mean"):
        if getattr(previous, name) is None and f"previous_{name}" not in out:
            out[f"previous_{name}"] = out.get(name, NO_CLOSED if "rate" in name else amount)
    return out
