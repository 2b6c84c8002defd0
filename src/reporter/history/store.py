"""The history store: one SQLite file of runs, deals, figures and closed quarters.

Compact by design: a deal is stored once per distinct content (``deal_versions``, keyed by
its 16-byte content hash), and a run points at a *deal set* (``deal_sets``: the sorted
version ids, delta-encoded and zlib-compressed, itself deduplicated by hash), so a build of
the same 100k deals again adds one run row, its figures and nothing else, and a later export
adds only the deals that changed.

Safe with several processes: WAL journal, a 30 s busy timeout, and every write in one
``BEGIN IMMEDIATE`` transaction. Frozen figures cannot be updated (SQLite triggers refuse
it), and deal versions and deal sets are never changed, so a closed quarter reads back
identical after any number of later runs. ``meta.schema_version`` names the layout.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import numpy as np

from reporter.errors import ReporterError
from reporter.gc_pause import paused_gc
from reporter.history.deals import Deal, DealTable
from reporter.history.figures import Figure

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deal_versions (
    id             INTEGER PRIMARY KEY,
    hash           BLOB NOT NULL UNIQUE,
    opportunity_id TEXT NOT NULL,
    rep            TEXT,
    account        TEXT,
    outcome        TEXT NOT NULL,
    amount         REAL,
    close_date     TEXT,
    created_date   TEXT,
    new_customer   INTEGER NOT NULL,
    segment        TEXT
);
CREATE TABLE IF NOT EXISTS deal_sets (
    id       INTEGER PRIMARY KEY,
    hash     BLOB NOT NULL UNIQUE,
    deals    INTEGER NOT NULL,
    versions BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY,
    started       TEXT NOT NULL,
    recorded      TEXT NOT NULL,
    source        TEXT NOT NULL,
    period        TEXT,
    out_dir       TEXT,
    inputs        TEXT NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    config        TEXT NOT NULL,
    config_sha256 TEXT NOT NULL,
    deal_set      INTEGER NOT NULL REFERENCES deal_sets (id),
    deals         INTEGER NOT NULL,
    currency      TEXT,
    restatements  TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS figures (
    run       INTEGER NOT NULL REFERENCES runs (id),
    quarter   TEXT NOT NULL,
    dimension TEXT NOT NULL,
    segment   TEXT NOT NULL,
    figure    TEXT NOT NULL,
    value     REAL
);
CREATE INDEX IF NOT EXISTS figures_run_quarter ON figures (run, quarter);
CREATE TABLE IF NOT EXISTS closed_quarters (
    id        INTEGER PRIMARY KEY,
    quarter   TEXT NOT NULL,
    start     TEXT NOT NULL,
    end       TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    run       INTEGER NOT NULL REFERENCES runs (id),
    figures   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reopen_events (
    id          INTEGER PRIMARY KEY,
    closing     INTEGER NOT NULL UNIQUE REFERENCES closed_quarters (id),
    quarter     TEXT NOT NULL,
    reopened_at TEXT NOT NULL,
    reopened_by TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS closed_quarters_frozen BEFORE UPDATE ON closed_quarters
BEGIN SELECT RAISE(ABORT, 'a closed quarter''s frozen figures cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS closed_quarters_kept BEFORE DELETE ON closed_quarters
BEGIN SELECT RAISE(ABORT, 'a closed quarter cannot be deleted; reopen it'); END;
CREATE TRIGGER IF NOT EXISTS deal_versions_frozen BEFORE UPDATE ON deal_versions
BEGIN SELECT RAISE(ABORT, 'recorded deals cannot be changed'); END;
"""


_RUN_COLUMNS = (
    "id, started, recorded, source, period, out_dir, inputs, inputs_sha256, config_sha256, deals,"
    " currency, restatements"
)


class HistoryError(ReporterError):
    """The history store cannot be used, or a close/reopen request does not fit its state."""


@dataclass(frozen=True)
class Run:
    """One recorded build."""

    id: int
    started: str
    recorded: str
    source: str
    period: str | None
    out_dir: str | None
    inputs: list[dict[str, Any]]
    inputs_sha256: str
    config_sha256: str
    deals: int
    currency: str | None = None  # the amounts' one currency, None when unknown or mixed
    restatements: list[dict[str, Any]] = field(default_factory=list)  # as in metrics.json


@dataclass(frozen=True)
class ClosedQuarter:
    """One closing of a quarter; ``reopened_*`` are set once it was reopened."""

    id: int
    quarter: str
    start: str
    end: str
    closed_at: str
    closed_by: str
    run: int
    figures: tuple[Figure, ...]
    reopened_at: str | None = None
    reopened_by: str | None = None
    reason: str | None = None

    @property
    def active(self) -> bool:
        return self.reopened_at is None


def now_utc() -> str:
    """The current time as the store writes it (ISO, seconds, UTC)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def user() -> str:
    """Who is running this, for "closed by" (the login name; "unknown" if there is none)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class HistoryStore:
    """A connection to the history file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            # 64 MB of page cache and in-memory temp tables: 100k random hash-index
            # inserts otherwise spill to disk page by page.
            self._db.execute("PRAGMA cache_size=-65536")
            self._db.execute("PRAGMA temp_store=MEMORY")
            with self._write():
                self._create()
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(
                f"history store {self.path} cannot be opened: {exc}",
                hint="check the folder exists and is writable, or set `history` in config.toml",
            ) from None

    def _create(self) -> None:
        for statement in _statements(_SCHEMA):
            self._db.execute(statement)
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) > SCHEMA_VERSION:
            raise HistoryError(
                f"history store {self.path} was written by a newer reporter "
                f"(schema {row[0]}, this one reads {SCHEMA_VERSION})",
                hint="upgrade reporter, or point `history` in config.toml at another file",
            )

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taking the write lock up front (no deadlock on upgrade)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # runs ---------------------------------------------------------------------------

    def record_run(
        self,
        *,
        deals: Sequence[Deal],
        figures: Iterable[Figure],
        inputs: Sequence[dict[str, Any]],
        config: dict[str, Any],
        period: str | None,
        source: str = "build",
        out_dir: str | None = None,
        started: str | None = None,
        currency: str | None = None,
        restatements: Sequence[dict[str, Any]] = (),
    ) -> int:
        """Record one build: its inputs, config, deals, figures and the restatements it found
        (records as in metrics.json). Returns the run id."""
        table = DealTable.of(deals)
        digests = table.digests()
        set_hash = hashlib.blake2b(sorted_digests(digests), digest_size=16).digest()
        config_text = json.dumps(config, sort_keys=True, default=str)
        shas = sorted(str(i.get("sha256", "")) for i in inputs)
        with self._write():
            deal_set = self._deal_set(set_hash, table, digests)
            cur = self._db.execute(
                "INSERT INTO runs (started, recorded, source, period, out_dir, inputs,"
                " inputs_sha256, config, config_sha256, deal_set, deals, currency, restatements)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    started or now_utc(),
                    now_utc(),
                    source,
                    period,
                    out_dir,
                    json.dumps(list(inputs), default=str),
                    hashlib.sha256("\n".join(shas).encode()).hexdigest(),
                    config_text,
                    hashlib.sha256(config_text.encode()).hexdigest(),
                    deal_set,
                    len(table),
                    currency,
                    json.dumps(list(restatements), default=str),
                ),
            )
            run = int(cur.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO figures (run, quarter, dimension, segment, figure, value)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                ((run, f.quarter, f.dimension, f.segment, f.figure, f.value) for f in figures),
            )
        return run

    def _deal_set(self, set_hash: bytes, deals: DealTable, digests: list[bytes]) -> int:
        row = self._db.execute("SELECT id FROM deal_sets WHERE hash = ?", (set_hash,)).fetchone()
        if row is not None:
            return int(row[0])  # the very same deals as an earlier run: nothing to add
        ids = self._version_ids(deals, digests)
        blob = _pack(ids)
        cur = self._db.execute(
            "INSERT INTO deal_sets (hash, deals, versions) VALUES (?, ?, ?)",
            (set_hash, len(set(ids)), blob),
        )
        return int(cur.lastrowid or 0)

    def _version_ids(self, deals: DealTable, digests: list[bytes]) -> list[int]:
        """The version id of every deal, inserting the versions not stored yet.

        Most deals of a build are the previous run's versions, so those are looked up first
        (one join over the latest deal set's ids); only the rest are looked up by hash.
        Runs inside the write transaction, so new ids can be handed out here (max + 1, …)
        without reading them back.
        """
        known: dict[bytes, int] = {}
        top = self._db.execute("SELECT max(id) FROM deal_versions").fetchone()[0]
        latest = self._db.execute(
            "SELECT versions FROM deal_sets ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if latest is not None:
            known = dict(
                self._db.execute(
                    "SELECT v.hash, v.id FROM json_each(?) j JOIN deal_versions v"
                    " ON v.id = j.value",
                    (_id_list(_unpack(latest[0])),),
                ).fetchall()
            )
        misses = [h for h in digests if h not in known]
        if misses and top is not None:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (hash BLOB PRIMARY KEY)")
            self._db.execute("DELETE FROM wanted")
            self._db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((h,) for h in misses))
            known.update(
                self._db.execute(
                    "SELECT v.hash, v.id FROM deal_versions v JOIN wanted w ON w.hash = v.hash"
                ).fetchall()
            )
            self._db.execute("DELETE FROM wanted")
        first = next_id = (top or 0) + 1
        added: list[bool] = []  # per deal: a version not stored yet (its first occurrence)
        for h in digests:
            if h in known:
                added.append(False)
            else:
                known[h] = next_id
                next_id += 1
                added.append(True)
        self._db.executemany(
            "INSERT INTO deal_versions (id, hash, opportunity_id, rep, account, outcome,"
            " amount, close_date, created_date, new_customer, segment)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((i, *row) for i, row in zip(count(first), deals.rows(added))),
        )
        return [known[h] for h in digests]

    def runs(self, limit: int = 50) -> list[Run]:
        """The most recent runs, newest first."""
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [_run(r) for r in rows]

    def run(self, run_id: int) -> Run | None:
        """One run by id, or None."""
        row = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        return _run(row) if row else None

    def last_run(self, before: int | None = None) -> Run | None:
        """The newest run (or the newest before run id ``before``)."""
        row = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1",
            (before if before is not None else 2**62,),
        ).fetchone()
        return _run(row) if row else None

    def run_config(self, run_id: int) -> dict[str, Any]:
        """The config record one run was built with ({} for an unknown run)."""
        row = self._db.execute("SELECT config FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return {}
        config = json.loads(row[0])
        return config if isinstance(config, dict) else {}

    def figures(self, run_id: int, quarter: str | None = None) -> list[Figure]:
        """The figures recorded with one run (one quarter's, or all)."""
        sql = "SELECT quarter, dimension, segment, figure, value FROM figures WHERE run = ?"
        args: tuple[Any, ...] = (run_id,)
        if quarter is not None:
            sql += " AND quarter = ?"
            args = (run_id, quarter)
        return [Figure(*r) for r in self._db.execute(sql + " ORDER BY rowid", args)]

    def deals(
        self,
        run_id: int,
        start: str | None = None,
        end: str | None = None,
        ids: Iterable[str] = (),
    ) -> list[Deal]:
        """The deals of one run; with ``start``/``end``, only those won in that range plus
        those whose opportunity id is in ``ids`` (what a quarter's comparison needs)."""
        row = self._db.execute(
            "SELECT s.versions FROM runs r JOIN deal_sets s ON s.id = r.deal_set WHERE r.id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            return []
        sql = (
            "SELECT v.opportunity_id, v.rep, v.account, v.outcome, v.amount, v.close_date,"
            " v.created_date, v.new_customer, v.segment FROM json_each(?) j"
            " JOIN deal_versions v ON v.id = j.value"
        )
        args: tuple[Any, ...] = (_id_list(_unpack(row[0])),)
        if start is not None and end is not None:
            sql += (
                " WHERE (v.outcome = 'won' AND v.close_date BETWEEN ? AND ?)"
                " OR v.opportunity_id IN (SELECT value FROM json_each(?))"
            )
            args = (*args, start, end, json.dumps(list(ids)))
        with paused_gc():
            return [
                Deal(oid, rep, acc, out, amt, close, created, bool(new), seg)
                for oid, rep, acc, out, amt, close, created, new, seg in self._db.execute(sql, args)
            ]

    # closing ------------------------------------------------------------------------

    def close_quarter(
        self,
        quarter: str,
        start: str,
        end: str,
        run_id: int | None = None,
        closed_by: str | None = None,
    ) -> ClosedQuarter:
        """Freeze ``quarter``'s figures as recorded by ``run_id`` (default: the latest run)."""
        with self._write():
            active = self._active(quarter)
            if active is not None:
                raise HistoryError(
                    f"{quarter} is already closed (by {active.closed_by} on "
                    f"{active.closed_at}, from run {active.run})",
                    hint=f"to close it again, first `reporter reopen {_key(quarter)} "
                    '--reason "why"`',
                )
            run = self.run(run_id) if run_id is not None else self.last_run()
            if run is None:
                raise HistoryError(
                    f"no build is recorded in {self.path}, so there are no figures to freeze",
                    hint="run `reporter build` with the same --out and --config first",
                )
            frozen = self.figures(run.id, quarter)
            if not frozen:
                raise HistoryError(
                    f"the latest build (run {run.id}, {run.recorded}) has no figures for {quarter}",
                    hint="build from inputs that cover that quarter, then close it",
                )
            cur = self._db.execute(
                "INSERT INTO closed_quarters (quarter, start, end, closed_at, closed_by, run,"
                " figures) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    quarter,
                    start,
                    end,
                    now_utc(),
                    closed_by or user(),
                    run.id,
                    json.dumps([[f.dimension, f.segment, f.figure, f.value] for f in frozen]),
                ),
            )
            closing = self._closing(int(cur.lastrowid or 0))
        assert closing is not None
        return closing

    def reopen(self, quarter: str, reason: str, by: str | None = None) -> ClosedQuarter:
        """Record that a closed quarter is open again, and why. Returns the closing reopened."""
        if not reason.strip():
            raise HistoryError(
                f"reopening {quarter} needs a reason", hint='add --reason "what happened"'
            )
        with self._write():
            active = self._active(quarter)
            if active is None:
                raise HistoryError(
                    f"{quarter} is not closed, so it cannot be reopened",
                    hint="`reporter history` lists the closed quarters",
                )
            self._db.execute(
                "INSERT INTO reopen_events (closing, quarter, reopened_at, reopened_by, reason)"
                " VALUES (?, ?, ?, ?, ?)",
                (active.id, quarter, now_utc(), by or user(), reason.strip()),
            )
            closing = self._closing(active.id)
        assert closing is not None
        return closing

    def closed_quarters(self, include_reopened: bool = False) -> list[ClosedQuarter]:
        """Closings, oldest first: only the quarters closed now, or every closing ever."""
        ids = [r[0] for r in self._db.execute("SELECT id FROM closed_quarters ORDER BY id")]
        closings = [c for c in (self._closing(i) for i in ids) if c is not None]
        return closings if include_reopened else [c for c in closings if c.active]

    def closed(self, quarter: str) -> ClosedQuarter | None:
        """The quarter's current closing, or None when it is open."""
        return self._active(quarter)

    def _active(self, quarter: str) -> ClosedQuarter | None:
        row = self._db.execute(
            "SELECT c.id FROM closed_quarters c LEFT JOIN reopen_events e ON e.closing = c.id"
            " WHERE c.quarter = ? AND e.id IS NULL ORDER BY c.id DESC LIMIT 1",
            (quarter,),
        ).fetchone()
        return self._closing(int(row[0])) if row else None

    def _closing(self, closing_id: int) -> ClosedQuarter | None:
        row = self._db.execute(
            "SELECT c.id, c.quarter, c.start, c.end, c.closed_at, c.closed_by, c.run, c.figures,"
            " e.reopened_at, e.reopened_by, e.reason FROM closed_quarters c"
            " LEFT JOIN reopen_events e ON e.closing = c.id WHERE c.id = ?",
            (closing_id,),
        ).fetchone()
        if row is None:
            return None
        figures = tuple(Figure(row[1], *f) for f in json.loads(row[7]))
        return ClosedQuarter(
            id=row[0],
            quarter=row[1],
            start=row[2],
            end=row[3],
            closed_at=row[4],
            closed_by=row[5],
            run=row[6],
            figures=figures,
            reopened_at=row[8],
            reopened_by=row[9],
            reason=row[10],
        )

    def size(self) -> dict[str, int]:
        """Row counts of the main tables (for `reporter history` and the benchmark)."""
        return {
            t: int(self._db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("runs", "deal_versions", "deal_sets", "figures", "closed_quarters")
        }


def _run(row: Sequence[Any]) -> Run:
    values = list(row)
    values[6] = json.loads(values[6])  # inputs
    values[11] = json.loads(values[11])  # restatements
    return Run(*values)


def sorted_digests(digests: list[bytes]) -> bytes:
    """``b"".join(sorted(digests))`` for 16-byte digests, sorted by numpy: each digest as
    two big-endian 64-bit halves orders exactly as the bytes do."""
    if not digests:
        return b""
    joined = b"".join(digests)
    if len(joined) != 16 * len(digests):  # not all 16 bytes long: the general way
        return b"".join(sorted(digests))
    halves = np.frombuffer(joined, dtype=">u8").reshape(-1, 2)
    order = np.lexsort((halves[:, 1], halves[:, 0]))
    return halves[order].tobytes()


def _pack(ids: list[int]) -> bytes:
    """Sorted distinct ids as little-endian int64 deltas, zlib-compressed."""
    array = np.sort(np.asarray(ids, dtype=np.int64))
    array = array[np.concatenate(([True], array[1:] != array[:-1]))]
    deltas = np.diff(array, prepend=np.int64(0)).astype("<i8")
    return zlib.compress(deltas.tobytes(), 6)


def _unpack(blob: bytes) -> np.ndarray:
    deltas = np.frombuffer(zlib.decompress(blob), dtype="<i8")
    return np.cumsum(deltas)


def _id_list(ids: np.ndarray) -> str:
    """Ids as a JSON array, for ``json_each``: far cheaper than a temp table of 100k rows."""
    return json.dumps(ids.tolist())


def _statements(script: str) -> list[str]:
    """Split the schema into statements (triggers keep their inner semicolons)."""
    out, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


def _key(quarter: str) -> str:
    return quarter.replace(" ", "")
