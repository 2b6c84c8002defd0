"""reporter's read + normalise against fastexcel alone on the same file, in CPU seconds.

    .venv/bin/python benchmarks/read_only.py FILE.xlsx [--repeat N] [--before REF]
    .venv/bin/python benchmarks/read_only.py FILE.xlsx --profile OUT.prof

Each measurement runs in a fresh child process (imports done before the clock starts), and
counts user + system CPU of that process and of every process it started (reporter parses
workbooks in a limited child). ``reporter`` is ``load_dataset`` with the default config:
sniffing, reading, header detection, typing, validation, outcome, duplicates and the frame.
``fastexcel`` is the first sheet to Arrow with the header row located first (see
yardsticks.py). Prints one line per side and the ratio of the medians. ``--before REF`` adds
reporter with ``src`` of that git ref (extracted to a temporary folder), its runs taken in
turn with the others' so that a change in the machine's load touches all sides alike.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
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


def _run(side: str, path: Path, profile: str | None, conn: Any, src: str | None) -> None:
    if src is not None:
        sys.path.insert(0, src)  # reporter is imported after this, from that code
    conn.send({"reporter": _reporter, "fastexcel": _fastexcel}[side](path, profile))


def measure(
    side: str, path: Path, profile: str | None = None, src: str | None = None
) -> dict[str, Any]:
    """One measurement of ``side`` on ``path`` in a fresh process (reporter from ``src``)."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_run, args=(side, path, profile, sender, src))
    process.start()
    result: dict[str, Any] = receiver.recv()
    process.join()
    return result


def _extract(ref: str, into: Path) -> str:
    """``src`` of git ``ref`` extracted into ``into`` (the "before" code)."""
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "archive", ref, "src"], cwd=root, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return str(into / "src")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", help="git ref to time as 'before' too (e.g. main)")
    parser.add_argument("--profile", help="cProfile reporter's side (one run) into this file")
    args = parser.parse_args()
    if args.profile:
        print(measure("reporter", args.file, args.profile))
        return
    with tempfile.TemporaryDirectory() as tmp:
        sides: list[tuple[str, str, str | None]] = [("fastexcel", "fastexcel", None)]
        if args.before:
            sides.append((f"before ({args.before})", "reporter", _extract(args.before, Path(tmp))))
        sides.append(("reporter", "reporter", None))
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in sides}
        for _ in range(args.repeat):
            for label, side, src in sides:
                runs[label].append(measure(side, args.file, src=src))
        medians = {}
        for label, _, _ in sides:
            cpu = statistics.median(r["cpu"] for r in runs[label])
            wall = statistics.median(r["wall"] for r in runs[label])
            medians[label] = cpu
            each = ", ".join(format(r["cpu"], ".2f") for r in runs[label])
            print(
                f"{label:16s} CPU {cpu:6.2f} s  wall {wall:6.2f} s  "
                f"rows {runs[label][0]['rows']:,}  (CPU of each run: {each})"
            )
        for label, side, _ in sides:
            if side == "reporter":
                ratio = medians[label] / medians["fastexcel"]
                print(f"{label}: read + normalise / fastexcel alone (CPU): {ratio:.2f}x")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
