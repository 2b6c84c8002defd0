"""Text and date columns as integer codes into their distinct values, and segment order.

The metrics core works on codes (a column of a million cells holds a few hundred distinct
values): cleaning, folding and grouping happen once per distinct value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from reporter.quarters import quarter_of
from reporter.vocabulary import UNKNOWN


@dataclass(frozen=True)
class Codes:
    """One column as codes into its distinct values (-1: missing)."""

    codes: np.ndarray  # int64 per row
    values: np.ndarray  # object array of the distinct values
    unchanged: bool = False  # the column already reads like this (nothing to rewrite)

    @classmethod
    def of(cls, column: pd.Series) -> Codes:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        return cls(codes.astype(np.int64), np.asarray(uniques, dtype=object))

    def column(self, index: pd.Index, missing: object = None) -> pd.Series:
        """The values per row as an object Series (``missing`` where the code is -1)."""
        table = np.empty(len(self.values) + 1, dtype=object)
        table[:-1] = self.values
        table[-1] = missing
        return pd.Series(table[self.codes], index=index, dtype=object)

    def where(self, word: str) -> np.ndarray:
        """Rows whose value is ``word`` (a missing value never is): one comparison per
        distinct value, then a lookup per row (not a million string comparisons)."""
        table = np.append(np.asarray(self.values == word, dtype=bool), False)  # -1: missing
        hit: np.ndarray = table[self.codes]
        return hit

    def rank(self) -> np.ndarray:
        """Each value's place in segment order (natural sort, ``Unknown`` last)."""
        order = sorted(range(len(self.values)), key=lambda i: _segment_key(self.values[i]))
        rank = np.empty(len(self.values), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank


def quarter_codes(dates: pd.Series, start_month: int) -> Codes:
    """Each date's fiscal quarter label (``FY2026 Q3``) as codes; -1 where no date."""
    days = _day_numbers(dates)
    known = days != _NO_DAY
    codes = np.full(len(days), -1, dtype=np.int64)
    if not known.any():
        return Codes(codes, np.array([], dtype=object))
    low, high = int(days[known].min()), int(days[known].max())
    if high - low > 4 * len(days) + 400_000:  # sparse dates (a typo decades away): no table
        return _quarter_codes_sorted(days, known, start_month)
    # A table over the days the data span (a few thousand), not a per-row calendar.
    span = np.arange(low, high + 1, dtype=np.int64).astype("datetime64[D]")
    months = span.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    month_list = np.unique(months)
    labels = [_label(int(m), start_month) for m in month_list.tolist()]
    distinct = sorted(set(labels))
    place = {label: i for i, label in enumerate(distinct)}
    by_month = np.array([place[label] for label in labels], dtype=np.int64)
    by_day = by_month[np.searchsorted(month_list, months)]
    codes[known] = by_day[days[known] - low]
    return Codes(codes, np.asarray(distinct, dtype=object))


_NO_DAY = np.iinfo(np.int64).min


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 per row (``_NO_DAY`` where no date), whatever the unit."""
    stamps = dates.to_numpy(dtype="datetime64[ns]")
    ns = stamps.view(np.int64)
    days: np.ndarray = np.where(np.isnat(stamps), _NO_DAY, ns // 86_400_000_000_000)
    return days


def _quarter_codes_sorted(days: np.ndarray, known: np.ndarray, start_month: int) -> Codes:
    """:func:`quarter_codes` through the distinct days (for dates spread over centuries)."""
    codes = np.full(len(days), -1, dtype=np.int64)
    distinct_days, at = np.unique(days[known], return_inverse=True)
    months = distinct_days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    labels = [_label(int(m), start_month) for m in months.tolist()]
    distinct = sorted(set(labels))
    place = {label: i for i, label in enumerate(distinct)}
    codes[known] = np.array([place[label] for label in labels], dtype=np.int64)[at]
    return Codes(codes, np.asarray(distinct, dtype=object))


def _label(months: int, start_month: int) -> str:
    year, month = divmod(months, 12)
    return quarter_of(date(1970 + year, month + 1, 1), start_month).label


def segment_sort_key(value: object) -> tuple[bool, str]:
    """Order segments naturally ("50-249" before "250-999"), with ``Unknown`` last."""
    text = str(value)
    return (text == UNKNOWN, natural_key(text).casefold())


def _segment_key(value: object) -> tuple[tuple[bool, str], str]:
    return segment_sort_key(value), str(value)


def natural_key(text: str) -> str:
    """Zero-pad digit runs so "OPP-9" sorts before "OPP-10"."""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(20), text)
