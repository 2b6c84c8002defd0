"""One watcher per inbox: a lock file holding host, pid and a heartbeat.

The lock is held with ``flock`` for the life of the process (released by the kernel even
after ``kill -9``), and its content lets a second watcher tell "running" from "stale"
where ``flock`` does nothing (NFS): same host and the pid is gone → stale; another host
and no heartbeat for ``STALE_AFTER`` seconds → stale.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from pathlib import Path

from reporter.errors import DeliveryError

try:
    import fcntl
except ImportError:  # Windows: fall back to the pid/heartbeat check alone
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".reporter-watch.lock"
STALE_AFTER = 300.0


class InboxLock:
    """Acquire with :meth:`acquire` (or ``with``); call :meth:`heartbeat` now and then."""

    def __init__(self, inbox: Path) -> None:
        self.path = Path(inbox) / LOCK_NAME
        self._fd: int | None = None

    def __enter__(self) -> InboxLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock or raise :class:`DeliveryError` naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    raise self._held(self._read(fd)) from None
            holder = self._read(fd)
            if holder and not self._stale(holder):
                raise self._held(holder)
            self._write(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def heartbeat(self) -> None:
        """Show the lock is alive (another host judges staleness by this)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.utime(self.path)

    def release(self) -> None:
        """Give the lock up (the file is emptied, not removed, to avoid races)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # also drops the flock
        self._fd = None

    def _read(self, fd: int) -> dict[str, object]:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            data = os.read(fd, 4096)
            holder = json.loads(data) if data.strip() else {}
            if not isinstance(holder, dict) or not holder:
                return {}
            holder["age"] = time.time() - os.fstat(fd).st_mtime
            return holder
        except (OSError, ValueError):
            return {}

    def _write(self, fd: int) -> None:
        record = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(record).encode())
        os.fsync(fd)

    def _stale(self, holder: dict[str, object]) -> bool:
        pid = holder.get("pid")
        if holder.get("host") == socket.gethostname() and isinstance(pid, int):
            return pid == os.getpid() or not _alive(pid)
        age = holder.get("age")
        return not isinstance(age, float) or age > STALE_AFTER

    def _held(self, holder: dict[str, object]) -> DeliveryError:
        who = f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}" if holder else "?"
        return DeliveryError(
            f"another watcher ({who}) is already watching {self.path.parent}",
            hint=f"stop it first; if it is gone, delete {self.path}",
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
