"""Cell values → Python values: text, amounts, dates and yes/no flags.

Each parser returns ``None`` for a blank cell and raises :class:`ValueError` for a value it
cannot read, so the caller can record an issue naming the cell. Column-wide decisions
(decimal comma, day-first dates) are made once per column by the ``*_column`` helpers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from reporter.vocabulary import is_missing

_SPACE = re.compile(r"\s+")
_CLEAN = re.compile(r"\S+(?: \S+)*")  # nothing for clean_text to strip or collapse
# Tokens that mean "no value" in number and date columns (never in text columns: "NA"
# is a region there).
_NULLS = frozenset({"", "-", "–", "—", "n/a", "na", "null", "none", "nan", "nat", "#n/a"})
EXCEL_ERROR = re.compile(
    r"^#(DIV/0!|N/A|REF!|VALUE!|NAME\?|NUM!|NULL!|SPILL!|CALC!|FIELD!|GETTING_DATA|BLOCKED!)$",
    re.IGNORECASE,
)


# A cell that says nothing: None, NaN, NA/NaT, or text of spaces only (one rule for all).
is_blank = is_missing


def clean_text(value: Any) -> str | None:
    """Text as written, stripped, inner whitespace collapsed; integral floats lose ``.0``."""
    if value.__class__ is str and _CLEAN.fullmatch(value):
        return value  # already clean: most text is
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = _SPACE.sub(" ", str(value)).strip()
    return text or None


# Whitespace other than a plain space, which clean_text would turn into one.
_OTHER_SPACE = re.compile(r"[^\S ]")
# The ASCII ones, each found by a one-character search (NUL, the separator, is not one).
_ASCII_SPACES = ("\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def all_clean(texts: list[str]) -> bool:
    """Whether :func:`clean_text` gives every one of ``texts`` back as it is, in one pass."""
    joined = "\x00".join(texts)  # NUL is not whitespace: it marks where texts end
    if (
        "" in texts
        or "  " in joined
        or " \x00" in joined
        or "\x00 " in joined
        or joined.startswith(" ")
        or joined.endswith(" ")
    ):
        return False
    if joined.isascii():
        return not any(space in joined for space in _ASCII_SPACES)
    return _OTHER_SPACE.search(joined) is None


def _null_token(value: Any) -> bool:
    return is_blank(value) or (isinstance(value, str) and value.strip().casefold() in _NULLS)


# ---------------------------------------------------------------- amounts

_CURRENCY = re.compile(r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$|[$€£¥₹₩₽₺₪฿₫₴₦₱]|US\$|C\$|A\$|R\$")
_GROUP_SPACE = re.compile(r"[\s\u00a0\u202f'’]")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_DIGITS = re.compile(r"^\d+([.,]\d+)?$")


def _strip_amount(text: str) -> tuple[str, bool]:
    """Remove currency marks and group spaces; return (core digits, negative?)."""
    core = text.strip()
    negative = False
    if core.startswith("(") and core.endswith(")"):
        negative, core = True, core[1:-1].strip()
    core = _CURRENCY.sub("", core).strip()
    if core.startswith("-") or core.startswith("−"):
        negative, core = not negative, core[1:]
    elif core.endswith("-"):
        negative, core = not negative, core[:-1]
    core = _CURRENCY.sub("", core.strip())
    return _GROUP_SPACE.sub("", core), negative


def decimal_comma_column(values: list[Any]) -> bool:
    """True when the column's text amounts use a comma as the decimal separator.

    Evidence for a decimal comma is ``1.234,56`` or ``3000,5``; evidence against is any
    ``1,234.56`` or ``12.5``. Only one kind of evidence decides; none means "no".
    """
    comma = point = False
    for value in values:
        if not isinstance(value, str) or not value:
            continue
        core, _ = _strip_amount(value)
        if "," in core and "." in core:
            if core.rfind(",") > core.rfind("."):
                comma = True
            else:
                point = True
        elif "," in core and not _THOUSANDS_COMMA.match(core):
            comma = True
        elif "." in core and not _THOUSANDS_DOT.match(core):
            point = True
        if comma and point:
            return False
    return comma and not point


def could_group(value: Any) -> bool:
    """Whether a text amount's one comma could as well group thousands as mark decimals
    (``$1,000``, ``12,500``): in a column that writes decimals with a comma it reads 1.0 or
    12.5, though its writer may have meant 1,000 or 12,500."""
    if not isinstance(value, str):
        return False
    return _one_group_comma(_strip_amount(value)[0])


def _one_group_comma(core: str) -> bool:
    return core.count(",") == 1 and _THOUSANDS_COMMA.match(core) is not None


def parse_amount(value: Any, decimal_comma: bool = False) -> float | None:
    """A money amount from a number or text like ``$12,500.00``, ``(1,200)``, ``1.234,56``."""
    if isinstance(value, bool):
        raise ValueError("a yes/no value is not an amount")
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        return float(value)
    if _null_token(value):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} is not an amount")
    core, negative = _strip_amount(value)
    if "," in core and "." in core:
        decimal = "," if core.rfind(",") > core.rfind(".") else "."
        group = "." if decimal == "," else ","
        core = core.replace(group, "").replace(decimal, ".")
    elif "," in core:
        if decimal_comma and _one_group_comma(core):
            # 1,000 in a column that writes 12,50: one thousand or one? Refused, never guessed.
            raise ValueError(f"{value!r} could be thousands or decimals")
        if decimal_comma and core.count(",") == 1:
            core = core.replace(",", ".")
        elif _THOUSANDS_COMMA.match(core):
            core = core.replace(",", "")
        elif core.count(",") == 1:
            core = core.replace(",", ".")
    elif "." in core and (decimal_comma or core.count(".") > 1) and _THOUSANDS_DOT.match(core):
        core = core.replace(".", "")
    if not _DIGITS.match(core):
        raise ValueError(f"{value!r} is not an amount")
    number = float(core)
    return -number if negative else number


# ---------------------------------------------------------------- dates

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
NUMERIC_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:$|[T\s,])")
_SERIAL_TEXT = re.compile(r"^\d{4,5}(\.\d+)?$")
_NAMED_FORMATS = (
    "%d %b %Y",
    "%d %b, %Y",  # Zoho CRM: "15 Apr, 2021 00:02:00" (the time is split off first)
    "%d %B, %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d. %B %Y",
    "%a, %d %b %Y",
)
_EXCEL_1900 = date(1899, 12, 30)
_EXCEL_1904 = date(1904, 1, 1)
_MAX_SERIAL = 2958465  # 9999-12-31


def excel_serial(serial: float, date1904: bool = False) -> date:
    """An Excel serial day number → date (1900 or 1904 system; 60 is the fake 1900-02-29)."""
    whole = int(serial)
    if not 1 <= whole <= _MAX_SERIAL:
        raise ValueError(f"{serial!r} is not a date serial number")
    if date1904:
        return _EXCEL_1904 + timedelta(days=whole)
    if whole == 60:
        raise ValueError("serial 60 is 29 Feb 1900, a day that never existed")
    # Excel counts the non-existent 29 Feb 1900, so serials before it are one day off.
    return _EXCEL_1900 + timedelta(days=whole if whole > 60 else whole + 1)


# A time of day after a date: "00:02:00", "12:02 AM", "T10:00:00.000Z", "08:55 PM +0000".
_TIME_OF_DAY = re.compile(
    r"(?:[\sT]+|,\s*)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([AaPp]\.?\s?[Mm]\.?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?\s*$"
)


def split_time(text: str) -> tuple[str, time | None]:
    """``"15 Apr, 2021 00:02:00"`` → (``"15 Apr, 2021"``, 00:02). No time → (text, None)."""
    match = _TIME_OF_DAY.search(text)
    if not match:
        return text, None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    meridiem = (match.group(4) or "").replace(".", "").replace(" ", "").lower()
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return text, None
    return text[: match.start()].strip(), time(hour, minute, second)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 69 else 1900
    return year


DAY_FIRST, MONTH_FIRST, AMBIGUOUS = "day-first", "month-first", "ambiguous"


def order_evidence(values: Sequence[Any]) -> str | None:
    """What a column's numeric text dates say: day-first, month-first, ambiguous or nothing.

    A first part above 12 (``25/03``) is day-first evidence, a second part above 12
    (``03/25``) month-first; month-first wins when both appear. ``ambiguous``: some value
    (like 03/04/2024) reads differently either way and nothing decides.
    """
    day = month = undecided = False
    for value in values:
        if not isinstance(value, str):
            continue
        match = NUMERIC_DATE.match(value.strip())
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            day = True
        elif second > 12 >= first:
            month = True
        elif first != second:
            undecided = True
    if month:
        return MONTH_FIRST
    if day:
        return DAY_FIRST
    return AMBIGUOUS if undecided else None


def day_first_column(values: list[Any]) -> tuple[bool, bool]:
    """Decide ``dd/mm`` vs ``mm/dd`` for one column alone → (day_first, ambiguous)."""
    evidence = order_evidence(values)
    return evidence == DAY_FIRST, evidence == AMBIGUOUS


EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def parse_date(value: Any, day_first: bool = False, date1904: bool = False) -> date | None:
    """A calendar day from a real date, an Excel serial, or text; any time of day is dropped.

    Days outside 1900-2199 are refused as typos (a year like 3026), which also keeps every
    date inside what pandas can hold.
    """
    day = _parse_any(value, day_first, date1904)
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValueError(f"{day.isoformat()} is outside 1900-2199 (a typo in the year?)")
    return day


def _parse_any(value: Any, day_first: bool, date1904: bool) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError("a yes/no value is not a date")
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        return excel_serial(value, date1904)
    if _null_token(value):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} is not a date")
    return _parse_date_text(value.strip(), day_first, date1904)


def _parse_date_text(text: str, day_first: bool, date1904: bool) -> date:
    match = _ISO.match(text)
    if match:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = NUMERIC_DATE.match(text)
    if match:
        a, b = int(match.group(1)), int(match.group(2))
        day, month = (a, b) if day_first else (b, a)
        return date(_year(match.group(3)), month, day)
    match = _COMPACT.match(text)
    if match:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if _SERIAL_TEXT.match(text):
        return excel_serial(float(text), date1904)
    head = _SPACE.sub(" ", split_time(text)[0].split("T")[0])
    for fmt in _NAMED_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date")


# ---------------------------------------------------------------- yes/no

_TRUE = frozenset({"1", "1.0", "true", "t", "yes", "y", "x", "won", "closed", "✓", "✔"})
_FALSE = frozenset({"", "0", "0.0", "false", "f", "no", "n", "-"})


def parse_bool(value: Any) -> bool:
    """A yes/no flag: 1/0, TRUE/FALSE, yes/no, y/n, x; a blank cell is false."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return False
        if value in (0, 1):
            return bool(value)
        raise ValueError(f"{value!r} is not a yes/no value")
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a yes/no value")
