"""Small hand-made deal lists for the figures tests, and one way to build every output.

Each scenario is a list of plain dicts (one per opportunity) whose expected figures are
worked out by hand in the test that uses it. ``report_for`` runs the metrics core on such
a list; ``build`` writes the rows into a real workbook with Salesforce-report headers,
runs the whole build (workbook, PDFs, metrics.json) and reads every output back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from pypdf import PdfReader

from reporter.config import Config, from_mapping
from reporter.model import OPPORTUNITY_COLUMNS, coerce_types

STAGES = {"won": "Closed Won", "lost": "Closed Lost", "open": "Prospecting"}


def deal(
    outcome: str,
    owner: str,
    close: str | None,
    account: str | None = None,
    amount: float | None = 100.0,
    created: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One opportunity as a dict of canonical fields (outcome won / lost / open)."""
    return dict(
        outcome=outcome,
        owner=owner,
        close_date=close,
        account=account,
        amount=amount,
        created_date=created,
        stage=STAGES[outcome],
        **extra,
    )


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The canonical opportunities frame the readers would hand to the metrics core."""
    data = pd.DataFrame(rows)
    for col in OPPORTUNITY_COLUMNS:
        if col not in data.columns:
            data[col] = None
    data["opportunity_id"] = [f"OPP-{n}" for n in range(1, len(data) + 1)]
    data["source_file"] = "figures.xlsx"
    data["source_row"] = range(2, len(data) + 2)
    extra = [c for c in data.columns if c not in OPPORTUNITY_COLUMNS]
    return coerce_types(data[[*OPPORTUNITY_COLUMNS, *extra]])


def targets(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """A targets frame from (dimension, segment, quarter label, target) tuples."""
    return pd.DataFrame(rows, columns=["dimension", "segment", "quarter", "target"]).astype(
        {"target": "float64"}
    )


def config(**sections: dict[str, Any]) -> Config:
    """A config from sections, e.g. ``config(win_rate={"mode": "cohort"})``."""
    return from_mapping(sections) if sections else Config()


def report_for(
    rows: list[dict[str, Any]],
    period: str,
    *,
    cfg: Config | None = None,
    target_rows: list[tuple[str, str, str, float]] | None = None,
) -> Any:
    """The metrics core's company-wide report for ``period`` over ``rows``."""
    from reporter.metrics import compute

    tg = targets(target_rows) if target_rows else None
    return compute(frame(rows), cfg or Config(), period, tg)


def segment_report_for(
    rows: list[dict[str, Any]],
    period: str,
    segment: str,
    *,
    cfg: Config | None = None,
    target_rows: list[tuple[str, str, str, float]] | None = None,
) -> Any:
    """One briefing segment's report (default dimension: region)."""
    from reporter.metrics import segment_reports

    tg = targets(target_rows) if target_rows else None
    return segment_reports(frame(rows), cfg or Config(), period, tg)[segment]


# --- a real workbook, a real build, every output read back ----------------------------

HEADERS = (
    ("Opportunity ID", "opportunity_id"),
    ("Opportunity Owner", "owner"),
    ("Account Name", "account"),
    ("Stage", "stage"),
    ("Amount", "amount"),
    ("Created Date", "created_date"),
    ("Close Date", "close_date"),
    ("Region", "region"),
    ("Customer Since", "customer_since"),
)


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return datetime.fromisoformat(value)
    return value


def write_input(
    path: Path,
    rows: list[dict[str, Any]],
    target_rows: list[tuple[str, str, str, float]] = (),  # type: ignore[assignment]
    *,
    with_amounts: bool = True,
) -> Path:
    """Write ``rows`` as a Salesforce-report-style workbook (plus a Targets sheet)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Opportunities"
    headers = [(h, k) for h, k in HEADERS if with_amounts or k != "amount"]
    ws.append([h for h, _ in headers])
    for n, row in enumerate(rows, start=1):
        values = {**row, "opportunity_id": f"OPP-{n}"}
        ws.append([_cell(values.get(k)) for _, k in headers])
    if target_rows:
        ts = wb.create_sheet("Targets")
        ts.append(["Sales Rep", "Quarter", "Target"])
        for dim, segment, quarter, target in target_rows:
            assert dim == "rep", "the Targets sheet written here is per rep"
            ts.append([segment, quarter, target])
    wb.save(path)
    return path


@dataclass
class Built:
    """Every output of one build, read back."""

    out: Path
    result: Any
    workbook: Any  # openpyxl, formulas as written
    values: Any  # openpyxl, cached values
    metrics: dict[str, Any]
    pdf_text: dict[str, str] = field(default_factory=dict)

    def sheet_rows(self, name: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.values[name].iter_rows(values_only=True)]


def build(
    tmp: Path,
    rows: list[dict[str, Any]],
    *,
    period: str | None = None,
    cfg: Config | None = None,
    target_rows: list[tuple[str, str, str, float]] = (),  # type: ignore[assignment]
    with_amounts: bool = True,
) -> Built:
    """Write the input, run ``reporter build`` in-process, read every output back."""
    from reporter.pipeline import run

    source = write_input(tmp / "deals.xlsx", rows, target_rows, with_amounts=with_amounts)
    out = tmp / "out"
    result = run([source], cfg or Config(), out, period)
    texts = {
        pdf.stem: "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
        for pdf in sorted((out / "briefings").glob("*.pdf"))
    }
    return Built(
        out=out,
        result=result,
        workbook=openpyxl.load_workbook(out / "sales-report.xlsx"),
        values=openpyxl.load_workbook(out / "sales-report.xlsx", data_only=True),
        metrics=json.loads((out / "metrics.json").read_text()),
        pdf_text=texts,
    )


def day(text: str) -> date:
    return date.fromisoformat(text)
