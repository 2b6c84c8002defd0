"""Fixtures every test package may use.

``tests/`` is on ``sys.path`` (pytest's rootdir conftest), so tests import helpers as
``from support.data import REPO``. The names re-exported here keep older
``from conftest import …`` lines working; while such lines exist, this stays the only
conftest.py (pytest imports every conftest.py as the one top-level module ``conftest``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from support.data import DATASETS, FIXTURES, MAVEN, REPO, SHARED, make_opportunities, need_maven
from support.deliver_helpers import SmtpServer

__all__ = ["DATASETS", "FIXTURES", "MAVEN", "REPO", "SHARED", "make_opportunities", "need_maven"]


@pytest.fixture
def opportunities():
    return make_opportunities


@pytest.fixture
def runner() -> CliRunner:
    """Click's runner: invokes ``reporter`` in-process and captures its output."""
    return CliRunner()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """An aiosmtpd server on a free loopback port that records every message."""
    with SmtpServer() as server:
        yield server
