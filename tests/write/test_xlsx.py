"""The finance workbook read back with openpyxl: sheets, types, formats, panes, filters,
and every formula's saved value against the value computed from the cells it names."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from reporter.config import Config, WinRate
from reporter.metrics.report import Period
from reporter.write.xlsx import SHEETS, write_workbook
from support.xlsx_helpers import Q3, evaluate, hand_dataset, hand_report, small_opportunities

TABLE_SHEETS = [s for s in SHEETS if s not in ("Summary", "Definitions")]


def build(tmp_path: Path, report=None, dataset=None, config=None, **kw: Any) -> Path:
    path = tmp_path / "sales-report.xlsx"
    write_workbook(
        path, report or hand_report(), dataset or hand_dataset(), config or Config(), **kw
    )
    return path


def computed_report():
    """A report from the real metrics core on a small hand-made opportunities frame."""
    from reporter.metrics import compute

    return compute(small_opportunities(), Config(), period="FY2026Q3")


REPORTS = {
    "hand": lambda: (hand_report(), hand_dataset()),
    "hand-targets": lambda: (hand_report(rep_targets=True), hand_dataset(rep_targets=True)),
    "computed": lambda: (computed_report(), hand_dataset()),
}


@pytest.fixture(params=list(REPORTS), ids=list(REPORTS))
def built(request, tmp_path):
    report, dataset = REPORTS[request.param]()
    path = build(tmp_path, report, dataset)
    return report, path


def load(path: Path) -> tuple[Any, Any]:
    return openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)


def headers(ws, row: int = 1) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


def column(ws, header: str) -> list[Any]:
    col = headers(ws)[header]
    return [ws.cell(r, col).value for r in range(2, ws.max_row + 1)]


def close(a: Any, b: Any) -> bool:
    if a in (None, "") or b in (None, ""):
        return a in (None, "") and b in (None, "")
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def formula_cells(path: Path):
    """(sheet, coordinate, formula, cached value, independently computed value)."""
    formulas, values = load(path)
    for ws in formulas.worksheets:
        cached = values[ws.title]

        def lookup(ref: str, sheet=cached) -> Any:
            return sheet[ref].value

        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    expected = evaluate(cell.value, lookup)
                    yield (
                        ws.title,
                        cell.coordinate,
                        cell.value,
                        cached[cell.coordinate].value,
                        expected,
                    )


def test_sheets_in_spec_order(built):
    _report, path = built
    assert openpyxl.load_workbook(path).sheetnames == list(SHEETS)


def test_every_formula_value_equals_its_recomputation(built):
    _report, path = built
    cells = list(formula_cells(path))
    assert len(cells) > 20
    wrong = [c for c in cells if not close(c[3], c[4])]
    assert wrong == []


def test_rates_are_the_reports_values(built):
    report, path = built
    _f, values = load(path)
    ws = values["Rep Bonuses"]
    got = {
        (r, q): w
        for r, q, w in zip(
            column(ws, "Rep"), column(ws, "Quarter"), column(ws, "Win rate"), strict=False
        )
    }
    for row in report.won_opportunities_by_rep.itertuples():
        want = None if pd.isna(row.win_rate) else row.win_rate
        assert close(got[(row.rep, row.quarter)], want)
    ws = values["Win Rate by Segment"]
    rates = column(ws, "Win rate")
    for i, want in enumerate(report.win_rate_by_segment["win_rate"]):
        assert close(rates[i], None if pd.isna(want) else want)


def test_won_deals_total_is_the_headline(built):
    report, path = built
    _f, values = load(path)
    ws = values["Won Deals"]
    total_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "Total")
    amount = total_row[headers(ws)["Amount"] - 1].value
    count = total_row[headers(ws)["Opportunity name"] - 1].value
    assert close(amount, report.headline.won_amount)
    assert count == report.headline.won_opportunities


FORMATS = [
    ("Rep Bonuses", "Won opportunities", int, "#,##0"),
    ("Rep Bonuses", "Won amount", float, '"$"#,##0.00'),
    ("Rep Bonuses", "Win rate", float, "0.0%"),
    ("Won Deals", "Close date", datetime, "yyyy-mm-dd"),
    ("Won Deals", "New customer", str, "General"),
    ("Won Deals", "Source row", int, "0"),
    ("New Customers", "First won date", datetime, "yyyy-mm-dd"),
    ("Win Rate by Segment", "95% CI low", float, "0.0%"),
    ("Win Rate by Segment", "Median cycle (days)", float, "#,##0.0"),
    ("Pipeline", "Open amount", float, '"$"#,##0.00'),
    ("Data Quality", "Row", int, "0"),
]


@pytest.mark.parametrize(
    ("sheet", "header", "kind", "fmt"), FORMATS, ids=[f"{s}:{h}" for s, h, *_ in FORMATS]
)
def test_types_and_number_formats(tmp_path, sheet, header, kind, fmt):
    _f, values = load(build(tmp_path))
    ws = values[sheet]
    col = headers(ws)[header]
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1)]
    cells = [c for c in cells if c.value is not None and ws.cell(c.row, 1).value != "Total"]
    assert cells
    for cell in cells:
        if kind is int:
            assert isinstance(cell.value, int | float) and float(cell.value).is_integer()
        elif kind is float:
            assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
        else:
            assert isinstance(cell.value, kind), (cell.coordinate, cell.value)
        assert cell.number_format == fmt


def test_frozen_headers_and_filters_on_every_sheet(tmp_path):
    wb, _v = load(build(tmp_path))
    for ws in wb.worksheets:
        assert ws.freeze_panes, ws.title
        if ws.title in TABLE_SHEETS:
            assert ws.freeze_panes == "A2"
            first, last = ws.auto_filter.ref.split(":")
            assert first == "A1"
            assert last.endswith(
                str(
                    max(
                        2,
                        len(
                            [
                                r
                                for r in ws.iter_rows(min_row=2)
                                if not str(r[0].value).startswith("Total")
                            ]
                        )
                        + 1,
                    )
                )
            )
        else:
            assert ws.tables, ws.title
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_header_bold_with_fill(tmp_path):
    wb, _v = load(build(tmp_path))
    for name in TABLE_SHEETS:
        cell = wb[name]["A1"]
        assert cell.font.b and cell.fill.fgColor.rgb.endswith("D9E1F2"), name


def test_column_widths_fit_content(tmp_path):
    wb, _v = load(build(tmp_path))
    for name in TABLE_SHEETS:
        ws = wb[name]
        for col_cells in ws.iter_cols(min_row=2):
            letter = col_cells[0].column_letter
            width = ws.column_dimensions[letter].width
            texts = [c.value for c in col_cells if c.data_type == "s"]
            longest = max((len(t) for t in texts), default=0)
            assert width <= 61, (name, letter)
            assert width >= min(longest, 60), (name, letter, width, longest)


def test_directional_segments_are_marked(tmp_path):
    wb, _v = load(build(tmp_path))
    ws = wb["Win Rate by Segment"]
    mark = headers(ws)["Directional (< 20 closed)"]
    for r in range(2, ws.max_row + 1):
        assert ws.cell(r, mark).value == "directional"
        assert ws.cell(r, 5).font.i and ws.cell(r, 1).font.i


def test_no_closed_outcome_means_blank_rate_not_zero(tmp_path):
    formulas, values = load(build(tmp_path))
    ws, wv = formulas["Win Rate by Segment"], values["Win Rate by Segment"]
    unknown = column(wv, "Segment").index("Unknown") + 2
    assert ws.cell(unknown, 5).data_type == "f"
    assert wv.cell(unknown, 5).value is None


def test_attainment_against_rep_targets(tmp_path):
    report = hand_report(rep_targets=True)
    _f, values = load(build(tmp_path, report, dataset=hand_dataset(rep_targets=True)))
    ws = values["Rep Bonuses"]
    rows = {
        (r, q): i
        for i, (r, q) in enumerate(zip(column(ws, "Rep"), column(ws, "Quarter"), strict=False))
    }
    attainment, target = column(ws, "Attainment"), column(ws, "Target")
    assert close(attainment[rows[("Ann", Q3.label)]], 3000.0 / 4000.0)
    assert target[rows[("Bob", Q3.label)]] == 0 and attainment[rows[("Bob", Q3.label)]] is None
    assert target[rows[("Ann", Q3.previous().label)]] is None


def test_no_target_columns_without_rep_targets(tmp_path):
    wb, _v = load(build(tmp_path))
    assert "Attainment" not in headers(wb["Rep Bonuses"])


def test_rate_that_disagrees_with_its_row_is_a_plain_number(tmp_path):
    report = hand_report()
    reps = report.won_opportunities_by_rep.copy()
    reps.loc[0, "win_rate"] = 0.123  # e.g. a cohort rate beside close-date counts
    report = type(report)(**{**report.__dict__, "won_opportunities_by_rep": reps})
    formulas, values = load(build(tmp_path, report))
    ws = formulas["Rep Bonuses"]
    rates = [ws.cell(r, 7) for r in range(2, ws.max_row)]
    plain = [c for c in rates if c.data_type == "n"]
    assert [values["Rep Bonuses"][c.coordinate].value for c in plain] == [0.123]


def test_summary_headline_and_trend(tmp_path):
    report = hand_report()
    formulas, values = load(build(tmp_path, report))
    ws = values["Summary"]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    row = labels["Won opportunities"]
    assert [ws.cell(row, c).value for c in (2, 3, 4)] == [3, 1, 2]
    assert close(ws.cell(row, 5).value, 2.0)
    assert formulas["Summary"].cell(row, 4).data_type == "f"
    assert "Trend: trailing 4 quarters" in labels
    assert len(formulas["Summary"]._charts) == 2
    assert ws["A1"].value == f"Sales report — {Q3.label}"


def test_definitions_name_inputs_config_and_rules(tmp_path):
    _f, values = load(build(tmp_path))
    ws = values["Definitions"]
    texts = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert "ab" * 32 in texts
    assert "team.xlsx" in texts
    assert "win_rate.min_closed" in texts
    assert any(t.startswith("snapshot:") for t in texts)
    assert "Closed Won, Closed-Won, Close-won, Won, closedwon" in texts
    dates = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, datetime)]
    assert dates == [datetime(2026, 7, 1), datetime(2026, 9, 30)]


def test_data_quality_lists_every_issue(tmp_path):
    _f, values = load(build(tmp_path))
    ws = values["Data Quality"]
    assert [c.value for c in ws[2]] == [
        "bad-amount",
        "Amount is not a number",
        None,  # Bonus: not at risk (not a won deal)
        None,  # Rep
        None,  # Amount
        None,  # Currency
        "team.xlsx",
        "Deals",
        9,
        "Amount",
        "12,5x",
        "not a number",
        "row quarantined (not counted)",
    ]


def test_two_builds_are_byte_identical_and_dated_by_the_period(tmp_path):
    a = build(tmp_path / "a")
    b = build(tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
    assert openpyxl.load_workbook(a).properties.created == datetime(2026, 9, 30)


def test_window_mode_and_threshold_are_stated(tmp_path):
    report = hand_report()
    report = type(report)(**{**report.__dict__, "period": Period(Q3, "cohort")})
    config = Config(win_rate=WinRate(mode="cohort", min_closed=5))
    _f, values = load(build(tmp_path, report, config=config))
    texts = [c.value for row in values["Definitions"].iter_rows() for c in row]
    assert any(str(t).startswith("cohort:") for t in texts)
    assert 5 in texts
    assert "win-rate window: cohort" in values["Summary"]["A2"].value
    assert "Directional (< 5 closed)" in headers(values["Win Rate by Segment"])
