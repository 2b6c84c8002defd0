"""The ``reporter`` command group, the shared options and the one error guard."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reporter import __version__
from reporter.errors import ReporterError, is_panic
from reporter.printable import PrintableArgs, printable, printable_lines

if TYPE_CHECKING:  # config pulls in pandas; `reporter --help` must stay instant
    from reporter.config import Config

DEFAULT_CONFIG = Path("config.toml")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reporter")
def cli() -> None:
    """Turn a sales team's workbooks into bonus, customer and win-rate reports.

    Start with `reporter build samples/`; see `reporter COMMAND --help`.
    """


def load_config(path: Path | None) -> Config:
    """``--config``, else ./config.toml when present, else the built-in defaults."""
    from reporter.config import load

    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    return load(path)


def guard(debug: bool, action: Callable[[], int]) -> None:
    """Run ``action`` and exit with its code; a user error is one message, a bug an apology."""
    try:
        code = action()
    except ReporterError as exc:
        if debug:
            traceback.print_exc()
        click.secho(f"Error: {printable_lines(exc.format())}", fg="red", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:
        _internal(debug, exc)
    except BaseException as exc:
        # pyo3's PanicException (a Rust reader's panic) derives from BaseException: it is
        # the input's doing, not ours, but it must never end as a traceback and exit 1.
        if not is_panic(exc):
            raise
        if debug:
            traceback.print_exc()
        click.secho(
            f"Error: a file reader failed on damaged input ({printable(str(exc))[:200]})\n"
            "  Fix: open the workbooks in Excel and save them again; keep [limits] contain "
            "= true in config.toml so the message names the file",
            fg="red",
            err=True,
        )
        sys.exit(2)
    sys.exit(code)


def _internal(debug: bool, exc: Exception) -> None:
    if debug:
        traceback.print_exc()
    click.secho(
        f"Internal error: {type(exc).__name__}: {printable_lines(str(exc))}\n"
        "  This is a bug in reporter. Run again with --debug and send the output.",
        fg="red",
        err=True,
    )
    sys.exit(3)


def progress(quiet: bool) -> Callable[[str], None]:
    """A progress callback for the library: bars on a terminal, ``  … message`` lines else."""
    from reporter.cli.progress import progress as on_stderr

    return on_stderr(quiet)


def log_to_stderr(debug: bool) -> None:
    """Log lines with a timestamp on stderr (the watcher's and sender's record)."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(PrintableArgs())
    # Libraries' progress chatter would bury the watcher's own one line per file.
    for noisy in ("watchdog", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


# Options shared by several commands, declared once.
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="config.toml to use (default: ./config.toml if present, else built-in defaults).",
)
debug_option = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Exit with code 1 when any row was quarantined or a bonus is at risk (a won-looking "
    "stage, a won deal dated in the future or with its amount refused; build: or a closed "
    "quarter was restated).",
)
inputs_argument = click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))


def out_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """``--out`` (default ``out``); each command says what it puts there."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("out"),
        show_default=True,
        help=help_text,
    )
