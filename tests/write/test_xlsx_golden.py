"""Golden files: the workbook of a small report, unzipped, part by part against
``tests/write/golden/xlsx/``. Creation dates and the reporter version are masked.

After an intended change, regenerate and review the diff:

    REPORTER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/write/test_xlsx_golden.py
    git diff tests/write/golden/xlsx/
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path
from xml.dom import minidom

import pytest

import reporter
from reporter.config import Config
from reporter.write.xlsx import write_workbook
from support.xlsx_helpers import hand_dataset, hand_report

GOLDEN = Path(__file__).parent / "golden" / "xlsx"
UPDATE = os.environ.get("REPORTER_UPDATE_GOLDEN") == "1"
_DATES = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


class PinnedConfig(Config):
    """Defaults, but a fixed config record: a new config key elsewhere must not move goldens."""

    def to_record(self) -> dict[str, object]:
        return {"win_rate": {"mode": "snapshot", "min_closed": 20}, "columns": {}}


def normalise(name: str, data: bytes) -> str:
    """Readable, comparable text of one part: pretty XML, dates and version masked."""
    text = data.decode("utf-8")
    text = _DATES.sub(r"\1MASKED\2", text)
    text = text.replace(f"reporter {reporter.__version__}", "reporter VERSION")
    text = text.replace(f">{reporter.__version__}<", ">VERSION<")
    if name.endswith((".xml", ".rels")):
        text = minidom.parseString(text.encode("utf-8")).toprettyxml(indent="  ")
    return text


def parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: normalise(n, archive.read(n)) for n in sorted(archive.namelist())}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("golden") / "sales-report.xlsx"
    write_workbook(path, hand_report(), hand_dataset(rep_targets=True), PinnedConfig())
    got = parts(path)
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in got.items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return got


def golden_names() -> list[str]:
    return sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())


def test_same_parts_as_golden(workbook):
    assert sorted(workbook) == golden_names()


@pytest.mark.parametrize("name", golden_names() or ["(no golden files)"])
def test_part_matches_golden(workbook, name):
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert workbook[name] == expected, f"{name} differs; see the module docstring to regenerate"
