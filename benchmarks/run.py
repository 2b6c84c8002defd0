"""`make bench`: reporter build against the hand-written baseline, per stage, on one machine.

    .venv/bin/python benchmarks/run.py [--big] [--sizes 10k 100k] [--repeat 1] [--no-baseline]

For each generated export (benchmarks/generate.py; 10k and 100k rows by default, plus the
full 1,048,575-row sheet with ``--big``) it runs, each in a fresh process:

- the raw-unzip floor and fastexcel alone (benchmarks/yardsticks.py);
- ``reporter build`` in-process with a timer per stage (benchmarks/stages.py);
- the real ``reporter build`` command and the baseline script (benchmarks/baseline.py)
  in turn, ``--repeat`` times; the ratio is taken pair by pair, so it holds even when the
  machine's load drifts during the run (the baseline is skipped for the 1,048,575-row sheet
  unless ``--baseline-sizes`` names it: it reads that sheet with openpyxl for minutes);
- read + normalise (``load_dataset``) against fastexcel alone, CPU seconds of a fresh process
  and its children (benchmarks/read_only.py).

It ends with issue 11's "must show" checks, each measured in this run, met or not.

Whole-process wall time, CPU time (user + system, children included) and peak RSS come
from the operating system (``os.wait4``). Prints Markdown tables for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import read_only  # noqa: E402
from generate import data_rows, ensure  # noqa: E402
from stages import ORDER  # noqa: E402

PY = sys.executable
REPORTER = str(Path(PY).with_name("reporter"))
LIBRARIES = ("pandas", "numpy", "python-calamine", "fastexcel", "pyarrow", "openpyxl")
LIBRARIES += ("xlsxwriter", "weasyprint")


@dataclass
class Run:
    """One finished child process, as the OS accounted it."""

    wall: float
    cpu: float
    peak: int
    code: int
    stdout: str

    @property
    def data(self) -> dict:
        return json.loads(self.stdout.strip().splitlines()[-1])


def measure(argv: list[str], cwd: Path) -> Run:
    """Start ``argv``, wait for it; its wall time, CPU time and peak RSS (largest process)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, proc.returncode, text)


def machine() -> str:
    """nproc, CPU model, RAM, load, Python and library versions, as Markdown lines."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for lib in LIBRARIES:
        try:
            versions.append(f"{lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{lib} (not installed)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"- {os.cpu_count()} CPUs ({model}), {ram:.1f} GiB RAM, {platform.system()} "
        f"{platform.release()}\n- Python {platform.python_version()}; {', '.join(versions)}\n"
        f"- load average at start (1, 5, 15 min): {load}"
    )


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def bench_size(
    size: str, repeat: int, baseline: bool, work: Path, checks: dict[str, dict[str, float]]
) -> str:
    """All measurements for one export; a Markdown section. Figures the issue's targets are
    judged on go into ``checks[size]``."""
    path = ensure(size)
    rows = data_rows(size)
    lines = [f"### {size}: {rows:,} opportunities, {path.stat().st_size / 2**20:.1f} MB xlsx", ""]
    floor = measure([PY, str(HERE / "yardsticks.py"), "floor", str(path)], work)
    fast = measure([PY, str(HERE / "yardsticks.py"), "fastexcel", str(path)], work)
    staged = measure([PY, str(HERE / "stages.py"), str(path), "--json", "--lift-zip-limit"], work)
    stages = staged.data
    builds: list[Run] = []
    bases: list[Run] = []
    for i in range(repeat):
        out = work / f"build-{size}-{i}"
        builds.append(measure([REPORTER, "build", str(path), "--out", str(out), "--quiet"], work))
        if baseline:
            base_out = work / f"baseline-{size}-{i}"
            bases.append(
                measure([PY, str(HERE / "baseline.py"), str(path), str(base_out), "--json"], work)
            )
    lines += [
        "| stage (in-process) | wall s | CPU s | workers' CPU s | peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    workers = stages.get("workers_cpu", dict.fromkeys(ORDER, 0.0))
    for stage in (s for s in ORDER if s in stages["wall"]):
        lines.append(
            f"| {stage} | {stages['wall'][stage]:.2f} | {stages['cpu'][stage]:.2f} "
            f"| {workers[stage]:.2f} | {mb(stages['peak'][stage])} |"
        )
    lines.append(
        f"| **total** | **{stages['total_wall']:.2f}** | {sum(stages['cpu'].values()):.2f} "
        f"| {sum(workers.values()):.2f} | {mb(max(stages['peak'].values()))} |"
    )
    build = statistics.median(r.wall for r in builds)
    lines += [
        "",
        "| whole process | wall s | CPU s | peak RSS (largest process) |",
        "|---|---:|---:|---:|",
        f"| `reporter build` (median of {repeat}) | {build:.2f} "
        f"| {statistics.median(r.cpu for r in builds):.2f} | {mb(max(r.peak for r in builds))} |",
    ]
    if bases:
        base = statistics.median(r.wall for r in bases)
        steps = bases[len(bases) // 2].data["steps"]
        detail = ", ".join(f"{k} {v:.2f}" for k, v in steps.items())
        ratio = statistics.median(b.wall / r.wall for b, r in zip(bases, builds))
        lines += [
            f"| baseline script (median of {repeat}) | {base:.2f} "
            f"| {statistics.median(r.cpu for r in bases):.2f} | {mb(max(r.peak for r in bases))} |",
            f"| fastexcel → Arrow alone | {fast.data['seconds']:.2f} | {fast.cpu:.2f} "
            f"| {mb(fast.peak)} |",
            f"| raw unzip of the sheet XML (floor) | {floor.data['seconds']:.2f} | {floor.cpu:.2f} "
            f"| {mb(floor.peak)} |",
            "",
            f"- **baseline / reporter build: {ratio:.2f}x** (pair by pair, same run)",
            f"- baseline steps (s): {detail}",
        ]
    else:
        lines += [
            f"| fastexcel → Arrow alone | {fast.data['seconds']:.2f} | {fast.cpu:.2f} "
            f"| {mb(fast.peak)} |",
            f"| raw unzip of the sheet XML (floor) | {floor.data['seconds']:.2f} | {floor.cpu:.2f} "
            f"| {mb(floor.peak)} |",
            "",
        ]
    reads = 1 if rows > 200_000 else min(max(repeat, 1), 3)
    ours = statistics.median(read_only.measure("reporter", path)["cpu"] for _ in range(reads))
    alone = statistics.median(read_only.measure("fastexcel", path)["cpu"] for _ in range(reads))
    found = checks.setdefault(size, {})
    found.update(
        read_ratio=ours / alone,
        metrics_cpu=stages["cpu"]["metrics"],
        metrics_wall=stages["wall"]["metrics"],
        peak_mb=max(stages["peak"].values()) / 2**20,
        stages_exit=stages["exit"],
        builds_ok=all(r.code == 0 for r in builds),
    )
    if bases:
        found["ratio"] = ratio
    lines += [
        f"- read + normalise / fastexcel alone, CPU incl. children (median of {reads}): "
        f"{ours:.2f} s / {alone:.2f} s = **{ours / alone:.2f}x**; "
        f"sheet XML {floor.data['xml_bytes'] / 2**20:,.0f} MB",
        f"- exit codes: build {[r.code for r in builds]}, stages {stages['exit']}",
        "",
    ]
    return "\n".join(lines)


def must_show(checks: dict[str, dict[str, float]]) -> str:
    """Issue 11's targets, each judged on a figure of this run (blank when not measured)."""

    def row(target: str, size: str, key: str, fmt: str, ok: Callable[[float], bool]) -> str:
        value = checks.get(size, {}).get(key)
        if value is None:
            return f"| {target} | not measured in this run ({size}) | — |"
        return f"| {target} | {fmt.format(value)} | {'met' if ok(value) else '**not met**'} |"

    big = checks.get("1m", {})
    lines = [
        "### Issue 11's must show, from this run",
        "",
        "| target | measured | status |",
        "|---|---|---|",
        row("100k build ≥ 5x faster than the baseline", "100k", "ratio", "{:.2f}x", _ge(5)),
        row("read within 1.5x of fastexcel (100k, CPU)", "100k", "read_ratio", "{:.2f}x", _le(1.5)),
        row("metrics at 1M rows < 1 s (CPU)", "1m", "metrics_cpu", "{:.2f} s", _le(1.0)),
        row("1,048,575-row build, peak < 4 GB", "1m", "peak_mb", "{:,.0f} MB", _le(4096)),
    ]
    if big:
        completed = big.get("stages_exit") == 0 and big.get("builds_ok")
        lines.append(
            f"| 1,048,575-row build completes | exit {big.get('stages_exit')} (stages), "
            f"builds ok: {bool(big.get('builds_ok'))} | {'met' if completed else '**not met**'} |"
        )
    return "\n".join(lines) + "\n"


def _ge(limit: float) -> Callable[[float], bool]:
    return lambda v: v >= limit


def _le(limit: float) -> Callable[[float], bool]:
    return lambda v: v <= limit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["10k", "100k"])
    parser.add_argument("--big", action="store_true", help="add the 1,048,575-row sheet")
    parser.add_argument("--repeat", type=int, default=1, help="build/baseline pairs per size")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline script")
    parser.add_argument(
        "--baseline-sizes", nargs="*", help="sizes the baseline runs on (default: all but 1m)"
    )
    args = parser.parse_args()
    sizes = args.sizes + (["1m"] if args.big and "1m" not in args.sizes else [])
    with_baseline = set(args.baseline_sizes if args.baseline_sizes is not None else sizes)
    if args.baseline_sizes is None:
        with_baseline.discard("1m")
    if args.no_baseline:
        with_baseline.clear()
    checks: dict[str, dict[str, float]] = {}
    print(f"## Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print(machine() + "\n", flush=True)
    work = Path(tempfile.mkdtemp(prefix="reporter-bench-"))
    try:
        for size in sizes:
            print(bench_size(size, args.repeat, size in with_baseline, work, checks), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(must_show(checks))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"- load average at end: {load}")


if __name__ == "__main__":
    main()
