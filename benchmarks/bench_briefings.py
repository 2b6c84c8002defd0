"""Render 50 PDF briefings serially and with the process pool; print time per briefing.

    .venv/bin/python benchmarks/bench_briefings.py [--segments 50] [--workers 0]

Both runs happen in this one process on the same reports, so the ratio is the speed-up
the pool gives on this machine (workers=0 means one per CPU).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from reporter import metrics
from reporter.config import Config
from reporter.model import OPPORTUNITY_COLUMNS, Dataset, InputFile, coerce_types
from reporter.write.briefing import pool_size, render_briefings


def opportunities(segments: int, per_segment: int = 120) -> pd.DataFrame:
    """A deterministic data set: ``segments`` regions, five quarters of deals each."""
    rows = []
    for s in range(segments):
        for i in range(per_segment):
            n = s * per_segment + i
            outcome = ("won", "lost", "won", "open", "lost")[n % 5]
            created = pd.Timestamp("2025-01-03") + pd.Timedelta(days=(n * 11) % 400)
            closed = outcome in ("won", "lost")
            rows.append(
                {
                    "opportunity_id": f"OPP-{n:06d}",
                    "opportunity_name": f"Deal {n}",
                    "owner": f"Rep {s:02d}-{i % 8}",
                    "manager": f"Manager {s:02d}",
                    "account": f"Account {n % 900}",
                    "stage": outcome,
                    "outcome": outcome,
                    "amount": 1000.0 + (n * 37) % 50000,
                    "created_date": created,
                    "close_date": created + pd.Timedelta(days=15 + n % 60) if closed else None,
                    "region": f"Region {s:02d}",
                    "industry": ("Retail", "Health", "Software", "Finance")[n % 4],
                    "loss_reason": ("Price", "Timing", "Competitor")[n % 3]
                    if outcome == "lost"
                    else None,
                    "source_file": "bench.xlsx",
                    "source_row": n + 2,
                }
            )
    frame = pd.DataFrame(rows)
    for column in OPPORTUNITY_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return coerce_types(frame[list(OPPORTUNITY_COLUMNS)])


def timed(out: Path, config: Config, reports, overall, dataset) -> float:
    start = time.perf_counter()
    paths = render_briefings(out, reports, overall, dataset, config)
    elapsed = time.perf_counter() - start
    assert len(paths) == len(reports) and all(p.is_file() for p in paths.values())
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=50)
    parser.add_argument("--workers", type=int, default=0, help="pool size (0 = CPUs)")
    args = parser.parse_args()

    frame = opportunities(args.segments)
    base = Config()
    start = time.perf_counter()
    overall = metrics.compute(frame, base)
    reports = metrics.segment_reports(frame, base)
    print(f"{len(frame):,} opportunities, {len(reports)} segments, period {overall.period.label}")
    print(f"metrics: {time.perf_counter() - start:.2f} s (not counted below)")
    dataset = Dataset(opportunities=frame, inputs=(InputFile("bench.xlsx", "0" * 64, len(frame)),))

    def config(workers: int) -> Config:
        return dataclasses.replace(
            base, briefings=dataclasses.replace(base.briefings, workers=workers)
        )

    n = len(reports)
    with tempfile.TemporaryDirectory() as tmp:
        serial = timed(Path(tmp) / "serial", config(1), reports, overall, dataset)
        pooled = timed(Path(tmp) / "pool", config(args.workers), reports, overall, dataset)
    size = pool_size(config(args.workers), n)
    print(f"serial:          {serial:6.2f} s  {serial / n * 1000:6.0f} ms per briefing")
    print(
        f"pool ({size} workers): {pooled:6.2f} s  {pooled / n * 1000:6.0f} ms per briefing"
        f"  (includes worker start-up)"
    )
    print(f"speed-up:        {serial / pooled:.2f}x on {os.cpu_count()} CPU(s)")


if __name__ == "__main__":
    main()
