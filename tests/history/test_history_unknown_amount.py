"""A won amount the core could not know (a won deal without an amount) is "—" with the
reason wherever the history store's figures are shown, and a difference involving it is
"—" too: never 0, never the others' sum. Real SQLite files and real builds; expectations
worked out by hand in the comments."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from history_helpers import deal
from pypdf import PdfReader

from reporter.cli import cli
from reporter.deliver.hold import RESTATED, findings
from reporter.history.compare import compare
from reporter.history.figures import Figure, won_amount_total
from reporter.history.records import sheet_rows, to_record
from reporter.history.statements import statements
from reporter.history.store import HistoryStore
from reporter.write.statements import context

Q3, START, END = "FY2026 Q3", "2026-07-01", "2026-09-30"
REASON = "1 won deal has no amount; the other 1 totals 900"  # D2's 900 is the known part


def ann(amount, without, known):
    """Ann's Q3 figures as the core records them: 2 won (D1, D2), none lost."""
    return [
        Figure(Q3, "rep", "Ann", "won_opportunities", 2.0),
        Figure(Q3, "rep", "Ann", "won_amount", amount),
        Figure(Q3, "rep", "Ann", "won_without_amount", without),
        Figure(Q3, "rep", "Ann", "won_amount_known", known),
        Figure(Q3, "rep", "Ann", "lost_opportunities", 0.0),
        Figure(Q3, "rep", "Ann", "win_rate", 1.0),
    ]


KNOWN = [deal("D1", "Ann", amount=300.0), deal("D2", "Ann", amount=900.0, close="2026-08-10")]
MISSING = [deal("D1", "Ann", amount=None), KNOWN[1]]
KNOWN_FIGURES = ann(1200.0, 0.0, 1200.0)  # 300 + 900
MISSING_FIGURES = ann(None, 1.0, 900.0)  # D1 unknown: the sum is unknown, 900 of it known


def restated(store, deals, figures):
    return [r for r in compare(store, deals, figures, None) if r.figure == "won_amount"]


def test_a_frozen_amount_that_became_unknown_is_dash_with_the_reason(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.record_run(deals=KNOWN, figures=KNOWN_FIGURES, inputs=[], config={}, period=Q3)
        store.close_quarter(Q3, START, END, closed_by="fin")
        [r] = restated(store, MISSING, MISSING_FIGURES)
    assert (r.frozen, r.now, r.difference) == (1200.0, None, None)
    assert r.now_reason == REASON and r.frozen_reason is None
    assert r.restated  # 1,200 → "—" is a change a bonus depends on
    [d] = r.deals
    assert (d.opportunity_id, d.effect, d.what) == ("D1", None, "amount 300.00 → —")
    record = to_record(r)
    assert (record["now"], record["difference"], record["now_reason"]) == (None, None, REASON)
    [row] = sheet_rows([r])
    assert (row["now"], row["difference"], row["effect"]) == (None, None, None)
    assert row["why_unknown"] == f"now —: {REASON}"


def test_a_frozen_unknown_amount_stays_unknown_and_is_stated_with_its_reason(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.record_run(deals=MISSING, figures=MISSING_FIGURES, inputs=[], config={}, period=Q3)
        store.close_quarter(Q3, START, END, closed_by="fin")
        # D1's amount filled in later: frozen "—", now 1,200, the difference unknown.
        [r] = restated(store, KNOWN, KNOWN_FIGURES)
        # The same data again: unknown then and now for the same reason, nothing restated.
        assert restated(store, MISSING, MISSING_FIGURES) == []
        [s] = statements(store, Q3, START, END)
    assert (r.frozen, r.now, r.difference, r.frozen_reason) == (None, 1200.0, None, REASON)
    assert r.restated and r.deals[0].effect is None
    assert s.figures["won_amount"] is None and s.reasons == {"won_amount": REASON}
    tile = next(t for t in context(s)["tiles"] if t["label"] == "Won amount")
    assert (tile["value"], tile["note"]) == ("—", REASON)


def test_close_summary_never_totals_a_partial_won_amount():
    bob = [Figure(Q3, "rep", "Bob", "won_amount", 500.0)]
    assert won_amount_total(KNOWN_FIGURES + bob) == "1,700.00"  # 1,200 + 500
    # Ann's 900 known + Bob's 500 = 1,400 known; one won deal without an amount.
    assert won_amount_total(MISSING_FIGURES + bob) == (
        "— (1 won deal(s) without an amount; the others total 1,400.00)"
    )


HEADER = ["Opportunity ID", "Owner", "Account", "Stage", "Amount", "Created", "Close Date"]
ROWS = [
    ["D1", "Ann", "Acme", "Closed Won", "300", "2026-06-01", "2026-07-05"],
    ["D2", "Ann", "Beta", "Closed Won", "900", "2026-06-10", "2026-08-10"],
    ["D3", "Bob", "Gamma", "Closed Won", "500", "2026-07-01", "2026-10-10"],  # Q4
]


def export(path, d1_amount):
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        out.writerows([[*ROWS[0][:4], d1_amount, *ROWS[0][5:]], *ROWS[1:]])
    return path


@pytest.mark.slow
def test_a_real_build_shows_dash_not_zero_in_every_output(runner, tmp_path):
    out = tmp_path / "out"

    def run(*args):
        result = runner.invoke(cli, [str(a) for a in args])
        assert result.exit_code in (0, 1), result.output
        return result

    run("build", export(tmp_path / "a.csv", "300"), "--out", out, "-q")
    closed = run("close", "FY2026Q3", "--out", out)
    # Ann won D1 + D2 = 300 + 900; Bob only created D3 in Q3 (it closes in Q4).
    assert "2 rep(s), 2 won opportunities, won amount 1,200.00" in closed.output
    run("build", export(tmp_path / "b.csv", "n/a"), "--out", out, "-q")

    doc = json.loads((out / "metrics.json").read_text())
    [r] = doc["restatements"]
    assert (r["rep"], r["figure"], r["frozen"], r["now"], r["difference"]) == (
        "Ann",
        "won_amount",
        1200,
        None,
        None,
    )
    assert r["now_reason"] == REASON and r["restated"] is True
    assert [(d["opportunity_id"], d["effect"]) for d in r["deals"]] == [("D1", None)]

    sheet = openpyxl.load_workbook(out / "sales-report.xlsx")["Restatements"]
    rows = list(sheet.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Frozen (amount)"] == 1200
    assert (row["Now (amount)"], row["Difference (amount)"]) == ("—", "—")
    assert row["Deal's effect (amount)"] == "—"
    assert row["Why a figure is —"] == f"now —: {REASON}"

    [held] = [f for f in findings(doc) if f.condition == RESTATED]
    assert held.examples == (f"FY2026 Q3 Ann won_amount: frozen 1,200, now — ({REASON}) (D1)",)

    strict = runner.invoke(cli, ["build", str(tmp_path / "b.csv"), "--out", str(out), "--strict"])
    assert strict.exit_code == 1 and "closed quarter(s) restated: FY2026 Q3" in strict.output

    # Closed again while D1 has no amount: the frozen won amount is "—", never 900.
    run("reopen", "FY2026Q3", "--out", out, "--reason", "D1 lost its amount")
    again = run("close", "FY2026Q3", "--out", out)
    assert "won amount — (1 won deal(s) without an amount; the others total 900.00)" in again.output
    run("build", export(tmp_path / "c.csv", "300"), "--out", out, "-q")
    [r] = json.loads((out / "metrics.json").read_text())["restatements"]
    assert (r["frozen"], r["now"], r["difference"], r["frozen_reason"]) == (
        None,
        1200,
        None,
        REASON,
    )
    run("statements", "FY2026Q3", "--out", out)
    text = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(out / "statements" / "FY2026Q3" / "Ann.pdf").pages
    )
    assert f"Won amount — {REASON}" in text
    assert "1,200" in text and f"frozen —: {REASON}" in text  # the restatement row
