"""The folder watcher on a real folder, a real SQLite ledger and a real SMTP server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

from reporter.config import from_mapping
from reporter.deliver.ledger import Ledger
from reporter.deliver.watch import Watcher, watch
from reporter.deliver.watch.lock import LOCK_NAME, InboxLock
from reporter.errors import DeliveryError
from reporter.pipeline import run
from support.deliver_helpers import (
    MANAGERS,
    builds,
    email_config,
    make_build,
    wait_for,
    write_workbook,
)

FAST = {"settle_seconds": 0.3, "poll_interval": 0.05, "retry_limit": 3}


@pytest.fixture
def folders(tmp_path):
    inbox, out, work = tmp_path / "inbox", tmp_path / "out", tmp_path / "work"
    for folder in (inbox, out, work):
        folder.mkdir()
    return inbox, out, work


class Running:
    """A watcher in a background thread, stopped (and checked) on exit."""

    def __init__(self, inbox, config, out, work, polling=False):
        self.watcher = Watcher(inbox, config, out, build=make_build(work))
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.error = None

    def _run(self):
        try:
            self.watcher.run()
        except BaseException as exc:  # surfaced by __exit__
            self.error = exc

    def __enter__(self):
        self.thread.start()
        wait_for(lambda: self.watcher.ledger is not None or self.error, what="watcher start")
        if self.error:
            raise self.error
        return self.watcher

    def __exit__(self, *exc):
        self.watcher.stop.set()
        self.watcher.wake.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()
        if self.error:
            raise self.error


def _config(port, **watch):
    return from_mapping({"email": email_config(port), "watch": {**FAST, **watch}})


def _done(inbox, *names):
    return lambda: all((inbox / "processed" / n).exists() for n in names)


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_existing_and_new_files_are_built_sent_and_moved(folders, smtp, polling):
    inbox, out, work = folders
    write_workbook(inbox / "q3.xlsx")
    config = _config(smtp.port, polling=polling)
    with Running(inbox, config, out, work) as watcher:
        wait_for(_done(inbox, "q3.xlsx"), what="q3.xlsx processed")
        write_workbook(inbox / "q4.xlsx", regions=("West",))
        wait_for(_done(inbox, "q4.xlsx"), what="q4.xlsx processed")
    assert sorted(builds(work)) == ["q3.xlsx", "q4.xlsx"]
    assert len(smtp.handler.to(MANAGERS["West"][1])) == 2
    assert len(smtp.handler.to(MANAGERS["East"][1])) == 1
    runs = sorted(p.name for p in (out / "runs").iterdir())
    assert len(runs) == 2 and runs[0].startswith("q3-") and runs[1].startswith("q4-")
    assert watcher.stats.built == 2 and watcher.stats.failed == 0


@pytest.mark.parametrize("gap", ["shorter", "longer"], ids=["gap<settle", "gap>settle"])
def test_slowly_copied_workbook_is_built_once(folders, smtp, gap):
    inbox, out, work = folders
    data = write_workbook(work / "source.xlsx").read_bytes()
    target = inbox / "team.xlsx"
    with Running(inbox, _config(smtp.port), out, work) as watcher:
        with open(target, "wb") as fh:
            fh.write(data[: len(data) // 2])
            fh.flush()
            if gap == "longer":  # the half file is stable long enough to be tried; the copy
                # goes on before the next look, so it is still changing and looked at again
                wait_for(lambda: watcher.stats.retried >= 1, what="a retry of the half file")
            fh.write(data[len(data) // 2 :])
        wait_for(_done(inbox, "team.xlsx"), what="team.xlsx processed")
    assert builds(work) == ["team.xlsx"]
    assert not (inbox / "failed").exists() or not list((inbox / "failed").iterdir())
    for _, address in MANAGERS.values():
        assert len(smtp.handler.to(address)) == 1
    assert (inbox / "processed" / "team.xlsx").read_bytes() == data


def test_lock_and_temp_files_are_left_alone(folders, smtp):
    inbox, out, work = folders
    clutter = ["~$team.xlsx", ".~lock.team.xlsx#", "save1234.tmp", ".DS_Store", "Thumbs.db"]
    for name in clutter:
        (inbox / name).write_bytes(b"\x00owner lock")
    # A hidden folder (a sync tool's) is left alone; a visible one would be a drop.
    (inbox / ".sync").mkdir()
    write_workbook(inbox / ".sync" / "nested.xlsx")
    write_workbook(inbox / "team.xlsx")
    with Running(inbox, _config(smtp.port), out, work):
        wait_for(_done(inbox, "team.xlsx"), what="team.xlsx processed")
    assert all((inbox / name).exists() for name in clutter)
    assert (inbox / ".sync" / "nested.xlsx").exists()
    assert builds(work) == ["team.xlsx"]


@pytest.mark.parametrize("age", ["old", "young"], ids=["old-file", "young-file-after-retries"])
def test_corrupt_workbook_lands_in_failed_with_a_note(folders, smtp, age):
    inbox, out, work = folders
    bad = inbox / "corrupt.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook" * 10)
    if age == "old":
        past = time.time() - 3600
        os.utime(bad, (past, past))
    with Running(inbox, _config(smtp.port, retry_limit=2), out, work) as watcher:
        wait_for(lambda: (inbox / "failed" / "corrupt.xlsx.error.txt").exists(), what="note")
    note = (inbox / "failed" / "corrupt.xlsx.error.txt").read_text()
    assert "What was wrong:" in note and "not a readable workbook" in note
    assert "re-save it as .xlsx" in note and "drop it into the inbox again" in note
    assert (inbox / "failed" / "corrupt.xlsx").exists() and not bad.exists()
    # a young file is looked at once more; unchanged since, it fails without more retries
    assert watcher.stats.retried == (0 if age == "old" else 1)
    assert smtp.handler.received == [] and builds(work) == []
    with Ledger(out / "ledger.sqlite3") as ledger:
        (row,) = ledger.inputs()
    assert row.state == "failed" and "not a readable workbook" in row.error


def test_redropped_identical_workbook_sends_nothing(folders, smtp):
    inbox, out, work = folders
    write_workbook(work / "team.xlsx")
    shutil.copy(work / "team.xlsx", inbox / "team.xlsx")
    with Running(inbox, _config(smtp.port), out, work) as watcher:
        wait_for(_done(inbox, "team.xlsx"), what="first copy processed")
        shutil.copy(work / "team.xlsx", inbox / "team.xlsx")
        wait_for(_done(inbox, "team-2.xlsx"), what="second copy processed")
        shutil.copy(work / "team.xlsx", inbox / "renamed copy.xlsx")
        wait_for(_done(inbox, "renamed copy.xlsx"), what="renamed copy processed")
    assert builds(work) == ["team.xlsx"] and watcher.stats.duplicates == 2
    assert len(smtp.handler.received) == len(MANAGERS)


def test_once_mode_handles_what_is_there_and_returns(folders, smtp):
    inbox, out, work = folders
    write_workbook(inbox / "team.xlsx")
    stats = watch(inbox, _config(smtp.port), out, build=make_build(work), once=True)
    assert stats.built == 1 and (inbox / "processed" / "team.xlsx").exists()


def test_second_watcher_on_the_same_inbox_is_refused(folders, smtp):
    inbox, out, work = folders
    with Running(inbox, _config(smtp.port), out, work):
        wait_for(lambda: (inbox / LOCK_NAME).stat().st_size > 0, what="lock taken")
        with pytest.raises(DeliveryError, match="another watcher"):
            watch(inbox, _config(smtp.port), out, build=make_build(work), once=True)


def test_stale_lock_of_a_dead_process_is_taken_over(folders):
    inbox = folders[0]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = {"host": socket.gethostname(), "pid": dead.pid, "since": 0}
    (inbox / LOCK_NAME).write_text(json.dumps(holder))
    with InboxLock(inbox):
        assert str(os.getpid()) in (inbox / LOCK_NAME).read_text()


def test_missing_inbox_is_a_clear_error(tmp_path):
    with pytest.raises(DeliveryError, match="is not a folder"):
        watch(tmp_path / "nope", from_mapping({}), tmp_path / "out", build=run, once=True)
