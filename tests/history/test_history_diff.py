"""Restatements explained deal by deal: every expectation below is worked out by hand."""

from __future__ import annotations

from history_helpers import Q3, by_id, deal

from reporter.history.diff import LAST_RUN, Basis, contributions, describe, explain


def rows(restatements):
    return {(r.rep, r.figure): r for r in restatements}


def effects(restatement):
    return {d.opportunity_id: d.effect for d in restatement.deals}


def test_identical_deals_and_figures_give_no_restatement():
    deals = by_id(deal("A1", "Ann", account="X", new=True), deal("B1", "Bob", amount=50.0))
    figures = {("Ann", "won_opportunities"): 1.0, ("Ann", "won_amount"): 100.0}
    assert explain(Q3, deals, dict(deals), figures, dict(figures)) == []


def test_four_edits_are_each_explained_with_their_share_of_the_difference():
    # Frozen Q3: Ann won A1 (1,000, new customer X) and A2 (500, X again); Bob won B1
    # (2,000, new customer Y); C1 was Bob's open deal expected in November.
    before = by_id(
        deal("A1", "Ann", amount=1000.0, close="2026-08-01", account="X", new=True),
        deal("A2", "Ann", amount=500.0, close="2026-08-15", account="X"),
        deal("B1", "Bob", amount=2000.0, close="2026-09-01", account="Y", new=True),
        deal("C1", "Bob", outcome="open", amount=300.0, close="2026-11-01", account="Z"),
    )
    # Now: A1 reassigned to Bob, A2 re-opened, B1's amount edited to 2,500, C1 won with its
    # close date moved into Q3.
    after = by_id(
        deal("A1", "Bob", amount=1000.0, close="2026-08-01", account="X", new=True),
        deal("A2", "Ann", outcome="open", amount=500.0, close="2026-08-15", account="X"),
        deal("B1", "Bob", amount=2500.0, close="2026-09-01", account="Y", new=True),
        deal("C1", "Bob", amount=300.0, close="2026-09-20", account="Z"),
    )
    frozen = {
        ("Ann", "won_opportunities"): 2.0,
        ("Ann", "won_amount"): 1500.0,
        ("Ann", "won_customers"): 1.0,
        ("Bob", "won_opportunities"): 1.0,
        ("Bob", "won_amount"): 2000.0,
        ("Bob", "won_customers"): 1.0,
    }
    # Ann keeps nothing; Bob: B1 2,500 + C1 300 + A1 1,000 = 3,800 over 3 deals, 2 customers.
    now = {
        ("Ann", "won_opportunities"): 0.0,
        ("Ann", "won_amount"): 0.0,
        ("Ann", "won_customers"): 0.0,
        ("Bob", "won_opportunities"): 3.0,
        ("Bob", "won_amount"): 3800.0,
        ("Bob", "won_customers"): 2.0,
    }
    got = rows(explain(Q3, before, after, frozen, now))
    assert set(got) == set(frozen)
    assert got[("Ann", "won_opportunities")].difference == -2
    assert effects(got[("Ann", "won_opportunities")]) == {"A1": -1, "A2": -1}
    assert effects(got[("Ann", "won_amount")]) == {"A1": -1000, "A2": -500}
    assert effects(got[("Ann", "won_customers")]) == {"A1": -1}
    assert effects(got[("Bob", "won_opportunities")]) == {"A1": 1, "C1": 1}
    assert got[("Bob", "won_amount")].difference == 1800
    assert effects(got[("Bob", "won_amount")]) == {"A1": 1000, "B1": 500, "C1": 300}
    assert effects(got[("Bob", "won_customers")]) == {"A1": 1}
    kinds = {d.opportunity_id: d.kinds for d in got[("Bob", "won_amount")].deals}
    assert kinds == {
        "A1": ("owner changed",),
        "B1": ("amount changed",),
        "C1": ("outcome changed", "close date moved into the quarter"),
    }
    a2 = got[("Ann", "won_amount")].deals[1]
    assert a2.kinds == ("re-opened",)
    assert a2.what == "re-opened: won → open"
    b1 = got[("Bob", "won_amount")].deals[1]
    assert b1.what == "amount 2,000.00 → 2,500.00"
    assert all(r.restated for r in got.values())


def test_added_removed_lost_and_moved_out():
    before = by_id(
        deal("R1", "Ann", amount=10.0),
        deal("L1", "Ann", amount=20.0),
        deal("M1", "Ann", amount=40.0, close="2026-09-30"),
    )
    after = by_id(
        deal("L1", "Ann", outcome="lost", amount=20.0),
        deal("M1", "Ann", amount=40.0, close="2026-10-01"),
        deal("N1", "Ann", amount=80.0, close="2026-07-01"),
    )
    # Frozen 10 + 20 + 40 = 70 over 3; now only N1: 80 over 1.
    frozen = {("Ann", "won_opportunities"): 3.0, ("Ann", "won_amount"): 70.0}
    now = {("Ann", "won_opportunities"): 1.0, ("Ann", "won_amount"): 80.0}
    got = rows(explain(Q3, before, after, frozen, now))
    amount = got[("Ann", "won_amount")]
    assert amount.difference == 10
    assert {d.opportunity_id: (d.kinds, d.effect) for d in amount.deals} == {
        "L1": (("won to lost",), -20),
        "M1": (("close date moved out of the quarter",), -40),
        "N1": (("added",), 80),
        "R1": (("removed",), -10),
    }
    moved = next(d for d in amount.deals if d.opportunity_id == "M1")
    assert moved.what == "close date moved out of the quarter: 2026-09-30 → 2026-10-01"


def test_first_win_moving_changes_only_won_customers():
    before = by_id(deal("F1", "Ann", account="Acme", new=True))
    after = by_id(deal("F1", "Ann", account="Acme", new=False))
    frozen = {("Ann", "won_opportunities"): 1.0, ("Ann", "won_customers"): 1.0}
    now = {("Ann", "won_opportunities"): 1.0, ("Ann", "won_customers"): 0.0}
    got = explain(Q3, before, after, frozen, now)
    assert [(r.rep, r.figure, r.frozen, r.now) for r in got] == [("Ann", "won_customers", 1.0, 0.0)]
    assert got[0].deals[0].what == "account's first win moved: no longer Acme's first win"


def test_changes_that_touch_no_figure_of_the_quarter_are_not_restatements():
    # An open deal's amount, a won deal in another quarter, a close date moved within Q3.
    before = by_id(
        deal("O1", "Ann", outcome="open", amount=5.0),
        deal("Q4", "Ann", close="2026-11-02", amount=7.0),
        deal("W1", "Ann", close="2026-07-03"),
    )
    after = by_id(
        deal("O1", "Ann", outcome="open", amount=9.0),
        deal("Q4", "Ann", close="2026-11-02", amount=8.0),
        deal("W1", "Ann", close="2026-09-03"),
    )
    same = {("Ann", "won_opportunities"): 1.0, ("Ann", "won_amount"): 100.0}
    assert explain(Q3, before, after, same, dict(same)) == []


def test_an_owner_swap_that_nets_to_zero_is_still_shown_but_not_restated():
    before = by_id(deal("S1", "Ann"), deal("S2", "Bob"))
    after = by_id(deal("S1", "Bob"), deal("S2", "Ann"))
    figures = {
        ("Ann", "won_opportunities"): 1.0,
        ("Ann", "won_amount"): 100.0,
        ("Bob", "won_opportunities"): 1.0,
        ("Bob", "won_amount"): 100.0,
    }
    got = explain(Q3, before, after, figures, dict(figures))
    assert len(got) == 4
    assert not any(r.restated for r in got)
    assert effects(got[0]) == {"S1": -1, "S2": 1}


def test_a_figure_that_moved_without_a_deal_is_still_reported():
    frozen = {("Ann", "won_amount"): 100.0}
    now = {("Ann", "won_amount"): 90.0}
    got = explain(Q3, {}, {}, frozen, now)
    assert [(r.figure, r.difference, r.deals) for r in got] == [("won_amount", -10.0, ())]


def test_sub_cent_amount_noise_is_not_a_change():
    before = by_id(deal("A", "Ann", amount=100.001))
    after = by_id(deal("A", "Ann", amount=100.002))
    assert describe(before["A"], after["A"], Q3) == []
    assert explain(Q3, before, after, {}, {}) == []


def test_contributions_follow_the_core_rules():
    # No amount → one won opportunity adding an unknown amount (the core's won amount is
    # then None, never the others' sum); a new customer adds one customer.
    assert contributions(deal("A", "Ann", amount=None, new=True), Q3) == {
        ("Ann", "won_opportunities"): 1.0,
        ("Ann", "won_amount"): None,
        ("Ann", "won_customers"): 1.0,
    }
    assert contributions(deal("A", "Ann", close="2026-06-30"), Q3) == {}
    assert contributions(deal("A", "Ann", outcome="lost"), Q3) == {}
    assert contributions(deal("A", "Ann", close=None), Q3) == {}


def test_the_basis_is_carried_onto_each_restatement():
    basis = Basis("FY2026 Q4", "2026-10-01", "2026-12-31", LAST_RUN, run=7, note="run 7")
    got = explain(basis, {}, by_id(deal("A", "Ann", close="2026-10-05")), {}, {})
    assert {(r.quarter, r.basis, r.run, r.note) for r in got} == {
        ("FY2026 Q4", LAST_RUN, 7, "run 7")
    }
