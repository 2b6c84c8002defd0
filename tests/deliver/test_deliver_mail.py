"""Building briefing e-mails: addresses, subjects, Message-IDs, header injection, size."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from reporter.deliver.message import body as words
from reporter.deliver.message import compose as mail
from reporter.deliver.message.recipients import BadAddress, parse_address, resolve
from support.deliver_helpers import pdf_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("west.manager@example.com", "west.manager@example.com"),
        ("Ana West <ana@example.com>", "Ana West <ana@example.com>"),
        ('"West, Ana" <ana@example.com>', '"West, Ana" <ana@example.com>'),
        ("  ana@example.com  ", "ana@example.com"),
    ],
    ids=["plain", "name-addr", "quoted-name-with-comma", "spaces"],
)
def test_good_addresses_parse(text, expected):
    assert str(parse_address(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ana@example.com\r\nBcc: x@evil.example",
        "Ana\nWest <ana@example.com>",
        "ana@example.com, bo@example.com",
        "ana@example.com; bo@example.com",
        "not an address",
        "@example.com",
        "",
        "ana@exa\x00mple.com",
    ],
    ids=[
        "crlf-bcc",
        "lf-in-name",
        "two-comma",
        "two-semicolon",
        "words",
        "no-user",
        "empty",
        "nul",
    ],
)
def test_bad_addresses_are_refused(text):
    with pytest.raises(BadAddress):
        parse_address(text)


def test_message_id_is_deterministic_per_run_segment_recipient():
    a = mail.message_id("f" * 64, "West", "ana@example.com")
    assert a == mail.message_id("f" * 64, "West", "ANA@example.com")
    assert a != mail.message_id("f" * 64, "East", "ana@example.com")
    assert a != mail.message_id("e" * 64, "West", "ana@example.com")
    assert a.startswith("<") and a.endswith("@reporter>") and len(a) == len("<@reporter>") + 32


BODY = words.render(
    "unused",
    "Attached is the sales briefing for West.",
    [words.Section("West", rows=words.headline_rows({"won_opportunities": 3, "win_rate": 0.25}))],
    "reporter",
)


def _message(tmp_path, segment="West", recipient="ana@example.com", **kw):
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(pdf_bytes("x"))
    return mail.build(
        sender="Sales Reports <reports@example.com>",
        recipient=recipient,
        subject_line=mail.subject(mail.DEFAULT_SUBJECT, segment, "FY2026 Q3"),
        text=BODY.text,
        html=BODY.html,
        pdf=pdf,
        msg_id=mail.message_id("a" * 64, segment, recipient),
        **kw,
    )


def test_header_injection_through_segment_name_is_impossible(tmp_path):
    msg = _message(tmp_path, segment="West\r\nBcc: x@evil.example")
    raw = msg.as_bytes(policy=policy.SMTP)
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None
    assert "\n" not in str(parsed["Subject"]) and "\r" not in str(parsed["Subject"])
    assert str(parsed["Subject"]) == "Sales briefing West Bcc: x@evil.example — FY2026 Q3"
    assert [str(a) for a in parsed["To"].addresses] == ["ana@example.com"]


def test_header_injection_through_recipient_is_refused(tmp_path):
    with pytest.raises(BadAddress):
        _message(tmp_path, recipient="ana@example.com\r\nBcc: x@evil.example")


def test_message_has_body_figures_and_pdf(tmp_path):
    msg = _message(tmp_path)
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    assert "Won opportunities: 3" in text and "Win rate:          25.0%" in text
    assert "Won amount:        —" in text  # missing, not 0
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "<td>Won opportunities</td>" in html and "25.0%" in html
    (att,) = list(parsed.iter_attachments())
    assert att.get_content_type() == "application/pdf"
    assert att.get_filename() == "briefing.pdf"
    assert att.get_content().startswith(b"%PDF-")
    assert parsed["Message-ID"] == mail.message_id("a" * 64, "West", "ana@example.com")


def test_oversized_message_is_refused_with_a_clear_reason(tmp_path):
    with pytest.raises(mail.MessageTooLarge, match="MB encoded"):
        _message(tmp_path, max_bytes=1000)


def test_bad_template_falls_back_to_default_subject():
    assert mail.subject("Briefing {nope}", "West", "Q3") == "Sales briefing West — Q3"


def test_configured_recipients_win_over_data_and_bad_ones_are_reported():
    who, warnings = resolve(
        ["West", "East", "North"],
        {"west": ("boss@example.com", "bad\r\nBcc: x@evil")},
        {"West": ("ana@example.com",), "East": ("bo@example.com", "BO@example.com")},
    )
    assert who == {"West": ("boss@example.com",), "East": ("bo@example.com",), "North": ()}
    assert any("line break" in w for w in warnings)
    assert any("'North' has no recipient" in w for w in warnings)
