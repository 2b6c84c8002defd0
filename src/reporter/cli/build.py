"""``reporter build``, ``reporter check`` and ``reporter templates``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from reporter.cli import render
from reporter.cli.app import (
    cli,
    config_option,
    debug_option,
    guard,
    inputs_argument,
    load_config,
    out_option,
    progress,
    strict_option,
)

if TYPE_CHECKING:
    from reporter.model import Dataset


@cli.command()
@inputs_argument
@config_option
@out_option("Folder for sales-report.xlsx, briefings/ and metrics.json.")
@click.option("--period", help="Fiscal quarter to report on, e.g. FY2026Q3 (default: latest).")
@strict_option
@click.option(
    "--send",
    "send_after",
    is_flag=True,
    help="Then e-mail every audience (managers, finance, leadership, sales ops) through the"
    " ledger in OUT, as the watcher does: a run already sent is not sent again.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the final summary.")
@debug_option
def build(
    inputs: tuple[Path, ...],
    config_path: Path | None,
    out_dir: Path,
    period: str | None,
    strict: bool,
    send_after: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Build sales-report.xlsx, one PDF briefing per segment and metrics.json.

    INPUTS are workbooks (.xlsx .xlsm .xls .csv) or folders of them; several files are
    read as one data set. With --send, exit code 4 when a message failed or the run is
    on hold (see `reporter status`).
    """

    def action() -> int:
        from reporter.cli.history import restatement_lines
        from reporter.pipeline import run

        config = load_config(config_path)
        result = run(list(inputs), config, out_dir, period=period, progress=progress(quiet))
        for line in render.summary(result.dataset, config) + render.built(result):
            click.echo(line)
        restated, code = restatement_lines(result, strict)
        for line in restated:
            click.echo(line)
        code = _exit_code(result.dataset, strict) or code
        if send_after:
            from reporter.deliver.send import send

            report = send(result.out_dir, config, out_dir=out_dir)
            click.echo(report.render())
            code = code or (0 if report.ok else 4)
        return code

    guard(debug, action)


@cli.command()
@inputs_argument
@config_option
@strict_option
@click.option("--all", "show_all", is_flag=True, help="List every issue, not the first 50.")
@debug_option
def check(
    inputs: tuple[Path, ...],
    config_path: Path | None,
    strict: bool,
    show_all: bool,
    debug: bool,
) -> None:
    """Validate INPUTS and print the data-quality report. Writes nothing."""

    def action() -> int:
        from reporter.pipeline import check as check_inputs

        config = load_config(config_path)
        dataset = check_inputs(list(inputs), config)
        limit = None if show_all else 50
        # The risks to a bonus open the output, before the list of every issue.
        risks = render.bonus_risk_lines(dataset)
        for line in risks + (["", "All issues:"] if risks else []):
            click.echo(line)
        for issue in dataset.issues[:limit]:
            click.echo(render.issue(issue))
        if limit is not None and len(dataset.issues) > limit:
            click.echo(f"… and {len(dataset.issues) - limit} more (use --all)")
        for line in render.summary(dataset, config, risks=False):
            click.echo(line)
        return _exit_code(dataset, strict)

    guard(debug, action)


@cli.command()
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False))
@debug_option
def templates(dest: Path, debug: bool) -> None:
    """Copy the built-in briefing templates into DEST to rebrand from.

    Files already in DEST are kept. Point `[briefings] templates` at DEST afterwards.
    """

    def action() -> int:
        from reporter.write.briefing import export_templates

        copied = export_templates(dest)
        for path in copied:
            click.echo(f"Wrote:  {path}")
        if not copied:
            click.echo(f"Nothing copied: every template is already in {dest}")
        return 0

    guard(debug, action)


def _exit_code(dataset: Dataset, strict: bool) -> int:
    # --strict fails on quarantined rows and on every risk to a bonus (a won-looking stage,
    # a won deal dated in the future or with its amount refused).
    return 1 if strict and (dataset.quarantined or dataset.bonus_risks) else 0
