"""Batches: files dropped together, a folder or a zip are one data set (real SMTP, real CLI)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import e2e_support
import pytest
from e2e_support import (
    EAST,
    EXPECTED,
    EXPORT,
    WEST,
    attachment_names,
    email_table,
    inbox_names,
    run_folders,
    watch_once,
    write_config,
    write_files,
    write_zip,
)

# The shared loopback SMTP server (e2e_support): one for the session, emptied per test.
mail_server, mail = e2e_support.mail_server, e2e_support.mail

FAST = {"settle_seconds": 0.3, "poll_interval": 0.05}
Q3 = EXPECTED["FY2026 Q3"]


def _setup(tmp_path: Path, port: int, **watch: object) -> tuple[Path, Path, Path]:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    config = write_config(
        tmp_path / "config.toml", {"email": email_table(port), "watch": {**FAST, **watch}}
    )
    return inbox, out, config


def _assert_one_run_with_targets(out: Path, smtp: Any) -> Path:
    (run,) = run_folders(out)
    metrics = json.loads((run / "metrics.json").read_text())
    head = metrics["headline"]
    want = Q3["company"]
    assert (head["won_opportunities"], head["won_amount"], head["target"]) == (
        want["won"],
        want["amount"],
        want["target"],
    )
    segments = metrics["briefings"]["segments"]
    assert sorted(segments) == ["East", "West"]  # the reps file gave every deal a region
    assert segments["West"]["headline"]["target"] == Q3["West"]["target"]
    assert segments["East"]["headline"]["target"] == Q3["East"]["target"]
    (west,) = smtp.to(WEST)
    (east,) = smtp.to(EAST)
    assert attachment_names(west) == ["West.pdf"]
    assert attachment_names(east) == ["East.pdf"]
    assert len(smtp.received) == 2
    return run


@pytest.mark.slow
def test_export_targets_and_reps_dropped_together_are_one_run(tmp_path, mail):
    smtp = mail
    inbox, out, config = _setup(tmp_path, smtp.port)
    write_files(inbox)
    watch_once(inbox, config, out)
    run = _assert_one_run_with_targets(out, smtp)
    assert inbox_names(inbox, "processed") == ["export.csv", "reps.csv", "targets.csv"]
    assert inbox_names(inbox, "failed") == []
    with sqlite3.connect(out / "ledger.sqlite3") as db:
        (row,) = db.execute("SELECT state, run_dir FROM inputs").fetchall()
    assert row == ("sent", str(run))


@pytest.mark.slow
def test_a_folder_dropped_into_the_inbox_is_one_run(tmp_path, mail):
    """An unpacked download: the export at the top, the reference files in a sub-folder.
    Only with reps.csv and targets.csv read from reference/ do the regions and targets
    come out as worked by hand."""
    smtp = mail
    staged = tmp_path / "download" / "september-export"
    _, reps, targets = write_files(staged)
    (staged / "reference").mkdir()
    for f in (reps, targets):
        f.rename(staged / "reference" / f.name)
    inbox, out, config = _setup(tmp_path, smtp.port)
    staged.rename(inbox / "september-export")  # dropped whole, as a file manager moves it
    watch_once(inbox, config, out)
    _assert_one_run_with_targets(out, smtp)
    assert inbox_names(inbox, "processed") == ["september-export"]
    done = inbox / "processed" / "september-export"
    assert sorted(p.relative_to(done).as_posix() for p in done.rglob("*.csv")) == [
        "export.csv",
        "reference/reps.csv",
        "reference/targets.csv",
    ]


@pytest.mark.slow
def test_a_zip_dropped_into_the_inbox_is_one_run(tmp_path, mail):
    smtp = mail
    inbox, out, config = _setup(tmp_path, smtp.port)
    write_zip(inbox / "september.zip")
    watch_once(inbox, config, out)
    _assert_one_run_with_targets(out, smtp)
    assert inbox_names(inbox, "processed") == ["september.zip"]


@pytest.mark.slow
def test_standing_reference_files_are_joined_to_every_drop(tmp_path, mail):
    reference = tmp_path / "reference"
    _, reps, targets = write_files(reference)
    smtp = mail
    inbox, out, config = _setup(tmp_path, smtp.port, include=[str(reps), str(targets)])
    (inbox / "export.csv").write_text(EXPORT, encoding="utf-8")
    watch_once(inbox, config, out)
    _assert_one_run_with_targets(out, smtp)
    assert inbox_names(inbox, "processed") == ["export.csv"]
    assert reps.exists() and targets.exists()  # standing files stay where they are
