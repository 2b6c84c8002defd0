"""A failed batch waits for the PDFs already rendering before its folder is removed: a
worker still writing there would leave a half-removed staging folder behind."""

from __future__ import annotations

import time

from reporter.write.briefing.pool import Batch, Renderers


def test_cancel_returns_only_once_nothing_is_running():
    with Renderers(2) as renderers:
        assert renderers.pool is not None
        batch = Batch(renderers)
        # stand-ins for two PDFs being rendered (started) and one still queued
        running = [renderers.pool.submit(time.sleep, 0.5) for _ in range(2)]
        queued = renderers.pool.submit(time.sleep, 0.5)
        for future in (*running, queued):
            batch.futures[future] = None  # type: ignore[assignment]
        deadline = time.monotonic() + 30
        while not all(f.running() for f in running) and time.monotonic() < deadline:
            time.sleep(0.01)  # handed to the workers: cancel() can no longer drop them
        assert all(f.running() for f in running)
        batch.cancel()
        assert all(future.done() for future in running)  # finished, not left writing
        assert queued.cancelled() or queued.done()
