"""Derived per-opportunity columns the metrics need, computed once on the whole data set.

New-customer status and deal type depend on an account's whole history, so they are decided
here on all opportunities before any filtering by period or segment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from reporter.metrics.codes import Codes, natural_key, quarter_codes, segment_sort_key
from reporter.metrics.settings import Settings
from reporter.vocabulary import UNKNOWN, is_missing

__all__ = ["enrich", "enrich_coded", "fold_segment", "segment_columns", "segment_sort_key"]

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
    return enrich_coded(opportunities, settings, by)[0]


def enrich_coded(
    opportunities: pd.DataFrame, settings: Settings, by: str | None = None
) -> tuple[pd.DataFrame, dict[str, Codes]]:
    """:func:`enrich`, and the codes of its rep, account, quarter and segment columns."""
    start = settings.fiscal_year_start_month
    # A shallow copy: columns are replaced or added, never written into (copy on write).
    out = opportunities.copy(deep=False)
    codes: dict[str, Codes] = {}
    # One person or account typed "Al"/"al" or "Acme"/"ACME" is one rep, one customer.
    for column, source in (("rep", "owner"), ("account", "account")):
        codes[column] = fold_codes(out[source], missing=None)
        out[column] = _column(codes[column], out[source])
    for column, source in (("close_quarter", "close_date"), ("created_quarter", "created_date")):
        codes[column] = quarter_codes(out[source], start)
        out[column] = codes[column].column(out.index)
    won = out["outcome"].eq("won")
    days = (out["close_date"] - out["created_date"]).dt.days
    out["cycle_days"] = days.where(won & days.ge(0)).astype("float64")
    out = _mark_first_wins(out, codes["account"].codes)
    out["deal_type"] = _deal_types(out, codes["account"].codes < 0)
    dims = segment_columns(out, settings.dimensions)
    if by is not None and by in out.columns and by not in dims:
        dims.append(by)
    for dim in dims:
        codes[dim] = fold_codes(out[dim])
        out[dim] = _column(codes[dim], out[dim])
    return out, codes


def _column(codes: Codes, source: pd.Series) -> pd.Series:
    """The folded column: ``source`` itself when folding changed nothing."""
    if codes.unchanged and source.dtype == object:
        return source
    return codes.column(source.index)


def segment_columns(frame: pd.DataFrame, dimensions: Sequence[str]) -> list[str]:
    """Configured dimensions that exist as columns (deal_type always exists after enrich)."""
    return [d for d in dimensions if d in frame.columns or d == "deal_type"]


def fold_segment(values: pd.Series, missing: str | None = UNKNOWN) -> pd.Series:
    """Missing/blank → ``missing``; ``west`` and ``West`` become the most common spelling."""
    return fold_codes(values, missing).column(values.index, missing)


def fold_codes(values: pd.Series, missing: str | None = UNKNOWN) -> Codes:
    """:func:`fold_segment` as codes: one code per folded value (``missing`` is a value
    when it is text, code -1 when it is None).

    Works on the distinct values (a column of a million cells holds a few hundred), then
    spreads the result back over the rows.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # The distinct values, cleaned once each (factorize already set None/NaN aside).
    text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).map(str).str.strip()
    rows = pd.Series(np.bincount(codes[codes >= 0], minlength=len(uniques)))
    spelled = (
        pd.DataFrame({"text": text, "rows": rows})[text.ne("").to_numpy()]
        .groupby("text", sort=False)["rows"]
        .sum()
    )
    # The most common spelling of each casefolded value (ties: A-Z) is its name.
    ranked = spelled.reset_index().sort_values(["rows", "text"], ascending=[False, True])
    ranked["fold"] = ranked["text"].str.casefold()
    canonical = ranked.drop_duplicates("fold").set_index("fold")["text"]
    names = list(canonical)
    place = {name: i for i, name in enumerate(names)}
    folded = text.str.casefold().map(canonical)
    remap = np.array(
        [-1 if t == "" else place[f] for t, f in zip(text.tolist(), folded.tolist(), strict=True)]
        + [-1],
        dtype=np.int64,
    )
    if missing is not None and ((remap[:-1] == -1).any() or (codes == -1).any()):
        if missing not in place:  # "Unknown" written in the data is the same segment
            place[missing] = len(names)
            names.append(missing)
        remap[remap == -1] = place[missing]
    # code -1 (None/NaN) takes the last entry of ``remap``
    spelled_as_is = (
        not (codes == -1).any()
        and all(isinstance(u, str) for u in uniques)
        and [names[i] if i >= 0 else None for i in remap[:-1].tolist()] == list(uniques)
    )
    return Codes(remap[codes], np.asarray(names, dtype=object), spelled_as_is)


def _clean_text(value: object) -> str | None:
    return None if is_missing(value) else str(value).strip()


def _id_sort_key(ids: pd.Series, needed: pd.Series) -> pd.Series:
    """Sort key for 'lowest opportunity id': numeric when every id is a number, else text.

    The key only breaks ties, so the text form is made for the ``needed`` rows alone.
    """
    # A sample first: one non-numeric id settles it without converting them all.
    if pd.to_numeric(ids.iloc[:1000], errors="coerce").notna().all():
        numeric = pd.to_numeric(ids, errors="coerce")
        if numeric.notna().all():
            return numeric.astype("float64")
    key = pd.Series("", index=ids.index, dtype=object)
    key[needed] = ids[needed].astype(str).map(natural_key)
    return key


def _mark_first_wins(out: pd.DataFrame, account: np.ndarray) -> pd.DataFrame:
    """Flag each account's first won deal: earliest close, then created, then lowest id.

    ``account`` is the account code of each row (-1: no account).
    """
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
    is_win = (
        out["outcome"].eq("won").to_numpy() & (account >= 0) & out["close_date"].notna().to_numpy()
    )
    if not is_win.any():
        return out
    wins = np.flatnonzero(is_win)
    acc = account[wins]
    close = out["close_date"].to_numpy(dtype="datetime64[ns]")[wins].view(np.int64)
    created = out["created_date"].to_numpy(dtype="datetime64[ns]")[wins].view(np.int64)
    # A missing created date sorts last, so a dated deal wins the tie.
    created = np.where(created == np.iinfo(np.int64).min, np.iinfo(np.int64).max, created)
    order = np.lexsort((created, close, acc))
    a, c, d = acc[order], close[order], created[order]
    same = (a[1:] == a[:-1]) & (c[1:] == c[:-1]) & (d[1:] == d[:-1])
    tied = np.concatenate([[False], same]) | np.concatenate([same, [False]])
    if tied.any():
        # Deals of one account closed and created on the same days: the lowest id first.
        ids = out["opportunity_id"].iloc[wins[order]].reset_index(drop=True)
        key = _id_sort_key(ids, pd.Series(tied))
        rank = np.zeros(len(order), dtype=np.float64)
        rank[tied] = key[tied].rank(method="first").to_numpy(dtype=np.float64)
        order = order[np.lexsort((rank, d, c, a))]
        a = acc[order]
    starts = np.concatenate([[True], a[1:] != a[:-1]])
    first_rows = wins[order[starts]]
    first_idx = out.index[first_rows]
    out.loc[first_idx, "first_win"] = True
    first_dates = pd.Series(out["close_date"].to_numpy()[first_rows], index=account[first_rows])
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


def _deal_types(out: pd.DataFrame, no_account: np.ndarray) -> pd.Series:
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
    # 0: new business, 1: expansion, 2: unknown (no account)
    derived = already.to_numpy().astype(np.int64)
    # Later wins on the account's first-win day are expansion too; the first win is new
    # business unless the account was a customer before the data.
    later_same_day = out["outcome"].eq("won") & ~out["first_win"] & first.eq(reference)
    derived[later_same_day.to_numpy()] = 1
    derived[(out["first_win"] & ~out["new_customer"]).to_numpy()] = 1
    derived[no_account] = 2
    kinds = np.array([NEW_BUSINESS, EXPANSION, UNKNOWN], dtype=object)
    derived_series = pd.Series(kinds[derived], index=out.index, dtype=object)
    return from_input.where(from_input.notna(), derived_series).astype(object)


def _type_from_input(value: object) -> str | None:
    text = _clean_text(value)
    if text is None:
        return None
    key = re.sub(r"[^a-z]", "", text.lower())
    if not key:
        return None
    return _TYPE_WORDS.get(key, text)
