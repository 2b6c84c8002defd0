"""What a rep's statement says, read from the history store (never recomputed).

For a quarter that is closed: the frozen figures and the deals of the run they were frozen
from. For a quarter not closed yet: the latest build's figures and deals, marked as able to
change. Either way, the restatements of the rep's closed quarters that the latest build
found: a rep with such a restatement gets a statement even without figures in this quarter
(their figures then are the core's "nothing": 0 won, no win rate), so a restated earlier
quarter always reaches them. Every figure is one the metrics core computed and the store
recorded with the run, the win rate's directional mark included; a won amount the core
could not know stays None, with the reason built from the counts recorded beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reporter.history.deals import Deal
from reporter.history.diff import CLOSED
from reporter.history.figures import REP, Figure, unknown_reasons
from reporter.history.store import HistoryError, HistoryStore

FIGURES = ("won_opportunities", "won_amount", "won_customers", "lost_opportunities", "win_rate")
DIRECTIONAL = "directional"  # 1.0 / 0.0 as recorded; absent from runs recorded before it was


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
    directional: bool | None = None  # the win rate rests on few closed deals; None: not recorded
    min_closed: int | None = None  # the run's [win_rate] min_closed (what "few" means)
    reasons: dict[str, str] = field(default_factory=dict)  # FIGURES → why it is None ("—")


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
        if f.dimension == REP and f.figure in (*FIGURES, DIRECTIONAL):
            by_rep.setdefault(f.segment, {})[f.figure] = f.value
    restated = [r for r in latest.restatements if r.get("basis") == CLOSED]
    for r in restated:
        if r.get("rep"):  # a rep restated elsewhere, with nothing in this quarter
            by_rep.setdefault(str(r["rep"]), {})
    if not by_rep:
        raise HistoryError(
            f"run {run.id} has no figures per rep for {quarter}",
            hint="build from inputs that cover that quarter (or pick another --period)",
        )
    won: dict[str, list[Deal]] = {}
    for d in store.deals(run.id, start, end):
        if d.won_in(start, end) and d.rep is not None:
            won.setdefault(d.rep, []).append(d)
    min_closed = _min_closed(store.run_config(run.id))
    why = unknown_reasons(figures, quarter, run.currency)
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
            directional=_directional(values),
            min_closed=min_closed,
            reasons={f: text for (who, f), text in why.items() if who == rep},
            deals=tuple(
                sorted(won.get(rep, []), key=lambda d: (d.close_date or "", d.opportunity_id))
            ),
            restatements=tuple(r for r in restated if r.get("rep") == rep),
            currency=run.currency,
            inputs=tuple(run.inputs),
        )
        for rep, values in sorted(by_rep.items(), key=lambda kv: kv[0].casefold())
    ]


def _directional(values: dict[str, float | None]) -> bool | None:
    """The core's mark for the rep's win rate; a rep without figures has no rate to mark."""
    if not values:
        return False
    mark = values.get(DIRECTIONAL)
    return None if mark is None else bool(mark)


def _min_closed(config: dict[str, Any]) -> int | None:
    win_rate = config.get("win_rate")
    value = win_rate.get("min_closed") if isinstance(win_rate, dict) else None
    return int(value) if isinstance(value, int | float) else None
