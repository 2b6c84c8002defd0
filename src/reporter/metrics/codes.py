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

    def rank(self) -> np.ndarray:
        """Each value's place in segment order (natural sort, ``Unknown`` last)."""
        order = sorted(range(len(self.values)), key=lambda i: _segment_key(self.values[i]))
        rank = np.empty(len(self.values), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank


def quarter_codes(dates: pd.Series, start_month: int) -> Codes:
    """Each date's fiscal quarter label (``FY2026 Q3``) as codes; -1 where no date."""
    days = dates.to_numpy(dtype="datetime64[ns]")
    known = ~np.isnat(days)
    months = days[known].astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    codes = np.full(len(days), -1, dtype=np.int64)
    if not len(months):
        return Codes(codes, np.array([], dtype=object))
    low = int(months.min())
    seen = np.bincount(months - low)  # a month table, no sort of the rows
    month_list = (np.flatnonzero(seen) + low).tolist()
    labels = [_label(m, start_month) for m in month_list]
    distinct = sorted(set(labels))
    place = {label: i for i, label in enumerate(distinct)}
    table = np.zeros(len(seen), dtype=np.int64)
    table[np.flatnonzero(seen)] = [place[label] for label in labels]
    codes[known] = table[months - low]
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
