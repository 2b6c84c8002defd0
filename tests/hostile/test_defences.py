"""The smaller defences of issue 12, each on real files, folders and processes.

Sending only from inside a run folder and only an unchanged manifest; stale staging
folders removed; control characters kept out of terminals and logs; folder inputs and the
watched inbox never following a link out or reading a pipe.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_corpus import write_xlsx

from reporter.config import from_mapping
from reporter.deliver import manifest as mf
from reporter.deliver.watch import watch
from reporter.errors import DeliveryError, UnsupportedFormat
from reporter.files import clean_stale_staging
from reporter.printable import PrintableArgs, printable, printable_lines
from reporter.read import load_dataset
from reporter.read.inputs import expand, read_regular
from support.deliver_helpers import make_build, make_run, write_workbook

# ------------------------------------------------------------------------- reporter send


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return Path(make_run(tmp_path / "out", from_mapping({})).run_dir)


def _edit(run_dir: Path, change, reseal: bool) -> None:
    path = run_dir / mf.MANIFEST_NAME
    data = json.loads(path.read_text())
    change(data)
    if reseal:  # an attacker who knows the format recomputes the checksum
        data["checksum"] = mf._checksum(data)
    path.write_text(json.dumps(data))


def test_an_untouched_manifest_is_read_with_its_pdfs_inside_the_run(run_dir: Path) -> None:
    manifest = mf.read(run_dir)
    assert manifest.briefings
    assert all(b.pdf.resolve().is_relative_to(run_dir.resolve()) for b in manifest.briefings)


def test_a_pdf_outside_the_run_folder_is_refused_even_if_resealed(run_dir: Path) -> None:
    _edit(run_dir, lambda d: d["briefings"][0].update(pdf="../../../../etc/passwd"), reseal=True)
    with pytest.raises(DeliveryError, match="outside the run folder"):
        mf.read(run_dir)


def test_an_edited_manifest_is_refused(run_dir: Path) -> None:
    _edit(run_dir, lambda d: d["briefings"][0].update(recipients=["x@evil.example"]), False)
    with pytest.raises(DeliveryError, match="changed since the build"):
        mf.read(run_dir)


def test_a_replaced_pdf_is_refused(run_dir: Path) -> None:
    pdf = mf.read(run_dir).briefings[0].pdf
    pdf.write_bytes(b"%PDF-1.4 something else")
    with pytest.raises(DeliveryError, match=f"{pdf.name} changed since the build"):
        mf.read(run_dir)


def test_send_of_a_tampered_run_exits_2_naming_the_manifest(run_dir: Path) -> None:
    _edit(run_dir, lambda d: d["briefings"][0].update(pdf="/etc/passwd"), reseal=True)
    result = subprocess.run(
        [sys.executable, "-c", "from reporter.cli import main; main()", "send", str(run_dir),
         "--dry-run"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "delivery.json" in result.stderr and "outside the run folder" in result.stderr
    assert "root:" not in result.stdout + result.stderr


# ------------------------------------------------------------------------ staging debris


def test_staging_of_dead_builds_is_removed_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / ".staging-999999999-abc"  # no such process id
    live = tmp_path / f".staging-{os.getpid()}-def"
    old_style = tmp_path / ".staging-ghi"
    for folder in (dead, live, old_style):
        folder.mkdir()
        (folder / "sales-report.xlsx").write_bytes(b"half")
    os.utime(old_style, (0, 0))
    removed = clean_stale_staging(tmp_path)
    assert sorted(removed) == sorted([dead, old_style])
    assert live.exists() and not dead.exists() and not old_style.exists()


# ------------------------------------------------------------------- control characters


@pytest.mark.parametrize(
    ("text", "shown"),
    [("\x1b[31mRed\x1b[0m", "?[31mRed?[0m"), ("Bell\x07", "Bell?"), ("a\r\nBcc: x", "a??Bcc: x"),
     ("Nord\u0085", "Nord?"), ("Zürich — Ω", "Zürich — Ω")],
)  # fmt: skip
def test_control_characters_are_replaced(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_a_message_keeps_its_own_lines() -> None:
    assert printable_lines("x\x1b.csv: bad\n  Fix: y") == "x?.csv: bad\n  Fix: y"


def test_log_arguments_are_cleaned_not_the_format(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("reporter.test.printable")
    log.addFilter(PrintableArgs())
    with caplog.at_level(logging.INFO, logger=log.name):
        log.info("building %s\n", "East\r\n2026-01-01 INFO    forged line")
    assert caplog.records[0].getMessage() == "building East??2026-01-01 INFO    forged line\n"


# -------------------------------------------------------------------- files and folders


def test_a_folder_input_never_follows_a_link_out_or_reads_a_pipe(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    write_xlsx(folder / "a.xlsx")
    (folder / "inside.xlsx").symlink_to(folder / "a.xlsx")
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    os.mkfifo(folder / "pipe.csv")
    files, skipped = expand([folder])
    assert [f.name for f in files] == ["a.xlsx", "inside.xlsx"]
    assert {s.path.name: s.why.split(";")[0] for s in skipped} == {
        "passwd.csv": "a link to a file outside the folder",
        "pipe.csv": "a named pipe (FIFO), not a file",
    }


def test_a_link_named_as_a_file_is_refused_without_reading_its_target(tmp_path: Path) -> None:
    link = tmp_path / "deals.csv"
    link.symlink_to("/etc/passwd")
    with pytest.raises(UnsupportedFormat) as raised:
        load_dataset([link], from_mapping({}))
    assert str(raised.value.message).startswith(f"{link}: is a symbolic link")
    assert "root:" not in raised.value.message + (raised.value.hint or "")  # /etc/passwd


@pytest.mark.parametrize("make", ["fifo", "dir"])
def test_only_a_regular_file_is_opened(tmp_path: Path, make: str) -> None:
    path = tmp_path / "deals.csv"
    os.mkfifo(path) if make == "fifo" else path.mkdir()
    with pytest.raises(UnsupportedFormat, match=r"deals\.csv: is a"):
        read_regular(path, 1 << 20)  # a FIFO would block here if it were opened


def test_links_and_pipes_in_the_inbox_go_to_failed_with_a_note(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (tmp_path / "work").mkdir()
    (inbox / "passwd.xlsx").symlink_to("/etc/passwd")
    os.mkfifo(inbox / "pipe.xlsx")
    write_workbook(inbox / "good.xlsx")
    config = from_mapping({"watch": {"settle_seconds": 0.0, "poll_interval": 0.01}})
    stats = watch(inbox, config, out, build=make_build(tmp_path / "work"), once=True)
    assert (stats.failed, stats.built) == (2, 1)
    for name in ("passwd.xlsx", "pipe.xlsx"):
        assert (inbox / "failed" / name).is_symlink() or (inbox / "failed" / name).exists()
        note = (inbox / "failed" / f"{name}.error.txt").read_text()
        assert "reads only files copied into the inbox" in note
    assert Path("/etc/passwd").exists()  # the link moved, not its target
