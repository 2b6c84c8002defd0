"""Accounts and reps tables joined onto opportunities, and company-size bands.

An opportunity's own value always wins. Missing values are filled from the reps table
(by owner: manager, manager email, region) and the accounts table (by AccountId, else by
account name: account name, industry, employees, company size, customer since, region).
Region comes from the opportunity, then the rep, then the account. Keys match
case-insensitively after trimming.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reporter.quality import Issue
from reporter.read.headers import ACCOUNT_ID
from reporter.read.opportunities import Record
from reporter.read.tables import ACCOUNTS, REPS, Table

ACCOUNT_FILLS = ("industry", "employees", "company_size", "customer_since")
REP_FILLS = ("manager", "manager_email")


def _key(text: Any) -> str | None:
    return str(text).casefold() if text is not None else None


@dataclass
class References:
    """Accounts and reps, indexed by join key. First row wins for a repeated key."""

    accounts_by_id: dict[str, Record] = field(default_factory=dict)
    accounts_by_name: dict[str, Record] = field(default_factory=dict)
    reps: dict[str, Record] = field(default_factory=dict)
    has_accounts: bool = False
    has_reps: bool = False

    @classmethod
    def from_tables(cls, tables: Sequence[Table]) -> References:
        refs = cls()
        for table in tables:
            if table.kind not in (ACCOUNTS, REPS):
                continue
            names = [*table.values, *table.extras]
            columns = [*table.values.values(), *table.extras.values()]
            for cells in zip(*columns, strict=True):
                record = dict(zip(names, cells, strict=True))
                if table.kind == ACCOUNTS:
                    refs.has_accounts = True
                    refs._add(refs.accounts_by_id, record.get(ACCOUNT_ID), record)
                    refs._add(refs.accounts_by_name, _key(record.get("account")), record)
                else:
                    refs.has_reps = True
                    refs._add(refs.reps, _key(record.get("owner")), record)
        return refs

    @staticmethod
    def _add(index: dict[str, Record], key: str | None, record: Record) -> None:
        if key is not None:
            index.setdefault(key, record)


class Joiner:
    """Fills each opportunity from the reference tables; reports unmatched keys once each."""

    def __init__(self, refs: References, extras: Sequence[str], issues: list[Issue]) -> None:
        self.refs = refs
        self.extras = tuple(extras)
        self.issues = issues
        self._reported: set[tuple[str, str]] = set()

    def join(self, record: Record) -> None:
        account = self._account(record)
        rep = self.refs.reps.get(_key(record.get("owner")) or "")
        if rep is None and self.refs.has_reps:
            self._unmatched(record, "unmatched-owner", "owner", record["owner"])
        for name in (*REP_FILLS, *self.extras):
            _fill(record, name, rep)
        for name in (*ACCOUNT_FILLS, *self.extras):
            _fill(record, name, account)
        _fill(record, "region", rep)
        _fill(record, "region", account)

    def _account(self, record: Record) -> Record | None:
        account_id = record.get(ACCOUNT_ID)
        found = self.refs.accounts_by_id.get(account_id) if account_id else None
        if found is not None and record.get("account") is None:
            record["account"] = found.get("account")
        if found is None and record.get("account") is not None:
            found = self.refs.accounts_by_name.get(_key(record["account"]) or "")
        if found is None and self.refs.has_accounts and (account_id or record.get("account")):
            value = record.get("account") or account_id
            self._unmatched(record, "unmatched-account", "account", value)
        if record.get("account") is None and account_id:
            # Without an accounts file the Salesforce AccountId is still a stable account key.
            record["account"] = account_id
        return found

    def _unmatched(self, record: Record, code: str, column: str, value: Any) -> None:
        if (code, _key(value) or "") in self._reported:
            return
        self._reported.add((code, _key(value) or ""))
        self.issues.append(
            Issue.make(
                code,
                file=record["source_file"],
                sheet=record["source_sheet"],
                row=record["source_row"],
                column=column,
                value=value,
            )
        )


def _fill(record: Record, name: str, source: Record | None) -> None:
    if source is not None and record.get(name) is None and source.get(name) is not None:
        record[name] = source[name]


def size_band(employees: float | None, bands: Sequence[int]) -> str | None:
    """Employees → band label: bands (0, 50, 250) give "0-49", "50-249", "250+"."""
    if employees is None or not bands or employees < bands[0]:
        return None
    for low, high in itertools.pairwise(bands):
        if low <= employees < high:
            return f"{low}-{high - 1}"
    return f"{bands[-1]}+"
