"""The bridge from won opportunities to won customers, for one quarter.

won opportunities = first wins of new customers (= won customers)
                  + further wins of accounts first won in the quarter
                  + wins from existing customers (first won earlier, or known as a customer
                    before the data)
                  + wins without an account.

Each won deal counts under its own rep and its own segment values, so every row adds up.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reporter.metrics.enrich import segment_sort_key
from reporter.metrics.report import BRIDGE_COLUMNS
from reporter.quarters import quarter_labels

PARTS = BRIDGE_COLUMNS[3:]


def bridge_parts(won: pd.DataFrame, quarter_label: str, start_month: int) -> pd.Series:
    """Which part of the bridge each won deal falls in, for deals won in ``quarter_label``.

    Uses the account columns ``enrich`` decided on the whole data set, so a segment's
    subset still knows where and when each account was first won.
    """
    first = won["account_first_win_date"]
    since = won["account_customer_since"]
    first_in_quarter = quarter_labels(first, start_month).eq(quarter_label)
    # The account's first win made it a new customer (it was not one before the data).
    new_account = first.notna() & ~(since.notna() & since.lt(first))
    part = np.select(
        [
            won["account"].isna(),
            won["new_customer"].astype(bool),
            first_in_quarter & new_account,
        ],
        ["no_account_wins", "new_customer_first_wins", "new_customer_further_wins"],
        default="existing_customer_wins",
    )
    return pd.Series(part, index=won.index, dtype=object)


def bridge_table(
    enriched: pd.DataFrame, quarter_label: str, dimensions: Sequence[str], start_month: int
) -> pd.DataFrame:
    """The bridge overall (``all``/``All``), per rep and per segment of each dimension.

    Only the deals won in ``quarter_label`` are counted.
    """
    won = enriched[enriched["outcome"].eq("won") & enriched["close_quarter"].eq(quarter_label)]
    part = bridge_parts(won, quarter_label, start_month)
    rows = [_row("all", "All", part)]
    for dim in ("rep", *dimensions):
        if dim not in won.columns:
            continue
        for value in sorted(won[dim].dropna().unique(), key=segment_sort_key):
            rows.append(_row(dim, value, part[won[dim].eq(value)]))
    table = pd.DataFrame(rows, columns=list(BRIDGE_COLUMNS))
    for col in BRIDGE_COLUMNS[2:]:
        table[col] = table[col].astype("int64")
    return table


def bridge_by_quarter(
    enriched: pd.DataFrame, labels: Sequence[str], dimensions: Sequence[str], start_month: int
) -> pd.DataFrame:
    """The bridge of every quarter in ``labels``, in that order."""
    frames = [
        bridge_table(enriched, label, dimensions, start_month).assign(quarter=label)
        for label in labels
    ]
    columns = ["quarter", *BRIDGE_COLUMNS]  # the caller adds ``to_date``
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _row(dimension: str, segment: object, part: pd.Series) -> dict[str, object]:
    counts = part.value_counts()
    row: dict[str, object] = {"dimension": dimension, "segment": segment}
    row.update({p: int(counts.get(p, 0)) for p in PARTS})
    row["won_opportunities"] = len(part)
    return row
