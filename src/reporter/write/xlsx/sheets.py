"""The table sheets of the finance workbook, as :class:`Table` specifications.

Each function turns one Report table into rows and column specs; nothing here computes a
metric. Attainment (won amount ÷ target) and coverage are live formulas over cells on the
same row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from pandas.core.dtypes.cast import maybe_box_native  # what to_dict boxes each value with

from reporter.metrics.report import (
    NEW_CUSTOMER_COLUMNS,
    WON_DEAL_COLUMNS,
    Report,
)
from reporter.model import Dataset
from reporter.quality import CODES
from reporter.write.risks import bonus_risk_records
from reporter.write.running import running_label
from reporter.write.xlsx.cells import (
    COUNT_LABEL,
    DATE,
    DAYS,
    INT,
    MONEY,
    PCT,
    ROW_NUMBER,
    TEXT,
    Unknown,
    as_number,
    is_missing,
    truthy,
)
from reporter.write.xlsx.table import Col, Row, Table, rate_col, share_col

SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row")
_LABELS = {
    "company_size": "Company size",
    "deal_type": "Deal type",
    "lead_source": "Lead source",
}


def label(key: str) -> str:
    """A column header for a field name: ``lead_source`` → ``Lead source``."""
    return _LABELS.get(key, key.replace("_", " ").strip().capitalize())


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values (numpy scalars become int/float/bool).

    The values of ``frame.astype(object).to_dict("records")``, made column by column: a
    typed column converts in one pass, and only a value that is not already a plain Python
    one goes through pandas' own per-value boxing.
    """
    if frame is None or frame.empty:
        return []
    keys = list(frame.columns)
    columns = [_plain_column(frame.iloc[:, j]) for j in range(frame.shape[1])]
    return [dict(zip(keys, row)) for row in zip(*columns)]


_PLAIN = (str, float, int, bool, type(None), pd.Timestamp, type(pd.NaT))


def _plain_column(series: pd.Series) -> list[Any]:
    values: list[Any] = series.astype(object).tolist()
    if all(type(v) in _PLAIN for v in values):
        return values
    return [v if type(v) in _PLAIN else maybe_box_native(v) for v in values]


def _quarter_order(report: Report) -> dict[str, int]:
    return {q.label: i for i, q in enumerate(report.quarters)}


def _latest_first(rows: list[dict[str, Any]], report: Report) -> list[dict[str, Any]]:
    """Newest quarter first (finance pays the latest quarter); order within kept."""
    order = _quarter_order(report)
    return sorted(rows, key=lambda r: -order.get(str(r.get("quarter")), -1))


def _extra_columns(frame: pd.DataFrame, known: Sequence[str]) -> list[str]:
    return [c for c in frame.columns if c not in known and c not in SOURCE_COLUMNS]


def _text_cols(keys: Sequence[str]) -> list[Col]:
    return [Col(k, label(k), TEXT) for k in keys]


def rep_bonuses(report: Report) -> Table:
    """Won opportunities, amount, lost and win rate (with its interval) per rep and quarter,
    target and attainment when targets are given; totals of the reporting quarter only.

    A quarter still running says so in its Quarter cell ("FY2026 Q4 (to 15 Nov)"): its
    attainment is to date, against the full quarter's target. A won amount the core could
    not know (a won deal without an amount) is "—", with the known part and the reason in
    the columns beside it; so is its attainment and the total it belongs to.
    """
    frame = report.won_opportunities_by_rep
    min_closed = report.settings.get("min_closed", 20)
    rows = _latest_first(records(frame), report)
    for row in rows:
        row["directional_mark"] = "directional" if truthy(row.get("directional")) else ""
        row["quarter"] = running_label(row["quarter"], row.get("to_date"))
        unknown_won_amount(row)
    partial = any(isinstance(row.get("won_amount"), Unknown) for row in rows)
    columns = [
        Col("rep", "Rep", TEXT),
        Col("manager", "Manager", TEXT),
        Col("quarter", "Quarter", TEXT),
        Col("won_opportunities", "Won opportunities", INT, total="sum"),
        Col("won_amount", "Won amount", MONEY, total="sum"),
        *(KNOWN_PART_COLS if partial else ()),
        Col("lost_opportunities", "Lost opportunities", INT, total="sum"),
        rate_col(
            "win_rate", "Win rate", "won_opportunities", "lost_opportunities", total="formula"
        ),
        Col("ci_low", "95% CI low", PCT),
        Col("ci_high", "95% CI high", PCT),
        Col("directional_mark", f"Directional (< {min_closed} closed)", TEXT),
    ]
    totals = dict(report.rep_totals)
    unknown_won_amount(totals)
    label = running_label(report.period.label, totals.get("to_date"))
    if "target" in frame.columns and frame["target"].notna().any():
        # A plain header: the column holds whole quarters too; a running quarter's row says
        # "(to 20 Nov)" in its Quarter cell (its attainment is to date, on the whole target).
        columns += [
            Col("target", "Target", MONEY, total="sum"),
            share_col("attainment", "Attainment", "won_amount", "target", total="formula"),
        ]
    return Table(
        "Rep Bonuses",
        tuple(columns),
        rows,
        totals=True,
        directional_key="directional",
        totals_values=totals,
        totals_of=("quarter", label),
        totals_label=f"Total {label}",
        # a small sample makes the rate and its interval directional, never the bonus figures
        directional_cols=("win_rate", "ci_low", "ci_high", "directional_mark"),
    )


# Beside a won amount that is "—": what is known of it, and why the rest is not.
KNOWN_PART_COLS = (
    Col("won_amount_known", "Won amount: known part", MONEY, total="sum"),
    Col("won_amount_reason", "Why the won amount is —", TEXT, total="text"),
)


NO_DEAL_AMOUNT = "no amount in the data (a missing-amount bonus risk on Data Quality)"


def unknown_deal_amount(row: dict[str, Any]) -> None:
    """A won deal without an amount shows "—" (its reason as a comment), never a blank
    that a total would quietly skip."""
    if is_missing(row.get("amount")):
        row["amount"] = Unknown(NO_DEAL_AMOUNT)


def unknown_won_amount(row: dict[str, Any]) -> None:
    """Mark a row's won amount (and the attainment on it) "—" when the core gives a reason
    it is unknown; the known part stays a number (blank when none is known)."""
    unknown_amount(row, "won_amount", "attainment")


def unknown_amount(row: dict[str, Any], amount: str, share: str) -> None:
    """Mark a row's ``amount`` (and the ``share`` of the target on it) "—" when the core
    gives its reason (``<amount>_reason``); a live formula would read the blank as 0."""
    reason = row.get(f"{amount}_reason")
    if is_missing(reason) or not is_missing(row.get(amount)):
        return
    row[amount] = Unknown(str(reason))
    if not is_missing(row.get("target")):
        row[share] = Unknown(f"{amount.replace('_', ' ')} unknown: {reason}")


def won_customers(report: Report) -> Table:
    """The bridge from won opportunities to won customers, per quarter, dimension and
    segment (every quarter in the data): won customers are the new customers' first wins."""
    rows = _latest_first(records(report.bridge_by_quarter), report)
    for row in rows:
        row["won_customers"] = row.get("new_customer_first_wins")
        row["quarter"] = running_label(row["quarter"], row.get("to_date"))
    parts = (
        "won_customers",
        "new_customer_further_wins",
        "existing_customer_wins",
        "no_account_wins",
    )
    columns = (
        Col("quarter", "Quarter", TEXT),
        Col("dimension", "Dimension", TEXT),
        Col("segment", "Segment", TEXT),
        Col("won_customers", "Won customers (new accounts' first wins)", INT),
        Col("new_customer_further_wins", "Further wins of new accounts", INT),
        Col("existing_customer_wins", "Wins from existing customers", INT),
        Col("no_account_wins", "Wins without an account", INT),
        Col(
            "won_opportunities",
            "Won opportunities (= the four before)",
            INT,
            formula="+".join(f"{{{p}}}" for p in parts),
            derive=lambda r: float(sum(as_number(r.get(p)) or 0.0 for p in parts)),
        ),
    )
    return Table("Won Customers", columns, rows)


def new_customers(report: Report) -> Table:
    """Each account won for the first time in the period, with its first won deal."""
    frame = report.new_customers
    extra = _extra_columns(frame, NEW_CUSTOMER_COLUMNS)
    rows = records(frame)
    for row in rows:
        unknown_deal_amount(row)
        row["quarter"] = running_label(row["quarter"], report.period.to_date(row["quarter"]))
    columns = (
        Col("account", "Account", TEXT),
        Col("quarter", "Quarter", TEXT),
        Col("first_won_date", "First won date", DATE),
        Col("opportunity_id", "Opportunity id", TEXT),
        Col("opportunity_name", "Opportunity name", TEXT),
        Col("rep", "Rep", TEXT),
        Col("amount", "Amount", MONEY, total="complete:opportunity_id"),
        *_text_cols(extra),
    )
    return Table("New Customers", columns, rows, totals=True)


def win_rate_by_segment(report: Report, min_closed: int) -> Table:
    """Win rate per dimension and segment, interval, directional mark, ACV and cycle.

    A won or lost amount the core could not know is "—" (the won amount's known part and
    reason beside it), and so is the amount-weighted rate over it."""
    rows = records(report.win_rate_by_segment)
    for row in rows:
        row["directional_mark"] = "directional" if truthy(row.get("directional")) else ""
        unknown_won_amount(row)
        if is_missing(row.get("lost_amount")) and (as_number(row.get("lost")) or 0) > 0:
            row["lost_amount"] = Unknown("a lost deal has no amount")
        amounts = (row.get("won_amount"), row.get("lost_amount"))
        if any(isinstance(a, Unknown) for a in amounts):
            row["amount_weighted_win_rate"] = Unknown("a won or lost amount is unknown")
    partial = any(isinstance(row.get("won_amount"), Unknown) for row in rows)
    columns = (
        Col("dimension", "Dimension", TEXT),
        Col("segment", "Segment", TEXT),
        Col("won", "Won", INT),
        Col("lost", "Lost", INT),
        rate_col("win_rate", "Win rate", "won", "lost"),
        Col("ci_low", "95% CI low", PCT),
        Col("ci_high", "95% CI high", PCT),
        Col("directional_mark", f"Directional (< {min_closed} closed)", TEXT),
        Col("won_amount", "Won amount", MONEY),
        *(KNOWN_PART_COLS if partial else ()),
        Col("lost_amount", "Lost amount", MONEY),
        rate_col(
            "amount_weighted_win_rate", "Amount-weighted win rate", "won_amount", "lost_amount"
        ),
        Col("avg_won_amount", "ACV mean", MONEY),
        Col("median_won_amount", "ACV median", MONEY),
        Col("median_cycle_days", "Median cycle (days)", DAYS),
        Col("mean_cycle_days", "Mean cycle (days)", DAYS),
    )
    return Table("Win Rate by Segment", columns, rows, directional_key="directional")


def loss_reasons(report: Report) -> Table:
    """Lost opportunities by reason, per dimension and segment."""
    columns = (
        Col("dimension", "Dimension", TEXT),
        Col("segment", "Segment", TEXT),
        Col("loss_reason", "Loss reason", TEXT),
        Col("lost", "Lost", INT),
        Col("share", "Share of the segment's lost", PCT),
    )
    return Table("Loss Reasons", columns, records(report.loss_reasons))


def pipeline(report: Report) -> Table:
    """Open pipeline count and amount, target and coverage (open amount ÷ target).

    An open amount the core cannot know (an open deal without one) is "—", and so is its
    coverage, with the known part and the reason beside it."""
    rows = records(report.pipeline)
    for row in rows:
        unknown_amount(row, "open_amount", "coverage")
    partial = any(isinstance(row.get("open_amount"), Unknown) for row in rows)
    columns = (
        Col("dimension", "Dimension", TEXT),
        Col("segment", "Segment", TEXT),
        Col("open_opportunities", "Open opportunities", INT),
        Col("open_amount", "Open amount", MONEY),
        *(OPEN_KNOWN_PART_COLS if partial else ()),
        Col("target", "Target", MONEY),
        share_col("coverage", "Coverage", "open_amount", "target"),
    )
    return Table("Pipeline", columns, rows)


OPEN_KNOWN_PART_COLS = (
    Col("open_amount_known", "Open amount: known part", MONEY),
    Col("open_amount_reason", "Why the open amount is —", TEXT),
)


def won_deals(report: Report) -> Table:
    """Every won deal closing in the period: the drill-through behind Rep Bonuses."""
    frame = report.won_deals
    extra = _extra_columns(frame, WON_DEAL_COLUMNS)
    rows = records(frame)
    for row in rows:
        # yes/no reads the same in every viewer (LibreOffice shows a boolean as 0/1)
        row["new_customer"] = "yes" if truthy(row.get("new_customer")) else "no"
        unknown_deal_amount(row)
    columns = (
        Col("opportunity_id", "Opportunity id", TEXT),
        Col(
            "opportunity_name",
            "Opportunity name",
            TEXT,
            total="count:opportunity_id",
            total_kind=COUNT_LABEL,
        ),
        Col("rep", "Rep", TEXT),
        Col("manager", "Manager", TEXT),
        Col("account", "Account", TEXT),
        Col("close_date", "Close date", DATE),
        Col("created_date", "Created date", DATE),
        # "—" in the totals while a visible deal has no amount (never a partial sum)
        Col("amount", "Amount", MONEY, total="complete:opportunity_id"),
        Col("deal_type", "Deal type", TEXT),
        Col("new_customer", "New customer", TEXT),
        Col("cycle_days", "Cycle (days)", INT),
        *_text_cols(extra),
        Col("source_file", "Source file", TEXT),
        Col("source_sheet", "Source sheet", TEXT),
        Col("source_row", "Source row", ROW_NUMBER),
    )
    return Table("Won Deals", columns, rows, totals=True)


def data_quality(dataset: Dataset, notes: Sequence[Any]) -> Table:
    """Risks to a bonus first, with the rep and amount affected, then every other issue
    the readers found, then the workbook's own notes (truncations, splits)."""
    risks = dataset.bonus_risks
    rows: list[Row] = [_quality_row(r, BONUS_AT_RISK) for r in bonus_risk_records(dataset)]
    listed = {id(risk) for risk in risks}  # by identity: one look-up per issue, not a scan
    for issue in (*dataset.issues, *notes):
        if id(issue) not in listed:
            rows.append(_quality_row(issue.to_record(), None))
    columns = (
        Col("code", "Code", TEXT),
        Col("title", "Issue", TEXT),
        Col("risk", "Bonus", TEXT),
        # the deal the issue concerns (any issue on an opportunity row, quarantined too)
        Col("rep", "Rep", TEXT),
        Col("amount", "Amount", MONEY),
        Col("currency", "Currency", TEXT),
        Col("file", "File", TEXT),
        Col("sheet", "Sheet", TEXT),
        Col("row", "Row", ROW_NUMBER),
        Col("column", "Column", TEXT),
        Col("value", "Value (as read)", TEXT),
        Col("problem", "Problem", TEXT),
        Col("action", "Action taken", TEXT),
    )
    return Table("Data Quality", columns, rows)


BONUS_AT_RISK = "at risk"


def _quality_row(record: dict[str, Any], risk: str | None) -> Row:
    """One Data Quality row: values as text, the code's title, whether a bonus is at risk."""
    value = record.get("value")
    record["value"] = None if is_missing(value) else str(value)
    record["title"] = CODES.get(str(record.get("code")), "")
    record["risk"] = risk
    return record
