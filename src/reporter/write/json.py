"""metrics.json: every table of the report as records, for other tools (SPEC "Output")."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reporter import __version__
from reporter.config import Config
from reporter.files import atomic_path
from reporter.gc_pause import paused_gc
from reporter.history.records import to_record
from reporter.metrics.report import Report
from reporter.model import Dataset
from reporter.write.json_text import Records, dumps, is_flat
from reporter.write.risks import bonus_risk_records


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-safe dicts: NaN/NaT → null, dates → ISO, numpy → Python.

    Converted column by column (one vectorised pass per typed column; the per-value
    :func:`plain` only for object and unusual columns), then zipped into rows: the same
    values as ``plain`` of each cell of ``frame.to_dict("records")``.
    """
    keys = [str(k) for k in frame.columns]
    columns = [_column(frame.iloc[:, j]) for j in range(frame.shape[1])]
    table = Records(dict(zip(keys, row)) for row in zip(*(values for values, _ in columns)))
    if not keys:
        table.extend({} for _ in frame.index)
    table.flat = all(flat for _, flat in columns)
    return table


def _column(series: pd.Series) -> tuple[list[Any], bool]:
    """One column's values made JSON-safe (see :func:`records`), and whether every one is
    a JSON scalar (a value :func:`plain` leaves a dict or list is not)."""
    values = _values(series)
    numeric = isinstance(series.dtype, np.dtype) and series.dtype.kind in "biufM"
    return values, numeric or is_flat(values)


def _values(series: pd.Series) -> list[Any]:
    dtype = series.dtype
    if dtype == np.dtype(bool) or dtype == np.dtype(np.int64) or dtype == np.dtype(np.int32):
        plain_values: list[Any] = series.tolist()  # Python bool / int, never missing
        return plain_values
    if dtype == np.dtype(np.float64):
        values = series.to_numpy()
        finite = np.isfinite(values).tolist()
        return [v if ok else None for v, ok in zip(values.tolist(), finite)]
    if isinstance(dtype, np.dtype) and dtype.kind == "M":  # naive datetimes: their day
        days = series.to_numpy().astype("datetime64[D]")
        text = days.astype(str).tolist()
        return [None if missing else t for t, missing in zip(text, np.isnat(days).tolist())]
    if isinstance(dtype, pd.StringDtype):
        missing = series.isna().to_numpy().tolist()
        return [None if m else v for v, m in zip(series.tolist(), missing)]
    return [v if type(v) is str else plain(v) for v in series.tolist()]


def plain(value: Any) -> Any:
    """One value made JSON-safe."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64):  # as pandas boxes it in a record: a Timestamp
        value = pd.Timestamp(value)
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


def report_document(report: Report, leave_out: Collection[str] = ()) -> dict[str, Any]:
    """The metric part of metrics.json for one report (company-wide or a segment's).

    Every figure the workbook or a briefing shows is here, as the core computed it; a
    figure that cannot be known is ``null`` and ``reasons`` says why. The tables named in
    ``leave_out`` are not converted at all (a briefing's document drops the drill-through
    tables: converting 100k-row won deals per segment only to drop them was most of the
    time metrics.json took).
    """
    full = report.headline_previous_full

    def table(name: str) -> list[dict[str, Any]] | None:
        return None if name in leave_out else records(getattr(report, name))

    doc = {
        "period": report.period.to_record(),
        "previous_period": report.previous.label,
        "comparison": {
            "label": report.previous_label,
            "like_for_like": report.like_for_like,
            "previous_through": plain(report.previous_through),
            "full_label": report.previous_full_label,
        },
        "currency": report.currency,
        "trailing_quarters": [q.label for q in report.trailing],
        "quarters": [q.label for q in report.quarters],
        "headline": plain(asdict(report.headline)),
        "headline_previous": plain(asdict(report.headline_previous)),
        "headline_previous_full": plain(asdict(full)) if full is not None else None,
        "changes": [plain(c.to_record()) for c in report.changes],
        "reasons": dict(report.reasons),
        "trend": table("trend"),
        "won_opportunities_by_rep": table("won_opportunities_by_rep"),
        "rep_totals": plain(report.rep_totals),
        "won_customers": table("won_customers"),
        "won_customers_by_quarter": table("won_customers_by_quarter"),
        "bridge": table("bridge"),
        "bridge_by_quarter": table("bridge_by_quarter"),
        "new_customers": table("new_customers"),
        "win_rate_by_segment": table("win_rate_by_segment"),
        "loss_reasons": table("loss_reasons"),
        "pipeline": table("pipeline"),
        "won_deals": table("won_deals"),
        "restatements": [plain(to_record(r)) for r in report.restatements],
    }
    return {key: value for key, value in doc.items() if key not in leave_out}


# Drill-through tables a briefing does not show; the company report has them.
NOT_IN_BRIEFINGS = ("won_deals", "won_customers_by_quarter", "bridge_by_quarter")


def metrics_document(
    report: Report, dataset: Dataset, config: Config, briefings: dict[str, Report] | None = None
) -> dict[str, Any]:
    """The whole metrics.json document."""
    doc = report_document(report)
    doc["data_quality"] = [issue.to_record() for issue in dataset.issues]
    doc["bonus_risks"] = [plain(r) for r in bonus_risk_records(dataset)]
    doc["inputs"] = [i.to_record() for i in dataset.inputs]
    doc["settings"] = plain(report.settings)
    doc["config"] = plain(config.to_record())
    doc["reporter_version"] = __version__
    if briefings:
        doc["briefings"] = {
            "by": config.briefings.by,
            # each segment's report: every figure its briefing shows
            "segments": {
                segment: report_document(r, leave_out=NOT_IN_BRIEFINGS)
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
    with paused_gc():  # many small dicts and lists, no cycles (see reporter.gc_pause)
        doc = metrics_document(report, dataset, config, briefings)
        text = dumps(doc)  # json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
