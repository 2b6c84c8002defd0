"""What kind of file is this really? Decided from its bytes, never from its name.

Also the safety checks that must happen before any parser sees the file: password
protection (an encrypted workbook is an OLE2 container, not a zip) and zip bombs.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from reporter.config import Limits
from reporter.errors import EncryptedFile, UnreadableFile, UnsupportedFormat
from reporter.read.bounds import check_packing

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")

RESAVE = "open it in Excel and save it as an Excel Workbook (.xlsx)"


def sniff(path: Path, head: bytes, limits: Limits | None = None) -> str:
    """Return ``"xlsx"``, ``"xls"`` or ``"csv"`` for ``path`` whose first bytes are ``head``.

    Raises an :class:`~reporter.errors.InputError` subclass for anything unusable, including
    a zip whose declared sizes make a bomb under ``limits`` (default: the built-in limits).
    """
    name = path.name
    suffix = path.suffix.lower()
    if not head:
        raise UnreadableFile(f"{name}: the file is empty", hint="export or save it again")
    if suffix == ".xlsb":
        raise UnsupportedFormat(f"{name}: Excel binary workbooks (.xlsb) are not read", hint=RESAVE)
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK"):
        return _zip_kind(path, limits or Limits())
    if head.startswith(OLE2_MAGIC):
        _check_not_encrypted(path)
        return "xls"
    if _looks_like_markup(head):
        raise UnsupportedFormat(
            f"{name}: this is a web page or XML file, not a real Excel workbook "
            "(a 'web export' saved with an Excel name)",
            hint=RESAVE,
        )
    if suffix in EXCEL_SUFFIXES:
        kind = "text" if _looks_like_text(head) else "unknown binary"
        raise UnreadableFile(
            f"{name}: not an Excel workbook (the content is {kind} data)",
            hint="if it is a CSV file rename it to .csv, otherwise export it from the source again",
        )
    if not _looks_like_text(head):
        raise UnreadableFile(
            f"{name}: not a CSV text file (binary content)",
            hint="give reporter .xlsx, .xlsm, .xls or .csv files",
        )
    return "csv"


def _looks_like_markup(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")[:64].lower()
    return start.startswith((b"<!doctype", b"<html", b"<table", b"<?xml", b"<head", b"<meta"))


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with BOM
    if b"\x00" in head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return control <= len(head) // 100


def _zip_kind(path: Path, limits: Limits) -> str:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            mimetype = archive.read("mimetype")[:80] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError) as exc:
        raise UnreadableFile(
            f"{name}: the workbook is damaged or incomplete ({exc})",
            hint="if the file was still being copied, wait and try again; else save it again",
        ) from None
    if "xl/workbook.bin" in names:
        raise UnsupportedFormat(f"{name}: Excel binary workbooks (.xlsb) are not read", hint=RESAVE)
    if b"opendocument" in mimetype:
        raise UnsupportedFormat(f"{name}: OpenDocument spreadsheets are not read", hint=RESAVE)
    if "xl/workbook.xml" not in names:
        raise UnreadableFile(
            f"{name}: a zip file that is not an Excel workbook (no xl/workbook.xml)",
            hint="give reporter .xlsx, .xlsm, .xls or .csv files",
        )
    check_packing(name, infos, limits)
    return "xlsx"


def _check_not_encrypted(path: Path) -> None:
    import msoffcrypto  # imported here: only OLE2 files need it

    try:
        with path.open("rb") as handle:
            encrypted = msoffcrypto.OfficeFile(io.BytesIO(handle.read())).is_encrypted()
    except Exception:
        # msoffcrypto does not recognise every legacy .xls; the xls reader will judge it.
        return
    if encrypted:
        raise EncryptedFile(
            f"{path.name}: the workbook is password-protected",
            hint="open it in Excel, remove the password (File > Info > Protect Workbook) "
            "and save it again",
        )
