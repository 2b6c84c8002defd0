"""Real parts for the delivery end-to-end tests: a small data set, SMTP on loopback, the CLI.

The data set is small enough to compute by hand (see ``EXPECTED``): an export of nine
opportunities in US dollars with no region, a reps file giving each rep a region and a
manager's e-mail, and a targets file. Only together do they make two regional briefings
with targets.

The CLI runs as a subprocess (the installed ``reporter`` script), exactly as cron, a
systemd timer or an operator runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from support.deliver_helpers import SmtpServer

EXPORT = """\
Opportunity ID,Opportunity Owner,Account Name,Stage,Amount,Created Date,Close Date,Currency
O1,Ana Alder,Acme,Closed Won,1000,2026-05-01,2026-07-10,USD
O2,Ana Alder,Birch,Closed Lost,500,2026-05-02,2026-08-01,USD
O3,Ben Birch,Cedar,Closed Won,2000,2026-05-03,2026-08-15,USD
O4,Cat Cole,Delta,Closed Won,3000,2026-05-04,2026-09-01,USD
O5,Dan Dale,Echo,Closed Lost,700,2026-05-05,2026-09-10,USD
O6,Dan Dale,Fox,Closed Won,400,2026-05-06,2026-09-20,USD
O7,Ana Alder,Acme,Closed Won,800,2026-02-01,2026-05-05,USD
O8,Cat Cole,Golf,Closed Lost,900,2026-02-02,2026-06-01,USD
O9,Ben Birch,Hotel,Negotiation,5000,2026-09-01,2026-12-15,USD
"""

REPS = """\
Sales Rep,Manager,Manager Email,Region
Ana Alder,Wendy West,west.manager@example.com,West
Ben Birch,Wendy West,west.manager@example.com,West
Cat Cole,Ed East,east.manager@example.com,East
Dan Dale,Ed East,east.manager@example.com,East
"""

TARGETS = """\
Sales Rep,Quarter,Target
Ana Alder,FY2026 Q2,1000
Ben Birch,FY2026 Q2,1000
Cat Cole,FY2026 Q2,1000
Dan Dale,FY2026 Q2,1000
Ana Alder,FY2026 Q3,1500
Ben Birch,FY2026 Q3,2500
Cat Cole,FY2026 Q3,2000
Dan Dale,FY2026 Q3,1000
"""

# A won deal without a close date: quarantined, so a rep's bonus may be short.
QUARANTINED_WIN = "O10,Cat Cole,India,Closed Won,1200,2026-05-07,,USD\n"

WEST = "west.manager@example.com"
EAST = "east.manager@example.com"
FINANCE = "finance@example.com"
CEO = "ceo@example.com"
OPS = "ops@example.com"

# Worked by hand from the three files above (FY2026 Q3 = 1 Jul - 30 Sep 2026).
#   won in Q3: O1 1000 (Ana, West), O3 2000 (Ben, West), O4 3000 (Cat, East), O6 400 (Dan, East)
#   lost in Q3: O2 (West), O5 (East); O9 is open; O7/O8 closed in Q2.
#   won customers (first ever win in Q3): Cedar, Delta, Fox (Acme first won in Q2 with O7)
#   targets Q3: Ana 1500 + Ben 2500 = 4000 West; Cat 2000 + Dan 1000 = 3000 East; 7000 in all
EXPECTED = {
    "FY2026 Q3": {
        "company": {"won": 4, "amount": 6400, "lost": 2, "customers": 3, "target": 7000},
        "West": {"won": 2, "amount": 3000, "lost": 1, "customers": 1, "target": 4000},
        "East": {"won": 2, "amount": 3400, "lost": 1, "customers": 2, "target": 3000},
    },
    # Q2: O7 won 800 (Acme's first win), O8 lost; targets 4 x 1000
    "FY2026 Q2": {"company": {"won": 1, "amount": 800, "lost": 1, "customers": 1, "target": 4000}},
}


def write_files(folder: Path, export: str = EXPORT) -> list[Path]:
    """export.csv, reps.csv and targets.csv in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in (("export.csv", export), ("reps.csv", REPS), ("targets.csv", TARGETS)):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def write_zip(path: Path, export: str = EXPORT) -> Path:
    """The three files in one zip archive."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export.csv", export)
        zf.writestr("reps.csv", REPS)
        zf.writestr("targets.csv", TARGETS)
    return path


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(
    path: Path, tables: dict[str, dict[str, Any]], top: dict[str, Any] | None = None
) -> Path:
    """A config.toml from plain data: top-level keys first, then one table each."""
    lines = [f"{k} = {toml_value(v)}" for k, v in (top or {}).items()]
    for table, keys in tables.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in keys.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def email_table(port: int) -> dict[str, Any]:
    """[email] for the loopback server (no TLS: starttls = false is for local relays)."""
    return {
        "host": "127.0.0.1",
        "port": port,
        "starttls": False,
        "sender": "Sales Reports <reports@example.com>",
        "timeout": 5.0,
        "max_attempts": 2,
        "backoff_seconds": 0.01,
    }


def audiences() -> dict[str, Any]:
    return {"finance": [FINANCE], "leadership": [CEO], "sales_ops": [OPS]}


# SMTP ---------------------------------------------------------------------------------


class Smtp(SmtpServer):
    """The shared loopback SMTP server, read as these tests read it: all, or to one address."""

    @property
    def received(self) -> list[EmailMessage]:
        return list(self.handler.received)

    def to(self, address: str) -> list[EmailMessage]:
        return self.handler.to(address)


@pytest.fixture(scope="session")
def mail_server():
    """One loopback SMTP server for every delivery test (starting one per test adds up)."""
    with Smtp() as server:
        yield server


@pytest.fixture
def mail(mail_server):
    """The shared server, emptied for this test: it sees only this test's messages (each
    test's CLI runs to completion, so nothing arrives late from another)."""
    mail_server.handler.received.clear()
    yield mail_server
    mail_server.handler.received.clear()


# the CLI ------------------------------------------------------------------------------

REPORTER = str(Path(sys.executable).with_name("reporter"))


def reporter(
    *args: str | os.PathLike[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``reporter ARGS`` to completion; stdout and stderr captured as text."""
    return subprocess.run(
        [REPORTER, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def watch_once(inbox: Path, config: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``reporter watch INBOX --once``: handle what is in the inbox, then exit."""
    result = reporter("watch", inbox, "--config", config, "--out", out, "--once")
    assert result.returncode == 0, result.stderr
    return result


def attachment_names(msg: EmailMessage) -> list[str]:
    return sorted(str(a.get_filename()) for a in msg.iter_attachments())


def bodies(msg: EmailMessage) -> tuple[str, str]:
    """The plain-text and the HTML body of ``msg``."""
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None, "the message needs text and HTML bodies"
    return str(plain.get_content()), str(html.get_content())


def run_folders(out: Path) -> list[Path]:
    runs = out / "runs"
    return sorted(p for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []


def inbox_names(inbox: Path, sub: str) -> list[str]:
    folder = inbox / sub
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def drop(files: Sequence[Path], inbox: Path) -> None:
    """Copy files into the inbox (as a user would, one after the other)."""
    for f in files:
        (inbox / f.name).write_bytes(f.read_bytes())
