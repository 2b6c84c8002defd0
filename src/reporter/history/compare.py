"""Every build's comparison: each closed quarter against its frozen figures, the open
quarter against the last run. Reads the store; the explaining is :mod:`reporter.history.diff`.

Each rep's bonus figures are compared, then the company's won customers, then each
segment's (of the briefing dimension ``by``) — the segments only when the reference run
used the same dimension, since the deals it stored carry that dimension's values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from reporter.history.deals import Deal, DealTable
from reporter.history.diff import CLOSED, LAST_RUN, Basis, Restatement, explain
from reporter.history.figures import (
    COMPANY,
    Figure,
    rep_figures,
    unknown_reasons,
    won_customer_figures,
)
from reporter.history.store import HistoryStore


@dataclass(frozen=True)
class OpenQuarter:
    """The reporting quarter of this build: label and ISO first/last day."""

    label: str
    start: str
    end: str


def compare(
    store: HistoryStore,
    deals: Sequence[Deal],
    figures: Sequence[Figure],
    period: OpenQuarter | None,
    before_run: int | None = None,
    by: str | None = None,
    currency: str | None = None,
) -> list[Restatement]:
    """Restatements of today's ``deals``/``figures`` against the store.

    Each closed quarter is compared with its frozen figures and deals. ``period``, when it
    is not closed, is compared with the last run recorded before ``before_run`` (default:
    the newest run); with no earlier run there is nothing to compare it with. ``by`` is the
    briefing dimension whose value each deal carries (its segment); ``currency`` labels the
    known part of a won amount that is unknown (the reason beside its "—").
    """
    out: list[Restatement] = []
    closed = store.closed_quarters()
    for closing in closed:
        basis = Basis(
            closing.quarter,
            closing.start,
            closing.end,
            CLOSED,
            run=closing.run,
            note=f"closed {closing.closed_at[:10]} by {closing.closed_by}",
            by=by,
        )
        out.extend(_one(store, basis, deals, closing.figures, figures, currency))
    if period is not None and period.label not in {c.quarter for c in closed}:
        last = store.last_run(before=before_run)
        if last is not None:
            basis = Basis(
                period.label,
                period.start,
                period.end,
                LAST_RUN,
                run=last.id,
                note=f"last run {last.id} ({last.recorded[:16].replace('T', ' ')})",
                by=by,
            )
            then = store.figures(last.id, period.label)
            out.extend(_one(store, basis, deals, then, figures, currency))
    return out


def _one(
    store: HistoryStore,
    basis: Basis,
    deals: Sequence[Deal],
    then: Sequence[Figure],
    figures: Sequence[Figure],
    currency: str | None,
) -> list[Restatement]:
    table = DealTable.of(deals)
    counting_now = table.won_in(basis.start, basis.end)
    assert basis.run is not None
    before = {
        d.opportunity_id: d
        for d in store.deals(
            basis.run, basis.start, basis.end, ids=[d.opportunity_id for d in counting_now]
        )
    }
    wanted = set(before) | {d.opportunity_id for d in counting_now}
    after = table.with_ids(wanted)
    q = basis.quarter
    why_then, why_now = unknown_reasons(then, q, currency), unknown_reasons(figures, q, currency)
    out = [
        replace(
            r,
            frozen_reason=why_then.get((r.rep, r.figure)) if r.frozen is None else None,
            now_reason=why_now.get((r.rep, r.figure)) if r.now is None else None,
        )
        for r in explain(basis, before, after, rep_figures(then, q), rep_figures(figures, q))
    ]
    dimensions = [COMPANY]
    if basis.by and _by(store, basis.run) == basis.by:
        dimensions.append(basis.by)
    for dim in dimensions:
        out += explain(
            basis,
            before,
            after,
            won_customer_figures(then, q, dim),
            won_customer_figures(figures, q, dim),
            dimension=dim,
        )
    return out


def _by(store: HistoryStore, run: int) -> str | None:
    """The briefing dimension the reference run's deals carry (None when not recorded)."""
    briefings = store.run_config(run).get("briefings")
    by = briefings.get("by") if isinstance(briefings, dict) else None
    return str(by) if by else None
