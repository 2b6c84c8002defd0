"""The Pipeline sheet never shows a partial open amount, nor a coverage formula over it
(issue 9): the "—" of the core, with the known part and the reason beside it.

The deals are those of tests/metrics/test_figures_open_amount_partial.py, whose figures are
counted by hand there: Ann has 300, 200 and one open deal without an amount, against a
target of 1,000; Bo 1,000 and 500 against 3,000.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from metrics.test_figures_open_amount_partial import DEALS, TARGETS
from reporter.config import Config
from reporter.model import Dataset, empty_targets
from reporter.write.xlsx import write_workbook
from support.figures import frame, report_for


def test_unknown_open_amount_and_coverage_are_dashes_with_the_reason(tmp_path: Path):
    report = report_for(DEALS, "FY2026Q3", target_rows=TARGETS)
    path = tmp_path / "sales-report.xlsx"
    dataset = Dataset(opportunities=frame(DEALS), targets=empty_targets(), issues=())
    write_workbook(path, report, dataset, Config())
    ws = openpyxl.load_workbook(path)["Pipeline"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    by_rep = {(r[0], r[1]): dict(zip(head, r)) for r in rows[1:]}
    ann = by_rep[("rep", "Ann")]
    assert ann["Open amount"] == "—"  # not 500
    assert ann["Coverage"] == "—"  # not a formula that would read 500 / 1,000 or 0 %
    assert ann["Open amount: known part"] == 500
    assert ann["Why the open amount is —"] == "1 open deal has no amount; the other 2 total 500"
    bo = by_rep[("rep", "Bo")]
    assert bo["Open amount"] == 1500
    assert bo["Why the open amount is —"] is None
    assert str(bo["Coverage"]).startswith("=")  # a live formula: 1,500 / 3,000
    everyone = by_rep[("all", "All")]
    assert (everyone["Open amount"], everyone["Open amount: known part"]) == ("—", 2000)
