"""Why a quarter's figures changed: frozen (or last run's) deals vs today's, deal by deal.

Pure functions. A deal counts for a rep's figures of a quarter when it is won with a close
date in the quarter: one won opportunity, its amount, and one won customer when it made its
account a new customer. A won deal without an amount adds an unknown amount: the rep's won
amount is then None in the core, and a difference or effect involving it is None ("—"),
never a number. The same new-customer win
counts once for the company's won customers and once for its segment's (the briefing
dimension's value the deal carries), whoever owns it. The *effect* of a deal on a figure is
what it adds now minus what it added then; every deal with an effect is named with what
changed in it. The figures themselves (frozen, now) come from the metrics core.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from reporter.history.deals import Deal
from reporter.history.figures import BONUS_FIGURES, COMPANY, COMPANY_SEGMENT, REP, WON_CUSTOMERS

# Amounts are money: a difference under half a cent is rounding, not a restatement.
TOLERANCE = 0.005

CLOSED = "closed"  # compared with the figures frozen by `reporter close`
LAST_RUN = "last run"  # the open quarter, compared with the previous build


@dataclass(frozen=True)
class Basis:
    """What one quarter is compared against. Dates are ISO strings, ``end`` inclusive."""

    quarter: str
    start: str
    end: str
    kind: str  # CLOSED or LAST_RUN
    run: int | None = None  # the run whose figures and deals are the reference
    note: str = ""  # e.g. "closed 2026-10-05 by ana"
    by: str | None = None  # the briefing dimension the deals' segments are values of


@dataclass(frozen=True)
class DealChange:
    """One deal behind a restatement: what changed in it and what it did to the figure."""

    opportunity_id: str
    account: str | None
    kinds: tuple[str, ...]  # codes: see CHANGE_KINDS
    changes: tuple[str, ...]  # the same, in words with the before and after values
    effect: float | None  # this deal's share of the difference; None: unknown (no amount)
    segments: tuple[str, ...] = ()  # its briefing segment then and now (one if unchanged)

    @property
    def what(self) -> str:
        return "; ".join(self.changes)


@dataclass(frozen=True)
class Restatement:
    """One figure of one rep (or segment, or the company) in one quarter that differs from
    its reference.

    ``rep`` names whose figure it is: the rep's name when ``dimension`` is ``"rep"``, else
    the segment's value of that dimension (``"West"`` for ``"region"``), or ``"All"`` for
    the company (``dimension`` ``"all"``). Segments and the company restate won customers.
    """

    quarter: str
    basis: str  # CLOSED or LAST_RUN
    rep: str
    figure: str  # won_opportunities | won_amount | won_customers
    frozen: float | None  # None: the core could not know it (see frozen_reason)
    now: float | None
    deals: tuple[DealChange, ...]
    run: int | None = None
    note: str = ""
    dimension: str = REP  # "rep", the briefing dimension (e.g. "region"), or "all"
    frozen_reason: str | None = None  # why ``frozen`` is None
    now_reason: str | None = None  # why ``now`` is None

    @property
    def is_rep(self) -> bool:
        """True for a rep's figure (what a statement and the bonus are about)."""
        return self.dimension == REP

    @property
    def who(self) -> str:
        """Whose figure, in words: ``Ann``, ``West (region)``, ``Company (all reps)``."""
        if self.is_rep:
            return self.rep
        if self.dimension == COMPANY:
            return "Company (all reps)"
        return f"{self.rep} ({self.dimension})"

    @property
    def difference(self) -> float | None:
        """Now minus frozen; None when either is unknown (never a guess)."""
        return _minus(self.now, self.frozen)

    @property
    def restated(self) -> bool:
        """True when the figure itself moved (deals may also offset to no difference): a
        figure that became unknown (or known) moved, as did an unknown one whose reason did."""
        return _moved(self.frozen, self.now) or (
            self.difference is None and self.frozen_reason != self.now_reason
        )


CHANGE_KINDS = (
    "added",
    "removed",
    "re-opened",
    "won to lost",
    "lost to won",
    "outcome changed",
    "amount changed",
    "close date moved into the quarter",
    "close date moved out of the quarter",
    "owner changed",
    "segment changed",
    "account's first win moved",
)


def contributions(deal: Deal | None, basis: Basis) -> dict[tuple[str, str], float | None]:
    """What one deal adds to ``(rep, figure)`` of the basis quarter."""
    if deal is None or deal.rep is None or not deal.won_in(basis.start, basis.end):
        return {}
    out = {
        (deal.rep, "won_opportunities"): 1.0,
        (deal.rep, "won_amount"): deal.amount,  # None: adds an unknown amount
    }
    if deal.new_customer:
        out[(deal.rep, "won_customers")] = 1.0
    return out


def company_contributions(deal: Deal | None, basis: Basis) -> dict[tuple[str, str], float]:
    """What one deal adds to the company's won customers of the basis quarter."""
    if deal is None or not deal.new_customer or not deal.won_in(basis.start, basis.end):
        return {}
    return {(COMPANY_SEGMENT, WON_CUSTOMERS): 1.0}


def segment_contributions(deal: Deal | None, basis: Basis) -> dict[tuple[str, str], float]:
    """What one deal adds to its segment's won customers of the basis quarter."""
    if deal is None or deal.segment is None:
        return {}
    return {(deal.segment, WON_CUSTOMERS): 1.0} if company_contributions(deal, basis) else {}


def describe(before: Deal | None, after: Deal | None, basis: Basis) -> list[tuple[str, str]]:
    """``(kind, words)`` for every change between two versions of one deal."""
    if before is None and after is None:
        return []
    if before is None:
        return [("added", "added: not in the data the figures were taken from")]
    if after is None:
        return [("removed", "removed: no longer in the data")]
    out: list[tuple[str, str]] = []
    if before.outcome != after.outcome:
        out.append(_outcome_change(before.outcome, after.outcome))
    if _money(before.amount) != _money(after.amount):
        out.append(("amount changed", f"amount {_amount(before.amount)} → {_amount(after.amount)}"))
    was_in = _within(before.close_date, basis)
    now_in = _within(after.close_date, basis)
    if was_in != now_in:
        kind = (
            "close date moved into the quarter" if now_in else "close date moved out of the quarter"
        )
        out.append((kind, f"{kind}: {before.close_date or '—'} → {after.close_date or '—'}"))
    if before.rep != after.rep:
        out.append(("owner changed", f"owner {before.rep or '—'} → {after.rep or '—'}"))
    if before.segment != after.segment:
        out.append(
            (
                "segment changed",
                f"{basis.by or 'segment'} {before.segment or '—'} → {after.segment or '—'}",
            )
        )
    if before.new_customer != after.new_customer:
        which = "now" if after.new_customer else "no longer"
        account = after.account or before.account or "its account"
        out.append(
            (
                "account's first win moved",
                f"account's first win moved: {which} {account}'s first win",
            )
        )
    return out


def _outcome_change(before: str, after: str) -> tuple[str, str]:
    if before == "won" and after == "open":
        return "re-opened", "re-opened: won → open"
    if before == "won" and after == "lost":
        return "won to lost", "won → lost"
    if before == "lost" and after == "won":
        return "lost to won", "lost → won"
    return "outcome changed", f"outcome {before} → {after}"


def explain(
    basis: Basis,
    before: Mapping[str, Deal],
    after: Mapping[str, Deal],
    frozen: Mapping[tuple[str, str], float | None],
    now: Mapping[tuple[str, str], float | None],
    dimension: str = REP,
) -> list[Restatement]:
    """Every (rep, figure) of the basis quarter whose figure or deals changed.

    ``before``/``after`` are deals by opportunity id (the reference run's and today's);
    ``frozen``/``now`` the core's figures ``{(rep, figure): value}`` for the quarter. A
    missing figure is 0: the rep had nothing in that quarter; a None one is unknown. With
    ``dimension`` ``"all"`` the keys are ``("All", "won_customers")``, the company's; with
    the briefing dimension (``basis.by``) they are ``(segment, "won_customers")``.
    """
    adds = (
        contributions
        if dimension == REP
        else company_contributions
        if dimension == COMPANY
        else segment_contributions
    )
    effects: dict[tuple[str, str], list[DealChange]] = defaultdict(list)
    moved = []
    for oid in set(before) | set(after):
        old, new = before.get(oid), after.get(oid)
        was, now_adds = adds(old, basis), adds(new, basis)
        if was != now_adds:
            moved.append((oid, old, new, was, now_adds))
    for oid, old, new, was, now_adds in sorted(moved, key=lambda m: _natural(m[0])):
        changes = describe(old, new, basis)
        account = (new or old).account  # type: ignore[union-attr]
        segments = tuple(dict.fromkeys(d.segment for d in (old, new) if d and d.segment))
        for key in set(was) | set(now_adds):
            effect = _minus(now_adds.get(key, 0.0), was.get(key, 0.0))
            if _moved(was.get(key, 0.0), now_adds.get(key, 0.0)):
                effects[key].append(
                    DealChange(
                        opportunity_id=oid,
                        account=account,
                        kinds=tuple(k for k, _ in changes),
                        changes=tuple(w for _, w in changes),
                        effect=effect,
                        segments=segments,
                    )
                )
    keys = set(effects) | {
        k
        for k in set(frozen) | set(now)
        if k[1] in BONUS_FIGURES and _moved(frozen.get(k, 0.0), now.get(k, 0.0))
    }
    order = {f: i for i, f in enumerate(BONUS_FIGURES)}
    return [
        Restatement(
            quarter=basis.quarter,
            basis=basis.kind,
            rep=rep,
            figure=figure,
            frozen=frozen.get((rep, figure), 0.0),
            now=now.get((rep, figure), 0.0),
            deals=tuple(effects.get((rep, figure), ())),
            run=basis.run,
            note=basis.note,
            dimension=dimension,
        )
        for rep, figure in sorted(keys, key=lambda k: (k[0].casefold(), order[k[1]]))
    ]


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _moved(before: float | None, after: float | None) -> bool:
    """True when a value changed: by half a cent or more, or from known to unknown (or back)."""
    if before is None or after is None:
        return (before is None) != (after is None)
    return abs(after - before) >= TOLERANCE


def _within(day: str | None, basis: Basis) -> bool:
    return day is not None and basis.start <= day <= basis.end


def _money(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def _amount(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _natural(text: str) -> str:
    return re.sub(r"\d+", lambda m: m.group(0).zfill(20), text)
