"""The figures a run is recorded with, read from the metrics core's report (never recomputed).

Long format, one :class:`Figure` per (quarter, dimension, segment, figure): per rep
(dimension ``rep``) the won opportunities, won amount, lost opportunities and win rate of
``won_opportunities_by_rep`` (and its ``directional`` mark, 1.0 when the win rate rests on
fewer closed deals than ``min_closed``) and the won customers of ``won_customers_by_quarter``;
per segment dimension (and ``all``) the won customers. Every quarter in the data is covered.

A won amount the core could not know (a won deal without an amount) is recorded as None,
with ``won_without_amount`` and ``won_amount_known`` beside it, so what reads the store can
say "—" and why (:func:`unknown_reasons`), never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

REP = "rep"
# The core's dimension and segment of company-wide rows (metrics.tables.ALL, ALL_SEGMENT;
# history sits below metrics, so the values are repeated here and a test keeps them equal).
COMPANY = "all"
COMPANY_SEGMENT = "All"
WON_AMOUNT = "won_amount"
REP_FIGURES = (
    "won_opportunities",
    WON_AMOUNT,
    "won_without_amount",  # won deals with no amount (the won amount is then None)
    "won_amount_known",  # their known amounts summed; None when none is known
    "lost_opportunities",
    "win_rate",
    "directional",
)
WON_CUSTOMERS = "won_customers"
# The figures a restatement is explained for: what bonuses and account planning are paid on.
BONUS_FIGURES = ("won_opportunities", WON_AMOUNT, WON_CUSTOMERS)
# Why a recorded won amount is None when the run did not record the counts behind it.
UNKNOWN_WON_AMOUNT = "a won deal has no amount"


@dataclass(frozen=True)
class Figure:
    """One recorded figure. ``value`` is None when the core had no value for it."""

    quarter: str
    dimension: str
    segment: str
    figure: str
    value: float | None


def figures_from_tables(
    won_opportunities_by_rep: pd.DataFrame, won_customers_by_quarter: pd.DataFrame
) -> list[Figure]:
    """Flatten the core's rep table and won-customers table into :class:`Figure` rows:
    per rep row, each of :data:`REP_FIGURES` the table has, in that order; then one per
    won-customers row. Values are converted column by column."""
    reps = won_opportunities_by_rep
    names = [n for n in REP_FIGURES if n in reps.columns]  # a table may lack the mark
    out: list[Figure] = []
    if len(reps):
        values = [_values(reps[n]) for n in names]
        for quarter, rep, *row in zip(reps["quarter"].tolist(), _labels(reps["rep"]), *values):
            out += [Figure(quarter, REP, rep, n, v) for n, v in zip(names, row)]
    customers = won_customers_by_quarter
    if len(customers):
        out += [
            Figure(quarter, dimension, segment, WON_CUSTOMERS, value)
            for quarter, dimension, segment, value in zip(
                customers["quarter"].tolist(),
                _labels(customers["dimension"]),
                _labels(customers["segment"]),
                _values(customers[WON_CUSTOMERS]),
            )
        ]
    return out


def _labels(series: pd.Series) -> list[str]:
    """``str`` of each value, as a record's ``str(row[...])`` gives it."""
    return [str(v) for v in series.astype(object).tolist()]


def _values(series: pd.Series) -> list[float | None]:
    """:func:`_value` of each value of a column."""
    if series.dtype.kind in "biuf":  # numpy bool, integer or float: one conversion
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(numbers).tolist()
        return [None if m else v for v, m in zip(numbers.tolist(), missing)]
    return [_value(v) for v in series.astype(object).tolist()]


def rep_figures(figures: Iterable[Figure], quarter: str) -> dict[tuple[str, str], float | None]:
    """``{(rep, figure): value}`` for one quarter's bonus figures. A value the core could not
    know stays None (unknown is not 0); a rep without the figure is absent."""
    return {
        (f.segment, f.figure): f.value
        for f in figures
        if f.quarter == quarter and f.dimension == REP and f.figure in BONUS_FIGURES
    }


def unknown_reasons(
    figures: Iterable[Figure], quarter: str, currency: str | None = None
) -> dict[tuple[str, str], str]:
    """``{(rep, "won_amount"): why}`` for each rep whose won amount in ``quarter`` is None,
    in the core's words: ``1 won deal has no amount; the other 2 total 900``."""
    values: dict[str, dict[str, float | None]] = {}
    for f in figures:
        if f.quarter == quarter and f.dimension == REP:
            values.setdefault(f.segment, {})[f.figure] = f.value
    return {
        (rep, WON_AMOUNT): won_amount_reason(v, currency)
        for rep, v in values.items()
        if WON_AMOUNT in v and v[WON_AMOUNT] is None
    }


def won_amount_reason(values: Mapping[str, float | None], currency: str | None = None) -> str:
    """Why one rep's recorded won amount is None, from the counts recorded beside it."""
    without = values.get("won_without_amount")
    won = values.get("won_opportunities")
    if not without or not won:
        return UNKNOWN_WON_AMOUNT
    if without >= won:
        return "none of these deals has an amount" if won > 1 else "this won deal has no amount"
    deals = "1 won deal has" if without == 1 else f"{int(without)} won deals have"
    others = int(won - without)
    verb = "totals" if others == 1 else "total"
    known = money(values.get("won_amount_known"), currency)
    return f"{deals} no amount; the other {others} {verb} {known}"


def won_amount_total(figures: Iterable[Figure]) -> str:
    """All reps' won amount of the figures as text: ``3,300.00``, or ``—`` with how many won
    deals have no amount and what the others total (a partial sum is never the total)."""
    amounts = [f for f in figures if f.dimension == REP and f.figure == WON_AMOUNT]
    if all(f.value is not None for f in amounts):
        return f"{sum(f.value or 0.0 for f in amounts):,.2f}"
    counts = {
        name: sum(f.value or 0.0 for f in figures if f.dimension == REP and f.figure == name)
        for name in ("won_without_amount", "won_amount_known")
    }
    known = sum(f.value or 0.0 for f in amounts) + counts["won_amount_known"]
    without = int(counts["won_without_amount"])
    deals = f"{without} won deal(s)" if without else "won deals"
    return f"— ({deals} without an amount; the others total {known:,.2f})"


def money(value: float | None, currency: str | None = None) -> str:
    """900 → ``900``; 1234.5 → ``1,234.50``; None → ``—``; with the currency code when known."""
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    text = text[:-3] if text.endswith(".00") else text
    return f"{text} {currency}" if currency else text


def won_customer_figures(
    figures: Iterable[Figure], quarter: str, dimension: str
) -> dict[tuple[str, str], float]:
    """``{(segment, "won_customers"): value}`` of one dimension (or ``all``) in one quarter."""
    return {
        (f.segment, f.figure): f.value
        for f in figures
        if f.quarter == quarter
        and f.dimension == dimension
        and f.figure == WON_CUSTOMERS
        and f.value is not None
    }


def _value(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number
