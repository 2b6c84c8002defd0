"""Text from the data made safe for a terminal or a log line: control characters replaced.

A segment or file name is data: an escape sequence in it (``\\x1b[2J``) would clear or
recolour the operator's terminal, a newline would forge a second log line. Every name that
reaches a progress line, an error message or the log passes through :func:`printable`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# C0 controls (tab and newline included: one value, one line), DEL and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character replaced by ``?``."""
    return _CONTROL.sub("?", text)


def without_controls(text: str) -> str:
    """``text`` with every control character removed (for names printed in a PDF)."""
    return _CONTROL.sub("", text)


def printable_lines(text: str) -> str:
    """Like :func:`printable`, keeping the line breaks of a multi-line message."""
    return "\n".join(printable(line) for line in text.split("\n"))


class PrintableArgs(logging.Filter):
    """Clean the values a log call interpolates (``%s`` arguments), not its own format."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace control characters in string arguments; always lets the record through."""
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        return True


def _clean(value: Any) -> Any:
    return printable(value) if isinstance(value, str) else value
