"""Briefings built by the real pipeline agree with metrics.json (samples and Maven data)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from reporter.config import Config, load
from reporter.pipeline import run
from reporter.write.briefing import format as fmt
from support.data import MAVEN, REPO, need_maven

SAMPLES = REPO / "samples" / "team-workbook.xlsx"


def _inputs(name: str) -> tuple[list[Path], Config]:
    if name == "samples":
        if not SAMPLES.is_file():
            pytest.skip(f"missing {SAMPLES}")
        return [SAMPLES], Config()
    need_maven()
    files = [MAVEN / n for n in ("sales_pipeline.csv", "accounts.csv", "sales_teams.csv")]
    return files, load(REPO / "tests" / "fixtures" / "maven.toml")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["samples", "maven"])
def test_briefings_match_metrics_json(tmp_path, name) -> None:
    inputs, config = _inputs(name)
    result = run(inputs, config, tmp_path / "out")
    doc = json.loads(result.metrics.read_text())
    rows = [r for r in doc["win_rate_by_segment"] if r["dimension"] == config.briefings.by]
    pdfs = sorted((tmp_path / "out" / "briefings").glob("*.pdf"))
    assert len(pdfs) == len(rows) == len(result.briefings)
    for row in rows:
        path = result.briefings[row["segment"]]
        text = "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)
        flat = re.sub(r"\s+", "", text)
        for figure in (
            doc["period"]["label"],
            f"{fmt.integer(row['won'])} won, {fmt.integer(row['lost'])} lost",
            fmt.percent(row["win_rate"]),
            fmt.interval(row["ci_low"], row["ci_high"]),
            *(i["sha256"][:12] for i in doc["inputs"]),
        ):
            assert re.sub(r"\s+", "", figure) in flat, (row["segment"], figure)
