"""The sample finance template filled from a real build of the samples (tests/write).

Not a conftest.py: a second module called ``conftest`` would shadow tests/conftest.py for
the test modules that import from it. The samples are built once per test session.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from reporter.write.template.fill import fill_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "samples" / "brand" / "finance-template.xlsx"


def quarter_reps(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """The reporting quarter's rows of won_opportunities_by_rep (the template's filter)."""
    label = metrics["period"]["label"]
    return [r for r in metrics["won_opportunities_by_rep"] if r["quarter"] == label]


@functools.cache
def _built() -> Path:
    """``reporter build samples/`` run once, as a user runs it; the output folder."""
    out = Path(tempfile.mkdtemp(prefix="look-build-"))
    reporter = Path(sys.executable).parent / "reporter"
    subprocess.run(
        [str(reporter), "build", str(REPO / "samples"), "--out", str(out), "-q"],
        check=True,
        capture_output=True,
        cwd=REPO,
        timeout=300,
    )
    return out


def sample_metrics() -> dict[str, Any]:
    """metrics.json of the samples (built once per session), a fresh copy each call."""
    loaded: dict[str, Any] = json.loads((_built() / "metrics.json").read_text())
    return loaded


@functools.cache
def filled_sample() -> Path:
    """The sample template filled from the samples' metrics.json (once per session)."""
    out = _built() / "filled" / "finance-template.xlsx"
    out.parent.mkdir(exist_ok=True)
    fill_template(TEMPLATE, sample_metrics(), out)
    return out
