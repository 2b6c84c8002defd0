"""The build's side of the history store: compare before writing, record after publishing.

The orchestration calls :func:`compare_build` once the metrics are computed (its
restatements go into every output), then :meth:`Pending.record` once the outputs are in
place, so a build that failed to write is never the "last run" a later build compares with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reporter.config import Config
from reporter.history.compare import OpenQuarter, compare
from reporter.history.deals import Deal, deals_from_enriched
from reporter.history.diff import Restatement
from reporter.history.figures import Figure, figures_from_tables
from reporter.history.records import to_record
from reporter.history.store import HistoryStore, now_utc
from reporter.metrics.report import Report
from reporter.model import Dataset

HISTORY_NAME = "history.sqlite3"


def history_path(config: Config, out_dir: Path) -> Path:
    """``history`` from config (relative = inside ``out_dir``); by default beside the
    delivery ledger: the ledger's folder when ``ledger`` is set, else ``<out>/history.sqlite3``."""
    configured = getattr(config, "history", None)
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else Path(out_dir) / path
    if config.ledger:
        ledger = Path(config.ledger).expanduser()
        folder = ledger.parent if ledger.is_absolute() else Path(out_dir) / ledger.parent
        return folder / HISTORY_NAME
    return Path(out_dir) / HISTORY_NAME


@dataclass(frozen=True)
class Pending:
    """A compared build waiting to be recorded once its outputs are published."""

    path: Path
    deals: list[Deal]
    figures: list[Figure]
    restatements: list[Restatement]
    period: str
    inputs: list[dict[str, object]]
    config: dict[str, object]
    currency: str | None
    started: str

    def record(self, source: str = "build", out_dir: Path | None = None) -> int:
        """Write the run into the store; returns its id."""
        with HistoryStore(self.path) as store:
            return store.record_run(
                deals=self.deals,
                figures=self.figures,
                inputs=self.inputs,
                config=self.config,
                period=self.period,
                source=source,
                out_dir=str(out_dir) if out_dir is not None else None,
                started=self.started,
                currency=self.currency,
                restatements=[to_record(r) for r in self.restatements],
            )


def compare_build(
    report: Report,
    enriched: pd.DataFrame,
    dataset: Dataset,
    config: Config,
    out_dir: Path,
    currency: str | None = None,
) -> Pending:
    """Compare this build with the store (closed quarters, the last run); record nothing yet."""
    started = now_utc()
    path = history_path(config, out_dir)
    deals = deals_from_enriched(enriched, config.briefings.by)
    figures = figures_from_tables(report.won_opportunities_by_rep, report.won_customers_by_quarter)
    quarter = report.period.quarter
    period = OpenQuarter(quarter.label, quarter.start.isoformat(), quarter.end.isoformat())
    with HistoryStore(path) as store:
        found = compare(store, deals, figures, period)
    return Pending(
        path=path,
        deals=deals,
        figures=figures,
        restatements=found,
        period=quarter.label,
        inputs=[i.to_record() for i in dataset.inputs],
        config=config.to_record(),
        currency=currency,
        started=started,
    )
