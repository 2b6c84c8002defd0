"""[theme] on the briefings: logo, company, colours, font and footer reach the PDF; no
theme keeps the built-in look (no extra CSS, no logo)."""

from __future__ import annotations

import base64
import dataclasses
import re

import pytest
from pypdf import PdfReader

from reporter import metrics
from reporter.config import Config
from reporter.model import Dataset, InputFile
from reporter.theme import Theme
from reporter.write.briefing import (
    prepare_jobs,
    render_briefings,
    stylesheets,
    template_dirs,
)
from reporter.write.briefing.charts import Chart, fill, placeholder
from reporter.write.briefing.render import render_pdf
from support.data import REPO, make_opportunities

LOGO = REPO / "samples" / "brand" / "logo.png"
THEME = Theme(
    company="Acme <Analytics>",
    logo=str(LOGO),
    primary="#7A1FA2",
    accent="#00897B",
    font="DejaVu Serif",
    footer="Confidential & internal",
)


@pytest.fixture(scope="module")
def data():
    rows = [
        dict(
            opportunity_id=f"O{i}",
            owner=f"Rep {i % 3}",
            account=f"A{i}",
            stage=("won", "lost")[i % 2],
            outcome=("won", "lost")[i % 2],
            amount=1000.0 + i,
            created_date="2025-07-01",
            close_date="2025-08-15",
            region=("West", "East")[(i // 2) % 2],
        )
        for i in range(12)
    ]
    frame = make_opportunities(rows)
    dataset = Dataset(opportunities=frame, inputs=(InputFile("t.xlsx", "ab" * 32, 12),))
    config = Config()
    return (
        dataset,
        metrics.compute(frame, config, "FY2025Q3"),
        metrics.segment_reports(frame, config, "FY2025Q3"),
    )


def themed(theme: Theme = THEME) -> Config:
    base = Config()
    return dataclasses.replace(
        base, theme=theme, briefings=dataclasses.replace(base.briefings, workers=1)
    )


def html_of(data, config: Config, tmp_path) -> str:
    dataset, overall, segments = data
    jobs = prepare_jobs(tmp_path, segments, overall, dataset, config)
    return fill(jobs[0].html, jobs[0].charts)  # the charts as the worker draws them


def test_default_theme_adds_nothing(data, tmp_path):
    config = themed(Theme())
    css = stylesheets(template_dirs(config), config)
    assert len(css) == 2  # briefing.css and the paper size, as before themes
    html = html_of(data, config, tmp_path)
    assert 'class="logo"' not in html and "rf-theme" not in html


def test_theme_reaches_the_html(data, tmp_path):
    config = themed()
    css = "".join(stylesheets(template_dirs(config), config))
    assert "#7A1FA2" in css and '"DejaVu Serif"' in css
    html = html_of(data, config, tmp_path)
    logo = base64.b64encode(LOGO.read_bytes()).decode()
    assert f'src="data:image/png;base64,{logo}"' in html
    assert "Acme &lt;Analytics&gt; · Sales briefing" in html  # escaped like any text
    assert "Confidential &amp; internal" in html
    assert 'fill="#7A1FA2"' in html  # the highlighted bar of the comparison chart


def test_themed_pdf_shows_logo_company_and_footer(data, tmp_path):
    dataset, overall, segments = data
    paths = render_briefings(tmp_path, segments, overall, dataset, themed())
    reader = PdfReader(next(iter(paths.values())))
    first = reader.pages[0]
    text = re.sub(r"\s+", " ", first.extract_text())
    assert "ACME <ANALYTICS> · SALES BRIEFING" in text.upper()
    assert "Confidential & internal" in text
    images = list(first.images)
    assert len(images) == 1  # the logo, embedded (not fetched)
    assert images[0].image.size == (240, 60)


def test_charts_are_drawn_by_the_pdf_renderer(data, tmp_path):
    """The parent renders HTML with placeholders; the worker's render_pdf draws the charts."""
    dataset, overall, segments = data
    job = prepare_jobs(tmp_path, {"West": segments["West"]}, overall, dataset, Config())[0]
    assert "<svg" not in job.html
    assert [name for name, _ in job.charts] == ["trend", "comparison"]
    assert placeholder("trend") in job.html and placeholder("comparison") in job.html
    pages = PdfReader(render_pdf(job).target).pages
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))
    # West: 3 won, 3 lost → 50.0 %, directional (6 closed < 20): the comparison chart's label
    assert "50.0% *" in text


def test_fill_draws_only_the_charts_the_template_places():
    unused = ("comparison", Chart("not a spec: drawing it would fail", "[]"))
    assert fill("<p>no charts here</p>", [unused]) == "<p>no charts here</p>"
