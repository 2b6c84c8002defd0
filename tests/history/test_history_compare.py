"""A build's comparison against the store: closed quarters vs frozen, the open one vs last run."""

from __future__ import annotations

from history_helpers import deal

from reporter.history.compare import OpenQuarter, compare
from reporter.history.figures import Figure
from reporter.history.records import (
    closed_restated,
    for_segment,
    sheet_rows,
    summary_line,
    to_record,
)
from reporter.history.store import HistoryStore

Q3, Q4 = "FY2026 Q3", "FY2026 Q4"
OPEN_Q4 = OpenQuarter(Q4, "2026-10-01", "2026-12-31")


def rep(quarter, name, won, amount):
    return [
        Figure(quarter, "rep", name, "won_opportunities", float(won)),
        Figure(quarter, "rep", name, "won_amount", float(amount)),
    ]


def record(store, deals, figures):
    return store.record_run(
        deals=deals, figures=figures, inputs=[], config={}, period=Q4, source="build"
    )


def test_closed_quarter_and_open_quarter_are_each_compared(tmp_path):
    then = [
        deal("A", "Ann", amount=100.0, close="2026-08-01"),
        deal("B", "Ann", amount=40.0, close="2026-10-15"),
    ]
    then_figures = rep(Q3, "Ann", 1, 100) + rep(Q4, "Ann", 1, 40)
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        record(store, then, then_figures)
        store.close_quarter(Q3, "2026-07-01", "2026-09-30", closed_by="fin")
        # Identical data: nothing to say about either quarter.
        assert compare(store, then, then_figures, OPEN_Q4) == []
        assert summary_line([]) == "Restatements: none"
        # B's close date moves from Q4 back into the closed Q3.
        now = [then[0], deal("B", "Ann", amount=40.0, close="2026-09-29")]
        now_figures = rep(Q3, "Ann", 2, 140) + rep(Q4, "Ann", 0, 0)
        got = compare(store, now, now_figures, OPEN_Q4)
    assert [(r.quarter, r.basis, r.figure, r.frozen, r.now) for r in got] == [
        (Q3, "closed", "won_opportunities", 1.0, 2.0),
        (Q3, "closed", "won_amount", 100.0, 140.0),
        (Q4, "last run", "won_opportunities", 1.0, 0.0),
        (Q4, "last run", "won_amount", 40.0, 0.0),
    ]
    assert got[1].deals[0].what == "close date moved into the quarter: 2026-10-15 → 2026-09-29"
    assert got[3].deals[0].what == "close date moved out of the quarter: 2026-10-15 → 2026-09-29"
    assert got[0].note.endswith("by fin")
    assert closed_restated(got) == got[:2]
    assert summary_line(got) == (
        "Restatements: FY2026 Q3 (closed, frozen): 1 deal(s) changed figures of 1 rep(s) — B; "
        "FY2026 Q4 (vs last run): 1 deal(s) changed figures of 1 rep(s) — B"
    )
    record_ = to_record(got[1])
    assert (record_["difference"], record_["deals"][0]["effect"]) == (40.0, 40.0)
    assert record_["deals"][0]["changes"] == ["close date moved into the quarter"]
    rows = sheet_rows(got)
    assert len(rows) == 4
    assert rows[1]["compared_with"].startswith("frozen figures, closed ")
    assert rows[3]["compared_with"].startswith("last run 1 (")


def test_the_open_quarter_needs_an_earlier_run(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        deals = [deal("A", "Ann", close="2026-10-02")]
        assert compare(store, deals, rep(Q4, "Ann", 1, 100), OPEN_Q4) == []
        run = record(store, deals, rep(Q4, "Ann", 1, 100))
        # Compared with the runs before this very run: none.
        assert compare(store, deals, rep(Q4, "Ann", 1, 100), OPEN_Q4, before_run=run) == []


def test_a_reopened_quarter_is_no_longer_compared_with_its_frozen_figures(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        record(store, [deal("A", "Ann", close="2026-08-01")], rep(Q3, "Ann", 1, 100))
        store.close_quarter(Q3, "2026-07-01", "2026-09-30")
        store.reopen(Q3, "amount typo")
        assert compare(store, [], rep(Q3, "Ann", 0, 0), None) == []


def test_sheet_rows_keep_a_difference_no_deal_explains():
    from reporter.history.diff import CLOSED, Restatement

    r = Restatement(Q3, CLOSED, "Ann", "won_amount", 10.0, 12.0, (), run=1, note="closed")
    assert sheet_rows([r])[0]["what_changed"] == "no deal explains this difference"
    assert summary_line([r]) == (
        "Restatements: FY2026 Q3 (closed, frozen): figures of 1 rep(s) differ, no deal named"
    )


def test_a_briefing_gets_the_restatements_with_a_deal_in_its_segment():
    from reporter.history.diff import CLOSED, DealChange, Restatement
    from reporter.history.records import for_segment

    moved = DealChange("M", "Acme", ("owner changed",), ("owner Ann → Bob",), -1.0, ("West",))
    crossed = DealChange("X", "Beta", ("added",), ("added",), 1.0, ("West", "East"))
    r = Restatement(Q3, CLOSED, "Ann", "won_opportunities", 2.0, 2.0, (moved, crossed))
    assert [d.opportunity_id for d in for_segment([r], "West")[0].deals] == ["M", "X"]
    assert [d.opportunity_id for d in for_segment([r], "East")[0].deals] == ["X"]
    assert for_segment([r], "North") == []


def _won_customers(quarter, company, by_segment, by_rep):
    """The core's won-customer rows: the company, each region, each rep."""
    out = [Figure(quarter, "all", "All", "won_customers", float(company))]
    out += [Figure(quarter, "region", s, "won_customers", float(n)) for s, n in by_segment]
    out += [Figure(quarter, "rep", r, "won_customers", float(n)) for r, n in by_rep]
    return out


def _new(oid, rep, account, segment, outcome="won", close="2026-08-01"):
    return deal(oid, rep, outcome=outcome, close=close, account=account, new=True)._replace(
        segment=segment
    )


# Q3, frozen: three first wins — A (Ann, Acme, West), B (Bob, Beta, East) and C (no owner,
# Gamma, West): the company 3, West 2, East 1; Ann 1, Bob 1 (C counts for no rep).
# Later: Beta's region is corrected to West (B), and C is re-opened.
#   company 3 → 2: C −1;  East 1 → 0: B −1;  West 2 → 2: B +1, C −1 (listed, no difference);
#   no rep figure moves (B stays Bob's, C never was a rep's).
THEN = [
    _new("A", "Ann", "Acme", "West"),
    _new("B", "Bob", "Beta", "East", close="2026-08-10"),
    _new("C", None, "Gamma", "West", close="2026-09-01"),
]
NOW = [THEN[0], THEN[1]._replace(segment="West"), THEN[2]._replace(outcome="open")]
REPS = rep(Q3, "Ann", 1, 100) + rep(Q3, "Bob", 1, 100)
FIGURES_THEN = REPS + _won_customers(Q3, 3, [("West", 2), ("East", 1)], [("Ann", 1), ("Bob", 1)])
FIGURES_NOW = REPS + _won_customers(Q3, 2, [("West", 2)], [("Ann", 1), ("Bob", 1)])


def _closed_store(path, by="region"):
    store = HistoryStore(path)
    store.record_run(
        deals=THEN,
        figures=FIGURES_THEN,
        inputs=[],
        config={"briefings": {"by": by}},
        period=Q3,
    )
    store.close_quarter(Q3, "2026-07-01", "2026-09-30", closed_by="fin")
    return store


def test_company_and_segment_won_customers_are_explained_deal_by_deal(tmp_path):
    with _closed_store(tmp_path / "h.sqlite3") as store:
        got = compare(store, NOW, FIGURES_NOW, OPEN_Q4, by="region")
    table = [
        (
            r.dimension,
            r.rep,
            r.figure,
            r.frozen,
            r.now,
            [(d.opportunity_id, d.effect) for d in r.deals],
        )
        for r in got
    ]
    assert table == [
        ("all", "All", "won_customers", 3.0, 2.0, [("C", -1.0)]),
        ("region", "East", "won_customers", 1.0, 0.0, [("B", -1.0)]),
        ("region", "West", "won_customers", 2.0, 2.0, [("B", 1.0), ("C", -1.0)]),
    ]
    company, east, west = got
    assert company.deals[0].what == "re-opened: won → open"
    assert east.deals[0].what == "region East → West"
    assert east.deals[0].kinds == ("segment changed",)
    assert (company.restated, east.restated, west.restated) == (True, True, False)
    assert [r.who for r in got] == ["Company (all reps)", "East (region)", "West (region)"]
    assert closed_restated(got) == [company, east]

    record_ = to_record(east)
    assert (record_["rep"], record_["dimension"], record_["segment"], record_["who"]) == (
        None,
        "region",
        "East",
        "East (region)",
    )
    assert [row["rep"] for row in sheet_rows(got)] == [
        "Company (all reps)",
        "East (region)",
        "West (region)",
        "West (region)",
    ]
    assert summary_line(got) == (
        "Restatements: FY2026 Q3 (closed, frozen): 2 deal(s) changed figures of 0 rep(s) and"
        " the won customers of Company (all reps), East (region) — B, C"
    )
    # A segment's briefing shows its segments' rows, never the company's.
    assert [r.who for r in for_segment(got, "West")] == ["East (region)", "West (region)"]


def test_segments_are_not_compared_across_another_briefing_dimension(tmp_path):
    """Deals stored under `by = "industry"` carry industries: no region can be explained."""
    with _closed_store(tmp_path / "h.sqlite3", by="industry") as store:
        got = compare(store, NOW, FIGURES_NOW, OPEN_Q4, by="region")
    assert [(r.dimension, r.rep) for r in got] == [("all", "All")]


def test_the_company_dimension_is_the_cores():
    from reporter.history import figures
    from reporter.metrics import tables

    assert (figures.COMPANY, figures.COMPANY_SEGMENT) == (tables.ALL, tables.ALL_SEGMENT)
