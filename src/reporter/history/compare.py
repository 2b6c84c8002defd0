"""Every build's comparison: each closed quarter against its frozen figures, the open
quarter against the last run. Reads the store; the explaining is :mod:`reporter.history.diff`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reporter.history.deals import Deal
from reporter.history.diff import CLOSED, LAST_RUN, Basis, Restatement, explain
from reporter.history.figures import Figure, rep_figures
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
) -> list[Restatement]:
    """Restatements of today's ``deals``/``figures`` against the store.

    Each closed quarter is compared with its frozen figures and deals. ``period``, when it
    is not closed, is compared with the last run recorded before ``before_run`` (default:
    the newest run); with no earlier run there is nothing to compare it with.
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
        )
        frozen = rep_figures(closing.figures, closing.quarter)
        out.extend(_one(store, basis, deals, frozen, figures))
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
            )
            frozen = rep_figures(store.figures(last.id, period.label), period.label)
            out.extend(_one(store, basis, deals, frozen, figures))
    return out


def _one(
    store: HistoryStore,
    basis: Basis,
    deals: Sequence[Deal],
    frozen: dict[tuple[str, str], float],
    figures: Sequence[Figure],
) -> list[Restatement]:
    counting_now = [d for d in deals if d.won_in(basis.start, basis.end)]
    assert basis.run is not None
    before = {
        d.opportunity_id: d
        for d in store.deals(
            basis.run, basis.start, basis.end, ids=[d.opportunity_id for d in counting_now]
        )
    }
    wanted = set(before) | {d.opportunity_id for d in counting_now}
    after = {d.opportunity_id: d for d in deals if d.opportunity_id in wanted}
    return explain(basis, before, after, frozen, rep_figures(figures, basis.quarter))
