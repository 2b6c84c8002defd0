"""[theme] on sales-report.xlsx, read back with openpyxl: header fills and chart series in
the theme's colours, the logo on Summary, company and footer in every print header."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest

from reporter.config import Config
from reporter.theme import Theme
from reporter.write.xlsx import write_workbook
from support.data import REPO
from support.xlsx_helpers import hand_dataset, hand_report

BRAND = REPO / "samples" / "brand"


def written(tmp_path, theme: Theme) -> openpyxl.Workbook:
    path = tmp_path / "sales-report.xlsx"
    write_workbook(path, hand_report(), hand_dataset(), dataclasses.replace(Config(), theme=theme))
    return openpyxl.load_workbook(path)


@pytest.mark.parametrize("logo", ["logo.png", "logo.svg"])
def test_themed_workbook(tmp_path, logo):
    theme = Theme(
        company="Acme & Co",
        logo=str(BRAND / logo),
        primary="#7A1FA2",
        accent="#00897B",
        footer="Confidential",
    )
    wb = written(tmp_path, theme)
    # tint of #7A1FA2 by 0.82 toward white: E7 D7 EE (see tests/test_theme.py)
    assert wb["Rep Bonuses"]["A1"].fill.fgColor.rgb == "FFE7D7EE"
    summary = wb["Summary"]
    assert summary["A1"].font.color.rgb == "FF7A1FA2"
    (image,) = summary._images
    assert image.anchor._from.col == summary.max_column  # right of every written column
    colours = []
    for chart in summary._charts:
        for part in {id(c): c for c in [chart, *chart._charts]}.values():
            for s in part.series:
                props = s.graphicalProperties
                fill = props.solidFill if props.solidFill is not None else props.line.solidFill
                colours.append(getattr(fill.srgbClr, "val", fill.srgbClr))
    # won opportunities, win rate, won amount: primary, accent, primary tinted 0.45
    # (0x7A: 122 + 133*0.45 = 181.85 -> B6; 0x1F: 31 + 224*0.45 = 131.8 -> 84;
    # 0xA2: 162 + 93*0.45 = 203.85 -> CC)
    assert sorted(colours) == sorted(["7A1FA2", "00897B", "B684CC"])
    for ws in wb.worksheets:
        assert ws.oddHeader.center.text == "Acme && Co"
        assert ws.oddHeader.right.text == "Confidential"
        assert ws.oddHeader.left.text == "&G"


def test_no_theme_no_logo_no_header(tmp_path):
    wb = written(tmp_path, Theme())
    assert wb["Rep Bonuses"]["A1"].fill.fgColor.rgb == "FFD9E1F2"
    assert wb["Summary"]._images == []
    assert all(ws.oddHeader.center.text is None for ws in wb.worksheets)
