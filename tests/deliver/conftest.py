"""Fixtures for the delivery tests: a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.deliver_helpers import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """An aiosmtpd server on a free loopback port that records every message."""
    with SmtpServer() as server:
        yield server
