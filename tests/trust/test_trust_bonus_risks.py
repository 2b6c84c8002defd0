"""Issue 9, risks to a bonus are loud: each gets a code flagged ``bonus-risk``.

Expected figures are hand-computed from the fixtures (tests/fixtures/trust). Quarters are
calendar quarters (fiscal year starts in January). Row numbers are CSV lines (header = 1).
"""

from __future__ import annotations

import json
from datetime import date

from trust_support import FIXTURES, bonus_risks, issues, load, report, run_cli, won_by_rep

TYPOS = "sf_report_stage_typos_closed_wno_won_pending.csv"
AT_RISK = "sf_report_won_deals_no_owner_no_date_bad_amount_future.csv"


def test_won_looking_typos_do_not_count_as_won():
    data = load(TYPOS)
    # Only "Closed Won" counts: Ana 10,000; Ben 4,000 and one "Closed Lost".
    # "Closed Wno" (Ana, 7,000) and "Won - pending" (Ben, 3,000) are not wins.
    assert won_by_rep(data) == {
        ("Ana Lopez", "FY2025 Q1"): (1, 10_000, 0),
        ("Ben Ode", "FY2025 Q1"): (1, 4_000, 1),
    }


def test_won_looking_stages_are_a_bonus_risk_naming_rep_and_amount():
    data = load(TYPOS)
    assert bonus_risks(data) == {("won-looking-stage", 3), ("won-looking-stage", 4)}
    found = {i.row: i.problem for i in issues(data, "won-looking-stage")}
    assert "Ana Lopez" in found[3] and ("7,000" in found[3] or "7000" in found[3])
    assert "Ben Ode" in found[4] and ("3,000" in found[4] or "3000" in found[4])
    # a typo of an open stage is only an unknown stage
    assert [i.value for i in issues(data, "unknown-stage")] == ["Qualificaton"]


def test_strict_fails_on_a_bonus_risk():
    result = run_cli("check", FIXTURES / TYPOS, "--strict")
    assert result.exit_code == 1, result.output
    assert "won-looking-stage" in result.output


def test_won_deals_at_risk_are_left_out_of_the_counts():
    data = load(AT_RISK)
    # counted: Ana won 10,000 (10 Feb); Ben won "12,5OO" (1 Mar, amount unreadable);
    # Cara lost (25 Mar). Set aside: no owner (line 3), no close date (line 4).
    # Ben's 2/28/2052 deal is in FY2052 Q1, not in FY2025 Q1.
    figures = won_by_rep(data)
    assert figures[("Ana Lopez", "FY2025 Q1")] == (1, 10_000, 0)
    assert figures[("Ben Ode", "FY2025 Q1")][0] == 1
    assert figures[("Cara Diaz", "FY2025 Q1")] == (0, None, 1)


def test_won_deals_at_risk_are_each_flagged():
    data = load(AT_RISK)
    assert bonus_risks(data) == {
        ("missing-owner", 3),
        ("missing-close-date", 4),
        ("bad-amount", 5),
        ("future-close-date", 6),
    }
    # the lost deal of Cara and the clean win of Ana carry no risk
    assert not {row for _, row in bonus_risks(data)} & {2, 7}


def test_a_future_won_deal_sets_neither_data_through_nor_the_period():
    period = report(load(AT_RISK)).period
    # latest closed outcome dated no later than today: Cara's loss on 25 Mar 2025
    assert period.label == "FY2025 Q1"
    assert period.data_through == date(2025, 3, 25)


BLANK = "rep_tracker_won_deals_blank_and_na_amounts.csv"


def test_a_won_deal_without_an_amount_is_a_bonus_risk():
    data = load(BLANK)
    # Ann's "n/a" (line 4) and Cara's blank (line 7) are won; Ben's blank (line 6) is lost
    assert bonus_risks(data) == {("missing-amount", 4), ("missing-amount", 7)}
    lost = [i for i in issues(data, "missing-amount") if i.row == 6]
    assert [(i.severity, i.rep) for i in lost] == [("warning", "Ben Ode")]


def test_a_won_deal_without_an_amount_names_its_rep_and_no_amount():
    found = {i.row: i for i in issues(load(BLANK), "missing-amount")}
    assert (found[4].rep, found[4].amount, found[4].currency) == ("Ann Park", None, None)
    assert found[4].problem.endswith("[won deal: Ann Park, no amount]")
    assert "—" in found[4].action  # the won amount it belongs to is shown as "—"
    assert found[7].rep == "Cara Diaz"


def test_strict_fails_on_a_won_deal_without_an_amount():
    result = run_cli("check", FIXTURES / BLANK, "--strict")
    assert result.exit_code == 1, result.output
    assert "Bonus at risk: 2 won deal(s)" in result.output


def test_strict_passes_when_only_a_lost_deal_has_no_amount(tmp_path):
    # the tracker without its two won deals that lack an amount (lines 4 and 7)
    lines = (FIXTURES / BLANK).read_text().splitlines()
    kept = tmp_path / "tracker.csv"
    kept.write_text("\n".join(line for n, line in enumerate(lines, 1) if n not in (4, 7)))
    result = run_cli("check", kept, "--strict")
    assert result.exit_code == 0, result.output
    assert "Bonus at risk" not in result.output


def test_quarantined_won_deals_carry_their_rep_amount_and_currency():
    found = {i.row: i for i in load(AT_RISK).issues if i.severity == "bonus-risk"}
    # line 3: no owner, USD 6,000; line 4: Ben Ode, USD 2,000 without a close date
    assert (found[3].rep, found[3].amount, found[3].currency) == (None, 6000, "USD")
    assert (found[4].rep, found[4].amount, found[4].currency) == ("Ben Ode", 2000, "USD")
    # the problem text names the same deal the fields hold
    # quarantined, it counts in no quarter: its risk names the one it is missing from
    assert found[3].problem.endswith(
        "[won deal: no owner, 6,000 USD, closed 20 Feb 2025: not in FY2025 Q1]"
    )
    assert found[4].problem.endswith("[won deal: Ben Ode, 2,000 USD]")
    # line 5's amount "12,5OO" was refused: no amount, whatever the currency column says
    assert (found[5].rep, found[5].amount) == ("Ben Ode", None)
    assert found[5].problem.endswith("[won deal: Ben Ode, no amount]")


def test_a_refused_amount_is_named_as_written_in_its_own_currency():
    config = {"currency": {"missing_rates": "counts-only"}}
    data = load("sf_report_opportunity_currency_eur_usd_jpy.csv", config=config)
    found = {i.row: i for i in issues(data, "unconverted-amount")}
    # line 4: Ben Ode's won ¥1,500,000, refused (no rate): shown as written, a bonus risk
    assert (found[4].rep, found[4].amount, found[4].currency) == ("Ben Ode", 1_500_000, "JPY")
    assert found[4].severity == "bonus-risk"
    assert found[4].problem.endswith("[won deal: Ben Ode, 1,500,000 JPY]")
    # line 5: Ben's lost $5,000 is refused too, but no bonus depends on it
    assert (found[5].amount, found[5].currency, found[5].severity) == (5000, "USD", "warning")


def test_delivery_counts_a_won_deal_without_an_amount_as_a_bonus_risk_only(tmp_path):
    # read from the run's own metrics.json, as a watcher does
    from reporter.deliver.hold import findings, holding

    result = run_cli("build", FIXTURES / BLANK, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    found = {f.condition: f.count for f in findings(metrics)}
    # lines 4 and 7 (won, no amount) are bonus risks; no won deal was set aside
    assert found["bonus-risk"] == 2 and found["missing-amount"] == 3
    assert "quarantined-won-deal" not in found
    assert [f.condition for f in holding(findings(metrics), ("bonus-risk",))] == ["bonus-risk"]
    risks = [(r["row"], r["rep"], r["amount"]) for r in metrics["bonus_risks"]]
    assert risks == [(4, "Ann Park", None), (7, "Cara Diaz", None)]


def test_a_won_deal_without_an_amount_names_the_cell_as_read_and_the_fix():
    found = {i.row: i for i in issues(load(BLANK), "missing-amount")}
    # line 4 said "n/a" in the Amount column; line 7 was empty
    assert (found[4].column, found[4].value) == ("Amount", "n/a")
    assert found[4].action.startswith("enter the amount in Amount, row 4;")
    assert (found[7].column, found[7].value) == ("Amount", None)
    assert found[7].action.startswith("enter the amount in Amount, row 7;")


def test_a_typo_of_a_won_stage_is_fixed_in_the_data_not_in_config():
    found = {i.row: i for i in issues(load(TYPOS), "won-looking-stage")}
    # "Closed Wno" is one swap away from "Closed Won": correct the cell first
    assert found[3].action.startswith("treated as open; correct Stage to 'Closed Won';")
    # "Won - pending" is no typo of a won stage: a new name, which config may add
    assert found[4].action.endswith("add it to [outcomes] won in config.toml")
    assert "correct" not in found[4].action
    # the value is its own column; the problem does not say it again
    assert "Closed Wno" not in found[3].problem


def test_check_prints_the_bonus_risks_before_every_issue():
    lines = run_cli("check", FIXTURES / TYPOS).output.splitlines()
    assert lines[0].startswith("Bonus at risk: 2 won deal(s) — check them before paying")
    risk = lines[1]
    assert risk.startswith(f"  {TYPOS}:3 [Stage] won-looking-stage: 'Closed Wno' looks like")
    assert risk.count("Closed Wno") == 2  # the value, and in the fix's config route only
    assert "unknown-stage" in "\n".join(lines[4:])
    assert not any(line.startswith("Bonus at risk") for line in lines[1:])


def test_build_prints_the_bonus_risks_before_what_was_read(tmp_path):
    lines = run_cli("build", FIXTURES / BLANK, "--out", tmp_path, "-q").output.splitlines()
    opening = [n for n, line in enumerate(lines) if line.startswith("Bonus at risk: 2")]
    read = [n for n, line in enumerate(lines) if line.startswith("Read:")]
    assert opening and read and opening[0] < read[0]
    assert f"{BLANK}:4 [Amount] missing-amount: 'n/a' won" in lines[opening[0] + 1]


def test_a_quarantined_won_deal_names_its_fiscal_quarter():
    # fiscal year from February: 20 Feb 2025 is in the Feb-Apr quarter, the same quarter as
    # the last close (25 Mar), so it is the reporting period's label (not FY2025 Q1)
    data = load(AT_RISK, config={"periods": {"fiscal_year_start_month": 2}})
    found = {i.row: i for i in issues(data, "missing-owner")}
    quarter = report(data, config={"periods": {"fiscal_year_start_month": 2}}).period
    assert quarter.quarter.start_month == 2
    assert found[3].problem.endswith(f"closed 20 Feb 2025: not in {quarter.label}]")


def test_the_summary_says_which_quarter_leaves_out_a_quarantined_won_deal(tmp_path):
    import openpyxl

    result = run_cli("build", FIXTURES / AT_RISK, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "sales-report.xlsx")["Summary"]
    # line 3: no owner, 6,000 USD, closed 20 Feb 2025 (FY2025 Q1); line 4 has no close date
    assert ws["A3"].value == (
        "Not in FY2025 Q1: 1 quarantined won deal(s) (no owner, 6,000 USD), see Data Quality"
    )
    doc = json.loads((tmp_path / "metrics.json").read_text())
    found = {r["row"]: r["missing_from"] for r in doc["bonus_risks"]}
    assert (found[3], found[4]) == ("FY2025 Q1", None)
