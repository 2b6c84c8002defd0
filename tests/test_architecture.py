"""The import rules of docs/architecture.md, read from the source with ``ast``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from support.data import REPO

PACKAGE = REPO / "src" / "reporter"
STAGES = ("read", "metrics", "write", "deliver", "pipeline", "cli")
# config, model, quality, errors, files, vocabulary, quarters: anything not a stage
FOUNDATION = "foundation"

NEVER = {
    FOUNDATION: set(STAGES),
    "read": {"metrics", "write", "deliver", "pipeline", "cli"},
    "metrics": {"read", "write", "deliver", "pipeline", "cli"},
    "write": {"read", "deliver", "pipeline", "cli"},
    "deliver": {"read", "metrics", "write", "pipeline", "cli"},
    "pipeline": {"cli"},
    "cli": set(),
}


def part(module: str) -> str:
    """``reporter.write.xlsx.cells`` → ``write``; ``reporter.config`` → foundation."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else FOUNDATION


def module_name(path: Path) -> str:
    name = ".".join(("reporter", *path.relative_to(PACKAGE).with_suffix("").parts))
    return name.removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    """Every ``reporter…`` module the file imports, lazily or not, typing-only included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "reporter" or m.startswith("reporter.")}


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_rules_see_every_module():
    names = {module_name(p) for p in SOURCES}
    assert {"reporter.pipeline", "reporter.cli", "reporter.metrics", "reporter.files"} <= names
    assert all(part(n) in NEVER for n in names)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_stages(path):
    here = part(module_name(path))
    wrong = sorted(m for m in imports(path) if part(m) in NEVER[here] and part(m) != here)
    assert not wrong, f"{here} must not import {wrong} (docs/architecture.md)"


def test_the_checker_catches_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from reporter.write.xlsx import write_workbook\n")
    assert any(part(m) in NEVER["metrics"] for m in imports(bad))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_click_only_in_the_cli(path):
    if part(module_name(path)) != "cli":
        text = path.read_text(encoding="utf-8")
        assert "import click" not in text and "from click" not in text


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys, reporter.cli\n"
        "print(sorted(m for m in ('pandas', 'weasyprint', 'watchdog', 'jinja2') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
