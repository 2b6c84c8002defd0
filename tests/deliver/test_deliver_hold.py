"""Hold conditions read from a run's metrics.json records (never recomputed)."""

from __future__ import annotations

from reporter.deliver.hold import findings, holding
from reporter.quality import QUARANTINED


def _issue(code, row, severity="warning", action="kept as is", problem="x"):
    return {
        "code": code,
        "file": "export.csv",
        "sheet": None,
        "row": row,
        "column": "Stage",
        "value": None,
        "problem": problem,
        "action": action,
        "severity": severity,
    }


METRICS = {
    "data_quality": [
        _issue("won-looking-stage", 4, "bonus-risk", problem="stage 'Closed Wno' looks won"),
        _issue("missing-owner", 7, "bonus-risk", QUARANTINED, "no owner (rep) to credit"),
        _issue("missing-owner", 9, "error", QUARANTINED, "no owner (rep) to credit"),  # lost
        _issue("unconverted-amount", 12, "bonus-risk"),
        _issue("blank-row", 20, "note", "row skipped"),
    ],
    "restatements": [
        {"quarter": "FY2026 Q2", "basis": "closed", "restated": True, "rep": "Ana",
         "figure": "won_amount", "frozen": 800, "now": 900, "deals": [{"opportunity_id": "O7"}]},
        {"quarter": "FY2026 Q3", "basis": "last run", "restated": True, "rep": "Ben",
         "figure": "won_amount", "frozen": 1, "now": 2, "deals": []},
    ],
}  # fmt: skip


def test_each_condition_counts_what_the_run_recorded():
    found = {f.condition: f for f in findings(METRICS)}
    assert found["unknown-won-stage"].count == 1
    assert found["quarantined-won-deal"].count == 1  # the lost deal's missing owner is not
    assert found["mixed-currency"].count == 1
    assert found["restated-quarter"].count == 1  # only the closed quarter, not "last run"
    assert "O7" in found["restated-quarter"].examples[0]
    assert found["bonus-risk"].count == 3
    assert found["missing-owner"].count == 2 and found["blank-row"].count == 1
    assert found["unknown-won-stage"].examples == (
        "export.csv:4 [Stage]: stage 'Closed Wno' looks won",
    )


def test_only_the_configured_conditions_hold_in_their_order():
    found = findings(METRICS)
    default = ("unknown-won-stage", "quarantined-won-deal", "mixed-currency", "restated-quarter")
    assert [f.condition for f in holding(found, default)] == list(default)
    assert holding(found, ()) == []
    assert [f.condition for f in holding(found, ("blank-row",))] == ["blank-row"]
    assert holding(findings({"data_quality": [], "restatements": []}), default) == []
