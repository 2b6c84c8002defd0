"""Data-quality issues: problems with rows and cells, kept as data.

Each issue has a stable ``code`` (tests and other tools match on it, never on wording),
the place it was found (file, sheet, Excel row number, column), the offending value,
what is wrong and what reporter did about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any

# What reporter did with the row or cell.
QUARANTINED = "row quarantined (not counted)"
SKIPPED = "row skipped"
MERGED = "merged (counted once)"
KEPT = "kept; value left blank"
KEPT_AS_IS = "kept as is"
IGNORED = "ignored"
TREATED_AS_OPEN = "treated as open"

# How bad it is: an ERROR row is left out of the figures, a WARNING value is blank or may
# be wrong, a NOTE changes nothing counted (skipped blank rows, merged copies, ignored sheets).
ERROR, WARNING, NOTE = "error", "warning", "note"
# A risk to what a rep is paid: a won deal that may be miscounted (a won-looking unknown
# stage, a won deal quarantined, dated in the future, or whose amount is blank or refused).
# Listed first by the CLI summary and the Data Quality sheet; ``--strict`` fails on it.
# Codes marked ``when_won`` carry it on won deals only; ``Issue.severity`` says per issue.
BONUS_RISK = "bonus-risk"


@dataclass(frozen=True)
class Code:
    """One issue code: its title, severity, the problem text and what reporter did.

    ``problem`` and ``action`` are ``str.format`` templates filled from the values given to
    :meth:`Issue.make`. ``variants`` are further problem templates for codes one cause
    cannot describe (a ``bad-target`` row may lack a quarter or repeat one).
    """

    title: str
    severity: str
    problem: str
    action: str
    variants: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # True: on a won deal this issue is a bonus risk (the reader sets Issue.severity).
    when_won: bool = False
    # What reporter did when the deal is won, where that differs from ``action``.
    won_action: str = ""


def _code(title: str, severity: str, problem: str, action: str, **variants: str) -> Code:
    return Code(title, severity, problem, action, MappingProxyType(variants))


def _won_risk(title: str, severity: str, problem: str, action: str, won_action: str = "") -> Code:
    return Code(title, severity, problem, action, when_won=True, won_action=won_action)


# Stable codes. Add new ones; never rename (tests and other tools match on them).
REGISTRY: Mapping[str, Code] = MappingProxyType({
    "blank-row": _code("Blank row skipped", NOTE, "blank row", SKIPPED),
    "totals-row": _code("Totals or subtotal row skipped", NOTE, "totals row", SKIPPED),
    "duplicate-opportunity": _code(
        "Same opportunity id seen again; later copy merged into the first", NOTE,
        "same opportunity id as {first}", MERGED,
    ),
    "conflicting-duplicate": _code(
        "Same opportunity id seen again with different values; one copy kept", WARNING,
        "same opportunity id as {kept}, but the copies differ: {fields}",
        "kept the copy at {kept}, the newer information ({why}); this copy not counted",
    ),
    # On a won deal a bonus risk: the rep's won amount would be a partial sum shown as whole.
    "missing-amount": _won_risk(
        "Won or lost opportunity has no amount; counted, its amount unknown", WARNING,
        "{outcome} opportunity has no amount",
        "counted as one deal; adds nothing to won/lost amounts",
        # The fix first: {column} and {row} are the issue's own (read/risks.py fills them).
        won_action="enter the amount in {column}, row {row}; until then it counts as one deal "
        "and every won amount it belongs to is \"—\" with the known part beside it",
    ),
    "duplicate-row": _code(
        "Identical row seen again (no id column); later copy merged into the first", NOTE,
        "row identical to {first}", MERGED,
    ),
    "bad-amount": _won_risk("Amount is not a number", WARNING, "not a number", KEPT),
    "ambiguous-amount": _won_risk(
        "Amount could be read with a thousands comma or a decimal comma", WARNING,
        "{value!r}: this column writes decimals with a comma (e.g. 12,50), so this could be "
        "thousands or decimals", "amount left empty; write it as 1000 or 1.000,00",
    ),
    "negative-amount": _code("Amount is negative", WARNING, "amount is negative", KEPT_AS_IS),
    "bad-date": _code("Date could not be read", WARNING, "not a date", KEPT),
    "ambiguous-date": _code(
        "Date text could be day-first or month-first; decided from the file or config", NOTE,
        "dates like this could be month/day or day/month; no value in the column decides",
        "read {order}, as {why}",
    ),
    "date-order": _code(
        "Close date is before created date", WARNING,
        "close date is before the created date {created}", KEPT_AS_IS,
    ),
    "future-close-date": _won_risk(
        "Won or lost opportunity has a close date after today", WARNING,
        "{outcome} opportunity closes in the future; a typo would move the default reporting "
        "period",
        KEPT_AS_IS,
    ),
    "missing-close-date": _won_risk(
        "Won or lost opportunity has no close date", ERROR,
        "{outcome} opportunity has no readable close date", QUARANTINED,
    ),
    "missing-owner": _won_risk(
        "Opportunity has no owner", ERROR, "no owner (rep) to credit", QUARANTINED
    ),
    "missing-stage": _code(
        "Opportunity has no stage and no won/closed flag", ERROR,
        "no stage and no won/closed flag", QUARANTINED,
    ),
    "unknown-stage": _code(
        "Stage name not in the won/lost/excluded lists; treated as open", WARNING,
        "stage name is not in the won, lost or excluded lists", TREATED_AS_OPEN,
    ),
    "bad-boolean": _code(
        "Won/closed flag is not a yes/no value", WARNING,
        "not a yes/no value; the stage decides this row", KEPT,
    ),
    "excel-error": _won_risk(
        "Cell holds an Excel error (#DIV/0!, #REF!, #N/A ...)", WARNING,
        "cell holds the Excel error {error}", KEPT,
    ),
    "formula-no-value": _code(
        "Formula cell has no saved value", WARNING,
        "formula has no saved value (open and save the workbook in Excel)", KEPT,
    ),
    "unmatched-account": _code(
        "Account not found in the accounts table", NOTE,
        "{value!r} is not in the accounts table", KEPT_AS_IS,
    ),
    "unmatched-owner": _code(
        "Owner not found in the reps table", NOTE, "{value!r} is not in the reps table", KEPT_AS_IS,
        users="owner id {value!r} is not in the user table, so it is shown as the id",
    ),
    "missing-dimension": _code(
        "A configured segment dimension is not a column of the data", WARNING,
        "[segments] dimensions names {dimension!r}, but no opportunities table has a column "
        "of that name",
        "every opportunity is in segment {unknown} for it",
    ),
    "unknown-column": _code(
        "Column not recognised; ignored", NOTE, "column not recognised", IGNORED
    ),
    "ignored-sheet": _code(
        "Sheet not recognised as opportunities or a reference table; ignored", NOTE,
        "not an opportunities, accounts, reps or targets table (headers: {headers})", IGNORED,
        targets="targets table needs a quarter column and an owner or segment column",
    ),
    "hidden-sheet": _code(
        "Hidden sheet not read", NOTE,
        "hidden sheet; not read (unhide it in Excel to include it)", IGNORED,
    ),
    "ignored-file": _code(
        "File in a folder input not read: a link out of the folder, or not a regular file",
        WARNING, "{why}", IGNORED,
    ),
    "formula-not-computed": _code(
        "Formula saved by a program that does not calculate; its stored result is not trusted",
        WARNING,
        "formula saved by a program that does not calculate (stored result {value}, not "
        "trusted); open the workbook in Excel and save it to compute it",
        KEPT,
    ),
    "bad-target": _code(
        "Target row could not be read", WARNING, "target is not a number", KEPT,
        quarter="quarter not readable (write it like FY2026 Q3)",
        incomplete="target row without a segment or a target",
        repeated="second target for {segment} in {quarter}; the first one is used",
    ),
    "conflicting-flags": _code(
        "IsWon set on an opportunity that is not closed", WARNING,
        "IsWon is set but IsClosed is not; counted as won", KEPT_AS_IS,
    ),
    "text-truncated": _code(
        "Text longer than Excel allows was truncated in the workbook", WARNING,
        "text of {length:,} characters; Excel allows {limit:,}",
        "first {limit:,} characters kept",
    ),
    "note-row": _code(
        "Row with a single text cell (a note, caption or footer) skipped", NOTE,
        "note or footer row", SKIPPED,
    ),
    "bad-number": _code("Number could not be read", WARNING, "not a number", KEPT),
    "won-looking-stage": _code(
        "Stage looks like a win but is in no outcome list; counted as open", BONUS_RISK,
        # The value (the stage) is shown beside the problem, so the text does not repeat it.
        "looks like a win but is not in the won, lost or excluded lists; "
        "{rep}'s deal of {amount} counts as open",
        "treated as open; if it is a win, add it to [outcomes] won in config.toml",
    ),
    "deleted-record": _code(
        "Record deleted or archived in the CRM; not counted", NOTE,
        "deleted in the CRM ({column} is set)", "row excluded (not counted)",
    ),
    "other-crm-object": _code(
        "CRM export of another object (history, line items, contacts ...); set aside", NOTE,
        "{what}, not opportunities", "set aside (not read)",
    ),
    "unconverted-amount": _won_risk(
        "Amount in a currency that cannot be converted; not summed", WARNING,
        "amount {shown} {currency}: {why}", "amount not summed (counts only)",
    ),
    "row-rate-conversion": _code(
        "Amounts converted with the export's own exchange rate on each deal", NOTE,
        "{count:,} amounts in {currencies} converted to {home} with the Exchange Rate column, "
        "read as units of the deal's currency per one {home}: Zoho's documentation does not "
        "state the direction",
        "amount ÷ rate; check one deal against Zoho's converted amount (docs/inputs.md)",
    ),
    "sheet-split": _code(
        "Table longer than an Excel sheet allows continued on another sheet", NOTE,
        "{table}: {rows:,} rows do not fit on one sheet",
        "rows {first:,}-{last:,} on sheet {sheet!r}{totals}",
    ),
})  # fmt: skip

# The action of a ``won-looking-stage`` one typo away from a configured won stage: correct
# the data; writing the typo into config.toml would make it a won stage for good.
TYPO_OF_WON = (
    "treated as open; correct {column} to {won!r}; only if {value!r} is a new won stage "
    "name, add it to [outcomes] won in config.toml"
)

# Code → title, as the workbook's Data Quality sheet shows it.
CODES: Mapping[str, str] = MappingProxyType({c: code.title for c, code in REGISTRY.items()})


@dataclass(frozen=True)
class Issue:
    """One data-quality finding. ``row`` is the Excel/CSV line number (1-based, header included)."""

    code: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: Any
    problem: str
    action: str
    # "" → the code's registered severity; BONUS_RISK when the reader found a won deal at risk.
    severity: str = ""
    # The deal the issue concerns, where the reader knows it: the rep credited, and its
    # amount in ``currency`` (as it counts in the figures; as read when it was refused).
    rep: str | None = None
    amount: float | None = None
    currency: str | None = None
    # A quarantined won deal's fiscal quarter: the quarter's figures leave it out.
    missing_from: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown issue code {self.code!r}")
        if not self.severity:
            object.__setattr__(self, "severity", REGISTRY[self.code].severity)

    @classmethod
    def make(
        cls,
        code: str,
        *,
        file: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        variant: str | None = None,
        action: str | None = None,
        **values: Any,
    ) -> Issue:
        """The one way to build an issue: the problem (and action) text come from the code.

        ``values`` (and the place and value) fill the code's templates; ``variant`` picks
        one of its other problem templates; ``action`` overrides the code's action where the
        caller knows better.
        Raises ``ValueError`` for an unknown code and ``KeyError`` for an unknown variant or
        a template value not given, so a wrong call fails in tests, not in a report.
        """
        spec = REGISTRY.get(code)
        if spec is None:
            raise ValueError(f"unknown issue code {code!r}")
        template = spec.problem if variant is None else spec.variants[variant]
        # Templates may also name the place and the value: "{value!r} is not in ...".
        fill = dict(file=file, sheet=sheet, row=row, column=column, value=value, **values)
        problem = template.format(**fill)
        done = action if action is not None else spec.action.format(**fill)
        return cls(code, file, sheet, row, column, value, problem, done)

    def to_record(self) -> dict[str, Any]:
        """A JSON-safe dict (values rendered as text when they are not plain scalars)."""
        record = asdict(self)
        value = record["value"]
        if value is not None and not isinstance(value, str | int | float | bool):
            record["value"] = str(value)
        return record


def deal_text(rep: str | None, amount: float | None, currency: str | None) -> str:
    """``Ann Lee, 13,900 USD`` / ``no owner, no amount``: a deal in a problem text, from the
    same fields the Rep, Amount and Currency columns show."""
    if amount is None:
        shown = "no amount"
    else:
        number = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
        shown = number + (f" {currency}" if currency else "")
    return f"{rep or 'no owner'}, {shown}"
