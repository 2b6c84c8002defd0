"""Hand-computed expectations for every definition in SPEC "Definitions"."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from reporter.config import Config, Periods, WinRate, from_mapping
from reporter.errors import ConfigError, InputError, PeriodError
from reporter.metrics import Settings, compute, run, segment_reports
from reporter.metrics.stats import rate, wilson_interval
from reporter.quarters import Quarter, parse_quarter, quarter_labels, quarter_of
from support.data import make_opportunities


def rep_row(report, rep, quarter):
    table = report.won_opportunities_by_rep
    match = table[(table["rep"] == rep) & (table["quarter"] == quarter)]
    assert len(match) == 1, f"expected one row for {rep} {quarter}, got {len(match)}"
    return match.iloc[0]


def seg_row(report, dimension, segment):
    table = report.win_rate_by_segment
    match = table[(table["dimension"] == dimension) & (table["segment"] == segment)]
    assert len(match) == 1, f"expected one row for {dimension}={segment}"
    return match.iloc[0]


def won(owner, close, account=None, amount=100.0, created=None, **kw):
    return dict(
        owner=owner,
        outcome="won",
        close_date=close,
        account=account,
        amount=amount,
        created_date=created,
        **kw,
    )


def lost(owner, close, account=None, amount=100.0, created=None, **kw):
    return dict(
        owner=owner,
        outcome="lost",
        close_date=close,
        account=account,
        amount=amount,
        created_date=created,
        **kw,
    )


def open_(owner, close=None, account=None, amount=100.0, created=None, **kw):
    return dict(
        owner=owner,
        outcome="open",
        close_date=close,
        account=account,
        amount=amount,
        created_date=created,
        **kw,
    )


# --- win rate per rep ---------------------------------------------------------------


def test_rep_with_no_losses_has_100_percent_not_0():
    r = compute(make_opportunities([won("Ana", "2026-07-03"), won("Ana", "2026-08-01")]), Config())
    row = rep_row(r, "Ana", "FY2026 Q3")
    assert row["won_opportunities"] == 2
    assert row["lost_opportunities"] == 0
    assert row["win_rate"] == 1.0


def test_rep_with_no_closed_deals_has_no_rate_not_0():
    r = compute(
        make_opportunities(
            [
                won("Ana", "2026-07-03"),
                open_("Bo", "2026-09-15", created="2026-07-02"),
            ]
        ),
        Config(),
    )
    row = rep_row(r, "Bo", "FY2026 Q3")
    assert row["won_opportunities"] == 0 and row["lost_opportunities"] == 0
    assert math.isnan(row["win_rate"])


def test_won_opportunities_and_amount_per_rep_per_quarter():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-03", amount=1000),
            won("Ana", "2026-09-30", amount=250.5),
            won("Ana", "2026-10-01", amount=7),  # next quarter
            lost("Ana", "2026-08-01", amount=999),
            won("Bo", "2026-06-30", amount=5),  # previous quarter
            lost("Bo", "2026-07-01"),
            lost("Bo", "2026-07-02"),
        ]
    )
    r = compute(opps, Config(), period="FY2026Q3")
    ana = rep_row(r, "Ana", "FY2026 Q3")
    assert (ana["won_opportunities"], ana["won_amount"], ana["lost_opportunities"]) == (
        2,
        1250.5,
        1,
    )
    assert ana["win_rate"] == pytest.approx(2 / 3)
    bo = rep_row(r, "Bo", "FY2026 Q3")
    assert (bo["won_opportunities"], bo["lost_opportunities"], bo["win_rate"]) == (0, 2, 0.0)
    assert rep_row(r, "Bo", "FY2026 Q2")["won_opportunities"] == 1
    assert rep_row(r, "Ana", "FY2026 Q4")["won_amount"] == 7
    assert r.headline.won_opportunities == 2
    assert r.headline.won_amount == 1250.5
    assert r.headline.lost_opportunities == 3


def test_open_and_excluded_never_in_the_denominator():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-03"),
            lost("Ana", "2026-07-04"),
            open_("Ana", "2026-07-05"),
            dict(owner="Ana", outcome="excluded", close_date="2026-07-06", amount=100.0),
        ]
    )
    r = compute(opps, Config())
    assert rep_row(r, "Ana", "FY2026 Q3")["win_rate"] == 0.5
    assert r.headline.win_rate == 0.5
    assert seg_row(r, "all", "All")["won"] + seg_row(r, "all", "All")["lost"] == 2
    assert r.headline.open_opportunities == 1


def test_won_counts_by_close_date_even_in_cohort_mode():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-10", created="2026-02-01"),  # created Q1, closed Q3
            won("Ana", "2026-08-10", created="2026-07-01"),
            lost("Ana", "2026-10-10", created="2026-07-02"),  # created Q3, closed Q4
        ]
    )
    cohort = Config(win_rate=WinRate(mode="cohort"))
    r = compute(opps, cohort, period="FY2026Q3")
    assert r.headline.won_opportunities == 2  # bonus basis: close date
    # cohort: created in Q3 and closed so far → 1 won (Aug) + 1 lost (Oct)
    assert r.headline.win_rate == 0.5
    snap = compute(opps, Config(), period="FY2026Q3")
    assert snap.headline.win_rate == 1.0
    assert r.period.mode == "cohort" and snap.period.mode == "snapshot"


# --- won customers ------------------------------------------------------------------


def test_account_won_twice_in_one_quarter_is_one_new_customer():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-03", account="Acme", created="2026-06-01"),
            won("Bo", "2026-08-03", account="Acme", created="2026-05-01"),
        ]
    )
    r = compute(opps, Config())
    assert r.headline.won_customers == 1
    assert len(r.new_customers) == 1
    assert r.new_customers.iloc[0]["rep"] == "Ana"  # earliest close wins
    assert r.headline.won_opportunities == 2


def test_first_win_in_earlier_quarter_is_not_new_now():
    opps = make_opportunities(
        [
            won("Ana", "2026-04-03", account="Acme"),
            won("Bo", "2026-07-03", account="Acme"),
            won("Bo", "2026-07-04", account="Beta"),
        ]
    )
    r = compute(opps, Config(), period="FY2026Q3")
    assert r.headline.won_customers == 1
    assert list(r.new_customers["account"]) == ["Beta"]
    earlier = compute(opps, Config(), period="FY2026Q2")
    assert list(earlier.new_customers["account"]) == ["Acme"]
    by_q = r.won_customers_by_quarter
    totals = by_q[by_q["dimension"] == "all"].set_index("quarter")["won_customers"].to_dict()
    assert totals == {"FY2026 Q2": 1, "FY2026 Q3": 1}


def test_first_win_ties_break_on_created_date_then_lowest_id():
    same_close = "2026-07-10"
    opps = make_opportunities(
        [
            won("Late", same_close, account="A", created="2026-06-05", opportunity_id="1"),
            won("Early", same_close, account="A", created="2026-06-01", opportunity_id="2"),
            won("Ten", same_close, account="B", created="2026-06-01", opportunity_id="10"),
            won("Nine", same_close, account="B", created="2026-06-01", opportunity_id="9"),
        ]
    )
    r = compute(opps, Config())
    reps = dict(zip(r.new_customers["account"], r.new_customers["rep"]))
    assert reps == {"A": "Early", "B": "Nine"}  # 9 < 10 numerically, not as text
    rep_counts = r.won_customers[r.won_customers["dimension"] == "rep"]
    assert dict(zip(rep_counts["segment"], rep_counts["won_customers"])) == {"Early": 1, "Nine": 1}


def test_new_customer_takes_segments_of_first_won_deal():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-01", account="A", region="West", product="Pro"),
            won("Bo", "2026-07-20", account="A", region="East", product="Lite"),
        ]
    )
    r = compute(opps, Config())
    wc = r.won_customers
    region = wc[wc["dimension"] == "region"]
    assert dict(zip(region["segment"], region["won_customers"])) == {"West": 1}
    briefings = segment_reports(opps, Config())
    assert briefings["West"].headline.won_customers == 1
    assert briefings["East"].headline.won_customers == 0
    assert briefings["East"].headline.won_opportunities == 1


def test_customer_known_before_the_data_is_not_new():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-01", account="Old", customer_since="2019-01-01"),
            won("Ana", "2026-07-02", account="New", customer_since="2026-07-02"),
        ]
    )
    r = compute(opps, Config())
    assert list(r.new_customers["account"]) == ["New"]
    deals = r.won_deals.set_index("account")
    assert deals.loc["Old", "deal_type"] == "expansion"
    assert deals.loc["New", "deal_type"] == "new business"


def test_win_without_account_is_counted_as_won_but_never_a_customer():
    r = compute(make_opportunities([won("Ana", "2026-07-01", account=None)]), Config())
    assert r.headline.won_opportunities == 1
    assert r.headline.won_customers == 0


# --- deal type ----------------------------------------------------------------------


def test_deal_type_derived_from_account_history():
    opps = make_opportunities(
        [
            lost("Ana", "2026-04-01", account="A", opportunity_id="L1"),
            won("Ana", "2026-05-01", account="A", opportunity_id="W1"),
            won("Ana", "2026-06-01", account="A", opportunity_id="W2"),
            lost("Ana", "2026-06-02", account="A", opportunity_id="L2"),
            won("Ana", "2026-05-01", account="B", opportunity_id="W3", created="2026-01-01"),
            won("Ana", "2026-05-01", account="B", opportunity_id="W4", created="2026-02-01"),
        ]
    )
    from reporter.metrics.enrich import enrich

    types = enrich(opps, Settings()).set_index("opportunity_id")["deal_type"].to_dict()
    assert types == {
        "L1": "new business",
        "W1": "new business",
        "W2": "expansion",
        "L2": "expansion",
        "W3": "new business",
        "W4": "expansion",
    }


def test_input_type_column_wins_over_derived_deal_type():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-01", account="A", type="Renewal"),
            won("Ana", "2026-07-02", account="B", type="Existing Business"),
            won("Ana", "2026-07-03", account="C", type="New Business"),
            won("Ana", "2026-07-04", account="D", type="Partner Resale"),
        ]
    )
    r = compute(opps, Config())
    types = dict(zip(r.won_deals["account"], r.won_deals["deal_type"]))
    assert types == {"A": "renewal", "B": "expansion", "C": "new business", "D": "Partner Resale"}


# --- segments -----------------------------------------------------------------------


def test_segment_missing_value_is_unknown_and_no_row_is_dropped():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-01", industry="Retail"),
            lost("Ana", "2026-07-02", industry=None),
            won("Ana", "2026-07-03", industry="  "),
        ]
    )
    r = compute(opps, Config())
    ind = r.win_rate_by_segment[r.win_rate_by_segment["dimension"] == "industry"]
    assert dict(zip(ind["segment"], zip(ind["won"], ind["lost"]))) == {
        "Retail": (1, 0),
        "Unknown": (1, 1),
    }
    assert ind["won"].sum() + ind["lost"].sum() == 3


def test_segment_spellings_fold_to_most_common():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-01", region="West"),
            won("Ana", "2026-07-02", region="West"),
            lost("Ana", "2026-07-03", region="west"),
        ]
    )
    r = compute(opps, Config())
    assert seg_row(r, "region", "West")["lost"] == 1
    assert "west" not in set(r.win_rate_by_segment["segment"])


def test_directional_below_min_closed_and_wilson_interval():
    rows = [won("Ana", "2026-07-01", region="West") for _ in range(8)]
    rows += [lost("Ana", "2026-07-02", region="West") for _ in range(2)]
    rows += [won("Bo", "2026-07-01", region="East") for _ in range(15)]
    rows += [lost("Bo", "2026-07-02", region="East") for _ in range(5)]
    r = compute(make_opportunities(rows), Config())
    west, east = seg_row(r, "region", "West"), seg_row(r, "region", "East")
    assert bool(west["directional"]) is True  # 10 closed < 20
    assert bool(east["directional"]) is False  # 20 closed, not below 20
    # Published Wilson 95 % interval for 8/10: 0.4902 to 0.9433
    assert west["ci_low"] == pytest.approx(0.4902, abs=1e-4)
    assert west["ci_high"] == pytest.approx(0.9433, abs=1e-4)
    cfg = from_mapping({"win_rate": {"min_closed": 5}})
    assert not compute(make_opportunities(rows), cfg).win_rate_by_segment["directional"].any()


@pytest.mark.parametrize(
    ("won_n", "total", "low", "high"),
    [(0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0), (1, 2, 0.0945, 0.9055), (3, 3, 0.4385, 1.0)],
    ids=["none-won", "all-won", "one-of-two", "three-of-three"],
)
def test_wilson_reference_values(won_n, total, low, high):
    lo, hi = wilson_interval(won_n, total)
    assert lo == pytest.approx(low, abs=1e-4)
    assert hi == pytest.approx(high, abs=1e-4)


def test_no_closed_outcomes_means_no_rate_and_no_interval():
    assert rate(0, 0) is None
    assert wilson_interval(0, 0) == (None, None)


def test_amount_weighted_rate_beside_count_rate():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-01", amount=900),
            lost("Ana", "2026-07-02", amount=50),
            lost("Ana", "2026-07-03", amount=50),
        ]
    )
    r = compute(opps, Config())
    row = seg_row(r, "all", "All")
    assert row["win_rate"] == pytest.approx(1 / 3)
    assert row["amount_weighted_win_rate"] == pytest.approx(0.9)
    assert r.headline.amount_weighted_win_rate == pytest.approx(0.9)


def test_acv_and_sales_cycle_over_won_deals_only():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-11", amount=100, created="2026-07-01"),  # 10 days
            won("Ana", "2026-07-31", amount=300, created="2026-07-01"),  # 30 days
            won("Ana", "2026-08-31", amount=800, created="2026-06-01"),  # 91 days
            lost("Ana", "2026-07-02", amount=10_000, created="2025-01-01"),
            won("Ana", "2026-07-05", amount=None, created="2026-07-09"),  # closed before created
        ]
    )
    r = compute(opps, Config())
    assert r.headline.acv_mean == pytest.approx(400.0)
    assert r.headline.acv_median == pytest.approx(300.0)
    assert r.headline.cycle_days_median == 30
    assert r.headline.cycle_days_mean == pytest.approx((10 + 30 + 91) / 3)
    assert r.headline.won_opportunities == 4


def test_loss_reasons_per_segment():
    opps = make_opportunities(
        [
            lost("Ana", "2026-07-01", loss_reason="Price", region="West"),
            lost("Ana", "2026-07-02", loss_reason="Price", region="East"),
            lost("Ana", "2026-07-03", loss_reason="Timing", region="West"),
            lost("Ana", "2026-07-04", loss_reason=None, region="West"),
            lost("Ana", "2026-04-04", loss_reason="Price", region="West"),  # other quarter
        ]
    )
    lr = compute(opps, Config(), period="FY2026Q3").loss_reasons
    overall = lr[lr["dimension"] == "all"]
    assert dict(zip(overall["loss_reason"], overall["lost"])) == {
        "Price": 2,
        "Timing": 1,
        "Not given": 1,
    }
    west = lr[(lr["dimension"] == "region") & (lr["segment"] == "West")]
    assert dict(zip(west["loss_reason"], west["lost"])) == {"Price": 1, "Timing": 1, "Not given": 1}


def test_open_pipeline_and_coverage_against_targets():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-01"),
            open_("Ana", "2026-10-01", amount=3000, region="West"),
            open_("Bo", None, amount=1000, region="East"),
            open_("Bo", "2026-11-01", amount=None, region="East"),
        ]
    )
    targets = pd.DataFrame(
        {
            "dimension": ["rep", "rep", "rep"],
            "segment": ["Ana", "Bo", "Ana"],
            "quarter": ["FY2026 Q3", "FY2026 Q3", "FY2026 Q4"],
            "target": [2000.0, 4000.0, 9999.0],
        }
    )
    r = compute(opps, Config(), targets=targets)
    p = r.pipeline.set_index(["dimension", "segment"])
    assert p.loc[("all", "All"), "open_opportunities"] == 3
    # Bo's second open deal has no amount: the total is unknown, never 4,000 (issue 9).
    assert math.isnan(p.loc[("all", "All"), "open_amount"])
    assert p.loc[("all", "All"), "open_amount_known"] == 4000
    assert p.loc[("all", "All"), "target"] == 6000
    assert math.isnan(p.loc[("all", "All"), "coverage"])
    assert p.loc[("rep", "Ana"), "coverage"] == pytest.approx(1.5)  # 3,000 / 2,000
    assert math.isnan(p.loc[("rep", "Bo"), "coverage"])  # 1,000 + ? over 4,000
    assert r.headline.coverage is None
    west = segment_reports(opps, Config(), targets=targets)["West"]
    assert west.headline.target == 2000  # Ana's target: Ana has deals in West
    assert math.isnan(compute(opps, Config()).pipeline.iloc[0]["coverage"])


# --- periods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "day", "label"),
    [
        (1, date(2026, 1, 1), "FY2026 Q1"),
        (1, date(2026, 9, 30), "FY2026 Q3"),
        (1, date(2026, 12, 31), "FY2026 Q4"),
        (2, date(2026, 1, 31), "FY2026 Q4"),  # FY2026 = Feb 2025 .. Jan 2026
        (2, date(2026, 2, 1), "FY2027 Q1"),
        (2, date(2025, 4, 30), "FY2026 Q1"),
        (2, date(2025, 5, 1), "FY2026 Q2"),
        (10, date(2026, 9, 30), "FY2026 Q4"),
        (10, date(2026, 10, 1), "FY2027 Q1"),
        (7, date(2026, 6, 30), "FY2026 Q4"),
        (7, date(2026, 7, 1), "FY2027 Q1"),
    ],
    ids=lambda v: str(v),
)
def test_fiscal_quarters(start, day, label):
    assert quarter_of(day, start).label == label
    assert quarter_labels(pd.Series([pd.Timestamp(day)]), start).iloc[0] == label
    q = quarter_of(day, start)
    assert q.start <= day <= q.end


def test_fiscal_year_starting_february_boundaries():
    q = parse_quarter("FY2027Q1", 2)
    assert (q.start, q.end) == (date(2026, 2, 1), date(2026, 4, 30))
    q4 = Quarter(2026, 4, 2)
    assert (q4.start, q4.end) == (date(2025, 11, 1), date(2026, 1, 31))
    assert q4.next() == q and q.previous() == q4
    opps = make_opportunities([won("Ana", "2026-01-31"), won("Ana", "2026-02-01")])
    cfg = Config(periods=Periods(fiscal_year_start_month=2))
    r = compute(opps, cfg)
    assert r.period.label == "FY2027 Q1"
    assert r.headline.won_opportunities == 1
    assert r.headline_previous_full.quarter == "FY2026 Q4"
    assert r.headline_previous_full.won_opportunities == 1
    # data through 1 Feb 2026 (day 1 of FY2027 Q1): compared like for like with FY2026 Q4
    # up to 1 Nov 2025, before the 31 Jan win
    assert r.previous_through == date(2025, 11, 1)
    assert r.headline_previous.won_opportunities == 0


def test_default_period_is_latest_quarter_with_closed_outcomes():
    opps = make_opportunities(
        [
            won("Ana", "2026-04-01"),
            lost("Ana", "2026-08-01"),
            open_("Ana", "2027-03-01"),  # expected close in the future does not count
        ]
    )
    r = compute(opps, Config())
    assert r.period.label == "FY2026 Q3"
    assert [q.label for q in r.trailing] == ["FY2025 Q4", "FY2026 Q1", "FY2026 Q2", "FY2026 Q3"]
    assert list(r.trend["quarter"]) == [q.label for q in r.trailing]
    assert list(r.trend["won_opportunities"]) == [0, 0, 1, 0]


@pytest.mark.parametrize(
    "text",
    [
        "FY2026Q3",
        "FY2026 Q3",
        "fy2026-q3",
        " FY2026_Q3 ",
        "FY26 Q3",
        "Q3 FY26",
        "2026-Q3",
        "Q3 2026",
    ],
)
def test_period_spellings(text):
    assert parse_quarter(text).label == "FY2026 Q3"


@pytest.mark.parametrize("text", ["FY2026Q5", "Q3", "", "2026", "FY2026 Q3 extra"])
def test_bad_period_is_a_clear_error(text):
    with pytest.raises(PeriodError) as info:
        parse_quarter(text)
    assert "FY2026Q3" in info.value.hint


def test_period_outside_data_names_the_range():
    opps = make_opportunities([won("Ana", "2026-04-01"), won("Ana", "2026-07-01")])
    with pytest.raises(PeriodError) as info:
        compute(opps, Config(), period="FY2030Q1")
    assert "FY2026 Q2" in info.value.message and "FY2026 Q3" in info.value.message


def test_no_closed_outcomes_at_all_is_an_input_error():
    with pytest.raises(InputError):
        compute(make_opportunities([open_("Ana", "2026-07-01")]), Config())


def test_quarter_over_quarter_change():
    opps = make_opportunities(
        [
            won("Ana", "2026-04-01"),
            lost("Ana", "2026-04-02"),
            won("Ana", "2026-07-01"),
            won("Ana", "2026-07-02"),
            won("Ana", "2026-07-03"),
            lost("Ana", "2026-07-04"),
        ]
    )
    changes = {c.name: c for c in compute(opps, Config()).changes}
    assert changes["won_opportunities"].current == 3
    assert changes["won_opportunities"].previous == 1
    assert changes["won_opportunities"].delta == 2
    assert changes["won_opportunities"].relative == 2.0
    assert changes["win_rate"].delta == pytest.approx(0.75 - 0.5)


def test_segments_are_listed_in_natural_order_with_unknown_last():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-01", company_size=size)
            for size in ("5000+", "50-249", None, "1000-4999", "0-49", "250-999")
        ]
    )
    seg = compute(opps, Config()).win_rate_by_segment
    sizes = list(seg[seg["dimension"] == "company_size"]["segment"])
    assert sizes == ["0-49", "50-249", "250-999", "1000-4999", "5000+", "Unknown"]


def test_rep_and_account_spellings_are_one_person_and_one_customer():
    opps = make_opportunities(
        [
            won("Al", "2026-07-01", account="Acme"),
            won("al", "2026-07-02", account="ACME"),
            won("Al", "2026-07-03", account="Beta"),
        ]
    )
    r = compute(opps, Config())
    reps = r.won_opportunities_by_rep
    assert list(reps["rep"]) == ["Al"]
    assert reps.iloc[0]["won_opportunities"] == 3
    assert r.headline.won_customers == 2
    # one spelling per account (the most common; on a tie the first in A-Z order)
    assert sorted(r.new_customers["account"]) == ["ACME", "Beta"]


def test_customer_since_on_any_row_of_the_account_counts():
    opps = make_opportunities(
        [
            won("Ana", "2026-01-10", account="X"),
            won("Ana", "2026-02-10", account="X", customer_since="2020-01-01"),
        ]
    )
    r = compute(opps, Config(), period="FY2026Q1")
    assert r.headline.won_customers == 0
    assert set(r.won_deals["deal_type"]) == {"expansion"}


def test_dates_pandas_cannot_hold_become_missing_not_a_crash():
    from reporter.model import coerce_types

    frame = coerce_types(pd.DataFrame({"close_date": [date(3026, 1, 1), date(2026, 1, 1)]}))
    assert frame["close_date"].isna().tolist() == [True, False]


def test_a_quarter_the_data_do_not_cover_to_its_end_is_marked_partial():
    opps = make_opportunities(
        [won("Ana", "2026-05-01"), lost("Ana", "2026-08-01"), open_("Ana", "2026-12-01")]
    )
    current = compute(opps, Config())
    assert current.period.data_through == date(2026, 8, 1)  # open deals' dates don't count
    assert current.period.partial
    assert current.period.to_record()["complete"] is False
    earlier = compute(opps, Config(), period="FY2026Q2")
    assert not earlier.period.partial
    assert segment_reports(opps, Config())["Unknown"].period.data_through == date(2026, 8, 1)


def test_run_is_one_entry_point_and_the_caller_names_the_briefing_dimension():
    opps = make_opportunities(
        [
            won("Ana", "2026-07-01", account="A", region="West", industry="Retail"),
            lost("Bo", "2026-07-20", account="B", region="East", industry=None),
            won("Bo", "2026-08-02", account="C", region="East", industry="Retail"),
        ]
    )
    alone = run(opps, Settings(), period="FY2026Q3")
    assert alone.segments == {}
    assert alone.company.headline.won_opportunities == 2
    assert alone.company.settings["briefings_by"] is None

    by_industry = run(opps, Settings(), period="FY2026Q3", by="industry")
    # The missing industry is its own segment, listed last; rows are never dropped.
    assert list(by_industry.segments) == ["Retail", "Unknown"]
    assert by_industry.segments["Retail"].headline.won_opportunities == 2
    assert by_industry.segments["Unknown"].headline.won_opportunities == 0
    assert by_industry.company.settings["briefings_by"] == "industry"

    with pytest.raises(ConfigError, match="no such column"):
        run(opps, Settings(), by="territory")


def test_metrics_settings_are_the_metrics_part_of_the_config():
    cfg = Config(win_rate=WinRate(mode="cohort", min_closed=5))
    assert Settings.of(cfg) == Settings(win_rate_mode="cohort", min_closed=5)
