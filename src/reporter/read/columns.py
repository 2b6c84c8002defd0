"""Parsing a column once per distinct value: the hot path of a million-row sheet.

An export's columns repeat their values (eight regions, a dozen stages, a few hundred
dates), and the reader hands back a separate Python object for every cell. Parsing each
distinct value once and sharing the result makes the parsed columns hold one object per
value instead of one per cell (hundreds of MB on a full sheet) and skips the repeated
work. The parsers are pure functions of the value and of the column-wide decisions passed
in, so the results are exactly those of calling them cell by cell, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

FAILED: Any = object()  # what :func:`map_distinct` gives for a cell the parser refused
_MISSING: Any = object()


def map_distinct(parse: Callable[[Any], Any], cells: Sequence[Any]) -> list[Any]:
    """``parse`` applied to every cell, once per distinct (type, value).

    A cell ``parse`` raises :class:`ValueError` for comes back as :data:`FAILED`, so the
    caller can report it with its row. Values are told apart by type as well as value
    (``True``, ``1`` and ``1.0`` are equal in Python but not as cells); floats are parsed
    one by one.
    """
    kinds = set(map(type, cells))
    if len(kinds & _NUMBERS) > 1:
        return _by_type(parse, cells)
    # At most one kind of number: cells equal as Python objects are equal as cells (a date
    # never equals a text or a number), so one lookup per cell does.
    results: dict[Any, Any] = {}
    for cell in set(cells):
        if cell.__class__ is not float:
            results[cell] = _apply(parse, cell)
    if float not in kinds:
        return list(map(results.__getitem__, cells))
    # -0.0 == 0.0 must not share a result, and floats are seldom repeated.
    return [_apply(parse, cell) if cell.__class__ is float else results[cell] for cell in cells]


_NUMBERS = frozenset({bool, int, float})


def _apply(parse: Callable[[Any], Any], cell: Any) -> Any:
    try:
        return parse(cell)
    except ValueError:
        return FAILED


def _by_type(parse: Callable[[Any], Any], cells: Sequence[Any]) -> list[Any]:
    memo: dict[type, dict[Any, Any]] = {}
    out: list[Any] = []
    append = out.append
    for cell in cells:
        if cell.__class__ is float:
            # Floats are seldom repeated, and -0.0 == 0.0 must not share a result.
            try:
                append(parse(cell))
            except ValueError:
                append(FAILED)
            continue
        seen = memo.get(cell.__class__)
        if seen is None:
            seen = memo[cell.__class__] = {}
        result = seen.get(cell, _MISSING)
        if result is _MISSING:
            try:
                result = parse(cell)
            except ValueError:
                result = FAILED
            seen[cell] = result
        append(result)
    return out
