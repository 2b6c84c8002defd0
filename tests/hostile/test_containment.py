"""The containment runner, the bounds scan and the sparse reader, on real files and processes."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hostile_corpus import CLOSE_DATE, FIXTURES, write_xlsx

from reporter.config import Limits
from reporter.errors import EncryptedFile, UnreadableFile
from reporter.read.bounds import column_number, measure_workbook, scan_part
from reporter.read.guarded import read_bounded, read_guarded
from reporter.read.isolate import ContainedBug, run_contained
from reporter.read.sparse import SparseWorkbook, is_date_format

SMALL = Limits(memory_mb=512, cpu_seconds=5, wall_seconds=3)


def contained(target: Any, args: tuple[Any, ...], display: str, limits: Any = None) -> Any:
    """run_contained, forked: a fork server could not import this test module's targets."""
    extra = {} if limits is None else {"limits": limits}
    return run_contained(target, args, display, start_method="fork", **extra)


# Targets run in the child: module level, so a fork server can find them too.
def _abort() -> None:
    os.abort()


def _sleep() -> None:
    time.sleep(30)


def _spin() -> None:
    while True:
        pass


def _allocate() -> bytes:
    return bytes(2 * 1024**3)


def _encrypted() -> None:
    raise EncryptedFile("x.xlsx: the workbook is password-protected", hint="remove it")


def _our_bug() -> None:
    column_number(None)  # type: ignore[arg-type]  # fails inside reporter's code


def _calamine_rows(path: Path) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)


def _twice(x: int) -> int:
    return 2 * x


def test_a_result_comes_back() -> None:
    assert contained(_twice, (21,), "x.xlsx", SMALL) == 42


@pytest.mark.parametrize(
    ("target", "why"),
    [
        (_abort, "crashed (SIGABRT)"),
        (_sleep, "longer than 3 s"),
        (_spin, "CPU time"),
        (_allocate, "memory limit"),
    ],
    ids=["native-abort", "wall-time", "cpu-time", "out-of-memory"],
)
def test_a_dying_reader_is_one_clean_error_naming_the_file(target, why) -> None:
    limits = Limits(memory_mb=512, cpu_seconds=1, wall_seconds=3)
    with pytest.raises(UnreadableFile) as caught:
        contained(target, (), "deals.xlsx", limits)
    assert caught.value.message.startswith("deals.xlsx: the workbook is damaged or too large")
    assert why in caught.value.message


def test_a_rust_panic_is_one_clean_error(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "d.xlsx",
        extra=lambda wb, ws: ws.write_number(
            3, CLOSE_DATE, -1e17, wb.add_format({"num_format": "yyyy-mm-dd"})
        ),
    )
    with pytest.raises(UnreadableFile, match="PanicException"):
        contained(_calamine_rows, (path,), "d.xlsx", SMALL)


def test_reporter_errors_cross_with_their_hint() -> None:
    with pytest.raises(EncryptedFile) as caught:
        contained(_encrypted, (), "x.xlsx", SMALL)
    assert caught.value.hint == "remove it"


def test_our_own_bug_stays_a_bug() -> None:
    with pytest.raises(ContainedBug, match="AttributeError"):
        contained(_our_bug, (), "x.xlsx", SMALL)


# ---------------------------------------------------------------------------------- bounds


def test_column_letters() -> None:
    assert [column_number(x) for x in ("A", "Z", "AA", "CZ", "XFD")] == [1, 26, 27, 104, 16384]


def test_a_far_cell_makes_a_sparse_sheet_a_near_one_does_not(tmp_path: Path) -> None:
    far = write_xlsx(tmp_path / "far.xlsx", extra=lambda wb, ws: ws.write_string(1048575, 103, "x"))
    near = write_xlsx(tmp_path / "near.xlsx")
    (extent,) = measure_workbook(far, "far.xlsx").values()
    # 12 deals + header = 13 rows of 8 cells, plus the stray one in a 14th row.
    assert (extent.max_row, extent.max_column, extent.cells) == (1048576, 104, 105 + 14)
    assert extent.is_sparse(Limits())
    (plain,) = measure_workbook(near, "near.xlsx").values()
    assert (plain.max_row, plain.max_column, plain.cells) == (13, 8, 104 + 13)
    assert not plain.is_sparse(Limits())


def test_a_lying_dimension_counts(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "d.xlsx")
    lied = tmp_path / "lied.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(lied, "w") as out:
        for name in src.namelist():
            data = src.read(name).replace(b'ref="A1:H13"', b'ref="A1:XFD1048576"')
            out.writestr(name, data)
    (extent,) = measure_workbook(lied, "lied.xlsx").values()
    assert (extent.declared_rows, extent.declared_columns) == (1048576, 16384)
    assert extent.is_sparse(Limits())


def test_rows_out_of_order_are_measured_by_their_largest_reference(tmp_path: Path) -> None:
    # A row 99 written between rows 10 and 11: the last row (13) is not the largest, and 99
    # has as many digits as 13, so only a scan that trusts no order finds it.
    path = write_xlsx(tmp_path / "d.xlsx")
    moved = tmp_path / "moved.xlsx"
    stray = b'<row r="99"><c r="A99" t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(moved, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name.startswith("xl/worksheets/"):
                assert b'<row r="11"' in data
                data = data.replace(b'<row r="11"', stray + b'<row r="11"')
            out.writestr(name, data)
    (extent,) = measure_workbook(moved, "moved.xlsx").values()
    assert (extent.max_row, extent.max_column) == (99, 8)
    assert not extent.markers


def test_the_scan_notes_formulas_and_error_cells(tmp_path: Path) -> None:
    plain = write_xlsx(tmp_path / "plain.xlsx")
    formula = write_xlsx(
        tmp_path / "formula.xlsx", extra=lambda wb, ws: ws.write_formula(14, 5, "=F2*2", None, 2)
    )
    filtered = write_xlsx(
        tmp_path / "filtered.xlsx",
        extra=lambda wb, ws: (ws.autofilter(0, 0, 12, 7), ws.filter_column(7, "x == East")),
    )
    assert b"<filterColumn" in zipfile.ZipFile(filtered).read("xl/worksheets/sheet1.xml")
    assert [e.markers for e in measure_workbook(plain, "p.xlsx").values()] == [False]
    assert [e.markers for e in measure_workbook(formula, "f.xlsx").values()] == [True]
    # An autofilter's <filterColumn> is not a formula: no second look at the sheet.
    assert [e.markers for e in measure_workbook(filtered, "a.xlsx").values()] == [False]


def test_too_many_cells_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "d.xlsx")
    with pytest.raises(UnreadableFile, match="about 117 cells, over the 100 limit"):
        measure_workbook(path, "d.xlsx", Limits(max_cells=100))


def test_a_dense_part_is_refused_by_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("xl/workbook.xml", "<workbook/>")
        out.writestr("xl/worksheets/sheet1.xml", b" " * 5_000_000)
    with pytest.raises(UnreadableFile, match="over 200 times its packed size"):
        measure_workbook(path, "bomb.xlsx")


def test_the_streaming_cap_stops_a_part_early(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        out.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b"<row/>" * 400_000)
    with zipfile.ZipFile(path) as archive, pytest.raises(UnreadableFile, match="beyond 1 MB"):
        scan_part(archive, archive.infolist()[0], "big.xlsx", budget=2**20)


# ---------------------------------------------------------------------------------- sparse


@pytest.mark.parametrize(
    "name",
    [
        "excel_error_cells_and_hidden_sheet.xlsx",
        "salesforce_report_title_block_blank_duplicate_totals.xlsx",
        "opportunities_accounts_reps_targets.xlsx",
        "date1904_serial_close_dates.xlsx",
    ],
)
def test_sparse_reads_what_calamine_reads(name: str) -> None:
    from python_calamine import CalamineWorkbook

    path = FIXTURES / name
    native = CalamineWorkbook.from_path(str(path))
    with zipfile.ZipFile(path) as archive:
        book = SparseWorkbook(archive, name)
        for entry in book.entries:
            if entry.state != "visible":
                continue
            sheet = book.read(entry)
            dense = native.get_sheet_by_name(entry.name).to_python(skip_empty_area=False)
            expected = [(i + 1, _trim(r)) for i, r in enumerate(dense) if any(v != "" for v in r)]
            assert list(zip(sheet.row_numbers, map(_trim, sheet.rows))) == expected


def _trim(row: list[object]) -> list[object]:
    row = list(row)
    while row and row[-1] == "":
        row.pop()
    return row


def test_a_stray_far_cell_is_one_more_row_not_a_million(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "far.xlsx", extra=lambda wb, ws: ws.write_string(1048575, 103, "x")
    )
    (sheet,), issues = read_guarded(path, "far.xlsx", "xlsx", SMALL)
    assert len(sheet.rows) == 14
    assert sheet.row_numbers[-2:] == [13, 1048576]
    assert len(sheet.rows[-1]) == 104 and sheet.rows[-1][103] == "x"
    assert issues == []


def test_the_fork_server_path_reads_a_far_cell_too(tmp_path: Path) -> None:
    # The watcher reads with its observer thread running: the child comes from a fork server.
    far = write_xlsx(
        tmp_path / "far.xlsx", extra=lambda wb, ws: ws.write_string(1048575, 16383, "x")
    )
    sheets, _ = run_contained(
        read_bounded, (far, "far.xlsx", "xlsx", Limits()), "far.xlsx", start_method="forkserver"
    )
    assert sheets[0].row_numbers[-1] == 1048576


def test_a_date_calamine_panics_on_stays_a_number(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "d.xlsx",
        extra=lambda wb, ws: ws.write_number(
            3, CLOSE_DATE, -1e17, wb.add_format({"num_format": "yyyy-mm-dd"})
        ),
    )
    (sheet,), _ = read_guarded(path, "d.xlsx", "xlsx", SMALL)
    assert sheet.rows[3][CLOSE_DATE] == -1e17


@pytest.mark.parametrize(
    ("code", "is_date"),
    [("yyyy-mm-dd", True), ("d mmm yyyy", True), ('0.00" days"', False), ("[Red]0.00", False),
     ("#,##0", False), ("h:mm", True), ("General", False)],
)  # fmt: skip
def test_date_formats(code: str, is_date: bool) -> None:
    assert is_date_format(code) is is_date
