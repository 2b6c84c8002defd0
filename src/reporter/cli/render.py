"""Text for the terminal from the data the library returns (no business logic here)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only types: `reporter --help` must not import pandas
    from reporter.config import Config
    from reporter.deliver.ledger import MessageRow
    from reporter.deliver.status import Status
    from reporter.model import Dataset
    from reporter.pipeline import RunResult
    from reporter.quality import Issue


def status(info: Status) -> str:
    """``reporter status``: recent runs, then what needs a decision or failed."""
    lines = [f"Ledger: {info.ledger}"]
    if not info.runs:
        lines.append("No runs recorded yet.")
    else:
        lines.append(f"{'updated (UTC)':<25} {'state':<9} {'messages':<22} input")
    for run in info.runs:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(run.counts().items())) or "-"
        row = run.input
        lines.append(f"{row.updated_at:<25} {run.state:<9} {counts:<22} {row.name}")
        if row.run_dir:
            lines.append(f"{'':<25} run folder: {row.run_dir}")
        if row.error:
            label = "error" if row.state == "failed" else "note"
            lines.append(f"{'':<25} {label}: {row.error}")
    if info.unknown:
        lines += ["", "Interrupted while sending — the recipient may or may not have these:"]
        lines += [_message_line(m, info.run_dir_of(m)) for m in info.unknown]
        lines.append(
            "  Decide per run: reporter send RUN_DIR --resend-unknown (send again) or"
            " --mark-unknown-sent (they arrived)."
        )
    if info.held:
        lines += ["", "On hold — nothing but the notice to sales ops is sent until approved:"]
        for held in info.held:
            where = next((r.input.run_dir for r in info.runs if r.input.sha256 == held.run), None)
            lines.append(f"  {held.reasons} (since {held.held_at}) [{where or held.run[:12]}]")
        lines.append("  Release each once checked: reporter send RUN_DIR --approve.")
    if info.failed:
        lines += ["", "Failed messages (retry with reporter send RUN_DIR once fixed):"]
        lines += [_message_line(m, info.run_dir_of(m)) for m in info.failed]
    return "\n".join(lines)


def _message_line(m: MessageRow, run_dir: str) -> str:
    return f"  {m.segment} → {m.recipient} ({m.attempts} attempts): {m.last_error} [{run_dir}]"


def issue(item: Issue) -> str:
    """One data-quality issue on one line: where, code, value, problem → action."""
    where = ":".join(str(p) for p in (item.file, item.sheet, item.row) if p not in (None, ""))
    column = f" [{item.column}]" if item.column else ""
    value = f" {item.value!r}" if item.value not in (None, "") else ""
    return f"{where}{column} {item.code}:{value} {item.problem} → {item.action}"


def summary(dataset: Dataset, config: Config, risks: bool = True) -> list[str]:
    """The bonus risks first (unless ``risks`` is False: the caller printed them already),
    then what was read, how the deals split by outcome, and the issues by code."""
    opps = dataset.opportunities
    outcomes = Counter(opps["outcome"]) if len(opps) else Counter()
    rows = sum(i.rows for i in dataset.inputs)
    lines = [
        f"Read:   {len(dataset.inputs)} file(s), {rows:,} data rows"
        f"{' (config: ' + config.source + ')' if config.source else ''}",
        f"Deals:  {len(opps):,} opportunities — {outcomes['won']:,} won, {outcomes['lost']:,} "
        f"lost, {outcomes['open']:,} open, {outcomes['excluded']:,} excluded",
    ]
    codes = Counter(i.code for i in dataset.issues)
    if codes:
        listed = ", ".join(f"{n} {code}" for code, n in codes.most_common())
        lines.append(
            f"Issues: {len(dataset.issues)} ({listed}); {dataset.quarantined} row(s) quarantined"
        )
        lines.append("        details: `reporter check --all …` or the Data Quality sheet")
    else:
        lines.append("Issues: none")
    return (bonus_risk_lines(dataset) if risks else []) + lines


SHOWN_RISKS = 10


def bonus_risk_lines(dataset: Dataset) -> list[str]:
    """Every won deal whose bonus is at risk, as the readers describe it: where, the code,
    the rep, the amount and the fix (the first ten)."""
    risks = dataset.bonus_risks
    if not risks:
        return []
    lines = [
        f"Bonus at risk: {len(risks)} won deal(s) — check them before paying "
        "(--strict fails on them):"
    ]
    # The same line as `check` prints: column, value as read, the readers' problem (it names
    # the rep and the amount, also of a quarantined deal) and the fix.
    lines += [f"  {issue(item)}" for item in risks[:SHOWN_RISKS]]
    if len(risks) > SHOWN_RISKS:
        lines.append(f"  … and {len(risks) - SHOWN_RISKS} more on the Data Quality sheet")
    return lines


def built(result: RunResult) -> list[str]:
    """The period shown and every file ``reporter build`` wrote."""
    shown = result.report.period
    to_date = f"; quarter to date: data through {shown.data_through}" if shown.partial else ""
    return [
        f"Period: {shown.label} ({shown.quarter.start} to {shown.quarter.end}{to_date}), "
        f"win-rate window: {shown.mode}",
        f"Wrote:  {result.workbook}",
        f"        {result.metrics}",
        *([f"        {result.template}"] if result.template else []),
        f"        {len(result.briefings)} briefing(s) in {result.out_dir / 'briefings'}",
    ]
