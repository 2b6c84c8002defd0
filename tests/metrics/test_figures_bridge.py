"""The bridge from won opportunities to won customers (issue 9, Build 9).

For the period: won opportunities = first wins of new customers + further wins of
accounts first won in the period + wins from existing customers + wins without an account,
overall, per rep and per segment. Expected figures are worked out by hand below.
"""

from __future__ import annotations

import pytest

from support.figures import deal, report_for

# FY2026 Q3 = 2026-07-01 .. 2026-09-30.
#   Acme   first won 07-05 by Ana (West)           → new customer, first win
#   Acme   won again 08-10 by Bo (East)            → new customer, further win
#   Beta   first won 04-10 (Q2), again 07-20 Ana   → existing customer (West)
#   Gamma  customer since 2020, first win in data 09-01 by Bo → existing (East)
#   (none) won 08-15 by Ana (West)                 → no account
#   Delta  first won 09-30 by Bo (East)            → new customer, first win
#   Epsil. lost 08-01, won 10-02 (next quarter)    → not in the period at all
BRIDGE_DEALS = [
    deal("won", "Ana", "2026-07-05", "Acme", region="West"),
    deal("won", "Bo", "2026-08-10", "Acme", region="East"),
    deal("won", "Ana", "2026-04-10", "Beta", region="West"),
    deal("won", "Ana", "2026-07-20", "Beta", region="West"),
    deal("won", "Bo", "2026-09-01", "Gamma", region="East", customer_since="2020-01-01"),
    deal("won", "Ana", "2026-08-15", None, region="West"),
    deal("won", "Bo", "2026-09-30", "Delta", region="East"),
    deal("lost", "Bo", "2026-08-01", "Epsilon", region="East"),
    deal("won", "Bo", "2026-10-02", "Epsilon", region="East"),
]
PARTS = (
    "won_opportunities",
    "new_customer_first_wins",
    "new_customer_further_wins",
    "existing_customer_wins",
    "no_account_wins",
)


def bridge_row(report, dimension: str, segment: str) -> tuple[int, ...]:
    table = report.bridge
    match = table[(table["dimension"] == dimension) & (table["segment"] == segment)]
    assert len(match) == 1, f"expected one bridge row for {dimension}={segment}"
    return tuple(int(match.iloc[0][p]) for p in PARTS)


@pytest.fixture(scope="module")
def report():
    return report_for(BRIDGE_DEALS, "FY2026Q3")


def test_company_bridge_adds_up_to_won_opportunities(report):
    assert bridge_row(report, "all", "All") == (6, 2, 1, 2, 1)
    assert report.headline.won_opportunities == 6


def test_first_wins_are_the_won_customers(report):
    assert report.headline.won_customers == 2
    assert bridge_row(report, "all", "All")[1] == report.headline.won_customers


def test_bridge_per_rep(report):
    # Ana: Acme first win, Beta existing, one without account.
    assert bridge_row(report, "rep", "Ana") == (3, 1, 0, 1, 1)
    # Bo: Acme further win, Gamma existing (customer since 2020), Delta first win.
    assert bridge_row(report, "rep", "Bo") == (3, 1, 1, 1, 0)


def test_bridge_per_region_takes_each_deals_own_region(report):
    assert bridge_row(report, "region", "West") == (3, 1, 0, 1, 1)
    assert bridge_row(report, "region", "East") == (3, 1, 1, 1, 0)


def test_every_bridge_row_adds_up(report):
    table = report.bridge
    parts = table[list(PARTS[1:])].sum(axis=1)
    assert (parts == table["won_opportunities"]).all()
    assert set(table["dimension"]) >= {"all", "rep", "region"}
