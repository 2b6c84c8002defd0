"""``reporter watch INBOX``: build and deliver every data set dropped into a folder.

One thread does the work, one drop at a time: watchdog events (or a polling observer on
network shares) only wake it early; each wake-up, and every ``poll_interval`` anyway, the
inbox is listed in full, so a missed event delays a drop but never loses it. A drop —
loose files that arrived together, a folder, or a zip (see :mod:`.batch`) — is built once
it has stopped changing, with the ``[watch] include`` reference files; its outputs go to
``<out>/runs/<stem>-<run12>/``; then it moves to ``processed/`` (or ``failed/`` beside a
note). The ledger (keyed by the run's identity, :mod:`reporter.deliver.identity`) makes
restarts and re-dropped files harmless.
"""

from __future__ import annotations

import logging
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from reporter.config import Config
from reporter.deliver import manifest as mf
from reporter.deliver.identity import run_id
from reporter.deliver.ledger import Ledger, ledger_path
from reporter.deliver.send import deliver
from reporter.deliver.transports import make_transport
from reporter.deliver.watch import batch as bt
from reporter.deliver.watch import inbox as ib
from reporter.deliver.watch.lock import InboxLock
from reporter.errors import DeliveryError, ReporterError, UnreadableFile, is_panic
from reporter.files import clean_stale_staging

log = logging.getLogger("reporter.deliver")

# pipeline.run's shape: writes every output of one run into the folder, delivery.json last.
Build = Callable[[Sequence[Path], Config, Path], object]

# A file modified this recently that fails to open is probably still arriving.
YOUNG_SECONDS = 120.0
# The ledger's error for an input whose build was cut short once by the watcher's death.
INTERRUPTED = "interrupted: the watcher stopped while building it"
_SAFE_STEM = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class WatchStats:
    """What one watcher session did."""

    built: int = 0
    duplicates: int = 0
    failed: int = 0
    retried: int = 0
    resumed: int = 0
    held: int = 0
    sent: int = 0  # messages accepted by the SMTP server
    written: int = 0  # messages written to the outbox folder
    messages_failed: int = 0
    unknown: int = 0

    def summary(self) -> str:
        """One line for the end of a session: what actually happened."""
        runs = (
            f"Runs: {self.built} built, {self.duplicates} already processed, {self.held} held,"
            f" {self.failed} failed, {self.resumed} resumed."
        )
        delivered = [f"{self.sent} sent"] if self.sent or not self.written else []
        if self.written:
            delivered.append(f"{self.written} written to the outbox")
        return (
            f"{runs} Messages: {', '.join(delivered)}, {self.messages_failed} failed,"
            f" {self.unknown} unknown."
        )


def run_dir_for(out_dir: Path, name: str, sha256: str) -> Path:
    """``<out>/runs/<safe stem>-<sha12>``: unique per content, readable, never outside out."""
    stem = _SAFE_STEM.sub("_", Path(name).stem).strip("._-")[:60] or "input"
    return Path(out_dir) / "runs" / f"{stem}-{sha256[:12]}"


class Watcher:
    """The watch loop. Most callers want :func:`watch`."""

    def __init__(
        self,
        inbox: Path,
        config: Config,
        out_dir: Path,
        build: Build,
        stop: threading.Event | None = None,
    ) -> None:
        self.inbox = Path(inbox).resolve()
        self.config = config
        self.out_dir = Path(out_dir).resolve()
        self.build = build
        self.stop = stop or threading.Event()
        self.wake = threading.Event()
        self.settler = ib.Settler(config.watch.settle_seconds)
        self.folders = bt.FolderSettler(config.watch.settle_seconds)
        self.stats = WatchStats()
        self.ledger: Ledger | None = None
        self.includes: list[Path] = []
        # drop name → (what its entries looked like at the last failed attempt, attempts,
        # not before): an unreadable drop that has not changed since then fails at once.
        self._tries: dict[str, tuple[tuple[object, ...], int, float]] = {}

    # the loop ---------------------------------------------------------------------------

    def run(self, once: bool = False) -> WatchStats:
        """Watch until stopped (``once``: until the files present now are handled)."""
        if not self.inbox.is_dir():
            raise DeliveryError(
                f"inbox {self.inbox} is not a folder", hint="create it or correct the path"
            )
        make_transport(self.config, self.out_dir).close()  # unset password etc.: fail now
        self.includes = bt.include_files(self.config)  # a missing targets file: fail now
        with InboxLock(self.inbox) as lock, Ledger(ledger_path(self.config, self.out_dir)) as led:
            self.ledger = led
            observer = None if once else self._start_observer()
            try:
                self._recover()
                while not self.stop.is_set():
                    self._refuse_strays()
                    for drop in self._ready():
                        if self.stop.is_set():
                            break
                        self._handle(drop)
                    if once and self.settler.pending == 0 and self.folders.pending == 0:
                        break
                    lock.heartbeat()
                    self.wake.wait(self.config.watch.poll_interval)
                    self.wake.clear()
            finally:
                if observer is not None:
                    observer.stop()
                    observer.join(timeout=5)
                self.ledger = None
        log.info("watcher stopped")
        return self.stats

    def _start_observer(self) -> Any:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        wake = self.wake

        class _Wake(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                wake.set()

        polling = self.config.watch.polling
        observer = (
            PollingObserver(timeout=self.config.watch.poll_interval) if polling else Observer()
        )
        observer.schedule(_Wake(), str(self.inbox), recursive=False)
        try:
            observer.start()
        except OSError as exc:  # e.g. inotify watch limit (ENOSPC)
            log.error(
                "cannot watch %s for events (%s); falling back to a full scan every %ss. "
                "On Linux raise fs.inotify.max_user_watches, or set [watch] polling = true",
                self.inbox,
                exc,
                self.config.watch.poll_interval,
            )
            return None
        return observer

    # recovery after a crash ----------------------------------------------------------------

    def _recover(self) -> None:
        led = self._led()
        for m in led.interrupted_to_unknown():
            log.warning(
                "message %s → %s was interrupted while sending; not resending: decide with"
                " `reporter send RUN_DIR --resend-unknown` or `--mark-unknown-sent`",
                m.segment,
                m.recipient,
            )
        # Staging folders of builds killed mid-way: debris in the run folders.
        for folder in [self.out_dir, *(self.out_dir / "runs").glob("*")]:
            for stale in clean_stale_staging(folder):
                log.info("removed %s, left by a build that was stopped", stale)
        present = {p.name for p in ib.candidates(self.inbox)}
        present |= {f"{p.name}/" for p in bt.folders(self.inbox)}
        for row in led.inputs(("built", "sending")):
            if row.run_dir and (Path(row.run_dir) / mf.MANIFEST_NAME).exists():
                log.info("resuming delivery of %s after a restart", row.name)
                self.stats.resumed += 1
                try:
                    manifest = mf.read(Path(row.run_dir))
                except DeliveryError as exc:
                    led.set_input_state(row.sha256, "failed", error=exc.message)
                    log.error("cannot resume %s: %s", row.name, exc.format())
                    continue
                self._deliver(manifest)
        for row in led.inputs(("queued", "building")):
            if not set(row.name.split(" + ")) <= present:
                led.set_input_state(
                    row.sha256,
                    "failed",
                    error=f"{row.name} left the inbox before its build finished;"
                    " drop it into the inbox again",
                )
            elif (row.error or "").startswith(INTERRUPTED):
                # The watcher died twice on this file: it may be the cause (a crash in a
                # native library, a kill by the memory limit). Fail it; never loop.
                self._fail_interrupted(row.name, row.sha256)
            else:
                # Once may be a deploy or a power cut: the scan builds it again, marked.
                led.set_input_state(row.sha256, "building", error=INTERRUPTED)

    # one file ---------------------------------------------------------------------------------

    def _led(self) -> Ledger:
        assert self.ledger is not None
        return self.ledger

    def _ready(self) -> list[bt.Drop]:
        """The drops complete now (see :mod:`.batch` for the rule)."""
        files = self.settler.scan(self.inbox)
        folders = self.folders.scan(self.inbox)
        drops: list[bt.Drop] = []
        loose: list[Path] = []
        for path in files:
            if path.suffix.lower() == bt.ZIP:
                drops.append(bt.zip_drop(path))
            elif bt.is_readable_name(path):
                loose.append(path)
            else:
                self._fail_unreadable_name(path)
        # Loose workbooks are one drop once *all* of them have settled together.
        arriving = [p for p in ib.candidates(self.inbox) if bt.is_readable_name(p)]
        if loose and set(loose) >= set(arriving):
            drops.append(bt.loose_drop(loose))
        drops += [bt.folder_drop(f) for f in folders]
        now = time.monotonic()
        return [d for d in drops if self._tries.get(d.name, ((), 0, 0.0))[2] <= now]

    def _fail_unreadable_name(self, path: Path) -> None:
        self._fail(
            bt.Drop(path.name, (path,), "files"),
            None,
            f"{path.name} is not a workbook: reporter reads .xlsx, .xlsm, .xls and .csv files",
            "drop the export (with its targets and reps files), a folder of them or a .zip;"
            " nothing else goes into this inbox",
        )

    def _handle(self, drop: bt.Drop) -> None:
        work = self.out_dir / ".unzipped" / _SAFE_STEM.sub("_", drop.name)
        try:
            files = self._files_of(drop, work)
            hashes = [ib.sha256_file(f) for f in [*files, *self.includes]]
        except FileNotFoundError:
            self._forget(drop)
            shutil.rmtree(work, ignore_errors=True)
            return
        except (UnreadableFile, OSError, _Unusable) as exc:
            self._retry_or_fail(drop, None, exc)
            shutil.rmtree(work, ignore_errors=True)
            return
        try:
            self._build_and_deliver(drop, files, hashes)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _files_of(self, drop: bt.Drop, work: Path) -> list[Path]:
        """The workbooks of ``drop`` (a zip is unpacked into ``work``)."""
        if drop.kind == "zip":
            return bt.unzip(drop.entries[0], work)
        if drop.kind == "folder":
            files = bt.workbooks_in(drop.entries[0], recursive=True)
            if not files:
                raise _Unusable(
                    f"folder {drop.name} holds no workbook (.xlsx .xlsm .xls .csv)",
                    "put the export and its targets and reps files in the folder",
                )
            if len(files) > bt.MAX_ZIP_MEMBERS:
                raise _Unusable(
                    f"folder {drop.name} holds {len(files):,} workbooks; a drop holds at most"
                    f" {bt.MAX_ZIP_MEMBERS:,}",
                    "drop only the export and its reference files",
                )
            return files
        return list(drop.entries)

    def _build_and_deliver(self, drop: bt.Drop, files: list[Path], hashes: list[str]) -> None:
        led = self._led()
        run = run_id(hashes, None, self.config)
        row = led.get_input(run)
        if row is None and len(hashes) == 1:
            # One file and no [watch] include: the data set a ledger from before run
            # identity knew by the file's hash alone. Processed then, it is not sent again.
            row = led.legacy_input(hashes[0])
        if row is not None and row.run_dir and row.state in ("sent", "failed"):
            log.info("%s is identical to %s, already processed: nothing sent", drop.name, row.name)
            self.stats.duplicates += 1
            self._move(drop, ib.PROCESSED)
            return
        if row is not None and row.state in ("built", "sending") and row.run_dir:
            self._deliver(mf.read(Path(row.run_dir)))
            self._move(drop, ib.PROCESSED)
            return
        run_dir = run_dir_for(self.out_dir, drop.entries[0].name, run)
        if row is not None and (row.error or "").startswith(INTERRUPTED):
            led.set_input_state(run, "building", error=row.error)  # keep the mark
        else:
            led.upsert_input(run, drop.name, "building")
        log.info("building %s → %s", drop.name, run_dir)
        inputs = [*files, *self.includes]
        try:
            self.build(inputs, self.config, run_dir)
            changed = [ib.sha256_file(f) for f in inputs] != hashes
        except (UnreadableFile, OSError) as exc:
            # What a half-copied file looks like (truncated zip, short read): try again.
            self._retry_or_fail(drop, run, exc)
            return
        except ReporterError as exc:
            self._fail(drop, run, exc.message, exc.hint)
            return
        except Exception as exc:
            log.exception("building %s failed unexpectedly", drop.name)
            self._fail(
                drop,
                run,
                f"internal error: {type(exc).__name__}: {exc}",
                "report this with the watcher's log; the files themselves may be fine",
            )
            return
        except BaseException as exc:
            if not is_panic(exc):  # KeyboardInterrupt, SystemExit: let them stop us
                raise
            self._fail(
                drop,
                run,
                f"{drop.name}: a workbook is damaged (a file reader failed: {exc})",
                "open it in Excel and save it again",
            )
            return
        if changed:
            self._retry_or_fail(drop, run, OSError("a file changed while it was being read"))
            return
        manifest = mf.read(run_dir)  # the build wrote it, with every other output
        led.set_input_state(run, "built", run_dir=str(run_dir))
        self.stats.built += 1
        for warning in manifest.warnings:
            log.warning("%s: %s", drop.name, warning)
        self._deliver(manifest)
        self._move(drop, ib.PROCESSED)

    def _deliver(self, manifest: mf.Manifest) -> None:
        try:
            transport = make_transport(self.config, self.out_dir)
            report = deliver(manifest, self._led(), self.config, transport)
        except DeliveryError as exc:
            self._led().set_input_state(manifest.sha256, "failed", error=f"delivery: {exc.message}")
            log.error(
                "delivery of %s stopped: %s — once fixed, run `reporter send %s`",
                manifest.source,
                exc.format(),
                manifest.run_dir,
            )
            return
        self.stats.held += bool(report.held)
        delivered = report.count("sent")
        if report.transport == "outbox":
            self.stats.written += delivered
        else:
            self.stats.sent += delivered
        self.stats.messages_failed += report.count("failed")
        self.stats.unknown += report.count("unknown")
        for line in report.render().splitlines():
            log.info(line)

    def _retry_or_fail(self, drop: bt.Drop, run: str | None, exc: BaseException) -> None:
        """Retry a drop that may still be arriving; fail one that has stopped changing.

        A drop that cannot be read is tried once more after ``settle_seconds`` if it is
        young; when it has not changed since that attempt it fails at once. Only a drop
        still changing is retried again (up to ``retry_limit`` times, with backoff).
        """
        if isinstance(exc, _Unusable):
            self._fail(drop, run, exc.problem, exc.fix)
            return
        message = exc.message if isinstance(exc, ReporterError) else str(exc)
        hint = exc.hint if isinstance(exc, ReporterError) else None
        looks = _looks(drop)
        before, attempts, _ = self._tries.get(drop.name, (None, 0, 0.0))
        still_changing = before is None or before != looks
        young = any(_young(p) for p in drop.entries)
        if young and still_changing and attempts < self.config.watch.retry_limit:
            delay = self.config.watch.settle_seconds * 2**attempts
            self._tries[drop.name] = (looks, attempts + 1, time.monotonic() + delay)
            self.stats.retried += 1
            if run is not None:
                self._led().delete_input(run)  # a half-copied file's hash will not recur
            log.info(
                "%s could not be read yet (%s); still arriving? look again %d/%d in %.1fs",
                drop.name,
                message,
                attempts + 1,
                self.config.watch.retry_limit,
                delay,
            )
            return
        if attempts:
            unchanged = "" if still_changing else ", unchanged since the last attempt"
            message = f"{message} (after {attempts + 1} attempts{unchanged})"
        self._fail(drop, run, message, hint)

    def _fail(self, drop: bt.Drop, run: str | None, problem: str, fix: str | None) -> None:
        if run is not None:
            self._led().set_input_state(run, "failed", error=problem)
        if len(drop.entries) > 1:
            names = ", ".join(p.name for p in drop.entries)
            problem = f"{problem}\n  (these files were dropped together as one data set: {names})"
        moved = self._move(drop, ib.FAILED)
        for path in moved:
            ib.write_error_note(path, problem, fix, run)
        self.stats.failed += 1
        log.error("%s failed: %s → %s", drop.name, problem, self.inbox / ib.FAILED)

    def _fail_interrupted(self, name: str, run: str) -> None:
        drop = _drop_named(self.inbox, name)
        problem = (
            f"the watcher stopped while building {name}, twice (a crash, a kill or a power "
            "cut); it is not tried again in case the files themselves are the cause"
        )
        fix = "if the files are fine, drop them into the inbox again; if this recurs, report it"
        if all(p.exists() for p in drop.entries):
            self._fail(drop, run, problem, fix)
        else:
            self._led().set_input_state(run, "failed", error=problem)

    def _refuse_strays(self) -> None:
        for path, what in ib.strays(self.inbox):
            problem = f"{path.name} is {what}; reporter reads only files copied into the inbox"
            moved = self._move(bt.Drop(path.name, (path,), "files"), ib.FAILED)
            for note in moved:
                ib.write_error_note(note, problem, "copy the file itself into the inbox", None)
            self.stats.failed += 1
            log.error("%s not read: %s → %s", path.name, problem, self.inbox / ib.FAILED)

    def _move(self, drop: bt.Drop, folder: str) -> list[Path]:
        self._forget(drop)
        moved = []
        for path in drop.entries:
            try:
                moved.append(ib.move_unique(path, self.inbox / folder))
            except FileNotFoundError:
                continue
        return moved

    def _forget(self, drop: bt.Drop) -> None:
        self._tries.pop(drop.name, None)
        for path in drop.entries:
            self.settler.forget(path)
            self.folders.forget(path)


def _drop_named(inbox: Path, name: str) -> bt.Drop:
    """The drop the ledger recorded as ``name`` ("a.csv + b.csv", "folder/", "x.zip")."""
    parts = name.split(" + ")
    entries = tuple(inbox / p.rstrip("/") for p in parts)
    kind = "folder" if name.endswith("/") else "zip" if name.lower().endswith(".zip") else "files"
    return bt.Drop(name, entries, kind)


class _Unusable(Exception):
    """A drop that can never be built as it is (not worth a retry)."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem, self.fix = problem, fix


def _looks(drop: bt.Drop) -> tuple[object, ...]:
    """Size and modification time of everything in ``drop``: what "unchanged" compares."""
    out: list[object] = []
    for path in drop.entries:
        try:
            st = path.stat()
        except OSError:
            out.append((path.name, None))
            continue
        out.append((path.name, st.st_size, st.st_mtime_ns))
        if path.is_dir():
            out.append(bt.signature(path))
    return tuple(out)


def _young(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < YOUNG_SECONDS
    except OSError:
        return False


def watch(
    inbox: Path,
    config: Config,
    out_dir: Path,
    *,
    build: Build,
    once: bool = False,
    stop: threading.Event | None = None,
) -> WatchStats:
    """Watch ``inbox`` until Ctrl-C/SIGTERM (or, with ``once``, until it is empty).

    The first signal finishes the file in hand and exits cleanly; a second one interrupts
    at once (the ledger then rebuilds that input on the next start). Raises
    :class:`DeliveryError` if another watcher holds the inbox or SMTP settings are unusable.
    """
    watcher = Watcher(inbox, config, out_dir, build=build, stop=stop)
    restore = _install_signals(watcher)
    try:
        return watcher.run(once=once)
    finally:
        restore()


def _install_signals(watcher: Watcher) -> Callable[[], None]:
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, frame: FrameType | None) -> None:
        if watcher.stop.is_set():
            raise KeyboardInterrupt
        log.info("stopping after the current file (signal again to stop at once)")
        watcher.stop.set()
        watcher.wake.set()

    for s in previous:
        signal.signal(s, handler)

    def restore() -> None:
        for s, h in previous.items():
            signal.signal(s, h)

    return restore
