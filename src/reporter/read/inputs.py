"""Which files to read, and reading them safely: regular files only, no link out of a folder.

Opening a FIFO blocks until something writes to it; reading ``/dev/zero`` never ends; a
folder input holding a link to ``/etc/passwd`` would print its first line as a "header".
So a path named on the command line must be a regular file, not a link (a link named as a
file is refused: nothing tells its target is one the user meant to hand over), and a folder
input is listed without following any link that leads out of it — such entries, and
anything not a regular file, are reported, never read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import UnreadableFile, UnsupportedFormat

# .xlsb is listed so a user who drops one is told to re-save it, not silently ignored.
INPUT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".xlsb")


@dataclass(frozen=True)
class Skipped:
    """A folder entry that was not read, and why (for an ``ignored-file`` issue)."""

    path: Path
    why: str


def is_ignorable(path: Path) -> bool:
    """Excel/LibreOffice lock files, Office temp files and hidden files."""
    name = path.name
    return name.startswith(("~$", ".~lock.", ".")) or name.lower().endswith(".tmp")


def _kind(mode: int) -> str | None:
    """None for a regular file, else what it is, in a user's words."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def folder_entries(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """Input files directly in ``folder`` (sorted), and the entries refused with the reason."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    root = folder.resolve()
    for child in sorted(folder.iterdir()):
        if child.suffix.lower() not in INPUT_SUFFIXES or is_ignorable(child):
            continue
        try:
            if child.is_symlink():
                target = child.resolve()
                if not target.is_relative_to(root):
                    skipped.append(
                        Skipped(child, "a link to a file outside the folder; not followed")
                    )
                    continue
            kind = _kind(child.stat().st_mode)
        except OSError as exc:
            skipped.append(Skipped(child, f"cannot be examined ({exc.strerror or exc})"))
            continue
        if kind is not None:
            skipped.append(Skipped(child, f"{kind}, not a file; not read"))
        else:
            files.append(child)
    return files, skipped


def expand(paths: Sequence[Path]) -> tuple[list[Path], list[Skipped]]:
    """Files as given, folders expanded (not recursive); what folders held that was refused.

    Raises :class:`UnsupportedFormat` for a file argument that is a symbolic link.
    """
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in map(Path, paths):
        if path.is_dir():
            found, refused = folder_entries(path)
            files += found
            skipped += refused
        elif path.is_symlink():
            raise UnsupportedFormat(
                f"{path}: is a symbolic link; reporter does not follow links named as input files",
                hint="give the path of the file itself (`realpath` shows it), or copy the file",
            )
        else:
            files.append(path)
    return files, skipped


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``max_bytes``.

    Raises :class:`UnsupportedFormat` for a FIFO, device, socket or folder (never opened in
    a way that could block) and :class:`UnreadableFile` when it is missing or unreadable.
    """
    try:
        kind = _kind(os.stat(path).st_mode)
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file", hint="check the path") from None
    except OSError as exc:
        raise UnreadableFile(
            f"{path}: cannot be read ({exc.strerror})", hint=_PERMISSIONS
        ) from None
    if kind is not None:
        raise UnsupportedFormat(
            f"{path}: is {kind}, not a file reporter can read",
            hint="give reporter .xlsx, .xlsm, .xls or .csv files, or a folder of them",
        )
    try:
        # O_NONBLOCK: if a pipe was swapped in since the check, opening must not wait for it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            if _kind(os.fstat(handle.fileno()).st_mode) is not None:
                raise UnsupportedFormat(f"{path}: is not a regular file", hint=_PERMISSIONS)
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile(
            f"{path}: cannot be read ({exc.strerror})", hint=_PERMISSIONS
        ) from None
    if len(data) > max_bytes:
        raise UnreadableFile(
            f"{path}: the file is larger than the {max_bytes // 2**20:,} MB limit",
            hint="split the export, or raise [limits] max_unpacked_mb in config.toml",
        )
    return data


def _unreadable(path: Path, exc: OSError) -> UnreadableFile:
    return UnreadableFile(f"{path}: cannot be read ({exc.strerror or exc})", hint=_PERMISSIONS)


_PERMISSIONS = "check the file permissions, or close it in the program that has it open"
