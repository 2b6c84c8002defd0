"""The canonical data set every reader produces and every metric consumes.

``Dataset.opportunities`` is one pandas DataFrame, one row per opportunity (duplicates
already merged, quarantined rows already removed), with exactly the columns in
``OPPORTUNITY_COLUMNS`` (plus any extra segment columns named in config) and these types:

=================  ==================  ===================================================
column             dtype               meaning
=================  ==================  ===================================================
opportunity_id     str                 unique; synthesised as ``file:sheet:row`` if absent
opportunity_name   str / NA
owner              str                 the rep credited (trimmed, inner spaces collapsed)
manager            str / NA            from the row or the reps table
manager_email      str / NA
account            str / NA            account name (AccountId already resolved to a name)
stage              str / NA            stage as written
outcome            str                 "won" | "lost" | "open" | "excluded"
amount             float64 / NaN       in the file's currency
currency           str / NA
created_date       datetime64[ns]/NaT  day precision (time dropped)
close_date         datetime64[ns]/NaT
type               str / NA            as written (New Business / Existing Business / …)
lead_source        str / NA
product            str / NA
industry           str / NA
region             str / NA
company_size       str / NA            band label, e.g. "50-249", "5000+"
employees          float64 / NaN
loss_reason        str / NA
customer_since     datetime64[ns]/NaT  account known as customer from this date
source_file        str                 file name as given
source_sheet       str / NA            sheet name (NA for CSV)
source_row         int64               Excel/CSV row number of the row (1-based)
=================  ==================  ===================================================

Missing text is ``pd.NA``/None (not ""), missing numbers NaN, missing dates NaT.
Segment "Unknown" is applied by the metrics, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from reporter.quality import BONUS_RISK, QUARANTINED, Issue
from reporter.vocabulary import DATE, NUMBER, TEXT, columns_of
from reporter.vocabulary import OPPORTUNITY_COLUMNS as OPPORTUNITY_COLUMNS
from reporter.vocabulary import OUTCOMES as OUTCOMES

DATE_COLUMNS = columns_of(DATE)
NUMBER_COLUMNS = columns_of(NUMBER)
TEXT_COLUMNS = columns_of(TEXT)

# Targets: one row per (dimension, segment, quarter). dimension is "rep" for per-owner
# targets, or a segment dimension such as "region". quarter is a label like "FY2026 Q3".
TARGET_COLUMNS = ("dimension", "segment", "quarter", "target")


@dataclass(frozen=True)
class InputFile:
    """One input file as read: where it is, its SHA-256, and how many data rows it had."""

    path: str
    sha256: str
    rows: int
    sheets: tuple[str, ...] = ()

    def to_record(self) -> dict[str, object]:
        return {"path": self.path, "sha256": self.sha256, "rows": self.rows}


@dataclass(frozen=True)
class Dataset:
    """Everything the readers and normaliser hand to the metrics."""

    opportunities: pd.DataFrame
    targets: pd.DataFrame = field(default_factory=lambda: empty_targets())
    issues: tuple[Issue, ...] = ()
    inputs: tuple[InputFile, ...] = ()
    extra_dimensions: tuple[str, ...] = ()
    # The one currency every amount is in (ISO code, e.g. "USD"), for labels; None when the
    # data never say, or when amounts were refused (mixed currencies, counts only).
    currency: str | None = None

    @property
    def bonus_risks(self) -> tuple[Issue, ...]:
        """Issues that put a rep's bonus at risk (severity ``bonus-risk``), in input order."""
        return tuple(i for i in self.issues if i.severity == BONUS_RISK)

    @property
    def quarantined(self) -> int:
        """How many rows were kept out of the metrics."""
        return sum(1 for i in self.issues if i.action == QUARANTINED)


def empty_opportunities(extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """An empty opportunities frame with the canonical columns and dtypes."""
    return coerce_types(pd.DataFrame({c: [] for c in (*OPPORTUNITY_COLUMNS, *extra)}))


def empty_targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dimension": pd.Series([], dtype=object),
            "segment": pd.Series([], dtype=object),
            "quarter": pd.Series([], dtype=object),
            "target": pd.Series([], dtype="float64"),
        }
    )


def coerce_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Give canonical columns their canonical dtypes (object text, float, datetime64[ns])."""
    out = frame.copy()
    for col in out.columns:
        if col in DATE_COLUMNS:
            days = pd.to_datetime(out[col], errors="coerce")
            # pandas may keep dates nanoseconds cannot hold (year 3026); never crash on them.
            holdable = days.between(pd.Timestamp.min, pd.Timestamp.max)
            out[col] = days.where(holdable).astype("datetime64[ns]")
        elif col in NUMBER_COLUMNS:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
        elif col == "source_row":
            out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype("int64")
        else:
            series = out[col].astype(object)
            out[col] = series.where(series.notna(), None)
    return out
