"""Read an .xlsx sheet cell by cell, keeping only the rows that hold something.

For sheets whose grid would be far larger than their cells (:mod:`reporter.read.bounds`): a
table of 10 rows plus one stray cell at ``CZ1048576`` becomes 11 rows with their real row
numbers, in the memory of 11 rows, where a dense reader would build 109 million cells.
Values come out as calamine gives them (text, float, bool, ``date``/``datetime`` for
date-formatted numbers, ``""`` for an error cell, flagged), so the rest of the reader cannot
tell the two apart. XML is parsed with defusedxml (no entities, no DTD).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from reporter.read.bounds import column_number
from reporter.read.raw import RawSheet

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
# Built-in number formats that are dates or times (ECMA-376 §18.8.30, plus the CJK ones).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


@dataclass(frozen=True)
class SheetEntry:
    """One sheet as the workbook lists it."""

    name: str
    part: str
    state: str  # "visible", "hidden" or "veryHidden"
    worksheet: bool  # False for chart sheets, dialogs and macro sheets


def is_date_format(code: str) -> bool:
    """Whether a custom number format shows a date or time (``yyyy-mm-dd``, ``d mmm``…)."""
    bare = _QUOTED.sub("", code).lower()
    if "general" in bare and not any(ch in bare.replace("general", "") for ch in "ymdhs"):
        return False
    return any(ch in bare for ch in "ymdhs")


def _parse(data: bytes) -> Any:
    from defusedxml import ElementTree

    return ElementTree.fromstring(data)


class SparseWorkbook:
    """An open .xlsx read cell by cell; :meth:`read` gives one sheet as a :class:`RawSheet`."""

    def __init__(self, archive: zipfile.ZipFile, display: str) -> None:
        self.archive = archive
        self.display = display
        self.entries, self.date1904 = self._workbook()
        self._strings: list[str] | None = None
        self._date_styles: list[bool] | None = None

    def _workbook(self) -> tuple[list[SheetEntry], bool]:
        names = set(self.archive.namelist())
        from reporter.read.excel import not_calculated

        data = self.archive.read("xl/workbook.xml")
        self.uncomputed = not_calculated(data)
        workbook = _parse(data)
        pr = workbook.find(f"{_MAIN}workbookPr")
        date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        targets: dict[str | None, tuple[str, str]] = {}
        if "xl/_rels/workbook.xml.rels" in names:
            rels = _parse(self.archive.read("xl/_rels/workbook.xml.rels"))
            for rel in rels.iter(f"{_PKG_REL}Relationship"):
                targets[rel.get("Id")] = (rel.get("Target", ""), rel.get("Type", ""))
        entries = []
        for sheet in workbook.iter(f"{_MAIN}sheet"):
            target, kind = targets.get(sheet.get(f"{_REL}id"), ("", ""))
            if not target:
                continue
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            part = str(PurePosixPath(part))
            entries.append(
                SheetEntry(
                    sheet.get("name", ""),
                    part,
                    sheet.get("state", "visible"),
                    kind.endswith("/worksheet") and part in names,
                )
            )
        return entries, date1904

    @property
    def strings(self) -> list[str]:
        """The shared-strings table (read once, streamed)."""
        if self._strings is None:
            self._strings = list(self._iter_strings())
        return self._strings

    def _iter_strings(self) -> Iterator[str]:
        from defusedxml.ElementTree import iterparse

        if "xl/sharedStrings.xml" not in set(self.archive.namelist()):
            return
        with self.archive.open("xl/sharedStrings.xml") as stream:
            for _event, elem in iterparse(stream, events=("end",)):
                if elem.tag == f"{_MAIN}si":
                    yield _text(elem)
                    elem.clear()

    @property
    def date_styles(self) -> list[bool]:
        """Per cell style index: does its number format show a date?"""
        if self._date_styles is None:
            self._date_styles = self._read_date_styles()
        return self._date_styles

    def _read_date_styles(self) -> list[bool]:
        if "xl/styles.xml" not in set(self.archive.namelist()):
            return []
        styles = _parse(self.archive.read("xl/styles.xml"))
        custom: dict[int, bool] = {}
        formats = styles.find(f"{_MAIN}numFmts")
        for fmt in formats if formats is not None else []:
            try:
                custom[int(fmt.get("numFmtId", "-1"))] = is_date_format(fmt.get("formatCode", ""))
            except ValueError:
                continue
        out: list[bool] = []
        xfs = styles.find(f"{_MAIN}cellXfs")
        for xf in xfs if xfs is not None else []:
            try:
                fid = int(xf.get("numFmtId", "0"))
            except ValueError:
                fid = 0
            out.append(custom.get(fid, fid in _DATE_FORMAT_IDS))
        return out

    def read(self, entry: SheetEntry) -> RawSheet:
        """Every non-empty row of one sheet, with its Excel row number; cells flagged."""
        from defusedxml.ElementTree import iterparse

        rows: list[list[Any]] = []
        numbers: list[int] = []
        flags: dict[tuple[int, int], tuple[str, str]] = {}
        last_row = 0
        with self.archive.open(entry.part) as stream:
            for _event, elem in iterparse(stream, events=("end",)):
                if elem.tag != f"{_MAIN}row":
                    continue
                number = _int(elem.get("r"), last_row + 1)
                last_row = number
                values, row_flags = self._row(elem)
                elem.clear()
                if not values:
                    continue
                index = len(rows)
                width = max(values) + 1
                row = [""] * width
                for col, value in values.items():
                    row[col] = value
                rows.append(row)
                numbers.append(number)
                for col, flag in row_flags.items():
                    flags[(index, col)] = flag
        sheet = RawSheet(self.display, entry.name, rows, numbers, flags)
        sheet.date1904 = self.date1904
        return sheet

    def _row(self, row: Any) -> tuple[dict[int, Any], dict[int, tuple[str, str]]]:
        values: dict[int, Any] = {}
        flags: dict[int, tuple[str, str]] = {}
        col = -1
        for cell in row.iter(f"{_MAIN}c"):
            ref = _REF.match(cell.get("r", ""))
            col = column_number(ref.group(1)) - 1 if ref else col + 1
            value, flag = self._cell(cell)
            if flag is not None:
                flags[col] = flag
                values.setdefault(col, "")
            if value is not None and value != "":
                values[col] = value
        return values, flags

    def _cell(self, cell: Any) -> tuple[Any, tuple[str, str] | None]:
        kind = cell.get("t", "n")
        v = cell.find(f"{_MAIN}v")
        raw = v.text if v is not None else None
        has_formula = cell.find(f"{_MAIN}f") is not None
        if kind == "e":
            return "", ("excel-error", raw or "#ERROR")
        if kind == "inlineStr":
            inline = cell.find(f"{_MAIN}is")
            return (_text(inline) if inline is not None else ""), None
        if raw is None or (raw == "" and kind != "str"):
            flag = ("formula-no-value", "formula without a saved value") if has_formula else None
            return None, flag
        if has_formula and self.uncomputed and kind in ("n", "") and raw in ("0", "0.0"):
            return "", ("formula-not-computed", "0")
        if kind == "s":
            index = _int(raw, -1)
            return (self.strings[index] if 0 <= index < len(self.strings) else ""), None
        if kind in ("str", "d"):
            return raw, None
        if kind == "b":
            return raw.strip() in ("1", "true"), None
        try:
            number = float(raw)
        except ValueError:
            return raw, None
        style = _int(cell.get("s"), 0)
        if 0 <= style < len(self.date_styles) and self.date_styles[style]:
            return _as_date(number, self.date1904), None
        return number, None


def _text(elem: Any) -> str:
    """The text of a shared or inline string: its ``<t>`` runs, phonetic runs left out."""
    parts = []
    for child in elem.iter():
        if child.tag == f"{_MAIN}rPh":
            continue
        if child.tag == f"{_MAIN}t" and child.text:
            parts.append(child.text)
    return "".join(parts)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _as_date(serial: float, date1904: bool) -> Any:
    """A date serial as calamine shows it; a serial no calendar holds stays a number."""
    try:
        moment = (_EPOCH_1904 if date1904 else _EPOCH_1900) + timedelta(days=serial)
    except (OverflowError, ValueError):
        return serial
    if moment.time() == datetime.min.time():
        return date(moment.year, moment.month, moment.day)
    return moment


def read_sparse(
    archive: zipfile.ZipFile, display: str, names: set[str] | None = None
) -> tuple[list[SheetEntry], dict[str, RawSheet]]:
    """The workbook's sheet list, and the named (default: all visible) worksheets read sparsely."""
    book = SparseWorkbook(archive, display)
    sheets: dict[str, RawSheet] = {}
    for entry in book.entries:
        wanted = entry.state == "visible" if names is None else entry.name in names
        if entry.worksheet and wanted:
            sheets[entry.name] = book.read(entry)
    return book.entries, sheets
