"""kill -9 of a watcher process mid-build and mid-send, then a restart: nothing lost or repeated.

The watcher runs as a real child process (``python -c``) against a real inbox, ledger and
SMTP server; the stand-in build can sleep so the kill lands inside it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reporter.cli.render import status as render_status
from reporter.config import from_mapping
from reporter.deliver.ledger import Ledger
from reporter.deliver.status import status
from reporter.deliver.watch.inbox import candidates
from support.deliver_helpers import (
    MANAGERS,
    Handler,
    SmtpServer,
    builds,
    email_config,
    wait_for,
    write_workbook,
)

TESTS = Path(__file__).resolve().parents[1]  # so the child can import support
CHILD = """
import json, logging, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from support.deliver_helpers import make_build
from reporter.config import from_mapping
from reporter.deliver.watch import watch
logging.basicConfig(level=logging.INFO)
inbox, out, work, sleep, marker = sys.argv[3:8]
watch(Path(inbox), from_mapping(json.loads(sys.argv[2])), Path(out),
      build=make_build(Path(work), sleep=float(sleep), marker=Path(marker)))
"""
WEST = MANAGERS["West"][1]


class Child:
    """The watcher as a separate process."""

    def __init__(self, tmp_path: Path, settings: dict, sleep: float = 0.0) -> None:
        self.tmp = tmp_path
        inbox, out, work = (tmp_path / n for n in ("inbox", "out", "work"))
        self.marker = tmp_path / f"building-{os.urandom(4).hex()}"
        args = [str(TESTS), json.dumps(settings), str(inbox), str(out), str(work)]
        self.log = open(tmp_path / "child.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, *args, str(sleep), str(self.marker)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)  # what systemd and Ctrl-C do
        code = self.proc.wait(timeout=30)
        self.log.close()
        return code


@pytest.fixture
def dirs(tmp_path):
    for name in ("inbox", "out", "work"):
        (tmp_path / name).mkdir()
    return tmp_path


def _settings(port):
    return {
        "email": email_config(port),
        "watch": {"settle_seconds": 0.3, "poll_interval": 0.05, "retry_limit": 3},
    }


def _all_processed(tmp, *names):
    return lambda: all((tmp / "inbox" / "processed" / n).exists() for n in names)


def _log(tmp):
    return (tmp / "child.log").read_text(errors="replace")


def test_kill_during_build_then_restart_loses_nothing_and_sends_once(dirs):
    write_workbook(dirs / "inbox" / "a.xlsx", regions=("West", "East"))
    with SmtpServer() as server:
        first = Child(dirs, _settings(server.port), sleep=60)
        wait_for(first.marker.exists, what="the first build to start")
        first.kill9()
        with Ledger(dirs / "out" / "ledger.sqlite3") as ledger:
            assert [r.state for r in ledger.inputs()] == ["building"]
        second = Child(dirs, _settings(server.port))
        wait_for(_all_processed(dirs, "a.xlsx"), what=f"restart\n{_log(dirs)}")
        # a second drop, after the first (files dropped together would be one data set)
        write_workbook(dirs / "inbox" / "b.xlsx", regions=("West", "Central"))
        wait_for(_all_processed(dirs, "a.xlsx", "b.xlsx"), what=f"b.xlsx\n{_log(dirs)}")
        assert second.stop() == 0, _log(dirs)
    assert sorted(builds(dirs / "work")) == ["a.xlsx", "b.xlsx"]
    assert len(server.handler.to(WEST)) == 2  # one per run
    for address in (MANAGERS["East"][1], MANAGERS["Central"][1]):
        assert len(server.handler.to(address)) == 1
    ids = [m["Message-ID"] for m in server.handler.received]
    assert len(ids) == len(set(ids)) == 4
    assert candidates(dirs / "inbox") == [] and not (dirs / "inbox" / "failed").exists()


def test_kill_during_send_then_restart_reports_unknown_and_resends_nothing(dirs):
    write_workbook(dirs / "inbox" / "team.xlsx")
    handler = Handler(stall={WEST})
    with SmtpServer(handler) as server:
        first = Child(dirs, _settings(server.port))
        wait_for(handler.stalled.is_set, what=f"the West message in flight\n{_log(dirs)}")
        first.kill9()
        handler.release.set()
        second = Child(dirs, _settings(server.port))
        wait_for(_all_processed(dirs, "team.xlsx"), what=f"restart\n{_log(dirs)}")
        assert second.stop() == 0, _log(dirs)
    assert handler.data_attempts.count(WEST) == 1
    assert builds(dirs / "work") == ["team.xlsx"]
    for _, address in MANAGERS.values():
        assert len(handler.to(address)) == 1
    info = status(from_mapping(_settings(server.port)), dirs / "out")
    assert [m.recipient for m in info.unknown] == [WEST]
    (run,) = info.runs
    assert run.input.state == "failed" and "interrupted" in run.input.error
    assert "--resend-unknown" in render_status(info)
