"""Pausing Python's cyclic garbage collector around bursts of small, acyclic objects
(the history's deal versions, metrics.json's records, the workbook's cells)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while making 100k+ small objects.

    They hold no cycles, but every allocation burst triggers a full collection over the
    whole pandas heap: 2-3x the time of the work itself.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
