"""One segment's briefing job, prepared the way ``reporter build`` prepares it, from rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reporter import metrics
from reporter.config import Config
from reporter.model import Dataset, InputFile
from reporter.write.briefing import prepare_jobs
from reporter.write.briefing.render import Job
from support.data import make_opportunities


def segment_job(
    rows: list[dict],
    folder: Path,
    period: str,
    segment: str = "West",
    sha: str = "ab",
    targets: pd.DataFrame | None = None,
) -> Job:
    """The briefing job of ``segment`` for ``period`` over ``rows`` (canonical columns), with
    the company-wide report beside it; the input is named t.xlsx with a SHA-256 of ``sha``
    repeated; ``targets`` as the readers give them (see support.figures.targets)."""
    frame = make_opportunities(rows)
    dataset = Dataset(opportunities=frame, inputs=(InputFile("t.xlsx", sha * 32, 8),))
    config = Config()
    overall = metrics.compute(frame, config, period, targets)
    segments = metrics.segment_reports(frame, config, period, targets)
    (job,) = prepare_jobs(folder, {segment: segments[segment]}, overall, dataset, config)
    return job
