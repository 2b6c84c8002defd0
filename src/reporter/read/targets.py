"""Targets tables → one frame of (dimension, segment, quarter, target).

``dimension`` is ``rep`` for targets keyed by owner, else the segment column (``region``,
``industry``, … or a configured extra column). Quarters are normalised to labels like
``FY2026 Q3``; the year written is the fiscal year.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from reporter.errors import PeriodError
from reporter.model import empty_targets
from reporter.quality import SKIPPED, Issue
from reporter.quarters import parse_quarter, quarter_of
from reporter.read import values as v
from reporter.read.tables import TARGETS, Table
from reporter.vocabulary import TARGET_KEYS


def parse_quarter_label(value: Any, start_month: int = 1) -> str:
    """``FY2026 Q3`` / ``FY26 Q3`` / ``2026-Q3`` / ``Q3 2026`` / a date → ``FY2026 Q3``."""
    if isinstance(value, date):
        return quarter_of(v.parse_date(value) or value, start_month).label
    text = v.clean_text(value)
    if text is None:
        raise ValueError("no quarter")
    try:
        return parse_quarter(text, start_month).label
    except PeriodError:
        pass
    day = v.parse_date(text)
    if day is None:
        raise ValueError(f"{text!r} is not a quarter")
    return quarter_of(day, start_month).label


def _bad_target(
    table: Table, row: int, column: Any, value: Any, variant: str, **values: Any
) -> Issue:
    """A target row that was skipped, with where it is and why (``variant`` of bad-target)."""
    return Issue.make(
        "bad-target",
        file=table.raw.file,
        sheet=table.raw.sheet,
        row=row,
        column=column,
        value=value,
        variant=variant,
        action=SKIPPED,
        **values,
    )


def _dimension(table: Table) -> tuple[str, str] | None:
    """(dimension name, field holding the segment) for a targets table."""
    if "owner" in table.values:
        return "rep", "owner"
    for key in TARGET_KEYS:
        if key.source in table.values:
            return key.name, key.source
    for name in table.extras:
        return name, name
    return None


def targets_frame(tables: Sequence[Table], start_month: int, issues: list[Issue]) -> pd.DataFrame:
    """Every targets table as one frame with ``model.TARGET_COLUMNS``; bad rows reported."""
    records: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for table in tables:
        if table.kind != TARGETS:
            continue
        found = _dimension(table)
        if found is None or "quarter" not in table.values:
            issues.append(
                Issue.make(
                    "ignored-sheet",
                    file=table.raw.file,
                    sheet=table.raw.sheet,
                    value=table.raw.sheet or table.raw.file,
                    variant="targets",
                )
            )
            continue
        dimension, field = found
        segments = table.extras[field] if field in table.extras else table.values[field]
        quarter_header = table.headers["quarter"]
        for i, row in enumerate(table.rows):
            segment, target = segments[i], table.values["target"][i]
            raw_quarter = table.values["quarter"][i]
            try:
                quarter = parse_quarter_label(raw_quarter, start_month)
            except ValueError:
                issues.append(
                    _bad_target(
                        table,
                        row,
                        quarter_header,
                        raw_quarter,
                        "quarter",
                    )
                )
                continue
            if segment is None or target is None:
                issues.append(
                    _bad_target(
                        table,
                        row,
                        table.headers.get(field, field),
                        segment,
                        "incomplete",
                    )
                )
                continue
            key = (dimension, segment.casefold(), quarter)
            if key in seen:
                issues.append(
                    _bad_target(
                        table,
                        row,
                        None,
                        segment,
                        "repeated",
                        segment=segment,
                        quarter=quarter,
                    )
                )
                continue
            seen.add(key)
            records.append(
                {
                    "dimension": dimension,
                    "segment": segment,
                    "quarter": quarter,
                    "target": float(target),
                }
            )
    if not records:
        return empty_targets()
    frame = pd.DataFrame(records)
    frame["dimension"] = frame["dimension"].astype(object)
    frame["segment"] = frame["segment"].astype(object)
    frame["quarter"] = frame["quarter"].astype(object)
    frame["target"] = frame["target"].astype("float64")
    return frame
