"""One PDF briefing per segment: Jinja templates → HTML → WeasyPrint, optionally in parallel.

The built-in templates ship inside this package (``templates/``, package data, so an
installed wheel renders too); ``[briefings] templates`` in config.toml names a folder whose
files win over them (rebranding without code).
HTML is rendered here, in the calling process; PDFs are rendered by
:func:`reporter.write.briefing.render.render_pdf`, serially or in a process pool.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import jinja2

from reporter.config import Config
from reporter.errors import OutputError, TemplateError
from reporter.files import atomic_dir
from reporter.metrics.report import Report
from reporter.model import Dataset
from reporter.printable import printable
from reporter.write.briefing.branding import theme_css
from reporter.write.briefing.context import Deferred, build_context
from reporter.write.briefing.pool import Batch, Renderers, preload
from reporter.write.briefing.render import Job
from reporter.write.briefing.slug import inside, unique_slugs

LOG = logging.getLogger("reporter.briefings")
TEMPLATE = "briefing.html.j2"
STYLESHEET = "briefing.css"
ASSETS = "assets"
BRIEFINGS_DIR = "briefings"
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
    One environment per set of folders and process: its templates are compiled once
    (~0.1 s), not once per batch, and recompiled when a file changes (Jinja checks).
    """
    return _environment(tuple(Path(d) for d in dirs))


@functools.lru_cache(maxsize=16)
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
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
    report: Report,
    overall: Report,
    dataset: Dataset,
    config: Config,
    env: jinja2.Environment,
    deferred: Deferred | None = None,
    *,
    company: bool = False,
) -> str:
    """One segment's briefing as HTML text; with ``deferred``, charts left to the worker.

    ``company``: the whole company's briefing (its kicker and footer say so).
    """
    context = build_context(report, overall, dataset, config, deferred, company=company)
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
    folder: Path,
    briefings: dict[str, Report],
    overall: Report,
    dataset: Dataset,
    config: Config,
    *,
    company: bool = False,
) -> list[Job]:
    """Render every briefing's HTML and name its PDF (a safe slug inside ``folder``)."""
    return list(_jobs(folder, briefings, overall, dataset, config, company=company))


def _jobs(
    folder: Path,
    briefings: dict[str, Report],
    overall: Report,
    dataset: Dataset,
    config: Config,
    *,
    company: bool = False,
) -> Iterator[Job]:
    """One job per briefing, each rendered to HTML only when it is asked for."""
    dirs = template_dirs(config)
    env = environment(dirs)
    css = stylesheets(dirs, config)
    assets = tuple(str(d / ASSETS) for d in dirs)
    base_url = dirs[0].as_uri() + "/"
    slugs = unique_slugs(briefings)
    for segment, report in briefings.items():
        # the charts are drawn by whoever renders the PDF (a worker, in parallel)
        deferred: Deferred = {}
        html = render_html(report, overall, dataset, config, env, deferred, company=company)
        yield Job(
            segment=segment,
            html=html,
            stylesheets=css,
            base_url=base_url,
            assets=assets,
            target=str(inside(folder, slugs[segment])),
            charts=tuple(deferred.items()),
        )


def preload_renderers(config: Config) -> None:
    """Let the briefing workers' fork server load WeasyPrint in the background now, before
    the number of briefings is known (see :func:`reporter.write.briefing.pool.preload`):
    whenever two briefings would render in a pool."""
    preload(pool_size(config, 2))


def start_renderers(config: Config, briefings: int) -> Renderers:
    """Worker processes for ``briefings`` PDFs, started now so they are warm when needed."""
    return Renderers(pool_size(config, briefings))


@contextlib.contextmanager
def rendering(
    out_dir: Path,
    briefings: dict[str, Report],
    overall: Report,
    dataset: Dataset,
    config: Config,
    renderers: Renderers,
    company: bool = False,
) -> Iterator[Batch]:
    """Hand every briefing to ``renderers``; the caller works meanwhile, then ``wait()``s.

    The PDFs land in ``out_dir / "briefings"``, which is replaced whole and only after
    every PDF rendered (a failure leaves the previous briefings untouched). Leaving the
    block waits for any PDF not yet collected. With ``company``, the company-wide briefing
    renders in the same batch (``batch.company`` names it).
    """
    final = Path(out_dir) / BRIEFINGS_DIR
    batch = Batch(renderers)
    whole = None
    with atomic_dir(final) as tmp:
        try:
            if company:
                # The longest PDF goes first, so that no worker is left rendering it alone
                # at the end while the other has nothing to do.
                taken = {inside(tmp, slug).name for slug in unique_slugs(briefings).values()}
                whole = company_job(tmp, overall, dataset, config, taken)
                batch.add([whole])
                batch.whole = whole.target
            batch.add(_jobs(tmp, briefings, overall, dataset, config))
            yield batch
            done = batch.wait()
        except BaseException:
            batch.cancel()
            raise
    for result in done:
        for url in result.refused:
            LOG.warning("briefing %r: refused to fetch %s", result.segment, printable(url))
        for message in result.warnings:
            LOG.warning("briefing %r: %s", result.segment, printable(message))
    batch.paths = {
        job.segment: final / Path(job.target).name
        for job in batch.jobs
        if job.target != batch.whole
    }
    batch.company = final / Path(whole.target).name if whole else None


def restate(
    batch: Batch,
    briefings: dict[str, Report],
    overall: Report,
    dataset: Dataset,
    config: Config,
) -> int:
    """Render again the briefings of ``batch`` whose restatements became known after they
    were handed over: each segment of ``briefings`` that has some, and the company-wide
    briefing when ``overall`` has any. Returns how many.

    A build hands the briefings to the workers before it compares with the history, so
    that they render meanwhile; restatements only add a section to the briefings they
    concern, so every other PDF already is the final one.
    """
    targets = {job.segment: job.target for job in batch.jobs if job.target != batch.whole}
    changed = {seg: report for seg, report in briefings.items() if report.restatements}
    folder = Path(batch.jobs[0].target).parent if batch.jobs else Path()
    redo = [
        dataclasses.replace(job, target=targets[job.segment])
        for job in (_jobs(folder, changed, overall, dataset, config) if changed else ())
    ]
    if batch.whole is not None and overall.restatements:
        job = company_job(folder, overall, dataset, config, set())
        redo.append(dataclasses.replace(job, target=batch.whole))
    for job in redo:
        batch.redo(job)
    return len(redo)


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
    with (
        start_renderers(config, len(briefings)) as renderers,
        rendering(out_dir, briefings, overall, dataset, config, renderers) as batch,
    ):
        batch.wait(progress)
    return batch.paths


COMPANY_FILE = "company.pdf"
COMPANY_TITLE = "Company-wide"


def company_job(
    folder: Path, overall: Report, dataset: Dataset, config: Config, taken: set[str]
) -> Job:
    """The company-wide briefing for leadership, from the same templates: ``folder/company.pdf``.

    ``taken`` are the segments' file names: a segment that took ``company.pdf`` (in any
    case: Windows and macOS fold it) leaves this one ``company-wide.pdf`` (or the first
    free ``company-wide-N.pdf``).
    """
    # The briefing dimension, so the comparison chart shows every segment side by side.
    report = dataclasses.replace(overall, segment=(config.briefings.by, COMPANY_TITLE))
    names = (COMPANY_FILE, "company-wide.pdf", *(f"company-wide-{n}.pdf" for n in range(2, 999)))
    folded = {t.lower() for t in taken}
    name = next(n for n in names if n not in folded)
    (job,) = prepare_jobs(folder, {COMPANY_TITLE: report}, overall, dataset, config, company=True)
    return dataclasses.replace(job, target=str(folder / name))
