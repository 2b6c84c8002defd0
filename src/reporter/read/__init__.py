"""Readers and normaliser: workbooks and CSV files → one canonical :class:`Dataset`.

``load_dataset(paths, config)`` is the whole public surface. The steps, one module each:
``sniff`` (what the file really is) → ``excel``/``csvfile`` (cells) → ``tables`` (header,
kind, parsed columns) → ``opportunities`` (outcome, quarantine, duplicates) →
``reference`` (accounts and reps joins) and ``targets``. See docs/inputs.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from reporter.config import Config
from reporter.errors import InputError, NoOpportunitiesTable
from reporter.model import Dataset, InputFile, coerce_types
from reporter.progress import Counted, Progress
from reporter.quality import Issue
from reporter.read import currency as money
from reporter.read.columnar import straight_frame
from reporter.read.csvfile import read_csv
from reporter.read.guarded import read_interpreted
from reporter.read.headers import alias_index
from reporter.read.inputs import INPUT_SUFFIXES, Skipped, expand, read_regular
from reporter.read.opportunities import OpportunityBuilder, Record, dedupe, record_issue
from reporter.read.outcome import OutcomeRules
from reporter.read.reference import Joiner, References, size_band
from reporter.read.risks import Cell, Deal, attach_deals
from reporter.read.sniff import sniff
from reporter.read.tables import (
    OPPORTUNITIES,
    RatesTable,
    SetAside,
    SheetReader,
    Table,
    Unrecognised,
    UserTable,
)
from reporter.read.targets import targets_frame
from reporter.read.users import rename_owners
from reporter.vocabulary import BUILTIN_DIMENSIONS, OPPORTUNITY_COLUMNS, UNKNOWN

__all__ = ["INPUT_SUFFIXES", "input_files", "load_dataset"]


def input_files(paths: Sequence[Path]) -> list[Path]:
    """Files to read: files as given, folders expanded (sorted, not recursive, no links out)."""
    for path in map(Path, paths):
        if path.name.startswith("~$"):
            raise _lock_file_error([path])
    return expand(paths)[0]


Other = SetAside | UserTable | RatesTable


def _read_file(
    path: Path, config: Config, extras: tuple[str, ...], issues: list[Issue]
) -> tuple[list[Table], list[Unrecognised], list[Other], InputFile]:
    data = read_regular(path, config.limits.max_unpacked_bytes)
    display = path.name
    kind = sniff(path, data[:8192], config.limits)
    reader = SheetReader(alias_index(config.columns), extras, config.periods.date_order)
    if kind == "csv":
        found: list[Issue] = []
        results = [(reader(read_csv(data, display), found), found)]
    else:
        # Parsed and typed in a limited child process: a native crash is one failed file.
        results, sheet_issues = read_interpreted(path, display, kind, config.limits, reader)
        issues.extend(sheet_issues)
    tables: list[Table] = []
    unrecognised: list[Unrecognised] = []
    others: list[Other] = []
    for result, read_issues in results:
        issues.extend(read_issues)
        if isinstance(result, Table):
            tables.append(result)
        elif isinstance(result, Unrecognised):
            unrecognised.append(result)
            issues.append(_ignored(result))
        elif isinstance(result, SetAside):
            raw = result.raw
            issues.append(
                Issue.make("other-crm-object", file=raw.file, sheet=raw.sheet, what=result.what)
            )
            others.append(result)
        elif result is not None:
            others.append(result)
    sheet_names = tuple(t.raw.sheet for t in tables if t.raw.sheet is not None)
    rows = sum(len(t.rows) for t in tables)
    digest = hashlib.sha256(data).hexdigest()
    return tables, unrecognised, others, InputFile(str(path), digest, rows, sheet_names)


def _file_age(path: Path) -> int | None:
    """The file's modification time to the second (copies within a second tie)."""
    try:
        return int(path.stat().st_mtime)
    except OSError:
        return None


def _rates(config: Config, others: Sequence[Other]) -> money.Rates:
    """Config rates first; a rates sheet or file adds the currencies config does not name."""
    rates = money.config_rates(config.currency.reporting, config.currency.rates)
    configured = set(rates.by_currency)
    for table in others:
        if not isinstance(table, RatesTable):
            continue
        rates.sources.append(table.raw.where)
        for rate in table.rates:
            if rate.currency not in configured:
                rates.add(rate)
        if rates.reporting is None and table.corporate is not None:
            rates.reporting = table.corporate
    return rates


def _convert(
    records: list[Record], config: Config, others: Sequence[Other], issues: list[Issue]
) -> str | None:
    """Amounts in one currency (see read/currency.py); the currency's code, or None."""

    def refuse(record: Record, why: str) -> None:
        issues.append(
            record_issue(
                "unconverted-amount",
                record,
                column="amount",
                value=record["amount"],
                shown=money.fmt_amount(record["amount"]),
                currency=record.get("currency") or money.NO_CURRENCY,
                why=why,
            )
        )

    rated: dict[str, tuple[str, set[str], int]] = {}  # file → (home, currencies, amounts)

    def own_rate(record: Record, home: str) -> None:
        _, codes, count = rated.get(record["source_file"], (home, set(), 0))
        rated[record["source_file"]] = (home, codes | {record["currency"]}, count + 1)

    counts_only = config.currency.missing_rates == money.COUNTS_ONLY
    try:
        currency = money.convert(records, _rates(config, others), counts_only, refuse, own_rate)
    except money.MixedCurrencies as exc:
        raise InputError(str(exc), hint=exc.hint) from None
    for file, (home, codes, count) in rated.items():
        issues.append(
            Issue.make(
                "row-rate-conversion",
                file=file,
                column=money.ROW_RATE,
                count=count,
                currencies=", ".join(sorted(codes)),
                home=home,
            )
        )
    return currency


def _skipped(entry: Skipped) -> Issue:
    return Issue.make("ignored-file", file=entry.path.name, value=entry.path.name, why=entry.why)


def _headers_text(headers: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(headers[:limit]) or "no headers"
    return shown + (f", … ({len(headers)} in all)" if len(headers) > limit else "")


def _ignored(sheet: Unrecognised) -> Issue:
    raw = sheet.raw
    return Issue.make(
        "ignored-sheet",
        file=raw.file,
        sheet=raw.sheet,
        value=raw.sheet or raw.file,
        headers=_headers_text(sheet.headers),
    )


def _no_opportunities(
    paths: Sequence[Path],
    files: Sequence[Path],
    unrecognised: Sequence[Unrecognised],
    tables: Sequence[Table],
    issues: Sequence[Issue],
) -> NoOpportunitiesTable:
    if not files:
        locks = [f for p in map(Path, paths) if p.is_dir() for f in sorted(p.glob("~$*"))]
        if locks:
            return _lock_file_error(locks)
        folders = ", ".join(str(p) for p in paths)
        return NoOpportunitiesTable(
            f"no input files: {folders} has no .xlsx, .xlsm, .xls or .csv files",
            hint="put the sales workbooks in the folder, or name the files on the command line",
        )
    hidden = [i for i in issues if i.code == "hidden-sheet"]
    if hidden:
        names = ", ".join(f"{i.file}, sheet {i.sheet!r}" for i in hidden)
        return NoOpportunitiesTable(
            f"no opportunities table found in the visible sheets; hidden sheets were not read: "
            f"{names}",
            hint="if the opportunities are on a hidden sheet, unhide it in Excel (right-click "
            "a sheet tab > Unhide…), save, and run again",
        )
    seen = [f"{u.raw.where} (headers: {_headers_text(u.headers)})" for u in unrecognised]
    seen += [f"{t.raw.where} (read as a {t.kind} table)" for t in tables]
    empty = ", ".join(Path(f).name for f in files)
    return NoOpportunitiesTable(
        "no opportunities table found in " + ("; ".join(seen) or f"{empty} (nothing in it)"),
        hint="an opportunities table needs a stage (or IsWon) column, an owner column and a "
        'close date column; name yours in config.toml [columns], e.g. stage = "Deal Status"',
    )


def _lock_file_error(locks: list[Path]) -> NoOpportunitiesTable:
    """Excel keeps ``~$Book.xlsx`` beside ``Book.xlsx`` while the workbook is open."""
    lock = locks[0]
    book = lock.name[2:]
    return NoOpportunitiesTable(
        f"{lock.name} is only Excel's lock file: the workbook {book} is open in Excel "
        "and was not saved here",
        hint=f"save and close {book} in Excel, then give reporter {book} itself",
    )


def _frame(records: list[Record], extras: tuple[str, ...]) -> pd.DataFrame:
    columns = [*OPPORTUNITY_COLUMNS, *(e for e in extras if e not in OPPORTUNITY_COLUMNS)]
    # Object columns, so pandas infers nothing that coerce_types would only undo.
    data = {c: pd.Series([r.get(c) for r in records], dtype=object) for c in columns}
    return coerce_types(pd.DataFrame(data, columns=columns))


def _check_extra_dimensions(
    tables: list[Table], extras: tuple[str, ...], issues: list[Issue]
) -> None:
    """A configured dimension that no opportunities table has would be all 'Unknown': say so."""
    for dim in extras:
        if any(dim in t.headers or dim in t.extras for t in tables):
            continue
        first = tables[0].raw
        issues.append(
            Issue.make(
                "missing-dimension",
                file=first.file,
                sheet=first.sheet,
                column=dim,
                dimension=dim,
                unknown=UNKNOWN,
            )
        )


def _through_records(
    opportunity_tables: list[Table],
    builder: OpportunityBuilder,
    ages: dict[int, int | None],
    tables: list[Table],
    others: list[Other],
    config: Config,
    extras: tuple[str, ...],
    issues: list[Issue],
) -> tuple[pd.DataFrame, dict[Cell, Deal], str | None]:
    """The general path: one record per row, renamed, deduplicated, converted and joined."""
    records = [r for t in opportunity_tables for r in builder.records(t, ages[id(t)])]
    rename_owners(records, [o for o in others if isinstance(o, UserTable)], issues)
    records = dedupe(records, issues)
    currency = _convert(records, config, others, issues)
    joiner = Joiner(References.from_tables(tables), extras, issues)
    bands = config.segments.company_size_bands
    for record in records:
        joiner.join(record)
        if record.get("company_size") is None:
            record["company_size"] = size_band(record.get("employees"), bands)
    return _frame(records, extras), builder.deals, currency


def load_dataset(paths: list[Path], config: Config, progress: Progress | None = None) -> Dataset:
    """Read every input file (folders expanded) into one canonical :class:`Dataset`.

    ``progress`` hears one :class:`~reporter.progress.Counted` step per file read.
    Raises a :class:`reporter.errors.InputError` subclass when a file cannot be used at all
    (corrupt, encrypted, unsupported, no opportunities table, a required column missing).
    Problems with single rows and cells are returned as ``Dataset.issues``.
    """
    for path in map(Path, paths):
        if path.name.startswith("~$"):
            raise _lock_file_error([path])
    files, skipped = expand(paths)
    extras = tuple(d for d in config.segments.dimensions if d not in BUILTIN_DIMENSIONS)
    issues: list[Issue] = []
    tables: list[Table] = []
    unrecognised: list[Unrecognised] = []
    others: list[Other] = []
    inputs: list[InputFile] = []
    ages: dict[int, int | None] = {}
    issues += [_skipped(s) for s in skipped]
    for n, path in enumerate(files, start=1):
        file_tables, file_unrecognised, file_others, input_file = _read_file(
            path, config, extras, issues
        )
        tables += file_tables
        unrecognised += file_unrecognised
        others += file_others
        inputs.append(input_file)
        age = _file_age(path)
        # An export date written in the file beats the file's own date (copies change it).
        ages.update(
            {id(t): int(t.exported.timestamp()) if t.exported else age for t in file_tables}
        )
        if progress is not None:
            message = f"read {n}/{len(files)}: {path.name}, {input_file.rows:,} rows"
            progress(Counted(message, "files", n, len(files)))
    opportunity_tables = [t for t in tables if t.kind == OPPORTUNITIES]
    if not opportunity_tables:
        raise _no_opportunities(paths, files, unrecognised, tables, issues)
    if not any(t.rows for t in opportunity_tables):
        where = ", ".join(t.raw.where for t in opportunity_tables)
        raise NoOpportunitiesTable(
            f"{where}: the opportunities table has headers but no data rows",
            hint="check that the right file was exported (a report with filters may be empty)",
        )
    _check_extra_dimensions(opportunity_tables, extras, issues)
    builder = OpportunityBuilder(OutcomeRules(config.outcomes), issues)
    bands = config.segments.company_size_bands
    straight = straight_frame(
        opportunity_tables, builder, tables, others, lambda: _rates(config, others), extras, bands
    )
    if straight is not None:
        frame, deals, currency = straight
    else:
        frame, deals, currency = _through_records(
            opportunity_tables, builder, ages, tables, others, config, extras, issues
        )
    targets = targets_frame(tables, config.periods.fiscal_year_start_month, issues)
    return Dataset(
        opportunities=frame,
        targets=targets,
        issues=tuple(attach_deals(issues, deals, currency, config.periods.fiscal_year_start_month)),
        inputs=tuple(inputs),
        extra_dimensions=extras,
        currency=currency,
    )
