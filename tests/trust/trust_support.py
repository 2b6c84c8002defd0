"""Shared helpers for the issue-9 input tests: load a fixture, read the figures finance pays on.

Every figure comes from the metrics core (``reporter.metrics.compute``), never recomputed
here; the tests compare it with hand-computed literals.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from reporter.cli import cli
from reporter.config import Config, from_mapping
from reporter.metrics import compute
from reporter.metrics.report import Report
from reporter.model import Dataset
from reporter.quality import Issue
from reporter.read import load_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "trust"
BONUS_RISK = "bonus-risk"

Figures = dict[tuple[str, str], tuple[int, float | None, int]]


def settings(mapping: dict[str, Any] | None = None) -> Config:
    return from_mapping(mapping or {})


def load(*names: str | Path, config: dict[str, Any] | None = None) -> Dataset:
    """Read fixtures (names relative to tests/fixtures/trust, or absolute paths)."""
    return load_dataset([FIXTURES / n for n in names], settings(config))


def report(dataset: Dataset, config: dict[str, Any] | None = None) -> Report:
    return compute(dataset.opportunities, settings(config), targets=dataset.targets)


def won_by_rep(dataset: Dataset, config: dict[str, Any] | None = None) -> Figures:
    """(rep, quarter) → (won opportunities, won amount, lost opportunities) from the core.

    Only rep-quarters with a closed outcome; the amount is None when nothing was won or
    the core has no amount to show.
    """
    table = report(dataset, config).won_opportunities_by_rep
    out: Figures = {}
    for row in table.to_dict("records"):
        won, lost = int(row["won_opportunities"]), int(row["lost_opportunities"])
        if won + lost == 0:
            continue
        amount = row["won_amount"]
        missing = amount is None or (isinstance(amount, float) and math.isnan(amount))
        out[(row["rep"], row["quarter"])] = (won, None if missing or won == 0 else amount, lost)
    return out


def codes(dataset: Dataset) -> Counter[str]:
    return Counter(i.code for i in dataset.issues)


def issues(dataset: Dataset, code: str) -> list[Issue]:
    return [i for i in dataset.issues if i.code == code]


def bonus_risks(dataset: Dataset) -> set[tuple[str, int | None]]:
    """(code, row) of every issue flagged as a risk to a bonus."""
    return {(i.code, i.row) for i in dataset.issues if getattr(i, "severity", None) == BONUS_RISK}


def run_cli(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def amounts(dataset: Dataset) -> dict[str, float | None]:
    """opportunity id → amount as the canonical data hold it (NaN → None)."""
    frame = dataset.opportunities
    return {
        oid: (None if math.isnan(a) else a)
        for oid, a in zip(frame["opportunity_id"], frame["amount"], strict=True)
    }


def outcome_of(dataset: Dataset, opportunity_id: str) -> str:
    frame = dataset.opportunities
    (outcome,) = frame.loc[frame["opportunity_id"] == opportunity_id, "outcome"]
    return str(outcome)
