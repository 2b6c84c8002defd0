"""What the history store adds to a build: recording ~100k deals and comparing a closed quarter.

    .venv/bin/python benchmarks/bench_history.py [--scale 12]

The Maven CRM pipeline is repeated ``--scale`` times with fresh ids (12 → ~105k deals) and
built with ``pipeline.run`` — the same call ``reporter build`` makes. The history work is
timed from the pipeline's own progress messages: "comparing with the history" (extracting
the deals from the core's frame, comparing with the store) up to the next step, and
"recording the run" up to the end. Three builds: the first into an empty store; then, with
the reporting quarter closed, a later export with 1 % of the amounts edited (the steady
state: compare the closed quarter, record the changed deals); then the same export again.
Prints the history share of each build; the target is under 10 %.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_pipeline import CONFIG, MAVEN, scaled_inputs

from reporter.config import load
from reporter.history.store import HistoryStore
from reporter.pipeline import run

HISTORY_STEPS = ("comparing with the history", "recording the run")


class Stopwatch:
    """Seconds spent in each progress step (a step lasts until the next message)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    def __call__(self, message: str) -> None:
        self.steps.append((message, time.perf_counter()))

    def split(self, end: float) -> tuple[float, float]:
        """(history seconds, total seconds) of one build."""
        marks = [*self.steps, ("end", end)]
        history = sum(
            later - at
            for (message, at), (_, later) in itertools.pairwise(marks)
            if message.startswith(HISTORY_STEPS)
        )
        return history, end - self.steps[0][1]


def build(inputs: list[Path], out: Path, config: object) -> tuple[float, float]:
    watch = Stopwatch()
    run(inputs, config, out, progress=watch)  # type: ignore[arg-type]
    return watch.split(time.perf_counter())


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
        deals = len(pd.read_csv(inputs[0]))
        out = folder / "out"
        results = [("first build, empty store", build(inputs, out, config))]
        period = json.loads((out / "metrics.json").read_text())["period"]
        with HistoryStore(out / "history.sqlite3") as store:
            store.close_quarter(period["label"], period["start"], period["end"])
        edited = pd.read_csv(inputs[0])
        edited.loc[edited.index % 100 == 0, "close_value"] += 1
        edited.to_csv(inputs[0], index=False)
        results.append(("later export, 1 % edited, quarter closed", build(inputs, out, config)))
        results.append(("same export again", build(inputs, out, config)))
        size = (out / "history.sqlite3").stat().st_size
    print(f"deals per build: {deals:,}")
    for name, (history, total) in results:
        rest = total - history
        print(
            f"{name}: build {rest:.2f} s + history {history:.2f} s"
            f" → history adds {history / rest:.1%}"
        )
    print(f"history store after three builds: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
