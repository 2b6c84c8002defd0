"""The delivery ledger: one SQLite file recording every input and every message.

It is what makes the watcher safe to kill: an input is known by its run identity (see
:mod:`reporter.deliver.identity`), so a re-dropped or re-scanned file is never built
twice, and a message row is written *before* the SMTP conversation starts (queued →
sending → sent/failed), so a crash in the middle leaves a ``sending`` row that the next
start turns into ``unknown`` — a decision for a person, never an automatic resend.

Ledgers written before run identity keyed an input by its file's SHA-256 alone. The first
open after the upgrade marks those rows (``legacy_inputs``; ``PRAGMA user_version`` 2), and
the watcher still recognises a file it processed then (:meth:`Ledger.legacy_input`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reporter.config import Config
from reporter.errors import DeliveryError

INPUT_STATES = ("queued", "building", "built", "sending", "sent", "failed")
MESSAGE_STATES = ("queued", "sending", "sent", "failed", "unknown")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS inputs (
    sha256     TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN {INPUT_STATES!r}),
    error      TEXT,
    run_dir    TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id         INTEGER PRIMARY KEY,
    run        TEXT NOT NULL REFERENCES inputs (sha256),
    segment    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    message_id TEXT NOT NULL,
    transport  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN {MESSAGE_STATES!r}),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    location   TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at    TEXT,
    UNIQUE (run, recipient, segment)
);
CREATE INDEX IF NOT EXISTS messages_status ON messages (status);
CREATE INDEX IF NOT EXISTS inputs_updated ON inputs (updated_at);
CREATE TABLE IF NOT EXISTS legacy_inputs (sha256 TEXT PRIMARY KEY REFERENCES inputs (sha256));
CREATE TABLE IF NOT EXISTS holds (
    run         TEXT PRIMARY KEY REFERENCES inputs (sha256),
    reasons     TEXT NOT NULL,
    held_at     TEXT NOT NULL,
    approved_at TEXT
);
"""


# PRAGMA user_version of the current layout: 2 = run identity, holds, legacy rows marked.
LEDGER_VERSION = 2


def _migrate(db: sqlite3.Connection) -> None:
    """Bring an older ledger to :data:`LEDGER_VERSION` (one transaction, once).

    A ledger from before run identity has an ``inputs`` table and no ``holds`` table; its
    inputs are keyed by the file's SHA-256, so they are recorded as legacy rows.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        if int(db.execute("PRAGMA user_version").fetchone()[0]) < LEDGER_VERSION:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            db.execute(
                "CREATE TABLE IF NOT EXISTS legacy_inputs"
                " (sha256 TEXT PRIMARY KEY REFERENCES inputs (sha256))"
            )
            if "inputs" in tables and "holds" not in tables:
                db.execute("INSERT OR IGNORE INTO legacy_inputs SELECT sha256 FROM inputs")
            db.execute(f"PRAGMA user_version = {LEDGER_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class InputRow:
    """One input as the ledger knows it."""

    sha256: str
    name: str
    state: str
    error: str | None
    run_dir: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class MessageRow:
    """One (run, segment, recipient) message as the ledger knows it."""

    id: int
    run: str
    segment: str
    recipient: str
    message_id: str
    transport: str
    status: str
    attempts: int
    last_error: str | None
    location: str | None
    created_at: str
    updated_at: str
    sent_at: str | None


class Ledger:
    """A connection to the ledger file. Use as a context manager, or call :meth:`close`.

    Every method commits before it returns (autocommit, ``synchronous=FULL``), so the
    state on disk is never behind what this process has done.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=30000")
            _migrate(self._db)
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise DeliveryError(
                f"ledger {self.path} cannot be opened: {exc}",
                hint="check the folder exists and is writable, or set `ledger` in config.toml",
            ) from None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        self._db.close()

    # inputs -------------------------------------------------------------------------

    def get_input(self, sha256: str) -> InputRow | None:
        """The input with this content hash, or None if never seen."""
        row = self._db.execute("SELECT * FROM inputs WHERE sha256 = ?", (sha256,)).fetchone()
        return InputRow(**dict(row)) if row else None

    def legacy_input(self, file_sha256: str) -> InputRow | None:
        """The input a ledger from before run identity recorded for this one file, or None."""
        row = self._db.execute(
            "SELECT i.* FROM inputs i JOIN legacy_inputs l ON l.sha256 = i.sha256"
            " WHERE i.sha256 = ?",
            (file_sha256,),
        ).fetchone()
        return InputRow(**dict(row)) if row else None

    def upsert_input(self, sha256: str, name: str, state: str, run_dir: str | None = None) -> None:
        """Record an input (new, or seen again) in ``state``; clears any earlier error."""
        _check(state, INPUT_STATES)
        now = _now()
        self._db.execute(
            "INSERT INTO inputs (sha256, name, state, run_dir, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (sha256) DO UPDATE SET name = excluded.name, state = excluded.state,"
            " run_dir = COALESCE(excluded.run_dir, inputs.run_dir), error = NULL,"
            " updated_at = excluded.updated_at",
            (sha256, name, state, run_dir, now, now),
        )

    def set_input_state(
        self, sha256: str, state: str, *, error: str | None = None, run_dir: str | None = None
    ) -> None:
        """Move an input to ``state`` (``error`` replaces the stored one; None clears it)."""
        _check(state, INPUT_STATES)
        self._db.execute(
            "UPDATE inputs SET state = ?, error = ?, run_dir = COALESCE(?, run_dir),"
            " updated_at = ? WHERE sha256 = ?",
            (state, error, run_dir, _now(), sha256),
        )

    def delete_input(self, sha256: str) -> None:
        """Forget an input that has no messages (a partial copy whose hash will not recur)."""
        self._db.execute(
            "DELETE FROM inputs WHERE sha256 = ?"
            " AND NOT EXISTS (SELECT 1 FROM messages WHERE run = ?)",
            (sha256, sha256),
        )

    def inputs(self, states: tuple[str, ...] = INPUT_STATES, limit: int = 1000) -> list[InputRow]:
        """Inputs in any of ``states``, most recently changed first."""
        marks = ",".join("?" * len(states))
        rows = self._db.execute(
            f"SELECT * FROM inputs WHERE state IN ({marks}) ORDER BY updated_at DESC, rowid DESC"
            " LIMIT ?",
            (*states, limit),
        )
        return [InputRow(**dict(r)) for r in rows]

    # messages -----------------------------------------------------------------------

    def add_message(
        self, run: str, segment: str, recipient: str, message_id: str, transport: str
    ) -> MessageRow:
        """Queue a message unless it already exists; return the (possibly older) row."""
        now = _now()
        self._db.execute(
            "INSERT INTO messages (run, segment, recipient, message_id, transport, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)"
            " ON CONFLICT (run, recipient, segment) DO NOTHING",
            (run, segment, recipient, message_id, transport, now, now),
        )
        row = self._db.execute(
            "SELECT * FROM messages WHERE run = ? AND recipient = ? AND segment = ?",
            (run, recipient, segment),
        ).fetchone()
        return MessageRow(**dict(row))

    def mark_sending(self, message: int, transport: str) -> None:
        """Written and committed *before* the message leaves: a crash now means unknown."""
        self._db.execute(
            "UPDATE messages SET status = 'sending', transport = ?, attempts = attempts + 1,"
            " updated_at = ? WHERE id = ?",
            (transport, _now(), message),
        )

    def mark_sent(self, message: int, location: str | None = None) -> None:
        """The server (or the outbox folder) accepted the message."""
        now = _now()
        self._db.execute(
            "UPDATE messages SET status = 'sent', last_error = NULL, location = ?,"
            " sent_at = ?, updated_at = ? WHERE id = ?",
            (location, now, now, message),
        )

    def mark(self, message: int, status: str, error: str | None) -> None:
        """Set a message to ``queued``, ``failed`` or ``unknown`` with the reason."""
        _check(status, MESSAGE_STATES)
        self._db.execute(
            "UPDATE messages SET status = ?, last_error = ?, updated_at = ? WHERE id = ?",
            (status, error, _now(), message),
        )

    def messages(self, run: str | None = None, status: str | None = None) -> list[MessageRow]:
        """Messages of one run and/or in one status, oldest first."""
        clauses, args = [], []
        if run is not None:
            clauses.append("run = ?")
            args.append(run)
        if status is not None:
            clauses.append("status = ?")
            args.append(status)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(f"SELECT * FROM messages{where} ORDER BY id", args)
        return [MessageRow(**dict(r)) for r in rows]

    # holds ---------------------------------------------------------------------------

    def hold(self, run: str, reasons: str) -> HoldRow:
        """Record that ``run`` is held (once; an existing hold or approval is kept)."""
        self._db.execute(
            "INSERT INTO holds (run, reasons, held_at) VALUES (?, ?, ?)"
            " ON CONFLICT (run) DO NOTHING",
            (run, reasons, _now()),
        )
        held = self.get_hold(run)
        assert held is not None
        return held

    def get_hold(self, run: str) -> HoldRow | None:
        """The hold on ``run``, or None if it was never held."""
        row = self._db.execute("SELECT * FROM holds WHERE run = ?", (run,)).fetchone()
        return HoldRow(**dict(row)) if row else None

    def approve(self, run: str) -> None:
        """A person released ``run``: it is sent like any other from now on."""
        self._db.execute(
            "INSERT INTO holds (run, reasons, held_at, approved_at) VALUES (?, '', ?, ?)"
            " ON CONFLICT (run) DO UPDATE SET approved_at ="
            " COALESCE(holds.approved_at, excluded.approved_at)",
            (run, _now(), _now()),
        )

    def holds(self) -> list[HoldRow]:
        """Every run still waiting for approval, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM holds WHERE approved_at IS NULL ORDER BY held_at, run"
        )
        return [HoldRow(**dict(r)) for r in rows]

    def interrupted_to_unknown(self) -> list[MessageRow]:
        """After a crash: every ``sending`` message becomes ``unknown``; returns them.

        The server may or may not have accepted these, so they are never resent
        automatically (``reporter send RUN_DIR --resend-unknown`` decides).
        """
        stuck = self.messages(status="sending")
        for m in stuck:
            self.mark(
                m.id,
                "unknown",
                "interrupted while sending: the recipient may or may not have it",
            )
        return stuck


@dataclass(frozen=True)
class HoldRow:
    """A run held before sending, and when (if ever) a person released it."""

    run: str
    reasons: str
    held_at: str
    approved_at: str | None


def _check(value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"state {value!r} is not one of {allowed}")


def ledger_path(config: Config, out_dir: Path) -> Path:
    """``ledger`` from config (relative = inside ``out_dir``), default ``<out>/ledger.sqlite3``."""
    path = Path(config.ledger or "ledger.sqlite3").expanduser()
    return path if path.is_absolute() else Path(out_dir) / path
