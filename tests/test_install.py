"""The wheel works outside the checkout: build it, install it into a fresh virtual
environment in a temporary folder, run ``reporter build`` on a copy of the samples there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from pypdf import PdfReader

from support.data import REPO

pytestmark = pytest.mark.slow


def _run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_installed_wheel_builds_the_samples_with_briefings(tmp_path):
    # Build from a copy, so setuptools' build/ and egg-info never land in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    built = _run(
        sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", "dist", ".", cwd=source
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (source / "dist").glob("reporter-*.whl")

    # A fresh venv whose only reporter is the wheel; the dependencies are reused from the
    # test's own environment (a .pth line) instead of being downloaded again.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
        ).stdout.strip()
    )
    (site / "reuse-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]

    work = tmp_path / "elsewhere"
    shutil.copytree(REPO / "samples", work / "samples")
    where = _run(python, "-c", "import reporter; print(reporter.__file__)", cwd=work)
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where.stdout

    result = _run(env_dir / "bin" / "reporter", "build", "samples", "--out", "out", cwd=work)
    assert result.returncode == 0, result.stderr[-2000:]
    pdfs = sorted((work / "out" / "briefings").glob("*.pdf"))
    assert [p.stem for p in pdfs] == ["Central", "EMEA", "East", "West"]
    text = PdfReader(pdfs[0]).pages[0].extract_text()
    assert "Central" in text
    assert (work / "out" / "sales-report.xlsx").is_file()
    assert (work / "out" / "delivery.json").is_file()
