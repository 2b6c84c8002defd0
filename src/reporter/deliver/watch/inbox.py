"""The inbox folder: which files count, when a file has finished arriving, where it goes after.

A file is *ready* once its size and mtime have not changed for ``settle_seconds`` of
observation — creation events fire at the first byte on SMB and on Windows, so an event
alone proves nothing. Stability is judged on this machine's monotonic clock, never by
comparing a share's mtime with local time.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reporter.files import atomic_path

PROCESSED = "processed"
FAILED = "failed"

# Office owner/lock files, editors' and browsers' partial files, OS clutter. Hidden files
# (".~lock.x.xlsx#", ".DS_Store", our own lock) are skipped before these are tried.
IGNORED = (
    "~$*",
    "*.tmp",
    "*.temp",
    "*.part",
    "*.partial",
    "*.crdownload",
    "*.download",
    "*.swp",
    "*~",
    "thumbs.db",
    "desktop.ini",
)


def is_candidate(name: str) -> bool:
    """True for a name the watcher should process (not hidden, not a lock or temp file)."""
    if name.startswith("."):
        return False
    lowered = name.lower()
    return not any(fnmatch.fnmatchcase(lowered, pattern) for pattern in IGNORED)


def candidates(inbox: Path) -> list[Path]:
    """Regular files directly in ``inbox`` that count (sub-folders are never entered)."""
    out = []
    try:
        entries = list(os.scandir(inbox))
    except FileNotFoundError:
        return []
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False) and is_candidate(entry.name):
                out.append(Path(entry.path))
        except OSError:
            continue
    return sorted(out)


def strays(inbox: Path) -> list[tuple[Path, str]]:
    """Entries that would count by name but are not regular files: links, pipes, devices.

    The watcher never reads them (a link may lead out of the inbox, a pipe blocks a
    reader, a device never ends); it moves them to ``failed/`` with a note instead of
    leaving them there unexplained.
    """
    out = []
    try:
        entries = list(os.scandir(inbox))
    except FileNotFoundError:
        return []
    for entry in entries:
        if not is_candidate(entry.name):
            continue
        try:
            if entry.is_symlink():
                out.append((Path(entry.path), "a symbolic link"))
            elif not entry.is_file(follow_symlinks=False) and not entry.is_dir():
                out.append((Path(entry.path), "not a regular file (a pipe, socket or device)"))
        except OSError:
            continue
    return sorted(out)


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float
    attempts: int = 0
    not_before: float = 0.0


class Settler:
    """Tracks inbox files between scans and says which have stopped changing."""

    def __init__(self, settle_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.settle_seconds = settle_seconds
        self.clock = clock
        self._seen: dict[Path, _Seen] = {}

    def scan(self, inbox: Path) -> list[Path]:
        """Look at the inbox once; return the files that are ready now."""
        now = self.clock()
        present = candidates(inbox)
        for gone in set(self._seen) - set(present):
            del self._seen[gone]
        ready = []
        for path in present:
            try:
                st = path.stat()
            except OSError:
                continue
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
                attempts = seen.attempts if seen else 0
                self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now, attempts)
                continue
            if now - seen.since >= self.settle_seconds and now >= seen.not_before:
                ready.append(path)
        return ready

    @property
    def pending(self) -> int:
        """How many files are being watched (not yet handled)."""
        return len(self._seen)

    def attempts(self, path: Path) -> int:
        """How many times ``path`` has been retried."""
        seen = self._seen.get(path)
        return seen.attempts if seen else 0

    def retry_later(self, path: Path) -> float:
        """Count a failed attempt; the file is offered again after a growing delay."""
        seen = self._seen.get(path)
        if seen is None:
            return 0.0
        seen.attempts += 1
        delay = float(self.settle_seconds * 2**seen.attempts)
        seen.not_before = self.clock() + delay
        return delay

    def forget(self, path: Path) -> None:
        """Stop tracking ``path`` (it was moved away)."""
        self._seen.pop(path, None)


def sha256_file(path: Path) -> str:
    """SHA-256 of the file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def move_unique(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder``; an existing name gets ``-2``, ``-3``, … before the suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}-{n}{path.suffix}"
    os.replace(path, target)
    return target


def write_error_note(moved: Path, problem: str, fix: str | None, sha256: str | None) -> Path:
    """Write ``<name>.error.txt`` beside a failed input: what was wrong and what to do."""
    note = moved.with_name(moved.name + ".error.txt")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    text = (
        f"reporter could not build reports from {moved.name} ({when}).\n\n"
        f"What was wrong:\n  {problem}\n\n"
        f"What to do:\n  {fix or 'correct the file'}, then drop it into the inbox again.\n"
    )
    if sha256:
        text += f"\nSHA-256 of the file: {sha256}\n"
    with atomic_path(note) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return note
