"""Files that cannot be used at all stop with one clear message; folders expand sensibly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reporter.config import Config
from reporter.errors import (
    EncryptedFile,
    InputError,
    MissingColumn,
    NoOpportunitiesTable,
    UnreadableFile,
    UnsupportedFormat,
)
from reporter.read import input_files, load_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "read"

REFUSED = [
    ("empty.xlsx", UnreadableFile, "empty"),
    ("random_bytes_named.xlsx", UnreadableFile, "not an Excel workbook"),
    ("truncated_zip.xlsx", UnreadableFile, "damaged or incomplete"),
    ("csv_text_named.xlsx", UnreadableFile, "rename it to .csv"),
    ("web_page_saved_as.xls", UnsupportedFormat, "save it as an Excel Workbook (.xlsx)"),
    ("binary_workbook.xlsb", UnsupportedFormat, "(.xlsb)"),
    ("zip_bomb_ratio.xlsx", UnreadableFile, "zip bomb"),
    ("no_opportunities_products.csv", NoOpportunitiesTable, "product, series, sales_price"),
]


@pytest.mark.parametrize(("name", "error", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_unusable_file_is_refused_with_its_name_and_fix(
    name: str, error: type[InputError], words: str
) -> None:
    with pytest.raises(error) as caught:
        load_dataset([FIXTURES / name], Config())
    text = caught.value.format()
    assert name in text
    assert words in text
    assert caught.value.hint
    assert "\n" not in caught.value.message


def test_encrypted_workbook_asks_to_remove_the_password() -> None:
    path = FIXTURES / "encrypted_password_is_secret.xlsx"
    if not path.exists():
        pytest.skip("msoffcrypto-tool could not make the encrypted fixture")
    with pytest.raises(EncryptedFile) as caught:
        load_dataset([path], Config())
    assert "password" in caught.value.message
    assert "remove the password" in (caught.value.hint or "")


def test_missing_close_date_names_file_headers_and_config_key() -> None:
    with pytest.raises(MissingColumn) as caught:
        load_dataset([FIXTURES / "missing_close_date_column.csv"], Config())
    message, hint = caught.value.message, caught.value.hint or ""
    assert "missing_close_date_column.csv" in message
    assert "close date" in message
    assert "Opportunity Owner, Stage, Amount" in message
    assert "[columns]" in hint and "close_date =" in hint


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="no such file"):
        load_dataset([tmp_path / "nope.xlsx"], Config())


def test_empty_folder_says_what_it_looked_for(tmp_path: Path) -> None:
    with pytest.raises(NoOpportunitiesTable, match=r"\.xlsx"):
        load_dataset([tmp_path], Config())


def test_folder_skips_lock_temp_and_hidden_files(tmp_path: Path) -> None:
    for name in ("b.csv", "a.xlsx", "~$a.xlsx", ".~lock.a.xlsx#", "x.tmp", ".hidden.csv",
                 "notes.txt", "c.XLSM"):  # fmt: skip
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.csv").write_text("x")
    assert [p.name for p in input_files([tmp_path])] == ["a.xlsx", "b.csv", "c.XLSM"]


def test_sniffs_content_not_extension(tmp_path: Path) -> None:
    # A real workbook with a .csv name is still read as the workbook it is.
    renamed = tmp_path / "really_a_workbook.csv"
    shutil.copy(FIXTURES / "opportunities_accounts_reps_targets.xlsx", renamed)
    assert len(load_dataset([renamed], Config()).opportunities) == 6


def test_excel_lock_file_alone_says_the_workbook_is_open(tmp_path: Path) -> None:
    lock = tmp_path / "~$Q3 pipeline.xlsx"
    lock.write_bytes(b"\x0bAna Lopez" + b"\x00" * 150)
    for given in (tmp_path, lock):
        with pytest.raises(NoOpportunitiesTable) as info:
            load_dataset([given], Config())
        assert "Q3 pipeline.xlsx is open in Excel" in info.value.message
        assert "save and close Q3 pipeline.xlsx" in (info.value.hint or "")
