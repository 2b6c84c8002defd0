"""A sheet as read from disk, before any interpretation: cells, row numbers, cell flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawSheet:
    """One sheet (or one CSV file) as a grid of cell values.

    ``row_numbers[i]`` is the Excel row / CSV line number of ``rows[i]`` (1-based).
    ``flags`` marks cells whose value the reader could not give: ``(row index, column
    index) → (issue code, what the cell held)``, e.g. ``("excel-error", "#DIV/0!")``.
    """

    file: str
    sheet: str | None
    rows: list[list[Any]]
    row_numbers: list[int]
    flags: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    date1904: bool = False

    @property
    def where(self) -> str:
        """``file`` or ``file, sheet 'name'`` for messages."""
        return self.file if self.sheet is None else f"{self.file}, sheet {self.sheet!r}"
