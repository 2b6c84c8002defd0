"""The command line. Parses arguments, shows progress, turns errors into exit codes.

No business logic lives here: see ``reporter.pipeline`` and ``reporter.deliver``.
Exit codes: 0 ok; 1 rows were quarantined and ``--strict`` was given; 2 unusable input or
config (one message naming the file and the fix); 3 an internal error (a bug: please report
it with the ``--debug`` traceback); 4 (``send``, ``status``) a message failed or awaits a
decision.
"""

from __future__ import annotations

import sys
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from reporter import __version__
from reporter.errors import ReporterError

DEFAULT_CONFIG = Path("config.toml")


def _load_config(path: Path | None) -> Any:
    from reporter.config import load

    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    return load(path)


def _guard(debug: bool, action: Callable[[], int]) -> None:
    """Run ``action``; show a user error as one message, a bug as a short apology."""
    try:
        code = action()
    except ReporterError as exc:
        if debug:
            traceback.print_exc()
        click.secho(f"Error: {exc.format()}", fg="red", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.secho(
            f"Internal error: {type(exc).__name__}: {exc}\n"
            "  This is a bug in reporter. Run again with --debug and send the output.",
            fg="red",
            err=True,
        )
        sys.exit(3)
    sys.exit(code)


def _progress(quiet: bool) -> Callable[[str], None]:
    def say(message: str) -> None:
        if not quiet:
            click.echo(f"  … {message}", err=True)

    return say


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="config.toml to use (default: ./config.toml if present, else built-in defaults).",
)
debug_option = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
strict_option = click.option(
    "--strict", is_flag=True, help="Exit with code 1 when any row was quarantined."
)
inputs_argument = click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reporter")
def cli() -> None:
    """Turn a sales team's workbooks into bonus, customer and win-rate reports.

    Start with `reporter build samples/`; see `reporter COMMAND --help`.
    """


@cli.command()
@inputs_argument
@config_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="Folder for sales-report.xlsx, briefings/ and metrics.json.",
)
@click.option("--period", help="Fiscal quarter to report on, e.g. FY2026Q3 (default: latest).")
@strict_option
@click.option("--quiet", "-q", is_flag=True, help="Print only the final summary.")
@debug_option
def build(
    inputs: tuple[Path, ...],
    config_path: Path | None,
    out_dir: Path,
    period: str | None,
    strict: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Build sales-report.xlsx, one PDF briefing per segment and metrics.json.

    INPUTS are workbooks (.xlsx .xlsm .xls .csv) or folders of them; several files are
    read as one data set.
    """

    def action() -> int:
        from reporter.deliver.manifest import write_for_result
        from reporter.pipeline import run

        config = _load_config(config_path)
        result = run(list(inputs), config, out_dir, period=period, progress=_progress(quiet))
        # delivery.json lets `reporter send OUT` e-mail this build's briefings later.
        write_for_result(result, config)
        _print_summary(result.dataset, config)
        report = result.report
        shown = report.period
        to_date = f"; quarter to date: data through {shown.data_through}" if shown.partial else ""
        click.echo(
            f"Period: {shown.label} ({shown.quarter.start} to {shown.quarter.end}{to_date}), "
            f"win-rate window: {shown.mode}"
        )
        click.echo(f"Wrote:  {result.workbook}")
        click.echo(f"        {result.metrics}")
        click.echo(f"        {len(result.briefings)} briefing(s) in {out_dir / 'briefings'}")
        return _exit_code(result.dataset, strict)

    _guard(debug, action)


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

        config = _load_config(config_path)
        dataset = check_inputs(list(inputs), config)
        limit = None if show_all else 50
        for issue in dataset.issues[:limit]:
            where = ":".join(
                str(p) for p in (issue.file, issue.sheet, issue.row) if p not in (None, "")
            )
            column = f" [{issue.column}]" if issue.column else ""
            value = f" {issue.value!r}" if issue.value not in (None, "") else ""
            click.echo(f"{where}{column} {issue.code}:{value} {issue.problem} → {issue.action}")
        if limit is not None and len(dataset.issues) > limit:
            click.echo(f"… and {len(dataset.issues) - limit} more (use --all)")
        _print_summary(dataset, config)
        return _exit_code(dataset, strict)

    _guard(debug, action)


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

    _guard(debug, action)


def _exit_code(dataset: Any, strict: bool) -> int:
    return 1 if strict and dataset.quarantined else 0


def _print_summary(dataset: Any, config: Any) -> None:
    opps = dataset.opportunities
    outcomes = Counter(opps["outcome"]) if len(opps) else Counter()
    rows = sum(i.rows for i in dataset.inputs)
    click.echo(
        f"Read:   {len(dataset.inputs)} file(s), {rows:,} data rows"
        f"{' (config: ' + config.source + ')' if config.source else ''}"
    )
    click.echo(
        f"Deals:  {len(opps):,} opportunities — {outcomes['won']:,} won, {outcomes['lost']:,} "
        f"lost, {outcomes['open']:,} open, {outcomes['excluded']:,} excluded"
    )
    codes = Counter(i.code for i in dataset.issues)
    if codes:
        listed = ", ".join(f"{n} {code}" for code, n in codes.most_common())
        click.echo(
            f"Issues: {len(dataset.issues)} ({listed}); {dataset.quarantined} row(s) quarantined"
        )
        click.echo("        details: `reporter check --all …` or the Data Quality sheet")
    else:
        click.echo("Issues: none")


def _register_delivery_commands() -> None:
    try:
        from reporter.deliver.commands import register
    except ImportError:
        return
    register(cli, config_option, debug_option, _load_config, _guard)


_register_delivery_commands()


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
