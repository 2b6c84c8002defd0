"""What the library says while it works: plain messages, and counted steps.

Stages report progress through one callback taking a message. A step of counted work
(the third of eight briefings, the second of three files) is a :class:`Counted` message:
still a ``str``, so a caller that only prints lines needs nothing new, while the command
line draws a progress bar from its count when it writes to a terminal.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]


class Counted(str):
    """A progress message that is step ``done`` of ``total`` of the task ``task``."""

    task: str
    done: int
    total: int

    def __new__(cls, message: str, task: str, done: int, total: int) -> Counted:
        counted = super().__new__(cls, message)
        counted.task, counted.done, counted.total = task, done, total
        return counted
