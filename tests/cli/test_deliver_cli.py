"""The delivery commands through click: output and exit codes."""

from __future__ import annotations

from click.testing import CliRunner

from reporter.cli import cli
from reporter.config import from_mapping
from support.deliver_helpers import MANAGERS, Handler, SmtpServer, email_config, make_run


def _config_file(tmp_path, port):
    path = tmp_path / "config.toml"
    path.write_text(
        "[email]\n"
        f'host = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        'sender = "Reports <reports@example.com>"\nbackoff_seconds = 0.01\n'
    )
    return path


def test_send_dry_run_then_send_then_status(tmp_path):
    handler = Handler(refuse={MANAGERS["East"][1]: "550 no such user"})
    with SmtpServer(handler) as server:
        config_file = _config_file(tmp_path, server.port)
        manifest = make_run(tmp_path / "out", from_mapping({"email": email_config(server.port)}))
        runner = CliRunner()
        run_dir = str(manifest.run_dir)
        dry = runner.invoke(cli, ["send", run_dir, "--dry-run", "--config", str(config_file)])
        assert dry.exit_code == 0 and dry.output.count("would send") == 3
        assert handler.received == []
        sent = runner.invoke(cli, ["send", run_dir, "--config", str(config_file)])
        assert sent.exit_code == 4 and "550 no such user" in sent.output
        assert len(handler.received) == 2
    out = str(tmp_path / "out")
    status = runner.invoke(cli, ["status", "--out", out, "--config", str(config_file)])
    assert status.exit_code == 4 and "Failed messages" in status.output


def test_watch_on_a_missing_inbox_exits_2_with_the_fix(tmp_path):
    result = CliRunner().invoke(cli, ["watch", str(tmp_path / "nope"), "--once"])
    assert result.exit_code == 2 and "is not a folder" in result.output
    assert "Watching" not in result.output


def test_commands_have_help():
    for command in ("watch", "send", "status"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and len(result.output) > 200


def test_outbox_is_named_and_a_briefing_without_recipient_needs_attention(tmp_path):
    data = tmp_path / "deals.csv"
    data.write_text(
        "Opportunity Owner,Stage,Close Date,Amount,Region\n"
        "Ana,Closed Won,2026-07-01,100,West\nBo,Closed Lost,2026-07-02,50,East\n"
    )
    config = tmp_path / "config.toml"
    config.write_text('[briefings.recipients]\n"West" = "west@example.com"\n')
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["--config", str(config)]
    assert runner.invoke(cli, ["build", str(data), "--out", str(out), "-q", *args]).exit_code == 0
    sent = runner.invoke(cli, ["send", str(out), *args])
    assert "written to the outbox folder" in sent.output
    assert "written " in sent.output and "West → west@example.com" in sent.output
    assert "'East'" in sent.output  # the warning names the segment nobody receives
    assert len(list((out / "outbox").glob("*.eml"))) == 1
    status = runner.invoke(cli, ["status", "--out", str(out), *args])
    assert status.exit_code == 4, status.output
