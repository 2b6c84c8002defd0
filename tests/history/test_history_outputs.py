"""The restatements reach the affected briefings only; statements state metrics.json's figures."""

from __future__ import annotations

import json

import pytest

from reporter.cli import cli
from support.restated import HEADER, ROWS, text


@pytest.mark.slow
def test_only_the_affected_briefing_shows_the_restatement(runner, tmp_path):
    out = tmp_path / "out"
    first, later = tmp_path / "crm-1.csv", tmp_path / "crm-2.csv"
    first.write_text(HEADER + "\n".join(ROWS) + "\n")
    # W2's amount is corrected from 300 to 450 after Q3 was closed.
    later.write_text(HEADER + "\n".join([*ROWS[:3], ROWS[3].replace(",300,", ",450,")]) + "\n")
    assert runner.invoke(cli, ["build", str(first), "--out", str(out), "-q"]).exit_code == 0
    doc = json.loads((out / "metrics.json").read_text())

    # Statements of the open quarter: the latest build's figures, as in metrics.json.
    stated = runner.invoke(cli, ["statements", "FY2026Q3", "--out", str(out)])
    assert stated.exit_code == 0, stated.output
    bob = text(out / "statements" / "FY2026Q3" / "Bob.pdf")
    ann = text(out / "statements" / "FY2026Q3" / "Ann.pdf")
    rows = {r["rep"]: r for r in doc["won_opportunities_by_rep"] if r["quarter"] == "FY2026 Q3"}
    assert (rows["Bob"]["won_opportunities"], rows["Bob"]["won_amount"]) == (2, 2300)
    assert (rows["Ann"]["won_opportunities"], rows["Ann"]["lost_opportunities"]) == (1, 1)
    assert "Not closed yet" in bob and "2,300" in bob and "W1" in bob and "W2" in bob
    assert "50.0%" in ann and "1,000" in ann and "E1" in ann and "E2" not in ann
    assert "Win rate DIRECTIONAL" in ann  # 2 closed, under the default min_closed of 20

    assert runner.invoke(cli, ["close", "FY2026Q3", "--out", str(out)]).exit_code == 0
    rebuilt = runner.invoke(cli, ["build", str(later), "--out", str(out), "-q"])
    assert rebuilt.exit_code == 0, rebuilt.output
    west, east = text(out / "briefings" / "West.pdf"), text(out / "briefings" / "East.pdf")
    assert "Restatements" in west and "W2" in west and "amount 300.00 → 450.00" in west
    assert "Restatements" not in east and "W2" not in east
