"""One PDF briefing per segment: Jinja templates → HTML → WeasyPrint, optionally in parallel.

The built-in templates ship inside this package (``templates/``, package data, so an
installed wheel renders too); ``[briefings] templates`` in config.toml names a folder whose
files win over them (rebranding without code).
HTML is rendered here, in the calling process; PDFs are rendered by
:func:`reporter.write.briefing.render.render_pdf`, serially or in a process pool.
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from reporter.config import Config
from reporter.errors import OutputError, ReporterError, TemplateError
from reporter.files import atomic_dir
from reporter.metrics.report import Report
from reporter.model import Dataset
from reporter.printable import printable
from reporter.write.briefing.branding import theme_css
from reporter.write.briefing.context import build_context
from reporter.write.briefing.render import Done, Job, render_pdf
from reporter.write.briefing.slug import inside, unique_slugs

LOG = logging.getLogger("reporter.briefings")
TEMPLATE = "briefing.html.j2"
STYLESHEET = "briefing.css"
ASSETS = "assets"
PAPER = {"A4": "@page { size: A4 portrait; }", "Letter": "@page { size: letter portrait; }"}


def default_templates() -> Path:
    """The built-in templates: ``templates/`` beside this module, shipped as package data."""
    folder = Path(__file__).resolve().parent / "templates"
    if not (folder / TEMPLATE).is_file():
        raise TemplateError(
            f"built-in briefing templates not found in {folder}",
            hint="reinstall reporter (its wheel carries the templates as package data)",
        )
    return folder


def export_templates(dest: Path) -> list[Path]:
    """Copy the built-in templates into ``dest`` to rebrand from; existing files are kept.

    Returns the files copied (an existing file of the same name is never overwritten).
    """
    source = default_templates()
    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        copied = []
        for path in sorted(source.iterdir()):
            target = dest / path.name
            if path.is_file() and not target.exists():
                target.write_bytes(path.read_bytes())
                copied.append(target)
    except OSError as exc:
        raise OutputError(
            f"cannot copy the templates into {dest}: {exc.strerror or exc}",
            hint="choose another folder, or fix its permissions",
        ) from None
    return copied


def template_dirs(config: Config) -> list[Path]:
    """Folders searched for templates, CSS and assets: the override first, then the default."""
    dirs = []
    if config.briefings.templates:
        folder = Path(config.briefings.templates).expanduser()
        if not folder.is_absolute() and config.source:
            folder = Path(config.source).resolve().parent / folder
        if not folder.is_dir():
            raise TemplateError(
                f"[briefings] templates folder {folder} does not exist",
                hint="create it, or remove the key to use the built-in templates",
            )
        dirs.append(folder.resolve())
    dirs.append(default_templates())
    return dirs


def environment(dirs: Sequence[Path]) -> jinja2.Environment:
    """A Jinja environment that escapes everything, whatever the template's file name.

    ``select_autoescape()`` would leave ``.j2`` files unescaped; a cell holding
    ``<img src="file:///etc/passwd">`` must print as text, so autoescape is always on.
    """
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def stylesheets(dirs: Sequence[Path], config: Config) -> tuple[str, ...]:
    """The briefing CSS (first folder that has it), the [theme]'s colours, the paper size."""
    for folder in dirs:
        css = folder / STYLESHEET
        if css.is_file():
            themed = theme_css(config.theme)
            paper = PAPER[config.briefings.paper]
            return (css.read_text(encoding="utf-8"), *([themed] if themed else []), paper)
    raise TemplateError(f"no {STYLESHEET} in {', '.join(map(str, dirs))}")


def render_html(
    report: Report, overall: Report, dataset: Dataset, config: Config, env: jinja2.Environment
) -> str:
    """One segment's briefing as HTML text."""
    context = build_context(report, overall, dataset, config)
    try:
        return env.get_template(TEMPLATE).render(b=context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"briefing template {exc.name!r} not found",
            hint="copy it from the built-in templates/ folder into your templates folder",
        ) from None
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or TEMPLATE
        line = getattr(exc, "lineno", None)
        raise TemplateError(
            f"briefing template {where}{f' line {line}' if line else ''}: {exc}",
            hint="fix the template; variables available are listed in docs/briefings.md",
        ) from None


def pool_size(config: Config, jobs: int) -> int:
    """How many worker processes: ``[briefings] workers`` (0 = one per CPU), at most ``jobs``."""
    wanted = config.briefings.workers or os.cpu_count() or 1
    return max(1, min(wanted, jobs))


def prepare_jobs(
    folder: Path, briefings: dict[str, Report], overall: Report, dataset: Dataset, config: Config
) -> list[Job]:
    """Render every briefing's HTML and name its PDF (a safe slug inside ``folder``)."""
    dirs = template_dirs(config)
    env = environment(dirs)
    css = stylesheets(dirs, config)
    assets = tuple(str(d / ASSETS) for d in dirs)
    base_url = dirs[0].as_uri() + "/"
    slugs = unique_slugs(briefings)
    return [
        Job(
            segment=segment,
            html=render_html(report, overall, dataset, config, env),
            stylesheets=css,
            base_url=base_url,
            assets=assets,
            target=str(inside(folder, slugs[segment])),
        )
        for segment, report in briefings.items()
    ]


def render_briefings(
    out_dir: Path,
    briefings: dict[str, Report],
    overall: Report,
    dataset: Dataset,
    config: Config,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Write one PDF per segment into ``out_dir / "briefings"``; return segment → path.

    The folder is replaced whole (stale briefings of vanished segments disappear), and
    only after every PDF rendered: a failure leaves the previous briefings untouched.
    With several briefings and ``[briefings] workers`` ≠ 1, PDFs render in a process
    pool; ``progress`` is called once per finished PDF.
    """
    final = Path(out_dir) / "briefings"
    with atomic_dir(final) as tmp:
        jobs = prepare_jobs(tmp, briefings, overall, dataset, config)
        done = _run(jobs, pool_size(config, len(jobs)), progress)
    for result in done:
        for url in result.refused:
            LOG.warning("briefing %r: refused to fetch %s", result.segment, printable(url))
        for message in result.warnings:
            LOG.warning("briefing %r: %s", result.segment, printable(message))
    return {job.segment: final / Path(job.target).name for job in jobs}


def _run(jobs: list[Job], workers: int, progress: Callable[[str], None] | None) -> list[Done]:
    def tick(done: Done, n: int) -> None:
        if progress is not None:
            progress(f"briefing {n}/{len(jobs)}: {done.segment}")

    if workers <= 1:
        results = []
        for n, job in enumerate(jobs, start=1):
            results.append(render_pdf(job))
            tick(results[-1], n)
        return results
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=_context()) as pool:
        futures = {pool.submit(render_pdf, job): job for job in jobs}
        results = []
        try:
            for n, future in enumerate(concurrent.futures.as_completed(futures), start=1):
                results.append(_result(future, futures[future]))
                tick(results[-1], n)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def _result(future: concurrent.futures.Future[Done], job: Job) -> Done:
    try:
        return future.result()
    except ReporterError:
        raise
    except concurrent.futures.process.BrokenProcessPool:
        raise OutputError(
            f"briefing {job.segment!r}: the PDF worker died (out of memory?)",
            hint="set [briefings] workers = 1 to render in one process, or lower max_rows",
        ) from None
    except Exception as exc:
        raise OutputError(f"briefing {job.segment!r} failed to render: {exc}") from exc


def _context() -> Any:
    """Forkserver where available: workers start clean, never copying a parent's threads
    (the folder watcher runs threads, and forking a threaded process can deadlock)."""
    if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["reporter.write.briefing.render", "weasyprint"])
        return ctx
    return multiprocessing.get_context("spawn")
