"""Derived per-opportunity columns the metrics need, computed once on the whole data set.

New-customer status and deal type depend on an account's whole history, so they are decided
here on all opportunities before any filtering by period or segment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
    # The outcome as codes: facts asks for four words, each then a lookup per row.
    codes["outcome"] = Codes(*_factorize(out["outcome"]))
    won = codes["outcome"].where("won")
    out["cycle_days"] = _cycle_days(out, won)
    out = _mark_first_wins(out, codes["account"].codes, won)
    type_codes, type_values = _deal_types(out, codes["account"].codes < 0, won)
    out["deal_type"] = pd.Series(type_values[type_codes], index=out.index, dtype=object)
    dims = segment_columns(out, settings.dimensions)
    if by is not None and by in out.columns and by not in dims:
        dims.append(by)
    for dim in dims:
        given = (type_codes, type_values) if dim == "deal_type" else None
        codes[dim] = fold_codes(out[dim], factorized=given)
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


def fold_codes(
    values: pd.Series,
    missing: str | None = UNKNOWN,
    factorized: tuple[np.ndarray, np.ndarray] | None = None,
) -> Codes:
    """:func:`fold_segment` as codes: one code per folded value (``missing`` is a value
    when it is text, code -1 when it is None).

    Works on the distinct values (a column of a million cells holds a few hundred), then
    spreads the result back over the rows. A categorical column gives its codes as they
    are; ``factorized`` (codes, distinct values) skips the factorizing when the caller has it.
    """
    codes, uniques = factorized if factorized is not None else _factorize(values)
    # Rows per distinct value (a category no row uses counts 0 and names nothing).
    rows = np.bincount(codes + 1, minlength=len(uniques) + 1)
    no_value = bool(rows[0])
    rows = rows[1:]
    names, remap = _distinct_names(uniques, rows)
    remap = np.append(remap, -1)  # code -1 (None/NaN) takes the last entry
    if missing is not None and (no_value or bool(((remap[:-1] == -1) & (rows > 0)).any())):
        if missing not in names:  # "Unknown" written in the data is the same segment
            names.append(missing)
        remap[remap == -1] = names.index(missing)
    spelled_as_is = (
        not no_value
        and pd.api.types.infer_dtype(uniques, skipna=False) == "string"
        and bool(np.all((np.asarray(names, dtype=object)[remap[:-1]] == uniques) | (rows == 0)))
    )
    return Codes(remap[codes], np.asarray(names, dtype=object), spelled_as_is)


def _distinct_names(uniques: np.ndarray, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The folded names (most rows first, then A-Z) and each distinct value's place among
    them (-1: blank, or a category no row uses)."""
    if len(uniques) and pd.api.types.infer_dtype(uniques, skipna=False) == "string":
        plain = _plain_names(uniques, rows)
        if plain is not None:
            return plain
    # The distinct values, cleaned once each (factorize already set None/NaN aside).
    texts = pd.Series(uniques, dtype=object).map(str).str.strip().tolist()
    spelled: dict[str, int] = {}
    for t, r in zip(texts, rows.tolist(), strict=True):
        if t and r:
            spelled[t] = spelled.get(t, 0) + r
    # The most common spelling of each casefolded value (ties: A-Z) is its name.
    canonical: dict[str, str] = {}
    for t in sorted(spelled, key=lambda t: (-spelled[t], t)):
        canonical.setdefault(t.casefold(), t)
    names = list(canonical.values())
    place = {name: i for i, name in enumerate(names)}
    remap = [
        place[canonical[t.casefold()]] if t and r else -1
        for t, r in zip(texts, rows.tolist(), strict=True)
    ]
    return names, np.array(remap, dtype=np.int64)


def _plain_names(uniques: np.ndarray, rows: np.ndarray) -> tuple[list[str], np.ndarray] | None:
    """:func:`_distinct_names` without a Python loop, when there is nothing to fold: every
    value used, ASCII, already trimmed, not blank and distinct ignoring case (a column of
    50,000 account names). None when some value needs the general rules."""
    text = pa.array(uniques, type=pa.string())
    if not (
        rows.all()
        and pc.all(pc.string_is_ascii(text)).as_py()
        and pc.all(pc.greater(pc.utf8_length(text), 0)).as_py()
        and pc.all(pc.equal(pc.utf8_trim_whitespace(text), text)).as_py()
        # ASCII: casefold is lower
        and pc.count_distinct(pc.utf8_lower(text)).as_py() == len(text)
    ):
        return None
    table = pa.table({"rows": pa.array(rows, type=pa.int64()), "text": text})
    order = pc.sort_indices(table, sort_keys=[("rows", "descending"), ("text", "ascending")])
    order_np = order.to_numpy()
    remap = np.empty(len(uniques), dtype=np.int64)
    remap[order_np] = np.arange(len(uniques))
    return uniques[order_np].tolist(), remap


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1: missing) and distinct values; a categorical's own codes, no hashing."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cat = values.array
        assert isinstance(cat, pd.Categorical)
        return cat.codes.astype(np.int64), np.asarray(cat.categories, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)


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


def _cycle_days(out: pd.DataFrame, won: np.ndarray) -> np.ndarray:
    """Whole days from created to close on won deals; NaN when a date is missing or the
    close comes first."""
    close = out["close_date"].to_numpy(dtype="datetime64[ns]")
    created = out["created_date"].to_numpy(dtype="datetime64[ns]")
    dated = ~np.isnat(close) & ~np.isnat(created)
    days = (close.view(np.int64) - created.view(np.int64)) // 86_400_000_000_000
    cycle: np.ndarray = np.where(won & dated & (days >= 0), days, np.nan).astype("float64")
    return cycle


def _mark_first_wins(out: pd.DataFrame, account: np.ndarray, won: np.ndarray) -> pd.DataFrame:
    """Flag each account's first won deal: earliest close, then created, then lowest id.

    ``account`` is the account code of each row (-1: no account).
    """
    n = len(out)
    out["first_win"] = False  # the columns' places (filled below)
    out["new_customer"] = False
    close_all = out["close_date"].to_numpy(dtype="datetime64[ns]")
    # "Customer since" may be filled on any of the account's rows; the earliest counts.
    since_all = out["customer_since"].to_numpy(dtype="datetime64[ns]")
    out["account_customer_since"] = _spread(_earliest(since_all, account), account)
    first_win = np.zeros(n, dtype=bool)
    new_customer = np.zeros(n, dtype=bool)
    first_dates = np.full(int(account.max(initial=-1)) + 1, _NAT, dtype=np.int64)
    is_win = won & (account >= 0) & ~np.isnat(close_all)
    if is_win.any():
        first_rows = _first_win_rows(out, account, close_all, np.flatnonzero(is_win))
        first_win[first_rows] = True
        first_dates[account[first_rows]] = close_all[first_rows].view(np.int64)
        since = out["account_customer_since"].to_numpy()[first_rows]
        # NaT compares False: no "customer since" means not known before.
        new_customer[first_rows] = ~(since < close_all[first_rows])
    out["first_win"] = first_win
    out["new_customer"] = new_customer
    out["account_first_win_date"] = _spread(first_dates, account)
    return out


_NAT = np.iinfo(np.int64).min


def _earliest(dates: np.ndarray, account: np.ndarray) -> np.ndarray:
    """Per account code, the earliest of ``dates`` on its rows (as int64 ns, NaT if none)."""
    table = np.full(int(account.max(initial=-1)) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    has = (account >= 0) & ~np.isnat(dates)
    np.minimum.at(table, account[has], dates[has].view(np.int64))
    table[table == np.iinfo(np.int64).max] = _NAT
    return table


def _first_win_rows(
    out: pd.DataFrame, account: np.ndarray, close_all: np.ndarray, wins: np.ndarray
) -> np.ndarray:
    """The row of each account's first won deal, among the won rows ``wins``: the earliest
    close, then the earliest created (a missing created date last), then the lowest id
    (equal ids: the earlier row)."""
    acc = account[wins]
    close = close_all[wins].view(np.int64)
    created = out["created_date"].to_numpy(dtype="datetime64[ns]")[wins].view(np.int64)
    # A missing created date sorts last, so a dated deal wins the tie.
    latest = np.iinfo(np.int64).max
    created = np.where(created == _NAT, latest, created)
    size = int(acc.max(initial=-1)) + 1
    # Each account's earliest close, then the earliest created among the wins on that
    # day: two minimums per account instead of sorting every win.
    earliest = np.full(size, latest, dtype=np.int64)
    np.minimum.at(earliest, acc, close)
    at = np.flatnonzero(close == earliest[acc])
    first_created = np.full(size, latest, dtype=np.int64)
    np.minimum.at(first_created, acc[at], created[at])
    best = at[created[at] == first_created[acc[at]]]  # positions in ``wins``, ascending
    tied = np.bincount(acc[best], minlength=size)[acc[best]] > 1
    if tied.any():
        # Wins of one account closed and created on the same first days: the lowest id
        # goes first (the key is numeric when every won id is a number).
        ids = out["opportunity_id"].iloc[wins].reset_index(drop=True)
        needed = np.zeros(len(wins), dtype=bool)
        needed[best[tied]] = True
        key = _id_sort_key(ids, pd.Series(needed))
        ties = best[tied]
        rank = key.iloc[ties].rank(method="first").to_numpy(dtype=np.float64)
        ties = ties[np.lexsort((rank, acc[ties]))]
        first = np.concatenate([[True], acc[ties][1:] != acc[ties][:-1]])
        best = np.concatenate([best[~tied], ties[first]])
    rows: np.ndarray = wins[best]
    return rows


def _spread(table: np.ndarray, account: np.ndarray) -> np.ndarray:
    """Per-account dates (int64 ns by account code, NaT as int64 min) spread over the rows."""
    full = np.append(table, _NAT)  # code -1 takes the last entry, NaT
    spread: np.ndarray = full[account].view("datetime64[ns]")
    return spread


def _deal_types(
    out: pd.DataFrame, no_account: np.ndarray, won: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The input's type column wins; else new business until the account's first win.

    Returns codes per row and the distinct deal types they index.
    """
    codes, uniques = pd.factorize(out["type"], use_na_sentinel=True)
    mapped = [_type_from_input(v) for v in uniques]
    kinds = [NEW_BUSINESS, EXPANSION, UNKNOWN]
    for kind in mapped:
        if kind is not None and kind not in kinds:
            kinds.append(kind)
    place = {kind: i for i, kind in enumerate(kinds)}
    from_input = np.array([-1 if k is None else place[k] for k in mapped] + [-1], dtype=np.int64)
    close = out["close_date"].to_numpy(dtype="datetime64[ns]")
    reference = np.where(
        np.isnat(close), out["created_date"].to_numpy(dtype="datetime64[ns]"), close
    )
    first = out["account_first_win_date"].to_numpy(dtype="datetime64[ns]")
    since = out["account_customer_since"].to_numpy(dtype="datetime64[ns]")
    # NaT compares False, so a missing date never makes an account "already" a customer.
    already = (first < reference) | (since < reference)
    # 0: new business, 1: expansion, 2: unknown (no account)
    derived = already.astype(np.int64)
    first_win = out["first_win"].to_numpy(dtype=bool)
    # Later wins on the account's first-win day are expansion too; the first win is new
    # business unless the account was a customer before the data.
    derived[won & ~first_win & (first == reference)] = 1
    derived[first_win & ~out["new_customer"].to_numpy(dtype=bool)] = 1
    derived[no_account] = 2
    given = from_input[codes]
    return np.where(given >= 0, given, derived), np.asarray(kinds, dtype=object)


def _type_from_input(value: object) -> str | None:
    text = _clean_text(value)
    if text is None:
        return None
    key = re.sub(r"[^a-z]", "", text.lower())
    if not key:
        return None
    return _TYPE_WORDS.get(key, text)
