"""Every hostile input gets the behaviour a user is owed, run as the user runs it.

The CLI runs in a child process with a data-size cap (so a runaway case cannot take the
test machine down; not an address-space cap, which the V8 engine of the chart renderer
cannot live with) and a 60 s wall limit; its peak RSS, children included, comes from
``wait4``. For each case: exit 0 or 2 (as the case allows), never a traceback, an exit-2
message that names the file, under 60 s and 1.5 GB.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_corpus import CASES, Case

WALL_SECONDS = 60
PEAK_RSS_MB = 1536
# Far above the 1.5 GB asserted: the cap is a seat belt for the machine, not the check.
DATA_CAP = 6 * 1024**3


@dataclass(frozen=True)
class Outcome:
    """What a user would see from one CLI run."""

    code: int
    output: str
    seconds: float
    peak_rss_mb: float
    timed_out: bool


def run_cli(args: list[str], cwd: Path, timeout: float = WALL_SECONDS) -> Outcome:
    """``reporter ARGS`` in a child; exit code, stdout+stderr, time and peak RSS (with children)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (DATA_CAP, DATA_CAP))
        os.setsid()

    log = cwd / ".cli-output.txt"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    start = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from reporter.cli import main; main()", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=limit,
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    output = log.read_bytes().decode("utf-8", "replace")
    log.unlink()
    return Outcome(proc.returncode, output, seconds, usage.ru_maxrss / 1024, timed_out.is_set())


def _param(case: Case) -> object:
    marks = []
    if case.slow:
        marks.append(pytest.mark.slow)
    if case.xfail:
        marks.append(pytest.mark.xfail(reason=case.xfail, strict=True))
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    args = case.make(tmp_path)
    extra = ["--out", str(tmp_path / "out")] if case.command == "build" else []
    outcome = run_cli([case.command, *args, *extra], tmp_path)
    shown = outcome.output[-3000:]
    assert not outcome.timed_out, f"still running after {WALL_SECONDS} s"
    assert "Traceback" not in outcome.output, shown
    assert outcome.code in case.codes, f"exit {outcome.code}, wanted {set(case.codes)}:\n{shown}"
    if outcome.code == 2:
        named = case.names or Path(args[0]).name
        assert named in outcome.output, f"the message does not name {named!r}:\n{shown}"
    for text in case.expect:
        assert text in outcome.output, f"{text!r} not said:\n{shown}"
    for text in case.forbid:
        assert text not in outcome.output, f"{text!r} leaked into the output:\n{shown}"
    assert outcome.peak_rss_mb < PEAK_RSS_MB, f"peak RSS {outcome.peak_rss_mb:,.0f} MB"
    if case.check is not None:
        case.check(tmp_path)


def test_corpus_is_large_and_named_uniquely() -> None:
    names = [c.name for c in CASES]
    assert len(names) >= 40
    assert len(set(names)) == len(names)
