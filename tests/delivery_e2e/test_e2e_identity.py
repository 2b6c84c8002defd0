"""Run identity: inputs + period + the config behind the figures; never the same run twice."""

from __future__ import annotations

import e2e_support
import pytest
from e2e_support import (
    EAST,
    WEST,
    email_table,
    inbox_names,
    reporter,
    watch_once,
    write_config,
    write_files,
)

# The shared loopback SMTP server (e2e_support): one for the session, emptied per test.
mail_server, mail = e2e_support.mail_server, e2e_support.mail


def _build_send(files, config, out, *extra):
    result = reporter("build", *files, "--config", config, "--out", out, "--send", *extra)
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_the_same_run_sends_once_and_a_new_run_sends_again(tmp_path, mail):
    """One out folder, five builds of the same three files (each step says what the ledger
    must make of it): the same run is never sent twice, a new one always is."""
    files = write_files(tmp_path / "drop")
    out = tmp_path / "out"
    tables = {"email": email_table(mail.port)}
    config = write_config(tmp_path / "config.toml", tables)
    _build_send(files, config, out)
    assert len(mail.received) == 2  # West and East

    # The latest quarter asked for by name is the same run as "latest": nothing is sent.
    again = _build_send(files, config, out, "--period", "FY2026Q3")
    assert len(mail.received) == 2
    assert "already sent" in again.stdout

    # Only who receives it or how changed: the same run, so nothing is sent again.
    moved = write_config(
        tmp_path / "other.toml",
        {**tables, "briefings": {"by": "region"}, "watch": {"settle_seconds": 1.0}},
    )
    _build_send(files, moved, out)
    assert len(mail.received) == 2

    # A figure-affecting setting changed: a new run, sent again.
    corrected = write_config(tmp_path / "fixed.toml", {**tables, "win_rate": {"min_closed": 2}})
    _build_send(files, corrected, out)
    assert len(mail.to(WEST)) == 2 and len(mail.to(EAST)) == 2

    # Another period: a new run, sent again, and its messages say which quarter.
    _build_send(files, config, out, "--period", "FY2026Q2")
    west = mail.to(WEST)
    assert len(west) == 3 and len(mail.to(EAST)) == 3
    assert ["FY2026 Q3" in str(m["Subject"]) for m in west] == [True, True, False]
    assert "FY2026 Q2" in str(west[2]["Subject"])


@pytest.mark.slow
def test_an_identical_drop_is_recognised_and_sends_nothing(tmp_path, mail):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    config = write_config(
        tmp_path / "config.toml",
        {
            "email": email_table(mail.port),
            "watch": {"settle_seconds": 0.3, "poll_interval": 0.05},
        },
    )
    write_files(inbox)
    watch_once(inbox, config, out)
    write_files(inbox)  # the same three files again, as a colleague might
    second = watch_once(inbox, config, out)
    assert len(mail.received) == 2
    assert "already processed" in second.stderr
    assert len(inbox_names(inbox, "processed")) == 6  # the second copies get -2 names
