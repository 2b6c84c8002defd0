"""A folder dropped into the inbox is read at any depth, as a zip is (real folders, ledger
and loopback SMTP; the stand-in build records what it was given)."""

from __future__ import annotations

from reporter.config import from_mapping
from reporter.deliver.watch import watch
from reporter.deliver.watch.batch import MAX_ZIP_MEMBERS
from support.deliver_helpers import MANAGERS, email_config, make_build, write_workbook


def _recording(work, seen, root):
    build = make_build(work)

    def record(inputs, config, out_dir):
        seen.append(sorted(p.relative_to(root).as_posix() for p in inputs))
        return build(inputs, config, out_dir)

    return record


def _config(port):
    return from_mapping(
        {"email": email_config(port), "watch": {"settle_seconds": 0.3, "poll_interval": 0.05}}
    )


def test_an_unpacked_download_with_sub_folders_is_one_run(tmp_path, smtp):
    inbox, out, work = tmp_path / "inbox", tmp_path / "out", tmp_path / "work"
    for folder in (inbox, work):
        folder.mkdir()
    drop = inbox / "september"
    write_workbook(drop / "export" / "opportunities.xlsx")
    write_workbook(drop / "reference" / "targets.xlsx", regions=("West",))
    (drop / "reference" / ".hidden").mkdir(parents=True)
    write_workbook(drop / "reference" / ".hidden" / "old.xlsx")  # a hidden folder: skipped
    (drop / "export" / "notes.txt").write_text("not a workbook")
    seen: list[list[str]] = []
    stats = watch(inbox, _config(smtp.port), out, build=_recording(work, seen, drop), once=True)
    assert seen == [["export/opportunities.xlsx", "reference/targets.xlsx"]]
    assert (stats.built, stats.failed) == (1, 0)
    assert len(smtp.handler.received) == len(MANAGERS)  # one message per manager, once
    assert (inbox / "processed" / "september" / "reference" / "targets.xlsx").exists()


def test_a_folder_of_too_many_workbooks_fails_with_a_note(tmp_path, smtp):
    inbox, out, work = tmp_path / "inbox", tmp_path / "out", tmp_path / "work"
    for folder in (inbox, work):
        folder.mkdir()
    drop = inbox / "everything"
    for n in range(MAX_ZIP_MEMBERS + 1):
        sub = drop / f"part{n % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"x{n}.csv").write_text("a\n1\n")
    stats = watch(inbox, _config(smtp.port), out, build=make_build(work), once=True)
    assert stats.failed == 1 and smtp.handler.received == []
    note = (inbox / "failed" / "everything.error.txt").read_text()
    assert f"holds {MAX_ZIP_MEMBERS + 1:,} workbooks" in note
