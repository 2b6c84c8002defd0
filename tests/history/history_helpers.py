"""Small builders for history tests: deals and figures written out by hand."""

from __future__ import annotations

from reporter.history.deals import Deal
from reporter.history.diff import CLOSED, Basis

Q3 = Basis("FY2026 Q3", "2026-07-01", "2026-09-30", CLOSED, run=1)


def deal(oid, rep, outcome="won", amount=100.0, close="2026-08-01", account=None, new=False):
    return Deal(
        opportunity_id=oid,
        rep=rep,
        account=account,
        outcome=outcome,
        amount=amount,
        close_date=close,
        created_date="2026-01-15",
        new_customer=new,
        segment="West",
    )


def by_id(*deals):
    return {d.opportunity_id: d for d in deals}
