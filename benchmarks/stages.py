"""`reporter build` in this process, with wall time, CPU time and peak RSS per stage.

    .venv/bin/python benchmarks/stages.py FILE.xlsx [--out DIR] [--cprofile OUT.prof] [--json]

Nothing in reporter is changed: the stage functions are wrapped from outside with timers
(see ``STAGES``), then the real CLI runs ``build`` on the file. Times are exclusive: the
time ``read`` spends inside ``normalise`` is counted once, under ``read``. Peak RSS per
stage is sampled every 10 ms from /proc (this process plus its children, so the briefing
renderers count). CPU time is user + system, of this process (``cpu``) and of its children
(``workers_cpu``, the briefing pool, whose PDFs may render during another stage). ``other``
is what the build spent outside every stage (start-up, config, summary, publishing).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# stage → functions whose running time is that stage, as (module, attribute). Candidates that
# do not exist in this version of reporter are skipped, so one list serves before and after
# a refactor. Read = from bytes to raw cells; normalise = raw cells to the canonical frame.
STAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "read": (
        ("reporter.read.sniff", "sniff"),
        ("reporter.read.guarded", "read_guarded"),  # the reader in a limited child process
        # since issue 11: read and typed in the child (header, typing, validation included)
        ("reporter.read.guarded", "read_interpreted"),
        ("reporter.read.excel", "read_workbook"),
        ("reporter.read.csvfile", "read_csv"),
    ),
    "normalise": (("reporter.pipeline", "check"),),
    "metrics": (("reporter.pipeline", "compute_all"), ("reporter.pipeline", "_compute")),
    # issue 10: the figures compared with the history store, and the run recorded there
    "history": (("reporter.pipeline", "_compare"), ("reporter.history.record", "Pending.record")),
    "workbook": (
        ("reporter.write.xlsx", "write_workbook"),
        ("reporter.write.xlsx", "write"),
    ),
    "briefings": (
        ("reporter.write.pdf", "render_briefings"),
        ("reporter.write.briefing", "render_briefings"),
        # Briefings beside the workbook: HTML + hand-over, then the wait for the last PDF.
        ("reporter.write.briefing.pool", "Batch.add"),
        ("reporter.write.briefing.pool", "Batch.wait"),
    ),
    "json": (("reporter.write.json", "write_metrics"),),
}
ORDER = ("read", "normalise", "metrics", "history", "workbook", "briefings", "json", "other")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss(pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _children(pid: int | str = "self") -> list[str]:
    out: list[str] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += f.read().split()
        except OSError:
            continue
    return out


def tree_rss() -> int:
    """RSS of this process and all its descendants, in bytes."""
    return _rss() + sum(_rss(pid) for pid in descendants())


TICK = os.sysconf("SC_CLK_TCK")
_seen_cpu: dict[str, float] = {}  # descendant pid → its CPU seconds when last seen


def _proc_cpu(pid: str) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
    except (OSError, ValueError, IndexError):
        return None


def descendants() -> list[str]:
    """Pids of every process below this one (the briefing pool sits under a fork server)."""
    out, todo = [], _children()
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += _children(pid)
    return out


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of every descendant seen so far (alive or gone)."""
    for pid in descendants():
        used = _proc_cpu(pid)
        if used is not None:
            _seen_cpu[pid] = max(used, _seen_cpu.get(pid, 0.0))
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime, sum(_seen_cpu.values())


class Recorder:
    """Exclusive wall and CPU time and peak RSS per stage, for nested stage calls."""

    def __init__(self) -> None:
        self.wall = dict.fromkeys(ORDER, 0.0)
        self.cpu = dict.fromkeys(ORDER, 0.0)  # this process
        self.workers = dict.fromkeys(ORDER, 0.0)  # its descendants (the briefing pool)
        self.peak = dict.fromkeys(ORDER, 0)
        self.stack = ["other"]
        self.mark = (time.perf_counter(), _cpu())
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def _switch(self, stage: str | None) -> None:
        now = (time.perf_counter(), _cpu())
        current = self.stack[-1]
        self.wall[current] += now[0] - self.mark[0]
        self.cpu[current] += now[1][0] - self.mark[1][0]
        self.workers[current] += now[1][1] - self.mark[1][1]
        self.peak[current] = max(self.peak[current], tree_rss())
        self.mark = now
        if stage is None:
            self.stack.pop()
        else:
            self.stack.append(stage)

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._switch(stage)
            try:
                return fn(*args, **kwargs)
            finally:
                self._switch(None)

        timed.__bench_wrapped__ = True  # type: ignore[attr-defined]
        return timed

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            stage = self.stack[-1]
            self.peak[stage] = max(self.peak[stage], tree_rss())
            _cpu()  # keeps the CPU seen of short-lived children

    def __enter__(self) -> Recorder:
        self._sampler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._switch(None) if len(self.stack) > 1 else self._switch("other")
        self._stop.set()
        self._sampler.join()


def install(recorder: Recorder) -> list[str]:
    """Wrap every stage function, wherever a module holds a reference to it."""
    import reporter.cli  # noqa: F401  (imports the modules the CLI uses)

    found: list[str] = []
    for stage, candidates in STAGES.items():
        for module_name, attr in candidates:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            owner_name, _, attr = attr.rpartition(".")
            owner = getattr(module, owner_name, None) if owner_name else module
            original = getattr(owner, attr, None)
            if original is None or getattr(original, "__bench_wrapped__", False):
                continue
            wrapped = recorder.wrap(stage, original)
            if owner is not module:  # a method: patch the class itself
                setattr(owner, attr, wrapped)
                found.append(f"{stage}={module_name}.{owner_name}.{attr}")
                continue
            for mod in list(sys.modules.values()):
                if (getattr(mod, "__name__", "") or "").startswith("reporter") and getattr(
                    mod, attr, None
                ) is original:
                    setattr(mod, attr, wrapped)
            found.append(f"{stage}={module_name}.{attr}")
    return found


def lift_zip_limit() -> None:
    """Admit the 1,048,575-row export, which the 500 MB absolute cap refused before issue 12."""
    sniff = importlib.import_module("reporter.read.sniff")  # the module, not its function
    if hasattr(sniff, "MAX_UNZIPPED_BYTES"):
        sniff.MAX_UNZIPPED_BYTES = max(sniff.MAX_UNZIPPED_BYTES, 4 * 2**30)


def run_build(path: Path, out: Path) -> int:
    """The real CLI, in this process: ``reporter build PATH --out OUT --quiet``."""
    from reporter.cli import main

    argv = sys.argv
    sys.argv = ["reporter", "build", str(path), "--out", str(out), "--quiet"]
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        sys.argv = argv
    return 0


def profile(path: Path, out: Path, cprofile: Path | None = None) -> dict[str, Any]:
    """Run the build once and return the figures per stage."""
    start_cpu, start = sum(_cpu()), time.perf_counter()
    with Recorder() as rec:
        hooks = install(rec)
        prof = cProfile.Profile() if cprofile else None
        if prof:
            prof.enable()
        code = run_build(path, out)
        if prof:
            prof.disable()
            prof.dump_stats(str(cprofile))
    return {
        "file": path.name,
        "exit": code,
        "hooks": hooks,
        "wall": rec.wall,
        "cpu": rec.cpu,
        "workers_cpu": rec.workers,
        "peak": rec.peak,
        "total_wall": time.perf_counter() - start,
        "total_cpu": sum(_cpu()) - start_cpu,
        "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--out", type=Path, help="output folder (default: a temporary one)")
    parser.add_argument("--cprofile", type=Path, help="also write a cProfile of the build here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--lift-zip-limit",
        action="store_true",
        help="raise sniff's absolute unzipped-size limit (until issue 12 admits a full sheet)",
    )
    args = parser.parse_args()
    if args.lift_zip_limit:
        lift_zip_limit()
    file = args.file.resolve()
    prof = args.cprofile.resolve() if args.cprofile else None
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out.resolve() if args.out else Path(tmp) / "out"
        os.chdir(tmp)  # no ./config.toml: built-in defaults, as on a fresh machine
        result = profile(file, out, prof)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['file']}: exit {result['exit']}, {result['total_wall']:.2f} s")
    for stage in ORDER:
        print(
            f"  {stage:<10} {result['wall'][stage]:7.2f} s wall {result['cpu'][stage]:7.2f} s cpu"
            f" {result['workers_cpu'][stage]:7.2f} s workers' cpu"
            f"  peak {result['peak'][stage] / 2**20:7.0f} MB"
        )


if __name__ == "__main__":
    main()
