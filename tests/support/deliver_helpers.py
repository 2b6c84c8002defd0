"""Real parts for the delivery tests: an SMTP server on loopback, a small stand-in build.

The stand-in build opens the workbook with openpyxl (so a half-copied file fails as the
real reader would, with ``UnreadableFile``), writes one small real PDF per region into
the run folder atomically, and appends a line to ``builds.log`` for every *successful*
build — the tests count builds there. It can sleep (to be killed mid-build).
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pandas as pd
from aiosmtpd.controller import Controller

from reporter.config import Config
from reporter.deliver import manifest
from reporter.errors import UnreadableFile
from reporter.files import atomic_dir
from reporter.model import Dataset, InputFile
from reporter.pipeline import RunResult

MANAGERS = {
    "West": ("Ana West", "ana.west@example.com"),
    "East": ("Bo East", "bo.east@example.com"),
    "Central": ("Cy Central", "cy.central@example.com"),
}


def write_workbook(path: Path, regions: Sequence[str] = tuple(MANAGERS), rows: int = 40) -> Path:
    """A real .xlsx with an opportunities sheet naming each region's manager and e-mail."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Opportunities"
    ws.append(["opportunity_id", "region", "manager", "manager_email", "amount"])
    for n in range(rows):
        region = regions[n % len(regions)]
        name, email = MANAGERS.get(region, (f"{region} Boss", f"boss.{n}@example.com"))
        ws.append([f"O{n:04d}", region, name, email, 1000 + n])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def pdf_bytes(text: str) -> bytes:
    """A tiny but valid one-page PDF."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        xref,
    )
    return bytes(out)


def make_build(log_dir: Path, sleep: float = 0.0, marker: Path | None = None) -> Callable:
    """A build function with pipeline.run's shape (see the module docstring)."""

    def build(inputs: Sequence[Path], config: Config, out_dir: Path) -> RunResult:
        path = Path(inputs[0])
        if marker is not None:
            marker.write_text(path.name)
        if sleep:
            time.sleep(sleep)
        try:
            wb = openpyxl.load_workbook(path, read_only=True)
            rows = list(wb["Opportunities"].iter_rows(values_only=True))
            wb.close()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise UnreadableFile(
                f"{path.name} is not a readable workbook ({exc})",
                hint="re-save it as .xlsx in Excel",
            ) from None
        frame = pd.DataFrame(rows[1:], columns=list(rows[0]))
        briefings: dict[str, Path] = {}
        reports: dict[str, Any] = {}
        with atomic_dir(out_dir) as tmp:
            for region, group in frame.groupby("region"):
                (tmp / f"briefing-{region}.pdf").write_bytes(pdf_bytes(f"Briefing {region}"))
                briefings[str(region)] = out_dir / f"briefing-{region}.pdf"
                reports[str(region)] = SimpleNamespace(
                    headline=SimpleNamespace(
                        quarter="FY2026 Q3",
                        won_opportunities=len(group),
                        won_amount=float(group["amount"].sum()),
                        won_customers=len(group) // 2,
                        lost_opportunities=3,
                        win_rate=0.4,
                        directional=False,
                    )
                )
            (tmp / "report.xlsx").write_bytes(path.read_bytes())
            (tmp / "metrics.json").write_text("{}")
        with open(log_dir / "builds.log", "a", encoding="utf-8") as fh:
            fh.write(f"{path.name}\n")
        sha = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
        dataset = Dataset(opportunities=frame, inputs=(InputFile(str(path), sha, len(frame)),))
        result = RunResult(
            out_dir=out_dir,
            dataset=dataset,
            report=SimpleNamespace(period=SimpleNamespace(label="FY2026 Q3")),  # type: ignore[arg-type]
            briefing_reports=reports,
            workbook=out_dir / "report.xlsx",
            metrics=out_dir / "metrics.json",
            briefings=briefings,
        )
        manifest.write(manifest.from_result(result, config))  # last, as pipeline.run does
        return result

    return build


def builds(log_dir: Path) -> list[str]:
    """Names of the inputs built successfully so far."""
    log = log_dir / "builds.log"
    return log.read_text().split() if log.exists() else []


# SMTP --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Handler:
    """Records accepted messages; can refuse recipients, fail DATA once, or stall DATA."""

    refuse: dict[str, str] = field(default_factory=dict)  # rcpt → "550 ..." reply
    fail_once: dict[str, str] = field(default_factory=dict)  # rcpt → "451 ..." on 1st DATA
    stall: set[str] = field(default_factory=set)  # rcpt → DATA waits for `release`
    release: threading.Event = field(default_factory=threading.Event)
    received: list[EmailMessage] = field(default_factory=list)
    stalled: threading.Event = field(default_factory=threading.Event)
    data_attempts: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpt = envelope.rcpt_tos[0]
        self.data_attempts.append(rcpt)
        if rcpt in self.fail_once:
            return self.fail_once.pop(rcpt)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(msg)  # type: ignore[arg-type]
        if rcpt in self.stall:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a free port; ``.handler`` has what it received."""

    def __init__(self, handler: Handler | None = None, **kwargs: Any) -> None:
        self.handler = handler or Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.release.set()
        self.controller.stop()


def email_config(port: int, **extra: Any) -> dict[str, Any]:
    """An [email] table for a local test server (no TLS: starttls = false)."""
    return {
        "host": "127.0.0.1",
        "port": port,
        "starttls": False,
        "sender": "Sales Reports <reports@example.com>",
        "timeout": 5.0,
        "max_attempts": 3,
        "backoff_seconds": 0.01,
        **extra,
    }


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, what: str = "") -> Any:
    """Poll until ``condition()`` is truthy (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


def env_without(name: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != name}


def make_run(out_dir: Path, config: Config, regions: Sequence[str] = tuple(MANAGERS)) -> Any:
    """A finished run folder (stand-in build + delivery.json) under ``out_dir/runs``."""
    from reporter.deliver.watch import run_dir_for
    from reporter.deliver.watch.inbox import sha256_file

    work = out_dir.parent / "work"
    work.mkdir(parents=True, exist_ok=True)
    book = write_workbook(work / "team.xlsx", regions)
    sha = sha256_file(book)
    run_dir = run_dir_for(out_dir, book.name, sha)
    make_build(work)([book], config, run_dir)
    return manifest.read(run_dir)
