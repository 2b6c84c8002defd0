"""Outbox transport: without ``[email]``, each message becomes an ``.eml`` file in a folder.

File names derive from the Message-ID, so writing a message again replaces the same file
rather than adding a copy. Files are written atomically: a mail client or a later
forwarding job never sees half a message.
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from pathlib import Path

from reporter.files import atomic_path

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class OutboxTransport:
    """Writes messages as ``<recipient>-<id>.eml`` into ``folder``."""

    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path_for(self, msg: EmailMessage) -> Path:
        """Where ``msg`` is (or would be) written."""
        recipient = msg["To"].addresses[0].addr_spec
        digest = str(msg["Message-ID"]).strip("<>").split("@", 1)[0][:12]
        stem = _SAFE.sub("_", recipient).strip("._")[:80] or "message"
        return self.folder / f"{stem}-{digest}.eml"

    def send(self, msg: EmailMessage) -> str | None:
        """Write ``msg``; returns the file's path."""
        target = self.path_for(msg)
        with atomic_path(target) as tmp:
            tmp.write_bytes(msg.as_bytes(policy=policy.default))
        return str(target)

    def close(self) -> None:
        """Nothing to close; present so both transports look alike."""
