"""A sheet's data rows as one code per cell into its distinct values: one pass over the cells.

calamine hands back a Python object per cell, and touching or hashing each of them costs
more than parsing the distinct ones: an export's columns repeat their values (eight
regions, a dozen stages, a few thousand dates). So the grid is encoded once, row by row
(the order the objects were made in, which the memory caches like), into an integer code
per cell and one array of distinct values. Blank rows, Excel errors written as text, text
cleaning and parsing then look at each distinct value once and reach the cells through
their codes with numpy: no Python work per ordinary cell.

Python equality merges values that differ as cells: ``True == 1.0``, ``0 == -0.0 == 0.0``,
``2 == 2.0``, and two zones' readings of one moment. Only numbers, booleans and aware times
do that (a text never equals a date or a number, a date never equals a datetime), so a cell
whose distinct value is anything but a text or a naive date or time is parsed from the grid
as it is, never through its code. A missing cell (None, NaN)
has code -1; every parser gives the same for None and NaN.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from reporter.read.columns import FAILED

Codes = np.ndarray[Any, np.dtype[np.intp]]
Mask = np.ndarray[Any, np.dtype[np.bool_]]
Objects = np.ndarray[Any, np.dtype[Any]]

# Types whose equal values are the same cell: parsed once per distinct value.
_PLAIN = frozenset({str, date, datetime, time, timedelta})
_ZONED = frozenset({datetime, time})


def _each(flags: Iterable[Any], count: int) -> Mask:
    """A boolean array from truth values (a C loop when they come from a map of C functions)."""
    mask: Mask = np.fromiter(flags, bool, count)
    return mask


def _apply(parse: Callable[[Any], Any], cell: Any) -> Any:
    try:
        return parse(cell)
    except ValueError:
        return FAILED


class CodedGrid:
    """A sheet's data rows (short rows padded with None) as codes into distinct values."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self.count = len(rows)
        widths = set(map(len, rows))
        self.width = max(widths, default=0)
        if len(widths) > 1:
            rows = [row + [None] * (self.width - len(row)) for row in rows]
        self.cells: Objects = np.empty((self.count, self.width), dtype=object)
        if self.count and self.width:
            self.cells[:] = rows
        codes, distinct = pd.factorize(self.cells.ravel())
        self.codes: Codes = codes.reshape(self.count, self.width)
        # Code -1 (a missing cell) reads the last slot: None.
        self.values: Objects = np.empty(len(distinct) + 1, dtype=object)
        self.values[:-1] = distinct
        kinds = list(map(type, self.values.tolist()))
        self.text: Mask = _each(map(operator.is_, kinds, repeat(str)), len(kinds))
        self.plain: Mask = _each(map(_PLAIN.__contains__, kinds), len(kinds))
        self.plain[-1] = False
        # An aware datetime equals another zone's same moment: each is parsed as it is.
        for at in np.flatnonzero(_each(map(_ZONED.__contains__, kinds), len(kinds))).tolist():
            if self.values[at].tzinfo is not None:
                self.plain[at] = False
        self.blank: Mask = np.zeros(len(self.values), dtype=bool)
        self.blank[-1] = True
        # Texts with "#" (an Excel error written as text has one): most columns have none.
        self.hashed: Mask = np.zeros(len(self.values), dtype=bool)
        texts = np.flatnonzero(self.text)
        if texts.size:
            found = self.values[texts].tolist()
            # A text says nothing when it is empty or all whitespace (what str.strip drops).
            empty = _each(map(operator.not_, found), len(found))
            space = _each(map(str.isspace, found), len(found))
            self.blank[texts[empty | space]] = True
            if "#" in "\x00".join(found):
                marked = _each(map(operator.contains, found, repeat("#")), len(found))
                self.hashed[texts[marked]] = True

    def blank_cells(self) -> Mask:
        """Which cells say nothing (see :func:`values.is_blank`), row by column."""
        mask: Mask = self.blank[self.codes]
        return mask

    def column(self, col: int, rows: Codes) -> CodedColumn:
        """Column ``col`` (past the last column: all missing) at ``rows``."""
        if col < self.width:
            return CodedColumn(self, self.codes[rows, col], rows, col)
        return CodedColumn(self, np.full(rows.size, -1, dtype=np.intp), rows, None)

    def release(self) -> None:
        """Drop the grid of codes once every column is taken (the columns keep theirs)."""
        self.codes = np.empty((0, self.width), dtype=np.intp)


class CodedColumn:
    """One column's cells at some rows: their codes into the grid's distinct values."""

    def __init__(self, grid: CodedGrid, codes: Codes, rows: Codes, col: int | None) -> None:
        self.grid = grid
        self.codes = codes.copy()
        self.rows = rows
        self.col = col
        self.nulled: list[int] = []  # cells read as missing (Excel errors, flagged cells)
        self._present: Codes | None = None

    def _cells(self, at: Codes) -> Objects:
        if self.col is None:
            return np.full(at.size, None, dtype=object)
        cells: Objects = self.grid.cells[self.rows[at], self.col]
        return cells

    def cells(self) -> list[Any]:
        """The cells as they are, with the nulled ones None."""
        out: list[Any] = self._cells(np.arange(self.codes.size)).tolist()
        for at in self.nulled:
            out[at] = None
        return out

    def null(self, at: int) -> None:
        """Read the cell at ``at`` as missing from now on."""
        self.codes[at] = -1
        self.nulled.append(at)
        self._present = None

    def present(self) -> Codes:
        """Codes of the distinct texts and dates of the column, in the order they appear."""
        if self._present is None:
            codes = pd.unique(self.codes)
            self._present = codes[self.grid.plain[codes]]
        return self._present

    def distinct(self) -> list[Any]:
        """The distinct texts and dates of the column, in the order they first appear."""
        result: list[Any] = self.grid.values[self.present()].tolist()
        return result

    def map(
        self,
        parse: Callable[[Any], Any],
        floats_as_is: bool = False,
        identity: Callable[[list[Any]], bool] | None = None,
    ) -> Objects:
        """``parse`` of every cell, as :func:`columns.map_distinct` gives it, as an array.

        Texts and dates are parsed once per distinct value; ``identity(texts)`` true says
        ``parse`` gives each of those texts back as it is, so none is parsed. A missing cell
        is ``parse(None)``. Other cells (numbers, booleans) are parsed one by one;
        ``floats_as_is``: ``parse`` gives a float back as it is.
        """
        grid = self.grid
        table = np.empty(len(grid.values), dtype=object)
        present = self.present()
        if present.size:
            values = grid.values[present]
            if identity is not None and grid.text[present].all() and identity(values.tolist()):
                table[present] = values
            else:
                table[present] = [_apply(parse, value) for value in values.tolist()]
        table[-1] = _apply(parse, None)
        out: Objects = table[self.codes]
        # Cells that are not missing, text or dates: parsed one by one.
        odd = np.flatnonzero(~grid.plain[self.codes] & (self.codes >= 0))
        if odd.size:
            cells = self._cells(odd)
            if floats_as_is:
                kinds = map(type, cells.tolist())
                floats = _each(map(operator.is_, kinds, repeat(float)), odd.size)
                out[odd[floats]] = cells[floats]
                odd, cells = odd[~floats], cells[~floats]
            if odd.size:
                out[odd] = [_apply(parse, cell) for cell in cells.tolist()]
        return out

    def texts_through(self, parse: Callable[[str], Any]) -> tuple[Objects, set[Any]]:
        """(``parse`` of each text cell, None for every other cell; the distinct results).

        Once per distinct text: for a ``parse`` that says nothing of anything but a text.
        """
        grid = self.grid
        present = self.present()
        texts = present[grid.text[present]]
        table = np.full(len(grid.values), None, dtype=object)
        results = [parse(value) for value in grid.values[texts].tolist()]
        table[texts] = results
        out: Objects = table[self.codes]
        return out, set(results)

    def matching(self, test: Callable[[Any], bool], among: Mask | None = None) -> Mask:
        """Which cells hold a text or date for which ``test`` is true (once per value).

        ``among``: only distinct values marked there are tested (the others fail).
        """
        grid = self.grid
        present = self.present()
        if among is not None:
            present = present[among[present]]
        hit = np.zeros(len(grid.values), dtype=bool)
        if present.size:
            hit[present] = [bool(test(value)) for value in grid.values[present].tolist()]
        mask: Mask = hit[self.codes]
        return mask
