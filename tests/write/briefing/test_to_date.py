"""A running quarter is labelled "to date" in the briefing's table and chart, and a won
amount the core cannot know is "—" with its reason (issue 9, Left 3 and 1)."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from reporter.write.briefing.charts import fill
from reporter.write.briefing.render import render_pdf
from support.briefing_job import segment_job
from support.figures import targets


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """Q2 2025 whole (3 deals in May); Q3 2025 running: the last deal closes 15 Aug 2025.

    i = 0..7, won when i is even: Q2 holds i = 0, 1, 2 (won 0 and 2, 1,000 each); Q3 holds
    i = 3..7 (won 4 and 6; deal 4 has no amount, deal 6 has 1,000).
    """
    rows = [
        dict(
            opportunity_id=f"O{i}",
            owner=f"Rep {i % 2}",
            account=f"A{i}",
            stage=("won", "lost")[i % 2],
            outcome=("won", "lost")[i % 2],
            amount=None if i == 4 else 1000.0,
            created_date="2025-04-01",
            close_date="2025-05-10" if i < 3 else "2025-08-15",
            region="West",
        )
        for i in range(8)
    ]
    job = segment_job(rows, tmp_path_factory.mktemp("briefings"), "FY2025Q3", sha="ef")
    pages = PdfReader(render_pdf(job).target).pages
    return job, re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))


def test_running_quarter_is_labelled_to_date_in_the_table(running):
    _job, text = running
    assert "FY2025 Q3 (to 15 Aug)" in text
    assert "FY2025 Q2 (to" not in text  # a whole quarter carries no label
    assert "FY2025 Q3 (to 15 Aug): still running, its figures go through 15 Aug 2025" in text


def test_unknown_won_amount_is_a_dash_with_its_reason(running):
    _job, text = running
    # Q3: 2 won, deal 4 without an amount, deal 6 with 1,000 → no total, the reason instead
    assert "FY2025 Q3 won amount —: 1 won deal has no amount; the other 1 totals 1,000" in text
    # Rep 0 won both Q3 deals: its row says the same
    assert "Rep 0 won amount —: 1 won deal has no amount; the other 1 totals 1,000" in text
    assert "FY2025 Q2 won amount —" not in text  # Q2's two amounts are known: 2,000


def test_running_quarter_is_marked_on_the_trend_chart(running):
    job, text = running
    svg = fill(job.html, job.charts)
    trend = svg[svg.index("<svg") : svg.index("</svg>")]
    # the running quarter's axis label has a second line, "to 15 Aug"
    assert re.search(r"<tspan>FY2025 Q3</tspan><tspan[^>]*>to 15 Aug</tspan>", trend)
    # one pale, dashed bar: only Q3 (Q2 is whole; earlier quarters have no deals)
    assert len(re.findall(r'stroke-dasharray="3,2"', trend)) == 1
    assert "Pale bar, open point: FY2025 Q3 (to 15 Aug), the quarter to date" in text


def _attainment(tmp_path_factory, period: str) -> str:
    """Rep 0's deals: won 800 on 10 May 2025 (FY2025 Q2, whole), won 1,000 on 10 Jul and 500
    on 15 Aug 2025 (FY2025 Q3, running: the data stop on 15 Aug). Targets: Q2 1,000, Q3 6,000.
    Attainment: Q2 800 / 1,000 = 80 %; Q3 so far (1,000 + 500) / 6,000 = 25 %."""
    closes = [("2025-05-10", 800.0), ("2025-07-10", 1000.0), ("2025-08-15", 500.0)]
    rows = [
        dict(
            opportunity_id=f"O{i}",
            owner="Rep 0",
            account=f"A{i}",
            stage="won",
            outcome="won",
            amount=amount,
            created_date="2025-04-01",
            close_date=close,
            region="West",
        )
        for i, (close, amount) in enumerate(closes)
    ]
    goals = targets([("rep", "Rep 0", "FY2025 Q2", 1000.0), ("rep", "Rep 0", "FY2025 Q3", 6000.0)])
    folder = tmp_path_factory.mktemp("attainment")
    job = segment_job(rows, folder, period, sha="cd", targets=goals)
    pages = PdfReader(render_pdf(job).target).pages
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))


def _reps_table(text: str) -> str:
    return text[text.index("Top reps by won opportunities") : text.index("Win rate by segment")]


def test_a_running_quarters_attainment_is_marked_to_date(tmp_path_factory):
    reps = _reps_table(_attainment(tmp_path_factory, "FY2025Q3"))
    assert "Attainment (to 15 Aug)" in reps  # the column's heading
    assert "6,000 25%" in reps  # Rep 0's target and attainment so far (no currency given)
    assert (
        "Attainment (to 15 Aug): won amount so far against the whole quarter's target; "
        "FY2025 Q3 is still running." in reps
    )


def test_a_whole_quarters_attainment_is_not_marked(tmp_path_factory):
    # FY2025 Q2 ended before the data stop: its attainment is final
    reps = _reps_table(_attainment(tmp_path_factory, "FY2025Q2"))
    assert "1,000 80%" in reps
    assert "Attainment" in reps and "(to " not in reps and "still running" not in reps
