"""Atomic file output, shared by ``write``, ``deliver`` and the pipeline.

Write to a temp file (or folder) beside the target, fsync, then rename: a crash or an
exception mid-write leaves the previous file (or nothing), never half a file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp/mkdtemp create 0600/0700 entries; published reports get the mode any new file
# would (finance reads them from shared folders): 0666/0777 less the process umask.
_UMASK = _umask()
_FILE_MODE = 0o666 & ~_UMASK
_DIR_MODE = 0o777 & ~_UMASK


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, _FILE_MODE)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``target``; on success it replaces ``target`` whole."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    os.chmod(tmp, _DIR_MODE)
    try:
        yield tmp
        replace_dir(tmp, target)
        _fsync_dir(target.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def replace_dir(source: Path, target: Path) -> None:
    """Move folder ``source`` onto ``target``, replacing it whole.

    A folder cannot be renamed over a non-empty one, so the old one steps aside to
    ``.NAME.old`` first and is removed only after the new one is in place.
    """
    if not target.exists():
        os.replace(source, target)
        return
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    os.replace(target, old)
    os.replace(source, target)
    shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# Builds stage their outputs in ``<out>/.staging-<pid>-<random>`` and move them into place.
STAGING = ".staging-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def clean_stale_staging(out_dir: Path) -> list[Path]:
    """Remove staging folders a killed build left in ``out_dir``; return what was removed.

    A staging folder is named for its build's process id; one whose process is gone (or
    one from before names carried it, older than an hour) can only be debris.
    """
    removed = []
    for folder in Path(out_dir).glob(f"{STAGING}*"):
        pid_text = folder.name[len(STAGING) :].split("-", 1)[0]
        try:
            stale = not _alive(int(pid_text)) if pid_text.isdigit() else _older(folder, 3600)
        except OSError:
            continue
        if stale and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _older(folder: Path, seconds: float) -> bool:
    return time.time() - folder.stat().st_mtime > seconds
