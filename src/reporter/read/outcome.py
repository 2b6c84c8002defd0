"""The outcome of one opportunity — won, lost, open or excluded — exactly as SPEC defines it.

Won/closed flags decide when the table has them; otherwise the stage name decides,
matched against the configured lists after lowercasing and dropping every character that
is not a letter or digit. A stage in the excluded list is excluded whatever the flags say.
"""

from __future__ import annotations

from dataclasses import dataclass

from reporter.config import Outcomes
from reporter.vocabulary import EXCLUDED, LOST, OPEN, WON, normalise


@dataclass(frozen=True)
class Decision:
    """An outcome, plus what the caller should report about how it was reached."""

    outcome: str | None  # None: no stage and no usable flag (the row is quarantined)
    unknown_stage: bool = False  # stage decided, and it is in no list
    conflicting: bool = False  # IsWon set while IsClosed is not


class OutcomeRules:
    """The configured open/won/lost/excluded stage lists, ready for matching."""

    def __init__(self, outcomes: Outcomes) -> None:
        self._stages: dict[str, str] = {}
        self.won_names = tuple(outcomes.won)  # as configured, to name in a typo's fix
        # Later assignments win, so a stage listed twice counts as excluded, then won.
        for outcome, names in (
            (OPEN, outcomes.open),
            (LOST, outcomes.lost),
            (WON, outcomes.won),
            (EXCLUDED, outcomes.excluded),
        ):
            for name in names:
                self._stages[normalise(name)] = outcome

    @property
    def won_keys(self) -> tuple[str, ...]:
        """The won stage names, normalised (to spot won-looking typos)."""
        return tuple(key for key, outcome in self._stages.items() if outcome == WON)

    def of_stage(self, stage: str | None) -> str | None:
        """The outcome a stage name stands for, or None when it is in no list."""
        return self._stages.get(normalise(stage)) if stage else None

    def decide(
        self,
        stage: str | None,
        is_won: bool | None,
        is_closed: bool | None,
        has_won: bool,
        has_closed: bool,
    ) -> Decision:
        """Outcome of one row. ``has_*`` say whether the table has that flag column;
        a flag of None means the cell could not be read, so the stage decides that row."""
        by_stage = self.of_stage(stage)
        if by_stage == EXCLUDED:
            return Decision(EXCLUDED)
        readable = (not has_won or is_won is not None) and (not has_closed or is_closed is not None)
        if (has_won or has_closed) and readable:
            return _by_flags(by_stage, is_won, is_closed, has_won, has_closed)
        if stage is None:
            return Decision(None)
        if by_stage is None:
            return Decision(OPEN, unknown_stage=True)
        return Decision(by_stage)


def _by_flags(
    by_stage: str | None,
    is_won: bool | None,
    is_closed: bool | None,
    has_won: bool,
    has_closed: bool,
) -> Decision:
    if has_won and has_closed:
        if is_won:
            return Decision(WON, conflicting=not is_closed)
        return Decision(LOST if is_closed else OPEN)
    if has_won:
        # No IsClosed column: IsWon tells won from not-won; the stage tells lost from open.
        return Decision(WON if is_won else LOST if by_stage == LOST else OPEN)
    # Only IsClosed: closed rows are won when the stage says so, otherwise lost.
    if is_closed:
        return Decision(WON if by_stage == WON else LOST)
    return Decision(OPEN)
