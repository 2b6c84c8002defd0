"""config.toml → frozen dataclasses. Every key has a default; unknown keys are rejected.

See ``docs/config.md`` and the commented ``config.toml`` at the project root.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from reporter import theme as theme_config
from reporter.errors import ConfigError
from reporter.theme import Theme

# Re-exported: config is where callers have always found them.
from reporter.vocabulary import BUILTIN_DIMENSIONS as BUILTIN_DIMENSIONS
from reporter.vocabulary import CANONICAL_FIELDS as CANONICAL_FIELDS


@dataclass(frozen=True)
class Outcomes:
    """Stage names per outcome, matched case- and punctuation-insensitively."""

    won: tuple[str, ...] = ("Closed Won", "Closed-Won", "Close-won", "Won", "closedwon")
    lost: tuple[str, ...] = (
        "Closed Lost",
        "Closed-Lost",
        "Lost",
        "closedlost",
        "No Decision",
        "Closed-Lost to Competition",  # Zoho CRM's default
    )
    excluded: tuple[str, ...] = ("Duplicate",)
    # Known open stages: open like any unlisted stage, but not reported as unknown.
    open: tuple[str, ...] = (
        "Open",
        "Prospecting",
        "Qualification",
        "Discovery",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Identify Decision Makers",
        "Perception Analysis",
        "Demo",
        "Proposal",
        "Proposal/Price Quote",
        "Negotiation",
        "Negotiation/Review",
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
    )


@dataclass(frozen=True)
class Periods:
    """Fiscal calendar: the month (1-12) a fiscal year starts in; how to read 03/04/2025."""

    fiscal_year_start_month: int = 1
    # "day-first" or "month-first" for date columns that nothing in their file decides.
    date_order: str | None = None


DATE_ORDERS = ("day-first", "month-first")
MISSING_RATES = ("stop", "counts-only")


@dataclass(frozen=True)
class Currency:
    """Reporting currency, exchange rates (reporting units per one unit) and what to do
    when amounts are in currencies without a rate."""

    reporting: str | None = None
    rates: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    missing_rates: str = "stop"


@dataclass(frozen=True)
class WinRate:
    """Win-rate window (snapshot or cohort) and the small-sample threshold."""

    mode: str = "snapshot"
    min_closed: int = 20


@dataclass(frozen=True)
class Segments:
    """Dimensions win rate is broken down by, and the employee bands for company size."""

    dimensions: tuple[str, ...] = BUILTIN_DIMENSIONS
    company_size_bands: tuple[int, ...] = (0, 50, 250, 1000, 5000)


@dataclass(frozen=True)
class Briefings:
    """Which dimension gets one PDF per segment, who receives it, and page set-up."""

    by: str = "region"
    recipients: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    paper: str = "A4"
    templates: str | None = None
    top_reps: int = 10
    max_rows: int = 200
    workers: int = 0


@dataclass(frozen=True)
class Email:
    """SMTP settings. The password comes from the environment variable ``password_env``."""

    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password_env: str = "REPORTER_SMTP_PASSWORD"
    sender: str = "Sales Reports <reports@localhost>"
    timeout: float = 30.0
    max_attempts: int = 4
    backoff_seconds: float = 2.0
    subject: str = "Sales briefing {segment} — {period}"


@dataclass(frozen=True)
class Watch:
    """Folder watching: polling for network shares, and how long a file must be still."""

    polling: bool = False
    settle_seconds: float = 3.0
    poll_interval: float = 1.0
    retry_limit: int = 5
    # Standing reference files (targets, reps, rates) read with every drop.
    include: tuple[str, ...] = ()


# Conditions in a run's data that hold its delivery until approved (see docs/delivery.md);
# any data-quality issue code may be named too.
HOLD_CONDITIONS = (
    "unknown-won-stage",
    "quarantined-won-deal",
    "mixed-currency",
    "restated-quarter",
    "bonus-risk",
)


@dataclass(frozen=True)
class Delivery:
    """Who else receives each run, and what holds a run before anything is sent."""

    finance: tuple[str, ...] = ()  # sales-report.xlsx and the data-quality summary
    leadership: tuple[str, ...] = ()  # briefings/company.pdf, the company-wide briefing
    sales_ops: tuple[str, ...] = ()  # data-quality summaries and hold notices
    # Default on for risks to the bonus figures.
    hold_when: tuple[str, ...] = HOLD_CONDITIONS[:4]


@dataclass(frozen=True)
class WorkbookOptions:
    """``[workbook]``: finance's own template to fill beside sales-report.xlsx (absolute)."""

    template: str | None = None


@dataclass(frozen=True)
class Limits:
    """Bounds on what one untrusted input file may make reporter do (README "Limits").

    The defaults admit every workbook Excel can save at a realistic export width (a
    1,048,575-row × 12-column export is 12.6 million cells and 674 MB of sheet XML) and
    refuse what no export is: far-away cells, zip bombs, runaway parsers.
    """

    contain: bool = True  # parse each workbook in a child process with the limits below
    memory_mb: int = 3072  # address space that process may add to what it inherits
    cpu_seconds: int = 300  # CPU time of that process
    wall_seconds: int = 600  # wall time of that process
    max_cells: int = 50_000_000  # cells in one sheet
    max_grid_cells: int = 30_000_000  # rows × columns a dense reader may allocate for a sheet
    sparse_factor: int = 8  # a grid this many times larger than its cells is read sparsely
    max_unpacked_mb: int = 4096  # all parts of one workbook, inflated
    max_ratio: int = 200  # inflated ÷ packed size of one part over 1 MB

    @property
    def max_unpacked_bytes(self) -> int:
        """``max_unpacked_mb`` in bytes."""
        return self.max_unpacked_mb * 1024 * 1024


@dataclass(frozen=True)
class Config:
    """The whole configuration. ``source`` is the file it came from (None = defaults)."""

    columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    outcomes: Outcomes = field(default_factory=Outcomes)
    periods: Periods = field(default_factory=Periods)
    currency: Currency = field(default_factory=Currency)
    win_rate: WinRate = field(default_factory=WinRate)
    segments: Segments = field(default_factory=Segments)
    briefings: Briefings = field(default_factory=Briefings)
    email: Email | None = None
    delivery: Delivery = field(default_factory=Delivery)
    outbox: str = "outbox"
    ledger: str | None = None
    history: str | None = None
    watch: Watch = field(default_factory=Watch)
    theme: Theme = field(default_factory=Theme)
    workbook: WorkbookOptions = field(default_factory=WorkbookOptions)
    limits: Limits = field(default_factory=Limits)
    source: str | None = None

    def to_record(self) -> dict[str, Any]:
        """The effective configuration as plain data (for Definitions and metrics.json)."""
        record: dict[str, Any] = _plain(self)
        return record


# Table name → its dataclass, for "did you mean [periods] …" hints.
_SECTIONS: dict[str, type] = {
    "outcomes": Outcomes,
    "periods": Periods,
    "currency": Currency,
    "win_rate": WinRate,
    "segments": Segments,
    "briefings": Briefings,
    "email": Email,
    "watch": Watch,
    "theme": Theme,
    "workbook": WorkbookOptions,
    "limits": Limits,
    "delivery": Delivery,
}


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _suggest(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    return (
        f" Did you mean {close[0]!r}?" if close else f" Known keys: {', '.join(sorted(allowed))}."
    )


def _check_keys(section: str, data: Mapping[str, Any], allowed: list[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            home = _home_section(key) if section == "top level" else None
            suggestion = f" Did you mean [{home}] {key}?" if home else _suggest(key, allowed)
            raise ConfigError(
                f"{where}: unknown key {key!r} in [{section}].{suggestion}",
                hint="remove the key or correct its spelling (see docs/config.md)",
            )


def _home_section(key: str) -> str | None:
    """The table a top-level key belongs in (``fiscal_year_start_month`` → ``periods``)."""
    for name, cls in _SECTIONS.items():
        if key in {f.name for f in fields(cls)}:
            return name
    return None


_KIND_WORDS = {
    int: "a whole number (no quotes)",
    float: "a number (no quotes)",
    bool: "true or false (no quotes)",
    str: "text in quotes",
    list: "a list in [brackets]",
    dict: "a table",
}


def _expect(value: Any, kind: type | tuple[type, ...], name: str, where: str) -> Any:
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ConfigError(f"{where}: {name} must be a number, not {value!r}")
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wanted = " or ".join(_KIND_WORDS.get(k, k.__name__) for k in kinds)
        raise ConfigError(f"{where}: {name} must be {wanted}, not {value!r}")
    return value


def _build(cls: type, section: str, data: Mapping[str, Any], where: str) -> Any:
    """Build a dataclass from a TOML table, type-checking each known key."""
    allowed = [f.name for f in fields(cls)]
    _check_keys(section, data, allowed, where)
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        name = f"[{section}] {f.name}"
        ann = str(f.type)
        if ann.startswith("tuple[str"):
            if isinstance(value, str):
                value = [value]
            _expect(value, list, name, where)
            value = tuple(_expect(v, str, name, where) for v in value)
        elif ann.startswith("tuple[int"):
            _expect(value, list, name, where)
            value = tuple(_expect(v, int, name, where) for v in value)
        elif ann == "bool":
            _expect(value, bool, name, where)
        elif ann == "int":
            _expect(value, int, name, where)
        elif ann == "float":
            value = float(_expect(value, (int, float), name, where))
        elif ann in ("str", "str | None"):
            _expect(value, str, name, where)
        kwargs[f.name] = value
    return cls(**kwargs)


def _recipients(data: Any, where: str) -> Mapping[str, tuple[str, ...]]:
    _expect(data, dict, "[briefings.recipients]", where)
    out: dict[str, tuple[str, ...]] = {}
    for segment, addresses in data.items():
        if isinstance(addresses, str):
            addresses = [addresses]
        _expect(addresses, list, f"[briefings.recipients] {segment!r}", where)
        out[str(segment)] = tuple(
            _expect(a, str, f"[briefings.recipients] {segment!r}", where) for a in addresses
        )
    return MappingProxyType(out)


def _currency(data: Any, where: str) -> Currency:
    _expect(data, dict, "[currency]", where)
    fields_data = dict(data)
    rates_data = fields_data.pop("rates", {})
    _expect(rates_data, dict, "[currency.rates]", where)
    rates: dict[str, float] = {}
    for code, rate in rates_data.items():
        value = float(_expect(rate, (int, float), f"[currency.rates] {code}", where))
        if value <= 0:
            raise ConfigError(f"{where}: [currency.rates] {code} must be above 0, not {rate!r}")
        rates[str(code).upper()] = value
    built = _build(Currency, "currency", fields_data, where)
    reporting = built.reporting.upper() if built.reporting else None
    return Currency(reporting, MappingProxyType(rates), built.missing_rates)


def from_mapping(data: Mapping[str, Any], where: str = "config") -> Config:
    """Build and validate a :class:`Config` from parsed TOML (a dict)."""
    top = [f.name for f in fields(Config) if f.name != "source"]
    _check_keys("top level", data, top, where)

    columns = data.get("columns", {})
    _expect(columns, dict, "[columns]", where)
    _check_keys("columns", columns, list(CANONICAL_FIELDS), where)
    for key, header in columns.items():
        _expect(header, str, f"[columns] {key}", where)

    briefings_data = dict(data.get("briefings", {}))
    recipients = _recipients(briefings_data.pop("recipients", {}), where)
    briefings = _build(Briefings, "briefings", briefings_data, where)
    briefings = Briefings(**{**briefings.__dict__, "recipients": recipients})

    email = None
    if "email" in data:
        email_data = data["email"]
        _expect(email_data, dict, "[email]", where)
        if "host" not in email_data:
            raise ConfigError(
                f"{where}: [email] needs a host", hint='add host = "smtp.example.com"'
            )
        email = _build(Email, "email", email_data, where)

    config = Config(
        columns=MappingProxyType(dict(columns)),
        outcomes=_build(Outcomes, "outcomes", data.get("outcomes", {}), where),
        periods=_build(Periods, "periods", data.get("periods", {}), where),
        currency=_currency(data.get("currency", {}), where),
        win_rate=_build(WinRate, "win_rate", data.get("win_rate", {}), where),
        segments=_build(Segments, "segments", data.get("segments", {}), where),
        briefings=briefings,
        email=email,
        outbox=_expect(data.get("outbox", "outbox"), str, "outbox", where),
        ledger=data.get("ledger"),
        history=_expect(data.get("history"), (str, type(None)), "history", where),
        watch=_build(Watch, "watch", data.get("watch", {}), where),
        theme=theme_config.from_mapping(data.get("theme", {}), where, _folder(where)),
        workbook=_workbook(data.get("workbook", {}), where),
        limits=_build(Limits, "limits", data.get("limits", {}), where),
        delivery=_build(Delivery, "delivery", data.get("delivery", {}), where),
        source=where if where != "config" else None,
    )
    _validate(config, where)
    return config


def _folder(where: str) -> Path:
    """The folder relative paths in the config file are relative to."""
    return Path(where).resolve().parent if where != "config" else Path.cwd()


def _workbook(data: Any, where: str) -> WorkbookOptions:
    options: WorkbookOptions = _build(
        WorkbookOptions, "workbook", _expect(data, dict, "[workbook]", where), where
    )
    if options.template is None:
        return options
    path = (_folder(where) / Path(options.template).expanduser()).resolve()
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(
            f"{where}: [workbook] template {options.template!r} is not an .xlsx workbook",
            hint="save the template in Excel as Excel Workbook (.xlsx)",
        )
    if not path.is_file():
        raise ConfigError(
            f"{where}: [workbook] template {options.template!r} not found (looked for {path})",
            hint="check the path; a relative path is relative to the config file's folder",
        )
    if path.name.lower() == "sales-report.xlsx":
        raise ConfigError(
            f"{where}: [workbook] template is called sales-report.xlsx, the name of the"
            " workbook reporter writes",
            hint="rename the template (the filled copy is written under the template's own name)",
        )
    return WorkbookOptions(template=str(path))


def _validate(config: Config, where: str) -> None:
    if not 1 <= config.periods.fiscal_year_start_month <= 12:
        raise ConfigError(f"{where}: [periods] fiscal_year_start_month must be 1-12")
    if config.periods.date_order not in (None, *DATE_ORDERS):
        raise ConfigError(
            f"{where}: [periods] date_order must be 'day-first' or 'month-first', "
            f"not {config.periods.date_order!r}"
        )
    if config.currency.missing_rates not in MISSING_RATES:
        raise ConfigError(
            f"{where}: [currency] missing_rates must be 'stop' or 'counts-only', "
            f"not {config.currency.missing_rates!r}"
        )
    if config.win_rate.mode not in ("snapshot", "cohort"):
        raise ConfigError(
            f"{where}: [win_rate] mode must be 'snapshot' or 'cohort', not {config.win_rate.mode!r}"
        )
    if config.win_rate.min_closed < 0:
        raise ConfigError(f"{where}: [win_rate] min_closed must be 0 or more")
    named: set[str] = set()
    for name in config.segments.dimensions:
        key = " ".join(name.split()).casefold()  # one column, however it is spelled
        if key in named:
            raise ConfigError(
                f"{where}: [segments] dimensions names {name!r} twice; list each dimension once"
            )
        named.add(key)
    bands = config.segments.company_size_bands
    if list(bands) != sorted(set(bands)) or not bands:
        raise ConfigError(
            f"{where}: [segments] company_size_bands must be increasing, e.g. [0, 50, 250]"
        )
    if config.briefings.paper not in ("A4", "Letter"):
        raise ConfigError(f"{where}: [briefings] paper must be 'A4' or 'Letter'")
    for f in fields(Limits):
        value = getattr(config.limits, f.name)
        if f.type == "int" and value < 1:
            raise ConfigError(f"{where}: [limits] {f.name} must be 1 or more")
    _validate_delivery(config.delivery, where)


def _validate_delivery(delivery: Delivery, where: str) -> None:
    from reporter.quality import CODES

    for condition in delivery.hold_when:
        if condition not in HOLD_CONDITIONS and condition not in CODES:
            raise ConfigError(
                f"{where}: [delivery] hold_when names {condition!r}, which is neither a hold"
                f" condition nor a data-quality code.{_suggest(condition, [*HOLD_CONDITIONS])}",
                hint=f"use some of {', '.join(HOLD_CONDITIONS)}, or [] to never hold",
            )


def load(path: str | Path | None) -> Config:
    """Load ``path`` (None → all defaults). Raises :class:`ConfigError` with the fix."""
    if path is None:
        return Config()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config file {p} not found", hint="check the path given to --config"
        ) from None
    except OSError as exc:
        raise ConfigError(f"config file {p} cannot be read: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML ({exc})", hint="fix the line named") from None
    return from_mapping(data, where=str(p))
