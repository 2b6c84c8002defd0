"""Progress on stderr: bars on a terminal, one plain line per step anywhere else.

The library's messages arrive through one callback (see :mod:`reporter.progress`). On a
terminal, a :class:`~reporter.progress.Counted` message moves a tqdm bar for its task
(briefings rendered, files read) and other messages print above the bars; in a log file,
a pipe or CI every message is one ``  … message`` line, as before.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from typing import IO, Any

import click

from reporter.printable import printable


def progress(quiet: bool, stream: IO[str] | None = None) -> Callable[[str], None]:
    """The callback for ``quiet`` (nothing), a terminal (bars) or anything else (lines)."""
    out = stream or sys.stderr
    if quiet:
        return lambda _message: None
    if out.isatty():
        return Bars(out)

    def line(message: str) -> None:
        click.echo(f"  … {printable(message)}", file=out)

    return line


class Bars:
    """One tqdm bar per counted task, closed when its last step arrives."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.bars: dict[str, Any] = {}

    def __call__(self, message: str) -> None:
        from tqdm import tqdm

        task = getattr(message, "task", None)
        if task is None:
            tqdm.write(f"  … {printable(message)}", file=self.out)
            return
        bar = self.bars.get(task)
        if bar is None:
            total = getattr(message, "total", 0)
            # A terminal of unknown size (a pty from `script`, some CI runners) reports 0 x 0,
            # which tqdm takes as "no room" and draws nothing: fall back to 80 x 24.
            size = shutil.get_terminal_size()
            bar = self.bars[task] = tqdm(
                total=total,
                desc=f"  {task}",
                file=self.out,
                ncols=min(size.columns or 80, 100),
                nrows=size.lines or 24,
                ascii=True,
            )
        done = getattr(message, "done", 0)
        bar.set_postfix_str(printable(message.partition(": ")[2]), refresh=False)
        bar.update(done - bar.n)
        if done >= bar.total:
            bar.close()
            del self.bars[task]
