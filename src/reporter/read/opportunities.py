"""Opportunity tables → one list of canonical records: outcome, quarantine, duplicates.

A record is a plain dict keyed by canonical column (plus ``account_id`` and the extra
segment columns). Rows that cannot be counted are quarantined here, each with one issue.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reporter.model import OPPORTUNITY_COLUMNS
from reporter.quality import Issue
from reporter.read.outcome import OutcomeRules
from reporter.read.tables import Table
from reporter.vocabulary import ACCOUNT_ID, LOST, WON, normalise

_CARRIED = frozenset(OPPORTUNITY_COLUMNS) | {ACCOUNT_ID}
# Fields that say nothing about the deal itself, left out when comparing rows for sameness.
_NOT_CONTENT = frozenset({"opportunity_id", "source_file", "source_sheet", "source_row"})
Record = dict[str, Any]


def where(record: Record) -> str:
    """``file, sheet 'S', row 7`` for a record, for messages."""
    sheet = record["source_sheet"]
    place = record["source_file"] if sheet is None else f"{record['source_file']}, sheet {sheet!r}"
    return f"{place}, row {record['source_row']}"


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

    def records(self, table: Table) -> list[Record]:
        """Every countable row of ``table`` (quarantined rows are left out, with an issue)."""
        fields = [f for f in table.values if f in _CARRIED or f in ("is_won", "is_closed")]
        has_won, has_closed = "is_won" in table.values, "is_closed" in table.values
        out: list[Record] = []
        for i, row in enumerate(table.rows):
            record: Record = {f: table.values[f][i] for f in fields}
            for name, cells in table.extras.items():
                record[name] = cells[i]
            record["source_file"], record["source_sheet"] = table.raw.file, table.raw.sheet
            record["source_row"] = row
            record["synthetic"] = not record.get("opportunity_id")
            if record["synthetic"]:
                record["opportunity_id"] = synthetic_id(table, row)
            stage = record.get("stage")
            decision = self.rules.decide(
                stage,
                record.pop("is_won", None),
                record.pop("is_closed", None),
                has_won,
                has_closed,
            )
            record["outcome"] = decision.outcome
            if decision.unknown_stage and stage is not None:
                self._unknown(table, record, stage)
            if decision.conflicting:
                self._issue(table, record, "conflicting-flags", "is_won", True)
            if self._quarantine(table, record):
                continue
            self._warn(table, record)
            out.append(record)
        return out

    def _flagged(self, record: Record, column: str | None) -> bool:
        """Whether the row's amount was already reported (unreadable or an Excel error)."""
        if self._flag_count != len(self.issues):
            self._flag_rows = {
                (i.file, i.sheet, i.row, i.column)
                for i in self.issues
                if i.code in ("bad-amount", "excel-error")
            }
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
        if key in self._unknown_stages:
            return
        self._unknown_stages.add(key)
        self._issue(table, record, "unknown-stage", "stage", stage)

    def _quarantine(self, table: Table, record: Record) -> bool:
        if record.get("owner") is None:
            self._issue(table, record, "missing-owner", "owner")
            return True
        if record["outcome"] is None:
            self._issue(table, record, "missing-stage", "stage")
            return True
        if record["outcome"] in (WON, LOST) and record.get("close_date") is None:
            self._issue(
                table, record, "missing-close-date", "close_date", outcome=record["outcome"]
            )
            return True
        return False

    def _warn(self, table: Table, record: Record) -> None:
        amount = record.get("amount")
        if (
            amount is None
            and record["outcome"] in (WON, LOST)
            and not self._flagged(record, table.headers.get("amount"))
        ):
            self._issue(table, record, "missing-amount", "amount", outcome=record["outcome"])
        if amount is not None and amount < 0:
            self._issue(table, record, "negative-amount", "amount", amount)
        created, closed = record.get("created_date"), record.get("close_date")
        if closed is not None and record["outcome"] in (WON, LOST) and closed > self.today:
            self._issue(
                table,
                record,
                "future-close-date",
                "close_date",
                closed.isoformat(),
                outcome=record["outcome"],
            )
        if created is not None and closed is not None and closed < created:
            self._issue(
                table,
                record,
                "date-order",
                "close_date",
                closed.isoformat(),
                created=created.isoformat(),
            )


def dedupe(records: list[Record], issues: list[Issue]) -> list[Record]:
    """One record per opportunity id (or, without ids, per identical row).

    Identical copies are merged into the first. Copies of one id that disagree (an old
    export where the deal was open beside a newer one where it is won) keep the most
    advanced copy, closed before open, then the latest close date, then the later copy,
    and the disagreement is reported field by field (``conflicting-duplicate``).
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
        winner = record if _rank(record) >= _rank(kept) else kept
        loser = kept if winner is record else record
        out[index] = winner
        issues.append(
            Issue.make(
                "conflicting-duplicate",
                file=loser["source_file"],
                sheet=loser["source_sheet"],
                row=loser["source_row"],
                column=", ".join(differing),
                value=loser["opportunity_id"],
                kept=where(winner),
                fields=", ".join(differing),
            )
        )
    return out


def _differences(a: Record, b: Record) -> list[str]:
    ignore = _NOT_CONTENT | {"synthetic"}
    return sorted(k for k in a.keys() | b.keys() if k not in ignore and a.get(k) != b.get(k))


def _rank(record: Record) -> tuple[bool, Any]:
    close = record.get("close_date")
    return (record["outcome"] in (WON, LOST), close.toordinal() if close is not None else 0)
