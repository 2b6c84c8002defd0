"""Closing the PDF workers never hangs, even when one of them was killed from outside
while it waited for work (it can die holding the call queue's lock, and the other worker
then never receives its stop sentinel: ``shutdown(wait=True)`` alone waits forever)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# In a fresh process (a hang must not take the test run with it): three times over, render
# a batch, kill one idle worker with SIGKILL, leave the Renderers. Each round hung about one
# time in two before close() gave the workers a grace period and then killed them.
_KILL_AN_IDLE_WORKER = textwrap.dedent(
    """
    import os, pathlib, signal, tempfile
    from reporter.theme import DEFAULT
    from reporter.write.briefing import charts
    from reporter.write.briefing.pool import Batch, Renderers
    from reporter.write.briefing.render import Job

    BARS = {{"mark": "bar", "data": {{"values": [{{"who": "Ada", "n": 3}}]}},
             "encoding": {{"x": {{"field": "n", "type": "quantitative"}},
                          "y": {{"field": "who", "type": "nominal"}}}}}}

    def job(tmp, segment):
        html = f"<h1>{{segment}}</h1><p>{{charts.placeholder('bars')}}</p>"
        drawing = charts.chart(BARS, DEFAULT)
        target = str(tmp / f"{{segment}}.pdf")
        return Job(segment, html, (), tmp.as_uri() + "/", (), target, charts=(("bars", drawing),))

    for round in range(3):
        tmp = pathlib.Path(tempfile.mkdtemp())
        with Renderers(2) as renderers:
            batch = Batch(renderers)
            batch.add([job(tmp, f"S{{i}}") for i in range(8)])
            batch.wait()
            os.kill(next(iter(renderers.pool._processes)), signal.SIGKILL)
        print("round", round, "closed with", len(list(tmp.glob("*.pdf"))), "PDFs")
    """
)


@pytest.mark.slow
def test_closing_after_an_idle_worker_was_killed_returns():
    done = subprocess.run(
        [sys.executable, "-c", _KILL_AN_IDLE_WORKER.format()],
        capture_output=True,
        text=True,
        timeout=240,  # a hang, not a speed: three rounds take ~10 s, or ~40 s with kills
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [f"round {i} closed with 8 PDFs" for i in range(3)]
