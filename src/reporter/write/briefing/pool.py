"""Briefing PDFs rendered beside the rest of a build: a warm worker pool and a pending batch.

A briefing is about a second of WeasyPrint per PDF, and starting the pool (a fork server
that imports WeasyPrint, then the workers) another second. :class:`Renderers` starts the
workers early, while the metrics are computed, and :class:`Batch` hands them the PDFs
one by one as their HTML is ready, so the caller can write the workbook meanwhile and
collect the PDFs last. With one worker (``[briefings] workers = 1``, or one CPU) nothing
runs in the background: the batch renders in the caller when it is waited for.

With workers, every briefing's charts are drawn by one thread of the calling process
(the "drawer"), which then hands the HTML with its SVG to a worker: the chart engine's
V8 starts once per build (~0.3 s CPU) instead of once per worker, and vl-convert
releases the GIL while it draws, so the caller keeps working meanwhile.
"""

from __future__ import annotations

import concurrent.futures
import functools
import multiprocessing
import multiprocessing.forkserver
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from reporter.errors import OutputError, ReporterError
from reporter.progress import Counted, Progress
from reporter.write.briefing.render import Done, Job, render_pdf, warm, warm_charts, with_charts


class Renderers:
    """``workers`` processes for briefing PDFs (none when ``workers`` ≤ 1), started now,
    and the thread that draws their charts."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.drawer: concurrent.futures.ThreadPoolExecutor | None = None
        if workers > 1:
            self.pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=_context())
            for _ in range(workers):
                # Starts every worker now and loads its fonts; a failure shows on first use.
                self.pool.submit(warm)
            # One thread, so one V8 for every chart; it starts V8 now, while the caller
            # computes the metrics (a failure shows on the first chart).
            self.drawer = concurrent.futures.ThreadPoolExecutor(1, "briefing-charts")
            self.drawer.submit(warm_charts)

    def submit(self, job: Job) -> concurrent.futures.Future[Done]:
        """Render ``job`` in the background: its charts drawn by the drawer thread, then
        its PDF by a worker. Only with workers (see :attr:`pool`)."""
        assert self.pool is not None and self.drawer is not None
        handed = _Handed()
        self.drawer.submit(_hand_over, handed, job, self.pool)
        return handed

    def close(self, cancel: bool = False) -> None:
        """Stop the workers; ``cancel`` drops PDFs not started yet (a failed build)."""
        if self.drawer is not None:
            # first: the drawer hands PDFs to the pool, which must still be open
            self.drawer.shutdown(wait=True, cancel_futures=cancel)
            self.drawer = None
        if self.pool is not None:
            pool, self.pool = self.pool, None
            _shut(pool, cancel)

    def __enter__(self) -> Renderers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(cancel=exc is not None)


class Batch:
    """Briefings handed to :class:`Renderers` as they come; :meth:`wait` collects them."""

    def __init__(self, renderers: Renderers) -> None:
        self.renderers = renderers
        self.jobs: list[Job] = []
        self.futures: dict[concurrent.futures.Future[Done], Job] = {}
        self.done: list[Done] = []
        self.paths: dict[str, Path] = {}  # segment → final PDF, once the batch is published
        self.company: Path | None = None  # the company-wide briefing, when it was asked for
        self.whole: str | None = None  # the company-wide briefing's target, while rendering

    @property
    def pending(self) -> bool:
        """Whether some PDF has not been collected yet."""
        return len(self.done) < len(self.jobs)

    def add(self, jobs: Iterable[Job]) -> None:
        """Queue each job; with workers, it starts rendering at once."""
        for job in jobs:
            self.jobs.append(job)
            if self.renderers.pool is not None:
                self.futures[self.renderers.submit(job)] = job

    def redo(self, job: Job) -> None:
        """Render ``job`` instead of the queued job with the same target, whose figures
        changed after it was handed over. That one is dropped if it has not started, or
        else left to finish first, so that this one's file is the one that stays."""
        index = next(i for i, queued in enumerate(self.jobs) if queued.target == job.target)
        old, self.jobs[index] = self.jobs[index], job
        if self.renderers.pool is None:
            return  # nothing rendered before wait()
        future = next(f for f, queued in self.futures.items() if queued is old)
        del self.futures[future]
        if not future.cancel():
            _result(future, old)  # two renders must never write one file at the same time
        self.futures[self.renderers.submit(job)] = job

    def cancel(self) -> None:
        """Drop the PDFs not started yet and wait for those already rendering (their
        results are dropped too): after a failure the caller removes the folder the PDFs
        are written into, and a worker still writing there would leave it half-removed."""
        for future in self.futures:
            future.cancel()
        concurrent.futures.wait(self.futures)

    def wait(self, progress: Progress | None = None) -> list[Done]:
        """Every PDF rendered (in the order they finish); ``progress`` once per PDF."""
        if not self.pending:
            return self.done
        total = len(self.jobs)
        results = self.done

        def tick(done: Done) -> None:
            results.append(done)
            if progress is not None:
                message = f"briefing {len(results)}/{total}: {done.segment}"
                progress(Counted(message, "briefings", len(results), total))

        if self.renderers.pool is None:
            for job in self.jobs:
                tick(render_pdf(job))
        else:
            for future in concurrent.futures.as_completed(self.futures):
                tick(_result(future, self.futures[future]))
        return results


class _Handed(concurrent.futures.Future[Done]):
    """A briefing's PDF while its charts are drawn in this process, then while a worker
    renders it (:attr:`worker`, once handed over)."""

    worker: concurrent.futures.Future[Done] | None = None

    def cancel(self) -> bool:
        """Drop it if its charts are not being drawn yet, or if no worker started it; while
        its charts are drawn (a fraction of a second) it cannot be dropped."""
        if super().cancel():
            return True
        worker = self.worker
        return worker is not None and worker.cancel()


def _hand_over(handed: _Handed, job: Job, pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """In the drawer thread: draw ``job``'s charts, then give it to a worker; ``handed``
    gets the worker's outcome (or the drawing's error)."""
    if not handed.set_running_or_notify_cancel():
        return  # dropped before its turn
    try:
        worker = pool.submit(render_pdf, with_charts(job))
    except BaseException as exc:  # a chart the engine cannot draw, a pool shut down
        handed.set_exception(exc)
        return
    handed.worker = worker
    worker.add_done_callback(functools.partial(_settle, handed))


def _settle(handed: _Handed, worker: concurrent.futures.Future[Done]) -> None:
    if worker.cancelled():
        handed.set_exception(concurrent.futures.CancelledError())
    elif (exc := worker.exception()) is not None:
        handed.set_exception(exc)
    else:
        handed.set_result(worker.result())


def _result(future: concurrent.futures.Future[Done], job: Job) -> Done:
    try:
        return future.result()
    except ReporterError:
        raise
    except concurrent.futures.process.BrokenProcessPool:
        raise OutputError(
            f"briefing {job.segment!r}: the PDF worker died (out of memory?)",
            hint="set [briefings] workers = 1 to render in one process, or lower max_rows",
        ) from None
    except Exception as exc:
        raise OutputError(f"briefing {job.segment!r} failed to render: {exc}") from exc


# How long idle workers get to exit once told to; every PDF has been collected or dropped
# by then, so an idle worker exits in milliseconds and only a stuck one waits this long.
CLOSE_GRACE = 10.0


def _shut(pool: concurrent.futures.ProcessPoolExecutor, cancel: bool) -> None:
    """Shut ``pool`` down without ever hanging. A worker killed from outside (the OOM
    killer, a user's ``kill``) while it waited for work can die holding the call queue's
    lock: the other worker then never receives its stop sentinel, and ``shutdown(wait=True)``
    waits forever (CPython 3.11, seen here about one time in two). So: tell the pool to stop
    without waiting, give the workers :data:`CLOSE_GRACE` to exit, kill what is left, and
    only then wait for the pool's manager thread, which ends once its workers are gone.
    The workers and that thread are the executor's own attributes (no public way to reach
    them); missing ones are simply not waited for."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=cancel)
    deadline = time.monotonic() + CLOSE_GRACE
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(CLOSE_GRACE)
    if manager is not None:
        manager.join(CLOSE_GRACE)


def preload(workers: int) -> None:
    """Start the fork server now, without waiting for it: it imports WeasyPrint in the
    background (about a second) while the caller reads the inputs, so that the workers
    :class:`Renderers` starts later fork from it at once. Nothing with ``workers`` ≤ 1
    or without a fork server (Windows: workers are spawned)."""
    if workers <= 1:
        return
    context = _context()
    if context.get_start_method() == "forkserver":
        # Not waited for: connecting to it later blocks until its imports are done.
        multiprocessing.forkserver.ensure_running()


def _context() -> Any:
    """Forkserver where available: workers start clean, never copying a parent's threads
    (the folder watcher runs threads, and forking a threaded process can deadlock)."""
    if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["reporter.write.briefing.render", "weasyprint"])
        return ctx
    return multiprocessing.get_context("spawn")
