"""One workbook's raw sheets, read the safe way: bounds first, sparse when needed, in a child.

``read_guarded`` is what the reader calls for every untrusted workbook: it measures each
sheet (:mod:`reporter.read.bounds`), reads sparse sheets cell by cell
(:mod:`reporter.read.sparse`) and the rest with the fast native reader, all inside a
limited child process (:mod:`reporter.read.isolate`) so that a crash is one failed file.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from reporter.config import Limits
from reporter.errors import is_panic
from reporter.gc_pause import paused_gc
from reporter.quality import Issue
from reporter.read.bounds import DEFAULT_LIMITS, measure_workbook
from reporter.read.isolate import run_contained
from reporter.read.raw import RawSheet

Sheets = tuple[list[RawSheet], list[Issue]]
T = TypeVar("T")
# What each sheet became, with the issues found on the way, and the workbook's own issues.
Interpreted = tuple[list[tuple[T, list[Issue]]], list[Issue]]


def read_bounded(path: Path, display: str, kind: str, limits: Limits = DEFAULT_LIMITS) -> Sheets:
    """In this process: refuse bombs and oversize sheets, then read dense or sparse."""
    from reporter.read.excel import _hidden, _read_xlrd, read_workbook

    marked: dict[str, bool] | None = None
    if kind == "xlsx":
        extents = measure_workbook(path, display, limits)
        if any(e.is_sparse(limits) for e in extents.values()):
            return _read_sparse(path, display, _hidden)
        marked = {part: extent.markers for part, extent in extents.items()}
    try:
        return read_workbook(path, display, kind, marked)
    except BaseException as exc:
        # pyo3's PanicException is a BaseException: ``except Exception`` in the reader misses
        # it. The pure-Python readers take a value calamine panics on (a date of -1e17) as
        # the number it is, for the normaliser to report.
        if not is_panic(exc):
            raise
    if kind == "xlsx":
        return _read_sparse(path, display, _hidden)
    return _read_xlrd(path, display)


def _read_sparse(path: Path, display: str, hidden: object) -> Sheets:
    from reporter.read.sparse import read_sparse

    with zipfile.ZipFile(path) as archive:
        entries, by_name = read_sparse(archive, display)
    issues: list[Issue] = []
    sheets: list[RawSheet] = []
    for entry in entries:
        if not entry.worksheet:
            continue
        if entry.state != "visible":
            issues.append(hidden(display, entry.name))  # type: ignore[operator]
        elif entry.name in by_name:
            sheets.append(by_name[entry.name])
    return sheets, issues


def read_guarded(path: Path, display: str, kind: str, limits: Limits = DEFAULT_LIMITS) -> Sheets:
    """:func:`read_bounded` in a limited child process (``limits.contain`` false: in this one)."""
    if not limits.contain:
        return read_bounded(path, display, kind, limits)
    return run_contained(_read_shared, (path, display, kind, limits), display, limits)


def read_interpreted(
    path: Path,
    display: str,
    kind: str,
    limits: Limits,
    interpret: Callable[[RawSheet, list[Issue]], T],
) -> Interpreted[T]:
    """Each sheet of the workbook read and then ``interpret``-ed, in the limited child.

    Only what ``interpret`` makes of a sheet travels back to this process (typed columns,
    not a Python object per cell), so ``interpret`` and its result must pickle.
    """
    job = (path, display, kind, limits, interpret)
    if not limits.contain:
        return _interpret(job)
    return run_contained(_interpret, (job,), display, limits)


def _interpret(
    job: tuple[Path, str, str, Limits, Callable[[RawSheet, list[Issue]], T]],
) -> Interpreted[T]:
    path, display, kind, limits, interpret = job
    # A Python object per cell and no cycle among them: the cyclic collector would only walk
    # them again and again (in the reader's child it is off already).
    with paused_gc():
        sheets, issues = read_bounded(path, display, kind, limits)
        out: list[tuple[T, list[Issue]]] = []
        for raw in sheets:
            found: list[Issue] = []
            out.append((interpret(raw, found), found))
    return out, issues


def _read_shared(path: Path, display: str, kind: str, limits: Limits) -> Sheets:
    """:func:`read_bounded`, each repeated text or date one object, for the trip back.

    A stage, owner or region repeats on every row; pickled as one object each time it is
    written once and referenced after, which halves the bytes and the time of the trip.
    """
    sheets, issues = read_bounded(path, display, kind, limits)
    seen: dict[Any, Any] = {}
    for sheet in sheets:
        sheet.rows = [
            [seen.setdefault(v, v) if type(v) in _SHARED else v for v in row] for row in sheet.rows
        ]
    return sheets, issues


_SHARED = (str, date, datetime)
