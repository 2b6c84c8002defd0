"""HTML → PDF for one briefing, safe to run in a worker process.

A :class:`Job` is plain picklable data (the HTML is rendered by Jinja in the parent), so
the same function serves the serial path and the process pool. WeasyPrint is imported
here only, so ``reporter --help`` stays fast.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import logging
import re
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporter.errors import OutputError, TemplateError
from reporter.files import atomic_path

if TYPE_CHECKING:  # the chart engine loads where charts are drawn, never in the fork server
    from reporter.write.briefing.charts import Chart

TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Job:
    """Everything needed to turn one briefing's HTML into a PDF file."""

    segment: str
    html: str
    stylesheets: tuple[str, ...]  # CSS text, applied in order (never URLs)
    base_url: str  # file:// URL of the template folder, for relative asset links
    assets: tuple[str, ...]  # folders the fetcher may read files from
    target: str
    timeout: int = TIMEOUT_SECONDS
    # charts drawn by the worker into the HTML's placeholders (name, chart)
    charts: tuple[tuple[str, Chart], ...] = ()


@dataclass(frozen=True)
class Done:
    """What a render produced: the file, every URL WeasyPrint asked for, refusals, warnings."""

    segment: str
    target: str
    requested: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# Environment notices that say nothing about the briefing itself.
_BENIGN = ("Using fontTools instead of HarfBuzz",)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(_BENIGN):
            self.messages.append(message[:500])


@contextlib.contextmanager
def _deadline(seconds: int, segment: str) -> Iterator[None]:
    """Abort a render that runs past ``seconds`` (pathological CSS, huge layouts).

    SIGALRM only works in a main thread on POSIX; elsewhere (a watcher thread, Windows)
    the render runs unbounded, which is why the pool path is preferred for many briefings.
    """
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"briefing {segment!r} took more than {seconds} s to render")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# WeasyPrint's user-agent stylesheet gives *every* element six pseudo-elements
# (``::marker``, ``::footnote-call``, ``::footnote-marker``, ``::note-*``), each cascaded and
# computed: with ~900 elements per briefing that was a quarter of its CPU. Markers only
# exist on list items and footnotes only where a template floats one, so the briefing
# renderer uses the same stylesheet with those rules scoped to list items (and the
# footnote/note ones dropped): measured 0.52 → 0.38 s CPU per 100k briefing.
_UNIVERSAL_MARKER = re.compile(r"^::marker ", re.M)
_UNIVERSAL_NOTES = re.compile(r"^::(?:footnote|note)[-\w]* \{[^}]*\}\n", re.M)


@functools.cache
def _lean_ua() -> Any:
    """WeasyPrint's HTML5 stylesheet without the universal pseudo-element rules, or None
    when this WeasyPrint does not ship it where expected (then its own is used)."""
    import weasyprint
    from weasyprint import CSS

    path = Path(weasyprint.__file__).parent / "css" / "html5_ua.css"
    if not path.is_file():
        return None
    text = _UNIVERSAL_MARKER.sub("li::marker, summary::marker ", path.read_text("utf-8"))
    return CSS(string=_UNIVERSAL_NOTES.sub("", text))


@functools.cache
def _lean_html() -> Any:
    """``weasyprint.HTML`` whose user-agent stylesheet is :func:`_lean_ua` (the stock one
    when the method WeasyPrint takes it from is gone or the file is missing)."""
    from weasyprint import HTML

    class LeanHTML(HTML):  # type: ignore[misc]  # WeasyPrint ships no types
        def _ua_stylesheets(self, *args: Any, **kw: Any) -> list[Any]:
            sheets: list[Any] = super()._ua_stylesheets(*args, **kw)
            lean = _lean_ua()
            return [lean, *sheets[1:]] if lean is not None and sheets else sheets

    return LeanHTML


# An inline <svg> costs WeasyPrint three passes: its HTML parser tokenises every element,
# the cascade styles each one as an HTML element, then the subtree is serialised and parsed
# again as SVG to be drawn. The same chart as an <img> of a data: URL is parsed once (by
# ElementTree) and drawn the same. Vega escapes every label, so no "</svg>" hides inside.
_CHART_SVG = re.compile(r'<svg [^>]*class="chart [^>]*>.*?</svg>', re.S)


def as_images(html: str) -> str:
    """``html`` with each drawn chart (``<svg class="chart …">``) as an ``<img class="chart">``
    of the same SVG."""

    def image(match: re.Match[str]) -> str:
        data = base64.b64encode(match.group(0).encode("utf-8")).decode("ascii")
        return f'<img class="chart" alt="" src="data:image/svg+xml;base64,{data}">'

    return _CHART_SVG.sub(image, html)


def warm() -> None:
    """Load WeasyPrint and the fonts in a fresh worker, before its first real briefing.
    (Its charts arrive drawn: see :func:`with_charts`.)"""
    _lean_html()(string="<p>warm</p>").write_pdf()


def warm_charts() -> None:
    """Start the chart engine (V8, ~0.3 s CPU) in this process before its first chart."""
    from reporter.theme import DEFAULT
    from reporter.write.briefing import charts

    charts.draw(charts.chart({"mark": "point", "data": {"values": []}}, DEFAULT))


def with_charts(job: Job) -> Job:
    """``job`` with its charts drawn into its HTML (nothing left for the renderer to draw)."""
    from reporter.write.briefing.charts import fill

    if not job.charts:
        return job
    return dataclasses.replace(job, html=fill(job.html, job.charts), charts=())


def render_pdf(job: Job) -> Done:
    """Write ``job.target`` atomically. Raises TemplateError/OutputError naming the segment."""
    from weasyprint import CSS
    from weasyprint.urls import FatalURLFetchingError

    from reporter.write.briefing.charts import fill
    from reporter.write.briefing.fetch import AssetFetcher

    fetcher = AssetFetcher([Path(a) for a in job.assets])
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        with _deadline(job.timeout, job.segment):
            html = as_images(fill(job.html, job.charts))
            document = _lean_html()(string=html, base_url=job.base_url, url_fetcher=fetcher)
            sheets = [
                CSS(string=text, base_url=job.base_url, url_fetcher=fetcher)
                for text in job.stylesheets
            ]
            with atomic_path(Path(job.target)) as tmp:
                # Presentational hints stay off (CVE-2026-49452); no attachments option.
                document.write_pdf(tmp, stylesheets=sheets, presentational_hints=False)
    except FatalURLFetchingError as exc:
        raise TemplateError(
            f"briefing {job.segment!r}: {exc}",
            hint="put the file in the templates' assets/ folder or remove the reference",
        ) from None
    except TimeoutError as exc:
        raise OutputError(str(exc), hint="lower [briefings] max_rows or simplify the CSS") from None
    except OSError as exc:
        raise OutputError(
            f"briefing {job.segment!r} could not be written to {job.target}: {exc.strerror}"
        ) from None
    finally:
        logger.removeHandler(collect)
    return Done(
        job.segment,
        job.target,
        tuple(fetcher.requested),
        tuple(fetcher.refused),
        tuple(collect.messages),
    )
