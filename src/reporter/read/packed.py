"""A column of texts that are nearly all distinct (ids, names), packed for the trip back.

The reader's child sends its tables to the parent pickled. A repeated text (a stage, an
owner) is pickled once and referenced after; a column of distinct texts is pickled one
str at a time, and the 100,000 ids and 100,000 names of a 100k export were most of the
trip. Joined into one str they cross as one object, and ``str.split`` makes them again in
the parent in one C loop. The parent gets a plain list with the same texts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_SEPARATOR = "\x00"


def _split(joined: str, count: int) -> list[str]:
    return joined.split(_SEPARATOR) if count else []


class DistinctTexts(list[str]):
    """A list of str that pickles as one joined str (a plain list when one holds the
    separator)."""

    def __reduce__(self) -> tuple[Callable[..., list[Any]], tuple[Any, ...]]:
        try:
            joined = _SEPARATOR.join(self)
        except TypeError:  # not all str after all
            return (list, (list(self),))
        if self and joined.count(_SEPARATOR) != len(self) - 1:  # a text holds the separator
            return (list, (list(self),))
        return (_split, (joined, len(self)))


def packed(texts: list[str | None], distinct: int) -> list[str | None]:
    """``texts`` (clean texts or None) as :class:`DistinctTexts` when none is missing and
    more than half of them are distinct."""
    if distinct * 2 <= len(texts) or None in texts:
        return texts
    return DistinctTexts(texts)  # type: ignore[arg-type,return-value]
