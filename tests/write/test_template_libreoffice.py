"""The filled sample template opened by a real spreadsheet: LibreOffice headless
recalculates every formula (forced by a private profile; openpyxl saves no values at all),
and the results must equal metrics.json."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from support.template import filled_sample, quarter_reps, sample_metrics

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]
# Calc's OOXMLRecalcMode 0 = always recalculate an .xlsx on load
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> openpyxl.Workbook:
    filled = filled_sample()
    folder = tmp_path_factory.mktemp("lo")
    (folder / "profile" / "user").mkdir(parents=True)
    (folder / "profile" / "user" / "registrymodifications.xcu").write_text(PROFILE)
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(folder / "out"),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return openpyxl.load_workbook(folder / "out" / filled.name, data_only=True)


def test_summary_formulas_equal_metrics(recalculated):
    metrics = sample_metrics()
    ws = recalculated["Summary"]
    head = metrics["headline"]
    n = len(quarter_reps(metrics))
    total = 14 + n
    assert ws["B9"].value == pytest.approx(head["win_rate"], abs=1e-12)
    assert ws["B10"].value == pytest.approx(head["coverage"], abs=1e-12)
    assert ws[f"C{total}"].value == head["won_opportunities"]
    assert ws[f"D{total}"].value == pytest.approx(head["won_amount"])
    assert ws[f"E{total}"].value == head["lost_opportunities"]
    assert ws[f"F{total}"].value == pytest.approx(head["win_rate"], abs=1e-12)
    assert (ws[f"C{total + 1}"].value, ws[f"D{total + 1}"].value) == (0, 0)
    for i, rep in enumerate(sorted(quarter_reps(metrics), key=lambda r: -r["won_amount"])):
        if rep["win_rate"] is not None:
            assert ws[f"F{14 + i}"].value == pytest.approx(rep["win_rate"], abs=1e-12)


def test_trend_formulas_equal_metrics(recalculated):
    metrics = sample_metrics()
    ws = recalculated["Trend"]
    trend = metrics["trend"]
    for i, row in enumerate(trend, start=2):
        assert ws[f"A{i}"].value == row["quarter"]
        assert ws[f"E{i}"].value == pytest.approx(row["win_rate"], abs=1e-12)
    total = 2 + len(trend)
    assert ws[f"B{total}"].value == sum(r["won_opportunities"] for r in trend)
    assert ws[f"C{total}"].value == pytest.approx(sum(r["won_amount"] for r in trend))
    assert ws[f"C{total + 2}"].value == pytest.approx(metrics["headline"]["won_amount"])
