"""The bridge from won opportunities to won customers, per quarter.

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

from reporter.metrics.codes import quarter_codes
from reporter.metrics.facts import Facts, Groups
from reporter.metrics.report import BRIDGE_COLUMNS

PARTS = BRIDGE_COLUMNS[3:]


def bridge_parts(
    won: pd.DataFrame, first_in_quarter: np.ndarray, no_account: np.ndarray | None = None
) -> np.ndarray:
    """Which part of the bridge each won deal falls in (an index into ``PARTS``), in the
    quarter it closed in (``first_in_quarter``: its account was first won in that quarter;
    ``no_account``: the deal has none, default: told from ``won``'s account column).

    Uses the account columns ``enrich`` decided on the whole data set, so a segment's
    deals still know where and when each account was first won.
    """
    first = won["account_first_win_date"]
    since = won["account_customer_since"]
    # The account's first win made it a new customer (it was not one before the data).
    new_account = (first.notna() & ~(since.notna() & since.lt(first))).to_numpy()
    part: np.ndarray = np.select(
        [
            won["account"].isna().to_numpy() if no_account is None else no_account,
            won["new_customer"].to_numpy(dtype=bool),
            first_in_quarter & new_account,
        ],
        [PARTS.index(p) for p in ("no_account_wins", "new_customer_first_wins")]
        + [PARTS.index("new_customer_further_wins")],
        default=PARTS.index("existing_customer_wins"),
    )
    return part


def bridge_by_quarter(
    enriched: pd.DataFrame,
    facts: Facts,
    groups: Groups,
    labels: Sequence[str],
    dimensions: Sequence[str],
    start_month: int,
) -> list[pd.DataFrame]:
    """The bridge of every quarter in ``labels``, in that order: overall (``all``/``All``),
    per rep and per segment of each dimension, for every group."""
    index, part, q = facts.once(
        ("bridge", tuple(labels), start_month),
        lambda: _won_parts(enriched, facts, labels, start_month),
    )
    g, index, part, q = groups.spread(index, index, part, q)  # each deal in each of its groups
    nq, npart = len(labels), len(PARTS)
    frames = []
    overall = groups.bincount(g, q * npart + part, nq * npart)
    g_all, q_all = np.divmod(np.arange(groups.size * nq), nq)
    zeros = np.zeros(len(g_all), np.int64)
    frames.append(_frame(g_all, q_all, -1, zeros, "all", "All", overall.reshape(-1, npart), labels))
    for order, dim in enumerate(("rep", *dimensions)):
        if dim not in facts.dims:
            continue
        codes = facts.codes(dim)
        v = codes.codes[index]
        take = v >= 0
        nv = len(codes.values)
        cell = (q[take] * nv + v[take]) * npart + part[take]
        counts = groups.bincount(g[take], cell, nq * nv * npart)
        counts = counts.reshape(-1, npart)
        found = np.flatnonzero(counts.sum(axis=1))
        gq, value = np.divmod(found, nv)
        gg, qq = np.divmod(gq, nq)
        frames.append(
            _frame(
                gg, qq, order, codes.rank()[value], dim, codes.values[value], counts[found], labels
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["_g", "_q", "_o", "_r"], kind="mergesort")
    table = table.drop(columns=["_q", "_o", "_r"]).reset_index(drop=True)
    return groups.split(table)


def _won_parts(
    enriched: pd.DataFrame, facts: Facts, labels: Sequence[str], start_month: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The won deals closing in one of the quarters ``labels`` (row positions), the bridge
    part of each and its quarter's place in ``labels``: the same for every grouping."""
    wanted = np.array([facts.quarter_code(label) for label in labels], dtype=np.int64)
    place = np.full(len(facts.quarters) + 1, -1, dtype=np.int64)
    for i, code in enumerate(wanted):
        if code >= 0:
            place[code] = i
    rows = facts.won & (facts.close_q >= 0)
    rows &= place[facts.close_q] >= 0
    index = np.flatnonzero(rows)
    columns = ["account_first_win_date", "account_customer_since", "new_customer"]
    won = pd.DataFrame({c: enriched[c].to_numpy()[index] for c in columns})
    # No account: the account's code (enrich made it), not a look at a million names.
    if facts.account is None:
        won["account"] = enriched["account"].to_numpy(dtype=object)[index]
    no_account = None if facts.account is None else facts.account[index] < 0
    first_q = quarter_codes(won["account_first_win_date"], start_month)
    # The first win's quarter as the facts' quarter code (-3: no first win, never equal;
    # -2: a quarter no deal closes in), compared with the quarter each deal closed in.
    first_code = [facts.quarter_code(label) for label in first_q.values.tolist()] + [-3]
    same: np.ndarray = np.array(first_code, dtype=np.int64)[first_q.codes] == facts.close_q[index]
    return index, bridge_parts(won, same, no_account), place[facts.close_q[index]]


def _frame(
    g: np.ndarray,
    q: np.ndarray,
    order: int,
    rank: np.ndarray,
    dimension: str,
    segment: object,
    counts: np.ndarray,
    labels: Sequence[str],
) -> pd.DataFrame:
    data: dict[str, object] = {
        "_g": g,
        "_q": q,
        "_o": order,
        "_r": rank,
        "quarter": np.asarray(labels, dtype=object)[q] if len(q) else np.array([], object),
        "dimension": dimension,
        "segment": segment,
        "won_opportunities": counts.sum(axis=1).astype(np.int64),
    }
    for i, name in enumerate(PARTS):
        data[name] = counts[:, i].astype(np.int64)
    frame = pd.DataFrame(data)
    return frame[["_g", "_q", "_o", "_r", "quarter", *BRIDGE_COLUMNS]]
