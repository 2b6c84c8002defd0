"""One orchestration function, shared by ``reporter build`` and the folder watcher.

read → normalise & validate → metrics → write (xlsx, pdf, json). Delivery is separate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reporter.config import Config
from reporter.metrics.report import Report
from reporter.model import Dataset

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunResult:
    """What one build produced. Paths are inside ``out_dir``."""

    out_dir: Path
    dataset: Dataset
    report: Report
    briefing_reports: dict[str, Report]  # segment value → that segment's report
    workbook: Path
    metrics: Path
    briefings: dict[str, Path] = field(default_factory=dict)  # segment value → PDF


def check(inputs: Sequence[Path], config: Config) -> Dataset:
    """Read and validate only; writes nothing."""
    from reporter.read import load_dataset

    return load_dataset(list(inputs), config)


def run(
    inputs: Sequence[Path],
    config: Config,
    out_dir: Path,
    period: str | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Build every report for ``inputs`` into ``out_dir`` (atomically, all or nothing)."""
    raise NotImplementedError  # filled in by the metrics/pipeline work
