"""Briefing layout read back from the PDF: a short top-reps table is never split across
pages, new customers are listed latest first, and a headline tile whose figure is not
known makes no comparison ("— vs — in …")."""

from __future__ import annotations

import dataclasses
import re

import pytest
from pypdf import PdfReader

from reporter.write.briefing.render import Job, render_pdf
from support.briefing_job import segment_job

REPS = ("Ann Ash", "Bob Birch", "Cy Cedar", "Di Dogwood")
# New customers' first wins in Q3 2025, deliberately out of order in the input
FIRST_WINS = {
    "Acme": "2025-08-02",
    "Bolt": "2025-09-20",
    "Crux": "2025-07-15",
    "Dyne": "2025-08-30",
}


def _rows() -> list[dict]:
    """FY2025 Q2 (May) and Q3 (Jul-Sep) deals for four reps in one region.

    Q2: one won deal without an amount and one with 1,000 → Q2's won amount is not known.
    Q3: four new customers' first wins (2,000 each) and one won deal without an amount →
    Q3's won amount is not known either; each rep also loses one deal in Q3.
    """
    rows = [
        dict(owner=REPS[0], account="Old", outcome="won", amount=None, close_date="2025-05-10"),
        dict(owner=REPS[1], account="Old", outcome="won", amount=1000.0, close_date="2025-05-12"),
        dict(owner=REPS[2], account="Old", outcome="won", amount=None, close_date="2025-08-01"),
    ]
    rows += [
        dict(owner=rep, account=account, outcome="won", amount=2000.0, close_date=day)
        for rep, (account, day) in zip(REPS, FIRST_WINS.items(), strict=True)
    ]
    rows += [
        dict(owner=rep, account="Lost Co", outcome="lost", amount=500.0, close_date="2025-09-01")
        for rep in REPS
    ]
    return [
        dict(
            row,
            opportunity_id=f"O{i}",
            opportunity_name=f"{row['account']} deal {i}",
            stage=row["outcome"],
            created_date="2025-04-01",
            region="West",
        )
        for i, row in enumerate(rows)
    ]


def _pages(job: Job) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(render_pdf(job).target).pages]


@pytest.fixture(scope="module")
def west(tmp_path_factory) -> Job:
    return segment_job(_rows(), tmp_path_factory.mktemp("briefings"), "FY2025Q3")


@pytest.fixture(scope="module")
def text(west) -> str:
    return " ".join(_pages(west))


@pytest.mark.slow
@pytest.mark.parametrize("room", [220, 225, 230])
def test_short_top_reps_table_is_not_split(west, tmp_path, room) -> None:
    # Everything above the top reps is swapped for a spacer that leaves room on page 1 for
    # the heading and a row or two but not the four-row table: it must move whole to page 2.
    html = west.html
    start, end = html.index('<section class="headline">'), html.index('<section class="reps')
    spacer = f'<div style="height: {room}mm"></div>'
    job = dataclasses.replace(
        west, html=html[:start] + spacer + html[end:], target=str(tmp_path / "w.pdf")
    )
    pages = _pages(job)
    (where,) = [i for i, page in enumerate(pages) if "Top reps by won opportunities" in page]
    for rep in REPS:
        assert rep in pages[where], f"{rep} not on the page of the top-reps heading"


def test_new_customers_are_listed_latest_first(text) -> None:
    assert "New customers won in FY2025 Q3 (4), latest first" in text
    section = text[text.index("latest first") : text.index("Loss reasons")]
    order = [
        section.index(day) for day in ("20 Sep 2025", "30 Aug 2025", "2 Aug 2025", "15 Jul 2025")
    ]
    assert order == sorted(order)


def test_unknown_won_amount_tile_makes_no_comparison(text) -> None:
    # both quarters' won amounts are unknown: the tile states Q2's as "—", no "vs". The last
    # deal closes 20 Sep, so Q3 runs to date and Q2 is cut at 20 Jun (its deals close in May)
    tile = text[text.index("Won amount") : text.index("Won customers")]
    assert "— vs" not in tile and " vs " not in tile
    assert "1 won deal has no amount; the other 4 total 8,000" in tile
    assert "FY2025 Q2 to 20 Jun 2025: — (not known)" in tile


def test_known_figures_are_still_compared(text) -> None:
    # won opportunities: Q3 has 5 (4 first wins + 1 without an amount), Q2 had 2
    tile = text[text.index("Won opportunities") : text.index("Won amount")]
    assert "5" in tile and "3 (+150.0%) vs 2 in FY2025 Q2" in tile
