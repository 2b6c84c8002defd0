"""The Summary sheet: the period, headline figures against the previous quarter, the trend
over the trailing quarters, and two native charts drawn from the trend table.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reporter.metrics.report import Report
from reporter.write.xlsx.branding import add_logo
from reporter.write.xlsx.cells import DAYS, INT, MONEY, PCT, TEXT, Cells, as_number
from reporter.write.xlsx.sheets import records
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
# Headline rows written as formulas over other headline rows in the same column.
HEADLINE_FORMULAS = {
    "win_rate": ("won_opportunities", "lost_opportunities", "rate"),
    "coverage": ("open_amount", "target", "share"),
}
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
FROZEN_ROWS = 3


def _headline_values(report: Report) -> list[tuple[str, str, str, float | None, float | None]]:
    changes = {c.name: c for c in report.changes}
    rows = []
    for name, text, kind in HEADLINE_ROWS:
        if name in changes:
            now, before = changes[name].current, changes[name].previous
        else:
            now = as_number(getattr(report.headline, name, None))
            before = as_number(getattr(report.headline_previous, name, None))
        if now is None and before is None:
            continue
        if name == "win_rate" and report.headline.directional:
            text = "Win rate — directional (small sample)"
        rows.append((name, text, kind, as_number(now), as_number(before)))
    return rows


def write_summary(
    workbook: Workbook, ws: Worksheet, cells: Cells, report: Report, paper: int
) -> None:
    """Fill the Summary sheet; returns nothing, charts are inserted beside the tables."""
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
        f"{period.mode} · compared with {report.previous.label} · definitions on the "
        "Definitions sheet",
        fmt=cells.styles.named("subtitle"),
    )
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
    header = trend_top + 1
    trend_end, trend_widths = write_rows(ws, cells, header, TREND_COLS, trend_rows)
    _add_table(ws, header, max(trend_end - 1, header + 1), TREND_COLS, "SummaryTrend", cells)
    label_width = max((len(text) for _n, text, *_r in _headline_values(report)), default=30)
    widths = [min(60, label_width + 2), 16, 16, 16, 12, 12, 12, 14]
    widths = [max(w, t) for w, t in zip(widths, trend_widths, strict=False)]
    ws.freeze_panes(FROZEN_ROWS, 0)
    setup_sheet(ws, FROZEN_ROWS - 1, widths, paper=paper, footer_label=title, one_page=True)
    if trend_rows:
        _charts(
            workbook, ws, header, len(trend_rows), trend_end + 2, cells.styles.theme.palette.series
        )
    # beside the headline table (columns A-E), clear of the long subtitle line
    add_logo(ws, cells.styles.theme, top, len(widths) - 2)


def _write_headline(ws: Worksheet, cells: Cells, header: int, report: Report) -> int:
    names = ["Measure", report.period.label, report.previous.label, "Change", "Change %"]
    fmt = cells.styles.named("header")
    for j, name in enumerate(names):
        cells.text(ws, header, j, name, fmt=fmt)
    rows = _headline_values(report)
    where = {name: header + 1 + i for i, (name, *_rest) in enumerate(rows)}
    for i, (name, text, kind, now, before) in enumerate(rows):
        r = header + 1 + i
        directional = name == "win_rate" and report.headline.directional
        cells.text(ws, r, 0, text, directional=directional)
        for col, value in ((1, now), (2, before)):
            _headline_cell(ws, cells, r, col, name, kind, value, where, rows, directional)
        b, c = xl_rowcol_to_cell(r, 1), xl_rowcol_to_cell(r, 2)
        delta = None if now is None or before is None else now - before
        cells.formula(ws, r, 3, f'=IF(OR({b}="",{c}=""),"",{b}-{c})', kind, delta)
        relative = None if delta is None or not before else delta / abs(before)
        cells.formula(
            ws, r, 4, f'=IF(OR({b}="",{c}="",{c}=0),"",({b}-{c})/ABS({c}))', PCT, relative
        )
    end = header + 1 + len(rows)
    _add_table(ws, header, max(end - 1, header + 1), names, "SummaryHeadline", cells)
    return end


def _headline_cell(
    ws: Worksheet,
    cells: Cells,
    r: int,
    col: int,
    name: str,
    kind: str,
    value: float | None,
    where: dict[str, int],
    rows: list[Any],
    directional: bool,
) -> None:
    spec = HEADLINE_FORMULAS.get(name)
    if spec and spec[0] in where and spec[1] in where:
        values = {row[0]: row[2 + col] for row in rows}
        top, other = values[spec[0]], values[spec[1]]
        a, b = xl_rowcol_to_cell(where[spec[0]], col), xl_rowcol_to_cell(where[spec[1]], col)
        if spec[2] == "rate":
            derived = ratio(top or 0.0, (top or 0.0) + (other or 0.0))
            formula = f'=IF({a}+{b}=0,"",{a}/({a}+{b}))'
        else:
            derived = ratio(top, other)
            formula = f'=IF(OR({b}="",{b}=0),"",{a}/{b})'
        if same_value(value, derived):
            cells.formula(ws, r, col, formula, kind, value, directional=directional)
            return
    cells.put(ws, r, col, value, kind, directional=directional)


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


def _charts(
    workbook: Workbook, ws: Worksheet, header: int, n: int, at_row: int, series: tuple[str, ...]
) -> None:
    """Won opportunities (columns) with win rate (line), and won amount, per quarter.

    ``series`` are the three series colours, from the [theme] palette.
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
        {"name": "Won amount", "categories": ref(0), "values": ref(2), "fill": {"color": series[2]}}
    )
    amount.set_title({"name": "Won amount (bookings)"})
    amount.set_y_axis({"num_format": "#,##0", "min": 0})
    amount.set_legend({"none": True})
    ws.insert_chart(at_row, 4, amount, {"x_scale": 1.1, "y_scale": 1.1})
