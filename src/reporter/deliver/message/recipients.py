"""Who receives which briefing: config first, else the reps table's manager e-mail.

Addresses are parsed strictly: anything with a control character (CR, LF, NUL, ...), more
than one address, or a malformed addr-spec is refused, so data from a cell can never add
a header or a recipient.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from email.errors import HeaderParseError, InvalidHeaderDefect
from email.headerregistry import Address

import pandas as pd

from reporter.vocabulary import UNKNOWN, is_missing

# The briefing dimension → the opportunities column holding it.
_DIMENSION_COLUMN = {"deal_type": "type"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_NAME_ADDR = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]+)>\s*$")


class BadAddress(ValueError):
    """An e-mail address that cannot be used safely; the message says why."""


def parse_address(text: str) -> Address:
    """Parse ``"a@b.com"`` or ``"Name <a@b.com>"`` into an :class:`Address`, strictly.

    Raises :class:`BadAddress` for control characters (header injection), several
    addresses in one string, or anything that is not one plain addr-spec.
    """
    if not isinstance(text, str) or not text.strip():
        raise BadAddress("empty address")
    if _CONTROL.search(text):
        raise BadAddress(f"address {text!r} contains a line break or control character")
    match = _NAME_ADDR.match(text)
    name, addr = (match["name"].strip().strip('"'), match["addr"].strip()) if match else ("", text)
    addr = addr.strip()
    if addr.count("@") != 1 or "," in addr or ";" in addr or " " in addr:
        raise BadAddress(f"{text!r} is not one e-mail address")
    try:
        address = Address(display_name=name, addr_spec=addr)
    except (ValueError, HeaderParseError, InvalidHeaderDefect, IndexError) as exc:
        raise BadAddress(f"{text!r} is not a valid e-mail address ({exc})") from None
    if not address.username or not address.domain:
        raise BadAddress(f"{text!r} is not a valid e-mail address (needs user@domain)")
    return address


def segment_column(by: str) -> str:
    """The opportunities column that holds briefing dimension ``by``."""
    return _DIMENSION_COLUMN.get(by, by)


def from_opportunities(opportunities: pd.DataFrame, by: str) -> dict[str, tuple[str, ...]]:
    """Segment → distinct ``manager_email`` values of that segment's rows (sorted)."""
    column = segment_column(by)
    if column not in opportunities.columns or "manager_email" not in opportunities.columns:
        return {}
    frame = opportunities[[column, "manager_email"]]
    out: dict[str, set[str]] = {}
    for segment, email in frame.itertuples(index=False, name=None):
        if is_missing(email):
            continue
        key = UNKNOWN if is_missing(segment) else str(segment)
        out.setdefault(key, set()).add(str(email).strip())
    return {k: tuple(sorted(v, key=str.lower)) for k, v in out.items()}


def resolve(
    segments: Iterable[str],
    configured: Mapping[str, tuple[str, ...]],
    from_data: Mapping[str, tuple[str, ...]],
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Recipients per segment, and warnings about segments or addresses left out.

    ``[briefings.recipients]`` wins for a segment it names (exact name, else the same
    name ignoring case); otherwise the managers' addresses from the data are used.
    Returned addresses are normalised (``Name <user@domain>``) and de-duplicated.
    """
    folded = {k.casefold(): v for k, v in configured.items()}
    result: dict[str, tuple[str, ...]] = {}
    warnings: list[str] = []
    for segment in segments:
        raw = configured.get(segment) or folded.get(segment.casefold()) or from_data.get(segment)
        good, skipped = addresses(raw or (), f"segment {segment!r}")
        warnings += skipped
        if not good:
            warnings.append(
                f"segment {segment!r} has no recipient: add it to [briefings.recipients]"
                " in config.toml or give its manager an e-mail in the reps sheet"
            )
        result[segment] = good
    return result, warnings


def addresses(raw: Iterable[str], label: str) -> tuple[tuple[str, ...], list[str]]:
    """Parsed, normalised, de-duplicated addresses, and a warning for each one skipped."""
    good: list[str] = []
    warnings: list[str] = []
    for text in raw:
        try:
            address = str(parse_address(text))
        except BadAddress as exc:
            warnings.append(f"{label}: skipped {exc}")
            continue
        if address.lower() not in {g.lower() for g in good}:
            good.append(address)
    return tuple(good), warnings
