"""Exports that need no per-row record go straight to the frame, with the same result.

read/columnar.py skips the record per row when no id repeats or is missing, there is no
user, account or reps table and amounts are in one currency. Everything it gives back must
equal what the general path gives on the same file: the frame, every issue, in order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import reporter.read as read
from reporter.config import Config
from reporter.errors import InputError
from reporter.model import Dataset
from reporter.read import load_dataset

HEADER = "Opportunity ID,Owner,Stage,Amount,Close Date,Created Date,Account ID,Employees,IsDeleted"
# One row for each thing a row can raise, plus plain rows.
ROWS = [
    "A1,Ann,Closed Won,100,2025-01-10,2025-01-01,001X,40,",  # plain won
    "A2,Bob,Closed Lost,,2025-02-10,2025-01-01,,300,",  # lost without amount
    "A3,Ann,Closed Wonn,50,2025-02-11,2025-01-01,,,",  # won-looking typo: open, risk
    "A4,,Closed Won,70,2025-02-12,2025-01-01,,,",  # no owner: quarantined
    "A5,Bob,Prospecting,-5,2025-03-01,2025-04-01,,,",  # negative, closes before created
    "A6,Ann,Closed Won,80,2199-01-01,2025-01-01,,,",  # closes in the future
    "A7,Bob,Closed Lost,90,,2025-01-01,,,",  # lost without close date: quarantined
    "A8,Ann,Closed Won,60,2025-03-03,2025-01-01,,,TRUE",  # deleted
    "A9,Bob,Mystery,10,2025-03-04,2025-01-01,001Y,7000,",  # unknown stage
    "A10,Ann,Mystery,10,2025-03-05,2025-01-01,,,",  # the same unknown stage again
    "A11,Bob,Negotiation,n/a,2025-03-06,2025-01-01,,,",  # open, amount n/a
]


def _write(folder: Path, rows: list[str]) -> Path:
    path = folder / "deals.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Dataset, Dataset, list[bool]]:
    taken: list[bool] = []
    real = read.straight_frame

    def spy(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        taken.append(result is not None)
        return result

    monkeypatch.setattr(read, "straight_frame", spy)
    straight = load_dataset([path], Config())
    monkeypatch.setattr(read, "straight_frame", lambda *args, **kwargs: None)
    general = load_dataset([path], Config())
    return straight, general, taken


def _same(a: Dataset, b: Dataset) -> None:
    pd.testing.assert_frame_equal(a.opportunities, b.opportunities)
    assert a.issues == b.issues
    assert a.currency == b.currency


def test_every_kind_of_row_comes_out_as_the_general_path_gives_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    straight, general, taken = _both(_write(tmp_path, ROWS), monkeypatch)
    assert taken == [True]
    _same(straight, general)
    frame = straight.opportunities.set_index("opportunity_id")
    # A4 (no owner), A7 (lost, no close date) quarantined; A8 deleted.
    assert sorted(frame.index) == sorted(["A1", "A2", "A3", "A5", "A6", "A9", "A10", "A11"])
    assert frame.loc["A1", "account"] == "001X"  # the AccountId stands in for the name
    assert frame.loc["A1", "company_size"] == "0-49"  # default bands start at 0
    assert frame.loc["A9", "company_size"] == "5000+"
    codes = [i.code for i in straight.issues]
    assert codes == [
        "missing-amount",  # A2
        "won-looking-stage",  # A3
        "missing-owner",  # A4
        "negative-amount",  # A5
        "date-order",  # A5
        "future-close-date",  # A6
        "missing-close-date",  # A7
        "deleted-record",  # A8
        "unknown-stage",  # A9 only: once per stage
    ]
    risk = next(i for i in straight.issues if i.code == "missing-owner")
    assert (risk.amount, risk.severity) == (70.0, "bonus-risk")


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda rows: [*rows, rows[0]], "a repeated id is merged by the general path"),
        (lambda rows: [",Cy" + rows[0][2:], *rows[1:]], "a row without id gets a synthetic one"),
    ],
    ids=["duplicate", "no-id"],
)
def test_rows_that_need_a_record_take_the_general_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: object, why: str
) -> None:
    rows = change(ROWS)  # type: ignore[operator]
    straight, general, taken = _both(_write(tmp_path, rows), monkeypatch)
    assert taken == [False], why
    _same(straight, general)


def test_two_currencies_without_a_rate_stop_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [ROWS[0].replace(",100,", ",EUR 100,"), ROWS[1], ROWS[2].replace(",50,", ",$50,")]
    path = _write(tmp_path, rows)
    messages = []
    for straight in (read.straight_frame, lambda *args, **kwargs: None):
        monkeypatch.setattr(read, "straight_frame", straight)
        with pytest.raises(InputError) as caught:
            load_dataset([path], Config())
        messages.append(caught.value.format())
    assert messages[0] == messages[1]
    assert "EUR" in messages[0] and "USD" in messages[0]


def test_a_text_column_of_the_straight_frame_is_typed_as_coerce_types_types_it() -> None:
    import numpy as np

    from reporter.read.columnar import _typed

    typed = _typed("owner", np.array(["Ann", float("nan"), None, pd.NaT], dtype=object))
    assert typed.dtype == object
    assert typed.tolist() == ["Ann", None, None, None]
    days = _typed("close_date", np.array([None, "x"], dtype=object))
    assert str(days.dtype) == "datetime64[ns]" and days.isna().all()


def test_rows_share_a_decision_key_exactly_as_a_dict_would_group_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import reporter.read.columnar as columnar
    from reporter.read.columnar import _distinct_keys

    def no_dict(*args: object) -> None:
        raise AssertionError("None alone is missing here: no need of the dict")

    monkeypatch.setattr(columnar, "_by_dict", no_dict)

    stage = ["Won", "Lost", "Won", None, "Won"]
    won = [True, False, 1.0, None, True]  # True == 1.0: one key, as in a dict
    closed = [None, None, None, None, False]
    which, keys = _distinct_keys([stage, won, closed])
    assert which.tolist() == [0, 1, 0, 2, 3]
    assert keys == [
        ("Won", True, None),
        ("Lost", False, None),
        (None, None, None),
        ("Won", True, False),
    ]
    assert keys[0][1] is True  # the first row's value stands for the key


def test_a_nan_key_is_grouped_by_the_dict_not_merged_with_none() -> None:
    from reporter.read.columnar import _distinct_keys

    nan = float("nan")
    which, keys = _distinct_keys([[None, nan, None], [None, None, None], [None, None, None]])
    assert which.tolist() == [0, 1, 0]
    assert keys[0] == (None, None, None) and keys[1][0] is nan


def test_size_bands_of_distinct_numbers_and_of_each_missing_cell() -> None:
    import numpy as np

    from reporter.read.columnar import _bands

    employees = np.array([40.0, 300, None, 40.0, float("nan"), 7000.0, 49.5], dtype=object)
    # NaN is below no band and in none of the ranges: size_band gives it the top band.
    assert _bands(employees, (0, 50, 250)) == ["0-49", "250+", None, "0-49", "250+", "250+", "0-49"]


def test_a_date_column_of_the_straight_frame_is_typed_as_coerce_types_types_it() -> None:
    from datetime import date, datetime

    import numpy as np

    from reporter.model import coerce_types
    from reporter.read.columnar import _typed

    plain = [date(2025, 1, 10), None, datetime(2025, 1, 10, 15, 30), date(2025, 1, 10)]
    far = [date(3026, 5, 1), float("nan"), date(2025, 2, 1)]  # not held in nanoseconds
    texts = ["2025-01-03", date(2025, 1, 4)]
    for cells in (plain, far, texts, [None, None]):
        column = np.array([*cells, None], dtype=object)[:-1]
        whole = coerce_types(pd.DataFrame({"close_date": column.copy()}, dtype=object))
        pd.testing.assert_series_equal(
            _typed("close_date", column), whole["close_date"], check_names=False
        )
    days = _typed("close_date", np.array(plain, dtype=object)).tolist()
    assert days[0] == days[3] == pd.Timestamp(2025, 1, 10) and days[1] is pd.NaT
    assert days[2] == pd.Timestamp(2025, 1, 10, 15, 30)
    far_days = _typed("close_date", np.array(far, dtype=object)).tolist()
    assert far_days[0] is pd.NaT and far_days[1] is pd.NaT
