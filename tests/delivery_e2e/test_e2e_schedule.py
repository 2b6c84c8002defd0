"""The documented systemd timer and crontab line, run as written (paths swapped for tmp)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import e2e_support
import pytest
from e2e_support import (
    EAST,
    REPORTER,
    WEST,
    email_table,
    write_config,
    write_files,
)

# The shared loopback SMTP server (e2e_support): one for the session, emptied per test.
mail_server, mail = e2e_support.mail_server, e2e_support.mail

DOCS = Path(__file__).resolve().parents[2] / "docs" / "delivery.md"


def _block(after: str, lang: str) -> str:
    """The first fenced ``lang`` block after the line containing ``after`` in delivery.md."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(after)
    match = re.compile(rf"```{lang}\n(.*?)```", re.S).search(text, start)
    assert match, f"no ```{lang} block after {after!r} in {DOCS}"
    return match.group(1)


def _swap(command: str, tmp: Path) -> str:
    for real, local in (
        ("/opt/reporter/.venv/bin/reporter", REPORTER),
        ("/srv/reports/exports", str(tmp / "exports")),
        ("/etc/reporter/config.toml", str(tmp / "config.toml")),
        ("/etc/reporter/smtp.env", str(tmp / "smtp.env")),
        ("/var/lib/reporter/out", str(tmp / "out")),
        ("/var/lib/reporter", str(tmp)),
    ):
        command = command.replace(real, local)
    return command


def _setup(tmp: Path, port: int) -> None:
    write_files(tmp / "exports")
    write_config(tmp / "config.toml", {"email": email_table(port)})
    (tmp / "smtp.env").write_text("REPORTER_SMTP_PASSWORD=not-used-without-username\n")


def _crontab_command(tmp: Path) -> str:
    line = next(ln for ln in _block("crontab -e", "").splitlines() if ln.strip() and ln[0] != "#")
    fields = line.split(None, 5)
    assert len(fields) == 6 and fields[:5] == ["0", "7", "*", "*", "1"]  # Mondays 07:00
    return _swap(fields[5], tmp)


def _systemd_command(tmp: Path) -> str:
    timer = _block("reporter-report.timer", "ini")
    service = _block("reporter-report.service", "ini")
    (calendar,) = re.findall(r"^OnCalendar=(.+)$", timer, re.M)
    assert "Persistent=true" in timer and "Unit=reporter-report.service" in timer
    if shutil.which("systemd-analyze"):
        check = subprocess.run(
            ["systemd-analyze", "calendar", calendar], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
    assert re.search(r"^Type=oneshot$", service, re.M)
    exec_start = re.search(r"^ExecStart=(.+?)(?<!\\)$", service.replace("\\\n", " "), re.M)
    assert exec_start
    return _swap(exec_start.group(1), tmp)


@pytest.mark.slow
def test_crontab_line_and_systemd_service_send_each_report_once(tmp_path, mail):
    """Both documented schedules, run as written against the same export, config and out
    folder (paths swapped for tmp): each runs cleanly, and whichever runs first sends the
    report; the other, a later run of the same data, sends nothing again."""
    _setup(tmp_path, mail.port)
    for command in (_crontab_command(tmp_path), _systemd_command(tmp_path)):
        done = subprocess.run(["sh", "-c", command], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert len(mail.to(WEST)) == 1 and len(mail.to(EAST)) == 1
