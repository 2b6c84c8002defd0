"""Where messages go: SMTP (``smtp``) or ``.eml`` files in an outbox folder (``outbox``).

A new transport is a module here with a class that has ``name``, ``send(msg)`` and
``close()``; :func:`make_transport` picks one from config.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from reporter.config import Config


class Transport(Protocol):
    """Where messages go: SMTP or the outbox folder."""

    name: str

    def send(self, msg: EmailMessage) -> str | None: ...

    def close(self) -> None: ...


def outbox_dir(config: Config, out_dir: Path) -> Path:
    """``outbox`` from config (relative = inside ``out_dir``)."""
    path = Path(config.outbox).expanduser()
    return path if path.is_absolute() else Path(out_dir) / path


def make_transport(config: Config, out_dir: Path) -> Transport:
    """SMTP when ``[email]`` is configured, else the outbox folder."""
    if config.email is None:
        from reporter.deliver.transports.outbox import OutboxTransport

        return OutboxTransport(outbox_dir(config, out_dir))
    from reporter.deliver.transports.smtp import SmtpTransport

    return SmtpTransport(config.email)
