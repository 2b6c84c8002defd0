"""metrics.json: every table of the report as records, for other tools (SPEC "Output")."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reporter import __version__
from reporter.config import Config
from reporter.files import atomic_path
from reporter.history.records import to_record
from reporter.metrics.report import Report
from reporter.model import Dataset


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-safe dicts: NaN/NaT → null, dates → ISO, numpy → Python."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def plain(value: Any) -> Any:
    """One value made JSON-safe."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def report_document(report: Report) -> dict[str, Any]:
    """The metric part of metrics.json for one report (company-wide or a segment's)."""
    return {
        "period": report.period.to_record(),
        "previous_period": report.previous.label,
        "trailing_quarters": [q.label for q in report.trailing],
        "quarters": [q.label for q in report.quarters],
        "headline": plain(asdict(report.headline)),
        "headline_previous": plain(asdict(report.headline_previous)),
        "changes": [
            {
                "name": c.name,
                "current": plain(c.current),
                "previous": plain(c.previous),
                "delta": plain(c.delta),
                "relative": plain(c.relative),
            }
            for c in report.changes
        ],
        "trend": records(report.trend),
        "won_opportunities_by_rep": records(report.won_opportunities_by_rep),
        "won_customers": records(report.won_customers),
        "won_customers_by_quarter": records(report.won_customers_by_quarter),
        "new_customers": records(report.new_customers),
        "win_rate_by_segment": records(report.win_rate_by_segment),
        "loss_reasons": records(report.loss_reasons),
        "pipeline": records(report.pipeline),
        "won_deals": records(report.won_deals),
        "restatements": [plain(to_record(r)) for r in report.restatements],
    }


def metrics_document(
    report: Report, dataset: Dataset, config: Config, briefings: dict[str, Report] | None = None
) -> dict[str, Any]:
    """The whole metrics.json document."""
    doc = report_document(report)
    doc["data_quality"] = [issue.to_record() for issue in dataset.issues]
    doc["inputs"] = [i.to_record() for i in dataset.inputs]
    doc["settings"] = plain(report.settings)
    doc["config"] = plain(config.to_record())
    doc["reporter_version"] = __version__
    if briefings:
        doc["briefings"] = {
            "by": config.briefings.by,
            "segments": {
                segment: {
                    "headline": plain(asdict(r.headline)),
                    "headline_previous": plain(asdict(r.headline_previous)),
                    "win_rate_by_segment": records(r.win_rate_by_segment),
                    "won_customers": records(r.won_customers),
                }
                for segment, r in briefings.items()
            },
        }
    return doc


def write_metrics(
    path: Path,
    report: Report,
    dataset: Dataset,
    config: Config,
    briefings: dict[str, Report] | None = None,
) -> None:
    """Write metrics.json atomically (UTF-8, sorted-free stable key order, 2-space indent)."""
    doc = metrics_document(report, dataset, config, briefings)
    text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
