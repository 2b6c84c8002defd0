"""Currencies: which currency each amount is in, exchange rates, and conversion.

Amounts are summed only within one currency (SPEC "Currencies"). A row's currency comes
from a currency column, else from a symbol or ISO code written in the amount text
(``$12,500.00``, ``12.000,00 €``, ``USD 1,200``). One currency in the data: it labels every
amount. Several: every amount is converted to ``[currency] reporting`` with rates from
config (``[currency.rates]``) or a rates sheet/file; without a rate the build stops, or,
with ``[currency] missing_rates = "counts-only"``, no amount is summed at all.

Rates are always held as *reporting-currency units per one unit* of the currency (EUR 1.08
with USD reporting). Salesforce's own tables (CurrencyType, DatedConversionRate) state the
opposite, units of the currency per one corporate unit, and are inverted when read.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reporter.read.columns import map_distinct
from reporter.vocabulary import normalise

# Symbols in the order they are tried (longer first, so "US$" is not read as "$").
SYMBOLS: tuple[tuple[str, str], ...] = (
    ("US$", "USD"), ("C$", "CAD"), ("CA$", "CAD"), ("A$", "AUD"), ("AU$", "AUD"),
    ("NZ$", "NZD"), ("HK$", "HKD"), ("S$", "SGD"), ("R$", "BRL"), ("MX$", "MXN"),
    ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"), ("₹", "INR"), ("₩", "KRW"),
    ("₽", "RUB"), ("₺", "TRY"), ("₪", "ILS"), ("฿", "THB"), ("₫", "VND"), ("₴", "UAH"),
    ("₦", "NGN"), ("₱", "PHP"), ("zł", "PLN"), ("Kč", "CZK"), ("CHF", "CHF"),
)  # fmt: skip
_ISO_LIST = (
    "USD EUR GBP JPY CNY INR CAD AUD NZD CHF SEK NOK DKK PLN CZK HUF RON BGN HRK ISK TRY "
    "RUB UAH ILS AED SAR QAR KWD BHD OMR EGP ZAR NGN KES MAD BRL MXN ARS CLP COP PEN UYU "
    "SGD HKD TWD KRW THB VND IDR MYR PHP PKR BDT LKR"
)
ISO_CODES = frozenset(_ISO_LIST.split(" "))
_CODE = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})(?![A-Za-z])")


def currency_in(value: Any) -> str | None:
    """The currency a text amount is written in (``€3,000`` → EUR), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    for match in _CODE.finditer(text):
        code = match.group(1).upper()
        if code in ISO_CODES:
            return code
    for symbol, code in SYMBOLS:
        if symbol in text:
            return code
    return None


def code_of(value: Any) -> str | None:
    """A currency column's cell as an ISO code (``eur`` → EUR, ``€`` → EUR), or None."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.upper() in ISO_CODES or re.fullmatch(r"[A-Za-z]{3}", text):
        return text.upper()
    return currency_in(text) or text


def label_cells(cells: Sequence[Any]) -> list[str | None] | None:
    """Currencies written in a column of amount cells; None when no cell names one.

    Cells without a mark (plain numbers) take the column's currency when the marked cells
    all agree: a workbook's number format is not read, so ``$12,500.00`` beside ``8000``
    means dollars.
    """
    found = map_distinct(currency_in, cells)
    marked = {c for c in found if c is not None}
    if not marked:
        return None
    if len(marked) == 1:
        (only,) = marked
        return [only if not is_blank(c) else None for c in cells]
    return found


def is_blank(value: Any) -> bool:
    """Whether an amount cell is empty for :func:`label_cells` (missing or all spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------- rates


@dataclass(frozen=True)
class Rate:
    """Reporting-currency units per one unit of ``currency``, from ``start`` (None: always)."""

    currency: str
    per_unit: float
    start: date | None = None


@dataclass
class Rates:
    """Exchange rates by currency, dated where the source dates them."""

    reporting: str | None = None
    by_currency: dict[str, list[Rate]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def add(self, rate: Rate) -> None:
        rows = self.by_currency.setdefault(rate.currency, [])
        rows.append(rate)
        rows.sort(key=lambda r: r.start or date.min)

    def lookup(self, currency: str, day: date | None) -> float | None:
        """The rate in force on ``day`` (the latest starting on or before it; the earliest
        when the day comes before every rate; the latest when the day is unknown)."""
        if currency == self.reporting:
            return 1.0
        rows = self.by_currency.get(currency)
        if not rows:
            return None
        if day is None:
            return rows[-1].per_unit
        starts = [r.start or date.min for r in rows]
        at = bisect.bisect_right(starts, day) - 1
        return rows[max(at, 0)].per_unit

    @property
    def empty(self) -> bool:
        return not self.by_currency


def config_rates(reporting: str | None, rates: Mapping[str, float]) -> Rates:
    """``[currency] reporting`` and ``[currency.rates]`` (reporting units per unit)."""
    out = Rates(reporting.upper() if reporting else None)
    for code, value in rates.items():
        out.add(Rate(code.upper(), float(value)))
    if rates:
        out.sources.append("config.toml [currency.rates]")
    return out


# Rates tables: which normalised headers name the currency, the rate and the start date.
_SF_CODE, _SF_RATE = "isocode", "conversionrate"
_CODES = ("currency", "currencycode", "currencyisocode", "isocode", "code")
_RATES = ("rate", "exchangerate", "fxrate", "conversionrate", "ratetoreporting")
_STARTS = ("startdate", "date", "validfrom", "effectivedate", "ratedate", "from")
_CORPORATE = "iscorporate"


@dataclass(frozen=True)
class RatesLayout:
    """Where a rates table keeps its columns, and whether it is Salesforce's (inverted)."""

    code: int
    rate: int
    start: int | None
    corporate: int | None
    inverted: bool


def rates_layout(headers: Sequence[Any]) -> RatesLayout | None:
    """The columns of an exchange-rates table, or None if ``headers`` are not one.

    A rates table has a currency column and a rate column and nothing that makes it a deal
    table (no stage, owner or amount): Salesforce CurrencyType / DatedConversionRate
    (``IsoCode``, ``ConversionRate``, ``StartDate``) or a sheet like ``Currency | Rate``.
    """
    index = {normalise(h): i for i, h in reversed(list(enumerate(headers))) if h is not None}
    if any(n in index for n in ("stage", "stagename", "amount", "owner", "ownerid")):
        return None
    code = next((index[n] for n in _CODES if n in index), None)
    rate = next((index[n] for n in _RATES if n in index), None)
    inverted = _SF_CODE in index and _SF_RATE in index
    # A sheet of our own is small; Salesforce's exports carry audit columns besides.
    if code is None or rate is None or (len(index) > 8 and not inverted):
        return None
    start = next((index[n] for n in _STARTS if n in index), None)
    return RatesLayout(code, rate, start, index.get(_CORPORATE), inverted)


def table_rates(
    layout: RatesLayout, rows: Iterable[Sequence[Any]], parse_day: Any, parse_number: Any
) -> tuple[list[Rate], str | None, list[tuple[int, Any]]]:
    """Rates from a rates table's data rows → (rates, corporate currency, unreadable rows).

    ``parse_day``/``parse_number`` are the readers' cell parsers (they raise ValueError).
    Salesforce rates (units per corporate unit) are inverted; the corporate currency is the
    one flagged IsCorporate, else the one whose every rate is 1.
    """
    rates: list[Rate] = []
    bad: list[tuple[int, Any]] = []
    corporate: str | None = None
    ones: dict[str, bool] = {}
    for number, row in enumerate(rows):

        def cell(col: int | None, row: Sequence[Any] = row) -> Any:
            return row[col] if col is not None and col < len(row) else None

        code = code_of(cell(layout.code))
        if code is None:
            continue
        raw_start = cell(layout.start)
        try:
            value = parse_number(cell(layout.rate))
            # Salesforce starts the first period on 0001-01-01: "since always".
            always = raw_start is None or str(raw_start).startswith("0001")
            start = None if always else parse_day(raw_start)
        except ValueError:
            bad.append((number, cell(layout.rate)))
            continue
        if value is None or value <= 0:
            bad.append((number, cell(layout.rate)))
            continue
        if layout.inverted:
            ones[code] = ones.get(code, True) and value == 1
            if layout.corporate is not None and str(cell(layout.corporate)).lower() in (
                "true",
                "1",
            ):
                corporate = code
            value = 1 / value
        rates.append(Rate(code, value, start))
    if layout.inverted and corporate is None:
        units = [c for c, one in ones.items() if one]
        corporate = units[0] if len(units) == 1 else None
    return rates, corporate, bad


def fmt_amount(value: float) -> str:
    """``12,500`` or ``3,500.50``: amounts in messages."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


# ---------------------------------------------------------------- conversion

COUNTS_ONLY = "counts-only"
NO_CURRENCY = "(no currency given)"


def _day(record: Mapping[str, Any]) -> date | None:
    return record.get("close_date") or record.get("created_date")


# Zoho CRM exports each deal's own exchange rate beside its currency, read here as units of
# the deal's currency per one unit of the organisation's home currency, so a deal's home
# amount is its amount divided by its rate; the home currency's own rows carry 1. Zoho's
# documentation does not settle the direction: it says only "the rate at which the currency
# has to be exchanged for home currency" (CRM API, Update Currencies) and "used to convert an
# amount in one currency to the home currency" (CRM Help, Implementing Multiple Currencies),
# with no formula or figures. The one concrete sign is third-party: a Deluge script that
# keeps Zoho's rates current (gist squarelabsgit/19db97356b379b7c30266d10526e6df6) writes
# ExchangeRate-API's per-one-home-unit rates into exchange_rate unchanged. docs/inputs.md
# says how to check it on a real export; tests/read/test_read_zoho_rates.py pins the figure.
ROW_RATE = "exchange_rate"
ROW_RATE_HEADERS = ("exchangerate",)


def row_home(records: Iterable[Mapping[str, Any]]) -> str | None:
    """The home currency of per-row rates: the one currency whose rows all carry rate 1."""
    ones: dict[str, bool] = {}
    for record in records:
        code, rate = record.get("currency"), record.get(ROW_RATE)
        if code and rate is not None:
            ones[code] = ones.get(code, True) and rate == 1
    homes = [code for code, one in ones.items() if one]
    return homes[0] if len(homes) == 1 else None


def _converter(rates: Rates, home: str | None, target: str | None) -> Any:
    """``record → (its amount in target (None: no rate), whether its own rate took it)``,
    per-row rates first."""

    def converted(record: Mapping[str, Any]) -> tuple[float | None, bool]:
        amount, code = record["amount"], record.get("currency")
        if target is None or code is None:
            return None, False
        if code == target:
            return float(amount), False
        row = record.get(ROW_RATE)
        if home is not None and row is not None and row > 0:
            in_home = amount / row
            if target == home:
                return float(in_home), True
            onward = rates.lookup(home, _day(record))
            return (None if onward is None else in_home * onward), True
        rate = rates.lookup(code, _day(record))
        return (None if rate is None else amount * rate), False

    return converted


def convert(
    records: Sequence[dict[str, Any]],
    rates: Rates,
    counts_only: bool,
    refuse: Any,
    own_rate: Any = None,
) -> str | None:
    """Put every amount in one currency; return that currency's code (None: unknown).

    ``refuse(record, why)`` is called for each amount left out under counts-only. Raises
    :class:`MixedCurrencies` when amounts are in several currencies and some have no rate.
    A per-row exchange rate (Zoho CRM, :data:`ROW_RATE`) converts its row to the home
    currency; the reporting currency defaults to that home currency. ``own_rate(record,
    home)`` is called for each amount converted from another currency than ``home`` by its
    own rate, once the conversion is made (Zoho's docs do not state the rate's direction,
    so the caller says it was used).
    """
    priced = [r for r in records if r.get("amount") is not None]
    seen: set[str | None] = {r.get("currency") for r in priced}
    known: list[str] = sorted(c for c in seen if c)
    if not known:
        return rates.reporting
    if len(known) == 1 and None not in seen and rates.reporting in (None, known[0]):
        for record in priced:
            record["currency"] = known[0]
        return known[0]
    home = row_home(priced)
    target = rates.reporting or home
    converted = _converter(rates, home, target)
    # priced is not empty here: some amount has a currency (known).
    amounts, by_own_rate = zip(*map(converted, priced), strict=True)
    missing: dict[str, list[str]] = {}
    for record, amount in zip(priced, amounts, strict=True):
        if amount is None:
            code = record.get("currency") or NO_CURRENCY
            missing.setdefault(code, []).append(record["source_file"])
    if not missing:
        for record, amount, by_own in zip(priced, amounts, by_own_rate, strict=True):
            if by_own and own_rate is not None and record.get("currency") != home:
                own_rate(record, home)
            record["amount"] = amount
            record["currency"] = target
        return str(target)
    if not counts_only:
        raise MixedCurrencies(known + ([NO_CURRENCY] if None in seen else []), target, missing)
    why = (
        "amounts are in several currencies and no reporting currency is set"
        if target is None
        else f"no rate from {', '.join(sorted(missing))} to {target}"
    )
    for record in priced:
        refuse(record, why)
        record["amount"] = None
    return None


class MixedCurrencies(Exception):
    """Amounts in several currencies that cannot all be converted (turned into an InputError)."""

    def __init__(self, codes: list[str], target: str | None, missing: dict[str, list[str]]):
        self.codes, self.target, self.missing = codes, target, missing
        by_file: dict[str, list[str]] = {}
        for code, files in sorted(missing.items()):
            for name in sorted(set(files)):
                by_file.setdefault(name, []).append(code)
        where = "; ".join(f"{', '.join(codes)} in {name}" for name, codes in by_file.items())
        if target is None:
            message = (
                f"amounts are in {len(codes)} currencies ({', '.join(codes)}) and adding them "
                f"up would mix them; no reporting currency is set ({where})"
            )
        else:
            message = (
                f"amounts are in {len(codes)} currencies ({', '.join(codes)}) and there is no "
                f"rate to {target} for {', '.join(sorted(missing))} ({where})"
            )
        super().__init__(message)

    hint = (
        'give rates in config.toml: [currency] reporting = "USD" and under [currency.rates] '
        "one line per currency, e.g. EUR = 1.08 (USD per 1 EUR); or add a rates sheet or file "
        "with Currency and Rate columns (a Salesforce DatedConversionRate or CurrencyType "
        'export works as it is); or set [currency] missing_rates = "counts-only" to count '
        "deals without adding up any amount"
    )
