"""`reporter send RUN_DIR` semantics, outbox mode, unknown messages and `status`."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from reporter.cli.render import status as render_status
from reporter.config import from_mapping
from reporter.deliver.ledger import Ledger, ledger_path
from reporter.deliver.send import send
from reporter.deliver.status import status
from reporter.errors import DeliveryError
from support.deliver_helpers import MANAGERS, Handler, SmtpServer, email_config, make_run

WEST, EAST = MANAGERS["West"][1], MANAGERS["East"][1]


def test_send_twice_sends_nothing_the_second_time(tmp_path):
    with SmtpServer() as server:
        config = from_mapping({"email": email_config(server.port)})
        manifest = make_run(tmp_path / "out", config)
        first = send(manifest.run_dir, config)
        second = send(manifest.run_dir, config)
    assert len(server.handler.received) == 3
    assert {o.status for o in first.outcomes} == {"sent"}
    assert {o.status for o in second.outcomes} == {"already sent"}


def test_dry_run_lists_who_would_get_what_and_changes_nothing(tmp_path):
    config = from_mapping({"email": email_config(1)})  # nothing listens: must not connect
    manifest = make_run(tmp_path / "out", config)
    report = send(manifest.run_dir, config, dry_run=True)
    assert [(o.segment, o.recipient, o.status) for o in report.outcomes] == [
        (region, address, "would send") for region, (_, address) in sorted(MANAGERS.items())
    ]
    assert "briefing-West.pdf" in report.render()
    with Ledger(ledger_path(config, tmp_path / "out")) as ledger:
        assert ledger.messages() == []


def test_outbox_mode_writes_eml_files_once(tmp_path):
    config = from_mapping({})
    manifest = make_run(tmp_path / "out", config)
    send(manifest.run_dir, config)
    again = send(manifest.run_dir, config)
    files = sorted((tmp_path / "out" / "outbox").glob("*.eml"))
    assert len(files) == 3 and {o.status for o in again.outcomes} == {"already sent"}
    msg = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["Message-ID"] and list(msg.iter_attachments())
    assert not list((tmp_path / "out" / "outbox").glob(".*"))  # no temp files left
    with Ledger(ledger_path(config, tmp_path / "out")) as ledger:
        rows = ledger.messages(manifest.sha256)
    assert {(r.status, r.transport) for r in rows} == {("sent", "outbox")}
    assert sorted(r.location for r in rows) == [str(f) for f in files]


def _interrupted(tmp_path, config):
    """A run whose West message was left in 'sending' by a crash."""
    manifest = make_run(tmp_path / "out", config)
    send(manifest.run_dir, config, dry_run=True)
    with Ledger(ledger_path(config, tmp_path / "out")) as ledger:
        ledger.upsert_input(manifest.sha256, manifest.source, "sending", str(manifest.run_dir))
        row = ledger.add_message(manifest.sha256, "West", WEST, "<x@reporter>", "smtp")
        ledger.mark_sending(row.id, "smtp")
        assert [m.recipient for m in ledger.interrupted_to_unknown()] == [WEST]
    return manifest


@pytest.mark.parametrize(
    ("choice", "west_received", "west_status"),
    [("keep", 0, "unknown"), ("resend", 1, "sent"), ("mark-sent", 0, "sent")],
    ids=["kept-for-decision", "resent-on-request", "marked-sent-on-request"],
)
def test_unknown_messages_wait_for_a_decision(tmp_path, choice, west_received, west_status):
    with SmtpServer() as server:
        config = from_mapping({"email": email_config(server.port)})
        manifest = _interrupted(tmp_path, config)
        report = send(manifest.run_dir, config, unknown=choice)
    assert len(server.handler.to(WEST)) == west_received
    assert len(server.handler.to(EAST)) == 1
    (west,) = [o for o in report.outcomes if o.recipient == WEST]
    assert west.status == west_status
    info = status(config, tmp_path / "out")
    assert bool(info.unknown) is (choice == "keep")
    if choice == "keep":
        assert "--resend-unknown" in render_status(info) and info.needs_attention


def test_fixed_address_in_config_is_used_on_resend(tmp_path):
    handler = Handler(refuse={EAST: "550 no such user"})
    with SmtpServer(handler) as server:
        config = from_mapping({"email": email_config(server.port)})
        manifest = make_run(tmp_path / "out", config)
        send(manifest.run_dir, config)
        fixed = from_mapping(
            {"email": email_config(server.port), "briefings": {"recipients": {"East": "e@x.org"}}}
        )
        report = send(manifest.run_dir, fixed)
    assert [m["To"] for m in handler.to("e@x.org")] == ["e@x.org"]
    assert {(o.recipient, o.status) for o in report.outcomes} == {
        ("e@x.org", "sent"),
        (MANAGERS["West"][1], "already sent"),
        (MANAGERS["Central"][1], "already sent"),
    }


def test_send_without_manifest_says_what_to_give(tmp_path):
    with pytest.raises(DeliveryError, match="not a finished run folder"):
        send(tmp_path, from_mapping({}))


def test_status_on_a_fresh_out_folder_creates_nothing(tmp_path):
    info = status(from_mapping({}), tmp_path)
    assert info.runs == () and "No runs" in render_status(info)
    assert not (tmp_path / "ledger.sqlite3").exists()


def test_status_renders_runs_and_failures(tmp_path):
    handler = Handler(refuse={EAST: "550 no such user"})
    with SmtpServer(handler) as server:
        config = from_mapping({"email": email_config(server.port)})
        make_run(tmp_path / "out", config)
        manifest = make_run(tmp_path / "out", config)
        send(manifest.run_dir, config)
    info = status(config, tmp_path / "out")
    text = render_status(info)
    assert info.needs_attention and [f.recipient for f in info.failed] == [EAST]
    assert "failed" in text and "550 no such user" in text and "team.xlsx" in text
