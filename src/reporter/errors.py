"""One exception tree for everything a user can get wrong.

The library raises these; the CLI turns them into one-line messages and exit codes.
Bad *rows* are never exceptions: they are :class:`reporter.quality.Issue` records.
"""

from __future__ import annotations


class ReporterError(Exception):
    """Base of every error reporter raises on purpose.

    ``message`` says what is wrong (naming file, sheet, column where known),
    ``hint`` says how to fix it. ``exit_code`` is what the CLI exits with.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def format(self) -> str:
        """The message as the CLI prints it: problem, then the fix."""
        return self.message if not self.hint else f"{self.message}\n  Fix: {self.hint}"


class ConfigError(ReporterError):
    """The config file is missing, malformed, or has an unknown key or bad value."""


class InputError(ReporterError):
    """An input file cannot be used at all."""


class UnreadableFile(InputError):
    """Corrupt, truncated, empty, or not the format its name says."""


class EncryptedFile(InputError):
    """A password-protected workbook."""


class UnsupportedFormat(InputError):
    """A file type reporter does not read (e.g. .xlsb, .pdf, web export saved as .xls)."""


class NoOpportunitiesTable(InputError):
    """No sheet in the inputs looks like an opportunities table."""


class MissingColumn(InputError):
    """The opportunities table lacks a column the metrics need."""


class PeriodError(ReporterError):
    """``--period`` is malformed or names a quarter with no data."""


class OutputError(ReporterError):
    """An output could not be written (permissions, disk, Excel limits)."""


class TemplateError(ReporterError):
    """A briefing template is missing or fails to render."""


class DeliveryError(ReporterError):
    """Email or the ledger failed in a way that needs a person."""


def is_panic(exc: BaseException) -> bool:
    """True for pyo3's ``PanicException``: a Rust library (calamine) panicked.

    It derives from ``BaseException``, so ``except Exception`` misses it; every place that
    runs a native reader in-process catches ``BaseException`` and asks this.
    """
    return type(exc).__name__ == "PanicException"
