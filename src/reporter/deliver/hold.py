"""Hold before sending: conditions in a run's own data that put its delivery on hold.

A run whose bonus figures may be wrong is not e-mailed to managers, finance or leadership
until a person has looked: sales ops get a short notice, ``reporter send RUN --approve``
releases it. Everything is read from the run's ``metrics.json`` (the data-quality issues
the readers flagged, the restatements the history store explained); nothing is recomputed.

Conditions (``[delivery] hold_when``):

* ``unknown-won-stage`` — a stage that looks like a win but is in no outcome list
  (issue code ``won-looking-stage``), so a won deal may be counted as open;
* ``quarantined-won-deal`` — a won deal set aside (no owner, no close date …);
* ``mixed-currency`` — amounts in a currency without a rate, left out of the sums
  (issue code ``unconverted-amount``);
* ``restated-quarter`` — a closed (frozen) quarter's figure differs from this build;
* ``bonus-risk`` — any issue the readers flag as a risk to a bonus (broader);
* any data-quality issue code (``missing-owner``, ``future-close-date`` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reporter.config import HOLD_CONDITIONS
from reporter.history.figures import money
from reporter.quality import CODES, QUARANTINED

UNKNOWN_WON_STAGE, QUARANTINED_WON, MIXED_CURRENCY, RESTATED, BONUS_RISK = HOLD_CONDITIONS

_TITLES = {
    UNKNOWN_WON_STAGE: "stage that looks like a win but is in no outcome list",
    QUARANTINED_WON: "won deal set aside (not counted)",
    MIXED_CURRENCY: "amount in a currency without a rate (not summed)",
    RESTATED: "closed quarter restated",
    BONUS_RISK: "risk to a bonus",
}
MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Finding:
    """One hold condition met: how many times, and a few examples to look at."""

    condition: str
    count: int
    examples: tuple[str, ...]

    def to_record(self) -> dict[str, Any]:
        """Plain data for delivery.json."""
        return {"condition": self.condition, "count": self.count, "examples": list(self.examples)}

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Finding:
        """Read back from delivery.json."""
        return cls(str(data["condition"]), int(data["count"]), tuple(map(str, data["examples"])))

    def line(self) -> str:
        """One line for a notice or the CLI."""
        title = _TITLES.get(self.condition, CODES.get(self.condition, self.condition))
        more = (
            f" (and {self.count - len(self.examples)} more)"
            if self.count > len(self.examples)
            else ""
        )
        head = f"{self.condition}: {self.count} × {title}"
        return head + "".join(f"\n    - {e}" for e in self.examples) + more


def findings(metrics: Mapping[str, Any]) -> list[Finding]:
    """Every named condition and every issue code present in ``metrics`` (metrics.json).

    Which of them hold a run is decided at send time from ``[delivery] hold_when``, so a
    changed setting applies to runs already built.
    """
    issues = [i for i in metrics.get("data_quality") or () if isinstance(i, Mapping)]
    matched: dict[str, list[str]] = {}

    def add(condition: str, example: str) -> None:
        matched.setdefault(condition, []).append(example)

    for issue in issues:
        where = _where(issue)
        code = str(issue.get("code", ""))
        add(code, where)
        if code == "won-looking-stage":
            add(UNKNOWN_WON_STAGE, where)
        if code == "unconverted-amount":
            add(MIXED_CURRENCY, where)
        if _quarantined_won(issue):
            add(QUARANTINED_WON, where)
        if issue.get("severity") == BONUS_RISK:
            add(BONUS_RISK, where)
    for r in metrics.get("restatements") or ():
        if isinstance(r, Mapping) and r.get("basis") == "closed" and r.get("restated"):
            add(RESTATED, _restatement(r))
    return [Finding(c, len(ex), tuple(ex[:MAX_EXAMPLES])) for c, ex in matched.items()]


def holding(found: Iterable[Finding], hold_when: Sequence[str]) -> list[Finding]:
    """The findings that hold the run under ``hold_when``, in the configured order."""
    by_condition = {f.condition: f for f in found}
    return [by_condition[c] for c in hold_when if c in by_condition]


def _quarantined_won(issue: Mapping[str, Any]) -> bool:
    if issue.get("action") != QUARANTINED:
        return False
    # The readers name the outcome first ("won opportunity has no readable close date");
    # a bonus-risk flag says the same for codes whose text does not.
    return issue.get("severity") == BONUS_RISK or str(issue.get("problem", "")).startswith("won ")


def _where(issue: Mapping[str, Any]) -> str:
    place = ":".join(
        str(issue[k]) for k in ("file", "sheet", "row") if issue.get(k) not in (None, "")
    )
    column = f" [{issue['column']}]" if issue.get("column") else ""
    value = issue.get("value")
    shown = f" {value!r}" if value not in (None, "") else ""
    return f"{place}{column}{shown}: {issue.get('problem', '')}".strip()


def _restatement(r: Mapping[str, Any]) -> str:
    deals = ", ".join(str(d.get("opportunity_id")) for d in r.get("deals") or ())
    return (
        f"{r.get('quarter')} {r.get('who') or r.get('rep')} {r.get('figure')}:"
        f" frozen {_figure(r, 'frozen')},"
        f" now {_figure(r, 'now')}" + (f" ({deals})" if deals else "")
    )


def _figure(r: Mapping[str, Any], when: str) -> str:
    """``1,200``, or ``— (why)`` for a figure the core could not know: never 0 or "None"."""
    value = r.get(when)
    if isinstance(value, int | float):
        return money(float(value))
    why = r.get(f"{when}_reason")
    return f"— ({why})" if why else "—"
