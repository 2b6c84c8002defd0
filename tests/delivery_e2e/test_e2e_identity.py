"""Run identity: inputs + period + the config behind the figures; never the same run twice."""

from __future__ import annotations

import pytest
from e2e_support import (
    EAST,
    WEST,
    Smtp,
    email_table,
    inbox_names,
    reporter,
    watch_once,
    write_config,
    write_files,
)


def _build_send(files, config, out, *extra):
    result = reporter("build", *files, "--config", config, "--out", out, "--send", *extra)
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_build_send_twice_sends_once_and_another_period_sends_again(tmp_path):
    files = write_files(tmp_path / "drop")
    out = tmp_path / "out"
    with Smtp() as smtp:
        config = write_config(tmp_path / "config.toml", {"email": email_table(smtp.port)})
        _build_send(files, config, out)
        again = _build_send(files, config, out)
        assert len(smtp.received) == 2
        assert "already sent" in again.stdout
        _build_send(files, config, out, "--period", "FY2026Q2")
        west = smtp.to(WEST)
        assert len(west) == 2 and len(smtp.to(EAST)) == 2
        assert ["FY2026 Q3" in str(m["Subject"]) for m in west] == [True, False]
        assert "FY2026 Q2" in str(west[1]["Subject"])


@pytest.mark.slow
def test_a_corrected_config_is_a_new_run_a_new_address_is_not(tmp_path):
    files = write_files(tmp_path / "drop")
    out = tmp_path / "out"
    with Smtp() as smtp:
        tables = {"email": email_table(smtp.port)}
        config = write_config(tmp_path / "config.toml", tables)
        _build_send(files, config, out)
        # Only who receives it changed: the same run, so nothing is sent again.
        moved = write_config(
            tmp_path / "other.toml",
            {**tables, "briefings": {"by": "region"}, "watch": {"settle_seconds": 1.0}},
        )
        _build_send(files, moved, out)
        assert len(smtp.received) == 2
        # A figure-affecting setting changed: a new run, sent again.
        corrected = write_config(tmp_path / "fixed.toml", {**tables, "win_rate": {"min_closed": 2}})
        _build_send(files, corrected, out)
        assert len(smtp.to(WEST)) == 2 and len(smtp.to(EAST)) == 2


@pytest.mark.slow
def test_an_identical_drop_is_recognised_and_sends_nothing(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    with Smtp() as smtp:
        config = write_config(
            tmp_path / "config.toml",
            {
                "email": email_table(smtp.port),
                "watch": {"settle_seconds": 0.3, "poll_interval": 0.05},
            },
        )
        write_files(inbox)
        watch_once(inbox, config, out)
        write_files(inbox)  # the same three files again, as a colleague might
        second = watch_once(inbox, config, out)
    assert len(smtp.received) == 2
    assert "already processed" in second.stderr
    assert len(inbox_names(inbox, "processed")) == 6  # the second copies get -2 names
