"""Sending over a real SMTP server on loopback (aiosmtpd): refusals, retries, STARTTLS, login."""

from __future__ import annotations

import pytest

from reporter.config import from_mapping
from reporter.deliver.ledger import Ledger, ledger_path
from reporter.deliver.send import deliver
from reporter.deliver.transports import make_transport
from reporter.deliver.transports.smtp import SmtpTransport
from reporter.errors import DeliveryError
from support.deliver_helpers import MANAGERS, Handler, SmtpServer, email_config, make_run

WEST, EAST, CENTRAL = (MANAGERS[r][1] for r in ("West", "East", "Central"))


def _deliver(tmp_path, config, **kw):
    out = tmp_path / "out"
    manifest = make_run(out, config)
    with Ledger(ledger_path(config, out)) as ledger:
        report = deliver(manifest, ledger, config, make_transport(config, out), **kw)
        return report, ledger.messages(manifest.sha256), ledger.get_input(manifest.sha256)


def test_each_manager_gets_exactly_one_message_with_their_pdf(tmp_path):
    with SmtpServer() as server:
        config = from_mapping({"email": email_config(server.port)})
        report, rows, run = _deliver(tmp_path, config)
    assert report.ok and run.state == "sent"
    for region, (_, address) in MANAGERS.items():
        (msg,) = server.handler.to(address)
        (att,) = list(msg.iter_attachments())
        assert att.get_filename() == f"briefing-{region}.pdf"
        assert region in str(msg["Subject"])
    assert {r.status for r in rows} == {"sent"}


def test_refused_recipient_and_transient_failure_are_retried_and_recorded(tmp_path):
    handler = Handler(
        refuse={EAST: "550 5.1.1 mailbox unavailable"},
        fail_once={CENTRAL: "451 4.3.0 try again later"},
    )
    with SmtpServer(handler) as server:
        config = from_mapping({"email": email_config(server.port)})
        report, rows, run = _deliver(tmp_path, config)
    by_rcpt = {r.recipient: r for r in rows}
    assert by_rcpt[WEST].status == "sent" and by_rcpt[WEST].attempts == 1
    assert by_rcpt[CENTRAL].status == "sent" and by_rcpt[CENTRAL].attempts == 2
    assert by_rcpt[EAST].status == "failed" and by_rcpt[EAST].attempts == 1  # 5xx: no retry
    assert "550" in by_rcpt[EAST].last_error
    assert handler.data_attempts.count(CENTRAL) == 2
    assert len(handler.to(CENTRAL)) == 1 and len(handler.to(WEST)) == 1
    assert not handler.to(EAST)
    assert run.state == "failed" and "1 of 3 messages not delivered" in run.error
    assert not report.ok


def test_transient_failures_give_up_after_max_attempts(tmp_path):
    handler = Handler(fail_once={WEST: "451 busy"})
    with SmtpServer(handler) as server:
        config = from_mapping({"email": email_config(server.port, max_attempts=1)})
        _, rows, _ = _deliver(tmp_path, config)
    (west,) = [r for r in rows if r.recipient == WEST]
    assert west.status == "failed" and "451" in west.last_error


def test_starttls_required_but_not_offered_sends_nothing(tmp_path):
    with SmtpServer() as server:
        config = from_mapping({"email": email_config(server.port, starttls=True)})
        with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
            _deliver(tmp_path, config)
        assert server.handler.received == [] and server.handler.data_attempts == []
    with Ledger(ledger_path(config, tmp_path / "out")) as ledger:
        assert {m.status for m in ledger.messages()} == {"queued"}
        (run,) = ledger.inputs()
        assert run.state == "failed" and "STARTTLS" in run.error


def test_missing_password_variable_is_named(monkeypatch):
    monkeypatch.delenv("REPORTER_TEST_SMTP_PW", raising=False)
    config = from_mapping(
        {"email": email_config(25, username="reports", password_env="REPORTER_TEST_SMTP_PW")}
    )
    with pytest.raises(DeliveryError, match="REPORTER_TEST_SMTP_PW is not set"):
        SmtpTransport(config.email)


def test_login_uses_the_password_from_the_environment(tmp_path, monkeypatch):
    seen = []

    def check(mechanism, login, password):
        seen.append((login, password))
        return password == b"s3cret"

    monkeypatch.setenv("REPORTER_TEST_SMTP_PW", "s3cret")
    with SmtpServer(auth_require_tls=False, auth_callback=check) as server:
        extra = {"username": "reports", "password_env": "REPORTER_TEST_SMTP_PW"}
        config = from_mapping({"email": email_config(server.port, **extra)})
        report, _, _ = _deliver(tmp_path, config)
    assert report.ok and seen == [(b"reports", b"s3cret")]


def test_wrong_password_is_a_delivery_error(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTER_TEST_SMTP_PW", "wrong")
    with SmtpServer(auth_require_tls=False, auth_callback=lambda *a: False) as server:
        extra = {"username": "reports", "password_env": "REPORTER_TEST_SMTP_PW"}
        config = from_mapping({"email": email_config(server.port, **extra)})
        with pytest.raises(DeliveryError, match="refused the login"):
            _deliver(tmp_path, config)
        assert server.handler.received == []


def test_unreachable_server_is_transient_then_failed(tmp_path):
    from support.deliver_helpers import free_port

    config = from_mapping({"email": email_config(free_port(), max_attempts=2)})
    _, rows, run = _deliver(tmp_path, config)
    assert {r.status for r in rows} == {"failed"} and all(r.attempts == 2 for r in rows)
    assert "cannot connect" in rows[0].last_error and run.state == "failed"
