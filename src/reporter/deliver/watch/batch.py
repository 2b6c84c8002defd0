"""Batches: what in the inbox makes one data set, and when it is complete.

An export rarely comes alone: targets and reps files travel with it. So the watcher reads
*drops*, not files:

* **loose files** in the inbox that arrived together are one drop. The drop is complete
  when every loose file has stopped changing for ``settle_seconds`` — a file still being
  copied holds the others back, a file dropped after the others settled starts a new drop;
* a **folder** dropped into the inbox is one drop (its workbooks at any depth, as in a
  zip: an unpacked download often nests them, ``export/`` beside ``reference/``; hidden
  folders aside), complete when nothing inside has changed for ``settle_seconds``;
* a **.zip** is one drop (its workbooks, at any depth), complete when the archive settled.

``[watch] include`` names standing reference files (targets, reps, rates) read with every
drop; they stay where they are. A loose file reporter cannot read at all (a PDF, a note)
is set aside on its own, so it never spoils the drop it came with.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reporter.config import Config
from reporter.errors import ConfigError, UnreadableFile

READABLE = (".xlsx", ".xlsm", ".xls", ".csv")
ZIP = ".zip"
# Folders the watcher itself keeps in the inbox; never a drop.
OWN_FOLDERS = frozenset({"processed", "failed"})
# A zip may not unpack into more than this (a zip bomb would fill the disk).
MAX_UNZIPPED_BYTES = 2 * 1024**3
MAX_ZIP_MEMBERS = 1000


@dataclass(frozen=True)
class Drop:
    """One data set: the inbox entries it came as, and how they are read."""

    name: str  # for logs, the ledger and the run folder
    entries: tuple[Path, ...]  # what moves to processed/ or failed/ afterwards
    kind: str  # "files" | "folder" | "zip"


def is_readable_name(path: Path) -> bool:
    """True for a workbook or CSV name (the readers decide whether the content is one)."""
    return path.suffix.lower() in READABLE


def loose_drop(files: Sequence[Path]) -> Drop:
    """Loose files that settled together."""
    entries = tuple(sorted(files))
    name = entries[0].name if len(entries) == 1 else " + ".join(p.name for p in entries)
    return Drop(name, entries, "files")


def folder_drop(folder: Path) -> Drop:
    return Drop(folder.name + "/", (folder,), "folder")


def zip_drop(archive: Path) -> Drop:
    return Drop(archive.name, (archive,), "zip")


def workbooks_in(folder: Path, recursive: bool = False) -> list[Path]:
    """Readable files in ``folder`` (hidden, lock and temp files left out), sorted; with
    ``recursive``, in its sub-folders too (hidden ones and links left out)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__MACOSX")))
        for name in sorted(files):
            path = Path(root) / name
            if name.startswith((".", "~$")) or not is_readable_name(path):
                continue
            if path.is_symlink() or not path.is_file():
                continue
            found.append(path)
        if not recursive:
            break
    return found


def unzip(archive: Path, dest: Path) -> list[Path]:
    """Extract the workbooks of ``archive`` flat into ``dest``; never outside it.

    Raises :class:`UnreadableFile` for a damaged archive (perhaps still being copied),
    one that would unpack too large, or one holding no workbook.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS:
                raise UnreadableFile(
                    f"{archive.name} holds {len(members):,} files; a drop holds at most"
                    f" {MAX_ZIP_MEMBERS:,}",
                    hint="zip only the export and its reference files",
                )
            wanted = [m for m in members if _wanted(m.filename)]
            if sum(m.file_size for m in wanted) > MAX_UNZIPPED_BYTES:
                raise UnreadableFile(
                    f"{archive.name} would unpack to more than"
                    f" {MAX_UNZIPPED_BYTES / 1024**3:.0f} GB",
                    hint="drop the workbooks themselves, or a folder of them",
                )
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            out: list[Path] = []
            for member in wanted:
                # The base name only: "../x.csv" or "/etc/x.csv" cannot leave dest.
                target = _unique(dest / Path(member.filename.replace("\\", "/")).name)
                with zf.open(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                out.append(target)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise UnreadableFile(
            f"{archive.name} is not a readable zip archive ({exc})",
            hint="zip the files again (a plain .zip, no password) and drop it again",
        ) from None
    if not out:
        raise UnreadableFile(
            f"{archive.name} holds no workbook (.xlsx .xlsm .xls .csv)",
            hint="zip the export with its targets and reps files",
        )
    return sorted(out)


def _wanted(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return False
    return is_readable_name(Path(parts[-1])) and not parts[-1].startswith("~$")


def _unique(path: Path) -> Path:
    n, target = 1, path
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return target


def include_files(config: Config) -> list[Path]:
    """``[watch] include`` as paths (relative ones from the config file's folder).

    Raises :class:`ConfigError` naming a file that does not exist, so a watcher never
    starts reading drops without the targets it was told to join.
    """
    base = Path(config.source).resolve().parent if config.source else Path.cwd()
    out: list[Path] = []
    for text in config.watch.include:
        path = Path(text).expanduser()
        path = path if path.is_absolute() else base / path
        if not path.is_file():
            raise ConfigError(
                f"[watch] include names {path}, which is not a file",
                hint="correct the path (a relative one is taken from the config file's folder)",
            )
        out.append(path)
    return out


class FolderSettler:
    """Tracks folders in the inbox; a folder is ready once nothing in it changed for a while."""

    def __init__(self, settle_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.settle_seconds = settle_seconds
        self.clock = clock
        self._seen: dict[Path, tuple[tuple[tuple[str, int, int], ...], float]] = {}

    def scan(self, inbox: Path) -> list[Path]:
        """Folders of ``inbox`` that are ready now."""
        now = self.clock()
        present = folders(inbox)
        for gone in set(self._seen) - set(present):
            del self._seen[gone]
        ready = []
        for folder in present:
            current = signature(folder)
            seen = self._seen.get(folder)
            if seen is None or seen[0] != current:
                self._seen[folder] = (current, now)
            elif now - seen[1] >= self.settle_seconds:
                ready.append(folder)
        return ready

    @property
    def pending(self) -> int:
        return len(self._seen)

    def forget(self, folder: Path) -> None:
        self._seen.pop(folder, None)


def folders(inbox: Path) -> list[Path]:
    """Sub-folders of the inbox that may be drops (not hidden, not the watcher's own)."""
    out = []
    try:
        entries = list(os.scandir(inbox))
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or entry.name in OWN_FOLDERS:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                out.append(Path(entry.path))
        except OSError:
            continue
    return sorted(out)


def signature(folder: Path, limit: int = 5000) -> tuple[tuple[str, int, int], ...]:
    """Path, size and mtime of every file under ``folder`` (symlinks not followed)."""
    items: list[tuple[str, int, int]] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                items.append((os.path.join(root, name), st.st_size, st.st_mtime_ns))
            if len(items) >= limit:
                return tuple(items)
    return tuple(items)
