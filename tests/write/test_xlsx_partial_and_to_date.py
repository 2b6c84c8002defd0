"""Issue 9: a won amount with a won deal missing is "—" in the workbook (never a partial sum
shown as whole), the known part and the reason beside it; a running quarter says "to date".

Fixture: tests/fixtures/trust/rep_tracker_won_deals_blank_and_na_amounts.csv, with rep
targets given in a second file. Hand-computed from the fixture (FY = calendar year):
  Ann Park   won 500, 400 and "n/a" → 3 won, known 900, 1 without an amount; target 1,000
  Ben Ode    won 2,000, lost (blank) → 1 won, 2,000; target 4,000 → attainment 50 %
  Cara Diaz  won (blank), lost 700   → 1 won, no amount known; no target
  FY2025 Q1: 5 won, 2 lost, known 500 + 400 + 2,000 = 2,900; the data end on 7 Mar 2025
  (Cara's loss), so the quarter is still running: "FY2025 Q1 (to 7 Mar)".
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner
from test_xlsx_libreoffice import SOFFICE, convert, profile

from reporter.cli import cli
from support.data import FIXTURES

BLANK = FIXTURES / "trust" / "rep_tracker_won_deals_blank_and_na_amounts.csv"
RUNNING = "FY2025 Q1 (to 7 Mar)"
__all__ = ["profile"]  # LibreOffice with recalculation on load (a fixture)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("partial")
    targets = folder / "targets.csv"
    targets.write_text("Owner,Quarter,Target\nAnn Park,FY2025 Q1,1000\nBen Ode,FY2025 Q1,4000\n")
    out = folder / "out"
    result = CliRunner().invoke(cli, ["build", str(BLANK), str(targets), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "sales-report.xlsx"


def table(ws, first: int = 0) -> list[dict]:
    rows = list(ws.iter_rows(min_row=first + 1, values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def attainment_of(row: dict) -> object:
    return next(v for k, v in row.items() if str(k).startswith("Attainment"))


def test_rep_bonuses_shows_a_dash_with_the_known_part_and_the_reason(workbook):
    rows = {r["Rep"]: r for r in table(openpyxl.load_workbook(workbook)["Rep Bonuses"])}
    ann, ben, cara = rows["Ann Park"], rows["Ben Ode"], rows["Cara Diaz"]
    assert (ann["Won opportunities"], ann["Won amount"], ann["Won amount: known part"]) == (
        3,
        "—",
        900,
    )
    assert ann["Why the won amount is —"] == "1 won deal has no amount; the other 2 total 900"
    assert attainment_of(ann) == "—"  # against 1,000, of an unknown amount
    assert (ben["Won amount"], ben["Won amount: known part"], ben["Target"]) == (2000, 2000, 4000)
    assert ben["Why the won amount is —"] is None
    assert (cara["Won amount"], cara["Won amount: known part"]) == ("—", None)
    assert cara["Why the won amount is —"] == "this won deal has no amount"
    assert [rows[rep]["Quarter"] for rep in ("Ann Park", "Ben Ode", "Cara Diaz")] == [RUNNING] * 3


def test_rep_bonuses_total_is_a_dash_not_the_known_sum(workbook):
    ws = openpyxl.load_workbook(workbook)["Rep Bonuses"]
    header, total = [c.value for c in ws[1]], [c.value for c in ws[ws.max_row]]
    row = dict(zip(header, total, strict=False))
    assert row["Rep"] == f"Total {RUNNING}"
    assert (row["Won amount"], attainment_of(row)) == ("—", "—")
    # the known part is summed over the running quarter's rows only
    assert row["Won amount: known part"] == f'=SUMIF(C2:C4,"{RUNNING}",F2:F4)'


def test_the_dash_carries_its_reason_as_a_comment(workbook):
    ws = openpyxl.load_workbook(workbook)["Rep Bonuses"]
    column = [c.value for c in ws[1]].index("Won amount") + 1
    notes = {ws.cell(r, 1).value: ws.cell(r, column).comment for r in range(2, 5)}
    assert notes["Ben Ode"] is None
    assert notes["Cara Diaz"].text == "this won deal has no amount"


def test_attainment_header_is_plain_and_the_quarter_cell_says_to_date(workbook):
    # the column holds whole quarters too: the running one says so in its Quarter cell
    header = [c.value for c in openpyxl.load_workbook(workbook)["Rep Bonuses"][1]]
    assert "Attainment" in header
    assert not any("to date" in str(h) for h in header)


def test_rep_bonuses_total_says_why_its_won_amount_is_a_dash(workbook):
    ws = openpyxl.load_workbook(workbook)["Rep Bonuses"]
    row = dict(zip([c.value for c in ws[1]], [c.value for c in ws[ws.max_row]], strict=False))
    # Ann's "n/a" and Cara's blank; the other three: 500 + 400 + 2,000
    assert row["Why the won amount is —"] == "2 won deals have no amount; the other 3 total 2,900"


def test_running_quarter_is_to_date_on_new_customers_and_in_footers(workbook):
    book = openpyxl.load_workbook(workbook)
    quarters = {r["Quarter"] for r in table(book["New Customers"])[:-1]}
    assert quarters == {RUNNING}
    assert f"Sales report {RUNNING}" in book["Won Deals"].oddFooter.center.text


def test_data_quality_prints_one_page_wide(workbook):
    setup = openpyxl.load_workbook(workbook)["Data Quality"].page_setup
    assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # absent: 1


def test_a_dash_total_is_right_aligned_like_the_numbers(workbook):
    ws = openpyxl.load_workbook(workbook)["Won Deals"]
    amount = [c.value for c in ws[1]].index("Amount") + 1
    assert ws.cell(ws.max_row, amount).alignment.horizontal == "right"


def test_summary_headline_and_trend(workbook):
    rows = list(openpyxl.load_workbook(workbook)["Summary"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == "Measure")
    assert rows[at][1] == RUNNING
    note = rows[at].index("Note")
    headline = {r[0]: r for r in rows[at + 1 :] if r[0]}
    assert headline["Won amount (bookings)"][1] == "—"
    assert headline["Won amount (bookings)"][note] == (
        "2 won deals have no amount; the other 3 total 2,900"
    )
    assert headline["Won amount: known part (deals with an amount)"][1] == 2900
    trend_at = next(i for i, r in enumerate(rows) if r[0] == "Quarter")
    trend = [dict(zip(rows[trend_at], r, strict=False)) for r in rows[trend_at + 1 :] if r[0]]
    assert [r["Quarter"] for r in trend] == ["FY2024 Q2", "FY2024 Q3", "FY2024 Q4", RUNNING]
    last = trend[-1]
    assert (last["Won amount"], last["Won amount: known part"]) == ("—", 2900)
    # the chart reads a hidden copy where "—" is a gap (#N/A), never a 0 bar
    assert [r["Won amount (chart)"] for r in trend] == [0, 0, 0, "=NA()"]


def test_the_amount_chart_plots_its_hidden_copy(workbook):
    # the copy is a hidden column; a chart leaves hidden cells out unless told otherwise
    import zipfile

    with zipfile.ZipFile(workbook) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    amount = [c for c in charts if "Won amount (bookings)" in c]
    others = [c for c in charts if "Won amount (bookings)" not in c]
    assert len(amount) == 1 and others
    # xlsxwriter writes plotVisOnly=1 (visible cells only) unless hidden data is shown
    assert all('<c:plotVisOnly val="1"/>' in c for c in others)
    assert "plotVisOnly" not in amount[0]


def test_segment_rows_show_unknown_amounts_as_dashes(workbook):
    rows = table(openpyxl.load_workbook(workbook)["Win Rate by Segment"])
    everyone = next(r for r in rows if r["Dimension"] == "all")
    # Ben's lost deal has no amount, so the lost amount and the weighted rate are unknown
    assert (everyone["Won amount"], everyone["Won amount: known part"]) == ("—", 2900)
    assert (everyone["Lost amount"], everyone["Amount-weighted win rate"]) == ("—", "—")


def test_complete_amounts_add_no_columns(tmp_path):
    lines = BLANK.read_text().splitlines()
    # without Ann's "n/a" (line 4) and Cara's blank (line 7) every won deal has an amount
    complete = tmp_path / "complete.csv"
    complete.write_text("\n".join(line for n, line in enumerate(lines, 1) if n not in (4, 7)))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(complete), "--out", str(out)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out / "sales-report.xlsx")["Rep Bonuses"]
    header = [c.value for c in ws[1]]
    assert "Won amount: known part" not in header
    rows = {r["Rep"]: r for r in table(ws)}
    assert rows["Ann Park"]["Won amount"] == 900  # 500 + 400, every won deal known


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_the_same_figures(workbook, profile, tmp_path):
    again = convert(workbook, "xlsx", profile, tmp_path / "recalculated")
    values = openpyxl.load_workbook(again, data_only=True)
    ws = values["Rep Bonuses"]
    rows = {r["Rep"]: r for r in table(ws)}
    total = rows[f"Total {RUNNING}"]
    # 5 won, 2 lost: 5 / 7; the known part 500 + 400 + 2,000; targets 1,000 + 4,000
    assert (total["Won opportunities"], total["Lost opportunities"]) == (5, 2)
    assert total["Win rate"] == pytest.approx(5 / 7)
    assert total["Won amount: known part"] == 2900
    assert total["Target"] == 5000
    # a "—" stays "—": no formula turned it into the known sum or an error
    assert (total["Won amount"], attainment_of(total)) == ("—", "—")
    assert attainment_of(rows["Ben Ode"]) == pytest.approx(2000 / 4000)
    assert attainment_of(rows["Ann Park"]) == "—"
    assert attainment_of(rows["Cara Diaz"]) in (None, "")  # no target
    assert rows["Ann Park"]["Win rate"] == 1  # 3 won, 0 lost
    summary = list(values["Summary"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(summary) if r[0] == "Quarter")
    trend = [dict(zip(summary[at], r, strict=False)) for r in summary[at + 1 :] if r[0]]
    assert trend[-1]["Win rate"] == pytest.approx(5 / 7)
    assert trend[-1]["Won amount (chart)"] == "#N/A"
    segment = next(r for r in table(values["Win Rate by Segment"]) if r["Dimension"] == "all")
    assert segment["Win rate"] == pytest.approx(5 / 7)
    assert segment["Amount-weighted win rate"] == "—"
    # Won Deals: 5 deals, two without an amount: the amount total is "—", not 2,900
    deals = list(values["Won Deals"].iter_rows(values_only=True))
    assert deals[-1][0] == "Total" and deals[-1][deals[0].index("Amount")] == "—"


def test_metrics_json_carries_the_same_figures(workbook):
    doc = json.loads((workbook.parent / "metrics.json").read_text())
    reps = {r["rep"]: r for r in doc["won_opportunities_by_rep"]}
    ann = reps["Ann Park"]
    assert (ann["won_amount"], ann["won_amount_known"], ann["won_without_amount"]) == (
        None,
        900,
        1,
    )
    assert (ann["attainment"], ann["to_date"]) == (None, "2025-03-07")
    assert reps["Ben Ode"]["attainment"] == 0.5  # 2,000 of 4,000
    totals = doc["rep_totals"]
    assert (totals["won_amount"], totals["won_amount_known"], totals["won_without_amount"]) == (
        None,
        2900,
        2,
    )
    headline = doc["headline"]
    assert (headline["won_amount"], headline["won_amount_known"]) == (None, 2900)
    assert doc["trend"][-1]["to_date"] == "2025-03-07"
    # the risks name the deal: Ann's "n/a" on line 4, Cara's blank on line 7, no amount
    assert [(r["code"], r["row"], r["rep"], r["amount"]) for r in doc["bonus_risks"]] == [
        ("missing-amount", 4, "Ann Park", None),
        ("missing-amount", 7, "Cara Diaz", None),
    ]


def test_won_deals_without_an_amount_are_dashes_and_so_is_the_total(workbook):
    ws = openpyxl.load_workbook(workbook)["Won Deals"]
    rows = list(ws.iter_rows(values_only=True))
    amount = rows[0].index("Amount")
    by_line = {r[rows[0].index("Source row")]: r[amount] for r in rows[1:-1]}
    # lines 2, 3, 5: 500, 400, 2,000; Ann's "n/a" (line 4) and Cara's blank (line 7): "—"
    assert by_line == {2: 500, 3: 400, 4: "—", 5: 2000, 7: "—"}
    assert ws.cell(ws.max_row, amount + 1).value.startswith("=IF(SUBTOTAL(102,")


def test_a_directional_rep_greys_its_rate_not_its_bonus_figures(workbook):
    ws = openpyxl.load_workbook(workbook)["Rep Bonuses"]
    header = [c.value for c in ws[1]]
    # Ben Ode: 1 won, 1 lost, far under 20 closed: directional
    ben = next(r for r in range(2, ws.max_row) if ws.cell(r, 1).value == "Ben Ode")
    assert ws.cell(ben, header.index("Directional (< 20 closed)") + 1).value == "directional"
    italic = {h: ws.cell(ben, j + 1).font.i for j, h in enumerate(header)}
    assert italic["Win rate"] and italic["95% CI low"] and italic["95% CI high"]
    assert not any(italic[h] for h in ("Rep", "Won amount", "Target", "Attainment"))


def test_definitions_name_the_sumif_total_and_no_made_up_date(workbook):
    ws = openpyxl.load_workbook(workbook)["Definitions"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "SUMIF over its Quarter column" in text
    assert "15 Nov" not in text  # the old example's date; these data run to 7 Mar
