"""PDF briefings: one per segment, the segment's own figures, safe with hostile names."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from reporter import metrics
from reporter.config import Config
from reporter.errors import TemplateError
from reporter.model import Dataset, InputFile
from reporter.write.briefing import (
    default_templates,
    environment,
    prepare_jobs,
    render_briefings,
)
from reporter.write.briefing import format as fmt
from reporter.write.briefing.render import Job, render_pdf
from support.data import make_opportunities

IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel="attachment" href="file:///etc/hostname">../x'
REGIONS = ["West", "East", IMG, LINK]
PERIOD = "FY2025Q3"
SHA = "0123456789abcdef" * 4


def _rows() -> list[dict]:
    """Deals over five quarters of 2025-2026, spread over regions, reps and industries."""
    rows = []
    for i in range(160):
        region = REGIONS[i % len(REGIONS)]
        created = pd.Timestamp("2025-01-05") + pd.Timedelta(days=(i * 7) % 420)
        outcome = ("won", "lost", "won", "open", "lost")[i % 5]
        closed = outcome in ("won", "lost")
        rows.append(
            dict(
                opportunity_id=f"OPP-{i:03d}",
                opportunity_name=f"Deal {i}",
                owner=f"Rep {i % 6}",
                manager="Mia" if i % 2 else "Max",
                account=f"Account {i % 37}",
                stage=outcome,
                outcome=outcome,
                amount=1000.0 + 37 * i,
                created_date=created,
                close_date=created + pd.Timedelta(days=20 + i % 30) if closed else None,
                region=region,
                industry=("Retail", "Health", "Software")[i % 3],
                loss_reason=("Price", "Timing")[i % 2] if outcome == "lost" else None,
            )
        )
    return rows


def _config(**briefings: object) -> Config:
    base = Config()
    return dataclasses.replace(
        base, briefings=dataclasses.replace(base.briefings, **{"workers": 1, **briefings})
    )


@pytest.fixture(scope="module")
def data() -> tuple[Dataset, metrics.Report, dict[str, metrics.Report]]:
    frame = make_opportunities(_rows())
    config = Config()
    dataset = Dataset(opportunities=frame, inputs=(InputFile("team.xlsx", SHA, len(frame)),))
    return (
        dataset,
        metrics.compute(frame, config, PERIOD),
        metrics.segment_reports(frame, config, PERIOD),
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, data) -> tuple[Path, dict[str, Path]]:
    dataset, overall, segments = data
    out = tmp_path_factory.mktemp("out")
    return out, render_briefings(out, segments, overall, dataset, _config())


def text_of(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def squash(text: str) -> str:
    """Text without whitespace: PDF extraction breaks long words across lines."""
    return re.sub(r"\s+", "", text)


def test_one_pdf_per_segment(rendered, data) -> None:
    out, paths = rendered
    assert set(paths) == set(data[2]) == set(REGIONS)
    on_disk = sorted((out / "briefings").iterdir())
    assert sorted(paths.values()) == on_disk
    assert all(p.suffix == ".pdf" and p.stat().st_size > 1000 for p in on_disk)


@pytest.mark.parametrize("segment", REGIONS, ids=["West", "East", "img", "link"])
def test_pdf_shows_the_segments_own_figures(rendered, data, segment) -> None:
    _, overall, segments = data
    report = segments[segment]
    h, prev = report.headline, report.headline_previous
    text = text_of(rendered[1][segment])
    flat = squash(text)
    expected = [
        report.period.label,
        fmt.money(h.won_amount),
        fmt.money(prev.won_amount),
        fmt.percent(h.win_rate),
        fmt.interval(h.ci_low, h.ci_high),
        fmt.money(h.acv_mean),
        fmt.days(h.cycle_days_median),
        f"{fmt.integer(h.won_opportunities)} won, {fmt.integer(h.lost_opportunities)} lost",
        SHA[:12],
    ]
    for figure in expected:
        assert squash(figure) in flat, figure
    # metrics.json's win_rate_by_segment row for this segment says the same thing.
    rows = overall.win_rate_by_segment
    row = rows[(rows["dimension"] == "region") & (rows["segment"] == segment)].iloc[0]
    assert squash(fmt.percent(row["win_rate"])) in flat
    assert (row["won"], row["lost"]) == (h.won_opportunities, h.lost_opportunities)
    assert re.search(r"Page 1 of \d", text)


def test_top_reps_are_this_segments_reps(rendered, data) -> None:
    report = data[2]["West"]
    reps = report.won_opportunities_by_rep
    reps = reps[(reps["quarter"] == report.period.label) & (reps["won_opportunities"] > 0)]
    text = text_of(rendered[1]["West"])
    for rep in reps["rep"]:
        assert rep in text


@pytest.mark.parametrize("segment", [IMG, LINK], ids=["img", "link"])
def test_hostile_segment_name_prints_as_text(rendered, segment) -> None:
    out, paths = rendered
    path = paths[segment]
    assert path.resolve().parent == (out / "briefings").resolve()
    assert "/" not in path.name and not path.name.startswith(".")
    assert squash(segment) in squash(text_of(path))
    reader = PdfReader(path)
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert not reader.attachments
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            assert annot.get_object().get("/Subtype") != "/FileAttachment"


def test_hostile_segment_name_triggers_no_fetch(tmp_path, data) -> None:
    dataset, overall, segments = data
    picked = {s: segments[s] for s in (IMG, LINK)}
    for job in prepare_jobs(tmp_path, picked, overall, dataset, _config()):
        done = render_pdf(job)
        assert not [u for u in done.requested if not u.startswith("data:")], done.requested


def test_fetcher_refuses_files_even_in_raw_markup(tmp_path) -> None:
    """Defence in depth: HTML that *did* carry the markup still fetches nothing."""
    html = (
        "<html><body><p>raw</p>"
        '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/hostname">'
        '<img src="http://169.254.169.254/latest"><img src="../../../../etc/passwd">'
        "<style>@import url(file:///etc/hostname);</style>"
        '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">'
        "</body></html>"
    )
    job = Job(
        "raw", html, ("p { color: red }",), tmp_path.as_uri() + "/", (), str(tmp_path / "r.pdf")
    )
    done = render_pdf(job)
    assert {"file:///etc/passwd", "file:///etc/hostname"} <= set(done.refused)
    assert any(u.startswith("http://169.254.169.254") for u in done.refused)
    assert all(not u.startswith("data:") for u in done.refused)
    assert not PdfReader(tmp_path / "r.pdf").attachments


@pytest.mark.parametrize("name", ["x.html.j2", "x.txt", "x"], ids=["j2", "txt", "noext"])
def test_autoescape_whatever_the_extension(tmp_path, name) -> None:
    (tmp_path / name).write_text("{{ v }}")
    assert environment([tmp_path]).get_template(name).render(v=IMG) == (
        "&lt;img src=&#34;file:///etc/passwd&#34;&gt;"
    )


def test_strict_undefined(tmp_path) -> None:
    (tmp_path / "t.j2").write_text("{{ missing }}")
    with pytest.raises(Exception, match="missing"):
        environment([tmp_path]).get_template("t.j2").render()


@pytest.mark.parametrize(
    ("paper", "size"), [("A4", (595, 842)), ("Letter", (612, 792))], ids=["A4", "Letter"]
)
def test_paper_size(tmp_path, data, paper, size) -> None:
    dataset, overall, segments = data
    paths = render_briefings(
        tmp_path, {"West": segments["West"]}, overall, dataset, _config(paper=paper)
    )
    box = PdfReader(paths["West"]).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_rows_are_capped_with_a_note(tmp_path, data) -> None:
    dataset, overall, segments = data
    config = _config(max_rows=1, top_reps=1)
    paths = render_briefings(tmp_path, {"East": segments["East"]}, overall, dataset, config)
    assert "… and" in text_of(paths["East"])


@pytest.mark.slow
def test_pool_renders_the_same_briefings(tmp_path, rendered, data) -> None:
    dataset, overall, segments = data
    seen: list[str] = []
    paths = render_briefings(tmp_path, segments, overall, dataset, _config(workers=2), seen.append)
    assert len(seen) == len(segments)
    assert {p.name for p in paths.values()} == {p.name for p in rendered[1].values()}
    for segment, path in paths.items():
        assert text_of(path) == text_of(rendered[1][segment])


def test_override_folder_rebrands_and_serves_its_assets(tmp_path, data) -> None:
    dataset, overall, segments = data
    brand = tmp_path / "brand"
    (brand / "assets").mkdir(parents=True)
    (brand / "assets" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" '
        'height="10"/></svg>'
    )
    (brand / "briefing.css").write_text("h1 { color: #c00; } .masthead { content: normal; }")
    base = (default_templates() / "base.html.j2").read_text()
    (brand / "base.html.j2").write_text(
        base.replace(
            '<header class="masthead">',
            '<header class="masthead">ACME BRAND<img src="assets/logo.svg" alt="">',
        )
    )
    config = _config(templates=str(brand))
    jobs = prepare_jobs(tmp_path, {"West": segments["West"]}, overall, dataset, config)
    done = render_pdf(jobs[0])
    assert done.refused == ()
    assert any(u.endswith("/assets/logo.svg") for u in done.requested)
    assert "ACME BRAND" in text_of(Path(done.target))
    (brand / "assets" / "logo.svg").unlink()
    with pytest.raises(TemplateError, match=r"logo\.svg"):
        render_pdf(jobs[0])


def test_failed_render_leaves_previous_briefings(tmp_path, data) -> None:
    dataset, overall, segments = data
    first = render_briefings(tmp_path, {"West": segments["West"]}, overall, dataset, _config())
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "briefing.html.j2").write_text("{{ b.no_such_key }}")
    with pytest.raises(TemplateError, match="no_such_key"):
        render_briefings(tmp_path, segments, overall, dataset, _config(templates=str(broken)))
    assert sorted((tmp_path / "briefings").iterdir()) == [first["West"]]
