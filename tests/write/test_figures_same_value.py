"""Property: every figure the workbook, the PDFs' text and metrics.json show is the core's.

One real build of samples/ (a running quarter, rep targets, four regions). Hypothesis draws
figures from each output (rows of the Rep Bonuses, Pipeline, Won Customers and Win Rate by
Segment sheets, headline rows of the Summary, records of metrics.json, each briefing's
tiles, top reps, bridge and pipeline) and compares each with the same figure of the
metrics core's Report, the briefing's figures formatted by the one formatting module.
"""

from __future__ import annotations

import json
import math
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from reporter.config import load
from reporter.pipeline import run
from reporter.write.briefing import format as fmt
from support.data import REPO

pytestmark = pytest.mark.slow
SAMPLED = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("same-value")
    result = run([REPO / "samples"], load(REPO / "config.toml"), out)
    values = openpyxl.load_workbook(out / "sales-report.xlsx", data_only=True)
    texts = {
        segment: " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)
        for segment, path in result.briefings.items()
    }
    doc = json.loads((out / "metrics.json").read_text())
    return result, values, texts, doc


def same(shown: Any, core: Any) -> bool:
    """A shown value against the core's: numbers to 1e-9, missing as blank, "—" or null."""
    missing = core is None or (isinstance(core, float) and math.isnan(core))
    if missing:
        return shown in (None, "", "—")
    if isinstance(core, bool) or isinstance(shown, bool):
        return bool(shown) == bool(core)
    if isinstance(core, int | float):
        return isinstance(shown, int | float) and math.isclose(shown, core, rel_tol=1e-9)
    return shown == core


def sheet_records(ws) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [
        dict(zip(header, r, strict=False))
        for r in rows[1:]
        if r[0] is not None and not str(r[0]).startswith("Total")
    ]


def json_record(records: list[dict[str, Any]], row: dict[str, Any]) -> dict[str, Any]:
    """The metrics.json record of a sheet row's dimension and segment."""
    key = (row["Dimension"], row["Segment"])
    return next(r for r in records if (r["dimension"], r["segment"]) == key)


def test_the_build_has_every_kind_of_figure(built):
    result, _values, texts, doc = built
    report = result.report
    assert report.like_for_like and report.won_opportunities_by_rep["target"].notna().any()
    assert len(texts) == 4 and doc["bridge"]


@SAMPLED
@given(st.data())
def test_rep_bonuses_rows_are_the_cores(built, data):
    result, values, _texts, doc = built
    core = result.report.won_opportunities_by_rep.set_index(["rep", "quarter"])
    row = data.draw(st.sampled_from(sheet_records(values["Rep Bonuses"])))
    # the running quarter is shown "FY2026 Q4 (to 20 Nov)" (samples' data end on 20 Nov)
    quarter = row["Quarter"].removesuffix(" (to 20 Nov)")
    want = core.loc[(row["Rep"], quarter)]
    assert (quarter != row["Quarter"]) == (want["to_date"] == "2026-11-20")
    row["Attainment"] = next(v for k, v in row.items() if k.startswith("Attainment"))
    for header, key in (
        ("Won opportunities", "won_opportunities"),
        ("Won amount", "won_amount"),
        ("Lost opportunities", "lost_opportunities"),
        ("Win rate", "win_rate"),
        ("95% CI low", "ci_low"),
        ("95% CI high", "ci_high"),
        ("Target", "target"),
        ("Attainment", "attainment"),
    ):
        assert same(row[header], want[key]), (row["Rep"], row["Quarter"], header)
    record = next(
        r
        for r in doc["won_opportunities_by_rep"]
        if (r["rep"], r["quarter"]) == (row["Rep"], quarter)
    )
    for key in ("won_opportunities", "won_amount", "win_rate", "target", "attainment"):
        assert same(record[key], want[key]), key


def test_rep_bonuses_total_is_the_cores(built):
    result, values, _texts, doc = built
    rows = list(values["Rep Bonuses"].iter_rows(values_only=True))
    header, total = rows[0], rows[-1]
    totals = result.report.rep_totals
    assert total[0] == f"Total {result.report.period.label} (to 20 Nov)"
    assert total[header.index("Won opportunities")] == totals["won_opportunities"]
    assert total[header.index("Won opportunities")] == result.report.headline.won_opportunities
    # the column holds whole quarters too: the header is plain, the quarter cell says "(to …)"
    attainment = header.index("Attainment")
    assert same(total[attainment], totals["attainment"])
    assert doc["rep_totals"] == pytest.approx(totals)


@SAMPLED
@given(st.data())
def test_pipeline_rows_are_the_cores_in_sheet_and_json(built, data):
    result, values, _texts, doc = built
    core = result.report.pipeline.set_index(["dimension", "segment"])
    row = data.draw(st.sampled_from(sheet_records(values["Pipeline"])))
    want = core.loc[(row["Dimension"], row["Segment"])]
    record = next(
        r
        for r in doc["pipeline"]
        if (r["dimension"], r["segment"]) == (row["Dimension"], row["Segment"])
    )
    for header, key in (
        ("Open opportunities", "open_opportunities"),
        ("Open amount", "open_amount"),
        ("Target", "target"),
        ("Coverage", "coverage"),
    ):
        assert same(row[header], want[key]), header
        assert same(record[key], want[key]), key


@SAMPLED
@given(st.data())
def test_won_customers_sheet_is_the_cores_bridge(built, data):
    result, values, _texts, doc = built
    core = result.report.bridge_by_quarter.set_index(["quarter", "dimension", "segment"])
    row = data.draw(st.sampled_from(sheet_records(values["Won Customers"])))
    quarter = row["Quarter"].removesuffix(" (to 20 Nov)")  # the running quarter's label
    want = core.loc[(quarter, row["Dimension"], row["Segment"])]
    assert row["Won customers (new accounts' first wins)"] == want["new_customer_first_wins"]
    assert row["Further wins of new accounts"] == want["new_customer_further_wins"]
    assert row["Wins from existing customers"] == want["existing_customer_wins"]
    assert row["Wins without an account"] == want["no_account_wins"]
    assert row["Won opportunities (= the four before)"] == want["won_opportunities"]
    if quarter == result.report.period.label:
        record = next(
            b
            for b in doc["bridge"]
            if (b["dimension"], b["segment"]) == (row["Dimension"], row["Segment"])
        )
        assert record["won_opportunities"] == want["won_opportunities"]


@SAMPLED
@given(st.data())
def test_segment_rates_are_the_cores(built, data):
    result, values, _texts, doc = built
    core = result.report.win_rate_by_segment.set_index(["dimension", "segment"])
    row = data.draw(st.sampled_from(sheet_records(values["Win Rate by Segment"])))
    want = core.loc[(row["Dimension"], row["Segment"])]
    record = json_record(doc["win_rate_by_segment"], row)
    for header, key in (
        ("Won", "won"),
        ("Lost", "lost"),
        ("Win rate", "win_rate"),
        ("95% CI low", "ci_low"),
        ("Amount-weighted win rate", "amount_weighted_win_rate"),
    ):
        assert same(row[header], want[key]), header
        assert same(record[key], want[key]), key


def test_summary_headline_and_changes_are_the_cores(built):
    result, values, _texts, doc = built
    report = result.report
    rows = list(values["Summary"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == "Measure")
    header = rows[at]
    table = {r[0]: r for r in rows[at + 1 :] if r[0]}
    now = header.index(f"{report.period.label} (to 20 Nov)")  # a running quarter
    before = header.index(report.previous_label)
    full = header.index(report.previous_full_label)
    change = header.index("Change")
    changes = {c.name: c for c in report.changes}
    checks = {
        "Won opportunities": "won_opportunities",
        "Won amount (bookings)": "won_amount",
        "Won customers (new accounts)": "won_customers",
        "Average deal size (ACV, mean)": "acv_mean",
        "Open pipeline amount (now)": "open_amount",
        "Pipeline coverage (open ÷ target)": "coverage",
    }
    for label, name in checks.items():
        row = table[label]
        assert same(row[now], getattr(report.headline, name)), label
        assert same(row[before], getattr(report.headline_previous, name)), label
        assert same(row[full], getattr(report.headline_previous_full, name)), label
        c = changes[name]
        assert same(row[change], c.points if c.kind == "rate" else c.delta), label
        assert same(doc["headline"][name], getattr(report.headline, name)), name
        assert same(doc["headline_previous"][name], getattr(report.headline_previous, name))


@SAMPLED
@given(st.data())
def test_briefing_text_shows_the_segments_core_figures(built, data):
    result, _values, texts, doc = built
    segment = data.draw(st.sampled_from(sorted(texts)))
    report = result.briefing_reports[segment]
    text = texts[segment]
    currency = report.currency
    h, before = report.headline, report.headline_previous
    tiles = {
        "won opportunities": fmt.integer(h.won_opportunities),
        "won amount": fmt.money(h.won_amount, currency),
        "previous won amount": fmt.money(before.won_amount, currency),
        "win rate": fmt.percent(h.win_rate),
        "counts": f"{h.win_rate_won} won, {h.win_rate_lost} lost",
        "interval": fmt.interval(h.ci_low, h.ci_high),
        "open amount": f"worth {fmt.money(h.open_amount, currency)}",
        "coverage": f"coverage {fmt.percent(h.coverage, 0)}",
    }
    name = data.draw(st.sampled_from(sorted(tiles)))
    assert tiles[name] in text, (segment, name)
    reps = report.won_opportunities_by_rep
    reps = reps[(reps["quarter"] == report.period.label) & (reps["won_opportunities"] > 0)]
    rep = reps.iloc[data.draw(st.integers(0, len(reps) - 1))]
    row = (
        f"{rep['rep']} ",
        f" {fmt.integer(rep['won_opportunities'])} {fmt.money(rep['won_amount'], currency)} ",
        fmt.interval(rep["ci_low"], rep["ci_high"]),
        fmt.percent(rep["attainment"], 0),
    )
    assert all(part in text for part in row), (segment, rep["rep"])
    bridge = report.bridge.set_index("dimension").loc["all"]
    assert (
        f"From {bridge['won_opportunities']} won opportunities to "
        f"{bridge['new_customer_first_wins']} won customers"
    ) in text
    seg_doc = doc["briefings"]["segments"][segment]
    assert same(seg_doc["headline"]["won_amount"], h.won_amount)
    assert same(seg_doc["headline"]["coverage"], h.coverage)


def test_like_for_like_column_has_no_part_quarter_target(built):
    _result, values, _texts, _doc = built
    rows = list(values["Summary"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == "Measure")
    header = rows[at]
    target = next(r for r in rows[at + 1 :] if r[0] == "Target")
    # a target is for a whole quarter: "—" for Q3 to 20 Aug, the whole 5,420,000 beside it
    assert target[header.index("FY2026 Q3 to 20 Aug 2026")] == "—"
    assert target[header.index("FY2026 Q3 (full quarter)")] == 5_420_000
    assert "a target is for the whole quarter" in target[header.index("Note")]
    trend_at = next(i for i, r in enumerate(rows) if r[0] == "Quarter")
    assert rows[trend_at + 4][0] == "FY2026 Q4 (to 20 Nov)"  # the running quarter, last
