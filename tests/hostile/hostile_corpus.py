"""The hostile corpus: files an adversary (or an unlucky export) drops on reporter.

Every case is built at test time into a temporary folder (``Case.make(folder)`` returns the
command-line arguments), except two damaged .xls found by fuzzing, committed in ``files/``.
Each case is named for what it contains. ``python hostile_corpus.py DIR`` writes them all
to DIR for poking at by hand.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

FILES = Path(__file__).resolve().parent / "files"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "read"

HEADER = ["Opportunity ID", "Opportunity Owner", "Deal Name", "Account Name", "Stage", "Amount",
          "Close Date", "Region"]  # fmt: skip
AMOUNT, CLOSE_DATE, REGION = 5, 6, 7
DAY = {"num_format": "yyyy-mm-dd"}


def deals(n: int = 12) -> list[list[Any]]:
    """``n`` plain opportunities over 2024, two owners, two regions, a third of them lost."""
    return [
        [f"O{r:03d}", ("Ana Lopez", "Ben Ode")[r % 2], f"Deal {r}", f"Account {r}",
         "Closed Lost" if r % 3 == 0 else "Closed Won", 1000.0 * r,
         datetime(2024, 1 + r % 12, 5), ("East", "West")[r % 2]]
        for r in range(1, n + 1)
    ]  # fmt: skip


def write_xlsx(
    path: Path,
    rows: list[list[Any]] | None = None,
    sheet: str = "Opportunities",
    extra: Callable[[Any, Any], None] | None = None,
    **options: Any,
) -> Path:
    """A workbook with HEADER and ``rows`` (default :func:`deals`); ``extra(wb, ws)`` adds to it."""
    workbook = xlsxwriter.Workbook(str(path), options)
    workbook.set_properties({"created": datetime(2024, 1, 1)})
    ws = workbook.add_worksheet(sheet)
    day = workbook.add_format(DAY)
    for r, row in enumerate([HEADER, *(deals() if rows is None else rows)]):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, day)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif value is not None:
                ws.write_string(r, c, value)
    if extra is not None:
        extra(workbook, ws)
    workbook.close()
    return path


def csv_text(rows: list[list[Any]] | None = None, sep: str = ",") -> str:
    """HEADER and ``rows`` as CSV text (dates ISO)."""

    def cell(value: Any) -> str:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, float):
            return f"{value:.2f}"
        return str(value)

    lines = [HEADER, *(deals() if rows is None else rows)]
    return "".join(sep.join(cell(v) for v in row) + "\n" for row in lines)


def rezip(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy an .xlsx part by part; ``change(name, data)`` returns new bytes or None to drop."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = change(info.filename, src.read(info.filename))
            if data is not None:
                out.writestr(info.filename, data)
    return target


# ------------------------------------------------------------------------------ the cases


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, how to run reporter on it, what the user must get."""

    name: str
    make: Callable[[Path], list[str]]  # folder → command-line arguments after the command
    command: str = "check"
    codes: frozenset[int] = frozenset({0, 2})
    names: str | None = None  # text an exit-2 message must contain (default: the file's name)
    forbid: tuple[str, ...] = ()  # text that must never appear in the output
    expect: tuple[str, ...] = ()  # text that must appear in the output
    check: Callable[[Path], None] | None = None  # more assertions on the folder afterwards
    slow: bool = False
    xfail: str | None = None
    tags: tuple[str, ...] = field(default=())


def _file(name: str, writer: Callable[[Path], Any]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        path = folder / name
        writer(path)
        return [str(path)]

    return make


def _bytes(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], list[str]]:
    return _file(name, lambda p: p.write_bytes(data() if callable(data) else data))


def _text(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], list[str]]:
    return _file(name, lambda p: p.write_bytes(text.encode(encoding)))


def _copy(source: Path, name: str | None = None) -> Callable[[Path], list[str]]:
    return _file(name or source.name, lambda p: shutil.copyfile(source, p))


def _xlsx(name: str, **kwargs: Any) -> Callable[[Path], list[str]]:
    return _file(name, lambda p: write_xlsx(p, **kwargs))


def _cell(row: int, col: int, value: Any, date: bool = False) -> Callable[[Any, Any], None]:
    def extra(workbook: Any, ws: Any) -> None:
        if isinstance(value, str):
            ws.write_string(row, col, value)
        else:
            ws.write_number(row, col, value, workbook.add_format(DAY) if date else None)

    return extra


def _swap_parts(
    name: str, change: Callable[[str, bytes], bytes | None], **kwargs: Any
) -> Callable[[Path], list[str]]:
    def writer(path: Path) -> None:
        plain = write_xlsx(path.with_suffix(".plain.xlsx"), **kwargs)
        rezip(plain, path, change)
        plain.unlink()

    return _file(name, writer)


def _sheet_xml(change: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda n, d: change(d) if n == "xl/worksheets/sheet1.xml" else d


def _strings_xml(payload: bytes) -> Callable[[str, bytes], bytes]:
    return lambda n, d: payload if n == "xl/sharedStrings.xml" else d


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&xxe;</t></si></sst>'
)


def _zip_bomb(path: Path) -> None:
    """One sheet part of 200 MB of spaces: packs about 1000:1."""
    plain = write_xlsx(path.with_suffix(".plain.xlsx"))
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, src.read(info.filename))
                continue
            xml = src.read(info.filename)
            with out.open(info.filename, "w", force_zip64=True) as part:
                head, tail = xml.split(b"<sheetData>")
                part.write(head + b"<sheetData>")
                block = b" " * (1 << 20)
                for _ in range(200):
                    part.write(block)
                part.write(tail)
    plain.unlink()


def _lying_size(path: Path) -> None:
    """A sheet part whose headers declare 100 bytes but whose data inflates to 20 MB."""
    plain = write_xlsx(path.with_suffix(".plain.xlsx"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 20_000_000)
            out.writestr(info.filename, data)
    plain.unlink()
    raw = bytearray(buffer.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    # (signature, header length, offset of the inflated size, offset of the name length)
    for signature, fixed, size_at, name_at in ((b"PK\x03\x04", 30, 22, 26),
                                               (b"PK\x01\x02", 46, 24, 28)):  # fmt: skip
        at = 0
        while (at := raw.find(signature, at)) >= 0:
            length = struct.unpack_from("<H", raw, at + name_at)[0]
            if raw[at + fixed : at + fixed + length] == name:
                struct.pack_into("<I", raw, at + size_at, 100)
            at += 4
    path.write_bytes(bytes(raw))


def _deep_xml(depth: int) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        nest = b"<x>" * depth + b"</x>" * depth
        return xml.replace(b"<sheetData>", b"<sheetData>" + nest)

    return change


def _folder_with_symlink(folder: Path) -> list[str]:
    inbox = folder / "exports"
    inbox.mkdir()
    write_xlsx(inbox / "good_deals.xlsx")
    (inbox / "passwd.csv").symlink_to("/etc/passwd")
    return [str(inbox)]


def _fifo(folder: Path) -> list[str]:
    path = folder / "deals_fifo.csv"
    os.mkfifo(path)
    return [str(path)]


def _folder_with_fifo(folder: Path) -> list[str]:
    inbox = folder / "exports"
    inbox.mkdir()
    write_xlsx(inbox / "good_deals.xlsx")
    os.mkfifo(inbox / "pipe.csv")
    return [str(inbox)]


def _hidden_only(path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    cover = workbook.add_worksheet("Cover")
    cover.write_string(0, 0, "Q3 pipeline review — confidential")
    deals_sheet = workbook.add_worksheet("Deals")
    day = workbook.add_format(DAY)
    for r, row in enumerate([HEADER, *deals()]):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                deals_sheet.write_datetime(r, c, value, day)
            else:
                deals_sheet.write(r, c, value)
    deals_sheet.hide()
    workbook.close()


def _formula_amounts(workbook: Any, ws: Any) -> None:
    # xlsxwriter stores 0 as every formula's value: nothing computed them.
    for r in range(1, 13):
        ws.write_formula(r, AMOUNT, f"=1000*{r}")


def _merged_header(workbook: Any, ws: Any) -> None:
    ws.merge_range(0, AMOUNT, 0, CLOSE_DATE, "Amount and date", workbook.add_format({"bold": True}))


def _one_date_1904(path: Path) -> None:
    write_xlsx(path, date_1904=True)


def _segments(names: list[str]) -> list[list[Any]]:
    rows = deals(len(names) * 2)
    for i, row in enumerate(rows):
        row[REGION] = names[i % len(names)]
    return rows


def _nothing_outside(folder: Path) -> None:
    """A segment name must never write outside the output folder."""
    out = folder / "out"
    stray = [p for p in folder.rglob("*") if p.is_file() and out not in p.parents]
    inputs = {p for p in folder.iterdir() if p.is_file()}
    assert not [p for p in stray if p not in inputs], stray


def _no_formulas_written(folder: Path) -> None:
    """Formula-like text reaches the workbook as text: no formula holds any of it."""
    import re

    book = folder / "out" / "sales-report.xlsx"
    with zipfile.ZipFile(book) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                formulas = re.findall(rb"<f>([^<]*)</f>", archive.read(name))
                bad = [f for f in formulas if re.search(rb"HYPERLINK|SUM\(A1\)|1\+1|promo", f)]
                assert not bad, (name, bad)


def _name_cut_with_ellipsis(folder: Path) -> None:
    """The briefing shows the long name's start and an ellipsis, never all of it."""
    from pypdf import PdfReader

    pdfs = sorted((folder / "out" / "briefings").glob("*.pdf"))
    text = "".join(page.extract_text() for pdf in pdfs for page in PdfReader(pdf).pages)
    assert "Big renewal" in text and "…" in text
    assert text.count("Ω") < 200, text.count("Ω")


def _random_bytes() -> bytes:
    import random

    return random.Random(12).randbytes(30_000)


def _truncated(path: Path) -> None:
    plain = write_xlsx(path.with_suffix(".plain.xlsx"))
    data = plain.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    plain.unlink()


def _ods_named_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return buffer.getvalue()


def _gzip_named_csv() -> bytes:
    return zlib.compress(csv_text().encode())


def _many_sheets(path: Path) -> None:
    def extra(workbook: Any, ws: Any) -> None:
        for i in range(300):
            workbook.add_worksheet(f"Notes {i}").write_string(0, 0, f"note {i}")

    write_xlsx(path, extra=extra)


def _long_text(column: int, n: int) -> list[list[Any]]:
    """:func:`deals` with the largest won deal's ``column`` holding ``n`` characters."""
    rows = deals()
    rows[10][column] = ("Big renewal " + "Ω" * n)[:n]  # O011, 11,000: top of every list
    return rows


CASES: list[Case] = [
    # ---------------------------------------------------------------- issue 12, one by one
    Case(
        "cell_at_XFD1048576",
        _xlsx("cell_at_XFD1048576.xlsx", extra=_cell(1048575, 16383, "x")),
    ),
    Case(
        "cell_at_CZ1048576",
        _xlsx("cell_at_CZ1048576.xlsx", extra=_cell(1048575, 103, "x")),
    ),
    Case(
        "number_at_XFD1_and_A1048576",
        _xlsx(
            "number_at_XFD1_and_A1048576.xlsx",
            extra=lambda wb, ws: (ws.write_number(0, 16383, 1), ws.write_number(1048575, 0, 1)),
        ),
    ),
    Case(
        "date_cell_minus_1e17",
        _xlsx("date_cell_minus_1e17.xlsx", extra=_cell(3, CLOSE_DATE, -1e17, True)),
    ),
    Case(
        "date_cell_plus_1e17",
        _xlsx("date_cell_plus_1e17.xlsx", extra=_cell(4, CLOSE_DATE, 1e17, True)),
    ),
    Case(
        "deal_name_40000_chars",
        _xlsx("deal_name_40000_chars.xlsx", rows=_long_text(2, 40_000)),
        command="build",
        check=_name_cut_with_ellipsis,
        slow=True,
    ),
    Case(
        "account_name_32767_chars",
        _xlsx("account_name_32767_chars.xlsx", rows=_long_text(3, 32_767)),
        command="build",
        slow=True,
    ),
    Case(
        "only_opportunities_on_hidden_sheet_behind_cover",
        _file("hidden_deals_behind_cover.xlsx", _hidden_only),
        expect=("Deals",),
    ),
    Case(
        "formula_amounts_cached_zero_xlsxwriter",
        _xlsx("formula_amounts_cached_zero.xlsx", extra=_formula_amounts),
        expect=("formula",),
    ),
    Case(
        "fifo_given_as_input",
        _fifo,
        names="deals_fifo.csv",
        codes=frozenset({2}),
    ),
    Case(
        "fifo_in_folder_input",
        _folder_with_fifo,
        names="pipe.csv",
        expect=("pipe.csv",),
    ),
    Case(
        "folder_with_symlink_to_etc_passwd",
        _folder_with_symlink,
        forbid=("root:", "/bin/"),
        expect=("passwd.csv",),
    ),
    Case(
        "damaged_xls_struct_error",
        _copy(FILES / "damaged_xls_struct_error.xls"),
        codes=frozenset({2}),
    ),
    Case(
        "damaged_xls_assertion",
        _copy(FILES / "damaged_xls_assertion.xls"),
        codes=frozenset({2}),
    ),
    Case(
        "panicking_xls_bad_slice",
        _copy(FILES / "panicking_xls_bad_slice.xls"),
    ),
    Case(
        "character_device_dev_zero_as_input",
        lambda folder: ["/dev/zero"],
        names="/dev/zero",
        codes=frozenset({2}),
    ),
    # ---------------------------------------------------------------------------- classics
    Case("empty_xlsx_zero_bytes", _bytes("empty.xlsx", b""), codes=frozenset({2})),
    Case("empty_csv_zero_bytes", _bytes("empty.csv", b""), codes=frozenset({2})),
    Case(
        "csv_only_a_bom",
        _bytes("bom_only.csv", b"\xef\xbb\xbf"),
        codes=frozenset({2}),
    ),
    Case("truncated_xlsx_half", _file("truncated_half.xlsx", _truncated), codes=frozenset({2})),
    Case("csv_text_named_xlsx", _text("csv_named.xlsx", csv_text()), codes=frozenset({2})),
    Case("xlsx_named_csv", _file("workbook_named.csv", lambda p: write_xlsx(p))),
    Case(
        "html_named_xls",
        _text("web_export.xls", "<html><table><tr><td>1</td></tr></table>"),
        codes=frozenset({2}),
    ),
    Case(
        "random_bytes_named_xlsx", _bytes("random_bytes.xlsx", _random_bytes), codes=frozenset({2})
    ),
    Case("gzip_named_csv", _bytes("compressed.csv", _gzip_named_csv), codes=frozenset({2})),
    Case("ods_named_xlsx", _bytes("opendocument.xlsx", _ods_named_xlsx), codes=frozenset({2})),
    Case(
        "zip_without_workbook_xml",
        _bytes("no_workbook.xlsx", _zip_without_workbook),
        codes=frozenset({2}),
    ),
    Case(
        "encrypted_xlsx_password_secret",
        _copy(FIXTURES / "encrypted_password_is_secret.xlsx"),
        codes=frozenset({2}),
        expect=("password",),
    ),
    Case("xlsb_binary_workbook", _copy(FIXTURES / "binary_workbook.xlsb"), codes=frozenset({2})),
    Case(
        "zip_bomb_sheet_200MB_of_spaces",
        _file("zip_bomb.xlsx", _zip_bomb),
        codes=frozenset({2}),
        slow=True,
    ),
    Case("zip_entry_size_lies", _file("size_lies.xlsx", _lying_size), codes=frozenset({2})),
    Case(
        "entity_bomb_shared_strings",
        _swap_parts("billion_laughs.xlsx", _strings_xml(BILLION_LAUGHS)),
        codes=frozenset({2}),
    ),
    Case(
        "xxe_shared_strings_etc_passwd",
        _swap_parts("xxe.xlsx", _strings_xml(XXE)),
        forbid=("root:",),
    ),
    Case(
        "sheet_xml_not_well_formed",
        _swap_parts("broken_xml.xlsx", _sheet_xml(lambda d: d.replace(b"</sheetData>", b""))),
        codes=frozenset({2}),
    ),
    Case(
        "sheet_xml_nested_100000_deep", _swap_parts("deep_xml.xlsx", _sheet_xml(_deep_xml(100_000)))
    ),
    Case(
        "declared_dimension_XFD1048576_with_13_rows",
        _swap_parts(
            "dimension_lies.xlsx",
            _sheet_xml(
                lambda d: d.replace(
                    b'<dimension ref="A1:H13"/>', b'<dimension ref="A1:XFD1048576"/>'
                )
            ),
        ),
    ),
    Case(
        "error_cells_div0_na_ref",
        _copy(FIXTURES / "excel_error_cells_and_hidden_sheet.xlsx"),
        codes=frozenset({0}),
    ),
    Case(
        "error_cells_in_xls",
        _copy(FIXTURES / "excel_error_cells_and_hidden_sheet.xls"),
        codes=frozenset({0}),
    ),
    Case("dates_1904_system", _file("dates_1904.xlsx", _one_date_1904), codes=frozenset({0})),
    Case("merged_header_cells", _xlsx("merged_header.xlsx", extra=_merged_header)),
    Case(
        "csv_semicolon_decimal_comma_cp1252",
        _text(
            "decimal_comma.csv",
            csv_text(sep=";").replace("000.00", "000,00").replace("Lopez", "López"),
            "cp1252",
        ),
        codes=frozenset({0}),
    ),
    Case(
        "csv_leading_zero_ids",
        _text("leading_zero_ids.csv", csv_text().replace("O0", "00")),
        codes=frozenset({0}),
    ),
    Case(
        "csv_utf16_with_bom",
        _text("utf16.csv", "\ufeff" + csv_text(), "utf-16-le"),
        codes=frozenset({0}),
    ),
    Case("csv_unclosed_quote", _text("unclosed_quote.csv", csv_text() + '"O999,"Ana\n')),
    Case(
        "csv_nul_bytes",
        _bytes("nul_bytes.csv", csv_text().encode().replace(b",", b"\x00")),
        codes=frozenset({2}),
    ),
    Case("csv_one_field_of_2MB", _text("huge_field.csv", csv_text() + "O998," + "x" * 2_000_000)),
    Case("many_sheets_300", _file("many_sheets.xlsx", _many_sheets), codes=frozenset({0})),
    Case(
        "segment_names_reserved_windows",
        _xlsx("reserved_segments.xlsx", rows=_segments(["CON", "NUL.txt", "aux", "COM1", "LPT9 "])),
        command="build",
        codes=frozenset({0}),
        check=_nothing_outside,
        slow=True,
    ),
    Case(
        "segment_names_traversal",
        _xlsx(
            "traversal_segments.xlsx",
            rows=_segments(["../../escaped", "/etc/cron.d/x", "a/b\\c", ".."]),
        ),
        command="build",
        codes=frozenset({0}),
        check=_nothing_outside,
        slow=True,
    ),
    Case(
        "crlf_in_owner_and_region",
        _xlsx(
            "crlf_names.xlsx",
            rows=_segments(["East\r\nBcc: attacker@example.com", "West\nSubject: hi"]),
        ),
        command="build",
        codes=frozenset({0}),
        slow=True,
    ),
    Case(
        "control_chars_in_segment_names",
        _xlsx(
            "control_chars.xlsx", rows=_segments(["\x1b[31mRed\x1b[0m", "Bell\x07", "Null\x00Byte"])
        ),
        command="build",
        codes=frozenset({0}),
        forbid=("\x1b[31m", "\x07"),
        slow=True,
    ),
    Case(
        "formula_like_text",
        _xlsx(
            "formula_like_text.xlsx",
            rows=_segments(
                ['=HYPERLINK("http://evil.example","x")', "+1+1", "-15% promo", "@SUM(A1)", "\t=1"]
            ),
        ),
        command="build",
        codes=frozenset({0}),
        check=_no_formulas_written,
        slow=True,
    ),
    Case(
        "no_such_file",
        lambda folder: [str(folder / "missing.xlsx")],
        names="missing.xlsx",
        codes=frozenset({2}),
    ),
    Case(
        "directory_named_xlsx",
        lambda folder: [str((folder / "dir.xlsx").mkdir() or folder / "dir.xlsx")],
        names="dir.xlsx",
        codes=frozenset({2}),
    ),
    Case(
        "file_name_with_newline_and_escape",
        _bytes("bad\nname\x1b[2J.csv", b"\x00\x01\x02"),
        names="bad",
        forbid=("\x1b[2J",),
        codes=frozenset({2}),
    ),
]


def main(target: str) -> None:
    """Write every case into ``target/<case name>/``."""
    for case in CASES:
        folder = Path(target) / case.name
        folder.mkdir(parents=True, exist_ok=True)
        print(case.name, *case.make(folder))


if __name__ == "__main__":
    main(sys.argv[1])
