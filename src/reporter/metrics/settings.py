"""The settings the metrics core needs, and nothing else (no output or delivery settings)."""

from __future__ import annotations

from dataclasses import dataclass

from reporter.config import Config
from reporter.vocabulary import BUILTIN_DIMENSIONS


@dataclass(frozen=True)
class Settings:
    """Fiscal calendar, win-rate window and threshold, and the segment dimensions."""

    fiscal_year_start_month: int = 1
    win_rate_mode: str = "snapshot"
    min_closed: int = 20
    dimensions: tuple[str, ...] = BUILTIN_DIMENSIONS

    @classmethod
    def of(cls, config: Config) -> Settings:
        """The metrics' part of a config (``[periods]``, ``[win_rate]``, ``[segments]``)."""
        return cls(
            fiscal_year_start_month=config.periods.fiscal_year_start_month,
            win_rate_mode=config.win_rate.mode,
            min_closed=config.win_rate.min_closed,
            dimensions=config.segments.dimensions,
        )
