"""Rep statements: figures and deals from the store, one PDF per rep, text read back."""

from __future__ import annotations

import pytest
from history_helpers import deal
from pypdf import PdfReader

from reporter.config import Config
from reporter.history.figures import Figure
from reporter.history.statements import statements
from reporter.history.store import HistoryError, HistoryStore
from reporter.write.statements import write_statements

Q3 = "FY2026 Q3"
START, END = "2026-07-01", "2026-09-30"


def rep_figures(rep, won, amount, lost, rate, customers=None):
    out = [
        Figure(Q3, "rep", rep, "won_opportunities", won),
        Figure(Q3, "rep", rep, "won_amount", amount),
        Figure(Q3, "rep", rep, "lost_opportunities", lost),
        Figure(Q3, "rep", rep, "win_rate", rate),
    ]
    if customers is not None:
        out.append(Figure(Q3, "rep", rep, "won_customers", customers))
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
        store.record_run(
            deals=DEALS, figures=FIGURES, inputs=[], config={}, period=Q3, currency="USD"
        )
        found = statements(store, Q3, START, END)
    pdfs = write_statements(tmp_path / "statements", found, Config())
    assert sorted(p.name for p in pdfs.values()) == ["Ann.pdf", "Bo-b.pdf"]
    text = " ".join(p.extract_text() for p in PdfReader(pdfs["Ann"]).pages)
    for expected in ("Ann", "FY2026 Q3", "$4,000", "66.7%", "A-1", "Beta", "$2,500", "A-2"):
        assert expected in text, expected
    assert "A-0" not in text and "A-9" not in text
    bo = " ".join(p.extract_text() for p in PdfReader(pdfs["Bo <b>"]).pages)
    assert "Bo <b>" in bo  # escaped, printed as text
