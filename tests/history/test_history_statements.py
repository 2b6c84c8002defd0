"""Rep statements: figures and deals from the store, one PDF per rep, text read back."""

from __future__ import annotations

import pytest
from history_helpers import deal
from pypdf import PdfReader

from reporter.config import Config
from reporter.history.figures import Figure
from reporter.history.statements import statements
from reporter.history.store import HistoryError, HistoryStore
from reporter.write.statements import context, write_statements

Q3, Q4 = "FY2026 Q3", "FY2026 Q4"
START, END = "2026-07-01", "2026-09-30"
Q4_START, Q4_END = "2026-10-01", "2026-12-31"


def rep_figures(rep, won, amount, lost, rate, customers=None, directional=None, quarter=Q3):
    out = [
        Figure(quarter, "rep", rep, "won_opportunities", won),
        Figure(quarter, "rep", rep, "won_amount", amount),
        Figure(quarter, "rep", rep, "lost_opportunities", lost),
        Figure(quarter, "rep", rep, "win_rate", rate),
    ]
    if customers is not None:
        out.append(Figure(quarter, "rep", rep, "won_customers", customers))
    if directional is not None:
        out.append(Figure(quarter, "rep", rep, "directional", directional))
    return out


DEALS = [
    deal("A-2", "Ann", amount=1500.0, close="2026-09-02", account="Acme", new=True),
    deal("A-1", "Ann", amount=2500.0, close="2026-07-10", account="Beta"),
    deal("A-9", "Ann", outcome="lost", amount=10.0, close="2026-08-01"),
    deal("A-0", "Ann", amount=99.0, close="2026-10-01"),  # next quarter: not on Q3's statement
    deal("B-1", "Bo <b>", amount=None, close="2026-08-08", account="Gamma"),
]
# Ann: 2 won (1,500 + 2,500 = 4,000), 1 lost → 2/3; one new customer (Acme).
FIGURES = rep_figures("Ann", 2.0, 4000.0, 1.0, 2 / 3, customers=1.0) + rep_figures(
    "Bo <b>", 1.0, 0.0, 0.0, 1.0
)


def test_statements_state_the_stored_figures_and_won_deals(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        with pytest.raises(HistoryError, match="no build is recorded"):
            statements(store, Q3, START, END)
        store.record_run(
            deals=DEALS, figures=FIGURES, inputs=[], config={}, period=Q3, currency="USD"
        )
        got = {s.rep: s for s in statements(store, Q3, START, END)}
    ann = got["Ann"]
    assert not ann.closed and "Not closed yet" in ann.basis
    assert ann.figures == {
        "won_opportunities": 2.0,
        "won_amount": 4000.0,
        "won_customers": 1.0,
        "lost_opportunities": 1.0,
        "win_rate": 2 / 3,
    }
    assert [d.opportunity_id for d in ann.deals] == ["A-1", "A-2"]
    assert sum(d.amount for d in ann.deals) == ann.figures["won_amount"]
    # Bo won no new customer: a known zero, not a missing figure.
    assert got["Bo <b>"].figures["won_customers"] == 0.0


def test_a_closed_quarter_states_its_frozen_figures_and_restatements(tmp_path):
    restated = {
        "quarter": Q3,
        "basis": "closed",
        "rep": "Ann",
        "figure": "won_amount",
        "frozen": 4000.0,
        "now": 3000.0,
        "difference": -1000.0,
        "deals": [
            {
                "opportunity_id": "A-1",
                "what_changed": "amount 2,500.00 → 1,500.00",
                "effect": -1000.0,
            }
        ],
    }
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.record_run(deals=DEALS, figures=FIGURES, inputs=[], config={}, period=Q3)
        store.close_quarter(Q3, START, END, closed_by="fin")
        later = [*DEALS[:1], deal("A-1", "Ann", amount=1500.0, close="2026-07-10")]
        store.record_run(
            deals=later, figures=[], inputs=[], config={}, period=Q3, restatements=[restated]
        )
        got = {s.rep: s for s in statements(store, Q3, START, END)}
    ann = got["Ann"]
    assert ann.closed and ann.basis.startswith("Closed: frozen on ")
    assert ann.run == 1 and ann.figures["won_amount"] == 4000.0
    assert [d.amount for d in ann.deals] == [2500.0, 1500.0]
    assert ann.restatements == (restated,)
    assert got["Bo <b>"].restatements == ()


@pytest.mark.slow
def test_one_pdf_per_rep_whose_text_shows_the_figures(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        marked = [*FIGURES, Figure(Q3, "rep", "Ann", "directional", 1.0)]
        store.record_run(
            deals=DEALS,
            figures=marked,
            inputs=[],
            config={"win_rate": {"min_closed": 20}},
            period=Q3,
            currency="USD",
        )
        found = statements(store, Q3, START, END)
    pdfs = write_statements(tmp_path / "statements", found, Config())
    assert sorted(p.name for p in pdfs.values()) == ["Ann.pdf", "Bo-b.pdf"]
    text = " ".join(p.extract_text() for p in PdfReader(pdfs["Ann"]).pages)
    for expected in ("Ann", "FY2026 Q3", "$4,000", "66.7%", "A-1", "Beta", "$2,500", "A-2"):
        assert expected in text, expected
    assert "A-0" not in text and "A-9" not in text
    assert "Win rate DIRECTIONAL" in text and "fewer than 20 closed" in text
    bo = " ".join(p.extract_text() for p in PdfReader(pdfs["Bo <b>"]).pages)
    assert "Bo <b>" in bo  # escaped, printed as text
    assert "not recorded" in bo  # Bo's run recorded no mark for his win rate


def _restated_bob():
    """Bob's Q3 won amount, frozen at 0 and now 700: D6's close date moved into Q3."""
    return {
        "quarter": Q3,
        "basis": "closed",
        "rep": "Bob",
        "figure": "won_amount",
        "frozen": 0.0,
        "now": 700.0,
        "difference": 700.0,
        "restated": True,
        "deals": [
            {
                "opportunity_id": "D6",
                "what_changed": "close date moved into the quarter: 2026-10-20 → 2026-09-25",
                "effect": 700.0,
            }
        ],
    }


def test_a_rep_restated_in_a_closed_quarter_gets_a_later_quarters_statement(tmp_path):
    """Bob sold nothing in Q4, but his closed Q3 was restated: his Q4 statement says so."""
    q4_ann = [deal("A-4", "Ann", amount=300.0, close="2026-11-02", account="Zeta")]
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.record_run(deals=DEALS, figures=FIGURES, inputs=[], config={}, period=Q3)
        store.close_quarter(Q3, START, END, closed_by="fin")
        later = rep_figures("Ann", 1.0, 300.0, 0.0, 1.0, directional=1.0, quarter=Q4)
        store.record_run(
            deals=q4_ann,
            figures=later,
            inputs=[],
            config={},
            period=Q4,
            restatements=[_restated_bob()],
        )
        got = {s.rep: s for s in statements(store, Q4, Q4_START, Q4_END)}
    assert sorted(got) == ["Ann", "Bob"]
    bob = got["Bob"]
    assert bob.restatements == (_restated_bob(),)
    # Nothing of Bob's in Q4: the core's "nothing" (0 won, 0 lost, no win rate), no mark.
    assert bob.figures == {
        "won_opportunities": 0.0,
        "won_amount": 0.0,
        "won_customers": 0.0,
        "lost_opportunities": 0.0,
        "win_rate": None,
    }
    assert bob.deals == () and bob.directional is False
    tile = {t["label"]: t for t in context(bob)["tiles"]}["Win rate"]
    assert (tile["value"], tile["note"]) == ("—", "no won or lost deal closes in the quarter")
    assert got["Ann"].restatements == ()


def test_the_win_rate_carries_the_directional_mark_the_core_gave_it(tmp_path):
    figures = rep_figures("Ann", 2.0, 4000.0, 1.0, 2 / 3, directional=1.0) + rep_figures(
        "Bo <b>", 1.0, 0.0, 0.0, 1.0, directional=0.0
    )
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.record_run(
            deals=DEALS,
            figures=figures,
            inputs=[],
            config={"win_rate": {"min_closed": 20}},
            period=Q3,
        )
        got = {s.rep: s for s in statements(store, Q3, START, END)}
        store.record_run(deals=DEALS, figures=FIGURES, inputs=[], config={}, period=Q3)
        unmarked = {s.rep: s for s in statements(store, Q3, START, END)}
    assert (got["Ann"].directional, got["Bo <b>"].directional) == (True, False)
    assert got["Ann"].min_closed == 20
    tile = {t["label"]: t for t in context(got["Ann"])["tiles"]}["Win rate"]
    assert (tile["value"], tile["directional"], tile["note"]) == ("66.7%", True, "")
    assert not {t["label"]: t for t in context(got["Bo <b>"])["tiles"]}["Win rate"]["directional"]
    # A run recorded before the mark was: no mark, and the statement says it is unknown.
    assert unmarked["Ann"].directional is None
    tile = {t["label"]: t for t in context(unmarked["Ann"])["tiles"]}["Win rate"]
    assert not tile["directional"] and "not recorded" in tile["note"]


@pytest.mark.slow
def test_statements_of_one_quarter_leave_another_quarters_in_place(runner, tmp_path):
    """`reporter statements` writes OUT/statements/<quarter>/ and replaces only that folder."""
    from reporter.cli import cli

    out = tmp_path / "out"
    q4 = [*DEALS, deal("A-4", "Ann", amount=300.0, close="2026-11-02", account="Zeta")]
    with HistoryStore(out / "history.sqlite3") as store:
        store.record_run(
            deals=q4,
            figures=FIGURES + rep_figures("Ann", 1.0, 300.0, 0.0, 1.0, quarter=Q4),
            inputs=[],
            config={},
            period=Q4,
        )
    q3_done = runner.invoke(cli, ["statements", "FY2026Q3", "--out", str(out)])
    assert q3_done.exit_code == 0, q3_done.output
    q3_ann = out / "statements" / "FY2026Q3" / "Ann.pdf"
    before = q3_ann.read_bytes()
    for _ in range(2):  # written, then written again: replaced whole, Q3 untouched
        q4_done = runner.invoke(cli, ["statements", "FY2026Q4", "--out", str(out)])
        assert q4_done.exit_code == 0, q4_done.output
        assert "statements/FY2026Q4" in q4_done.output
    assert sorted(p.name for p in (out / "statements").iterdir()) == ["FY2026Q3", "FY2026Q4"]
    assert sorted(p.name for p in (out / "statements" / "FY2026Q3").iterdir()) == [
        "Ann.pdf",
        "Bo-b.pdf",
    ]
    assert [p.name for p in (out / "statements" / "FY2026Q4").iterdir()] == ["Ann.pdf"]
    assert q3_ann.read_bytes() == before
    q4_text = " ".join(
        p.extract_text() for p in PdfReader(out / "statements" / "FY2026Q4" / "Ann.pdf").pages
    )
    assert "FY2026 Q4" in q4_text and "A-4" in q4_text and "A-1" not in q4_text


def test_a_run_records_the_cores_directional_mark_per_rep():
    import pandas as pd

    from reporter.history.figures import figures_from_tables

    reps = pd.DataFrame(
        {
            "rep": ["Ann", "Bo"],
            "quarter": [Q3, Q3],
            "won_opportunities": [2, 30],
            "won_amount": [4000.0, 9.0],
            "lost_opportunities": [1, 10],
            "win_rate": [2 / 3, 0.75],
            "directional": [True, False],
        }
    )
    customers = pd.DataFrame(columns=["quarter", "dimension", "segment", "won_customers"])
    marks = {
        f.segment: f.value
        for f in figures_from_tables(reps, customers)
        if f.figure == "directional"
    }
    assert marks == {"Ann": 1.0, "Bo": 0.0}
