"""``reporter watch INBOX``: build and deliver every workbook dropped into a folder.

One thread does the work, one file at a time: watchdog events (or a polling observer on
network shares) only wake it early; each wake-up, and every ``poll_interval`` anyway, the
inbox is listed in full, so a missed event delays a file but never loses it. A file is
built once it has stopped changing; its outputs go to ``<out>/runs/<stem>-<sha12>/``;
then it moves to ``processed/`` (or ``failed/`` beside a note). The ledger (SHA-256 per
input) makes restarts and re-dropped files harmless.
"""

from __future__ import annotations

import logging
import re
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
from reporter.deliver.ledger import Ledger, ledger_path
from reporter.deliver.send import deliver
from reporter.deliver.transports import make_transport
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
        self.stats = WatchStats()
        self.ledger: Ledger | None = None

    # the loop ---------------------------------------------------------------------------

    def run(self, once: bool = False) -> WatchStats:
        """Watch until stopped (``once``: until the files present now are handled)."""
        if not self.inbox.is_dir():
            raise DeliveryError(
                f"inbox {self.inbox} is not a folder", hint="create it or correct the path"
            )
        make_transport(self.config, self.out_dir).close()  # unset password etc.: fail now
        with InboxLock(self.inbox) as lock, Ledger(ledger_path(self.config, self.out_dir)) as led:
            self.ledger = led
            observer = None if once else self._start_observer()
            try:
                self._recover()
                while not self.stop.is_set():
                    self._refuse_strays()
                    for path in self.settler.scan(self.inbox):
                        if self.stop.is_set():
                            break
                        self._handle(path)
                    if once and self.settler.pending == 0:
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
            if row.name not in present:
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

    def _handle(self, path: Path) -> None:
        led = self._led()
        try:
            sha = ib.sha256_file(path)
        except FileNotFoundError:
            self.settler.forget(path)
            return
        except OSError as exc:
            self._retry_or_fail(path, None, exc)
            return
        row = led.get_input(sha)
        if row is not None and row.run_dir and row.state in ("sent", "failed"):
            log.info("%s is identical to %s, already processed: nothing sent", path.name, row.name)
            self.stats.duplicates += 1
            self._move(path, ib.PROCESSED)
            return
        if row is not None and row.state in ("built", "sending") and row.run_dir:
            self._deliver(mf.read(Path(row.run_dir)))
            self._move(path, ib.PROCESSED)
            return
        run_dir = run_dir_for(self.out_dir, path.name, sha)
        if row is not None and (row.error or "").startswith(INTERRUPTED):
            led.set_input_state(sha, "building", error=row.error)  # keep the mark
        else:
            led.upsert_input(sha, path.name, "building")
        log.info("building %s → %s", path.name, run_dir)
        try:
            self.build([path], self.config, run_dir)
            changed = ib.sha256_file(path) != sha
        except (UnreadableFile, OSError) as exc:
            # What a half-copied file looks like (truncated zip, short read): try again.
            self._retry_or_fail(path, sha, exc)
            return
        except ReporterError as exc:
            self._fail(path, sha, exc.message, exc.hint)
            return
        except Exception as exc:
            log.exception("building %s failed unexpectedly", path.name)
            self._fail(
                path,
                sha,
                f"internal error: {type(exc).__name__}: {exc}",
                "report this with the watcher's log; the file itself may be fine",
            )
            return
        except BaseException as exc:
            if not is_panic(exc):  # KeyboardInterrupt, SystemExit: let them stop us
                raise
            self._fail(
                path,
                sha,
                f"{path.name}: the workbook is damaged (a file reader failed: {exc})",
                "open it in Excel and save it again",
            )
            return
        if changed:
            self._retry_or_fail(path, sha, OSError("the file changed while it was being read"))
            return
        manifest = mf.read(run_dir)  # the build wrote it, with every other output
        led.set_input_state(sha, "built", run_dir=str(run_dir))
        self.stats.built += 1
        for warning in manifest.warnings:
            log.warning("%s: %s", path.name, warning)
        self._deliver(manifest)
        self._move(path, ib.PROCESSED)

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
        for line in report.render().splitlines():
            log.info(line)

    def _retry_or_fail(self, path: Path, sha: str | None, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, ReporterError) else str(exc)
        hint = exc.hint if isinstance(exc, ReporterError) else None
        attempts = self.settler.attempts(path)
        if _young(path) and attempts < self.config.watch.retry_limit:
            delay = self.settler.retry_later(path)
            self.stats.retried += 1
            if sha is not None:
                self._led().delete_input(sha)  # a half-copied file's hash will not recur
            log.info(
                "%s could not be read yet (%s); still arriving? retry %d/%d in %.1fs",
                path.name,
                message,
                attempts + 1,
                self.config.watch.retry_limit,
                delay,
            )
            return
        if attempts:
            message = f"{message} (after {attempts + 1} attempts)"
        self._fail(path, sha, message, hint)

    def _fail(self, path: Path, sha: str | None, problem: str, fix: str | None) -> None:
        if sha is not None:
            self._led().set_input_state(sha, "failed", error=problem)
        moved = self._move(path, ib.FAILED)
        if moved is not None:
            ib.write_error_note(moved, problem, fix, sha)
        self.stats.failed += 1
        log.error("%s failed: %s → %s", path.name, problem, moved)

    def _fail_interrupted(self, name: str, sha: str) -> None:
        path = self.inbox / name
        try:
            same = ib.sha256_file(path) == sha
        except OSError:
            same = False
        problem = (
            f"the watcher stopped while building {name}, twice (a crash, a kill or a power "
            "cut); it is not tried again in case the file itself is the cause"
        )
        fix = "if the file is fine, drop it into the inbox again; if this recurs, report it"
        if same:
            self._fail(path, sha, problem, fix)
        else:
            self._led().set_input_state(sha, "failed", error=problem)

    def _refuse_strays(self) -> None:
        for path, what in ib.strays(self.inbox):
            problem = f"{path.name} is {what}; reporter reads only files copied into the inbox"
            moved = self._move(path, ib.FAILED)
            if moved is not None:
                ib.write_error_note(moved, problem, "copy the file itself into the inbox", None)
            self.stats.failed += 1
            log.error("%s not read: %s → %s", path.name, problem, moved)

    def _move(self, path: Path, folder: str) -> Path | None:
        self.settler.forget(path)
        try:
            return ib.move_unique(path, self.inbox / folder)
        except FileNotFoundError:
            return None


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
