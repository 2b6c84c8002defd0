"""The XlsxWriter workbook the finance workbook is written into.

Two things differ from a plain ``xlsxwriter.Workbook``, neither in what the file holds:

- the parts are assembled in memory (``in_memory``), not in temporary files that are
  written, zipped, then deleted one by one (the sheets are thousands of rows, not millions:
  the largest, Won Deals, is the reporting quarter's won deals);
- a formula that calls only functions XlsxWriter never rewrites (``IF``, ``SUBTOTAL``, …)
  skips XlsxWriter's ~100 regular-expression substitutions that add the ``_xlfn.`` prefix
  to newer functions: the workbook's tables carry thousands of such formulas, and those
  substitutions were about a tenth of the workbook's CPU. Any other formula takes
  XlsxWriter's own path, so the text stored is the same either way.
"""

from __future__ import annotations

import re
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

# Functions the workbook's formulas use that have no ``_xlfn.`` form in any Excel version.
PLAIN_FUNCTIONS = frozenset({"IF", "OR", "AND", "SUM", "SUBTOTAL", "SUMIF"})
_CALLED = re.compile(r"([A-Za-z0-9_.]+)\(")  # a name right before "(": a call


class Sheet(Worksheet):  # type: ignore[misc]  # xlsxwriter has no type stubs here
    """A worksheet whose plain formulas are prepared without the future-function pass."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if not set(_CALLED.findall(formula)) <= PLAIN_FUNCTIONS:
            prepared: str = super()._prepare_formula(formula, expand_future_functions)
            return prepared
        # what XlsxWriter does first: array braces and the leading "=" removed
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula


class Book(xlsxwriter.Workbook):  # type: ignore[misc]
    """``xlsxwriter.Workbook`` in memory, with :class:`Sheet` worksheets."""

    worksheet_class = Sheet

    def __init__(self, filename: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(filename, {**(options or {}), "in_memory": True})
