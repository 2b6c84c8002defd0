"""Write ``samples/brand/finance-template.xlsx``: Acme Analytics finance's own report workbook.

Usage: ``python scripts/make_finance_template.py [OUTDIR]`` (default ``samples/brand``).
It sits in a subfolder so ``reporter build samples/`` does not read it as an input.

It is the kind of workbook a finance team already keeps, with placeholders for reporter
to fill (see docs/branding.md):

- ``Summary``: a purple title band, the quarter, five headline figures by name, a win
  rate and a coverage *formula* over them, then this quarter's rep bonuses as a table
  that grows downwards (largest won amount first) with a win-rate formula column, a totals
  row of ``SUM`` over the table, a check cell against the headline, a bar chart of
  won amount per rep anchored under the table, and the quarter in the print header.
- ``Trend``: an Excel table called ``trend`` (filled by its name, columns matched by
  their headers), a formula column, a totals row below it, a cell that refers to the
  Summary's headline figure, and a line chart over the table.
- Defined names over the filled ranges (``RepRows``, ``RepWonAmount``, ``RepTotal``),
  print titles, a header and footer, frozen panes and column widths.

Deterministic: no timestamps beyond openpyxl's fixed properties, so reruns are identical
in content.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo

PURPLE = "7A1FA2"
LILAC = "EBDDF1"
MONEY = '"$"#,##0'
WHITE_BOLD = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=PURPLE)
LIGHT_FILL = PatternFill("solid", fgColor=LILAC)
RULE = Border(top=Side(style="thin", color=PURPLE))


def summary(wb: Workbook) -> None:
    ws = wb.active
    ws.title = "Summary"
    ws["A1"] = "Acme Analytics — Sales report for finance"
    ws["A1"].font = Font(bold=True, size=16, color="FFFFFF")
    for col in "ABCDEF":
        ws[f"{col}1"].fill = HEADER_FILL
    ws["A2"] = "Quarter {{ period.label }}: {{ period.start }} to {{ period.end }}"
    ws["A2"].font = Font(italic=True, color="595959")
    figures = [
        ("Won opportunities", "{{ headline.won_opportunities }}", "#,##0"),
        ("Won amount", "{{ headline.won_amount }}", MONEY),
        ("Lost opportunities", "{{ headline.lost_opportunities }}", "#,##0"),
        ("Open amount", "{{ headline.open_amount }}", MONEY),
        ("Target", "{{ headline.target }}", MONEY),
        ("Win rate", "=B4/(B4+B6)", "0.0%"),
        ("Pipeline coverage", "=B7/B8", "0.00"),
    ]
    for i, (label, value, number_format) in enumerate(figures, start=4):
        ws.cell(i, 1, label).font = Font(bold=True)
        cell = ws.cell(i, 2, value)
        cell.number_format = number_format
        cell.fill = LIGHT_FILL
    headers = [
        "Rep",
        "Manager",
        "Won opportunities",
        "Won amount",
        "Lost opportunities",
        "Win rate",
    ]
    ws["A12"] = "Rep bonuses this quarter (by won amount)"
    ws["A12"].font = Font(bold=True, size=12, color=PURPLE)
    for j, header in enumerate(headers, start=1):
        cell = ws.cell(13, j, header)
        cell.font, cell.fill = WHITE_BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    ws["A14"] = (
        "{{ table: rep_bonuses | where quarter = period.label | sort won_amount desc"
        " | columns rep, manager, won_opportunities, won_amount, lost_opportunities }}"
    )
    ws["F14"] = '=IF(C14+E14=0,"",C14/(C14+E14))'
    for col, number_format in zip("CDEF", ("#,##0", MONEY, "#,##0", "0.0%"), strict=True):
        ws[f"{col}14"].number_format = number_format
    ws["A15"] = "Total"
    ws["C15"] = "=SUM(C14:C14)"
    ws["D15"] = "=SUM(D14:D14)"
    ws["E15"] = "=SUM(E14:E14)"
    ws["F15"] = "=C15/(C15+E15)"
    for col, number_format in zip("ACDEF", ("@", "#,##0", MONEY, "#,##0", "0.0%"), strict=True):
        ws[f"{col}15"].font = Font(bold=True)
        ws[f"{col}15"].border = RULE
        ws[f"{col}15"].number_format = number_format
    ws["A16"] = "Check: table total minus headline"
    ws["C16"] = "=C15-B4"
    ws["D16"] = "=D15-B5"
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Won amount by rep"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=4, min_row=14, max_row=14), titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=1, min_row=14, max_row=14))
    chart.series[0].graphicalProperties.solidFill = PURPLE
    chart.height, chart.width = 9, 16
    ws.add_chart(chart, "A18")
    for col, width in zip("ABCDEF", (26, 18, 12, 14, 12, 10), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "13:13"
    ws.oddHeader.center.text = "Acme Analytics — Finance — {{ period.label }}"
    ws.oddFooter.right.text = "Page &P of &N"
    wb.defined_names["RepRows"] = DefinedName("RepRows", attr_text="Summary!$A$14:$F$14")
    wb.defined_names["RepWonAmount"] = DefinedName("RepWonAmount", attr_text="Summary!$D$14:$D$14")
    wb.defined_names["RepTotal"] = DefinedName("RepTotal", attr_text="Summary!$D$15")


def trend(wb: Workbook) -> None:
    ws = wb.create_sheet("Trend")
    headers = ["Quarter", "Won opportunities", "Won amount", "Lost opportunities", "Win rate"]
    for j, header in enumerate(headers, start=1):
        ws.cell(1, j, header)
    ws["E2"] = '=IF(B2+D2=0,"",B2/(B2+D2))'
    for col, number_format in zip("BCDE", ("#,##0", MONEY, "#,##0", "0.0%"), strict=True):
        ws[f"{col}2"].number_format = number_format
    table = Table(displayName="trend", ref="A1:E2")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium12", showRowStripes=True)
    ws.add_table(table)
    ws["A3"] = "Total"
    ws["B3"] = "=SUM(B2:B2)"
    ws["C3"] = "=SUM(C2:C2)"
    ws["C3"].number_format = MONEY
    ws["A5"] = "This quarter's won amount (from Summary)"
    ws["C5"] = "=Summary!B5"
    ws["C5"].number_format = MONEY
    chart = LineChart()
    chart.title = "Win rate, trailing quarters"
    chart.add_data(Reference(ws, min_col=5, min_row=1, max_row=2), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=2))
    chart.series[0].graphicalProperties.line.solidFill = PURPLE
    chart.y_axis.number_format = "0%"
    ws.add_chart(chart, "G2")
    for col, width in zip("ABCDE", (14, 18, 14, 18, 10), strict=True):
        ws.column_dimensions[col].width = width


def logo_png(path: Path) -> None:
    """The sample logo as PNG (samples/brand/logo.svg is the same mark, drawn by hand)."""
    from PIL import Image, ImageDraw  # Pillow comes with WeasyPrint

    image = Image.new("RGB", (240, 60), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 59, 59), radius=10, fill="#" + PURPLE)
    draw.polygon([(14, 46), (30, 12), (46, 46)], fill="white")
    for i in range(4):  # four bars instead of text: no font needed, byte-identical reruns
        draw.rectangle((76 + i * 38, 44 - 8 * i, 102 + i * 38, 50), fill="#" + PURPLE)
    image.save(path, optimize=True)


def main(outdir: str) -> Path:
    """Write the template (and logo.png) into ``outdir`` and return the template's path."""
    logo_png(Path(outdir) / "logo.png")
    wb = Workbook()
    summary(wb)
    trend(wb)
    path = Path(outdir) / "finance-template.xlsx"
    wb.save(path)
    return path


if __name__ == "__main__":
    print(main(sys.argv[1] if len(sys.argv) > 1 else "samples/brand"))
