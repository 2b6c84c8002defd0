"""Invariants of the metrics over random opportunity sets (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporter.config import Config, WinRate
from reporter.metrics import Settings, compute, segment_reports
from reporter.metrics.enrich import enrich
from support.data import make_opportunities

REPS = ["Ana", "Bo", "Cy", "Di"]
ACCOUNTS = ["A", "B", "C", "D", "E", "F", None]
REGIONS = ["West", "East", None]
START = date(2025, 1, 1)


@st.composite
def opportunity(draw, same_quarter: bool = False):
    created = START + timedelta(days=draw(st.integers(0, 700)))
    if same_quarter:
        # close within the created date's calendar quarter
        q_end_month = ((created.month - 1) // 3 + 1) * 3
        q_end = date(created.year + (q_end_month == 12), q_end_month % 12 + 1, 1) - timedelta(
            days=1
        )
        close = created + timedelta(days=draw(st.integers(0, (q_end - created).days)))
    else:
        close = created + timedelta(days=draw(st.integers(0, 200)))
    return {
        "owner": draw(st.sampled_from(REPS)),
        "account": draw(st.sampled_from(ACCOUNTS)),
        "region": draw(st.sampled_from(REGIONS)),
        "outcome": draw(st.sampled_from(["won", "won", "lost", "open", "excluded"])),
        "amount": draw(st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False))),
        "created_date": created.isoformat(),
        "close_date": close.isoformat(),
    }


def data(same_quarter: bool = False):
    rows = st.lists(opportunity(same_quarter), min_size=1, max_size=40)
    return rows.filter(lambda rs: any(r["outcome"] in ("won", "lost") for r in rs))


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data())
def test_won_never_exceeds_closed_and_rates_are_fractions(rows):
    r = compute(make_opportunities(rows), Config())
    seg = r.win_rate_by_segment
    assert (seg["won"] <= seg["won"] + seg["lost"]).all()
    rated = seg.dropna(subset=["win_rate"])
    assert ((rated["win_rate"] >= 0) & (rated["win_rate"] <= 1)).all()
    assert (rated["ci_low"] <= rated["win_rate"] + 1e-12).all()
    assert (rated["win_rate"] <= rated["ci_high"] + 1e-12).all()
    assert seg[(seg["won"] + seg["lost"]) == 0]["win_rate"].isna().all()


@SETTINGS
@given(data())
def test_per_rep_won_counts_sum_to_the_total_in_every_quarter(rows):
    opps = make_opportunities(rows)
    r = compute(opps, Config())
    reps = r.won_opportunities_by_rep
    for quarter in r.quarters:
        q = compute(opps, Config(), period=quarter)
        in_q = reps[reps["quarter"] == quarter.label]
        assert in_q["won_opportunities"].sum() == q.headline.won_opportunities
        assert in_q["lost_opportunities"].sum() == q.headline.lost_opportunities


@SETTINGS
@given(data())
def test_segments_of_each_dimension_add_up_to_all(rows):
    r = compute(make_opportunities(rows), Config())
    seg = r.win_rate_by_segment
    total = seg[seg["dimension"] == "all"].iloc[0]
    for dim in r.dimensions:
        part = seg[seg["dimension"] == dim]
        assert part["won"].sum() == total["won"]
        assert part["lost"].sum() == total["lost"]


@SETTINGS
@given(data())
def test_each_account_is_a_new_customer_at_most_once(rows):
    opps = make_opportunities(rows)
    r = compute(opps, Config())
    wc = r.won_customers_by_quarter
    overall = wc[wc["dimension"] == "all"]
    won_accounts = {
        row["account"] for row in rows if row["outcome"] == "won" and row["account"] is not None
    }
    assert overall["won_customers"].sum() == len(won_accounts)
    flagged = enrich(opps, Settings())
    firsts = flagged[flagged["new_customer"]]
    assert not firsts["account"].duplicated().any()


@SETTINGS
@given(data(same_quarter=True))
def test_snapshot_and_cohort_agree_when_deals_close_in_their_creation_quarter(rows):
    opps = make_opportunities(rows)
    snap = compute(opps, Config())
    cohort = compute(opps, Config(win_rate=WinRate(mode="cohort")), period=snap.period.quarter)
    cols = ["dimension", "segment", "won", "lost", "win_rate"]
    pd.testing.assert_frame_equal(snap.win_rate_by_segment[cols], cohort.win_rate_by_segment[cols])


@SETTINGS
@given(data())
def test_briefing_segments_partition_the_company(rows):
    opps = make_opportunities(rows)
    r = compute(opps, Config())
    parts = segment_reports(opps, Config(), period=r.period.quarter)
    assert sum(p.headline.won_opportunities for p in parts.values()) == (
        r.headline.won_opportunities
    )
    assert sum(p.headline.won_customers for p in parts.values()) == r.headline.won_customers
    assert sum(p.headline.open_opportunities for p in parts.values()) == (
        r.headline.open_opportunities
    )
