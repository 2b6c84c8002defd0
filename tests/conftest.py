"""Fixtures every test package may use; package-specific ones live in that package's conftest.

``tests/`` is on ``sys.path`` (pytest's rootdir conftest), so tests import helpers as
``from support.data import REPO``. The names re-exported here keep older
``from conftest import …`` lines working.
"""

from __future__ import annotations

import pytest

from support.data import DATASETS, FIXTURES, MAVEN, REPO, SHARED, make_opportunities, need_maven

__all__ = ["DATASETS", "FIXTURES", "MAVEN", "REPO", "SHARED", "make_opportunities", "need_maven"]


@pytest.fixture
def opportunities():
    return make_opportunities
