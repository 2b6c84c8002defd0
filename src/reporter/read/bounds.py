"""How big is each sheet of a workbook really? Measured by streaming its XML, before any parser.

A native reader (calamine) allocates a dense grid from the first to the last cell it meets:
one cell at ``XFD1048576`` asks for 17 billion cells (512 GB) and aborts the process; one at
``CZ1048576`` takes 4.4 GB. Memory follows the *position* of the last cell, not the size of
the file. So before any parser sees an .xlsx, every worksheet part is inflated in chunks (never
whole) and scanned for its declared ``<dimension>``, the largest row and column any cell
names, and how many cells it holds. A sheet whose grid would be far larger than its cells
(a stray formatted cell far away) is *sparse* and is read without a dense grid
(:mod:`reporter.read.sparse`); a sheet with more cells than the limit, or a part that inflates
beyond what its header declared or beyond the byte cap, is refused.

The scan trusts nothing about the order of rows and cells: a row written last may be any
row, so every reference that would raise a maximum is searched for. The same pass notes
whether the part holds an error cell or a formula, so the reader never inflates the XML a
second time just to find out that it holds neither.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from reporter.config import Limits
from reporter.errors import UnreadableFile

EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384

_CHUNK = 4 * 1024 * 1024
_HEAD = 64 * 1024
# The namespace prefix is free: the .NET Open XML SDK writes <x:c r="A1">.
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref="([^"]{1,40})"')
_RANGE_END = re.compile(r"^\$?([A-Za-z]{1,3})?\$?(\d{1,7})?$")
# Cell references are r="<letters><digits>"; rows are r="<digits>".
_CELL_REF = re.compile(rb'r="\$?([A-Z]{0,3})\$?(\d{1,9})"')
# A row element's number (any namespace prefix), looked for in a block's last bytes.
_LAST_ROW = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\sr="0*(\d{1,9})"')
_TAIL = 64 * 1024
# What makes the reader look closer at a part: an error cell, a formula (<f>, <f t=…>, <f/>;
# not the <filterColumn> of an autofilter or the <firstHeader> of a print setup).
MARKERS = (b't="e"', b"<f>", b"<f ", b"<f/>")


def has_marker(body: bytes) -> bool:
    """Whether ``body`` holds one of :data:`MARKERS`.

    A marker is searched for only where its letter is in the block at all: ``e`` and ``f``
    are rare in sheet XML (tags and references are ``c``, ``r``, ``v``, ``s``, ``t`` and
    capitals), and a one-byte search runs at memory speed where a search for ``t="e``
    stops at every ``t="s"``. ``<f`` stands for the three formula markers and is looked at
    closer only when present.
    """
    if b"e" in body and b't="e"' in body:
        return True
    return b"f" in body and b"<f" in body and any(marker in body for marker in MARKERS[1:])


WORKSHEET_TYPE = "/worksheet"


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class SheetExtent:
    """What one worksheet part holds: its declared range and what its cells really name."""

    part: str
    declared_rows: int
    declared_columns: int
    max_row: int
    max_column: int
    cells: int  # cell and row references: a close upper bound on the cells
    unpacked: int
    markers: bool = True  # an error cell or a formula somewhere in the part

    @property
    def grid(self) -> int:
        """Cells a dense reader would allocate: the larger of the declared and the real range."""
        rows = max(self.declared_rows, self.max_row)
        columns = max(self.declared_columns, self.max_column)
        return rows * columns

    def is_sparse(self, limits: Limits) -> bool:
        """True when a dense grid would be too big, or much bigger than the cells present."""
        if self.grid > limits.max_grid_cells:
            return True
        return self.grid > max(limits.sparse_factor * self.cells, 1_000_000)


def column_number(letters: str | bytes) -> int:
    """``"A"`` → 1, ``"XFD"`` → 16384."""
    text = letters.decode() if isinstance(letters, bytes) else letters
    number = 0
    for char in text.upper():
        number = number * 26 + (ord(char) - 64)
    return number


def _declared(ref: str) -> tuple[int, int]:
    """``"A1:XFD1048576"`` → (1048576, 16384); nonsense → (0, 0)."""
    rows = columns = 0
    for end in ref.split(":"):
        match = _RANGE_END.match(end.strip())
        if not match:
            return 0, 0
        letters, digits = match.groups()
        if letters:
            columns = max(columns, column_number(letters))
        if digits:
            rows = max(rows, int(digits))
    return rows, columns


def _too_large(display: str, why: str) -> UnreadableFile:
    return UnreadableFile(
        f"{display}: the workbook is damaged or too large ({why})",
        hint="open it in Excel, delete what lies beyond the table (select the empty rows and "
        "columns, Delete), save it again; or raise the limit in config.toml [limits]",
    )


def worksheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """Names of the worksheet parts of an .xlsx (chart sheets and dialogs excluded)."""
    names = set(archive.namelist())
    parts = sorted(n for n in names if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n))
    return parts


def _beyond(max_column: int, max_row: int) -> re.Pattern[bytes]:
    """A reference with a column right of ``max_column`` or a row above ``max_row``.

    Cell references (``r="AB12"``) and row references (``r="12"``) both count. Searching only
    for what would raise the maxima lets the regex engine skip the millions of ordinary
    references at the speed of its literal search; a full ``findall`` is 10x slower on a
    1,048,575-row sheet.
    """
    letters = _letters(max_column) if max_column else ""
    wider = [f"[A-Z]{{{len(letters) + 1},3}}"] if len(letters) < 3 else []
    for i, char in enumerate(letters):
        if char != "Z":
            rest = len(letters) - i - 1
            tail = f"[A-Z]{{{rest}}}" if rest else ""
            wider.append(f"{letters[:i]}[{chr(ord(char) + 1)}-Z]{tail}")
    if not letters:
        wider = ["[A-Z]{1,3}"]
    pattern = (
        f'r="\\$?(?:(?:{"|".join(wider)})\\$?[0-9]|(?:[A-Z]{{1,3}}\\$?)?0*(?:{_above(max_row)})")'
    )
    return re.compile(pattern.encode())


def _above(number: int) -> str:
    """A regex for the decimal numbers above ``number`` (leading zeros are the caller's)."""
    digits = str(number) if number > 0 else ""
    longer = f"[1-9][0-9]{{{len(digits)},}}" if digits else "[1-9][0-9]*"
    same = []
    for i, char in enumerate(digits):
        if char != "9":
            rest = len(digits) - i - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            same.append(f"{digits[:i]}[{int(char) + 1}-9]{tail}")
    return "|".join([longer, *same])


def _letters(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


class _Scan:
    """Running maxima over the blocks of one part."""

    def __init__(self) -> None:
        self.max_row = 0
        self.max_column = 0
        self.cells = 0
        self.markers = False
        self.pattern = _beyond(0, 0)

    def feed(self, body: bytes) -> None:
        self.cells += body.count(b' r="')
        if not self.markers:
            # A block ends after a '>', so a marker never straddles two blocks.
            self.markers = has_marker(body)
        # Rows usually come in order, so the block's last row is a good first guess at its
        # largest; the search below then finds any reference above it, in whatever order.
        last = _LAST_ROW.search(body, max(0, len(body) - _TAIL))
        tail_row = 0
        while last is not None:
            tail_row = int(last.group(1))
            last = _LAST_ROW.search(body, last.end())
        if tail_row > self.max_row:
            self.max_row = tail_row
            self.pattern = _beyond(self.max_column, self.max_row)
        at = 0
        while match := self.pattern.search(body, at):
            ref = _CELL_REF.match(body, match.start())
            at = match.end()
            if ref is None:
                continue
            if ref.group(1):
                self.max_column = max(self.max_column, column_number(ref.group(1)))
            self.max_row = max(self.max_row, int(ref.group(2)))
            self.pattern = _beyond(self.max_column, self.max_row)


def scan_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, display: str, budget: int
) -> SheetExtent:
    """Stream one worksheet part, at most ``budget`` inflated bytes; never holds it whole."""
    declared = (0, 0)
    unpacked = 0
    scan = _Scan()
    carry = b""
    head = True
    with archive.open(info) as stream:
        while block := stream.read(_CHUNK):
            unpacked += len(block)
            if unpacked > budget:
                raise _too_large(display, f"its sheet data unpacks beyond {budget // 2**20:,} MB")
            text = carry + block
            if head:
                head = False
                dimension = _DIMENSION.search(text[:_HEAD])
                if dimension:
                    declared = _declared(dimension.group(1).decode("ascii", "replace"))
            # Scan up to the last complete tag; the rest waits for the next block.
            cut = text.rfind(b">") + 1
            body, carry = text[:cut], text[cut:]
            if len(carry) > _CHUNK:  # no '>' in a whole block: not XML a parser would accept
                raise _too_large(display, f"{info.filename} is not well-formed XML")
            scan.feed(body)
    return SheetExtent(
        info.filename,
        declared[0],
        declared[1],
        scan.max_row,
        scan.max_column,
        scan.cells,
        unpacked,
        scan.markers,
    )


def check_packing(display: str, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse a zip whose declared sizes are a bomb: total too large, or one part too dense."""
    total = sum(info.file_size for info in infos)
    if total > limits.max_unpacked_bytes:
        raise _too_large(
            display,
            f"it would unpack to {total / 2**20:,.0f} MB, over the "
            f"{limits.max_unpacked_mb:,} MB limit; possibly a zip bomb",
        )
    for info in infos:
        if info.file_size > 2**20 and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise _too_large(
                display,
                f"{info.filename} unpacks to over {limits.max_ratio} times its packed size; "
                "possibly a zip bomb",
            )


def measure_workbook(
    path: Path, display: str, limits: Limits = DEFAULT_LIMITS
) -> dict[str, SheetExtent]:
    """Every worksheet part of an .xlsx → its extent; raises for bombs and oversize sheets.

    Raises :class:`~reporter.errors.UnreadableFile` ("damaged or too large", the file named)
    for a zip that cannot be opened, declared sizes that make a bomb, a part that inflates
    beyond the byte cap or its declared size, or a sheet with more cells than
    ``limits.max_cells``. Sparse sheets are returned, not refused: the caller reads them
    without a dense grid.
    """
    extents: dict[str, SheetExtent] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            check_packing(display, infos, limits)
            budget = limits.max_unpacked_bytes
            by_name = {info.filename: info for info in infos}
            for part in worksheet_parts(archive):
                extent = scan_part(archive, by_name[part], display, budget)
                budget -= extent.unpacked
                if extent.cells > limits.max_cells:
                    raise _too_large(
                        display,
                        f"{part} holds about {extent.cells:,} cells, "
                        f"over the {limits.max_cells:,} limit",
                    )
                extents[part] = extent
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,  # a compression method zipfile lacks
        RuntimeError,  # an encrypted zip member
    ) as exc:
        raise UnreadableFile(
            f"{display}: the workbook is damaged or incomplete ({exc})",
            hint="if the file was still being copied, wait and try again; else save it again",
        ) from None
    return extents
