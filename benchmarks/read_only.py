"""reporter's read + normalise against fastexcel alone on the same file, in CPU seconds.

    .venv/bin/python benchmarks/read_only.py FILE.xlsx [--repeat N] [--profile OUT.prof]

Each measurement runs in a fresh child process (imports done before the clock starts), and
counts user + system CPU of that process and of every process it started (reporter parses
workbooks in a limited child). ``reporter`` is ``load_dataset`` with the default config:
sniffing, reading, header detection, typing, validation, outcome, duplicates and the frame.
``fastexcel`` is the first sheet to Arrow with the header row located first (see
yardsticks.py). Prints one line per side and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _cpu() -> float:
    now = os.times()
    return now.user + now.system + now.children_user + now.children_system


def _reporter(path: Path, profile: str | None) -> dict[str, Any]:
    from reporter.config import load
    from reporter.read import load_dataset

    config = load(None)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu, wall = _cpu(), time.perf_counter()
    data = load_dataset([path], config)
    cpu, wall = _cpu() - cpu, time.perf_counter() - wall
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    return {"cpu": cpu, "wall": wall, "rows": len(data.opportunities)}


def _fastexcel(path: Path, _profile: str | None) -> dict[str, Any]:
    import fastexcel  # noqa: F401
    from yardsticks import fastexcel_arrow

    cpu, wall = _cpu(), time.perf_counter()
    result = fastexcel_arrow(path)
    return {"cpu": _cpu() - cpu, "wall": time.perf_counter() - wall, "rows": result["rows"]}


def _run(side: str, path: Path, profile: str | None, conn: Any) -> None:
    conn.send({"reporter": _reporter, "fastexcel": _fastexcel}[side](path, profile))


def measure(side: str, path: Path, profile: str | None = None) -> dict[str, Any]:
    """One measurement of ``side`` on ``path`` in a fresh process."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_run, args=(side, path, profile, sender))
    process.start()
    result: dict[str, Any] = receiver.recv()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", help="cProfile reporter's side (one run) into this file")
    args = parser.parse_args()
    if args.profile:
        print(measure("reporter", args.file, args.profile))
        return
    medians = {}
    for side in ("fastexcel", "reporter"):
        runs = [measure(side, args.file) for _ in range(args.repeat)]
        cpu = statistics.median(r["cpu"] for r in runs)
        wall = statistics.median(r["wall"] for r in runs)
        medians[side] = cpu
        print(
            f"{side:9s} CPU {cpu:6.2f} s  wall {wall:6.2f} s  rows {runs[0]['rows']:,}  "
            f"(CPU of each run: {', '.join(format(r['cpu'], '.2f') for r in runs)})"
        )
    ratio = medians["reporter"] / medians["fastexcel"]
    print(f"read + normalise / fastexcel alone (CPU): {ratio:.2f}x")


if __name__ == "__main__":
    main()
