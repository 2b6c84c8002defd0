"""``reporter status``: the ledger as data (``reporter.cli.render`` turns it into text)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reporter.config import Config
from reporter.deliver.ledger import HoldRow, InputRow, Ledger, MessageRow, ledger_path


@dataclass(frozen=True)
class RunStatus:
    """One input and its messages."""

    input: InputRow
    messages: tuple[MessageRow, ...]
    held: bool = False  # waiting for `reporter send RUN --approve`

    @property
    def state(self) -> str:
        """The ledger state, or "held" for a run waiting for approval."""
        return "held" if self.held else self.input.state

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
    held: tuple[HoldRow, ...] = ()

    @property
    def needs_attention(self) -> bool:
        """True when a run or a message failed, an interrupted send or a held run awaits a
        decision, or a briefing had nobody to go to."""
        return bool(self.unknown or self.failed or self.held) or any(
            r.input.state == "failed"
            # delivered, but with a note: a segment had no recipient or an address was bad
            or (r.input.state == "sent" and r.input.error)
            for r in self.runs
        )

    def run_dir_of(self, message: MessageRow) -> str:
        """The run folder a message belongs to, or "?" when that run is not listed."""
        for run in self.runs:
            if run.input.sha256 == message.run:
                return run.input.run_dir or "?"
        return "?"


def status(config: Config, out_dir: Path, limit: int = 20) -> Status:
    """Read the ledger for ``out_dir`` (or ``config.ledger``): the ``limit`` latest runs."""
    path = ledger_path(config, out_dir)
    if not path.exists():  # reading status must not create a ledger
        return Status(path, (), (), ())
    with Ledger(path) as ledger:
        inputs = ledger.inputs(limit=limit)
        held = tuple(ledger.holds())
        waiting = {h.run for h in held}
        runs = tuple(
            RunStatus(i, tuple(ledger.messages(i.sha256)), i.sha256 in waiting) for i in inputs
        )
        unknown = tuple(ledger.messages(status="unknown"))
        failed = tuple(ledger.messages(status="failed"))
    return Status(path, runs, unknown, failed, held)
