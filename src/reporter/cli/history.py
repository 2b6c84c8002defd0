"""``reporter close``, ``reopen``, ``history`` and ``statements``: the quarter-close commands.

They find the history store the way ``build`` does (``history`` in config.toml, else
``history.sqlite3`` beside the ledger in ``--out``), so give them the same ``--out`` and
``--config`` as the builds; a store that does not exist is an error (exit 2) naming where
it was looked for, never a new empty one. See docs/closing.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reporter.cli.app import cli, config_option, debug_option, guard, load_config, out_option

if TYPE_CHECKING:
    from reporter.config import Config
    from reporter.history.diff import Restatement
    from reporter.history.store import ClosedQuarter, HistoryStore, Run
    from reporter.pipeline import RunResult
    from reporter.quarters import Quarter

store_out = out_option("The output folder of the builds (the history store is found there).")
period_argument = click.argument("period")


def _open(config: Config, out_dir: Path) -> HistoryStore:
    """The builds' history store; :class:`HistoryError` when there is none to open.

    A mistyped ``--out`` used to create the folder and an empty store silently, and then
    report "no build is recorded"; the folder or file it looked for is named instead.
    """
    from reporter.history.record import history_path
    from reporter.history.store import HistoryError, HistoryStore

    path = history_path(config, out_dir)
    if not path.is_file():
        where = (
            f"the folder {path.parent} does not exist"
            if not path.parent.is_dir()
            else f"{path.parent} holds no {path.name}"
        )
        raise HistoryError(
            f"no history store at {path}: {where}, so no build was recorded there",
            hint="give the same --out (and --config) as the builds, e.g."
            " `reporter history --out q3/`; run `reporter build` first if there was none",
        )
    return HistoryStore(path)


def _quarter(period: str, config: Config) -> Quarter:
    from reporter.quarters import parse_quarter

    return parse_quarter(period, config.periods.fiscal_year_start_month)


def refuse_running(quarter: Quarter, today: date, out_dir: Path) -> None:
    """Raise :class:`HistoryError` when ``quarter`` has not ended by ``today``."""
    from reporter.history.store import HistoryError

    if today <= quarter.end:
        raise HistoryError(
            f"{quarter.label} is still running (it ends on {quarter.end.isoformat()}, today"
            f" is {today.isoformat()}): closing it now would freeze its figures to date,"
            " and every deal won after today would restate them",
            hint=f"close it once it has ended and a build has read the whole quarter; to"
            f" freeze the figures so far on purpose (an advance on bonuses), add --to-date:"
            f" reporter close {quarter.key} --to-date --out {out_dir}",
        )


@cli.command()
@period_argument
@click.option(
    "--to-date",
    is_flag=True,
    help="Close PERIOD although it is still running, freezing its figures so far (e.g. to"
    " pay an advance); later wins in it are then restatements.",
)
@config_option
@store_out
@debug_option
def close(period: str, to_date: bool, config_path: Path | None, out_dir: Path, debug: bool) -> None:
    """Freeze PERIOD's bonus figures (e.g. FY2026Q3) as the latest build computed them.

    Later builds compare the quarter with these frozen figures and explain every
    difference deal by deal (the Restatements sheet, `restatements` in metrics.json).
    A quarter that has not ended yet is refused (exit 2) unless --to-date is given.
    """

    def action() -> int:
        config = load_config(config_path)
        quarter = _quarter(period, config)
        if not to_date:
            refuse_running(quarter, date.today(), out_dir)
        with _open(config, out_dir) as store:
            closing = store.close_quarter(
                quarter.label, quarter.start.isoformat(), quarter.end.isoformat()
            )
            run = store.run(closing.run)
            closed = [
                d.close_date for d in store.deals(closing.run) if d.outcome in ("won", "lost")
            ]
        for line in closed_lines(closing, run):
            click.echo(line)
        through = max((d for d in closed if d), default=None)
        if through is None or through < closing.end:
            click.secho(
                f"Warning: the data of run {closing.run} reach only {through or '—'}, before "
                f"{closing.quarter} ends on {closing.end}: this freezes a quarter to date. "
                f'If that was not meant: reporter reopen {quarter.key} --reason "…"',
                fg="yellow",
            )
        return 0

    guard(debug, action)


@cli.command()
@period_argument
@click.option("--reason", required=True, help="Why the quarter is reopened (kept in the store).")
@config_option
@store_out
@debug_option
def reopen(period: str, reason: str, config_path: Path | None, out_dir: Path, debug: bool) -> None:
    """Reopen a closed PERIOD, recording why; its frozen figures stay in the history."""

    def action() -> int:
        config = load_config(config_path)
        quarter = _quarter(period, config)
        with _open(config, out_dir) as store:
            closing = store.reopen(quarter.label, reason)
        click.echo(
            f"Reopened {closing.quarter} (closed {closing.closed_at} by {closing.closed_by}): "
            f"{closing.reason}"
        )
        click.echo(f"Close it again with: reporter close {quarter.key} --out {out_dir}")
        return 0

    guard(debug, action)


@cli.command()
@config_option
@store_out
@click.option("--runs", "limit", default=20, show_default=True, help="How many runs to list.")
@debug_option
def history(config_path: Path | None, out_dir: Path, limit: int, debug: bool) -> None:
    """List the recorded builds and the closed quarters."""

    def action() -> int:
        config = load_config(config_path)
        with _open(config, out_dir) as store:
            lines = history_lines(
                store.path, store.runs(limit), store.closed_quarters(include_reopened=True)
            )
        for line in lines:
            click.echo(line)
        return 0

    guard(debug, action)


@cli.command()
@period_argument
@config_option
@out_option("Output folder of the builds; statements go to OUT/statements/PERIOD/.")
@debug_option
def statements(period: str, config_path: Path | None, out_dir: Path, debug: bool) -> None:
    """Write one PDF statement per rep for PERIOD: won deals, bonus figures, restatements.

    A closed quarter states its frozen figures; otherwise the latest build's. Each quarter
    has its own folder (OUT/statements/FY2026Q3/), replaced whole; other quarters' stay.
    """

    def action() -> int:
        from reporter.history.statements import statements as collect
        from reporter.write.statements import statements_folder, write_statements

        config = load_config(config_path)
        quarter = _quarter(period, config)
        with _open(config, out_dir) as store:
            found = collect(
                store, quarter.label, quarter.start.isoformat(), quarter.end.isoformat()
            )
        folder = statements_folder(out_dir, quarter.key)
        pdfs = write_statements(folder, found, config)
        basis = "frozen figures" if found and found[0].closed else "latest build, not closed"
        click.echo(f"Wrote:  {len(pdfs)} statement(s) for {quarter.label} ({basis}) in {folder}")
        return 0

    guard(debug, action)


def closed_lines(closing: ClosedQuarter, run: Run | None) -> list[str]:
    """What `reporter close` says: the quarter, who, from which build, the frozen totals."""
    from reporter.history.figures import won_amount_total

    reps = {f.segment for f in closing.figures if f.dimension == "rep"}
    won = sum(
        f.value or 0
        for f in closing.figures
        if f.dimension == "rep" and f.figure == "won_opportunities"
    )
    inputs = ", ".join(Path(str(i.get("path", ""))).name for i in (run.inputs if run else []))
    return [
        f"Closed {closing.quarter} ({closing.start} to {closing.end}) by {closing.closed_by}"
        f" at {closing.closed_at}",
        f"Frozen: figures of run {closing.run}"
        + (f" (built {run.recorded}, inputs {inputs or '—'})" if run else "")
        + f": {len(reps)} rep(s), {won:,.0f} won opportunities,"
        f" won amount {won_amount_total(closing.figures)}",
        "Every later build explains each difference from these figures (Restatements sheet).",
    ]


def history_lines(path: Path, runs: list[Run], closings: list[ClosedQuarter]) -> list[str]:
    """What `reporter history` prints: runs newest first, then every closing."""
    lines = [f"History: {path}"]
    if not runs:
        lines.append("No build recorded yet.")
    else:
        lines.append(
            f"{'run':>5}  {'recorded (UTC)':<25} {'source':<6} {'period':<10} "
            f"{'deals':>8}  restated  inputs"
        )
    for r in runs:
        names = ", ".join(Path(str(i.get("path", ""))).name for i in r.inputs) or "—"
        lines.append(
            f"{r.id:>5}  {r.recorded:<25} {r.source:<6} {r.period or '—':<10} {r.deals:>8,}"
            f"  {len(r.restatements):>8}  {names}"
        )
    lines.append("")
    if not closings:
        lines.append("No quarter closed yet (reporter close PERIOD).")
    for c in closings:
        state = (
            f"reopened {c.reopened_at} by {c.reopened_by}: {c.reason}" if not c.active else "closed"
        )
        lines.append(
            f"{c.quarter}: closed {c.closed_at} by {c.closed_by} from run {c.run} — {state}"
        )
    return lines


def restatement_lines(result: RunResult, strict: bool) -> tuple[list[str], int]:
    """The build's restatement summary line, and exit code 1 when ``strict`` and a closed
    quarter's figure moved."""
    from reporter.history.records import closed_restated, summary_line

    lines = [summary_line(result.restatements)]
    moved: list[Restatement] = closed_restated(result.restatements)
    if moved:
        quarters = ", ".join(dict.fromkeys(r.quarter for r in moved))
        lines.append(f"        closed quarter(s) restated: {quarters} — see the Restatements sheet")
    return lines, 1 if strict and moved else 0
