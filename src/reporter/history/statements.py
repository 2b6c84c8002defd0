"""What a rep's statement says, read from the history store (never recomputed).

For a quarter that is closed: the frozen figures and the deals of the run they were frozen
from. For a quarter not closed yet: the latest build's figures and deals, marked as able to
change. Either way, the restatements of the rep's closed quarters that the latest build
found. Every figure is one the metrics core computed and the store recorded with the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reporter.history.deals import Deal
from reporter.history.diff import CLOSED
from reporter.history.figures import REP, Figure
from reporter.history.store import HistoryError, HistoryStore

FIGURES = ("won_opportunities", "won_amount", "won_customers", "lost_opportunities", "win_rate")


@dataclass(frozen=True)
class Statement:
    """One rep's figures for one quarter, the won deals behind them, and restatements."""

    rep: str
    quarter: str
    start: str
    end: str
    closed: bool
    basis: str  # where the figures come from, in words
    run: int
    figures: dict[str, float | None]  # FIGURES → value (None: the core had none)
    deals: tuple[Deal, ...]  # won with a close date in the quarter, by close date
    restatements: tuple[dict[str, Any], ...] = ()  # metrics.json records, closed quarters
    currency: str | None = None
    inputs: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def statements(store: HistoryStore, quarter: str, start: str, end: str) -> list[Statement]:
    """One :class:`Statement` per rep with figures in ``quarter`` (ISO ``start``/``end``)."""
    latest = store.last_run()
    if latest is None:
        raise HistoryError(
            f"no build is recorded in {store.path}, so there is nothing to state",
            hint="run `reporter build` with the same --out and --config first",
        )
    closing = store.closed(quarter)
    if closing is not None:
        run = store.run(closing.run) or latest
        figures: list[Figure] = list(closing.figures)
        basis = (
            f"Closed: frozen on {closing.closed_at[:10]} by {closing.closed_by} "
            f"from run {closing.run} ({run.recorded[:10]})."
        )
    else:
        run = latest
        figures = store.figures(run.id, quarter)
        basis = (
            f"Not closed yet: figures of the latest build (run {run.id}, "
            f"{run.recorded[:16].replace('T', ' ')} UTC); they can still change."
        )
    by_rep: dict[str, dict[str, float | None]] = {}
    for f in figures:
        if f.dimension == REP and f.figure in FIGURES:
            by_rep.setdefault(f.segment, {})[f.figure] = f.value
    if not by_rep:
        raise HistoryError(
            f"run {run.id} has no figures per rep for {quarter}",
            hint="build from inputs that cover that quarter (or pick another --period)",
        )
    won: dict[str, list[Deal]] = {}
    for d in store.deals(run.id, start, end):
        if d.won_in(start, end) and d.rep is not None:
            won.setdefault(d.rep, []).append(d)
    restated = [r for r in latest.restatements if r.get("basis") == CLOSED]
    return [
        Statement(
            rep=rep,
            quarter=quarter,
            start=start,
            end=end,
            closed=closing is not None,
            basis=basis,
            run=run.id,
            figures={
                name: values.get(name, 0.0 if name != "win_rate" else None) for name in FIGURES
            },
            deals=tuple(
                sorted(won.get(rep, []), key=lambda d: (d.close_date or "", d.opportunity_id))
            ),
            restatements=tuple(r for r in restated if r.get("rep") == rep),
            currency=run.currency,
            inputs=tuple(run.inputs),
        )
        for rep, values in sorted(by_rep.items(), key=lambda kv: kv[0].casefold())
    ]
