"""`reporter close` refuses a quarter still running; the quarter-close commands never create
a store in a folder that does not hold one (real SQLite files, the CLI in-process)."""

from __future__ import annotations

from datetime import date

import pytest
from history_helpers import deal

from reporter.cli import cli
from reporter.history.figures import Figure
from reporter.history.store import HistoryStore
from reporter.quarters import quarter_of

RUNNING = quarter_of(date.today())  # calendar quarters: the default fiscal year


def _store_with_running_quarter(out):
    day = RUNNING.start.isoformat()  # before the quarter ends, whatever today is
    with HistoryStore(out / "history.sqlite3") as store:
        store.record_run(
            deals=[deal("R1", "Ann", amount=500.0, close=day)],
            figures=[
                Figure(RUNNING.label, "rep", "Ann", "won_opportunities", 1.0),
                Figure(RUNNING.label, "rep", "Ann", "won_amount", 500.0),
            ],
            inputs=[],
            config={},
            period=RUNNING.label,
        )


def _closed(out):
    with HistoryStore(out / "history.sqlite3") as store:
        return [c.quarter for c in store.closed_quarters()]


def test_a_quarter_still_running_is_refused_without_to_date(runner, tmp_path):
    out = tmp_path / "out"
    _store_with_running_quarter(out)
    refused = runner.invoke(cli, ["close", RUNNING.key, "--out", str(out)])
    assert refused.exit_code == 2
    assert f"{RUNNING.label} is still running (it ends on {RUNNING.end.isoformat()}" in (
        refused.output
    )
    assert f"reporter close {RUNNING.key} --to-date --out {out}" in refused.output
    assert "Traceback" not in refused.output
    assert _closed(out) == []  # nothing frozen

    advance = runner.invoke(cli, ["close", RUNNING.key, "--to-date", "--out", str(out)])
    assert advance.exit_code == 0, advance.output
    assert f"Closed {RUNNING.label}" in advance.output
    assert "this freezes a quarter to date" in advance.output  # the data stop early
    assert _closed(out) == [RUNNING.label]


def test_a_quarter_that_has_ended_is_closed_without_the_flag(runner, tmp_path):
    out = tmp_path / "out"
    ended = RUNNING.previous()
    with HistoryStore(out / "history.sqlite3") as store:
        store.record_run(
            deals=[deal("E1", "Ann", amount=700.0, close=ended.end.isoformat())],
            figures=[Figure(ended.label, "rep", "Ann", "won_amount", 700.0)],
            inputs=[],
            config={},
            period=ended.label,
        )
    done = runner.invoke(cli, ["close", ended.key, "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "Warning" not in done.output  # the data reach the quarter's last day
    assert _closed(out) == [ended.label]


@pytest.mark.parametrize(
    "args",
    [
        ["close", "FY2026Q3"],
        ["reopen", "FY2026Q3", "--reason", "typo"],
        ["history"],
        ["statements", "FY2026Q3"],
    ],
)
def test_a_missing_out_folder_is_named_and_never_created(runner, tmp_path, args):
    missing = tmp_path / "q3-typo"
    result = runner.invoke(cli, [*args, "--out", str(missing)])
    assert result.exit_code == 2, result.output
    assert f"no history store at {missing / 'history.sqlite3'}" in result.output
    assert f"the folder {missing} does not exist" in result.output
    assert "give the same --out" in result.output
    assert not missing.exists()


def test_a_folder_without_a_store_is_named_and_left_as_it_is(runner, tmp_path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    result = runner.invoke(cli, ["history", "--out", str(folder)])
    assert result.exit_code == 2
    assert f"{folder} holds no history.sqlite3" in result.output
    assert list(folder.iterdir()) == []
