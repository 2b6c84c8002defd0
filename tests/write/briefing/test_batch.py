"""A batch of briefings: the company-wide one renders beside the segments, in the pool."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from reporter import metrics
from reporter.config import Config
from reporter.model import Dataset, InputFile
from reporter.write.briefing import rendering, start_renderers
from support.data import make_opportunities


@pytest.fixture(scope="module")
def company_segment():
    """Two regions, one of them called "Company": its PDF takes company.pdf first."""
    rows = [
        dict(
            opportunity_id=f"O{i}",
            owner=f"Rep {i % 2}",
            account=f"A{i}",
            stage=("won", "lost", "won")[i % 3],
            outcome=("won", "lost", "won")[i % 3],
            amount=100.0 * (i + 1),
            created_date="2025-07-01",
            close_date="2025-08-15",
            region=("Company", "East")[i % 2],
        )
        for i in range(6)
    ]
    frame = make_opportunities(rows)
    dataset = Dataset(opportunities=frame, inputs=(InputFile("t.xlsx", "cd" * 32, 6),))
    config = Config()
    company = metrics.compute(frame, config, "FY2025Q3")
    return dataset, company, metrics.segment_reports(frame, config, "FY2025Q3")


def text_of(path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages))


@pytest.mark.parametrize("workers", [1, 2])
def test_company_briefing_renders_in_the_batch(company_segment, tmp_path, workers):
    dataset, company, segments = company_segment
    base = Config()
    briefings = dataclasses.replace(base.briefings, workers=workers)
    config = dataclasses.replace(base, briefings=briefings)
    with (
        start_renderers(config, 3) as renderers,
        rendering(tmp_path, segments, company, dataset, config, renderers, True) as batch,
    ):
        batch.wait()
    folder = tmp_path / "briefings"
    assert batch.paths == {"Company": folder / "Company.pdf", "East": folder / "East.pdf"}
    assert batch.company == folder / "company-wide.pdf"  # "Company.pdf" was taken
    # the longest PDF was handed over first
    assert Path(batch.jobs[0].target).name == "company-wide.pdf"
    assert sorted(p.name for p in folder.iterdir()) == [
        "Company.pdf",
        "East.pdf",
        "company-wide.pdf",
    ]
    # 6 deals: i = 0,2,3,5 won (i % 3 != 1), 1 and 4 lost → 4 won company-wide
    whole = text_of(batch.company)
    assert "Company-wide" in whole and "Won opportunities 4" in whole
    # the kicker and the footer name what it is, not the dimension its segments are by
    first = text_of(batch.company).upper()
    assert "SALES BRIEFING · WHOLE COMPANY" in first and "SALES BRIEFING · REGION" not in first
    assert "SALES BRIEFING · REGION" in text_of(batch.paths["East"]).upper()
    assert "Region: East" in text_of(batch.paths["East"])


PRELOAD = """
import dataclasses, multiprocessing.forkserver as fs, os
from reporter.config import Config
from reporter.write.briefing import preload_renderers
base = Config()
briefings = dataclasses.replace(base.briefings, workers={n})
preload_renderers(dataclasses.replace(base, briefings=briefings))
pid = fs._forkserver._forkserver_pid
# the server was spawned (it may still be between fork and exec: no /proc check here)
print(os.waitpid(pid, os.WNOHANG) == (0, 0) if pid else "none")
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork server without fork")
@pytest.mark.parametrize(("workers", "expected"), [(2, "True"), (1, "none")])
def test_preload_starts_the_fork_server_only_for_a_pool(workers, expected):
    """A fresh process: with two workers the fork server (WeasyPrint loading) is running
    before any briefing is asked for; with one worker nothing is started."""
    out = subprocess.run(
        [sys.executable, "-c", PRELOAD.format(n=workers)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == expected


@pytest.mark.parametrize("workers", [1, 2])
def test_a_briefing_done_again_leaves_only_its_new_pdf(company_segment, tmp_path, workers):
    """A build hands the briefings over before the history comparison; one that turns out
    restated is rendered again in place: its file holds the new render, not the first."""
    dataset, company, segments = company_segment
    base = Config()
    config = dataclasses.replace(
        base, briefings=dataclasses.replace(base.briefings, workers=workers)
    )
    with (
        start_renderers(config, 2) as renderers,
        rendering(tmp_path, segments, company, dataset, config, renderers) as batch,
    ):
        first = batch.jobs[0]
        again = first.html.replace("Top reps by won opportunities", "Top reps, second render")
        batch.redo(dataclasses.replace(first, html=again))
        batch.wait()
    assert len(batch.jobs) == 2 and len(batch.done) == 2
    redone = text_of(batch.paths[first.segment])
    assert "Top reps, second render" in redone and "Top reps by won" not in redone
    assert "Top reps by won opportunities" in text_of(batch.paths[batch.jobs[1].segment])
