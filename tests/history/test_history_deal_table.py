"""A build's deals as columns: the same deals, hashes and rows as one Deal at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reporter.history.deals import Deal, DealTable, deals_from_enriched
from reporter.history.figures import REP, WON_CUSTOMERS, Figure, figures_from_tables
from reporter.history.store import sorted_digests

DEALS = [
    Deal("A1", "Ann", "Acme", "won", 1200.0, "2026-08-03", "2026-05-01", True, "West"),
    Deal("A2", "Ann", None, "won", None, "2026-09-30", None, False, "West"),
    Deal("B1", "", "", "lost", 0.0, None, "2026-01-02", False, None),  # "" hashes as missing
    Deal("A1", "Bo", "Acme", "open", 1e16, "2026-10-01", "2025-12-31", False, "East"),
    Deal("C1", "Cy", "Co", "won", -5.5, "2026-07-01", "2026-07-01", True, ""),
]


def test_the_table_holds_the_same_deals_and_hashes():
    table = DealTable.of(DEALS)
    assert len(table) == 5
    assert list(table) == DEALS
    assert table[2] == DEALS[2] and table[1:3] == DEALS[1:3]
    assert table.digests() == [d.digest() for d in DEALS]
    assert len(set(table.digests())) == 5
    assert DealTable.of(table) is table


def test_rows_are_the_stored_fields_with_new_customer_as_0_or_1():
    table = DealTable.of(DEALS)
    rows = list(table.rows([True, False, False, False, True]))
    first = ("A1", "Ann", "Acme", "won", 1200.0, "2026-08-03", "2026-05-01", 1, "West")
    last = ("C1", "Cy", "Co", "won", -5.5, "2026-07-01", "2026-07-01", 1, "")
    assert rows == [(DEALS[0].digest(), *first), (DEALS[4].digest(), *last)]


def test_won_in_a_quarter_and_by_id():
    table = DealTable.of(DEALS)
    # A2 closes on the quarter's last day; C1 on its first; A1 (open) is not won
    assert [d.opportunity_id for d in table.won_in("2026-07-01", "2026-09-30")] == [
        "A1",
        "A2",
        "C1",
    ]
    found = table.with_ids({"A1", "B1"})
    assert found["A1"].rep == "Bo"  # the later of two rows with one id, as a dict would keep
    assert sorted(found) == ["A1", "B1"]


def test_an_empty_table():
    table = DealTable.of([])
    assert len(table) == 0 and table.digests() == [] and list(table.rows()) == []


def test_deals_from_the_enriched_frame():
    frame = pd.DataFrame(
        {
            "opportunity_id": pd.Series(["1", "2", "3"], dtype="str"),
            "rep": pd.Series(["Ann", None, "Bo"], dtype="str"),
            "account": pd.Series(["Acme", "Co", None], dtype=object),
            "outcome": ["won", "lost", "open"],
            "amount": [100.5, np.nan, 3.0],
            "close_date": pd.to_datetime(["2026-08-03 10:00", None, "1969-12-31 23:59"]),
            "created_date": pd.to_datetime([None, "2026-01-02", "2026-01-02"]),
            "new_customer": pd.Series([True, None, False], dtype=object),
            "region": pd.Series(["West", "East", None], dtype="str"),
        }
    )
    table = deals_from_enriched(frame, "region")
    assert list(table) == [
        Deal("1", "Ann", "Acme", "won", 100.5, "2026-08-03", None, True, "West"),
        Deal("2", None, "Co", "lost", None, None, "2026-01-02", False, "East"),
        Deal("3", "Bo", None, "open", 3.0, "1969-12-31", "2026-01-02", False, None),
    ]


def test_figures_from_the_core_tables_row_by_row():
    reps = pd.DataFrame(
        {
            "quarter": ["FY2026 Q3", "FY2026 Q3"],
            "rep": ["Ann", "Bo"],
            "won_opportunities": [2, 0],
            "won_amount": [1300.0, np.nan],
            "lost_opportunities": [1, 3],
            "directional": [True, False],
        }
    )
    customers = pd.DataFrame(
        {
            "quarter": ["FY2026 Q3"],
            "dimension": ["region"],
            "segment": ["West"],
            WON_CUSTOMERS: pd.array([1], dtype="Int64"),
        }
    )
    q = "FY2026 Q3"
    assert figures_from_tables(reps, customers) == [
        Figure(q, REP, "Ann", "won_opportunities", 2.0),
        Figure(q, REP, "Ann", "won_amount", 1300.0),
        Figure(q, REP, "Ann", "lost_opportunities", 1.0),
        Figure(q, REP, "Ann", "directional", 1.0),
        Figure(q, REP, "Bo", "won_opportunities", 0.0),
        Figure(q, REP, "Bo", "won_amount", None),  # unknown, never 0
        Figure(q, REP, "Bo", "lost_opportunities", 3.0),
        Figure(q, REP, "Bo", "directional", 0.0),
        Figure(q, "region", "West", WON_CUSTOMERS, 1.0),
    ]


def test_sorted_digests_order_as_the_bytes_do():
    import random

    rng = random.Random(7)
    digests = [rng.randbytes(16) for _ in range(2000)]
    digests += [b"\x00" * 16, b"\xff" * 16, b"\x80" + b"\x00" * 15, b"\x7f" + b"\xff" * 15]
    digests += [d[:8] + bytes(8) for d in digests[:50]] + digests[:30]  # shared halves, repeats
    assert sorted_digests(digests) == b"".join(sorted(digests))
    assert sorted_digests([]) == b""
    assert sorted_digests([b"ab", b"a"]) == b"aab"  # any other length: plain sorted()
