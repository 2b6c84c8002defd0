"""Send one run's messages, honouring the ledger: never twice per run, audience and recipient.

Who gets what is :mod:`reporter.deliver.message.audience`; a run whose data meets a hold
condition (:mod:`reporter.deliver.hold`) sends nothing but a notice to sales ops until
``reporter send RUN --approve``.

Each message row is written as ``queued`` first and committed as ``sending`` right before
the transport is called, so the ledger is never behind reality. Outcomes:
``sent``; ``failed`` (5xx, or 4xx/connection errors still failing after ``max_attempts``
tries with exponential backoff); ``unknown`` (interrupted — a person decides).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reporter.config import Config
from reporter.deliver.hold import Finding, holding
from reporter.deliver.ledger import Ledger, MessageRow, ledger_path
from reporter.deliver.manifest import Manifest, read
from reporter.deliver.message import compose
from reporter.deliver.message.audience import Outgoing, hold_notice, outgoing
from reporter.deliver.message.recipients import BadAddress, parse_address, resolve
from reporter.deliver.transports import Transport, make_transport
from reporter.deliver.transports.smtp import PermanentError, TransientError, UnknownOutcome
from reporter.errors import DeliveryError

log = logging.getLogger("reporter.deliver")

UNKNOWN_CHOICES = ("keep", "resend", "mark-sent")
DECIDE = "decide: reporter send RUN_DIR --resend-unknown or --mark-unknown-sent"


@dataclass(frozen=True)
class Outcome:
    """What happened (or would happen) to one message."""

    segment: str
    recipient: str
    status: str  # sent | already sent | failed | unknown | queued | would send
    message_id: str
    detail: str | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """The result of delivering one run."""

    run: str
    run_dir: Path
    outcomes: tuple[Outcome, ...]
    warnings: tuple[str, ...]
    dry_run: bool = False
    transport: str = "smtp"  # "smtp" | "outbox"
    held: tuple[Finding, ...] = ()  # why the run is on hold (empty: released)

    @property
    def ok(self) -> bool:
        """True when every message is delivered (or, in a dry run, could be) and the run
        is not on hold."""
        good = {"sent", "already sent", "would send"}
        return not self.held and all(o.status in good for o in self.outcomes)

    def count(self, status: str) -> int:
        """How many messages ended in ``status`` this time."""
        return sum(o.status == status for o in self.outcomes)

    def render(self) -> str:
        """Text for the CLI: one line per message, then warnings."""
        head = "Would send" if self.dry_run else "Delivery"
        if self.transport == "outbox":
            head += " (no [email] configured: messages are written to the outbox folder)"
        lines = [f"{head} for run {self.run[:12]} ({self.run_dir}):"]
        if self.held:
            lines.append("  ON HOLD: nothing is sent but the notice to sales ops, because of")
            lines += [f"    {line}" for f in self.held for line in f.line().splitlines()]
            lines.append(f"  Release it once checked: reporter send {self.run_dir} --approve")
        for o in self.outcomes:
            detail = f" — {o.detail}" if o.detail else ""
            status = "written" if o.status == "sent" and self.transport == "outbox" else o.status
            lines.append(f"  {status:<12} {o.segment} → {o.recipient}{detail}")
        if not self.outcomes:
            lines.append("  (no messages)")
        lines += [f"  warning: {w}" for w in self.warnings]
        sent = self.count("sent")
        verb = "written to the outbox" if self.transport == "outbox" else "sent"
        lines.append(
            f"  {sent} {verb}, {self.count('already sent')} already sent,"
            f" {self.count('failed')} failed, {self.count('unknown')} unknown"
        )
        return "\n".join(lines)


def out_dir_of(run_dir: Path) -> Path:
    """The output root of a run folder: ``<out>/runs/<run>`` → ``<out>``; else the folder."""
    run_dir = Path(run_dir).resolve()
    return run_dir.parent.parent if run_dir.parent.name == "runs" else run_dir


def deliver(
    manifest: Manifest,
    ledger: Ledger,
    config: Config,
    transport: Transport | None,
    *,
    dry_run: bool = False,
    unknown: str = "keep",
    approve: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    max_bytes: int = compose.MAX_MESSAGE_BYTES,
) -> DeliveryReport:
    """Send every message of ``manifest`` not yet sent; record each step in ``ledger``.

    ``unknown`` decides about interrupted messages: ``keep`` (report them), ``resend``,
    or ``mark-sent`` (a person checked that they arrived). A run meeting a hold condition
    sends only the hold notice unless ``approve`` (or an earlier approval). Raises
    :class:`DeliveryError` when the transport needs fixing (the message stays queued).
    """
    if unknown not in UNKNOWN_CHOICES:
        raise ValueError(f"unknown must be one of {UNKNOWN_CHOICES}")
    _check_sender(config)
    run = manifest.sha256
    kind = "smtp" if config.email is not None else "outbox"
    if not dry_run:
        if ledger.get_input(run) is None:
            ledger.upsert_input(run, manifest.source, "built", str(manifest.run_dir))
        if approve:
            ledger.approve(run)
    held = _held(manifest, ledger, config, approve)
    if held:
        notice, warnings = hold_notice(manifest, config, held)
        items = [notice] if notice is not None else []
        if not dry_run:
            ledger.hold(run, "; ".join(f.condition for f in held))
    else:
        managers, warnings = _current_recipients(manifest, config)
        items, more = outgoing(manifest, config, managers)
        warnings += more
    if not dry_run:
        ledger.set_input_state(run, "sending", run_dir=str(manifest.run_dir))
    existing = {(m.segment, m.recipient.lower()): m for m in ledger.messages(run)}
    outcomes: list[Outcome] = []
    try:
        for item in items:
            for recipient in item.recipients:
                mid = compose.message_id(run, item.key, recipient)
                row = existing.get((item.key, recipient.lower()))
                if dry_run:
                    outcomes.append(_dry(item, recipient, mid, row))
                    continue
                if row is None:
                    row = ledger.add_message(run, item.key, recipient, mid, kind)
                one = _deliver_one(item, row, ledger, config, transport, unknown, sleep, max_bytes)
                outcomes.append(one)
    except DeliveryError as exc:
        ledger.set_input_state(run, "failed", error=f"delivery: {exc.message}")
        raise
    finally:
        if transport is not None:
            transport.close()
    report = DeliveryReport(
        run, manifest.run_dir, tuple(outcomes), tuple(warnings), dry_run, kind, tuple(held)
    )
    if not dry_run:
        _record_run_state(ledger, manifest, report)
    return report


def _held(manifest: Manifest, ledger: Ledger, config: Config, approve: bool) -> list[Finding]:
    """The findings that hold this run now, or [] (none, or a person approved it)."""
    found = holding(manifest.findings, config.delivery.hold_when)
    if not found or approve:
        return []
    row = ledger.get_hold(manifest.sha256)
    return [] if row is not None and row.approved_at else found


def _check_sender(config: Config) -> None:
    sender = config.email.sender if config.email else compose.DEFAULT_SENDER
    try:
        parse_address(sender)
    except BadAddress as exc:
        raise DeliveryError(
            f"[email] sender: {exc}", hint='use sender = "Sales Reports <reports@example.com>"'
        ) from None


def _current_recipients(
    manifest: Manifest, config: Config
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Segment → recipients: config's win over those stored at build time, so a fixed
    address counts."""
    configured = {
        seg: addrs
        for seg, addrs in config.briefings.recipients.items()
        if any(seg.casefold() == b.segment.casefold() for b in manifest.briefings)
    }
    stored = {b.segment: b.recipients for b in manifest.briefings}
    return resolve([b.segment for b in manifest.briefings], configured, stored)


def _dry(item: Outgoing, recipient: str, mid: str, row: MessageRow | None) -> Outcome:
    status = {"sent": "already sent", "unknown": "unknown", "sending": "unknown"}.get(
        row.status if row else "", "would send"
    )
    names = ", ".join(p.name for p in item.attachments) or "no attachment"
    detail = names if status == "would send" else (row.last_error if row else None)
    return Outcome(item.label, recipient, status, mid, detail)


def _deliver_one(
    item: Outgoing,
    row: MessageRow,
    ledger: Ledger,
    config: Config,
    transport: Transport | None,
    unknown: str,
    sleep: Callable[[float], None],
    max_bytes: int,
) -> Outcome:
    def outcome(status: str, detail: str | None = None) -> Outcome:
        return Outcome(item.label, row.recipient, status, row.message_id, detail)

    if row.status == "sent":
        return outcome("already sent", row.location)
    if row.status in ("unknown", "sending"):
        if unknown == "mark-sent":
            ledger.mark_sent(row.id, row.location)
            return outcome("sent", "marked as sent by the operator")
        if unknown != "resend":
            if row.status == "sending":
                ledger.mark(row.id, "unknown", "interrupted while sending")
            return outcome("unknown", f"interrupted while sending; {DECIDE}")
    if transport is None:
        raise ValueError("a transport is needed to send")
    settings = config.email
    try:
        msg = compose.build(
            sender=settings.sender if settings else compose.DEFAULT_SENDER,
            recipient=row.recipient,
            subject_line=item.body.subject,
            text=item.body.text,
            html=item.body.html,
            attachments=item.attachments,
            msg_id=row.message_id,
            max_bytes=max_bytes,
        )
    except (BadAddress, compose.MessageTooLarge, OSError) as exc:
        error = f"cannot build the message: {exc}"
        ledger.mark(row.id, "failed", error)
        log.error("%s → %s: %s", item.label, row.recipient, error)
        return outcome("failed", error)
    attempts = settings.max_attempts if settings else 3
    backoff = settings.backoff_seconds if settings else 0.5
    error = ""
    for attempt in range(1, max(1, attempts) + 1):
        ledger.mark_sending(row.id, transport.name)
        try:
            location = transport.send(msg)
        except TransientError as exc:
            error = f"attempt {attempt}/{attempts}: {exc}"
            ledger.mark(row.id, "queued", error)
            log.warning("%s → %s: %s", item.label, row.recipient, error)
            if attempt < attempts:
                sleep(backoff * 2 ** (attempt - 1))
            continue
        except OSError as exc:  # outbox folder trouble: worth another try
            error = f"attempt {attempt}/{attempts}: {exc}"
            ledger.mark(row.id, "queued", error)
            if attempt < attempts:
                sleep(backoff * 2 ** (attempt - 1))
            continue
        except PermanentError as exc:
            ledger.mark(row.id, "failed", str(exc))
            log.error("%s → %s: %s", item.label, row.recipient, exc)
            return outcome("failed", str(exc))
        except UnknownOutcome as exc:
            ledger.mark(row.id, "unknown", str(exc))
            log.error("%s → %s: %s", item.label, row.recipient, exc)
            return outcome("unknown", str(exc))
        except DeliveryError as exc:
            ledger.mark(row.id, "queued", exc.message)  # nothing left this machine
            raise
        ledger.mark_sent(row.id, location)
        if transport.name == "outbox":
            log.info("wrote %s message for %s: %s", item.label, row.recipient, location)
        else:
            log.info("sent %s message to %s", item.label, row.recipient)
        return outcome("sent", location)
    ledger.mark(row.id, "failed", f"gave up after {attempts} attempts; last: {error}")
    return outcome("failed", error)


def _record_run_state(ledger: Ledger, manifest: Manifest, report: DeliveryReport) -> None:
    if report.held:
        reasons = ", ".join(f.condition for f in report.held)
        ledger.set_input_state(
            manifest.sha256,
            "built",
            error=f"on hold ({reasons}): release with reporter send {manifest.run_dir} --approve",
        )
        return
    bad = [o for o in report.outcomes if o.status not in ("sent", "already sent")]
    if not bad:
        note = "; ".join(report.warnings) or None
        ledger.set_input_state(manifest.sha256, "sent", error=note)
        return
    unknown = sum(o.status == "unknown" for o in bad)
    parts = [f"{len(bad)} of {len(report.outcomes)} messages not delivered"]
    if unknown:
        parts.append(f"{unknown} interrupted ({DECIDE})")
    parts.append(f"first: {bad[0].recipient}: {bad[0].detail}")
    ledger.set_input_state(manifest.sha256, "failed", error="; ".join(parts))


def send(
    run_dir: Path,
    config: Config,
    *,
    dry_run: bool = False,
    unknown: str = "keep",
    approve: bool = False,
    transport: Transport | None = None,
    out_dir: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """(Re)send one run folder's messages; what was already sent is not sent again.

    ``dry_run`` lists who would get what and changes nothing. ``unknown`` as in
    :func:`deliver`; ``approve`` releases a held run. Raises :class:`DeliveryError` (no
    manifest, SMTP needs fixing).
    """
    manifest = read(Path(run_dir))
    out = Path(out_dir) if out_dir else out_dir_of(manifest.run_dir)
    if transport is None and not dry_run:
        transport = make_transport(config, out)
    with Ledger(ledger_path(config, out)) as ledger:
        return deliver(
            manifest,
            ledger,
            config,
            transport,
            dry_run=dry_run,
            unknown=unknown,
            approve=approve,
            sleep=sleep,
        )
