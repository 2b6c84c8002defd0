"""Header names → canonical fields, and finding the header row under a title block.

Headers match case-, space- and punctuation-insensitively ("Close Date", "CloseDate" and
"close_date" are one name). Earlier aliases in a list win when a sheet has two columns for
the same field ("Opportunity Owner" beats "OwnerId"); a ``[columns]`` entry beats all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reporter.vocabulary import ACCOUNT_ID as ACCOUNT_ID
from reporter.vocabulary import ALIASES, normalise

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class AliasIndex:
    """Normalised header → (field, rank). Rank -1 is a ``[columns]`` entry; lower wins."""

    fields: Mapping[str, tuple[str, int]]

    def lookup(self, header: Any) -> tuple[str, int] | None:
        return self.fields.get(normalise(header))


def alias_index(columns: Mapping[str, str]) -> AliasIndex:
    """Built-in aliases plus the config's ``[columns]`` (canonical field → header)."""
    fields: dict[str, tuple[str, int]] = {}
    for canonical, names in ALIASES.items():
        for rank, name in enumerate(names):
            fields.setdefault(normalise(name), (canonical, rank))
        fields.setdefault(normalise(canonical), (canonical, len(names)))
    for canonical, header in columns.items():
        fields[normalise(header)] = (canonical, -1)
    return AliasIndex(fields)


def _hits(row: list[Any], index: AliasIndex) -> int:
    return len({hit[0] for cell in row if (hit := index.lookup(cell)) is not None})


def find_header(rows: list[list[Any]], index: AliasIndex) -> int | None:
    """Index of the header row: the row among the first 30 with most alias hits (≥ 2).

    Falls back to the first non-blank row, so a sheet of unknown columns can still be named
    in messages. None for a sheet with no cells at all.
    """
    best, best_hits = None, 1
    first_filled = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if first_filled is None and any(str(c).strip() for c in row if c is not None):
            first_filled = i
        hits = _hits(row, index)
        if hits > best_hits:
            best, best_hits = i, hits
    return best if best is not None else first_filled


def map_columns(header: list[Any], index: AliasIndex) -> dict[str, int]:
    """Canonical field → column index for one header row (best-ranked header per field)."""
    chosen: dict[str, tuple[int, int]] = {}
    for col, cell in enumerate(header):
        hit = index.lookup(cell)
        if hit is None:
            continue
        field, rank = hit
        if field not in chosen or rank < chosen[field][0]:
            chosen[field] = (rank, col)
    return {field: col for field, (_, col) in chosen.items()}


def header_names(header: list[Any]) -> list[str]:
    """The non-blank header cells as text, for messages."""
    return [str(c).strip() for c in header if c is not None and str(c).strip()]
