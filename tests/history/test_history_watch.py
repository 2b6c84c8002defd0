"""The watcher records every run folder's build into the one store beside its ledger."""

from __future__ import annotations

import os
import time

import pytest

from reporter.cli import cli
from reporter.history.store import HistoryStore

CSV = (
    "Opportunity ID,Owner,Account,Stage,Amount,Created,Close Date\n"
    "W1,Ann,Acme,Closed Won,1000,2026-06-01,2026-07-05\n"
    "W2,Bob,Beta,Closed Lost,200,2026-06-01,2026-08-05\n"
)


@pytest.mark.slow
def test_watch_records_into_the_store_beside_the_ledger(runner, tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    dropped = inbox / "crm.csv"
    dropped.write_text(CSV)
    past = time.time() - 3600  # long finished arriving
    os.utime(dropped, (past, past))
    config = tmp_path / "config.toml"
    config.write_text("[watch]\nsettle_seconds = 0.2\npoll_interval = 0.05\n")
    result = runner.invoke(
        cli, ["watch", str(inbox), "--out", str(out), "--config", str(config), "--once"]
    )
    assert result.exit_code == 0, result.output
    (run_dir,) = (out / "runs").iterdir()
    assert not (run_dir / "history.sqlite3").exists()
    with HistoryStore(out / "history.sqlite3") as store:
        (run,) = store.runs()
        assert (run.source, run.period, run.deals) == ("watch", "FY2026 Q3", 2)
        assert [i["sha256"] for i in run.inputs] != []
    # `reporter close` given the watcher's --out finds the same store.
    closed = runner.invoke(cli, ["close", "FY2026Q3", "--out", str(out), "--config", str(config)])
    assert closed.exit_code == 0, closed.output
    assert "1 won opportunities, won amount 1,000.00" in closed.output
    # The data stop on 2026-08-05, before Q3 ends: closing says it freezes a quarter to date.
    assert "reach only 2026-08-05, before FY2026 Q3 ends on 2026-09-30" in closed.output
