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
    """Missing/blank → ``missing``; ``west`` and ``West`` become the most common spelling.

    Works on the distinct values (a column of a million cells holds a few hundred), then
    spreads the result back over the rows.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = [_clean_text(v) for v in uniques]
    rows_per_unique = np.bincount(codes[codes >= 0], minlength=len(uniques))
    counts: dict[str, int] = {}
    for v, n in zip(text, rows_per_unique.tolist(), strict=True):
        if v is not None:
            counts[v] = counts.get(v, 0) + n
    canonical: dict[str, str] = {}
    for spelling, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        canonical.setdefault(spelling.casefold(), spelling)
    folded = np.array(
        [missing if v is None else canonical[v.casefold()] for v in text] + [missing],
        dtype=object,
    )
    # code -1 (None/NaN) takes the last entry: ``missing``
    return pd.Series(folded[codes], index=values.index, dtype=object)


def _clean_text(value: object) -> str | None:
    return None if is_missing(value) else str(value).strip()


def _id_sort_key(ids: pd.Series, needed: pd.Series) -> pd.Series:
    """Sort key for 'lowest opportunity id': numeric when every id is a number, else text.

    The key only breaks ties, so the text form is made for the ``needed`` rows alone.
    """
    numeric = pd.to_numeric(ids, errors="coerce")
    if numeric.notna().all():
        return numeric.astype("float64")
    key = pd.Series("", index=ids.index, dtype=object)
    key[needed] = ids[needed].astype(str).map(_natural_key)
    return key


def segment_sort_key(value: object) -> tuple[bool, str]:
    """Order segments naturally ("50-249" before "250-999"), with ``Unknown`` last."""
    text = str(value)
    return (text == UNKNOWN, _natural_key(text).casefold())


def _natural_key(text: str) -> str:
    # Zero-pad digit runs so "OPP-9" sorts before "OPP-10".
    return re.sub(r"\d+", lambda m: m.group(0).zfill(20), text)


def _mark_first_wins(out: pd.DataFrame) -> pd.DataFrame:
    """Flag each account's first won deal: earliest close, then created, then lowest id."""
    account, _ = pd.factorize(out["account"], use_na_sentinel=True)
    out["first_win"] = False
    out["new_customer"] = False
    # "Customer since" may be filled on any of the account's rows; the earliest counts.
    since_by_account = (
        pd.Series(out["customer_since"].to_numpy(), index=account)
        .loc[account >= 0]
        .groupby(level=0)
        .min()
    )
    out["account_customer_since"] = _spread(since_by_account, account)
    out["account_first_win_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    is_win = out["outcome"].eq("won").to_numpy() & (account >= 0) & out["close_date"].notna()
    wins = out[is_win]
    if wins.empty:
        return out
    order = pd.DataFrame(
        {
            "account": account[is_win.to_numpy()],
            "close": wins["close_date"],
            # A missing created date sorts last, so a dated deal wins the tie.
            "created": wins["created_date"].fillna(pd.Timestamp.max),
        },
        index=wins.index,
    )
    tied = order.duplicated(["account", "close", "created"], keep=False)
    order["id"] = _id_sort_key(wins["opportunity_id"], tied)
    order = order.sort_values(["account", "close", "created", "id"], kind="mergesort")
    first = order.drop_duplicates("account", keep="first")
    first_idx = first.index
    out.loc[first_idx, "first_win"] = True
    first_dates = pd.Series(first["close"].to_numpy(), index=first["account"].to_numpy())
    out["account_first_win_date"] = _spread(first_dates, account)
    since = out.loc[first_idx, "account_customer_since"]
    known_before = since.notna() & (since < out.loc[first_idx, "close_date"])
    out.loc[first_idx, "new_customer"] = ~known_before.to_numpy()
    return out


def _spread(by_account: pd.Series, account: np.ndarray) -> np.ndarray:
    """Per-account dates (indexed by account code) spread over the rows (NaT elsewhere)."""
    table = np.full(int(account.max(initial=-1)) + 2, np.datetime64("NaT"), "datetime64[ns]")
    table[by_account.index.to_numpy()] = by_account.to_numpy().astype("datetime64[ns]")
    spread: np.ndarray = table[account]  # code -1 takes the last entry, NaT
    return spread


def _deal_types(out: pd.DataFrame) -> pd.Series:
    """The input's type column wins; else new business until the account's first win."""
    codes, uniques = pd.factorize(out["type"], use_na_sentinel=True)
    kinds = np.array([_type_from_input(v) for v in uniques] + [None], dtype=object)
    from_input = pd.Series(kinds[codes], index=out.index, dtype=object)
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
