"""One orchestration function, shared by ``reporter build`` and the folder watcher.

read → normalise & validate → metrics → write (xlsx, pdf, json) → ``delivery.json`` (who
gets which briefing; sending is separate). Outputs are staged in a hidden folder inside
``out_dir`` and moved into place only when every one of them was written, so a failed run
leaves the previous outputs untouched; ``delivery.json`` is written last, so a run folder
that has one is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.config import Config
from reporter.deliver.identity import run_id
from reporter.deliver.manifest import MANIFEST_NAME, from_result
from reporter.deliver.manifest import write as write_manifest
from reporter.errors import InputError, OutputError
from reporter.files import STAGING, clean_stale_staging, replace_dir
from reporter.history.diff import Restatement
from reporter.metrics.report import Report
from reporter.model import Dataset
from reporter.progress import Progress

if TYPE_CHECKING:
    from reporter.history.record import Pending
    from reporter.metrics import Reports
    from reporter.write.briefing.pool import Renderers

WORKBOOK_NAME = "sales-report.xlsx"
METRICS_NAME = "metrics.json"
BRIEFINGS_DIR = "briefings"


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
    delivery: Path | None = None  # delivery.json, once written
    template: Path | None = None  # finance's template filled ([workbook] template)
    history: Path | None = None  # the history store this build was recorded in
    restatements: tuple[Restatement, ...] = ()  # what changed since closing / the last run
    company_briefing: Path | None = None  # briefings/company.pdf, when leadership gets it


def check(inputs: Sequence[Path], config: Config, progress: Progress | None = None) -> Dataset:
    """Read and validate only; writes nothing."""
    from reporter.read import load_dataset

    return load_dataset(list(inputs), config, progress)


def compute_all(
    dataset: Dataset, config: Config, period: str | None = None
) -> tuple[Report, dict[str, Report]]:
    """The company-wide report and one report per briefing segment, for one period."""
    reports = _compute(dataset, config, period)
    return reports.company, reports.segments


def _compute(dataset: Dataset, config: Config, period: str | None) -> Reports:
    from reporter.metrics import Settings
    from reporter.metrics import run as metrics

    _require_closed_deals(dataset)
    by = config.briefings.by
    return metrics(
        dataset.opportunities,
        Settings.of(config),
        period=period,
        targets=dataset.targets,
        by=by,
        # the readers' one currency label (None: the core reads the currency column)
        currency=dataset.currency,
    )


def _require_closed_deals(dataset: Dataset) -> None:
    """Stop with a message naming the files when nothing was won or lost."""
    opps = dataset.opportunities
    closed = opps["outcome"].isin(("won", "lost")) & opps["close_date"].notna()
    if closed.any():
        return
    files = ", ".join(Path(i.path).name for i in dataset.inputs) or "the inputs"
    undated = sum(1 for i in dataset.issues if i.code == "missing-close-date")
    why = (
        f"; {undated} won/lost row(s) were quarantined because their close date is "
        "missing or unreadable"
        if undated
        else ""
    )
    raise InputError(
        f"{files}: no won or lost opportunity with a close date, so there is no quarter "
        f"to report on{why}",
        hint="check the Stage (or IsWon/IsClosed) and Close Date columns; "
        "`reporter check` lists every row it set aside",
    )


def run(
    inputs: Sequence[Path],
    config: Config,
    out_dir: Path,
    period: str | None = None,
    progress: Progress | None = None,
    *,
    history: Path | None = None,
    source: str = "build",
) -> RunResult:
    """Build every output for ``inputs`` into ``out_dir``: workbook, briefings, metrics.json
    (atomically, all or nothing), then ``delivery.json``. ``reporter build`` and the
    folder watcher both call this.

    Before writing, the figures are compared with the history store (``history``, default
    :func:`reporter.history.record.history_path`): the restatements go into every output.
    Once the outputs are published the run is recorded there (``source``: build or watch).
    """
    from reporter.history.record import history_path
    from reporter.write.briefing import preload_renderers

    # The briefing workers' fork server loads WeasyPrint while the inputs are read.
    preload_renderers(config)
    say = progress or (lambda _msg: None)
    say(f"reading {len(inputs)} input(s)")
    dataset = check(inputs, config, progress)
    # The briefing workers start now and load the fonts while the metrics are computed.
    with _renderers(dataset, config) as renderers:
        say(f"computing metrics over {len(dataset.opportunities):,} opportunities")
        reports = _compute(dataset, config, period)
        store = history or history_path(config, Path(out_dir))
        out_dir = Path(out_dir)
        staging = _staging(out_dir)
        try:
            written = _write_all(staging, reports, dataset, config, store, renderers, say)
            _publish(staging, out_dir, config)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    company = written.company
    result = RunResult(
        out_dir=out_dir,
        dataset=dataset,
        report=written.report,
        briefing_reports=written.segments,
        workbook=out_dir / WORKBOOK_NAME,
        template=out_dir / name if (name := template_name(config)) else None,
        metrics=out_dir / METRICS_NAME,
        briefings={seg: out_dir / BRIEFINGS_DIR / p.name for seg, p in written.pdfs.items()},
        history=store,
        restatements=written.report.restatements,
        company_briefing=out_dir / BRIEFINGS_DIR / company.name if company else None,
    )
    say("recording the run in the history store")
    written.pending.record(source=source, out_dir=out_dir)
    say(f"writing {MANIFEST_NAME}")
    run = run_id(
        (i.sha256 for i in dataset.inputs), period, config, _latest(reports, period, config)
    )
    return replace(result, delivery=write_manifest(from_result(result, config, run)))


def _latest(reports: Reports, period: str | None, config: Config) -> str | None:
    """The quarter "latest" picks for these data, when a period was asked for: asking for
    that very quarter is the same run as not asking (see deliver.identity.period_key)."""
    if not period or reports.enriched is None:
        return None
    from reporter.metrics.summary import choose_period

    return choose_period(reports.enriched, config.periods.fiscal_year_start_month).label


def _compare(reports: Reports, dataset: Dataset, config: Config, store: Path) -> Pending:
    from reporter.history.compare import OpenQuarter
    from reporter.history.record import compare_build

    company = reports.company
    quarter = company.period.quarter
    assert reports.enriched is not None  # metrics.run always returns it
    return compare_build(
        store,
        OpenQuarter(quarter.label, quarter.start.isoformat(), quarter.end.isoformat()),
        company.won_opportunities_by_rep,
        company.won_customers_by_quarter,
        reports.enriched,
        dataset,
        config,
        currency=company.currency,  # the core's one currency label
    )


def _with_restatements(
    reports: Reports, found: list[Restatement]
) -> tuple[Report, dict[str, Report]]:
    """The reports carrying the restatements: all of them company-wide, and each segment's
    briefing those with a deal in that segment."""
    from reporter.history.records import for_segment

    company = replace(reports.company, restatements=tuple(found))
    segments = {
        seg: replace(r, restatements=tuple(for_segment(found, seg)))
        for seg, r in reports.segments.items()
    }
    return company, segments


def _renderers(dataset: Dataset, config: Config) -> Renderers:
    """Briefing workers sized for the segments the data have (each one PDF)."""
    from reporter.write.briefing import start_renderers

    frame = dataset.opportunities
    by = config.briefings.by
    segments = int(frame[by].nunique(dropna=False)) if by in frame.columns else os.cpu_count()
    company = 1 if config.delivery.leadership else 0  # the company-wide briefing
    return start_renderers(config, (segments or 1) + company)


def _staging(out_dir: Path) -> Path:
    """A fresh hidden staging folder inside ``out_dir`` (stale ones of dead runs removed)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        clean_stale_staging(out_dir)
        return Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=out_dir))
    except OSError as exc:
        raise OutputError(
            f"cannot write to output folder {out_dir}: {exc.strerror}",
            hint="choose another folder with --out, or fix its permissions",
        ) from None


@dataclass(frozen=True)
class _Written:
    """What :func:`_write_all` staged, and the history comparison it was written with."""

    pending: Pending
    report: Report  # company-wide, with every restatement
    segments: dict[str, Report]  # each with its own restatements
    pdfs: dict[str, Path]
    company: Path | None


def _write_all(
    staging: Path,
    reports: Reports,
    dataset: Dataset,
    config: Config,
    store: Path,
    renderers: Renderers,
    say: Progress,
) -> _Written:
    """Stage every output. The briefings go to the workers first and render while this
    process compares the figures with the history and then writes the workbook and
    metrics.json; a briefing that the comparison gives restatements is rendered again."""
    from reporter.write.briefing import rendering, restate
    from reporter.write.json import write_metrics
    from reporter.write.xlsx import write_workbook

    say(f"rendering {len(reports.segments)} briefing(s) by {config.briefings.by}")
    company = bool(config.delivery.leadership)  # leadership gets the company-wide view
    if company:
        say("rendering the company-wide briefing")
    with rendering(
        staging, reports.segments, reports.company, dataset, config, renderers, company
    ) as batch:
        say(f"comparing with the history in {store}")
        pending = _compare(reports, dataset, config, store)
        report, briefing_reports = _with_restatements(reports, pending.restatements)
        if restated := restate(batch, briefing_reports, report, dataset, config):
            say(f"rendering {restated} briefing(s) again with their restatements")
        say(f"writing {WORKBOOK_NAME}")
        write_workbook(staging / WORKBOOK_NAME, report, dataset, config)
        say(f"writing {METRICS_NAME}")
        write_metrics(staging / METRICS_NAME, report, dataset, config, briefing_reports)
        _fill_template(staging, config, say)
        batch.wait(say)
    return _Written(pending, report, briefing_reports, batch.paths, batch.company)


def template_name(config: Config) -> str | None:
    """The file name the filled ``[workbook] template`` gets in the output folder."""
    return Path(config.workbook.template).name if config.workbook.template else None


def _fill_template(staging: Path, config: Config, say: Progress) -> None:
    """Fill finance's template from the metrics.json just written: the very same figures."""
    name = template_name(config)
    if name is None or config.workbook.template is None:
        return
    from reporter.write.template import fill_template

    say(f"filling {name}")
    metrics = json.loads((staging / METRICS_NAME).read_text(encoding="utf-8"))
    fill_template(Path(config.workbook.template), metrics, staging / name)


def _publish(staging: Path, out_dir: Path, config: Config) -> None:
    """Move staged outputs into ``out_dir``; each replace is atomic."""
    try:
        filled = [n for n in [template_name(config)] if n]
        for name in (WORKBOOK_NAME, METRICS_NAME, *filled):
            os.replace(staging / name, out_dir / name)
        replace_dir(staging / BRIEFINGS_DIR, out_dir / BRIEFINGS_DIR)
    except PermissionError as exc:
        raise OutputError(
            f"cannot replace {exc.filename}: it is locked or read-only",
            hint="close the file if it is open in Excel or a PDF viewer, then run again",
        ) from None
    except OSError as exc:
        raise OutputError(
            f"cannot write the reports into {out_dir}: {exc.strerror or exc}",
            hint="check the free space and permissions of the output folder",
        ) from None
