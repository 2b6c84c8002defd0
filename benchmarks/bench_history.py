"""What the history store adds to a build: recording ~100k deals and comparing a closed quarter.

    .venv/bin/python benchmarks/bench_history.py [--scale 12]

The Maven CRM pipeline is repeated ``--scale`` times with fresh ids (12 → ~105k deals) and
built once (read, metrics, workbook, briefings, metrics.json) without the store. Then, on
the same enriched deals the core computed: the first recording into an empty store (every
deal is a new version), closing the reporting quarter, and a later build's recording plus
comparison with 1 % of the deals edited (the steady state). Prints seconds and the ratio
history ÷ build; the target is under 10 %.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench_pipeline import CONFIG, MAVEN, scaled_inputs

from reporter.config import load
from reporter.history.compare import OpenQuarter, compare
from reporter.history.deals import deals_from_enriched
from reporter.history.figures import figures_from_tables
from reporter.history.store import HistoryStore
from reporter.metrics import enrich
from reporter.pipeline import run


class Clock:
    """Wall time and CPU time (this process and its children) since :meth:`start`.

    CPU time is the steadier figure on a shared machine; both are printed."""

    def start(self) -> None:
        self.wall, self.cpu = time.perf_counter(), _cpu()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, _cpu() - self.cpu


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=12)
    args = parser.parse_args()
    if not MAVEN.is_dir():
        raise SystemExit(f"needs the shared datasets beside the repo: {MAVEN}")
    config = load(CONFIG)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = scaled_inputs(folder, args.scale)
        clock = Clock()
        clock.start()
        result = run(inputs, config, folder / "out")
        build = clock.stop()
        report = result.report
        enriched = enrich(result.dataset.opportunities, config)
        quarter = report.period.quarter
        period = OpenQuarter(quarter.label, quarter.start.isoformat(), quarter.end.isoformat())
        figures = figures_from_tables(
            report.won_opportunities_by_rep, report.won_customers_by_quarter
        )
        with HistoryStore(folder / "history.sqlite3") as store:
            clock.start()
            deals = deals_from_enriched(enriched, config.briefings.by)
            compare(store, deals, figures, period)
            store.record_run(
                deals=deals, figures=figures, inputs=[], config={}, period=period.label
            )
            first = clock.stop()
            store.close_quarter(period.label, period.start, period.end)
            edited = [
                d._replace(amount=(d.amount or 0) + 1) if i % 100 == 0 else d
                for i, d in enumerate(deals)
            ]
            clock.start()
            deals_from_enriched(enriched, config.briefings.by)  # what a later build extracts
            changed = compare(store, edited, figures, period)
            store.record_run(
                deals=edited, figures=figures, inputs=[], config={}, period=period.label
            )
            steady = clock.stop()
        size = (folder / "history.sqlite3").stat().st_size
        print(
            f"deals: {len(deals):,}; build without history: "
            f"{build[0]:.2f} s wall, {build[1]:.2f} s CPU"
        )
        for name, (wall, cpu) in (
            ("first recording into an empty store", first),
            ("later build (1 % edited): record + compare the closed quarter", steady),
        ):
            print(
                f"{name}: {wall:.2f} s wall = {wall / build[0]:.1%}, "
                f"{cpu:.2f} s CPU = {cpu / build[1]:.1%} of the build"
            )
        print(f"store after two runs: {size / 1e6:.1f} MB; {len(changed)} restated figure(s)")


if __name__ == "__main__":
    main()
