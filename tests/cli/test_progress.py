"""Progress on stderr: tqdm bars on a terminal, the same plain lines as before elsewhere."""

from __future__ import annotations

import io

from reporter.cli.progress import progress
from reporter.progress import Counted


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


def steps(say: object) -> None:
    assert callable(say)
    say("reading 1 input(s)")
    for n, region in enumerate(["East", "West", "North"], start=1):
        say(Counted(f"briefing {n}/3: {region}", "briefings", n, 3))
    say("writing metrics.json")


def test_counted_message_is_still_the_plain_message() -> None:
    message = Counted("briefing 2/8: West", "briefings", 2, 8)
    assert message == "briefing 2/8: West"
    assert (message.task, message.done, message.total) == ("briefings", 2, 8)


def test_not_a_terminal_prints_one_line_per_step() -> None:
    out = io.StringIO()
    steps(progress(quiet=False, stream=out))
    assert out.getvalue().splitlines() == [
        "  … reading 1 input(s)",
        "  … briefing 1/3: East",
        "  … briefing 2/3: West",
        "  … briefing 3/3: North",
        "  … writing metrics.json",
    ]


def test_terminal_draws_a_bar_for_counted_steps() -> None:
    out = Terminal()
    steps(progress(quiet=False, stream=out))
    text = out.getvalue()
    assert "  … reading 1 input(s)" in text
    # tqdm redraws the bar in place with carriage returns; its last state is full.
    final = [part for part in text.replace("\n", "\r").split("\r") if "briefings" in part][-1]
    assert "3/3" in final and "100%" in final and "North" in final
    assert "briefing 2/3" not in text  # counted steps move the bar, they print no line
    assert text.rstrip().endswith("writing metrics.json")


def test_quiet_prints_nothing() -> None:
    out = Terminal()
    steps(progress(quiet=True, stream=out))
    assert out.getvalue() == ""
