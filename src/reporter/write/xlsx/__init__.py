"""``sales-report.xlsx``: the finance workbook, written with XlsxWriter.

Sheets, in order: Summary, Rep Bonuses, Won Customers, New Customers, Win Rate by Segment,
Loss Reasons, Pipeline, Won Deals, Restatements, Data Quality, Definitions (see
``docs/workbook.md``).
The writer formats what the :class:`Report` holds and never computes a metric; derived
cells are live formulas saved with the reported value.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, time
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

import reporter
from reporter.config import Config
from reporter.errors import OutputError
from reporter.files import atomic_path
from reporter.gc_pause import paused_gc
from reporter.metrics.report import Report
from reporter.model import Dataset
from reporter.write.risks import left_out_notes
from reporter.write.running import running_label
from reporter.write.xlsx import sheets
from reporter.write.xlsx.book import Book
from reporter.write.xlsx.branding import print_header
from reporter.write.xlsx.cells import EXCEL_MAX_ROWS, Cells, Styles, money_format
from reporter.write.xlsx.definitions import write_definitions
from reporter.write.xlsx.restatements import restatements
from reporter.write.xlsx.summary import write_summary
from reporter.write.xlsx.table import write_table_sheets

# RELIABILITY.md baseline: input text is never turned into a formula, link or number.
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}
SHEETS = (
    "Summary",
    "Rep Bonuses",
    "Won Customers",
    "New Customers",
    "Win Rate by Segment",
    "Loss Reasons",
    "Pipeline",
    "Won Deals",
    "Restatements",
    "Data Quality",
    "Definitions",
)
PAPER = {"A4": 9, "Letter": 1}


def write_workbook(
    path: Path,
    report: Report,
    dataset: Dataset,
    config: Config,
    *,
    max_rows: int = EXCEL_MAX_ROWS,
) -> None:
    """Write the finance workbook to ``path`` atomically (all or nothing).

    ``max_rows`` is the sheet row limit (Excel's, 1,048,576); a table longer than that
    continues on ``<sheet> (2)`` with a note on Data Quality and Definitions. Raises
    :class:`OutputError` when the file cannot be written.
    """
    path = Path(path)
    # ~100k short-lived cells and rows, no cycles: without the pause, the cyclic collector
    # runs over and over during the writes (about a tenth of the workbook's CPU)
    with atomic_path(path) as tmp, paused_gc():
        workbook = Book(str(tmp), WORKBOOK_OPTIONS)
        try:
            _fill(workbook, path.name, report, dataset, config, max_rows)
        except BaseException:
            with contextlib.suppress(Exception):
                workbook.close()
            raise
        try:
            workbook.close()
        except (XlsxWriterException, OSError) as exc:
            raise OutputError(
                f"{path}: the workbook could not be written ({exc})",
                hint="check the output folder is writable and has free space",
            ) from exc


def _fill(
    workbook: xlsxwriter.Workbook,
    name: str,
    report: Report,
    dataset: Dataset,
    config: Config,
    max_rows: int,
) -> None:
    # The currency is the core's (one label for every amount), never re-read from the data.
    codes = [report.currency] if report.currency else []
    styles = Styles(workbook, money_format(codes), theme=config.theme)
    cells = Cells(styles, workbook_name=name)
    label = report.period.label
    # a running quarter's footer says so: "FY2026 Q4 (to 20 Nov)"
    shown = running_label(label, report.period.to_date(label))
    footer = f"Sales report {shown} · {report.period.mode}"
    paper = PAPER.get(config.briefings.paper, 9)
    created = datetime.combine(report.period.quarter.end, time(0))
    workbook.set_properties(
        {
            "title": f"Sales report {label}",
            "subject": "Won opportunities, won customers and win rate",
            "author": "reporter",
            "comments": f"reporter {reporter.__version__}",
            "created": created,
        }
    )
    taken = {"Summary"}
    summary = workbook.add_worksheet("Summary")
    write_summary(workbook, summary, cells, report, paper, left_out_notes(dataset))
    tables = (
        sheets.rep_bonuses(report),
        sheets.won_customers(report),
        sheets.new_customers(report),
        sheets.win_rate_by_segment(report, config.win_rate.min_closed),
        sheets.loss_reasons(report),
        sheets.pipeline(report),
        sheets.won_deals(report),
        restatements(report),
    )
    for table in tables:
        write_table_sheets(
            workbook, cells, table, taken, paper=paper, footer_label=footer, max_rows=max_rows
        )
    # Data Quality comes after the tables so it can list their notes (truncations, splits).
    quality = sheets.data_quality(dataset, list(cells.notes))
    for ws in write_table_sheets(
        workbook, cells, quality, taken, paper=paper, footer_label=footer, max_rows=max_rows
    ):
        ws.fit_to_pages(1, 0)  # one page wide: a risk's problem and fix read side by side
    definitions = workbook.add_worksheet("Definitions")
    currency = ", ".join(codes) if codes else "as in the input files (not stated)"
    write_definitions(
        definitions, cells, report, dataset, config, currency=currency, paper=paper, footer=footer
    )
    print_header(workbook, config.theme)
