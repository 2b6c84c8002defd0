"""Branding as a user meets it: a themed build writes finance's filled template beside the
workbook; bad themes and templates stop with exit 2, the file, the cell and the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from reporter.cli import cli
from support.data import REPO

SAMPLES = REPO / "samples"
BRAND = SAMPLES / "brand"


def build(runner, config: Path, out: Path):
    return runner.invoke(cli, ["build", str(SAMPLES), "--config", str(config), "--out", str(out)])


def brand_copy(tmp_path: Path, extra: str = "") -> Path:
    """samples/brand copied into tmp_path with its config.toml (+ ``extra`` lines)."""
    folder = tmp_path / "brand"
    shutil.copytree(BRAND, folder)
    config = folder / "config.toml"
    config.write_text(config.read_text() + extra)
    return config


@pytest.mark.parametrize(
    ("theme", "message", "fix"),
    [
        ('primary = "#7A1FA"', "[theme] primary '#7A1FA' is not a colour", "5 digits, not 6"),
        ('logo = "nowhere.png"', "[theme] logo 'nowhere.png' not found", "relative to the config"),
        ('logo = "finance-template.xlsx"', "only PNG and SVG logos", "export the logo as .png"),
    ],
)
def test_bad_theme_exits_2_with_the_fix(runner, tmp_path, theme, message, fix):
    config = tmp_path / "config.toml"
    shutil.copy(BRAND / "finance-template.xlsx", tmp_path)
    config.write_text(f"[theme]\n{theme}\n")
    result = build(runner, config, tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert f"Fix: {fix}" in result.output or fix in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "sales-report.xlsx").exists()


def test_missing_template_exits_2(runner, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[workbook]\ntemplate = "finance.xlsx"\n')
    result = build(runner, config, tmp_path / "out")
    assert result.exit_code == 2
    assert "[workbook] template 'finance.xlsx' not found" in result.output


@pytest.mark.slow
def test_themed_build_writes_the_filled_template(runner, tmp_path):
    config = brand_copy(tmp_path)
    config.write_text(config.read_text().replace('"logo.svg"', '"logo.png"'))
    out = tmp_path / "out"
    result = build(runner, config, out)
    assert result.exit_code == 0, result.output
    assert str(out / "finance-template.xlsx") in result.output
    filled = openpyxl.load_workbook(out / "finance-template.xlsx")
    assert not any(
        isinstance(c.value, str) and "{{" in c.value
        for ws in filled.worksheets
        for row in ws.iter_rows()
        for c in row
    )
    # the theme reached both generated outputs
    assert len(openpyxl.load_workbook(out / "sales-report.xlsx")["Summary"]._images) == 1
    first = PdfReader(out / "briefings" / "West.pdf").pages[0]
    assert "ACME ANALYTICS · SALES BRIEFING" in first.extract_text()  # CSS upper-cases it
    assert [i.image.size for i in first.images] == [(240, 60)]  # the PNG logo, embedded
    # the template itself is never changed
    assert (
        "{{ table:"
        in openpyxl.load_workbook(tmp_path / "brand" / "finance-template.xlsx")["Summary"][
            "A14"
        ].value
    )


@pytest.mark.slow
def test_bad_placeholder_exits_2_and_keeps_the_previous_outputs(runner, tmp_path):
    config = brand_copy(tmp_path)
    out = tmp_path / "out"
    assert build(runner, config, out).exit_code == 0
    before = (out / "sales-report.xlsx").read_bytes()
    template = tmp_path / "brand" / "finance-template.xlsx"
    wb = openpyxl.load_workbook(template)
    wb["Summary"]["B6"] = "{{ headline.lost_oportunities }}"
    wb.save(template)
    result = build(runner, config, out)
    assert result.exit_code == 2, result.output
    assert (
        "finance-template.xlsx, sheet 'Summary', cell B6: unknown name "
        "'headline.lost_oportunities'" in result.output
    )
    assert "Fix: valid names near it: headline.lost_opportunities" in result.output
    assert "Traceback" not in result.output
    assert (out / "sales-report.xlsx").read_bytes() == before
