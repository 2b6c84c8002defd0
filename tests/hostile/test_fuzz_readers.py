"""Fuzz: mutated workbooks and CSV files give a dataset or one of reporter's own errors.

Nothing else may come out: no other exception (exit 3), no native abort, no panic. Mutations
work where parsers look: bytes of a CSV, bytes of an .xls, and the XML *inside* an .xlsx
(flipping bytes of the deflated zip would only ever test the CRC check). The budget is
fixed (derandomized, a bounded number of examples) so CI runs the same cases every time.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hostile_corpus import FIXTURES, csv_text, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporter.config import Config
from reporter.errors import ReporterError

BUDGET = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Mutation = tuple[int, int, bytes]  # (position as a fraction of 10_000, bytes to cut, insert)

mutations = st.lists(
    st.tuples(
        st.integers(0, 9_999),
        st.integers(0, 16),
        st.one_of(
            st.binary(max_size=8),
            st.sampled_from(
                [b"<", b">", b'"', b"&", b"\x00", b"\xff\xfe", b'r="XFD1048576"', b"1e308",
                 b"-1e17", b"<c>", b"</row>", b'<v>', b"\r\n", b";", b'","', b"\xef\xbb\xbf"]
            ),
        ),
    ),
    min_size=1,
    max_size=6,
)  # fmt: skip


def mutate(data: bytes, changes: list[Mutation]) -> bytes:
    """Apply each (where, cut, insert) in turn."""
    out = bytearray(data)
    for where, cut, insert in changes:
        at = where * len(out) // 10_000
        out[at : at + cut] = insert
    return bytes(out)


def outcome(path: Path) -> str:
    """Read ``path`` as reporter does (workbooks in the contained child): 'ok' or 'error: …'.

    Any other exception — from reporter's own code, or a library's escaping the reader —
    fails the test; a native crash or panic in the child must arrive as a ReporterError.
    """
    from reporter.read import load_dataset

    try:
        load_dataset([path], Config())
    except ReporterError as exc:
        return f"error: {exc.message}"
    return "ok"


def _xlsx_seed(tmp: Path) -> bytes:
    return write_xlsx(tmp / "seed.xlsx").read_bytes()


def rezip_mutated(seed: bytes, part: str, changes: list[Mutation]) -> bytes:
    """The workbook ``seed`` with one XML part mutated, zipped again (CRCs right)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed)) as src, zipfile.ZipFile(buffer, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info.filename, mutate(data, changes) if info.filename == part else data)
    return buffer.getvalue()


PARTS = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml",
         "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]  # fmt: skip


@BUDGET
@given(part=st.sampled_from(PARTS), changes=mutations)
def test_mutated_xlsx_parts(tmp_path_factory, part: str, changes: list[Mutation]) -> None:
    tmp = tmp_path_factory.mktemp("xlsx")
    path = tmp / "fuzzed.xlsx"
    path.write_bytes(rezip_mutated(_xlsx_seed(tmp), part, changes))
    result = outcome(path)
    assert result == "ok" or result.startswith("error: fuzzed.xlsx"), result


@BUDGET
@given(changes=mutations)
def test_mutated_csv(tmp_path_factory, changes: list[Mutation]) -> None:
    path = tmp_path_factory.mktemp("csv") / "fuzzed.csv"
    path.write_bytes(mutate(csv_text().encode(), changes))
    result = outcome(path)
    assert result == "ok" or "fuzzed.csv" in result, result


@BUDGET
@given(changes=mutations)
def test_mutated_xls(tmp_path_factory, changes: list[Mutation]) -> None:
    seed = (FIXTURES / "excel_error_cells_and_hidden_sheet.xls").read_bytes()
    path = tmp_path_factory.mktemp("xls") / "fuzzed.xls"
    path.write_bytes(mutate(seed, changes))
    result = outcome(path)
    assert result == "ok" or "fuzzed.xls" in result, result
