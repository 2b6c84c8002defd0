"""The template language: names of figures in metrics.json, and table specs with filters.

``{{ headline.won_opportunities }}`` names a figure by its dotted path in metrics.json
(``trend.-1.win_rate`` indexes a list: 0 is the first row, -1 the last). A key holding a
dot or a space is matched whole (``briefings.segments.North America.headline.won_amount``).

``{{ table: rep_bonuses | where quarter = period.label | sort won_amount desc | top 10 }}``
names a list of rows and filters it; see docs/branding.md for every filter.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Names the workbook's sheets use for tables whose metrics.json key says something else.
ALIASES = {"rep_bonuses": "won_opportunities_by_rep"}
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_WHERE = re.compile(r"^where\s+(?P<col>[\w.]+)\s*(?P<op>==|!=|>=|<=|=|>|<)\s*(?P<value>.+)$")
_SORT_KEY = re.compile(r"^(?P<col>[\w.]+)(?:\s+(?P<dir>asc|desc))?$", re.IGNORECASE)


class NameError_(Exception):
    """A name or filter the template uses does not exist; ``hint`` lists what does."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _step(node: Any, rest: str) -> tuple[Any, str] | None:
    """One step down ``node`` along the dotted ``rest``: the child and what remains."""
    if isinstance(node, Mapping):
        # longest key first, so keys containing dots win over shorter prefixes
        for key in sorted(map(str, node), key=len, reverse=True):
            if rest == key:
                return node[key], ""
            if rest.startswith(key + "."):
                return node[key], rest[len(key) + 1 :]
        return None
    if isinstance(node, list):
        head, _, tail = rest.partition(".")
        if re.fullmatch(r"-?\d+", head) and -len(node) <= int(head) < len(node):
            return node[int(head)], tail
    return None


def lookup(metrics: Mapping[str, Any], name: str) -> Any:
    """The value at dotted ``name``; :class:`NameError_` listing names near it if none."""
    node: Any = metrics
    rest = name.strip()
    while rest:
        found = _step(node, rest)
        if found is None:
            raise NameError_(f"unknown name {name.strip()!r}", _near(metrics, name))
        node, rest = found
    return node


def scalar_names(metrics: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Every dotted name of a single figure (lists are tables, not listed here)."""
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from scalar_names(value, name + ".")
        elif not isinstance(value, list):
            yield name


def table_names(metrics: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Every dotted name of a list of rows, and the aliases of the top-level ones."""
    if not prefix:
        yield from (a for a, target in ALIASES.items() if isinstance(metrics.get(target), list))
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from table_names(value, name + ".")
        elif isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
            yield name


def _near(metrics: Mapping[str, Any], name: str, tables: bool = False) -> str:
    """Valid names close to a typo: difflib's nearest, else those under its longest valid head."""
    valid = list(table_names(metrics) if tables else scalar_names(metrics))
    close = difflib.get_close_matches(name.strip(), valid, n=5, cutoff=0.6)
    if not close:
        parts = name.strip().split(".")
        for n in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:n]) + "."
            close = [v for v in valid if v.startswith(head)][:12]
            if close:
                break
    if not close:
        close = sorted({v.split(".")[0] for v in valid})
    kind = "tables" if tables else "names"
    return f"valid {kind} near it: {', '.join(close)} (every name is a path in metrics.json)"


@dataclass
class TableSpec:
    """A parsed ``{{ table: … }}``: which rows, filtered and ordered how, which columns."""

    name: str
    where: list[tuple[str, str, Any]] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    top: int | None = None
    columns: list[str] | None = None


def parse_table(text: str, metrics: Mapping[str, Any]) -> TableSpec:
    """``rep_bonuses | where … | sort … | top N | columns a, b`` as a TableSpec."""
    name, *filters = [part.strip() for part in text.split("|")]
    spec = TableSpec(name=name)
    for item in filters:
        word = item.split(maxsplit=1)[0].lower() if item else ""
        arg = item[len(word) :].strip()
        if word == "where" and (m := _WHERE.match(item)):
            spec.where.append((m["col"], m["op"], _literal(m["value"].strip(), metrics)))
        elif word == "sort" and arg:
            for key in arg.split(","):
                k = _SORT_KEY.match(key.strip())
                if not k:
                    raise NameError_(f"cannot read sort key {key.strip()!r}", _FILTER_HELP)
                spec.sort.append((k["col"], (k["dir"] or "asc").lower() == "desc"))
        elif word == "top" and arg.isdigit() and int(arg) > 0:
            spec.top = int(arg)
        elif word == "columns" and arg:
            spec.columns = [c.strip() for c in arg.split(",") if c.strip()]
        else:
            raise NameError_(f"unknown table filter {item!r}", _FILTER_HELP)
    return spec


_FILTER_HELP = (
    "filters are: where COLUMN = VALUE (or !=, >, >=, <, <=; VALUE is a number, "
    '"text" or a name like period.label), sort COLUMN [desc], top N, '
    "columns a, b, c"
)


def _literal(text: str, metrics: Mapping[str, Any]) -> Any:
    """A where-value: "text", a number, or a name in metrics.json."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    try:
        return float(text) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        return lookup(metrics, text)


def rows_of(metrics: Mapping[str, Any], spec: TableSpec) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows ``spec`` selects; unknown tables or columns raise NameError_."""
    try:
        node = lookup(metrics, ALIASES.get(spec.name, spec.name))
    except NameError_:
        raise NameError_(f"unknown table {spec.name!r}", _near(metrics, spec.name, True)) from None
    if not isinstance(node, list) or not all(isinstance(r, Mapping) for r in node):
        raise NameError_(
            f"{spec.name!r} is not a table (a list of rows)", _near(metrics, spec.name, True)
        )
    rows = [dict(r) for r in node]
    known = list(dict.fromkeys(k for r in rows for k in r))
    wanted = [c for c, *_ in spec.where] + [c for c, _ in spec.sort] + (spec.columns or [])
    for column in wanted:
        if rows and column not in known:
            close = difflib.get_close_matches(column, known, n=3)
            near = f"did you mean {', '.join(close)}? " if close else ""
            raise NameError_(
                f"table {spec.name!r} has no column {column!r}",
                f"{near}its columns: {', '.join(known)}",
            )
    for column, op, value in spec.where:
        rows = [r for r in rows if _compare(r.get(column), op, value)]
    for column, desc in reversed(spec.sort):
        # missing values last whichever the direction: "—" rows never lead a ranking
        present = [r for r in rows if r.get(column) is not None]
        absent = [r for r in rows if r.get(column) is None]
        present.sort(key=lambda r, c=column: r[c], reverse=desc)  # type: ignore[misc]
        rows = present + absent
    if spec.top is not None:
        rows = rows[: spec.top]
    return (spec.columns or known), rows


def _compare(left: Any, op: str, right: Any) -> bool:
    if left is None:
        return op == "!=" and right is not None
    try:
        return _OPS[op](left, right)
    except TypeError:
        return _OPS[op](str(left), str(right))
