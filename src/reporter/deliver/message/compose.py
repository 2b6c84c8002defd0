"""One briefing e-mail: headers that cannot be injected, a short body, the PDF attached.

Subjects and names come partly from data (segment names), so every header value is
cleaned of line breaks and control characters before it reaches ``EmailMessage`` — the
Python in use (3.11.7) predates the gh-121650 fix that makes the generator refuse them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from reporter.config import Email
from reporter.deliver.message.recipients import parse_address

DEFAULT_SUBJECT = Email(host="").subject
DEFAULT_SENDER = Email(host="").sender
MAX_MESSAGE_BYTES = 20 * 1024 * 1024  # encoded size; Exchange Online's default is 25 MB

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


class MessageTooLarge(ValueError):
    """The encoded message exceeds the size limit."""


def clean_header(text: str, limit: int = 200) -> str:
    """``text`` on one line: line breaks and control characters become one space."""
    return _UNSAFE.sub(" ", str(text)).strip()[:limit]


def message_id(run_sha256: str, segment: str, recipient: str) -> str:
    """Deterministic Message-ID for (run, segment, recipient): a resend is recognisable."""
    digest = hashlib.sha256(f"{run_sha256}\n{segment}\n{recipient.lower()}".encode()).hexdigest()
    return f"<{digest[:32]}@reporter>"


def subject(template: str, segment: str, period: str) -> str:
    """The subject from the template with ``{segment}`` and ``{period}`` filled in, cleaned."""
    try:
        text = template.format(segment=clean_header(segment), period=clean_header(period))
    except (KeyError, IndexError, ValueError):
        text = DEFAULT_SUBJECT.format(segment=clean_header(segment), period=clean_header(period))
    return clean_header(text, limit=300)


def build(
    *,
    sender: str,
    recipient: str,
    subject_line: str,
    text: str,
    msg_id: str,
    pdf: Path | None = None,
    attachments: Sequence[Path] = (),
    html: str | None = None,
    max_bytes: int = MAX_MESSAGE_BYTES,
) -> EmailMessage:
    """Assemble the message: ``text`` (and ``html`` as its alternative), the files attached.

    Raises :class:`MessageTooLarge`, or ``BadAddress``/OSError.
    """
    files = [*([pdf] if pdf is not None else []), *attachments]
    msg = EmailMessage(policy=policy.default)
    msg["From"] = parse_address(sender)
    msg["To"] = parse_address(recipient)
    msg["Subject"] = clean_header(subject_line, limit=300)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for path in files:
        maintype, subtype = _MIME.get(Path(path).suffix.lower(), ("application", "octet-stream"))
        msg.add_attachment(
            Path(path).read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=clean_header(Path(path).name, limit=150),
        )
    size = len(msg.as_bytes(policy=policy.SMTP))
    if size > max_bytes:
        names = ", ".join(Path(p).name for p in files) or "its text"
        raise MessageTooLarge(
            f"the message with {names} is {size / 1e6:.1f} MB encoded, over the"
            f" {max_bytes / 1e6:.0f} MB limit mail servers accept: shorten the briefing"
            " ([briefings] max_rows) or share the file from the run folder instead"
        )
    return msg


_MIME = {
    ".pdf": ("application", "pdf"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
