"""The command line: ``reporter build | check | templates | watch | send | status | close |
reopen | history | statements``.

Parses arguments, shows progress, renders what the library returns, turns errors into exit
codes; no business logic lives here (see ``reporter.pipeline`` and ``reporter.deliver``).
Exit codes: 0 ok; 1 rows were quarantined and ``--strict`` was given; 2 unusable input or
config (one message naming the file and the fix); 3 an internal error (a bug: please report
it with the ``--debug`` traceback); 4 (``send``, ``status``) a message failed or awaits a
decision.
"""

from __future__ import annotations

# Importing the command modules registers their commands on the group.
from reporter.cli import build as _build
from reporter.cli import deliver as _deliver
from reporter.cli import history as _history
from reporter.cli.app import cli

__all__ = ["cli", "main"]
_COMMANDS = (_build, _deliver, _history)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
