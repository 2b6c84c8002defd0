"""Fixtures for tests/look: the samples built once by the real CLI, the template filled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from look_helpers import REPO, TEMPLATE

from reporter.write.template_fill import fill_template


@pytest.fixture(scope="session")
def sample_metrics(tmp_path_factory):
    """metrics.json of ``reporter build samples/`` (the real pipeline, as a user runs it)."""
    out = tmp_path_factory.mktemp("build")
    reporter = Path(sys.executable).parent / "reporter"
    subprocess.run(
        [str(reporter), "build", str(REPO / "samples"), "--out", str(out), "-q"],
        check=True,
        capture_output=True,
        cwd=REPO,
        timeout=300,
    )
    return json.loads((out / "metrics.json").read_text())


@pytest.fixture(scope="session")
def filled_sample(sample_metrics, tmp_path_factory):
    out = tmp_path_factory.mktemp("filled") / "finance-template.xlsx"
    fill_template(TEMPLATE, sample_metrics, out)
    return out
