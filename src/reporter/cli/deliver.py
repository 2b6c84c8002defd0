"""``reporter watch``, ``reporter send`` and ``reporter status``."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from reporter.cli import render
from reporter.cli.app import cli, config_option, debug_option, guard, load_config, log_to_stderr
from reporter.cli.app import out_option as _out_option

out_option = _out_option(
    "Output folder: run folders go to OUT/runs/, the ledger is OUT/ledger.sqlite3."
)


@cli.command()
@click.argument("inbox", type=click.Path(path_type=Path, file_okay=False))
@config_option
@out_option
@click.option("--once", is_flag=True, help="Handle the files waiting now, then exit.")
@debug_option
def watch(inbox: Path, config_path: Path | None, out_dir: Path, once: bool, debug: bool) -> None:
    """Build and e-mail every workbook dropped into INBOX (Ctrl-C to stop).

    Finished inputs move to INBOX/processed/, unusable ones to INBOX/failed/ beside a
    note saying what to do. See docs/delivery.md for running it as a service.
    """

    def action() -> int:
        from reporter.deliver.watch import watch as run_watch
        from reporter.history.record import history_path
        from reporter.pipeline import run

        log_to_stderr(debug)
        config = load_config(config_path)
        if inbox.is_dir():  # otherwise run_watch explains what is wrong
            click.echo(f"Watching {inbox} → {out_dir}/runs (Ctrl-C to stop)", err=True)
        # Every run folder's build records into the one store beside the ledger in OUT.
        history = history_path(config, out_dir)
        build = functools.partial(run, history=history, source="watch")
        stats = run_watch(inbox, config, out_dir, build=build, once=once)
        click.echo(stats.summary(), err=True)
        return 0

    guard(debug, action)


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@config_option
@click.option("--dry-run", is_flag=True, help="Show who would get what; send nothing.")
@click.option(
    "--resend-unknown",
    "unknown",
    flag_value="resend",
    help="Send again the messages whose earlier send was interrupted.",
)
@click.option(
    "--mark-unknown-sent",
    "unknown",
    flag_value="mark-sent",
    help="Record interrupted messages as sent (you checked that they arrived).",
)
@click.option(
    "--approve",
    is_flag=True,
    help="Release a run on hold (you checked what held it) and send it.",
)
@debug_option
def send(
    run_dir: Path,
    config_path: Path | None,
    dry_run: bool,
    unknown: str | None,
    approve: bool,
    debug: bool,
) -> None:
    """(Re)send one run folder's messages. Nothing already sent is sent again.

    Exit code 0 when every message is delivered, 4 when some failed, await a decision or
    the run is on hold (see `reporter status`).
    """

    def action() -> int:
        from reporter.deliver.send import send as run_send

        log_to_stderr(debug)
        config = load_config(config_path)
        report = run_send(
            run_dir, config, dry_run=dry_run, unknown=unknown or "keep", approve=approve
        )
        click.echo(report.render())
        return 0 if report.ok else 4

    guard(debug, action)


@cli.command()
@config_option
@out_option
@click.option("--limit", default=20, show_default=True, help="How many recent runs to list.")
@debug_option
def status(config_path: Path | None, out_dir: Path, limit: int, debug: bool) -> None:
    """Show the ledger: recent runs, their state, failed and interrupted messages.

    Exit code 0 when all is well, 4 when something needs attention.
    """

    def action() -> int:
        from reporter.deliver.status import status as read_status

        config = load_config(config_path)
        info = read_status(config, out_dir, limit=limit)
        click.echo(render.status(info))
        return 4 if info.needs_attention else 0

    guard(debug, action)
