"""Filling finance's own template: placeholders, growing tables, and what must survive.

Small hand-made metrics dicts give hand-computed expectations; the sample template
(samples/brand/finance-template.xlsx) is filled from a real ``reporter build samples/``
and read back with openpyxl. test_template_libreoffice.py recalculates it.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table

from reporter.errors import TemplateError
from reporter.write.template.fill import MISSING, NO_ROWS, fill_template
from support.template import filled_sample, quarter_reps, sample_metrics

METRICS = {
    "period": {"label": "FY2026 Q3", "start": "2026-07-01", "end": "2026-09-30"},
    "headline": {"won_opportunities": 5, "won_amount": 1250.5, "target": None},
    "won_opportunities_by_rep": [
        {"rep": "Ann", "quarter": "FY2026 Q3", "won_opportunities": 2, "won_amount": 300.0},
        {"rep": "Bob", "quarter": "FY2026 Q3", "won_opportunities": 3, "won_amount": 950.5},
        {"rep": "Cyd", "quarter": "FY2026 Q2", "won_opportunities": 7, "won_amount": 99.0},
        {
            "rep": '=HYPERLINK("http://x")',
            "quarter": "FY2026 Q2",
            "won_opportunities": 1,
            "won_amount": None,
        },
    ],
    "briefings": {"segments": {"North America": {"headline": {"won_amount": 700.0}}}},
}


def build(tmp_path: Path, setup) -> Path:
    """A template made by ``setup(ws, wb)`` on sheet "S", saved in tmp_path."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    setup(ws, wb)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    return path


def fill(tmp_path: Path, setup, metrics=METRICS):
    out = tmp_path / "out.xlsx"
    fill_template(build(tmp_path, setup), metrics, out)
    return openpyxl.load_workbook(out)


def test_scalars_keep_their_type_and_text_interpolates(tmp_path):
    def setup(ws, wb):
        ws["A1"] = "{{ headline.won_opportunities }}"
        ws["A2"] = "{{headline.won_amount}}"
        ws["A3"] = "Quarter {{ period.label }} from {{ period.start }}: {{ headline.won_amount }}"
        ws["A4"] = "{{ period.start }}"
        ws["A5"] = "{{ headline.target }}"
        ws["A6"] = "{{ briefings.segments.North America.headline.won_amount }}"
        ws["A7"] = "{{ won_opportunities_by_rep.-1.quarter }}"

    ws = fill(tmp_path, setup)["S"]
    assert ws["A1"].value == 5
    assert ws["A2"].value == 1250.5
    assert ws["A3"].value == "Quarter FY2026 Q3 from 2026-07-01: 1,250.50"
    assert ws["A4"].value.date().isoformat() == "2026-07-01"
    assert ws["A4"].number_format == "yyyy-mm-dd"
    assert ws["A5"].value == MISSING  # no target: shown as missing, never 0
    assert ws["A6"].value == 700
    assert ws["A7"].value == "FY2026 Q2"


def test_unknown_name_names_file_sheet_cell_and_near_names(tmp_path):
    def setup(ws, wb):
        ws["C7"] = "{{ headline.won_oportunities }}"

    with pytest.raises(TemplateError) as err:
        fill(tmp_path, setup)
    text = err.value.format()
    assert "t.xlsx, sheet 'S', cell C7" in text
    assert "'headline.won_oportunities'" in text
    assert "headline.won_opportunities" in err.value.hint
    assert not (tmp_path / "out.xlsx").exists()


def test_unknown_top_level_lists_valid_heads(tmp_path):
    def setup(ws, wb):
        ws["A1"] = "{{ zzz.qqq }}"

    with pytest.raises(TemplateError) as err:
        fill(tmp_path, setup)
    assert "briefings, headline, period" in err.value.hint


def test_unclosed_placeholder(tmp_path):
    def setup(ws, wb):
        ws["B2"] = "{{ period.label"

    with pytest.raises(TemplateError, match="cell B2: unclosed placeholder"):
        fill(tmp_path, setup)


def rep_table(ws, wb, anchor="{{ table: rep_bonuses | columns rep, won_amount }}"):
    ws["A1"] = "Rep"
    ws["B1"] = "Won amount"
    ws["A2"] = anchor
    ws["B2"].number_format = "#,##0.00"
    ws["C2"] = "=B2*2"
    ws["A3"] = "Total"
    ws["B3"] = "=SUM(B2:B2)"
    ws["B4"] = "=B3+B2"
    ws["D9"] = "below"
    wb.defined_names["Reps"] = DefinedName("Reps", attr_text="S!$A$2:$C$2")
    wb.defined_names["Total"] = DefinedName("Total", attr_text="S!$B$3")


def test_table_grows_down_and_moves_what_is_below(tmp_path):
    ws = fill(tmp_path, rep_table)["S"]
    wb = ws.parent
    # four rows: rows 2-5; what was on row 3 is now on row 6
    assert [ws.cell(r, 1).value for r in range(2, 6)] == [
        "Ann",
        "Bob",
        "Cyd",
        '=HYPERLINK("http://x")',
    ]
    assert [ws.cell(r, 2).value for r in range(2, 6)] == [300, 950.5, 99, MISSING]
    assert ws["B5"].number_format == "#,##0.00"  # the template row's look is copied down
    assert [ws.cell(r, 3).value for r in range(2, 6)] == ["=B2*2", "=B3*2", "=B4*2", "=B5*2"]
    assert ws["A6"].value == "Total"
    assert ws["B6"].value == "=SUM(B2:B5)"  # the range ending on the table row grew
    assert ws["B7"].value == "=B6+B2"  # a reference to the first row stays there
    assert ws["D12"].value == "below"
    assert wb.defined_names["Reps"].attr_text == "S!$A$2:$C$5"
    assert wb.defined_names["Total"].attr_text == "S!$B$6"


def test_injected_formula_stays_text(tmp_path):
    ws = fill(tmp_path, rep_table)["S"]
    assert ws["A5"].data_type == "s"
    assert ws["A5"].quotePrefix


def test_filters_where_sort_top(tmp_path):
    anchor = (
        "{{ table: rep_bonuses | where quarter = period.label | sort won_amount desc"
        " | top 1 | columns rep, won_amount }}"
    )
    ws = fill(tmp_path, lambda ws, wb: rep_table(ws, wb, anchor))["S"]
    assert (ws["A2"].value, ws["B2"].value) == ("Bob", 950.5)
    assert ws["A3"].value == "Total"
    assert ws["B3"].value == "=SUM(B2:B2)"


def test_sort_puts_missing_last_and_where_compares_numbers(tmp_path):
    anchor = (
        "{{ table: rep_bonuses | where won_opportunities >= 2 | sort won_amount | columns rep }}"
    )
    ws = fill(tmp_path, lambda ws, wb: rep_table(ws, wb, anchor))["S"]
    assert [ws.cell(r, 1).value for r in range(2, 5)] == ["Cyd", "Ann", "Bob"]


def test_empty_table_says_so(tmp_path):
    anchor = '{{ table: rep_bonuses | where quarter = "FY1999 Q1" | columns rep, won_amount }}'
    ws = fill(tmp_path, lambda ws, wb: rep_table(ws, wb, anchor))["S"]
    assert ws["A2"].value == NO_ROWS
    assert ws["B3"].value == "=SUM(B2:B2)"


@pytest.mark.parametrize(
    ("anchor", "message", "hint"),
    [
        ("{{ table: rep_bonus }}", "unknown table 'rep_bonus'", "rep_bonuses"),
        ("{{ table: rep_bonuses | sort won_amout }}", "no column 'won_amout'", "won_amount"),
        ("{{ table: rep_bonuses | limit 3 }}", "unknown table filter 'limit 3'", "top N"),
        ("{{ table: rep_bonuses | where quarter = period.labl }}", "period.labl", "period.label"),
        ("Reps: {{ table: rep_bonuses }}", "must be alone in its cell", "cell of its own"),
    ],
)
def test_bad_table_placeholders(tmp_path, anchor, message, hint):
    with pytest.raises(TemplateError) as err:
        fill(tmp_path, lambda ws, wb: rep_table(ws, wb, anchor))
    assert "t.xlsx, sheet 'S', cell A2: " in err.value.message
    assert message in err.value.message
    assert hint in err.value.hint


def test_header_that_matches_no_column(tmp_path):
    def setup(ws, wb):
        ws["A1"] = "Rep"
        ws["B1"] = "Bonus"
        ws["A2"] = "{{ table: rep_bonuses }}"

    with pytest.raises(TemplateError) as err:
        fill(tmp_path, setup)
    assert "cell B1: column header 'Bonus'" in err.value.message
    assert "won_amount" in err.value.hint


def test_headers_choose_the_columns(tmp_path):
    def setup(ws, wb):
        ws["A1"] = "Won amount"
        ws["B1"] = "Rep"
        ws["C1"] = "Double"
        ws["A2"] = "{{ table: rep_bonuses | where quarter = period.label }}"
        ws["C2"] = "=A2*2"

    ws = fill(tmp_path, setup)["S"]
    assert [[c.value for c in row] for row in ws["A2:C3"]] == [
        [300, "Ann", "=A2*2"],
        [950.5, "Bob", "=A3*2"],
    ]


def test_side_by_side_tables_are_refused(tmp_path):
    def setup(ws, wb):
        ws["A2"] = "{{ table: rep_bonuses | columns rep }}"
        ws["D2"] = "{{ table: rep_bonuses | columns won_amount }}"

    with pytest.raises(TemplateError, match="shares row 2 with cell A2") as err:
        fill(tmp_path, setup)
    assert "under one another" in err.value.hint


def test_data_at_the_last_row_cannot_move(tmp_path):
    def setup(ws, wb):
        ws["A2"] = "{{ table: rep_bonuses | columns rep }}"
        ws["A1048576"] = "end of sheet"

    with pytest.raises(TemplateError) as err:
        fill(tmp_path, setup)
    assert "cell A2: the table needs 3 more rows" in err.value.message
    assert "past Excel's last row" in err.value.message


def test_array_formula_across_the_table_cannot_move(tmp_path):
    def setup(ws, wb):
        ws["A2"] = "{{ table: rep_bonuses | columns rep }}"
        ws["E2"] = ArrayFormula("E2:E3", "=B2:B3*2")

    with pytest.raises(TemplateError, match="array formula at E2:E3 would be split"):
        fill(tmp_path, setup)


def test_excel_table_by_name_grows_with_its_totals(tmp_path):
    def setup(ws, wb):
        ws.append(["Rep", "Quarter", "Won amount", "Twice"])
        ws.append([None, None, None, "=C2*2"])
        ws["A3"] = "after"
        ws["C4"] = "=SUM(C2:C2)"
        ws.add_table(Table(displayName="rep_bonuses", ref="A1:D2"))

    ws = fill(tmp_path, setup)["S"]
    assert ws.tables["rep_bonuses"].ref == "A1:D5"
    assert [ws.cell(r, 3).value for r in range(2, 6)] == [300, 950.5, 99, MISSING]
    assert ws["D5"].value == "=C5*2"
    assert ws["A6"].value == "after"
    assert ws["C7"].value == "=SUM(C2:C5)"


def test_defined_name_anchor(tmp_path):
    def setup(ws, wb):
        ws["A1"] = "Rep"
        ws["B1"] = "Won opportunities"
        wb.defined_names["rep_bonuses"] = DefinedName("rep_bonuses", attr_text="S!$A$2:$B$2")

    ws = fill(tmp_path, setup)["S"]
    assert [ws.cell(r, 2).value for r in range(2, 6)] == [2, 3, 7, 1]
    assert ws.parent.defined_names["rep_bonuses"].attr_text == "S!$A$2:$B$5"


def test_not_an_xlsx(tmp_path):
    bad = tmp_path / "finance.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(TemplateError, match="cannot be read as an Excel workbook"):
        fill_template(bad, METRICS, tmp_path / "out.xlsx")
    with pytest.raises(TemplateError, match=r"only \.xlsx templates"):
        fill_template(tmp_path / "finance.xls", METRICS, tmp_path / "out.xlsx")


@pytest.mark.slow
def test_sample_template_layout_survives():
    metrics = sample_metrics()
    wb = openpyxl.load_workbook(filled_sample())
    ws = wb["Summary"]
    n = len(quarter_reps(metrics))
    last = 14 + n - 1
    assert n > 1
    # styles
    assert ws["A1"].font.bold and ws["A1"].font.sz == 16
    assert ws["A1"].fill.fgColor.rgb == "007A1FA2"
    assert ws["A13"].fill.fgColor.rgb == "007A1FA2"
    assert ws[f"D{last}"].number_format == '"$"#,##0'
    assert ws.column_dimensions["A"].width == 26
    assert ws.freeze_panes == "A4"
    assert ws.oddFooter.right.text == "Page &P of &N"
    assert ws.oddHeader.center.text == f"Acme Analytics — Finance — {metrics['period']['label']}"
    # the totals row moved under the filled rows, its SUMs cover them
    assert ws[f"A{last + 1}"].value == "Total"
    assert ws[f"D{last + 1}"].value == f"=SUM(D14:D{last})"
    assert ws[f"F{last}"].value == f'=IF(C{last}+E{last}=0,"",C{last}/(C{last}+E{last}))'
    # defined names
    names = {k: v.attr_text for k, v in wb.defined_names.items()}
    assert names["RepRows"] == f"Summary!$A$14:$F${last}"
    assert names["RepTotal"] == f"Summary!$D${last + 1}"
    # chart: still there, over the filled rows, moved down with what was below
    (chart,) = ws._charts
    assert chart.series[0].val.numRef.f == f"'Summary'!$D$14:$D${last}"
    assert chart.series[0].cat.numRef.f == f"'Summary'!$A$14:$A${last}"
    assert chart.anchor._from.row == 17 + n - 1
    trend = wb["Trend"]
    k = len(metrics["trend"])
    assert trend.tables["trend"].ref == f"A1:E{1 + k}"
    (line,) = trend._charts
    assert line.series[0].val.numRef.f == f"'Trend'!$E$2:$E${1 + k}"


@pytest.mark.slow
def test_sample_template_figures():
    metrics = sample_metrics()
    ws = openpyxl.load_workbook(filled_sample())["Summary"]
    head = metrics["headline"]
    assert ws["A2"].value == (
        f"Quarter {metrics['period']['label']}: {metrics['period']['start']}"
        f" to {metrics['period']['end']}"
    )
    assert [ws[f"B{r}"].value for r in range(4, 9)] == [
        head["won_opportunities"],
        head["won_amount"],
        head["lost_opportunities"],
        head["open_amount"],
        head["target"],
    ]
    reps = sorted(quarter_reps(metrics), key=lambda r: -r["won_amount"])
    got = [(ws.cell(14 + i, 1).value, ws.cell(14 + i, 4).value) for i in range(len(reps))]
    assert got == [(r["rep"], r["won_amount"]) for r in reps]


@pytest.mark.parametrize(
    ("placeholder", "message", "hint"),
    [
        ("{{ headline }}", "'headline' is a group of figures", "headline.won_opportunities"),
        ("{{ won_opportunities_by_rep }}", "is a table", "{{ table: won_opportunities_by_rep }}"),
    ],
)
def test_groups_and_tables_are_not_one_figure(tmp_path, placeholder, message, hint):
    def setup(ws, wb):
        ws["A1"] = placeholder

    with pytest.raises(TemplateError) as err:
        fill(tmp_path, setup)
    assert message in err.value.message
    assert hint in err.value.hint


def test_print_header_and_footer_placeholders(tmp_path):
    def setup(ws, wb):
        ws["A1"] = "x"
        ws.oddHeader.center.text = "Sales {{ period.label }}"
        ws.oddFooter.right.text = "{{ briefings.segments.North America.headline.won_amount }}"

    ws = fill(tmp_path, setup)["S"]
    assert ws.oddHeader.center.text == "Sales FY2026 Q3"
    assert ws.oddFooter.right.text == "700"


def test_unknown_name_in_print_header(tmp_path):
    def setup(ws, wb):
        ws.oddHeader.left.text = "{{ period.lable }}"

    with pytest.raises(TemplateError) as err:
        fill(tmp_path, setup)
    assert "sheet 'S', print header (left): unknown name 'period.lable'" in err.value.message
    assert "period.label" in err.value.hint
