"""The Summary sheet: the period, headline figures against the previous quarter, the trend
over the trailing quarters, and two native charts drawn from the trend table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reporter.metrics.report import Change, Report
from reporter.write.running import running_label
from reporter.write.xlsx.branding import add_logo
from reporter.write.xlsx.cells import (
    DASH,
    DAYS,
    INT,
    MONEY,
    PCT,
    POINTS,
    TEXT,
    Cells,
    Unknown,
    as_number,
)
from reporter.write.xlsx.sheets import records, unknown_won_amount
from reporter.write.xlsx.table import (
    Col,
    rate_col,
    ratio,
    same_value,
    setup_sheet,
    write_rows,
)

# Headline rows in the order shown: field of Headline, label, kind.
HEADLINE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("won_opportunities", "Won opportunities", INT),
    ("won_amount", "Won amount (bookings)", MONEY),
    ("lost_opportunities", "Lost opportunities", INT),
    ("won_customers", "Won customers (new accounts)", INT),
    ("win_rate", "Win rate (won ÷ (won + lost))", PCT),
    ("ci_low", "Win rate 95% interval, low", PCT),
    ("ci_high", "Win rate 95% interval, high", PCT),
    ("amount_weighted_win_rate", "Amount-weighted win rate", PCT),
    ("acv_mean", "Average deal size (ACV, mean)", MONEY),
    ("acv_median", "Average deal size (ACV, median)", MONEY),
    ("cycle_days_median", "Sales cycle, median days", DAYS),
    ("cycle_days_mean", "Sales cycle, mean days", DAYS),
    ("open_opportunities", "Open opportunities (now)", INT),
    ("open_amount", "Open pipeline amount (now)", MONEY),
    ("target", "Target", MONEY),
    ("coverage", "Pipeline coverage (open ÷ target)", PCT),
)
# In cohort mode the counts behind the rate are the cohort's: shown right after the rate.
COHORT_ROWS: tuple[tuple[str, str, str], ...] = (
    ("win_rate_won", "Won (cohort: created in the quarter, closed so far)", INT),
    ("win_rate_lost", "Lost (cohort: created in the quarter, closed so far)", INT),
)
# Headline rows written as formulas over other headline rows in the same column.
HEADLINE_FORMULAS = {
    "win_rate": ("won_opportunities", "lost_opportunities", "rate"),
    "coverage": ("open_amount", "target", "share"),
}
COHORT_FORMULAS = {**HEADLINE_FORMULAS, "win_rate": ("win_rate_won", "win_rate_lost", "rate")}
TREND_COLS = (
    Col("quarter", "Quarter", TEXT),
    Col("won_opportunities", "Won opportunities", INT),
    Col("won_amount", "Won amount", MONEY),
    Col("lost_opportunities", "Lost opportunities", INT),
    rate_col("win_rate", "Win rate", "won_opportunities", "lost_opportunities"),
    Col("ci_low", "95% CI low", PCT),
    Col("ci_high", "95% CI high", PCT),
    Col("won_customers", "Won customers", INT),
)
# Beside the trend when a quarter's won amount is "—": what is known of it, and why.
TREND_PARTIAL_COLS = (
    Col("won_amount_known", "Won amount: known part", MONEY),
    Col("won_amount_reason", "Why the won amount is —", TEXT),
)
# The headline row under the won amount when some won deal has no amount.
KNOWN_PART_ROW = ("won_amount_known", "Won amount: known part (deals with an amount)", MONEY)
FROZEN_ROWS = 3


def _headline_rows(report: Report) -> list[tuple[str, str, str]]:
    """(field, label, kind) of every headline row shown, cohort counts after the rate."""
    rows = []
    partial = any(
        h is not None and getattr(h, "won_without_amount", 0)
        for h in (report.headline, report.headline_previous, _full(report))
    )
    for name, text, kind in HEADLINE_ROWS:
        if name == "win_rate" and report.headline.directional:
            text = "Win rate — directional (small sample)"
        rows.append((name, text, kind))
        if name == "win_rate" and report.period.mode == "cohort":
            rows.extend(COHORT_ROWS)
        if name == "won_amount" and partial:
            rows.append(KNOWN_PART_ROW)
    return rows


def _full(report: Report) -> Any:
    """The full previous quarter's headline when the comparison is like for like."""
    return report.headline_previous_full if report.like_for_like else None


def _note(report: Report, name: str) -> str:
    """Why a figure of the row is "—" (this quarter's reason first), or ""."""
    reasons = report.reasons
    now, before = reasons.get(name), reasons.get(f"previous_{name}")
    if now and before and now != before:
        return f"{now}; {report.previous.label}: {before}"
    if now:
        return now
    return f"{report.previous.label}: {before}" if before else ""


def write_summary(
    workbook: Workbook,
    ws: Worksheet,
    cells: Cells,
    report: Report,
    paper: int,
    left_out: Sequence[str] = (),
) -> None:
    """Fill the Summary sheet; returns nothing, charts are inserted beside the tables.
    ``left_out``: notes on quarantined won deals the quarters' figures leave out."""
    period = report.period
    title = f"Sales report — {period.label}"
    if report.segment:
        title += f" — {report.segment[0]}: {report.segment[1]}"
    cells.text(ws, 0, 0, title, fmt=cells.styles.named("title"))
    q = period.quarter
    cells.text(
        ws,
        1,
        0,
        f"{period.label}: {q.start.isoformat()} to {q.end.isoformat()}"
        + (f" (quarter to date: data through {period.data_through})" if period.partial else "")
        + " · win-rate window: "
        f"{period.mode} · compared with {report.previous_label}"
        + (" (like for like; the full quarter beside it)" if report.like_for_like else "")
        + " · definitions on the Definitions sheet",
        fmt=cells.styles.named("subtitle"),
    )
    if left_out:  # a won deal no quarter counts: said where the figures are read
        cells.text(ws, 2, 0, " · ".join(left_out), fmt=cells.styles.named("note"))
    top = FROZEN_ROWS + 1
    cells.text(ws, top, 0, "Headline", fmt=cells.styles.named("section"))
    end = _write_headline(ws, cells, top + 1, report)
    trend_top = end + 2
    cells.text(
        ws,
        trend_top,
        0,
        f"Trend: trailing {len(report.trend)} quarters",
        fmt=cells.styles.named("section"),
    )
    trend_rows = records(report.trend)
    for row in trend_rows:
        row["quarter"] = running_label(row["quarter"], row.get("to_date"))
        unknown_won_amount(row)
    unknown = [isinstance(row.get("won_amount"), Unknown) for row in trend_rows]
    trend_cols = TREND_COLS + (TREND_PARTIAL_COLS if any(unknown) else ())
    header = trend_top + 1
    trend_end, trend_widths = write_rows(ws, cells, header, trend_cols, trend_rows)
    _add_table(ws, header, max(trend_end - 1, header + 1), trend_cols, "SummaryTrend", cells)
    label_width = max((len(text) for _n, text, _k in _headline_rows(report)), default=30)
    # the compared quarter's header ("FY2026 Q3 to 20 Aug 2026") fits on one line
    compared = min(28, max(len(report.previous_label), len(report.previous_full_label)) + 2)
    # the running quarter's header ("FY2026 Q4 (to 15 Nov)") fits on one line too
    current = max(16, len(running_label(report.period.label, report.headline.to_date)) + 2)
    widths = [min(60, label_width + 2), current, compared, 16, 12, compared, 12, 14]
    widths = [max(w, t) for w, t in zip(widths, trend_widths, strict=False)]
    # the partial won amount's columns, when shown, with their headers on one line
    widths += [max(w, len(c.header) + 2) for w, c in zip(trend_widths, trend_cols)][len(widths) :]
    ws.freeze_panes(FROZEN_ROWS, 0)
    setup_sheet(ws, FROZEN_ROWS - 1, widths, paper=paper, footer_label=title, one_page=True)
    if trend_rows:
        # a "—" won amount would be drawn as 0: the chart reads a copy where it is a gap
        amounts = 2
        if any(unknown):
            amounts = _chart_amounts(ws, cells, header, trend_rows, len(trend_cols))
        _charts(
            workbook,
            ws,
            header,
            len(trend_rows),
            trend_end + 2,
            cells.styles.theme.palette.series,
            amounts,
        )
    # right of every column written (the headline table grows columns as figures do),
    # under the title and subtitle, whose text runs on to the right
    right = ws.dim_colmax + 1 if ws.dim_colmax is not None else 8
    add_logo(ws, cells.styles.theme, 2, right)


def _write_headline(ws: Worksheet, cells: Cells, header: int, report: Report) -> int:
    """The headline table: this quarter, the quarter compared with, the change (a rate's
    in points, with no change %), the full previous quarter when compared like for like,
    and why a figure is "—". Every value, change included, is the core's."""
    now = running_label(report.period.label, report.headline.to_date)
    names = ["Measure", now, report.previous_label, "Change", "Change %"]
    full = report.headline_previous_full if report.like_for_like else None
    if full is not None:
        names.append(report.previous_full_label)
    names.append("Note")
    fmt = cells.styles.named("header")
    for j, name in enumerate(names):
        cells.text(ws, header, j, name, fmt=fmt)
    rows = _headline_rows(report)
    where = {name: header + 1 + i for i, (name, *_rest) in enumerate(rows)}
    columns = [report.headline, report.headline_previous]
    formulas = COHORT_FORMULAS if report.period.mode == "cohort" else HEADLINE_FORMULAS
    changes = {c.name: c for c in report.changes}
    for i, (name, text, kind) in enumerate(rows):
        r = header + 1 + i
        directional = name == "win_rate" and report.headline.directional
        cells.text(ws, r, 0, text, directional=directional)
        for col, source in enumerate(columns, start=1):
            value = as_number(getattr(source, name, None))
            _headline_cell(ws, cells, r, col, kind, value, formulas.get(name), where, source)
        _change_cells(ws, cells, r, changes.get(name))
        if full is not None:
            _value_cell(ws, cells, r, 5, kind, as_number(getattr(full, name, None)))
        note = _note(report, name)
        if note:
            cells.text(ws, r, len(names) - 1, note, fmt=cells.styles.named("note"))
    end = header + 1 + len(rows)
    _add_table(ws, header, max(end - 1, header + 1), names, "SummaryHeadline", cells)
    return end


def _value_cell(
    ws: Worksheet, cells: Cells, r: int, c: int, kind: str, value: float | None
) -> None:
    if value is None:
        cells.text(ws, r, c, DASH, fmt=cells.styles.named("dash"))
    else:
        cells.put(ws, r, c, value, kind)


def _change_cells(ws: Worksheet, cells: Cells, r: int, change: Change | None) -> None:
    """Change (a rate's in percentage points) and change % (never for a rate)."""
    if change is None:  # interval bounds, cohort counts: no change is shown
        return
    b, c = xl_rowcol_to_cell(r, 1), xl_rowcol_to_cell(r, 2)
    both = f"AND(ISNUMBER({b}),ISNUMBER({c}))"
    if change.kind == "rate":
        cells.formula(ws, r, 3, f'=IF({both},({b}-{c})*100,"")', POINTS, change.points)
        return
    kind = {"money": MONEY, "days": DAYS}.get(change.kind, INT)
    cells.formula(ws, r, 3, f'=IF({both},{b}-{c},"")', kind, change.delta)
    cells.formula(ws, r, 4, f'=IF(AND({both},{c}<>0),({b}-{c})/ABS({c}),"")', PCT, change.relative)


def _headline_cell(
    ws: Worksheet,
    cells: Cells,
    r: int,
    col: int,
    kind: str,
    value: float | None,
    spec: tuple[str, str, str] | None,
    where: dict[str, int],
    source: Any,
) -> None:
    """The core's value: as a formula over the rows it comes from when it is that formula."""
    if value is None:
        _value_cell(ws, cells, r, col, kind, None)
        return
    if spec and spec[0] in where and spec[1] in where:
        top = as_number(getattr(source, spec[0], None))
        other = as_number(getattr(source, spec[1], None))
        a, b = xl_rowcol_to_cell(where[spec[0]], col), xl_rowcol_to_cell(where[spec[1]], col)
        if spec[2] == "rate":
            derived = ratio(top or 0.0, (top or 0.0) + (other or 0.0))
            formula = f'=IF({a}+{b}=0,"",{a}/({a}+{b}))'
        else:
            derived = ratio(top, other)
            formula = f'=IF(AND(ISNUMBER({a}),ISNUMBER({b}),{b}<>0),{a}/{b},"")'
        if same_value(value, derived):
            cells.formula(ws, r, col, formula, kind, value)
            return
    cells.put(ws, r, col, value, kind)


def _add_table(
    ws: Worksheet, header: int, last: int, columns: Any, name: str, cells: Cells
) -> None:
    """Declare an Excel table (own filter buttons) over rows already written."""
    headers = [c.header if isinstance(c, Col) else str(c) for c in columns]
    ws.add_table(
        header,
        0,
        last,
        len(headers) - 1,
        {
            "name": name,
            "style": "Table Style Light 1",
            "columns": [
                {"header": h, "header_format": cells.styles.named("header")} for h in headers
            ],
        },
    )


def _chart_amounts(
    ws: Worksheet, cells: Cells, header: int, rows: list[dict[str, Any]], col: int
) -> int:
    """The trend's won amounts for the chart, in a hidden column ``col``: the number, or
    #N/A (a gap, never a 0 bar) where it is "—". Returns the column."""
    fmt = cells.styles.cell(MONEY)
    cells.text(ws, header, col, "Won amount (chart)", fmt=cells.styles.named("header"))
    for i, row in enumerate(rows):
        value = row.get("won_amount")
        if isinstance(value, Unknown):
            ws.write_formula(header + 1 + i, col, "=NA()", fmt, "#N/A")
        else:
            cells.put(ws, header + 1 + i, col, value, MONEY)
    ws.set_column(col, col, None, None, {"hidden": True})
    return col


def _charts(
    workbook: Workbook,
    ws: Worksheet,
    header: int,
    n: int,
    at_row: int,
    series: tuple[str, ...],
    amounts: int = 2,
) -> None:
    """Won opportunities (columns) with win rate (line), and won amount, per quarter.

    ``series`` are the three series colours, from the [theme] palette; ``amounts`` is the
    column the won amounts are read from.
    """
    sheet = ws.get_name().replace("'", "''")
    first, last = header + 1, header + n

    def ref(col: int) -> list[Any]:
        return [sheet, first, col, last, col]

    wins = workbook.add_chart({"type": "column"})
    wins.add_series(
        {
            "name": "Won opportunities",
            "categories": ref(0),
            "values": ref(1),
            "fill": {"color": series[0]},
        }
    )
    line = workbook.add_chart({"type": "line"})
    line.add_series(
        {
            "name": "Win rate",
            "categories": ref(0),
            "values": ref(4),
            "y2_axis": True,
            "marker": {"type": "circle"},
            "line": {"color": series[1]},
        }
    )
    wins.combine(line)
    wins.set_title({"name": "Won opportunities and win rate"})
    wins.set_y_axis({"name": "Won opportunities", "num_format": "#,##0", "min": 0})
    line.set_y2_axis({"name": "Win rate", "num_format": "0%", "min": 0, "max": 1})
    wins.set_legend({"position": "bottom"})
    ws.insert_chart(at_row, 0, wins, {"x_scale": 1.1, "y_scale": 1.1})

    amount = workbook.add_chart({"type": "column"})
    amount.add_series(
        {
            "name": "Won amount",
            "categories": ref(0),
            "values": ref(amounts),
            "fill": {"color": series[2]},
        }
    )
    amount.set_title({"name": "Won amount (bookings)"})
    amount.set_y_axis({"num_format": "#,##0", "min": 0})
    amount.set_legend({"none": True})
    if amounts != 2:
        # the copy sits in a hidden column, and Excel and LibreOffice leave hidden cells
        # out of a chart unless told: without this the chart is empty
        amount.show_hidden_data()
    ws.insert_chart(at_row, 4, amount, {"x_scale": 1.1, "y_scale": 1.1})
