"""The workbook opened by a real spreadsheet: LibreOffice headless recalculates every
formula and must find the values we saved; each sheet renders to a readable page.

LibreOffice does not recalculate .xlsx files on load by default (it trusts the saved
values, which would make this test pass vacuously), so it runs with a private profile
that sets Calc's OOXMLRecalcMode to "always"; a scratch workbook with a deliberately
wrong saved value proves the recalculation really happens.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from test_xlsx import close, computed_report

from reporter.config import Config
from reporter.write.xlsx import SHEETS, write_workbook
from support.xlsx_helpers import hand_dataset, hand_report

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    """A private LibreOffice profile that recalculates .xlsx formulas on load."""
    folder = tmp_path_factory.mktemp("lo-profile")
    (folder / "user").mkdir()
    (folder / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    return folder


def convert(source: Path, to: str, profile: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    result = out / f"{source.stem}.{to}"
    assert result.exists(), f"LibreOffice wrote no {to}"
    return result


def test_libreoffice_really_recalculates(tmp_path, profile):
    scratch = tmp_path / "scratch.xlsx"
    workbook = xlsxwriter.Workbook(str(scratch))
    sheet = workbook.add_worksheet("S")
    sheet.write_number(0, 0, 2)
    sheet.write_formula(0, 1, "=A1*21", None, 5)  # deliberately wrong saved value
    workbook.close()
    again = convert(scratch, "xlsx", profile, tmp_path / "out")
    assert openpyxl.load_workbook(again, data_only=True)["S"]["B1"].value == 42


REPORTS = {
    "hand-targets": lambda: (hand_report(), hand_dataset(rep_targets=True)),
    "computed": lambda: (computed_report(), hand_dataset()),
}


@pytest.mark.parametrize("which", list(REPORTS), ids=list(REPORTS))
def test_recalculated_values_equal_saved_values(tmp_path, profile, which):
    report, dataset = REPORTS[which]()
    path = tmp_path / "sales-report.xlsx"
    write_workbook(path, report, dataset, Config())
    again = convert(path, "xlsx", profile, tmp_path / "out")
    formulas = openpyxl.load_workbook(path)
    saved = openpyxl.load_workbook(path, data_only=True)
    recalculated = openpyxl.load_workbook(again, data_only=True)
    checked, differ = 0, []
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                before = saved[ws.title][cell.coordinate].value
                after = recalculated[ws.title][cell.coordinate].value
                checked += 1
                if not close(before, after):
                    differ.append((ws.title, cell.coordinate, cell.value, before, after))
    assert checked > 20
    assert differ == []


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_every_sheet_renders(tmp_path, profile):
    """Each sheet prints (landscape, fit to width): a page per sheet, named in its footer."""
    path = tmp_path / "sales-report.xlsx"
    write_workbook(path, hand_report(), hand_dataset(rep_targets=True), Config())
    pdf = convert(path, "pdf", profile, tmp_path / "pdf")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "pdf" / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted((tmp_path / "pdf").glob("page*.png"))
    assert len(pages) >= len(SHEETS)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for name in SHEETS:
        assert name in text
    assert "###" not in text  # no number too wide for its column
