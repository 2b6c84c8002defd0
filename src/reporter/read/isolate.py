"""Parse one untrusted file in a child process with memory, CPU-time and wall-time limits.

Native parsers can take the whole process down on a crafted file: calamine aborts
(SIGABRT) when it cannot allocate the grid a far-away cell asks for, and panics on a date
serial of -1e17; pyo3's ``PanicException`` derives from ``BaseException``, so ``except
Exception`` misses it. Run in a child, any of these becomes one clean
:class:`~reporter.errors.UnreadableFile` for that file ("the workbook is damaged or too large",
the file named, exit 2), and the watcher or the build moves on.

The child is forked (cheap: the parent's imports are shared) when the parent runs a single
thread, otherwise started from a fork server (forking a threaded process can deadlock).
What it returns travels back pickled over a pipe; a :class:`ReporterError` raised in it is
raised again in the parent with its message and hint.
"""

from __future__ import annotations

import faulthandler
import gc
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar, cast

from reporter import errors
from reporter.config import Limits
from reporter.errors import ReporterError, UnreadableFile, is_panic
from reporter.gc_pause import paused_gc
from reporter.read.bounds import DEFAULT_LIMITS

T = TypeVar("T")

_PACKAGE = str(Path(errors.__file__).resolve().parent)
_HINT = (
    "open it in Excel and save it again (File > Save As > Excel Workbook); if it is very "
    "large, remove the rows and columns beyond the table first, or raise the limits in "
    "config.toml [limits]"
)


class ContainedBug(RuntimeError):
    """reporter's own code failed in the child: a bug (exit 3), with the child's traceback."""


def damaged(display: str, why: str) -> UnreadableFile:
    """The one error a reader crash, panic or limit becomes for the user."""
    return UnreadableFile(f"{display}: the workbook is damaged or too large ({why})", hint=_HINT)


def _raised_by_us(exc: BaseException) -> bool:
    """Whether the innermost frame of ``exc`` is reporter's code (a bug) or a library's."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last is not None and str(Path(last).resolve()).startswith(_PACKAGE)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def _mapped_bytes() -> int:
    """The address space this process already maps (what the fork inherited)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _set_limits(limits: Limits) -> None:
    # The budget is on top of what the fork inherited: a long-running watcher maps far more
    # address space than it uses (thread arenas, libraries), and a fixed cap below that
    # would fail every file.
    memory = _mapped_bytes() + limits.memory_mb * 1024 * 1024
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, limits.cpu_seconds)):
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        if soft == resource.RLIM_INFINITY or value < soft:
            resource.setrlimit(which, (value, hard))


def _child(
    conn: Connection,
    stderr_path: str,
    limits: Limits,
    target: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    # A native abort writes to fd 2 ("memory allocation of … bytes failed"), xlrd chatters on
    # stdout: keep both for the parent's message instead of the user's terminal.
    fd = os.open(stderr_path, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    faulthandler.disable()  # its dump of a native abort would go to the parent's terminal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # The child lives for one file and makes a Python object per cell: the cyclic collector
    # would walk them again and again (about 0.14 s of 1.3 s at 100k rows) for no cycle.
    gc.disable()
    _set_limits(limits)
    try:
        reply: tuple[Any, ...] = ("ok", target(*args))
    except ReporterError as exc:
        reply = ("error", type(exc).__name__, exc.message, exc.hint)
    except MemoryError:
        reply = ("damaged", f"it needs more than the {limits.memory_mb:,} MB memory limit")
    except RecursionError:
        reply = ("damaged", "its structure is nested too deeply")
    except BaseException as exc:
        if not is_panic(exc) and isinstance(exc, Exception) and _raised_by_us(exc):
            reply = ("bug", "".join(traceback.format_exception(exc)))
        else:
            reply = ("damaged", f"the reader failed: {_short(exc)}")
    try:
        conn.send(reply)
    except MemoryError:
        conn.send(("damaged", f"its tables need more than the {limits.memory_mb:,} MB limit"))
    conn.close()


def _context(method: str | None) -> Any:
    # fork shares the parent's imports (no start-up cost) but is unsafe with other threads
    # running; the fork server is single-threaded by construction.
    if method is None:
        alone = threading.active_count() == 1 and _os_threads() <= _OWN_THREADS
        method = "fork" if alone else "forkserver"
    return multiprocessing.get_context(method)


def _os_threads() -> int:
    """The threads this process runs, native ones included (Linux lists them in /proc);
    where it cannot be known, more than any count."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return sys.maxsize


# The native threads every reporter process has once this module's imports are done (the
# numerical libraries' own pools, which are fork-safe). ``threading.active_count()`` counts
# only threads Python started: after a build drew its charts, vl-convert's V8 keeps threads
# of its own, and the next read in that process (``reporter watch --once`` with two drops)
# must not fork a process holding them. More threads than these: the fork server.
_OWN_THREADS = _os_threads()


def _death(exitcode: int | None, stderr_text: str, limits: Limits) -> str:
    """Why the child ended without an answer, in a user's words."""
    first = next((ln.strip() for ln in stderr_text.splitlines() if ln.strip()), "")
    native = f": {first[:160]}" if first else ""
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        if sig == signal.SIGXCPU:
            return f"reading it used more than {limits.cpu_seconds} s of CPU time"
        if sig == signal.SIGKILL:
            return f"the reader was killed, probably out of memory (limit {limits.memory_mb:,} MB)"
        return f"the reader crashed ({signal.Signals(sig).name}){native}"
    return f"the reader stopped with exit code {exitcode}{native}"


def run_contained(
    target: Callable[..., T],
    args: tuple[Any, ...],
    display: str,
    limits: Limits = DEFAULT_LIMITS,
    start_method: str | None = None,
) -> T:
    """``target(*args)`` in a limited child process; its result, or one clean error.

    ``target`` must be a module-level function (it may be pickled to a fork server) and its
    result picklable. Raises the child's :class:`ReporterError` as it was raised; a crash,
    panic, out-of-memory, CPU or wall-time overrun as :func:`damaged` naming ``display``;
    an exception from reporter's own code in the child as :class:`ContainedBug`.
    ``start_method`` forces ``"fork"`` or ``"forkserver"`` (default: chosen as above).
    """
    ctx = _context(start_method)
    receiver, sender = ctx.Pipe(duplex=False)
    with tempfile.NamedTemporaryFile(prefix="reporter-reader-", suffix=".log") as log:
        process = ctx.Process(
            target=_child, args=(sender, log.name, limits, target, args), daemon=True
        )
        process.start()
        sender.close()
        try:
            reply = _receive(receiver, process, display, limits)
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join()
        if reply is None:
            raise damaged(display, _death(process.exitcode, _tail(log.name), limits))
    return cast(T, _unwrap(reply, display))


def _receive(
    receiver: Connection, process: Any, display: str, limits: Limits
) -> tuple[Any, ...] | None:
    deadline = time.monotonic() + limits.wall_seconds
    while not receiver.poll(0.5):
        if time.monotonic() > deadline:
            process.kill()
            raise damaged(display, f"reading it took longer than {limits.wall_seconds} s")
        if not process.is_alive() and not receiver.poll(0):
            return None
    try:
        with paused_gc():  # unpickling the tables makes an object per cell
            reply: tuple[Any, ...] = receiver.recv()
    except (EOFError, OSError):
        return None
    return reply


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return ""


def _unwrap(reply: tuple[Any, ...], display: str) -> Any:
    kind = reply[0]
    if kind == "ok":
        return reply[1]
    if kind == "error":
        _, name, message, hint = reply
        cls = getattr(errors, name, ReporterError)
        if not (isinstance(cls, type) and issubclass(cls, ReporterError)):
            cls = ReporterError
        raise cls(message, hint=hint)
    if kind == "damaged":
        raise damaged(display, reply[1])
    raise ContainedBug(f"reading {display} failed in reporter's own code:\n{reply[1]}")
