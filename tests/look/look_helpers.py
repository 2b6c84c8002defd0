"""Helpers shared by the tests of issue 15 (theme, charts, template filling)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "samples" / "brand" / "finance-template.xlsx"


def quarter_reps(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """The reporting quarter's rows of won_opportunities_by_rep (the template's filter)."""
    label = metrics["period"]["label"]
    return [r for r in metrics["won_opportunities_by_rep"] if r["quarter"] == label]
