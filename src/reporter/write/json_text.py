"""metrics.json's text: exactly ``json.dumps(doc, indent=2, ensure_ascii=False)``, faster.

With ``indent``, the standard library encodes in pure Python, value by value; without it,
in C. The document's bulk is tables, lists of flat records (every value a str, int,
float, bool or None) marked :class:`Records`. Each such table is encoded by the C encoder
with the separators an indented table would have at its depth, then given the brackets'
line breaks; the rest of the document (small) is encoded as before, the tables standing
in as placeholders. The text is the same character for character: a newline inside a
string is escaped, so every line break in a table's C encoding is one of its separators,
and the only place a record closes and the next opens is ``},<newline><indent>{``.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

INDENT = "  "
_SCALARS = (str, int, float, bool, type(None))


class Records(list[dict[str, Any]]):
    """A table as JSON-ready records; ``flat`` when every value is a JSON scalar."""

    flat: bool = False


def is_flat(values: list[Any]) -> bool:
    """Every value a JSON scalar (what a :class:`Records` table may be marked ``flat`` for)."""
    return all(type(v) in _SCALARS for v in values)


def dumps(doc: Any) -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)``."""
    tables: list[tuple[Records, int]] = []
    token = uuid.uuid4().hex  # no text in the data can look like this call's placeholders
    skeleton = _swap(doc, 0, tables, token)
    text = json.dumps(skeleton, indent=len(INDENT), ensure_ascii=False, allow_nan=False)
    if not tables:
        return text
    placeholder = re.compile(f'"{token} (\\d+)"')
    return placeholder.sub(lambda m: _table(*tables[int(m.group(1))]), text)


def _swap(value: Any, depth: int, tables: list[tuple[Records, int]], token: str) -> Any:
    """``value`` with each flat, non-empty table replaced by a placeholder string (the
    table and the depth of the container holding it are appended to ``tables``)."""
    if isinstance(value, Records) and value.flat and value and value[0]:
        tables.append((value, depth))
        return f"{token} {len(tables) - 1}"
    if isinstance(value, dict):
        return {k: _swap(v, depth + 1, tables, token) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_swap(v, depth + 1, tables, token) for v in value]
    return value


def _table(records: Records, depth: int) -> str:
    """One table as the indented encoder writes it inside a container at ``depth``."""
    closing, item, key = (INDENT * (depth + n) for n in (0, 1, 2))
    inner = json.dumps(
        records, ensure_ascii=False, allow_nan=False, separators=(",\n" + key, ": ")
    )[2:-2]  # without "[{" and "}]"
    inner = inner.replace("},\n" + key + "{", f"\n{item}}},\n{item}{{\n{key}")
    return f"[\n{item}{{\n{key}{inner}\n{item}}}\n{closing}]"
