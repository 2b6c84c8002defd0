"""Excel workbooks (.xlsx/.xlsm/.xls) → :class:`RawSheet` grids, via python-calamine.

calamine is fast but hands back an empty string for an error cell (``#DIV/0!``) and for a
formula saved without its value, so for .xlsx those cells are found by scanning the sheet
XML (only when it contains any), and for .xls with xlrd.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from reporter.errors import EncryptedFile, UnreadableFile
from reporter.quality import Issue
from reporter.read.bounds import has_marker
from reporter.read.raw import RawSheet

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def read_workbook(
    path: Path, display: str, kind: str, marked: dict[str, bool] | None = None
) -> tuple[list[RawSheet], list[Issue]]:
    """Every visible worksheet of an .xlsx/.xlsm (``kind="xlsx"``) or .xls (``"xls"``).

    ``marked``: .xlsx part → whether it holds an error cell or a formula, as the bounds scan
    saw it; a part it does not name is looked into here.
    """
    try:
        sheets, issues = _read_calamine(path, display)
    except EncryptedFile:
        raise
    except Exception as exc:  # calamine raises many error types for damaged files
        if kind == "xls":
            sheets, issues = _read_xlrd(path, display)
        else:
            raise UnreadableFile(
                f"{display}: the workbook is damaged and cannot be read ({_short(exc)})",
                hint="open it in Excel and save it again",
            ) from None
    if kind == "xlsx":
        _flag_xlsx_cells(path, sheets, marked)
    else:
        _flag_xls_cells(path, sheets)
    return sheets, issues


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _read_calamine(path: Path, display: str) -> tuple[list[RawSheet], list[Issue]]:
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    sheets: list[RawSheet] = []
    issues: list[Issue] = []
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise EncryptedFile(
            f"{display}: the workbook is password-protected",
            hint="open it in Excel, remove the password and save it again",
        ) from None
    with workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # chart and macro sheets hold no table
            if meta.visible != SheetVisibleEnum.Visible:
                issues.append(_hidden(display, meta.name))
                continue
            rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheets.append(_sheet(display, meta.name, rows))
    return sheets, issues


def _sheet(display: str, name: str, rows: list[list[Any]]) -> RawSheet:
    return RawSheet(display, name, rows, list(range(1, len(rows) + 1)))


def _hidden(display: str, name: str) -> Issue:
    return Issue.make("hidden-sheet", file=display, sheet=name, value=name)


def _read_xlrd(path: Path, display: str) -> tuple[list[RawSheet], list[Issue]]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:
        if "encrypt" in str(exc).lower():
            raise EncryptedFile(
                f"{display}: the workbook is password-protected",
                hint="open it in Excel, remove the password and save it again",
            ) from None
        raise UnreadableFile(
            f"{display}: the .xls workbook is damaged and cannot be read ({_short(exc)})",
            hint="open it in Excel and save it as .xlsx",
        ) from None
    sheets: list[RawSheet] = []
    issues: list[Issue] = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        if sheet.visibility:
            issues.append(_hidden(display, sheet.name))
            continue
        rows = [
            [_xlrd_value(cell, book.datemode) for cell in sheet.row(r)] for r in range(sheet.nrows)
        ]
        sheets.append(_sheet(display, sheet.name, rows))
    return sheets, issues


def _xlrd_value(cell: Any, datemode: int) -> Any:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except Exception:
            return cell.value
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return cell.value


# ------------------------------------------------------------ cells calamine cannot show


def _sheet_parts(archive: zipfile.ZipFile) -> tuple[dict[str, str], bool]:
    """Sheet name → XML part name, and whether the workbook uses the 1904 date system."""
    from defusedxml import ElementTree

    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    pr = workbook.find(f"{_MAIN}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if target:
            full = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            parts[sheet.get("name", "")] = str(PurePosixPath(full))
    return parts, date1904


def _flag_xlsx_cells(
    path: Path, sheets: list[RawSheet], marked: dict[str, bool] | None = None
) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            parts, date1904 = _sheet_parts(archive)
            uncomputed = not_calculated(archive.read("xl/workbook.xml"))
            for sheet in sheets:
                sheet.date1904 = date1904
                part = parts.get(sheet.sheet or "")
                if not part:
                    continue
                known = (marked or {}).get(part)
                if known if known is not None else _has_markers(archive, part):
                    sheet.flags = _scan_sheet_xml(archive.read(part), uncomputed)
    except Exception:
        # The flags are a courtesy; calamine already read the values.
        return


_CHUNK = 1 << 20


def _has_markers(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet XML has an error cell or a formula, read in 1 MB pieces.

    Most exports have neither; streaming keeps a 700 MB sheet from being held in memory
    just to find that out.
    """
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if has_marker(window):
                return True
            tail = window[-8:]  # a marker may straddle two pieces
    return False


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index - 1


def not_calculated(workbook_xml: bytes) -> bool:
    """Whether the workbook asks Excel to calculate every formula on opening.

    Programs that write formulas without calculating them (xlsxwriter and most libraries)
    set ``fullCalcOnLoad`` and store 0 as every result; Excel itself never saves it.
    """
    return re.search(rb'fullCalcOnLoad="(?:1|true)"', workbook_xml) is not None


def _scan_sheet_xml(xml: bytes, uncomputed: bool = False) -> dict[tuple[int, int], tuple[str, str]]:
    """Error cells, formulas without a saved value, and uncalculated formulas' zeros."""
    flags: dict[tuple[int, int], tuple[str, str]] = {}
    if b't="e"' not in xml and b"<f" not in xml:
        return flags
    for match in _CELL.finditer(xml):
        attrs, body = match.group(1), match.group(2) or b""
        kind = _TYPE.search(attrs)
        is_error = kind is not None and kind.group(1) == b"e"
        if not is_error and b"<f" not in body:
            continue
        ref = _REF.search(attrs)
        if ref is None:
            continue
        key = (int(ref.group(2)) - 1, _column_index(ref.group(1)))
        value = _VALUE.search(body)
        if is_error:
            flags[key] = ("excel-error", value.group(1).decode() if value else "#ERROR")
        elif not (value.group(1) if value else b"") and not (
            kind is not None and kind.group(1) == b"str" and b"<v" in body
        ):
            # A text formula may legitimately have saved an empty string.
            flags[key] = ("formula-no-value", "formula without a saved value")
        elif uncomputed and value is not None and value.group(1) in (b"0", b"0.0"):
            flags[key] = ("formula-not-computed", "0")
    return flags


def _flag_xls_cells(path: Path, sheets: list[RawSheet]) -> None:
    try:
        import xlrd

        book = xlrd.open_workbook(str(path), on_demand=True)
        by_name = {sheet.sheet: sheet for sheet in sheets}
        for index in range(book.nsheets):
            xl_sheet = book.sheet_by_index(index)
            raw = by_name.get(xl_sheet.name)
            if raw is None:
                continue
            raw.date1904 = bool(book.datemode)
            for r in range(xl_sheet.nrows):
                for c, cell in enumerate(xl_sheet.row(r)):
                    if cell.ctype == xlrd.XL_CELL_ERROR:
                        text = xlrd.error_text_from_code.get(cell.value, "#ERROR")
                        raw.flags[(r, c)] = ("excel-error", text)
    except Exception:
        return
