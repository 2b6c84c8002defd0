"""Issue 9, repeated exports: the newest information about a deal wins, never the "most won".

Expected figures are hand-computed from the fixtures (tests/fixtures/trust). Quarters are
calendar quarters (fiscal year starts in January).
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime

import pytest
from trust_support import FIXTURES, issues, load, outcome_of, won_by_rep

MARCH = "dataloader_opportunity_exported_2025-03-01.csv"
APRIL = "dataloader_opportunity_exported_2025-04-02.csv"
U1, U2 = "005Ec000004oBPNIA2", "005Ec000004oBPOIA2"

# LastModifiedDate decides, whatever the order the files are given in:
# A1 won 15 Feb (modified 20 Feb) → re-opened in April (modified 28 Mar): open.
# A2 won 10,000 (27 Feb) → 12,000 (2 Mar): 12,000.  A3 open → won 10 Mar: won 8,000.
# A4 lost, identical in both.  A5 won 4,000 on 10 Jan, only in the March export.
# U1: won A2 only → 1 won, 12,000.  U2: A3 + A5 → 2 won, 8,000 + 4,000 = 12,000; A4 lost.
EXPECTED = {
    (U1, "FY2025 Q1"): (1, 12_000, 0),
    (U2, "FY2025 Q1"): (2, 12_000, 1),
}


@pytest.mark.parametrize(
    "order", [(MARCH, APRIL), (APRIL, MARCH)], ids=["oldest-first", "newest-first"]
)
def test_last_modified_date_decides_and_a_reopened_deal_is_open(order):
    data = load(*order)
    assert won_by_rep(data) == EXPECTED
    assert outcome_of(data, "006Ec00000AieA1IAJ") == "open"
    conflicts = {i.value: f"{i.problem} {i.action}" for i in issues(data, "conflicting-duplicate")}
    assert set(conflicts) == {"006Ec00000AieA1IAJ", "006Ec00000AieA2IAJ", "006Ec00000AieA3IAJ"}
    # both values are in the report, so finance can see what changed
    reopened = conflicts["006Ec00000AieA1IAJ"]
    assert "Closed Won" in reopened and "Negotiation/Review" in reopened
    amount = conflicts["006Ec00000AieA2IAJ"]
    assert ("10000" in amount or "10,000" in amount) and ("12000" in amount or "12,000" in amount)
    assert [i.value for i in issues(data, "duplicate-opportunity")] == ["006Ec00000AieA4IAJ"]


def _aged_copies(tmp_path, newer: str, older: str):
    """Copy the two HubSpot exports, giving ``newer`` the later modification time."""
    for name, when in ((newer, datetime(2025, 4, 2, 9)), (older, datetime(2025, 3, 1, 9))):
        target = tmp_path / name
        shutil.copyfile(FIXTURES / name, target)
        stamp = when.timestamp()
        os.utime(target, (stamp, stamp))
    return tmp_path


A, B = "hubspot_deals_no_last_modified_a.csv", "hubspot_deals_no_last_modified_b.csv"


@pytest.mark.parametrize(
    ("newer", "older", "expected", "open_id"),
    [
        # _a has 8101 re-opened (Contract Sent) and 8102 won $4,500 on 14 Mar
        (A, B, {("Gus Moe", "FY2025 Q1"): (1, 4_500, 0)}, "8101"),
        # _b has 8101 won $9,000 on 11 Feb and 8102 still open
        (B, A, {("Fay Lin", "FY2025 Q1"): (1, 9_000, 0)}, "8102"),
    ],
    ids=["a-newer", "b-newer"],
)
def test_without_a_last_modified_column_the_newer_file_wins(
    tmp_path, newer, older, expected, open_id
):
    # the folder is read in name order (_a, _b) both times: file age decides, not order
    data = load(_aged_copies(tmp_path, newer, older))
    assert won_by_rep(data) == expected
    assert outcome_of(data, open_id) == "open"
