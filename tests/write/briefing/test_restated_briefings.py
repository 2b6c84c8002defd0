"""Briefings are handed to the workers before the build compares with the history; the
ones the comparison restates are rendered again, the company-wide one included."""

from __future__ import annotations

import pytest

from reporter.cli import cli
from support.restated import HEADER, ROWS, text


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_restated_briefings_are_rendered_again_with_their_section(runner, tmp_path, workers):
    out = tmp_path / "out"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[briefings]\nworkers = {workers}\n[delivery]\nleadership = ["ceo@example.com"]\n'
    )
    first, later = tmp_path / "crm-1.csv", tmp_path / "crm-2.csv"
    first.write_text(HEADER + "\n".join(ROWS) + "\n")
    # W2's amount is corrected from 300 to 450 after Q3 was closed.
    later.write_text(HEADER + "\n".join([*ROWS[:3], ROWS[3].replace(",300,", ",450,")]) + "\n")
    build = ["--config", str(config), "--out", str(out), "-q"]
    assert runner.invoke(cli, ["build", str(first), *build]).exit_code == 0
    assert "Restatements" not in text(out / "briefings" / "company.pdf")
    assert runner.invoke(cli, ["close", "FY2026Q3", "--out", str(out)]).exit_code == 0

    rebuilt = runner.invoke(cli, ["build", str(later), *build])
    assert rebuilt.exit_code == 0, rebuilt.output
    west, east = text(out / "briefings" / "West.pdf"), text(out / "briefings" / "East.pdf")
    company = text(out / "briefings" / "company.pdf")
    for restated in (west, company):
        assert "Restatements" in restated and "amount 300.00 → 450.00" in restated
    assert "Restatements" not in east and "W2" not in east
    # the rest of the briefing is the new build's: Bob's won amount is 2,000 + 450 (no currency)
    assert "1 Bob 2 2,450" in west
