"""``reporter status``: the ledger as data and as a screen of text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reporter.config import Config
from reporter.deliver.ledger import InputRow, Ledger, MessageRow
from reporter.deliver.send import ledger_path


@dataclass(frozen=True)
class RunStatus:
    """One input and its messages."""

    input: InputRow
    messages: tuple[MessageRow, ...]

    def counts(self) -> dict[str, int]:
        """Messages per status."""
        out: dict[str, int] = {}
        for m in self.messages:
            out[m.status] = out.get(m.status, 0) + 1
        return out


@dataclass(frozen=True)
class Status:
    """Recent runs, and every message that needs a decision or failed."""

    ledger: Path
    runs: tuple[RunStatus, ...]
    unknown: tuple[MessageRow, ...]
    failed: tuple[MessageRow, ...]

    @property
    def needs_attention(self) -> bool:
        """True when a run or a message failed, an interrupted send awaits a decision, or a
        briefing had nobody to go to."""
        return bool(self.unknown or self.failed) or any(
            r.input.state == "failed"
            # delivered, but with a note: a segment had no recipient or an address was bad
            or (r.input.state == "sent" and r.input.error)
            for r in self.runs
        )

    def render(self) -> str:
        """Text for the CLI."""
        lines = [f"Ledger: {self.ledger}"]
        if not self.runs:
            lines.append("No runs recorded yet.")
        else:
            lines.append(f"{'updated (UTC)':<25} {'state':<9} {'messages':<22} input")
        for run in self.runs:
            counts = ", ".join(f"{n} {s}" for s, n in sorted(run.counts().items())) or "-"
            row = run.input
            lines.append(f"{row.updated_at:<25} {row.state:<9} {counts:<22} {row.name}")
            if row.run_dir:
                lines.append(f"{'':<25} run folder: {row.run_dir}")
            if row.error:
                label = "error" if row.state == "failed" else "note"
                lines.append(f"{'':<25} {label}: {row.error}")
        if self.unknown:
            lines += ["", "Interrupted while sending — the recipient may or may not have these:"]
            lines += [_message_line(m, self._run_dir(m)) for m in self.unknown]
            lines.append(
                "  Decide per run: reporter send RUN_DIR --resend-unknown (send again) or"
                " --mark-unknown-sent (they arrived)."
            )
        if self.failed:
            lines += ["", "Failed messages (retry with reporter send RUN_DIR once fixed):"]
            lines += [_message_line(m, self._run_dir(m)) for m in self.failed]
        return "\n".join(lines)

    def _run_dir(self, message: MessageRow) -> str:
        for run in self.runs:
            if run.input.sha256 == message.run:
                return run.input.run_dir or "?"
        return "?"


def _message_line(m: MessageRow, run_dir: str) -> str:
    return f"  {m.segment} → {m.recipient} ({m.attempts} attempts): {m.last_error} [{run_dir}]"


def status(config: Config, out_dir: Path, limit: int = 20) -> Status:
    """Read the ledger for ``out_dir`` (or ``config.ledger``): the ``limit`` latest runs."""
    path = ledger_path(config, out_dir)
    if not path.exists():  # reading status must not create a ledger
        return Status(path, (), (), ())
    with Ledger(path) as ledger:
        inputs = ledger.inputs(limit=limit)
        runs = tuple(RunStatus(i, tuple(ledger.messages(i.sha256))) for i in inputs)
        unknown = tuple(ledger.messages(status="unknown"))
        failed = tuple(ledger.messages(status="failed"))
    return Status(path, runs, unknown, failed)
