"""Build → close → later export with four edits: the CLI, metrics.json and the Restatements
sheet name exactly those four deals with the right differences. Expectations by hand."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from pypdf import PdfReader

from reporter.cli import cli

HEADER = ["Opportunity ID", "Owner", "Account", "Stage", "Amount", "Created", "Close Date"]
EXPORT = {
    # Q3 (Jul-Sep 2026) — Acme's, Gamma's and Beta's first wins are D1, D3, D4.
    "D1": ["Ann", "Acme", "Closed Won", 1000, "2026-06-01", "2026-07-05"],
    "D2": ["Ann", "Acme", "Closed Won", 500, "2026-06-10", "2026-08-10"],
    "D3": ["Bob", "Gamma", "Closed Won", 1000, "2026-06-15", "2026-08-20"],
    "D4": ["Ann", "Beta", "Closed Won", 800, "2026-07-01", "2026-09-10"],
    "D5": ["Bob", "Epsilon", "Closed Lost", 300, "2026-07-01", "2026-09-15"],
    # Q4, the open quarter (Acme already a customer, so D6 is no new customer).
    "D6": ["Bob", "Acme", "Closed Won", 700, "2026-09-01", "2026-10-20"],
    "D7": ["Cy", "Zeta", "Closed Won", 400, "2026-09-05", "2026-11-02"],
    "D8": ["Cy", "Eta", "Closed Lost", 100, "2026-09-05", "2026-11-05"],
    "D9": ["Ann", "Theta", "Negotiation", 900, "2026-10-01", "2026-12-15"],
}
EDITS = {
    "D2": {2: "Negotiation"},  # re-opened (stage)
    "D6": {5: "2026-09-25"},  # close date moved into the closed Q3 (0-based after the id)
    "D3": {3: 1250},  # amount edited
    "D4": {0: "Cy"},  # owner reassigned
}


def write_export(path, edits=None):
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for oid, row in EXPORT.items():
            row = list(row)
            for i, value in (edits or {}).get(oid, {}).items():
                row[i] = value
            out.writerow([oid, *row])
    return path


def invoke(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args])
    return result


# (quarter, basis, rep, figure) → (frozen, now, {deal: effect}), worked out by hand:
# Q3 frozen: Ann D1+D2+D4 = 3 won, 2,300, customers Acme+Beta; Bob D3 = 1, 1,000, Gamma.
# Q3 now:    Ann D1 = 1, 1,000, Acme; Bob D3+D6 = 2, 1,950, Gamma; Cy D4 = 1, 800, Beta.
# Q4 last run: Bob D6 = 1, 700 → 0 now.
EXPECTED = {
    ("FY2026 Q3", "closed", "Ann", "won_opportunities"): (3, 1, {"D2": -1, "D4": -1}),
    ("FY2026 Q3", "closed", "Ann", "won_amount"): (2300, 1000, {"D2": -500, "D4": -800}),
    ("FY2026 Q3", "closed", "Ann", "won_customers"): (2, 1, {"D4": -1}),
    ("FY2026 Q3", "closed", "Bob", "won_opportunities"): (1, 2, {"D6": 1}),
    ("FY2026 Q3", "closed", "Bob", "won_amount"): (1000, 1950, {"D3": 250, "D6": 700}),
    ("FY2026 Q3", "closed", "Cy", "won_opportunities"): (0, 1, {"D4": 1}),
    ("FY2026 Q3", "closed", "Cy", "won_amount"): (0, 800, {"D4": 800}),
    ("FY2026 Q3", "closed", "Cy", "won_customers"): (0, 1, {"D4": 1}),
    ("FY2026 Q4", "last run", "Bob", "won_opportunities"): (1, 0, {"D6": -1}),
    ("FY2026 Q4", "last run", "Bob", "won_amount"): (700, 0, {"D6": -700}),
}
WHAT = {
    ("FY2026 Q3", "D2"): ["re-opened"],
    ("FY2026 Q3", "D3"): ["amount changed"],
    ("FY2026 Q3", "D4"): ["owner changed"],
    ("FY2026 Q3", "D6"): ["close date moved into the quarter"],
    ("FY2026 Q4", "D6"): ["close date moved out of the quarter"],
}


@pytest.mark.slow
def test_close_then_four_edits_are_restated_deal_by_deal(runner, tmp_path):
    out = tmp_path / "out"
    first = write_export(tmp_path / "crm-1.csv")
    built = invoke(runner, "build", first, "--out", out, "-q")
    assert built.exit_code == 0, built.output
    assert "Restatements: none" in built.output
    frozen_doc = json.loads((out / "metrics.json").read_text())
    assert frozen_doc["period"]["label"] == "FY2026 Q4"

    closed = invoke(runner, "close", "FY2026Q3", "--out", out)
    assert closed.exit_code == 0, closed.output
    assert "Closed FY2026 Q3 (2026-07-01 to 2026-09-30)" in closed.output
    # Ann, Bob, and Cy (who only created deals in Q3): 3 reps; D1+D2+D3+D4 = 3,300.
    assert "3 rep(s), 4 won opportunities, won amount 3,300.00" in closed.output
    assert "Warning" not in closed.output  # the data reach past the end of Q3
    again = invoke(runner, "close", "FY2026Q3", "--out", out)
    assert again.exit_code == 2 and "already closed" in again.output

    # Identical inputs: nothing restated, in any output.
    same = invoke(runner, "build", first, "--out", out, "-q", "--strict")
    assert same.exit_code == 0, same.output
    assert "Restatements: none" in same.output
    assert json.loads((out / "metrics.json").read_text())["restatements"] == []

    later = write_export(tmp_path / "crm-2.csv", EDITS)
    rebuilt = invoke(runner, "build", later, "--out", out, "-q")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (
        "Restatements: FY2026 Q3 (closed, frozen): 4 deal(s) changed figures of 3 rep(s)"
        " — D2, D3, D4, D6; FY2026 Q4 (vs last run): 1 deal(s) changed figures of 1 rep(s) — D6"
    ) in rebuilt.output

    doc = json.loads((out / "metrics.json").read_text())
    got = {
        (r["quarter"], r["basis"], r["rep"], r["figure"]): (
            r["frozen"],
            r["now"],
            {d["opportunity_id"]: d["effect"] for d in r["deals"]},
        )
        for r in doc["restatements"]
    }
    assert got == EXPECTED
    for r in doc["restatements"]:
        assert r["difference"] == r["now"] - r["frozen"]
        for d in r["deals"]:
            assert d["changes"] == WHAT[(r["quarter"], d["opportunity_id"])]
    # The figures "now" are the core's own: the rep table of the same metrics.json.
    reps = {(r["rep"], r["quarter"]): r for r in doc["won_opportunities_by_rep"]}
    assert reps[("Bob", "FY2026 Q3")]["won_amount"] == 1950
    assert reps[("Ann", "FY2026 Q3")]["won_opportunities"] == 1

    sheet = openpyxl.load_workbook(out / "sales-report.xlsx", read_only=True)["Restatements"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    table = [dict(zip(header, r)) for r in rows[1:] if r[0]]
    assert {r["Opportunity id"] for r in table} == {"D2", "D3", "D4", "D6"}
    assert len(table) == sum(len(v[2]) for v in EXPECTED.values())  # one row per deal
    bob = [r for r in table if r["Rep"] == "Bob" and r["Figure"] == "Won amount"]
    assert {(r["Quarter"], r["Opportunity id"], r["Deal's effect (amount)"]) for r in bob} == {
        ("FY2026 Q3", "D3", 250),
        ("FY2026 Q3", "D6", 700),
        ("FY2026 Q4", "D6", -700),
    }
    assert {r["Difference (amount)"] for r in bob if r["Quarter"] == "FY2026 Q3"} == {950}
    d3 = next(r for r in bob if r["Opportunity id"] == "D3")
    assert d3["What changed"] == "amount 1,000.00 → 1,250.00"

    strict = invoke(runner, "build", later, "--out", out, "-q", "--strict")
    assert strict.exit_code == 1
    assert "closed quarter(s) restated: FY2026 Q3" in strict.output

    history = invoke(runner, "history", "--out", out)
    assert history.exit_code == 0
    assert "FY2026 Q3: closed" in history.output and "from run 1 — closed" in history.output

    # Statements for the closed quarter: the frozen figures, and Ann's restatements.
    stated = invoke(runner, "statements", "FY2026Q3", "--out", out)
    assert stated.exit_code == 0, stated.output
    pdfs = sorted((out / "statements" / "FY2026Q3").glob("*.pdf"))
    assert [p.name for p in pdfs] == ["Ann.pdf", "Bob.pdf", "Cy.pdf"]
    ann = " ".join(
        page.extract_text() for page in PdfReader(out / "statements" / "FY2026Q3" / "Ann.pdf").pages
    )
    frozen_ann = {(r["rep"], r["quarter"]): r for r in frozen_doc["won_opportunities_by_rep"]}[
        ("Ann", "FY2026 Q3")
    ]
    assert frozen_ann["won_amount"] == 2300
    assert "2,300" in ann and "D1" in ann and "D2" in ann and "D4" in ann
    assert "D4 (-$800)" in ann or "D4 (-800)" in ann

    reopened = invoke(runner, "reopen", "FY2026Q3", "--out", out, "--reason", "D2 re-opened")
    assert reopened.exit_code == 0 and "D2 re-opened" in reopened.output
    after = invoke(runner, "build", later, "--out", out, "-q", "--strict")
    assert after.exit_code == 0, after.output
    assert "Restatements: none" in after.output  # Q3 open again; Q4 equal to the last run
