"""CSV text files → one :class:`RawSheet`: encoding detection and delimiter sniffing.

Every value stays text; the normaliser parses amounts and dates per column.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from reporter.errors import UnreadableFile
from reporter.read.raw import RawSheet

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 50


def decode(data: bytes, display: str) -> tuple[str, str]:
    """Bytes → (text, encoding name). BOM first, then UTF-8, then a detector, then cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data, "utf-8-sig", display), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", display), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _detect(data)
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"


def _decode(data: bytes, encoding: str, display: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"{display}: the text is not valid {encoding} ({exc.reason} at byte {exc.start})",
            hint="save the file again as 'CSV UTF-8'",
        ) from None


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    # Sales exports from Windows Excel are cp1252; the detector often names a sibling
    # code page that differs only in characters never seen in such files.
    if best.encoding in ("cp1250", "cp1252", "latin_1", "iso8859_15", "iso8859_1"):
        return "cp1252"
    return str(best.encoding)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, and most regular, fields."""
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [row for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not rows:
            continue
        widths = Counter(len(row) for row in rows)
        width, count = widths.most_common(1)[0]
        if width < 2:
            continue
        score = (count / len(rows), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes, display: str) -> RawSheet:
    """Decode, sniff and split a CSV file. Row numbers are the line each record starts on."""
    text, _ = decode(data, display)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    numbers: list[int] = []
    start = 1
    try:
        for row in reader:
            rows.append(row)
            numbers.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableFile(
            f"{display}: the CSV file cannot be split into fields at line {reader.line_num} "
            f"({exc})",
            hint="check for an unclosed quote near that line, or export the file again",
        ) from None
    return RawSheet(display, None, rows, numbers)
