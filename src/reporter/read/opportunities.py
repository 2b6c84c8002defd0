"""Opportunity tables → one list of canonical records: outcome, quarantine, duplicates.

A record is a plain dict keyed by canonical column (plus ``account_id`` and the extra
segment columns). Rows that cannot be counted are quarantined here, each with one issue.
"""

from __future__ import annotations

from typing import Any

from reporter.model import OPPORTUNITY_COLUMNS
from reporter.quality import KEPT_AS_IS, MERGED, QUARANTINED, Issue
from reporter.read.headers import ACCOUNT_ID
from reporter.read.outcome import LOST, WON, OutcomeRules, stage_key
from reporter.read.tables import Table

TREATED_AS_OPEN = "treated as open"
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
                self._issue(
                    table,
                    record,
                    "conflicting-flags",
                    "is_won",
                    True,
                    "IsWon is set but IsClosed is not; counted as won",
                    KEPT_AS_IS,
                )
            if self._quarantine(table, record):
                continue
            self._warn(table, record)
            out.append(record)
        return out

    def _issue(
        self,
        table: Table,
        record: Record,
        code: str,
        field: str | None,
        value: Any,
        problem: str,
        action: str,
    ) -> None:
        column = table.headers.get(field) if field else None
        self.issues.append(
            Issue(
                code,
                table.raw.file,
                table.raw.sheet,
                record["source_row"],
                column or field,
                value,
                problem,
                action,
            )
        )

    def _unknown(self, table: Table, record: Record, stage: str) -> None:
        key = stage_key(stage)
        if key in self._unknown_stages:
            return
        self._unknown_stages.add(key)
        self._issue(
            table,
            record,
            "unknown-stage",
            "stage",
            stage,
            "stage name is not in the won, lost or excluded lists",
            TREATED_AS_OPEN,
        )

    def _quarantine(self, table: Table, record: Record) -> bool:
        if record.get("owner") is None:
            self._issue(
                table,
                record,
                "missing-owner",
                "owner",
                None,
                "no owner (rep) to credit",
                QUARANTINED,
            )
            return True
        if record["outcome"] is None:
            self._issue(
                table,
                record,
                "missing-stage",
                "stage",
                None,
                "no stage and no won/closed flag",
                QUARANTINED,
            )
            return True
        if record["outcome"] in (WON, LOST) and record.get("close_date") is None:
            self._issue(
                table,
                record,
                "missing-close-date",
                "close_date",
                None,
                f"{record['outcome']} opportunity has no readable close date",
                QUARANTINED,
            )
            return True
        return False

    def _warn(self, table: Table, record: Record) -> None:
        amount = record.get("amount")
        if amount is not None and amount < 0:
            self._issue(
                table, record, "negative-amount", "amount", amount, "amount is negative", KEPT_AS_IS
            )
        created, closed = record.get("created_date"), record.get("close_date")
        if created is not None and closed is not None and closed < created:
            self._issue(
                table,
                record,
                "date-order",
                "close_date",
                closed.isoformat(),
                f"close date is before the created date {created.isoformat()}",
                KEPT_AS_IS,
            )


def dedupe(records: list[Record], issues: list[Issue]) -> list[Record]:
    """Keep the first copy of each opportunity id (or, without ids, of each identical row)."""
    by_id: dict[str, Record] = {}
    by_content: dict[tuple[Any, ...], Record] = {}
    out: list[Record] = []
    for record in records:
        if record["synthetic"]:
            key = tuple(sorted((k, v) for k, v in record.items() if k not in _NOT_CONTENT))
            first = by_content.setdefault(key, record)
            code, what = "duplicate-row", "row identical to"
        else:
            first = by_id.setdefault(record["opportunity_id"], record)
            code, what = "duplicate-opportunity", "same opportunity id as"
        if first is record:
            out.append(record)
            continue
        issues.append(
            Issue(
                code,
                record["source_file"],
                record["source_sheet"],
                record["source_row"],
                None,
                record["opportunity_id"] if code == "duplicate-opportunity" else None,
                f"{what} {where(first)}",
                MERGED,
            )
        )
    return out
