"""Opportunity tables → one list of canonical records: outcome, quarantine, duplicates.

A record is a plain dict keyed by canonical column (plus ``account_id`` and the extra
segment columns). Rows that cannot be counted are quarantined here, each with one issue.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reporter.model import OPPORTUNITY_COLUMNS
from reporter.quality import TYPO_OF_WON, Issue
from reporter.read import recency, row_rules
from reporter.read.currency import ROW_RATE, fmt_amount
from reporter.read.outcome import Decision, OutcomeRules
from reporter.read.risks import Deal
from reporter.read.tables import Table
from reporter.read.won_looking import looks_won, typo_of
from reporter.vocabulary import ACCOUNT_ID, OPEN, WON, normalise

_CARRIED = frozenset(OPPORTUNITY_COLUMNS) | {ACCOUNT_ID, recency.STAMP, ROW_RATE}
# Fields that say nothing about the deal itself, left out when comparing rows for sameness.
_NOT_CONTENT = frozenset(
    {"opportunity_id", "source_file", "source_sheet", "source_row", *recency.ORDERING}
)
Record = dict[str, Any]
Cell = tuple[str, str | None, int | None]


def where(record: Record) -> str:
    """``file, sheet 'S', row 7`` for a record, for messages."""
    sheet = record["source_sheet"]
    place = record["source_file"] if sheet is None else f"{record['source_file']}, sheet {sheet!r}"
    return f"{place}, row {record['source_row']}"


def record_issue(code: str, record: Record, **values: Any) -> Issue:
    """An issue placed at a record's file, sheet and row (``values`` fill the templates)."""
    return Issue.make(
        code,
        file=record["source_file"],
        sheet=record["source_sheet"],
        row=record["source_row"],
        **values,
    )


def synthetic_id(table: Table, row: int) -> str:
    """``file:sheet:row`` (``file:row`` for a CSV): the id of a row from a table without ids."""
    raw = table.raw
    return f"{raw.file}:{row}" if raw.sheet is None else f"{raw.file}:{raw.sheet}:{row}"


class OpportunityBuilder:
    """Turns opportunity tables into records, collecting issues as it goes."""

    def __init__(self, rules: OutcomeRules, issues: list[Issue]) -> None:
        self.rules = rules
        self.issues = issues
        self.today = date.today()
        self._flag_rows: set[tuple[Any, ...]] = set()
        self._flag_count = -1
        self._unknown_stages: set[str] = set()
        self._read = 0
        # Every opportunity row (quarantined ones too) → its deal, for the issues about it.
        self.deals: dict[Cell, Deal] = {}

    def records(self, table: Table, file_age: int | None = None) -> list[Record]:
        """Every countable row of ``table`` (quarantined rows are left out, with an issue).

        ``file_age`` (the file's modification time, in seconds) orders copies of one deal
        from different files when they carry no last-modified stamp.
        """
        flags = ("is_won", "is_closed", "is_deleted")
        fields = [f for f in table.values if f in _CARRIED or f in flags]
        has_won, has_closed = "is_won" in table.values, "is_closed" in table.values
        names = [*fields, *table.extras]
        columns = [*(table.values[f] for f in fields), *table.extras.values()]
        decisions: dict[tuple[Any, Any, Any], Decision] = {}  # the rules are a pure function
        out: list[Record] = []
        for row, values in zip(table.rows, zip(*columns, strict=True), strict=True):
            record: Record = dict(zip(names, values, strict=True))
            record["source_file"], record["source_sheet"] = table.raw.file, table.raw.sheet
            record["source_row"] = row
            record[recency.FILE_AGE], record[recency.ORDER] = file_age, self._read
            self._read += 1
            counted = self.judge(table, record, decisions, has_won, has_closed)
            if counted is None:
                continue
            cell = (table.raw.file, table.raw.sheet, row)
            self.deals[cell] = Deal.of(record, won=record["outcome"] == WON)
            if counted:
                out.append(record)
        return out

    def judge(
        self,
        table: Table,
        record: Record,
        decisions: dict[tuple[Any, Any, Any], Decision],
        has_won: bool,
        has_closed: bool,
    ) -> bool | None:
        """Outcome, synthetic id and every issue of one row, in place: whether it is counted
        (False: quarantined), None for a deleted row. ``decisions`` caches the rules."""
        if row_rules.deleted(record.pop("is_deleted", None)):
            self._issue(table, record, "deleted-record", "is_deleted", True)
            return None
        record["synthetic"] = not record.get("opportunity_id")
        if record["synthetic"]:
            record["opportunity_id"] = synthetic_id(table, record["source_row"])
        key = (record.get("stage"), record.pop("is_won", None), record.pop("is_closed", None))
        decision = decisions.get(key)
        if decision is None:
            decision = decisions[key] = self.rules.decide(*key, has_won, has_closed)
        record["outcome"] = decision.outcome
        # The table of rules (read/row_rules.py), top down: the column-by-column path reads the
        # same table, so a rule added there is obeyed by both.
        today = self.today
        for rule in row_rules.RULES:
            if not rule.one(record, decision, today):
                continue
            if rule.unless_flagged and self._flagged(record, table.headers.get(rule.field)):
                continue
            self._raise(rule, table, record)
            if rule.sets_aside:
                return False
        return True

    def _raise(self, rule: row_rules.Rule, table: Table, record: Record) -> None:
        if rule.code == "unknown-stage":
            self._unknown(table, record, record["stage"])
            return
        details = rule.details(table, record)
        self._issue(table, record, rule.code, rule.field, details.pop("value", None), **details)

    def _flagged(self, record: Record, column: str | None) -> bool:
        """Whether the row's amount was already reported (unreadable or an Excel error)."""
        if self._flag_count < len(self.issues):
            # Issues are only ever appended: look at the new ones.
            self._flag_rows.update(
                (i.file, i.sheet, i.row, i.column)
                for i in self.issues[max(self._flag_count, 0) :]
                if i.code in ("bad-amount", "ambiguous-amount", "excel-error")
            )
            self._flag_count = len(self.issues)
        cell = (record["source_file"], record["source_sheet"], record["source_row"], column)
        return cell in self._flag_rows

    def _issue(
        self, table: Table, record: Record, code: str, field: str, value: Any = None, **values: Any
    ) -> None:
        column = table.headers.get(field)
        self.issues.append(
            Issue.make(
                code,
                file=table.raw.file,
                sheet=table.raw.sheet,
                row=record["source_row"],
                column=column or field,
                value=value,
                **values,
            )
        )

    def _unknown(self, table: Table, record: Record, stage: str) -> None:
        key = normalise(stage)
        if record["outcome"] == OPEN and looks_won(key, self.rules.won_keys):
            # Every row, not once per stage: each is a deal a rep may expect a bonus on.
            amount = record.get("amount")
            won = typo_of(key, self.rules.won_names)
            fix = TYPO_OF_WON.format(column=table.headers.get("stage"), won=won, value=stage)
            self._issue(
                table,
                record,
                "won-looking-stage",
                "stage",
                stage,
                rep=record.get("owner") or "no owner",
                amount="no amount" if amount is None else fmt_amount(amount),
                action=fix if won else None,
            )
            return
        if key in self._unknown_stages:
            return
        self._unknown_stages.add(key)
        self._issue(table, record, "unknown-stage", "stage", stage)


def dedupe(records: list[Record], issues: list[Issue]) -> list[Record]:
    """One record per opportunity id (or, without ids, per identical row).

    Identical copies are merged into the first. Copies of one id that disagree (an old
    export where the deal was won beside a newer one where it was re-opened) keep the newest
    information (see read/recency.py: last-modified stamp, else the newer file, else the
    order given), and the disagreement is reported with both values
    (``conflicting-duplicate``).
    """
    position: dict[Any, int] = {}
    out: list[Record] = []
    for record in records:
        if record["synthetic"]:
            key: Any = tuple(sorted((k, v) for k, v in record.items() if k not in _NOT_CONTENT))
        else:
            key = record["opportunity_id"]
        index = position.get(key)
        if index is None:
            position[key] = len(out)
            out.append(record)
            continue
        kept = out[index]
        differing = _differences(kept, record)
        if not differing:
            synthetic = record["synthetic"]
            issues.append(
                Issue.make(
                    "duplicate-row" if synthetic else "duplicate-opportunity",
                    file=record["source_file"],
                    sheet=record["source_sheet"],
                    row=record["source_row"],
                    value=None if synthetic else record["opportunity_id"],
                    first=where(kept),
                )
            )
            continue
        winner = record if recency.is_newer(record, kept) else kept
        loser = kept if winner is record else record
        out[index] = winner
        issues.append(
            record_issue(
                "conflicting-duplicate",
                loser,
                column=", ".join(differing),
                value=loser["opportunity_id"],
                kept=where(winner),
                fields=recency.change_list(winner, loser, differing),
                why=recency.why_newer(winner, loser),
            )
        )
    return out


def _differences(a: Record, b: Record) -> list[str]:
    ignore = _NOT_CONTENT | {"synthetic"}
    return sorted(k for k in a.keys() | b.keys() if k not in ignore and a.get(k) != b.get(k))
