"""Read + metrics on the Maven CRM data, against a plain pandas baseline in the same process.

    .venv/bin/python benchmarks/bench_pipeline.py [--repeat 5] [--scale 10]

Baseline: ``pandas.read_csv`` of the three Maven CSVs plus one groupby of won deals per
rep and quarter — the least any tool must do. The ratios say what reporter's sniffing,
header detection, validation, joins and full metric set cost on top of that. ``--scale``
repeats the pipeline rows (with fresh ids) to show how the cost grows.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from reporter.config import load
from reporter.metrics import compute
from reporter.read import load_dataset

REPO = Path(__file__).resolve().parents[1]
MAVEN = REPO.parent / "shared" / "datasets" / "maven-crm-sales-opportunities"
CONFIG = REPO / "tests" / "fixtures" / "maven.toml"


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scaled_inputs(folder: Path, scale: int) -> list[Path]:
    pipeline = pd.read_csv(MAVEN / "sales_pipeline.csv")
    copies = []
    for n in range(scale):
        part = pipeline.copy()
        part["opportunity_id"] = part["opportunity_id"] + f"-{n}"
        copies.append(part)
    big = folder / "sales_pipeline.csv"
    pd.concat(copies).to_csv(big, index=False)
    return [big, MAVEN / "accounts.csv", MAVEN / "sales_teams.csv"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    if not MAVEN.is_dir():
        raise SystemExit(f"needs the shared datasets beside the repo: {MAVEN}")
    config = load(CONFIG)

    with tempfile.TemporaryDirectory() as tmp:
        for scale, inputs in (
            (1, [MAVEN / n for n in ("sales_pipeline.csv", "accounts.csv", "sales_teams.csv")]),
            (args.scale, scaled_inputs(Path(tmp), args.scale)),
        ):

            def baseline(inputs: list[Path] = inputs) -> None:
                p = pd.read_csv(inputs[0])
                pd.read_csv(inputs[1])
                pd.read_csv(inputs[2])
                won = p[p["deal_stage"] == "Won"]
                q = pd.to_datetime(won["close_date"]).dt.to_period("Q")
                won.groupby([won["sales_agent"], q]).size()

            dataset = load_dataset(inputs, config)
            base = timed(baseline, args.repeat)
            read = timed(lambda inputs=inputs: load_dataset(inputs, config), args.repeat)
            metric = timed(
                lambda o=dataset.opportunities, t=dataset.targets: compute(o, config, targets=t),
                args.repeat,
            )
            rows = len(dataset.opportunities)
            print(f"{rows:>8,} opportunities (x{scale})")
            print(f"  baseline read_csv+groupby {base * 1000:8.1f} ms")
            print(
                f"  reporter read+validate    {read * 1000:8.1f} ms  ({read / base:5.1f}x baseline)"
            )
            print(f"  reporter enrich+metrics   {metric * 1000:8.1f} ms  ({metric / base:5.1f}x)")


if __name__ == "__main__":
    main()
