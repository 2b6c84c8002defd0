"""``reporter watch``, ``reporter send`` and ``reporter status``: thin click wrappers.

``reporter.cli`` calls :func:`register` with its shared options and error guard, so these
commands load config and report errors exactly like ``build`` and ``check``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="Output folder: run folders go to OUT/runs/, the ledger is OUT/ledger.sqlite3.",
)


def register(
    cli: click.Group,
    config_option: Callable[[Any], Any],
    debug_option: Callable[[Any], Any],
    load_config: Callable[[Path | None], Any],
    guard: Callable[[bool, Callable[[], int]], None],
) -> None:
    """Add the delivery commands to ``cli``."""

    @cli.command()
    @click.argument("inbox", type=click.Path(path_type=Path, file_okay=False))
    @config_option
    @out_option
    @click.option("--once", is_flag=True, help="Handle the files waiting now, then exit.")
    @debug_option
    def watch(
        inbox: Path, config_path: Path | None, out_dir: Path, once: bool, debug: bool
    ) -> None:
        """Build and e-mail every workbook dropped into INBOX (Ctrl-C to stop).

        Finished inputs move to INBOX/processed/, unusable ones to INBOX/failed/ beside a
        note saying what to do. See docs/delivery.md for running it as a service.
        """

        def action() -> int:
            from reporter.deliver.watch import watch as run_watch

            _log_to_stderr(debug)
            config = load_config(config_path)
            if inbox.is_dir():  # otherwise run_watch explains what is wrong
                click.echo(f"Watching {inbox} → {out_dir}/runs (Ctrl-C to stop)", err=True)
            stats = run_watch(inbox, config, out_dir, once=once)
            click.echo(
                f"Built {stats.built}, already processed {stats.duplicates},"
                f" failed {stats.failed}, resumed {stats.resumed}.",
                err=True,
            )
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
    @debug_option
    def send(
        run_dir: Path, config_path: Path | None, dry_run: bool, unknown: str | None, debug: bool
    ) -> None:
        """(Re)send one run folder's briefings. Nothing already sent is sent again.

        Exit code 0 when every message is delivered, 4 when some failed or await a decision
        (see `reporter status`).
        """

        def action() -> int:
            from reporter.deliver.send import send as run_send

            _log_to_stderr(debug)
            config = load_config(config_path)
            report = run_send(run_dir, config, dry_run=dry_run, unknown=unknown or "keep")
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
            click.echo(info.render())
            return 4 if info.needs_attention else 0

        guard(debug, action)


def _log_to_stderr(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
    )
    # Libraries' progress chatter would bury the watcher's own one line per file.
    for noisy in ("watchdog", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
