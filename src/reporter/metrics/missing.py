"""Figures that cannot be known are None, never 0, and the report says why.

The rules below are applied by :mod:`reporter.metrics.figures` (grouped sums of won and
lost amounts) and ``amount_sum``/``complete_sum`` here; ``reasons`` explains every None a
reader will see as "—".

A won amount is never a partial sum: when any won deal of a group has no amount (blank,
"n/a", refused), the group's won amount is None, and ``won_without_amount`` (how many) and
``won_amount_known`` (the known amounts summed) say what is known. The open pipeline
amount follows the same rule (``open_without_amount``, ``open_amount_known``), and so does
coverage, which divides it. The same holds for the lost amount, so the amount-weighted
win rate is None as soon as one won or lost deal of its window has no amount (a blank lost
amount would otherwise raise the rate silently); it is hidden too when lost deals exist
but none carries an amount other than 0 (some CRMs zero them: the rate would read 100 %).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

NO_AMOUNTS = "the input gives no amounts (no amount column, or every amount blank)"
NO_AMOUNT_HERE = "none of these deals has an amount"
LOST_WITHOUT_AMOUNT = (
    "hidden: the lost deals carry no amount (all 0 or blank), so it would read 100 %"
)
NO_CLOSED = "no won or lost deal in the window"
NO_WON = "no won deal with an amount"
NO_CYCLE = "no won deal with both dates"
NO_TARGET = "no target given for {quarter}"
WHOLE_QUARTER_TARGET = (
    "a target is for the whole quarter; the like-for-like comparison stops at {day} "
    "(the full quarter's target is beside it)"
)
NO_PIPELINE_HISTORY = "the open pipeline is as of the data; it was not recorded for {quarter}"


def amount_sum(amounts: pd.Series) -> float | None:
    """Sum of the known amounts; None when there are deals but none has an amount."""
    known = amounts.dropna()
    if len(amounts) and known.empty:
        return None
    return float(known.sum())


def complete_sum(amounts: pd.Series) -> float | None:
    """Sum of the amounts; None when any is missing (0 for no deals)."""
    return None if amounts.isna().any() else float(amounts.sum())


def won_amount_reason(
    without_amount: int, won: int, known: float | None, currency: str | None = None
) -> str | None:
    """Why a won amount is "—": ``1 won deal has no amount; the other 2 total 900``.

    None when nothing is missing.
    """
    return partial_reason("won", without_amount, won, known, currency)


def open_amount_reason(
    without_amount: int, count: int, known: float | None, currency: str | None = None
) -> str | None:
    """Why an open pipeline amount is "—": ``1 open deal has no amount; the other 2
    total 900``. None when nothing is missing."""
    return partial_reason("open", without_amount, count, known, currency)


def partial_reason(
    side: str,
    without_amount: int,
    count: int,
    known: float | None,
    currency: str | None = None,
) -> str | None:
    """Why the amount of ``count`` ``side`` (won, open) deals is "—" when
    ``without_amount`` of them have none; None when nothing is missing."""
    if without_amount <= 0:
        return None
    if without_amount >= count:
        return NO_AMOUNT_HERE if count > 1 else f"this {side} deal has no amount"
    deals = f"1 {side} deal has" if without_amount == 1 else f"{without_amount} {side} deals have"
    others = count - without_amount
    verb = "totals" if others == 1 else "total"
    return f"{deals} no amount; the other {others} {verb} {money(known or 0.0, currency)}"


def text_or_none(values: pd.Series) -> pd.Series:
    """A text column (reasons, ISO dates) as Python objects with None, never NaN."""
    return pd.Series([None if pd.isna(v) else v for v in values], index=values.index, dtype=object)


def money(value: float, currency: str | None = None) -> str:
    """900 → ``900``; 1234.5 → ``1,234.50``; with the currency code when known."""
    text = f"{value:,.2f}"
    text = text[:-3] if text.endswith(".00") else text
    return f"{text} {currency}" if currency else text


def weighted_reason(won_without: int, lost_without: int) -> str:
    """Why the amount-weighted win rate is unknown when some amounts are missing."""
    parts = [
        f"{n} {side} deal{'s' if n != 1 else ''} {'have' if n != 1 else 'has'} no amount"
        for n, side in ((won_without, "won"), (lost_without, "lost"))
        if n
    ]
    return "; ".join(parts) + ", so the amount-weighted rate cannot be told"


def reasons(
    headline: Any,
    previous: Any,
    *,
    any_amounts: bool,
    quarter: str,
    previous_quarter: str,
    lost_without_amount: bool,
    weighted_missing: tuple[int, int] = (0, 0),
    previous_weighted_missing: tuple[int, int] = (0, 0),
    currency: str | None = None,
) -> dict[str, str]:
    """Figure name → why it is None, for the headline (and ``previous_…`` for the
    comparison quarter). Only figures that are actually missing are listed.

    ``weighted_missing`` is (won, lost) deals of the win-rate window with no amount.
    """
    out: dict[str, str] = {}
    amount = NO_AMOUNTS if not any_amounts else NO_AMOUNT_HERE
    for prefix, h, missing in (
        ("", headline, weighted_missing),
        ("previous_", previous, previous_weighted_missing),
    ):
        if h.won_amount is None:
            partial = won_amount_reason(
                h.won_without_amount, h.won_opportunities, h.won_amount_known, currency
            )
            known = h.won_amount_known is not None
            out[f"{prefix}won_amount"] = partial if partial and known else amount
        if h.amount_weighted_win_rate is None:
            if prefix == "" and lost_without_amount:
                out["amount_weighted_win_rate"] = LOST_WITHOUT_AMOUNT
            elif h.win_rate is None:
                out[f"{prefix}amount_weighted_win_rate"] = NO_CLOSED
            elif any(missing) and any_amounts:
                out[f"{prefix}amount_weighted_win_rate"] = weighted_reason(*missing)
    if headline.open_amount is None:
        partial = open_amount_reason(
            headline.open_without_amount or 0,
            headline.open_opportunities or 0,
            headline.open_amount_known,
            currency,
        )
        known = headline.open_amount_known is not None
        out["open_amount"] = partial if partial and known else amount
    if headline.win_rate is None:
        out["win_rate"] = NO_CLOSED
    if headline.amount_weighted_win_rate is None:
        out.setdefault("amount_weighted_win_rate", amount)
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
        out["previous_target"] = (
            WHOLE_QUARTER_TARGET.format(day=previous.to_date)
            if previous.to_date
            else NO_TARGET.format(quarter=previous_quarter)
        )
    for name in ("won_amount", "win_rate", "amount_weighted_win_rate", "acv_mean"):
        if getattr(previous, name) is None and f"previous_{name}" not in out:
            out[f"previous_{name}"] = out.get(name, NO_CLOSED if "rate" in name else amount)
    return out
