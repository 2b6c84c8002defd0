"""Hold before sending: a risk to bonus figures stops delivery until someone approves."""

from __future__ import annotations

import sqlite3

import e2e_support
import pytest
from e2e_support import (
    CEO,
    EAST,
    EXPORT,
    FINANCE,
    OPS,
    QUARANTINED_WIN,
    WEST,
    audiences,
    bodies,
    email_table,
    reporter,
    run_folders,
    watch_once,
    write_config,
    write_files,
)

# The shared loopback SMTP server (e2e_support): one for the session, emptied per test.
mail_server, mail = e2e_support.mail_server, e2e_support.mail


@pytest.mark.slow
def test_a_held_run_sends_nothing_until_approved(tmp_path, mail):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    smtp = mail
    config = write_config(
        tmp_path / "config.toml",
        {
            "email": email_table(smtp.port),
            "delivery": audiences(),
            "watch": {"settle_seconds": 0.3, "poll_interval": 0.05},
        },
    )
    write_files(inbox, export=EXPORT + QUARANTINED_WIN)
    watch_once(inbox, config, out)
    # Held by default: a won deal was quarantined, so a bonus may be short.
    (notice,) = smtp.to(OPS)
    plain, _ = bodies(notice)
    assert "on hold" in plain.lower() and "export.csv:11" in plain  # O10, the 10th data row
    assert "--approve" in plain
    assert [m["To"] for m in smtp.received] == [OPS]
    (run,) = run_folders(out)

    refused = reporter("send", run, "--config", config)
    assert refused.returncode == 4
    assert "on hold" in (refused.stdout + refused.stderr).lower()
    status = reporter("status", "--config", config, "--out", out)
    assert status.returncode == 4 and "held" in status.stdout
    assert len(smtp.received) == 1

    approved = reporter("send", run, "--config", config, "--approve")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    for address in (WEST, EAST, FINANCE, CEO):
        assert len(smtp.to(address)) == 1, address
    assert len(smtp.to(OPS)) == 2  # the hold notice, then the data-quality summary
    count = len(smtp.received)
    reporter("send", run, "--config", config, "--approve")
    assert len(smtp.received) == count
    with sqlite3.connect(out / "ledger.sqlite3") as db:
        (state,) = db.execute("SELECT state FROM inputs").fetchone()
    assert state == "sent"


@pytest.mark.slow
def test_holds_can_be_switched_off(tmp_path, mail):
    files = write_files(tmp_path / "drop", export=EXPORT + QUARANTINED_WIN)
    smtp = mail
    config = write_config(
        tmp_path / "config.toml",
        {"email": email_table(smtp.port), "delivery": {"hold_when": []}},
    )
    result = reporter("build", *files, "--config", config, "--out", tmp_path / "out", "--send")
    assert result.returncode == 0, result.stderr
    assert len(smtp.to(WEST)) == 1 and len(smtp.to(EAST)) == 1
