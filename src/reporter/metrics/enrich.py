"""Derived per-opportunity columns the metrics need, computed once on the whole data set.

New-customer status and deal type depend on an account's whole history, so they are decided
here on all opportunities before any filtering by period or segment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from reporter.metrics.settings import Settings
from reporter.quarters import quarter_labels
from reporter.vocabulary import UNKNOWN, is_missing

NEW_BUSINESS = "new business"
EXPANSION = "expansion"
RENEWAL = "renewal"

# Input type column values → deal type. Matched on lowercase letters only.
_TYPE_WORDS = {
    "newbusiness": NEW_BUSINESS,
    "new": NEW_BUSINESS,
    "newcustomer": NEW_BUSINESS,
    "newlogo": NEW_BUSINESS,
    "existingbusiness": EXPANSION,
    "existing": EXPANSION,
    "existingcustomer": EXPANSION,
    "expansion": EXPANSION,
    "upsell": EXPANSION,
    "crosssell": EXPANSION,
    "addon": EXPANSION,
    "existingcustomerupgrade": EXPANSION,
    "existingcustomerreplacement": EXPANSION,
    "existingcustomerdownsell": EXPANSION,
    "renewal": RENEWAL,
    "renewals": RENEWAL,
}


def enrich(opportunities: pd.DataFrame, settings: Settings, by: str | None = None) -> pd.DataFrame:
    """Return a copy with quarter labels, cycle days, first-win and deal-type columns.

    Added columns: ``rep`` (owner), ``close_quarter``, ``created_quarter``, ``cycle_days``
    (won only, NaN when a date is missing or the order is impossible), ``first_win`` (this
    is the account's first won deal), ``new_customer`` (first win of an account not known
    as a customer before it), ``deal_type``, and each segment dimension with missing values
    as ``Unknown`` and case variants folded to the most common spelling (``by``, the
    briefing dimension, too when it is not one of them).
    """
    start = settings.fiscal_year_start_month
    out = opportunities.copy()
    # One person or account typed "Al"/"al" or "Acme"/"ACME" is one rep, one customer.
    out["rep"] = fold_segment(out["owner"], missing=None)
    out["account"] = fold_segment(out["account"], missing=None)
    out["close_quarter"] = quarter_labels(out["close_date"], start)
    out["created_quarter"] = quarter_labels(out["created_date"], start)
    won = out["outcome"].eq("won")
    days = (out["close_date"] - out["created_date"]).dt.days
    out["cycle_days"] = days.where(won & days.ge(0)).astype("float64")
    out = _mark_first_wins(out)
    out["deal_type"] = _deal_types(out)
    dims = segment_columns(out, settings.dimensions)
    if by is not None and by in out.columns and by not in dims:
        dims.append(by)
    for dim in dims:
        out[dim] = fold_segment(out[dim])
    return out


def segment_columns(frame: pd.DataFrame, dimensions: Sequence[str]) -> list[str]:
    """Configured dimensions that exist as columns (deal_type always exists after enrich)."""
    return [d for d in dimensions if d in frame.columns or d == "deal_type"]


def fold_segment(values: pd.Series, missing: str | None = UNKNOWN) -> pd.Series:
    """Missing/blank → ``missing``; ``west`` and ``West`` become the most common spelling."""
    text = [_clean_text(v) for v in values.tolist()]
    counts: dict[str, int] = {}
    for v in text:
        if v is not None:
            counts[v] = counts.get(v, 0) + 1
    canonical: dict[str, str] = {}
    for spelling, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        canonical.setdefault(spelling.casefold(), spelling)
    folded = [missing if v is None else canonical[v.casefold()] for v in text]
    return pd.Series(folded, index=values.index, dtype=object)


def _clean_text(value: object) -> str | None:
    return None if is_missing(value) else str(value).strip()


def _id_sort_key(ids: pd.Series) -> pd.Series:
    """Sort key for 'lowest opportunity id': numeric when every id is a number, else text."""
    numeric = pd.to_numeric(ids, errors="coerce")
    if numeric.notna().all():
        return numeric.astype("float64")
    return ids.astype(str).map(_natural_key)


def segment_sort_key(value: object) -> tuple[bool, str]:
    """Order segments naturally ("50-249" before "250-999"), with ``Unknown`` last."""
    text = str(value)
    return (text == UNKNOWN, _natural_key(text).casefold())


def _natural_key(text: str) -> str:
    # Zero-pad digit runs so "OPP-9" sorts before "OPP-10".
    return re.sub(r"\d+", lambda m: m.group(0).zfill(20), text)


def _mark_first_wins(out: pd.DataFrame) -> pd.DataFrame:
    """Flag each account's first won deal: earliest close, then created, then lowest id."""
    out["first_win"] = False
    out["new_customer"] = False
    # "Customer since" may be filled on any of the account's rows; the earliest counts.
    out["account_customer_since"] = (
        out.groupby("account", dropna=True)["customer_since"]
        .transform("min")
        .astype("datetime64[ns]")
    )
    out["account_first_win_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    wins = out[out["outcome"].eq("won") & out["account"].notna() & out["close_date"].notna()]
    if wins.empty:
        return out
    order = pd.DataFrame(
        {
            "account": wins["account"],
            "close": wins["close_date"],
            # A missing created date sorts last, so a dated deal wins the tie.
            "created": wins["created_date"].fillna(pd.Timestamp.max),
            "id": _id_sort_key(wins["opportunity_id"]),
        },
        index=wins.index,
    ).sort_values(["account", "close", "created", "id"], kind="mergesort")
    first_idx = order.drop_duplicates("account", keep="first").index
    out.loc[first_idx, "first_win"] = True
    first_dates = out.loc[first_idx].set_index("account")["close_date"]
    out["account_first_win_date"] = out["account"].map(first_dates).astype("datetime64[ns]")
    since = out.loc[first_idx, "account_customer_since"]
    known_before = since.notna() & (since < out.loc[first_idx, "close_date"])
    out.loc[first_idx, "new_customer"] = ~known_before.to_numpy()
    return out


def _deal_types(out: pd.DataFrame) -> pd.Series:
    """The input's type column wins; else new business until the account's first win."""
    from_input = out["type"].map(_type_from_input)
    reference = out["close_date"].fillna(out["created_date"])
    first = out["account_first_win_date"]
    since = out["account_customer_since"]
    already = (first.notna() & reference.notna() & (first < reference)) | (
        since.notna() & reference.notna() & (since < reference)
    )
    derived = np.where(already, EXPANSION, NEW_BUSINESS)
    # Later wins on the account's first-win day are expansion too; the first win is new
    # business unless the account was a customer before the data.
    later_same_day = out["outcome"].eq("won") & ~out["first_win"] & first.eq(reference)
    derived = np.where(later_same_day, EXPANSION, derived)
    derived = np.where(out["first_win"] & ~out["new_customer"], EXPANSION, derived)
    derived_series = pd.Series(derived, index=out.index, dtype=object)
    derived_series = derived_series.where(out["account"].notna(), UNKNOWN)
    return from_input.where(from_input.notna(), derived_series).astype(object)


def _type_from_input(value: object) -> str | None:
    text = _clean_text(value)
    if text is None:
        return None
    key = re.sub(r"[^a-z]", "", text.lower())
    if not key:
        return None
    return _TYPE_WORDS.get(key, text)
