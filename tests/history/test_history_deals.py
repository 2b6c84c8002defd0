"""The deal records the store keeps come from the metrics core's enriched frame."""

from __future__ import annotations

import math

from history_helpers import deal

from conftest import make_opportunities
from reporter.config import Config
from reporter.history.deals import deals_from_enriched
from reporter.metrics import enrich


def test_deals_carry_the_cores_rep_folding_and_first_win():
    frame = make_opportunities(
        [
            # "al" and "Al": one rep, shown with the most common spelling (Al, twice).
            dict(
                opportunity_id="1",
                owner="Al",
                outcome="won",
                account="Acme",
                amount=100.0,
                close_date="2026-02-01",
                created_date="2026-01-02",
                region="West",
            ),
            dict(
                opportunity_id="2",
                owner="al",
                outcome="won",
                account="ACME",
                amount=math.nan,
                close_date="2026-03-01",
                region="West",
            ),
            dict(
                opportunity_id="3",
                owner="Al",
                outcome="lost",
                account="Beta",
                amount=5.0,
                close_date="2026-03-02",
            ),
        ]
    )
    deals = {d.opportunity_id: d for d in deals_from_enriched(enrich(frame, Config()), "region")}
    assert [deals[i].rep for i in "123"] == ["Al", "Al", "Al"]
    # Acme's first win is deal 1 (earliest close); deal 2 is a later win of the same account.
    assert [deals[i].new_customer for i in "123"] == [True, False, False]
    assert deals["2"].amount is None
    assert deals["1"].close_date == "2026-02-01"
    assert deals["1"].created_date == "2026-01-02"
    assert deals["2"].created_date is None
    assert deals["1"].segment == "West"
    assert deals["3"].segment == "Unknown"


def test_equal_records_hash_equal_and_any_change_changes_the_hash():
    base = deal("A", "Ann", amount=100.0)
    assert base.digest() == deal("A", "Ann", amount=100.0).digest()
    assert len(base.digest()) == 16
    others = [
        deal("A", "Bob", amount=100.0),
        deal("A", "Ann", amount=100.5),
        deal("A", "Ann", amount=None),
        deal("A", "Ann", amount=100.0, close="2026-08-02"),
        deal("A", "Ann", amount=100.0, outcome="open"),
        deal("A", "Ann", amount=100.0, new=True),
        deal("A", "Ann", amount=100.0, account="X"),
    ]
    assert len({base.digest(), *(o.digest() for o in others)}) == len(others) + 1
