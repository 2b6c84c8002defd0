"""Fixtures for the command-line tests."""

from __future__ import annotations

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    """Click's runner: invokes ``reporter`` in-process and captures its output."""
    return CliRunner()
