"""The command line as a user meets it: help, summaries, exit codes, no tracebacks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from reporter.cli import cli
from support.data import DATASETS, REPO

SAMPLES = REPO / "samples"


def invoke(runner, *args, cwd: Path | None = None):
    if cwd is None:
        return runner.invoke(cli, [str(a) for a in args])
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(cli, [str(a) for a in args])


def test_every_command_has_help_and_is_documented(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    readme = (REPO / "README.md").read_text()
    for name, command in cli.commands.items():
        sub = runner.invoke(cli, [name, "--help"])
        assert sub.exit_code == 0, name
        assert command.help, f"{name} has no help text"
        assert f"reporter {name}" in readme, f"README does not show `reporter {name}`"


def test_build_samples_writes_three_outputs_and_a_summary(runner, tmp_path):
    out = tmp_path / "out"
    result = invoke(runner, "build", SAMPLES, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert (out / "sales-report.xlsx").stat().st_size > 0
    assert (out / "metrics.json").stat().st_size > 0
    assert len(list((out / "briefings").glob("*.pdf"))) == 4
    assert "quarantined" in result.output
    assert "Period: FY2026 Q4" in result.output
    assert "quarter to date: data through 2026-11-20" in result.output
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["period"]["data_through"] == "2026-11-20"
    assert doc["period"]["complete"] is False
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_strict_exits_1_when_rows_were_quarantined(runner, tmp_path):
    result = invoke(runner, "check", SAMPLES, "--strict")
    assert result.exit_code == 1, result.output
    assert "missing-owner" in result.output


def test_corrupt_file_exits_2_names_file_and_fix_and_writes_nothing(runner, tmp_path):
    bad = tmp_path / "Q3 pipeline.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook")
    out = tmp_path / "out"
    result = invoke(runner, "build", bad, "--out", out)
    assert result.exit_code == 2
    assert "Q3 pipeline.xlsx" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_failed_build_keeps_previous_outputs(runner, tmp_path):
    out = tmp_path / "out"
    assert invoke(runner, "build", SAMPLES, "--out", out, "-q").exit_code == 0
    before = (out / "metrics.json").read_bytes()
    bad = tmp_path / "broken.csv"
    bad.write_text("nothing,useful\n1,2\n")
    result = invoke(runner, "build", bad, "--out", out)
    assert result.exit_code == 2
    assert (out / "metrics.json").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--period", "FY2026Q9"], "FY2026Q3"),
        (["--period", "FY2031Q1"], "outside the data"),
    ],
    ids=["malformed-period", "period-outside-data"],
)
def test_bad_period_exits_2(runner, tmp_path, args, fragment):
    result = invoke(runner, "build", SAMPLES, "--out", tmp_path / "o", *args)
    assert result.exit_code == 2
    assert fragment in result.output


def test_bad_config_exits_2_with_hint(runner, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[win_rate]\nmin_close = 5\n")
    result = invoke(runner, "check", SAMPLES, "--config", config)
    assert result.exit_code == 2
    assert "min_closed" in result.output


def test_missing_input_exits_2(runner, tmp_path):
    result = invoke(runner, "check", tmp_path / "nope.xlsx")
    assert result.exit_code == 2
    assert "nope.xlsx" in result.output


def test_salesforce_data_loader_export_counts_exactly_the_iswon_rows(runner, tmp_path):
    folder = DATASETS / "salesforce-data-cloud-workshop"
    if not folder.is_dir():
        pytest.skip("shared dataset missing")
    with open(folder / "Opportunity.csv", encoding="utf-8-sig", newline="") as fh:
        expected = sum(1 for row in csv.DictReader(fh) if row["IsWon"].strip() == "1")
    out = tmp_path / "out"
    result = invoke(
        runner, "build", folder / "Opportunity.csv", folder / "Account.csv", "--out", out, "-q"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "metrics.json").read_text())
    reps = doc["won_opportunities_by_rep"]
    assert sum(r["won_opportunities"] for r in reps) == expected == 12


def test_closed_deals_without_close_dates_explain_themselves(runner, tmp_path):
    book = tmp_path / "undated.csv"
    book.write_text(
        "Opportunity Owner,Stage,Close Date,Amount\n"
        "Ana,Closed Won,,100\nBo,Closed Lost,soon,50\nCy,Prospecting,,10\n"
    )
    result = invoke(runner, "build", book, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "undated.csv" in result.output
    assert "2 won/lost row(s) were quarantined" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_templates_copies_the_built_ins_and_keeps_existing_files(runner, tmp_path):
    dest = tmp_path / "brand"
    dest.mkdir()
    (dest / "briefing.css").write_text("h1 { color: red; }")
    result = invoke(runner, "templates", dest)
    assert result.exit_code == 0, result.output
    assert (dest / "briefing.css").read_text() == "h1 { color: red; }"
    assert "{% extends" in (dest / "briefing.html.j2").read_text()
    assert {p.name for p in dest.iterdir()} == {
        "base.html.j2",
        "briefing.css",
        "briefing.html.j2",
        "charts.html.j2",
        "restatements.html.j2",
        "statement.html.j2",
    }
    again = invoke(runner, "templates", dest)
    assert again.exit_code == 0
    assert "Nothing copied" in again.output


@pytest.mark.slow
def test_briefing_failing_in_a_worker_after_the_workbook_keeps_previous_outputs(runner, tmp_path):
    # The workbook and metrics.json are written while the pool renders the PDFs; a PDF that
    # fails in a worker must still leave the previous build exactly as it was.
    out = tmp_path / "out"
    assert invoke(runner, "build", SAMPLES, "--out", out, "-q").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    pdfs = sorted(p.name for p in (out / "briefings").iterdir())
    brand = tmp_path / "brand"
    (brand / "assets").mkdir(parents=True)
    (brand / "briefing.html.j2").write_text('<p>Briefing</p><img src="assets/gone.svg">')
    config = tmp_path / "config.toml"
    config.write_text(f'[briefings]\ntemplates = "{brand}"\nworkers = 2\n')
    result = invoke(runner, "build", SAMPLES, "--out", out, "--config", config)
    assert result.exit_code == 2, result.output
    assert "gone.svg" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in (out / "briefings").iterdir()) == pdfs
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
