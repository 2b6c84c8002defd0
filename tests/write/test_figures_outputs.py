"""Every output presents the core's figures honestly (issue 9, Build 1, 7, 9).

Real builds: a Salesforce-report-style workbook is written, ``reporter build`` runs
in-process, and the workbook (formulas and cached values), the PDFs' text and
metrics.json are read back. Expected figures are hand-computed in the scenarios' comments.
"""

from __future__ import annotations

import pytest

from support.figures import build, config, deal

pytestmark = pytest.mark.slow

# FY2026 Q2 (Apr-Jun) with data through 15 May 2026; Ana sells in West, Bo in East.
# Q1 like for like (to 15 Feb): 2 won (Ana), 1 lost (Ana). Full Q1: 4 won, 2 lost.
# Q2 so far: 2 won (Ana 04-02 for 300, Bo 05-15 for 200), 1 lost (Bo). Open: Ana 400, Bo 900.
RUNNING = [
    deal("won", "Ana", "2026-01-10", "A1", 100.0, "2025-12-01", region="West"),
    deal("won", "Ana", "2026-02-15", "A2", 100.0, "2026-01-02", region="West"),
    deal("won", "Bo", "2026-02-16", "A3", 100.0, "2026-01-03", region="East"),
    deal("won", "Bo", "2026-03-30", "A4", 100.0, "2026-01-04", region="East"),
    deal("lost", "Ana", "2026-02-01", "L1", 100.0, "2026-01-05", region="West"),
    deal("lost", "Bo", "2026-03-01", "L2", 100.0, "2026-01-06", region="East"),
    deal("won", "Ana", "2026-04-02", "B1", 300.0, "2026-03-01", region="West"),
    deal("won", "Bo", "2026-05-15", "A3", 200.0, "2026-04-01", region="East"),
    deal("lost", "Bo", "2026-04-20", "L3", 100.0, "2026-04-02", region="East"),
    deal("open", "Ana", "2026-06-20", "O1", 400.0, "2026-04-03", region="West"),
    deal("open", "Bo", "2026-06-21", "O2", 900.0, "2026-04-04", region="East"),
]
RUNNING_TARGETS = [
    ("rep", "Ana", "FY2026 Q1", 800.0),
    ("rep", "Ana", "FY2026 Q2", 1000.0),
    ("rep", "Bo", "FY2026 Q2", 500.0),
]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    return build(tmp_path_factory.mktemp("running"), RUNNING, target_rows=RUNNING_TARGETS)


def _headline_table(built):
    ws = built.workbook["Summary"]
    for row in ws.iter_rows():
        if row[0].value == "Measure":
            header = [c.value for c in row]
            body = []
            for r in ws.iter_rows(min_row=row[0].row + 1):
                if r[0].value is None:
                    break
                body.append(r)
            return header, {r[0].value: r for r in body}
    raise AssertionError("no headline table on Summary")


def test_summary_compares_like_for_like_and_shows_the_full_quarter(running):
    header, _rows = _headline_table(running)
    assert "FY2026 Q1 to 15 Feb 2026" in header
    assert "FY2026 Q1 (full quarter)" in header


def test_summary_rate_change_is_in_points_and_has_no_change_percent(running):
    header, rows = _headline_table(running)
    change, relative = header.index("Change"), header.index("Change %")
    rate_row = next(
        r for label, r in rows.items() if str(label).startswith("Win rate") and "95%" not in label
    )
    assert "pp" in rate_row[change].number_format and "%" not in rate_row[change].number_format
    assert rate_row[relative].value is None
    for label, row in rows.items():
        if "interval" in str(label) or "coverage" in str(label).lower():
            assert row[relative].value is None, label


def test_rep_bonuses_total_is_the_reporting_quarter_only(running):
    rows = running.sheet_rows("Rep Bonuses")
    header, last = rows[0], rows[-1]
    assert "FY2026 Q2" in str(last[0])
    won = header.index("Won opportunities")
    assert last[won] == 2  # not 2 + 4 from FY2026 Q1


def test_rep_target_and_attainment_in_every_output(running):
    reps = running.metrics["won_opportunities_by_rep"]
    ana = next(r for r in reps if r["rep"] == "Ana" and r["quarter"] == "FY2026 Q2")
    assert ana["target"] == 1000.0 and ana["attainment"] == pytest.approx(0.3)
    assert ana["ci_low"] is not None and ana["directional"] is True
    assert "30%" in flat(running.pdf_text["West"])


def test_region_coverage_is_the_same_in_sheet_pdf_and_json(running):
    # West: Ana's target 1000 (she sells only in West), open 400 → 40 %.
    sheet = running.sheet_rows("Pipeline")
    west = next(r for r in sheet if r[0] == "region" and r[1] == "West")
    assert west[-1] == pytest.approx(0.4)
    pipe = running.metrics["pipeline"]
    assert next(p for p in pipe if p["segment"] == "West")["coverage"] == pytest.approx(0.4)
    assert "coverage 40%" in flat(running.pdf_text["West"])


def test_bridge_on_won_customers_sheet_in_json_and_pdf(running):
    everyone = next(b for b in running.metrics["bridge"] if b["dimension"] == "all")
    # Q2: B1 is a new account (first win); A3 was first won in Q1 → existing customer.
    assert (everyone["won_opportunities"], everyone["new_customer_first_wins"]) == (2, 1)
    assert everyone["existing_customer_wins"] == 1
    text = " ".join(str(v) for row in running.sheet_rows("Won Customers") for v in row)
    assert "existing customer" in text.lower()
    assert "existing customer" in flat(running.pdf_text["East"]).lower()


def test_briefing_compares_with_the_same_day_of_the_previous_quarter(running):
    text = flat(running.pdf_text["West"])
    assert "FY2026 Q1 to 15 Feb 2026" in text


@pytest.fixture(scope="module")
def no_amounts(tmp_path_factory):
    return build(tmp_path_factory.mktemp("no-amounts"), RUNNING, with_amounts=False)


def test_missing_amounts_are_dashes_with_a_reason_not_zero(no_amounts):
    text = flat(no_amounts.pdf_text["West"])
    assert "worth 0" not in text and "worth —" in text
    assert no_amounts.metrics["headline"]["won_amount"] is None
    reason = no_amounts.result.report.reasons["won_amount"]
    summary = [v for row in no_amounts.sheet_rows("Summary") for v in row]
    assert reason in summary


LOST_AT_ZERO = [
    deal("won", "Ana", "2026-04-05", "Z1", 500.0, region="West"),
    deal("won", "Bo", "2026-05-05", "Z2", 300.0, region="East"),
    deal("lost", "Bo", "2026-05-06", "Z3", 0.0, region="East"),
    deal("lost", "Ana", "2026-06-07", "Z4", 0.0, region="West"),
]


def test_amount_weighted_rate_hidden_with_a_note(tmp_path):
    built = build(tmp_path, LOST_AT_ZERO)
    text = flat(built.pdf_text["West"])
    assert "amount-weighted 100" not in text
    assert built.result.report.reasons["amount_weighted_win_rate"] in text
    assert built.metrics["headline"]["amount_weighted_win_rate"] is None


COHORT = [
    deal("won", "Ana", "2026-07-20", "C1", created="2026-07-02", region="West"),
    deal("won", "Ana", "2026-08-20", "C2", created="2026-07-03", region="West"),
    deal("won", "Ana", "2026-10-10", "C3", created="2026-08-01", region="West"),
    deal("lost", "Ana", "2026-09-01", "C4", created="2026-07-04", region="West"),
    deal("lost", "Ana", "2026-11-01", "C5", created="2026-09-04", region="West"),
    deal("won", "Ana", "2026-07-10", "C6", created="2026-05-01", region="West"),
    deal("lost", "Ana", "2026-07-13", "C9", created="2026-05-04", region="West"),
]


def test_cohort_tile_pairs_cohort_counts_with_the_cohort_rate(tmp_path):
    # Cohort (created in Q3, closed so far): won C1, C2, C3; lost C4, C5 → 3 won, 2 lost, 60 %.
    # By close date in Q3: won C1, C2, C6; lost C4, C9, C10 → 3 won, 3 lost.
    rows = [*COHORT, deal("lost", "Ana", "2026-07-14", "C10", created="2026-05-05", region="West")]
    built = build(tmp_path, rows, period="FY2026Q3", cfg=config(win_rate={"mode": "cohort"}))
    text = flat(built.pdf_text["West"])
    assert "60.0%" in text
    assert "3 won, 2 lost" in text  # close-date counts would be 3 won, 3 lost
