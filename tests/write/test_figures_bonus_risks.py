"""Risks to a bonus are listed first, with the rep and amount (issue 9, Build 6).

The readers flag them (tests/trust); the outputs present them: the CLI summary, the top of
the Data Quality sheet, ``bonus_risks`` in metrics.json. Fixtures: tests/fixtures/trust.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from reporter.cli import cli
from support.data import FIXTURES

TYPOS = FIXTURES / "trust" / "sf_report_stage_typos_closed_wno_won_pending.csv"
AT_RISK = FIXTURES / "trust" / "sf_report_won_deals_no_owner_no_date_bad_amount_future.csv"


@pytest.fixture(scope="module")
def typos(tmp_path_factory):
    out = tmp_path_factory.mktemp("typos")
    result = CliRunner().invoke(cli, ["build", str(TYPOS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result.output, out


def test_cli_summary_lists_each_risk_with_rep_and_amount(typos):
    output, _out = typos
    assert "Bonus at risk: 2 won deal(s)" in output
    # "Closed Wno": Ana Lopez's 7,000 (line 3); "Won - pending": Ben Ode's 3,000 (line 4)
    lines = {line.split(" ", 3)[2]: line for line in output.splitlines() if TYPOS.name in line}
    assert "Ana Lopez's deal of 7,000" in lines[f"{TYPOS.name}:3"]
    assert "Ben Ode's deal of 3,000" in lines[f"{TYPOS.name}:4"]


def test_data_quality_sheet_starts_with_the_risks(typos):
    _output, out = typos
    ws = openpyxl.load_workbook(out / "sales-report.xlsx")["Data Quality"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    first = [dict(zip(header, r, strict=False)) for r in rows[1:3]]
    # the amount is a number (finance can sum and filter it), its currency beside it
    assert [
        (r["Code"], r["Bonus"], r["Rep"], r["Amount"], r["Currency"], r["Row"]) for r in first
    ] == [
        ("won-looking-stage", "at risk", "Ana Lopez", 7000, "USD", 3),
        ("won-looking-stage", "at risk", "Ben Ode", 3000, "USD", 4),
    ]
    assert all(dict(zip(header, r, strict=False))["Bonus"] in ("", None) for r in rows[3:])


def test_metrics_json_lists_the_risks(typos):
    _output, out = typos
    risks = json.loads((out / "metrics.json").read_text())["bonus_risks"]
    assert [(r["code"], r["row"], r["rep"], r["amount"], r["currency"]) for r in risks] == [
        ("won-looking-stage", 3, "Ana Lopez", 7000, "USD"),
        ("won-looking-stage", 4, "Ben Ode", 3000, "USD"),
    ]


def test_quarantined_won_deals_are_listed_without_a_kept_row(tmp_path):
    result = CliRunner().invoke(cli, ["check", str(AT_RISK)])
    assert result.exit_code == 0, result.output
    assert "Bonus at risk: 4 won deal(s)" in result.output
    # line 3 has no owner (quarantined, 6,000); line 6 is Ben Ode's 9,000 dated 2052
    lines = {line.split(" ", 3)[2]: line for line in result.output.splitlines() if ".csv:" in line}
    assert "no owner, 6,000" in lines[f"{AT_RISK.name}:3"]
    assert "Ben Ode, 9,000" in lines[f"{AT_RISK.name}:6"]
