"""A run's identity: the inputs read, the period asked for and the config behind the figures.

Two builds with the same identity make the same figures, so the second one sends nothing.
Change any input file, ask for another quarter, or correct a setting that changes a figure
(outcome lists, fiscal calendar, win-rate window, segments, column mapping …) and it is a
new run whose messages go out again. Settings that only decide *who* receives a report or
*how* it travels (recipients, ``[email]``, ``[delivery]``, ``[watch]``, ledger, outbox)
and how it looks (theme, paper, templates) are left out: fixing an address resends nothing.

The period is the one *asked for*: ``--period`` as a quarter label, or "latest" (the
default, which the watcher always uses), so the watcher can recognise a drop before
building it, and ``reporter build --send`` and the watcher agree on the same run. A
``--period`` naming the very quarter "latest" picks for the data is "latest": the same
figures, so the same run (it used to be a second run, sent twice).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from reporter.config import Config
from reporter.quarters import parse_quarter

# Top-level config keys that never change a figure.
DELIVERY_ONLY = frozenset(
    {
        "email",
        "outbox",
        "ledger",
        "history",
        "watch",
        "delivery",
        "source",
        "theme",
        "workbook",
        "limits",
    }
)
# [briefings] keys about who gets a PDF and how it looks; ``by`` (the segments) counts.
LOOK_ONLY_BRIEFINGS = frozenset(
    {"recipients", "paper", "templates", "max_rows", "top_reps", "workers"}
)
LATEST = "latest"


def figure_config(config: Config) -> dict[str, Any]:
    """The part of ``config`` that can change a figure, as plain data."""
    record = {k: v for k, v in config.to_record().items() if k not in DELIVERY_ONLY}
    briefings = record.get("briefings")
    if isinstance(briefings, dict):
        record["briefings"] = {k: v for k, v in briefings.items() if k not in LOOK_ONLY_BRIEFINGS}
    return record


def period_key(period: str | None, config: Config, latest: str | None = None) -> str:
    """``--period`` as its label ("FY2026Q3" and "FY26 Q3" alike), or "latest" — also when
    it names ``latest``, the label of the quarter "latest" resolves to for these data."""
    if not period:
        return LATEST
    label = parse_quarter(period, config.periods.fiscal_year_start_month).label
    return LATEST if label == latest else label


def run_id(
    input_hashes: Iterable[str], period: str | None, config: Config, latest: str | None = None
) -> str:
    """SHA-256 over the inputs' content hashes (any order), the period asked for and the
    figure-affecting config. ``latest``: see :func:`period_key`."""
    document = {
        "inputs": sorted(set(input_hashes)),
        "period": period_key(period, config, latest),
        "config": figure_config(config),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
