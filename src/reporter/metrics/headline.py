"""Headline figures per report and quarter, from grouped figures, and the changes between them.

Won counts and amounts go by close date (bonuses); the win rate by the window (snapshot
or cohort), with the window's own won and lost counts beside it. Amounts that cannot be
known are None (see :mod:`reporter.metrics.missing`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reporter.metrics.facts import Facts, Groups
from reporter.metrics.figures import ClosedRows, row_of, stat, weighted
from reporter.metrics.report import Change, Headline
from reporter.metrics.stats import rate, wilson_interval

# (Headline field, kind) of every figure compared with the previous quarter, in order.
# A rate's change is in percentage points and has no relative change.
CHANGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("won_opportunities", "count"),
    ("won_amount", "money"),
    ("lost_opportunities", "count"),
    ("won_customers", "count"),
    ("win_rate", "rate"),
    ("amount_weighted_win_rate", "rate"),
    ("acv_mean", "money"),
    ("acv_median", "money"),
    ("cycle_days_median", "days"),
    ("cycle_days_mean", "days"),
    ("open_opportunities", "count"),
    ("open_amount", "money"),
    ("target", "money"),
    ("coverage", "rate"),
)


@dataclass(frozen=True)
class QuarterFigures:
    """Grouped figures of some quarters for every report group: by close date (won,
    lost, new customers: the bonus basis) and by the win-rate window."""

    by_close: pd.DataFrame  # index (g, q): won, won_missing, won_sum, lost, new
    window: pd.DataFrame  # index (g, q): figures.CLOSED_COLUMNS

    def headline(
        self,
        g: int,
        q: int,
        label: str,
        min_closed: int,
        target: float | None,
        *,
        open_figures: tuple[int, int, float] | None = None,
        to_date: str | None = None,
    ) -> Headline:
        """The headline of group ``g`` for quarter code ``q`` (labelled ``label``).

        ``open_figures`` (count, deals without an amount, known amounts summed) for the
        reporting quarter only: a past quarter has no open figures and no coverage (the
        pipeline is as of the data). Like the won amount, the open amount is None as soon
        as one open deal has no amount, and so is coverage.
        """
        close = row_of(self.by_close, (g, q))
        win = row_of(self.window, (g, q))
        n_won, n_lost = int(win["won"]), int(win["lost"])
        low, high = wilson_interval(n_won, n_won + n_lost)
        won = int(close["won"])
        missing = int(close["won_missing"])
        known = None if won and missing == won else float(close["won_sum"])
        open_count, open_missing, open_known, open_amount = _open(open_figures)
        has_target = target is not None and target > 0
        return Headline(
            quarter=label,
            won_opportunities=won,
            won_amount=None if missing else known,
            won_without_amount=missing,
            won_amount_known=known,
            to_date=to_date,
            lost_opportunities=int(close["lost"]),
            won_customers=int(close["new"]),
            win_rate=rate(n_won, n_lost),
            win_rate_won=n_won,
            win_rate_lost=n_lost,
            ci_low=low,
            ci_high=high,
            directional=(n_won + n_lost) < min_closed,
            amount_weighted_win_rate=weighted(win),
            acv_mean=stat(win["acv_mean"]),
            acv_median=stat(win["acv_median"]),
            cycle_days_median=stat(win["cycle_median"]),
            cycle_days_mean=stat(win["cycle_mean"]),
            open_opportunities=open_count,
            open_amount=open_amount,
            open_without_amount=open_missing,
            open_amount_known=open_known,
            target=target,
            coverage=(
                open_amount / target
                if open_figures is not None and has_target and open_amount is not None and target
                else None
            ),
        )

    def lost_without_amount(self, g: int, q: int) -> bool:
        """True when the window's lost deals exist and none carries an amount other than 0."""
        win = row_of(self.window, (g, q))
        return bool(win["lost"]) and not win["lost_nonzero"]

    def window_missing(self, g: int, q: int) -> tuple[int, int]:
        """How many won and lost deals of the window have no amount."""
        win = row_of(self.window, (g, q))
        return int(win["won_missing"]), int(win["lost_missing"])


def _open(
    figures: tuple[int, int, float] | None,
) -> tuple[int | None, int | None, float | None, float | None]:
    """(count, without amount, known sum, amount) of the open pipeline; all None for a
    past quarter."""
    if figures is None:
        return None, None, None, None
    count, missing, summed = figures
    known = None if count and missing == count else float(summed)
    return count, missing, known, None if missing else known


def quarter_figures(
    facts: Facts,
    groups: Groups,
    quarters: list[int],
    mode: str,
    *,
    keep: np.ndarray | None = None,
    closed_by: pd.Timestamp | None = None,
    close_date: np.ndarray | None = None,
) -> QuarterFigures:
    """Figures of ``quarters`` (codes) for every group, in one grouped pass each.

    With ``closed_by`` the data are read as they stood that day (a like-for-like cut):
    ``keep`` drops deals created later, and deals closing later were still open (no won,
    lost or new customer yet).
    """
    rows = facts.once(
        ("quarter_figures", tuple(quarters), mode, closed_by),
        lambda: _QuarterRows(facts, quarters, mode, keep, closed_by, close_date),
    )
    # Each deal once in each of its groups (rows in no group are left out).
    g, q, amount, w, lost, new = groups.spread(
        rows.close_idx, rows.close_q, rows.amount, rows.won, rows.lost, rows.new
    )
    na = np.isnan(amount)
    nq = len(facts.quarters)
    found = np.flatnonzero(groups.bincount(g, q, nq))  # the (group, quarter)s with a deal
    g_at, q_at = np.divmod(found, nq)

    def total(weights: np.ndarray) -> np.ndarray:
        summed: np.ndarray = groups.bincount(g, q, nq, weights=weights)[found]
        return summed

    by_close = pd.DataFrame(
        {
            "won": total(w).astype(np.int64),
            "won_missing": total(w & na).astype(np.int64),
            "won_sum": total(np.where(w & ~na, amount, 0.0)),
            "lost": total(lost).astype(np.int64),
            "new": total(new).astype(np.int64),
        },
        index=pd.MultiIndex.from_arrays([g_at, q_at], names=["g", "q"]),
    )
    window = rows.window.figures([("q", rows.window_q)], groups)
    return QuarterFigures(by_close, window)


class _QuarterRows:
    """What :func:`quarter_figures` needs that does not depend on the grouping."""

    def __init__(
        self,
        facts: Facts,
        quarters: list[int],
        mode: str,
        keep: np.ndarray | None,
        closed_by: pd.Timestamp | None,
        close_date: np.ndarray | None,
    ) -> None:
        won, lost, new = facts.won, facts.lost, facts.new_customer
        if closed_by is not None and close_date is not None:
            later = close_date > np.datetime64(closed_by)
            won, lost, new = won & ~later, lost & ~later, new & ~later
        base = np.ones(facts.n, dtype=bool) if keep is None else keep
        in_close = base & facts.in_quarters(facts.close_q, quarters)
        self.close_idx = np.flatnonzero(in_close & (won | lost | new))
        self.close_q = facts.close_q[self.close_idx]
        self.amount = facts.amount[self.close_idx]
        self.won = won[self.close_idx]
        self.lost = lost[self.close_idx]
        self.new = new[self.close_idx]
        self.window_q = facts.close_q if mode == "snapshot" else facts.created_q
        in_window = np.flatnonzero(base & facts.in_quarters(self.window_q, quarters))
        self.window = ClosedRows(facts, in_window, won, lost)


def changes(now: Headline, before: Headline) -> tuple[Change, ...]:
    """One :class:`Change` per compared figure, now against ``before``."""
    return tuple(
        Change(name, _num(getattr(now, name)), _num(getattr(before, name)), kind)
        for name, kind in CHANGE_FIELDS
    )


def _num(value: object) -> float | None:
    if value is None:
        return None
    return float(value)  # type: ignore[arg-type]
