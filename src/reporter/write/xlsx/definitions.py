"""The Definitions sheet: how every number is defined, and what is needed to reproduce it.

Outcome rules, window mode, period, thresholds, the effective configuration, each input
file with its SHA-256 and row count, the reporter version, and the workbook's own notes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from xlsxwriter.worksheet import Worksheet

import reporter
from reporter.config import Config
from reporter.metrics.report import Report
from reporter.model import Dataset
from reporter.write.xlsx.cells import (
    DATE,
    INT,
    ROW_HEIGHT,
    ROW_NUMBER,
    TEXT,
    Cells,
    wrapped_lines,
)
from reporter.write.xlsx.table import Col, setup_sheet, write_rows

Item = tuple[str, str, Any, str]  # section, item, value, kind

MODES = {
    "snapshot": "snapshot: won and lost opportunities whose close date is in the period",
    "cohort": "cohort: opportunities created in the period that have closed so far, "
    "whatever their close date",
}
METRICS: tuple[tuple[str, str], ...] = (
    (
        "Won opportunities",
        "Count of opportunities whose outcome is won and whose close date is in the quarter, "
        "credited to the owner (rep). New and existing customers both count. Always by close "
        "date, whatever the win-rate window.",
    ),
    (
        "Won amount",
        "Sum of the amount of those won opportunities (bookings). '—' when any of them has no "
        "amount (never a partial sum); the known part and the reason are beside it.",
    ),
    (
        "Won customers",
        "Accounts whose first ever won opportunity closes in the quarter; an account counts "
        "once, ever. An account that was a customer before the data begins is not new. It takes "
        "the segments and rep of its first won opportunity.",
    ),
    (
        "Win rate",
        "won ÷ (won + lost), in opportunities. Blank (never 0%) when nothing closed. Open and "
        "excluded opportunities are never in the denominator.",
    ),
    ("Amount-weighted win rate", "won amount ÷ (won amount + lost amount)."),
    (
        "95% interval",
        "Wilson score interval of the win rate (95%).",
    ),
    (
        "Directional",
        "A segment with fewer closed outcomes (won + lost) than the threshold below; shown in "
        "italic grey with the word 'directional'. Read its rate as a direction, not a figure.",
    ),
    (
        "Deal type",
        "new business for an account's first won deal, expansion for later ones, unless the "
        "input has a type column, which wins.",
    ),
    ("ACV", "Mean and median amount of won opportunities."),
    ("Sales cycle", "Days from created date to close date of won opportunities."),
    ("Loss reasons", "Count of lost opportunities by reason, per segment."),
    ("Open pipeline", "Count and amount of open opportunities now."),
    ("Coverage", "Open pipeline amount ÷ target (per rep or segment, for the quarter)."),
    (
        "Attainment",
        "Rep Bonuses: won amount ÷ the rep's target for that quarter. A quarter still running "
        "says so in its Quarter cell, '(to <the day the data go through>)': its attainment "
        "is to date, the won amount so far against the whole quarter's target.",
    ),
    ("Unknown", "A missing segment value is the segment 'Unknown'; rows are never dropped."),
)
WORKBOOK_NOTES: tuple[tuple[str, str], ...] = (
    (
        "Formulas",
        "Win rates, amount-weighted rates, attainment, coverage, changes and totals are live "
        "formulas over cells on the same sheet, saved with their computed values. A rate whose "
        "reported value is not won ÷ (won + lost) of its own row is written as a number.",
    ),
    (
        "Totals",
        "Totals rows use SUBTOTAL(109, …): with a filter applied they total the visible rows. "
        "An amount total is '—' while a visible deal has no amount. The Rep Bonuses totals "
        "row is the reporting quarter's only: SUMIF over its Quarter column, so a filter does "
        "not change it.",
    ),
    (
        "Auditing a bonus",
        "Filter Won Deals by rep: its totals row equals that rep's Rep Bonuses row for the "
        "period; each deal names its source file, sheet and row.",
    ),
)
ITEM_COLS = (
    Col("section", "Section", TEXT),
    Col("item", "Item", TEXT),
    Col("value", "Value", TEXT),
)
# Three tables share the sheet's columns, so each puts its widest field in column C.
WIDTHS = (20, 36, 66, 10, 16, 36)
INPUT_COLS = (
    Col("path", "Input file", TEXT),
    Col("sheets", "Sheets", TEXT),
    Col("sha256", "SHA-256", TEXT),
    Col("rows", "Rows", INT),
)
NOTE_COLS = (
    Col("code", "Code", TEXT),
    Col("sheet", "Sheet", TEXT),
    Col("problem", "Problem", TEXT),
    Col("row", "Row", ROW_NUMBER),
    Col("column", "Column", TEXT),
    Col("action", "Action taken", TEXT),
)


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        if not value:
            yield prefix, "{}"
        for key, inner in value.items():
            yield from _flatten(f"{prefix}.{key}" if prefix else str(key), inner)
    elif isinstance(value, str):
        yield prefix, value
    else:
        yield prefix, json.dumps(value, ensure_ascii=False)


def items(report: Report, dataset: Dataset, config: Config, currency: str) -> list[Item]:
    """Every Section/Item/Value row of the Definitions table, in order."""
    q = report.period.quarter
    out: list[Item] = [
        ("Report", "Reporter version", reporter.__version__, TEXT),
        ("Report", "Period", report.period.label, TEXT),
        ("Report", "Period start", q.start, DATE),
        ("Report", "Period end", q.end, DATE),
        *(
            [("Report", "Data through (quarter to date)", report.period.data_through, DATE)]
            if report.period.partial
            else []
        ),
        ("Report", "Previous quarter", report.previous.label, TEXT),
        ("Report", "Trailing quarters", ", ".join(t.label for t in report.trailing), TEXT),
        ("Report", "Win-rate window", MODES.get(report.period.mode, report.period.mode), TEXT),
        ("Report", "Directional below (closed outcomes)", config.win_rate.min_closed, INT),
        ("Report", "Fiscal year starts in month", config.periods.fiscal_year_start_month, INT),
        ("Report", "Segment dimensions", ", ".join(report.dimensions), TEXT),
        ("Report", "Currency", currency, TEXT),
        ("Report", "Config file", config.source or "(none: built-in defaults)", TEXT),
    ]
    if report.segment:
        out.append(("Report", "Segment", f"{report.segment[0]} = {report.segment[1]}", TEXT))
    outcomes = config.outcomes
    out += [
        (
            "Outcome rules",
            "Decided by",
            "a won/closed flag column when present, otherwise "
            "the stage name (case- and punctuation-insensitive)",
            TEXT,
        ),
        ("Outcome rules", "Won stages", ", ".join(outcomes.won), TEXT),
        ("Outcome rules", "Lost stages", ", ".join(outcomes.lost), TEXT),
        ("Outcome rules", "Excluded stages", ", ".join(outcomes.excluded), TEXT),
        (
            "Outcome rules",
            "Any other stage",
            "open (listed on Data Quality as unknown-stage)",
            TEXT,
        ),
    ]
    out += [("Definitions", name, text, TEXT) for name, text in METRICS]
    out += [("Workbook", name, text, TEXT) for name, text in WORKBOOK_NOTES]
    out += [("Configuration", key, text, TEXT) for key, text in _flatten("", config.to_record())]
    return out


def write_definitions(
    ws: Worksheet,
    cells: Cells,
    report: Report,
    dataset: Dataset,
    config: Config,
    *,
    currency: str,
    paper: int,
    footer: str,
) -> None:
    """Fill the Definitions sheet: items table, inputs table, workbook notes table."""
    cells.text(ws, 0, 0, "Definitions", fmt=cells.styles.named("title"))
    cells.text(
        ws,
        1,
        0,
        "How each number is defined, and what reproduces it.",
        fmt=cells.styles.named("subtitle"),
    )
    header = 3
    rows = items(report, dataset, config, currency)
    for i, (section, item, value, kind) in enumerate(rows):
        r = header + 1 + i
        cells.text(ws, r, 0, section)
        cells.text(ws, r, 1, item)
        cells.put(ws, r, 2, value, kind, header="Value")
        if kind == TEXT and wrapped_lines(str(value), WIDTHS[2]) > 1:
            ws.set_row(r, ROW_HEIGHT * wrapped_lines(str(value), WIDTHS[2]))
    _header(ws, cells, header, ITEM_COLS)
    end = header + 1 + len(rows)
    _table(ws, cells, header, end - 1, ITEM_COLS, "DefinitionsItems")

    inputs_top = end + 2
    cells.text(ws, inputs_top - 1, 0, "Inputs", fmt=cells.styles.named("section"))
    input_rows = [{**f.to_record(), "sheets": ", ".join(f.sheets)} for f in dataset.inputs] or [
        {"path": "(no input files recorded)"}
    ]
    end, _ = write_rows(ws, cells, inputs_top, INPUT_COLS, input_rows, widths=WIDTHS)
    _table(ws, cells, inputs_top, end - 1, INPUT_COLS, "DefinitionsInputs")

    # Truncations on the Definitions sheet itself cannot be listed before they happen;
    # the notes table is written last and picks up everything recorded until then.
    notes_top = end + 2
    cells.text(ws, notes_top - 1, 0, "Workbook notes", fmt=cells.styles.named("section"))
    note_rows = [n.to_record() for n in cells.notes] or [{"code": "(none)"}]
    end, _ = write_rows(ws, cells, notes_top, NOTE_COLS, note_rows, widths=WIDTHS)
    _table(ws, cells, notes_top, end - 1, NOTE_COLS, "DefinitionsNotes")
    ws.freeze_panes(header + 1, 0)
    setup_sheet(ws, header, WIDTHS, paper=paper, footer_label=footer)


def _header(ws: Worksheet, cells: Cells, row: int, columns: Sequence[Col]) -> None:
    for j, col in enumerate(columns):
        cells.text(ws, row, j, col.header, fmt=cells.styles.named("header"))


def _table(
    ws: Worksheet, cells: Cells, header: int, last: int, columns: Sequence[Col], name: str
) -> None:
    ws.add_table(
        header,
        0,
        max(last, header + 1),
        len(columns) - 1,
        {
            "name": name,
            "style": "Table Style Light 1",
            "columns": [
                {"header": c.header, "header_format": cells.styles.named("header")} for c in columns
            ],
        },
    )
