"""The reader forks its child only from a process that runs no other thread, native ones
included: after a build drew charts, vl-convert's V8 keeps threads that Python's
``threading`` does not count (found by the fourth session's review)."""

from __future__ import annotations

import subprocess
import sys

# In a fresh process: start the chart engine as a build's drawer thread does (V8 keeps its
# native threads after the drawer thread ends), then ask the reader how it would start its
# child for the next file.
_AFTER_A_BUILD = """
import threading
from reporter.write.briefing.render import warm_charts
from reporter.read import isolate
warm_charts()
print(threading.active_count(), isolate._context(None).get_start_method())
"""


def test_the_reader_does_not_fork_a_process_running_the_chart_engine():
    out = _printed(_AFTER_A_BUILD)
    assert out[0] == "1"  # no Python thread but the main one: the check cannot see V8's
    assert out[1] == "forkserver"


_A_FRESH_BUILD = """
from reporter.read import isolate
import reporter.cli, reporter.write.briefing  # everything a build imports before its read
print(isolate._context(None).get_start_method())
"""


def test_a_build_that_drew_no_charts_yet_forks_its_reader():
    # The numerical libraries start native threads of their own at import (BLAS); those are
    # not a reason to pay the fork server's start for every read.
    out = _printed(_A_FRESH_BUILD)
    assert out == ["fork"]


def _printed(code: str) -> list[str]:
    """What ``code`` prints in a fresh process, word by word."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.split()
