"""The figures a run is recorded with, read from the metrics core's report (never recomputed).

Long format, one :class:`Figure` per (quarter, dimension, segment, figure): per rep
(dimension ``rep``) the won opportunities, won amount, lost opportunities and win rate of
``won_opportunities_by_rep`` (and its ``directional`` mark, 1.0 when the win rate rests on
fewer closed deals than ``min_closed``) and the won customers of ``won_customers_by_quarter``;
per segment dimension (and ``all``) the won customers. Every quarter in the data is covered.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

REP = "rep"
# The core's dimension and segment of company-wide rows (metrics.tables.ALL, ALL_SEGMENT;
# history sits below metrics, so the values are repeated here and a test keeps them equal).
COMPANY = "all"
COMPANY_SEGMENT = "All"
REP_FIGURES = ("won_opportunities", "won_amount", "lost_opportunities", "win_rate", "directional")
WON_CUSTOMERS = "won_customers"
# The figures a restatement is explained for: what bonuses and account planning are paid on.
BONUS_FIGURES = ("won_opportunities", "won_amount", WON_CUSTOMERS)


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
    """Flatten the core's rep table and won-customers table into :class:`Figure` rows."""
    out: list[Figure] = []
    for row in won_opportunities_by_rep.to_dict("records"):
        for name in REP_FIGURES:
            if name in row:  # a table without the directional mark records the rest
                out.append(Figure(row["quarter"], REP, str(row["rep"]), name, _value(row[name])))
    for row in won_customers_by_quarter.to_dict("records"):
        out.append(
            Figure(
                row["quarter"],
                str(row["dimension"]),
                str(row["segment"]),
                WON_CUSTOMERS,
                _value(row[WON_CUSTOMERS]),
            )
        )
    return out


def rep_figures(figures: Iterable[Figure], quarter: str) -> dict[tuple[str, str], float]:
    """``{(rep, figure): value}`` for one quarter's bonus figures (missing value → absent)."""
    return {
        (f.segment, f.figure): f.value
        for f in figures
        if f.quarter == quarter
        and f.dimension == REP
        and f.figure in BONUS_FIGURES
        and f.value is not None
    }


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
