"""A run's identity: the period asked for, normalised, and the ledger of an older version."""

from __future__ import annotations

import sqlite3

from reporter.config import from_mapping
from reporter.deliver.identity import LATEST, period_key, run_id
from reporter.deliver.ledger import LEDGER_VERSION, Ledger
from reporter.deliver.watch import watch
from reporter.deliver.watch.inbox import sha256_file
from support.deliver_helpers import MANAGERS, builds, email_config, make_build, write_workbook

HASHES = ["a" * 64, "b" * 64]
CONFIG = from_mapping({})


def test_asking_for_the_latest_quarter_by_name_is_the_same_run_as_latest():
    latest = "FY2026 Q3"
    assert period_key("FY2026Q3", CONFIG, latest) == LATEST
    assert period_key("fy26 q3", CONFIG, latest) == LATEST  # any spelling of that quarter
    assert run_id(HASHES, "FY2026Q3", CONFIG, latest) == run_id(HASHES, None, CONFIG)
    # Another quarter is another run; so is a named quarter when "latest" is not known.
    assert period_key("FY2026Q2", CONFIG, latest) == "FY2026 Q2"
    assert run_id(HASHES, "FY2026Q2", CONFIG, latest) != run_id(HASHES, None, CONFIG)
    assert run_id(HASHES, "FY2026Q3", CONFIG) != run_id(HASHES, None, CONFIG)


# The ledger as versions before run identity created it (inputs keyed by the file's hash,
# no holds table), copied from that version's ledger.py.
OLD_SCHEMA = """
CREATE TABLE inputs (
    sha256 TEXT PRIMARY KEY, name TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'building', 'built', 'sending', 'sent',
        'failed')),
    error TEXT, run_dir TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY, run TEXT NOT NULL REFERENCES inputs (sha256),
    segment TEXT NOT NULL, recipient TEXT NOT NULL, message_id TEXT NOT NULL,
    transport TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'unknown')),
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, location TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, sent_at TEXT,
    UNIQUE (run, recipient, segment)
);
CREATE INDEX messages_status ON messages (status);
CREATE INDEX inputs_updated ON inputs (updated_at);
"""


def _old_ledger(path, sha, name, run_dir):
    """An upgraded user's ledger: ``name`` was built and sent to every manager."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        when = "2026-10-05T07:00:00+00:00"
        db.execute(
            "INSERT INTO inputs VALUES (?, ?, 'sent', NULL, ?, ?, ?)",
            (sha, name, str(run_dir), when, when),
        )
        for n, (segment, (_, address)) in enumerate(MANAGERS.items()):
            db.execute(
                "INSERT INTO messages (run, segment, recipient, message_id, transport, status,"
                " attempts, created_at, updated_at, sent_at)"
                " VALUES (?, ?, ?, ?, 'smtp', 'sent', 1, ?, ?, ?)",
                (sha, segment, address, f"<{n}@reporter>", when, when, when),
            )
    db.close()


def test_a_file_sent_before_the_upgrade_is_not_sent_again(tmp_path, smtp):
    inbox, out, work = tmp_path / "inbox", tmp_path / "out", tmp_path / "work"
    inbox.mkdir()
    work.mkdir()
    team = write_workbook(work / "team.xlsx")
    _old_ledger(out / "ledger.sqlite3", sha256_file(team), "team.xlsx", out / "runs" / "team-1")
    (inbox / "team.xlsx").write_bytes(team.read_bytes())
    config = from_mapping(
        {"email": email_config(smtp.port), "watch": {"settle_seconds": 0.3, "poll_interval": 0.05}}
    )
    stats = watch(inbox, config, out, build=make_build(work), once=True)
    assert (stats.duplicates, stats.built) == (1, 0)
    assert builds(work) == [] and smtp.handler.received == []
    assert (inbox / "processed" / "team.xlsx").exists()
    # The upgraded ledger goes on as usual: a file never seen is built and sent.
    write_workbook(inbox / "october.xlsx", regions=("West",))
    stats = watch(inbox, config, out, build=make_build(work), once=True)
    assert (stats.duplicates, stats.built) == (0, 1)
    assert builds(work) == ["october.xlsx"]
    assert len(smtp.handler.received) == len(smtp.handler.to(MANAGERS["West"][1])) == 1
    with sqlite3.connect(out / "ledger.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == LEDGER_VERSION
        assert db.execute("SELECT count(*) FROM legacy_inputs").fetchone()[0] == 1
    db.close()


def test_a_ledger_of_this_version_has_no_legacy_rows(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path) as ledger:
        ledger.upsert_input("c" * 64, "export.csv", "sent", run_dir=str(tmp_path))
    with Ledger(path) as ledger:  # opened again: nothing to migrate
        assert ledger.legacy_input("c" * 64) is None
        assert ledger.get_input("c" * 64) is not None
