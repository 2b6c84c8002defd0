"""The history store on real SQLite files: dedup, closing, frozen figures, two writers."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest
from history_helpers import deal

from reporter.history.figures import Figure
from reporter.history.store import SCHEMA_VERSION, HistoryError, HistoryStore

Q3 = "FY2026 Q3"


def figures(amount, won=1.0, quarter=Q3):
    return [
        Figure(quarter, "rep", "Ann", "won_opportunities", won),
        Figure(quarter, "rep", "Ann", "won_amount", amount),
        Figure(quarter, "rep", "Ann", "lost_opportunities", 0.0),
        Figure(quarter, "all", "All", "won_customers", 1.0),
        Figure("FY2026 Q4", "rep", "Ann", "won_amount", None),
    ]


def record(store, deals, amount=100.0, source="build"):
    return store.record_run(
        deals=deals,
        figures=figures(amount),
        inputs=[{"path": "crm.xlsx", "sha256": "ab" * 32, "rows": len(deals)}],
        config={"win_rate": {"mode": "snapshot"}},
        period=Q3,
        source=source,
    )


def test_a_run_reads_back_its_deals_figures_and_inputs(tmp_path):
    deals = [deal("A1", "Ann", amount=100.0, account="X", new=True), deal("B1", "Bob")]
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        run = record(store, deals)
        assert {d.opportunity_id: d for d in store.deals(run)} == {
            d.opportunity_id: d for d in deals
        }
        assert store.figures(run, Q3) == figures(100.0)[:4]
        assert store.figures(run, "FY2026 Q4")[0].value is None
        got = store.run(run)
        assert got is not None
        assert (got.period, got.deals, got.inputs[0]["path"]) == (Q3, 2, "crm.xlsx")
    with sqlite3.connect(tmp_path / "history.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version[0] == str(SCHEMA_VERSION)


def test_deals_are_stored_once_however_many_runs_see_them(tmp_path):
    deals = [deal(f"D{i}", "Ann", amount=float(i)) for i in range(500)]
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        for _ in range(3):
            record(store, deals)
        assert store.size()["deal_versions"] == 500
        assert store.size()["deal_sets"] == 1
        # One deal edited: one more version and one more set, nothing else.
        edited = [*deals[:-1], deal("D499", "Ann", amount=1.0)]
        run = record(store, edited)
        assert store.size() == {
            "runs": 4,
            "deal_versions": 501,
            "deal_sets": 2,
            "figures": 20,
            "closed_quarters": 0,
        }
        assert {d.opportunity_id: d.amount for d in store.deals(run)}["D499"] == 1.0
        assert {d.opportunity_id: d.amount for d in store.deals(run - 1)}["D499"] == 499.0


def test_deals_for_one_quarter_are_the_won_ones_in_it_plus_those_asked_for(tmp_path):
    deals = [
        deal("IN", "Ann", close="2026-09-30"),
        deal("OUT", "Ann", close="2026-10-01"),
        deal("OPEN", "Ann", outcome="open", close="2026-08-01"),
        deal("ASKED", "Ann", outcome="lost", close="2026-12-01"),
    ]
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        run = record(store, deals)
        got = store.deals(run, "2026-07-01", "2026-09-30", ids=["ASKED"])
        assert sorted(d.opportunity_id for d in got) == ["ASKED", "IN"]


def test_a_closed_quarter_reads_back_identical_after_later_runs(tmp_path):
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        first = record(store, [deal("A1", "Ann", amount=100.0)])
        closing = store.close_quarter(Q3, "2026-07-01", "2026-09-30", closed_by="finance")
        assert (closing.run, closing.closed_by, closing.active) == (first, "finance", True)
        assert [f.value for f in closing.figures] == [1.0, 100.0, 0.0, 1.0]
    for amount in (250.0, 999.0):
        with HistoryStore(path) as store:
            record(store, [deal("A1", "Ann", amount=amount)], amount=amount)
    with HistoryStore(path) as store:
        again = store.closed(Q3)
        assert again == closing
        assert {d.amount for d in store.deals(again.run)} == {100.0}
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError, match="frozen"):
        db.execute("UPDATE closed_quarters SET figures = '[]'")
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError, match="cannot be"):
        db.execute("UPDATE deal_versions SET amount = 1")


def test_close_reopen_and_close_again(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        with pytest.raises(HistoryError, match="no build is recorded"):
            store.close_quarter(Q3, "2026-07-01", "2026-09-30")
        record(store, [deal("A1", "Ann")])
        with pytest.raises(HistoryError, match="no figures for FY2025 Q1"):
            store.close_quarter("FY2025 Q1", "2025-01-01", "2025-03-31")
        store.close_quarter(Q3, "2026-07-01", "2026-09-30", closed_by="ana")
        with pytest.raises(HistoryError, match=r"already closed \(by ana") as err:
            store.close_quarter(Q3, "2026-07-01", "2026-09-30")
        assert "reporter reopen FY2026Q3" in (err.value.hint or "")
        with pytest.raises(HistoryError, match="needs a reason"):
            store.reopen(Q3, "  ")
        reopened = store.reopen(Q3, "deal 42 was booked twice", by="ana")
        assert (reopened.reason, reopened.reopened_by, reopened.active) == (
            "deal 42 was booked twice",
            "ana",
            False,
        )
        assert store.closed(Q3) is None
        with pytest.raises(HistoryError, match="is not closed"):
            store.reopen(Q3, "again")
        record(store, [deal("A1", "Ann", amount=5.0)], amount=5.0)
        second = store.close_quarter(Q3, "2026-07-01", "2026-09-30")
        assert [f.value for f in second.figures if f.figure == "won_amount"] == [5.0]
        history = store.closed_quarters(include_reopened=True)
        assert [(c.id, c.active) for c in history] == [(1, False), (second.id, True)]
        assert store.closed_quarters() == [second]


def test_a_store_from_a_newer_reporter_is_refused(tmp_path):
    path = tmp_path / "h.sqlite3"
    HistoryStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION + 1,))
    with pytest.raises(HistoryError, match="newer reporter"):
        HistoryStore(path)


def test_an_unwritable_place_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HistoryError, match="cannot be opened"):
        HistoryStore(blocker / "h.sqlite3")


def _writer(path, tag, runs, ready):
    ready.wait()
    with HistoryStore(path) as store:
        for n in range(runs):
            # Half the deals are shared by both writers, half are this writer's own.
            deals = [deal(f"S{i}", "Ann", amount=float(i)) for i in range(300)] + [
                deal(f"{tag}{i}", "Bob", amount=float(n)) for i in range(300)
            ]
            record(store, deals, amount=float(n), source=tag)


@pytest.mark.slow
def test_two_processes_recording_at_once_leave_a_sound_store(tmp_path):
    path = tmp_path / "h.sqlite3"
    HistoryStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(path, tag, 15, ready)) for tag in ("P", "Q")]
    for p in procs:
        p.start()
    ready.set()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with HistoryStore(path) as store:
        runs = store.runs(limit=100)
        assert len(runs) == 30
        # 300 shared deals once, then per writer 300 own deals × 15 amounts.
        assert store.size()["deal_versions"] == 300 + 2 * 300 * 15
        for run in runs:
            got = store.deals(run.id)
            assert len(got) == 600
            own = {d.amount for d in got if d.rep == "Bob"}
            assert len(own) == 1
            assert own == {store.figures(run.id, Q3)[1].value}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
