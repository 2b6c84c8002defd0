"""The build's side of the history store: compare before writing, record after publishing.

The orchestration calls :func:`compare_build` once the metrics are computed (its
restatements go into every output), then :meth:`Pending.record` once the outputs are in
place, so a build that failed to write is never the "last run" a later build compares with.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from reporter.model import Dataset

HISTORY_NAME = "history.sqlite3"


def history_path(config: Config, out_dir: Path) -> Path:
    """``history`` from config (relative = inside ``out_dir``); by default beside the
    delivery ledger: the ledger's folder when ``ledger`` is set, else ``<out>/history.sqlite3``."""
    if config.history:
        path = Path(config.history).expanduser()
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
    deals: Sequence[Deal]  # a DealTable from a build
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
    path: Path,
    period: OpenQuarter,
    won_opportunities_by_rep: pd.DataFrame,
    won_customers_by_quarter: pd.DataFrame,
    enriched: pd.DataFrame,
    dataset: Dataset,
    config: Config,
    currency: str | None = None,
) -> Pending:
    """Compare this build with the store at ``path`` (closed quarters, the open ``period``
    against the last run); record nothing yet.

    The two tables are the metrics core's (``Report`` fields of the same names), ``enriched``
    the core's enriched opportunities: the store keeps exactly the deals behind them.
    """
    started = now_utc()
    deals = deals_from_enriched(enriched, config.briefings.by)
    figures = figures_from_tables(won_opportunities_by_rep, won_customers_by_quarter)
    with HistoryStore(path) as store:
        found = compare(store, deals, figures, period, by=config.briefings.by, currency=currency)
    return Pending(
        path=path,
        deals=deals,
        figures=figures,
        restatements=found,
        period=period.label,
        inputs=[i.to_record() for i in dataset.inputs],
        config=config.to_record(),
        currency=currency,
        started=started,
    )
