"""A corrupt drop fails fast; outbox mode says "written"; the shutdown summary counts truly."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from e2e_support import REPORTER, inbox_names, write_config, write_files

from support.deliver_helpers import wait_for

SETTLE = 1.0


@pytest.mark.slow
def test_corrupt_drop_fails_within_settle_plus_ten_seconds_and_summary_counts(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    config = write_config(
        tmp_path / "config.toml", {"watch": {"settle_seconds": SETTLE, "poll_interval": 0.1}}
    )
    proc = subprocess.Popen(
        [REPORTER, "watch", str(inbox), "--config", str(config), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: (inbox / ".reporter-watch.lock").exists(), 60, "the watcher to start")
        (inbox / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 300)  # a truncated zip
        note = inbox / "failed" / "broken.xlsx.error.txt"
        wait_for(note.exists, SETTLE + 10, "the corrupt drop's note in failed/")
        assert "What was wrong:" in note.read_text()
        write_files(tmp_path / "drop")
        for f in sorted((tmp_path / "drop").iterdir()):
            os.replace(f, inbox / f.name)
        wait_for(lambda: len(inbox_names(inbox, "processed")) == 3, 60, "the good batch")
        wait_for(lambda: len(list((out / "outbox").glob("*.eml"))) == 2, 30, "two .eml files")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert inbox_names(inbox, "failed") == ["broken.xlsx", "broken.xlsx.error.txt"]
    assert err.count("could not be read yet") <= 1  # one look again, not minutes of retries
    lines = [line for line in err.splitlines() if "west.manager@example.com" in line]
    assert lines and all(" sent " not in f" {line} " for line in lines)
    assert any("written" in line for line in lines)
    summary = err.strip().splitlines()[-1]
    assert "1 built" in summary and "1 failed" in summary
    assert "2 written" in summary and "0 sent" not in summary
