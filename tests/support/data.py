"""Paths every test package uses, and canonical opportunity frames built from a few dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from reporter.model import OPPORTUNITY_COLUMNS, coerce_types

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SHARED = REPO.parent / "shared"
DATASETS = SHARED / "datasets"
MAVEN = DATASETS / "maven-crm-sales-opportunities"


def make_opportunities(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical opportunities frame; unspecified columns are blank, ids default to row no."""
    frame = pd.DataFrame(rows)
    for i, col in enumerate(OPPORTUNITY_COLUMNS):
        if col not in frame.columns:
            frame[col] = None
        del i
    if frame["opportunity_id"].isna().any():
        frame["opportunity_id"] = [
            oid if oid is not None else f"O{n + 1}"
            for n, oid in enumerate(frame["opportunity_id"].tolist())
        ]
    frame["source_file"] = frame["source_file"].fillna("test.xlsx")
    frame["source_row"] = range(2, len(frame) + 2)
    extra = [c for c in frame.columns if c not in OPPORTUNITY_COLUMNS]
    return coerce_types(frame[[*OPPORTUNITY_COLUMNS, *extra]])


def need_maven() -> None:
    """Skip the test when the shared Maven dataset is not beside the repository."""
    if not MAVEN.is_dir():
        pytest.skip(f"shared dataset missing: {MAVEN}")
