"""Issue 9, risks to a bonus are loud: each gets a code flagged ``bonus-risk``.

Expected figures are hand-computed from the fixtures (tests/fixtures/trust). Quarters are
calendar quarters (fiscal year starts in January). Row numbers are CSV lines (header = 1).
"""

from __future__ import annotations

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
