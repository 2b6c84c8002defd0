"""One briefing e-mail: headers that cannot be injected, a short body, the PDF attached.

Subjects and names come partly from data (segment names), so every header value is
cleaned of line breaks and control characters before it reaches ``EmailMessage`` — the
Python in use (3.11.7) predates the gh-121650 fix that makes the generator refuse them.
"""

from __future__ import annotations

import hashlib
import re
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

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


def body(segment: str, period: str, headline: dict[str, Any], source: str) -> str:
    """The plain-text body: what is attached and the headline figures."""
    lines = [
        "Hello,",
        "",
        f"attached is the {period} sales briefing for {clean_header(segment)}.",
        "",
    ]
    figures = [
        ("Won opportunities", _count(headline.get("won_opportunities"))),
        ("Won amount", _amount(headline.get("won_amount"))),
        ("Won customers", _count(headline.get("won_customers"))),
        ("Win rate", _rate(headline.get("win_rate"), headline.get("directional"))),
    ]
    width = max(len(name) for name, _ in figures)
    lines += [f"  {name + ':':<{width + 1}} {value}" for name, value in figures]
    lines += [
        "",
        "The PDF has the details: reps, new customers and win rate by segment.",
        "",
        f"-- reporter (built from {clean_header(source)})",
    ]
    return "\n".join(lines) + "\n"


def build(
    *,
    sender: str,
    recipient: str,
    subject_line: str,
    text: str,
    pdf: Path,
    msg_id: str,
    max_bytes: int = MAX_MESSAGE_BYTES,
) -> EmailMessage:
    """Assemble the message. Raises :class:`MessageTooLarge`, or ``BadAddress``/OSError."""
    msg = EmailMessage(policy=policy.default)
    msg["From"] = parse_address(sender)
    msg["To"] = parse_address(recipient)
    msg["Subject"] = clean_header(subject_line, limit=300)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_attachment(
        Path(pdf).read_bytes(),
        maintype="application",
        subtype="pdf",
        filename=clean_header(Path(pdf).name, limit=150),
    )
    size = len(msg.as_bytes(policy=policy.SMTP))
    if size > max_bytes:
        raise MessageTooLarge(
            f"the message with {Path(pdf).name} is {size / 1e6:.1f} MB encoded, over the"
            f" {max_bytes / 1e6:.0f} MB limit mail servers accept: shorten the briefing"
            " ([briefings] max_rows) or share the PDF from the run folder instead"
        )
    return msg


def _count(value: Any) -> str:
    return "n/a" if value is None else f"{int(value):,}"


def _amount(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.0f}"


def _rate(value: Any, directional: Any) -> str:
    if value is None:
        return "n/a (no closed opportunities)"
    text = f"{float(value):.0%}"
    return f"{text} (few closed deals: directional only)" if directional else text
