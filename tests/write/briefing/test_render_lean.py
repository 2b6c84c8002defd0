"""The briefing renderer's user-agent stylesheet drops only the universal pseudo-elements:
what a page shows is the same as with WeasyPrint's own stylesheet."""

from __future__ import annotations

import base64
import dataclasses
import re

from pypdf import PdfReader
from weasyprint import CSS, HTML

from reporter.config import Config
from reporter.write.briefing import prepare_jobs
from reporter.write.briefing.charts import fill
from reporter.write.briefing.render import Job, render_pdf
from support.xlsx_helpers import small_opportunities


def text(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_lists_and_line_breaks_keep_their_markers(tmp_path):
    html = "<ul><li>alpha</li><li>beta</li></ul><ol><li>one</li></ol><p>left<br>right</p>"
    job = Job("lists", html, (), tmp_path.as_uri() + "/", (), str(tmp_path / "lists.pdf"))
    (page,) = text(render_pdf(job).target)
    assert page.count("•") == 2 and "1." in page  # list markers still drawn
    assert "left\nright" in page  # <br> still breaks the line


def test_a_briefing_reads_the_same_as_with_weasyprints_own_stylesheet(tmp_path):
    from reporter import metrics
    from reporter.model import Dataset, InputFile

    frame = small_opportunities()
    config = Config()
    dataset = Dataset(opportunities=frame, inputs=(InputFile("t.xlsx", "ab" * 32, len(frame)),))
    overall = metrics.compute(frame, config, "FY2026Q3")
    segment, report = next(iter(metrics.segment_reports(frame, config, "FY2026Q3").items()))
    (job,) = prepare_jobs(tmp_path, {segment: report}, overall, dataset, config)
    stock = tmp_path / "stock.pdf"
    HTML(string=fill(job.html, job.charts), base_url=job.base_url).write_pdf(
        stock, stylesheets=[CSS(string=s) for s in job.stylesheets]
    )
    lean = render_pdf(dataclasses.replace(job, target=str(tmp_path / "lean.pdf"))).target
    assert text(lean) == text(stock)


def test_charts_become_images_of_the_same_svg_and_nothing_else_changes():
    from reporter.write.briefing.render import as_images

    chart = (
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart marks" width="9">'
        "<text>&lt;b&gt;</text></svg>"
    )
    logo = '<svg xmlns="http://www.w3.org/2000/svg" class="logo"><rect/></svg>'
    html = f"<p>a</p>{chart}<p>b</p>{logo}{chart}"
    out = as_images(html)
    images = re.findall(r'<img class="chart" alt="" src="data:image/svg\+xml;base64,([^"]+)">', out)
    assert [base64.b64decode(i).decode() for i in images] == [chart, chart]
    assert out.replace(
        f'<img class="chart" alt="" src="data:image/svg+xml;base64,{images[0]}">', "X"
    ) == (f"<p>a</p>X<p>b</p>{logo}X")
