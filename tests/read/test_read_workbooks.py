"""Workbooks and CSV files as sales teams keep them → the right canonical rows and issues."""

from __future__ import annotations

import os
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from reporter.config import Config, from_mapping
from reporter.model import OPPORTUNITY_COLUMNS, TARGET_COLUMNS, Dataset
from reporter.quality import MERGED, QUARANTINED
from reporter.quarters import quarter_labels
from reporter.read import load_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "read"


def load(name: str, config: Config | None = None) -> Dataset:
    return load_dataset([FIXTURES / name], config or Config())


def triples(dataset: Dataset) -> set[tuple[str, str | None, int | None]]:
    return {(i.code, i.sheet, i.row) for i in dataset.issues}


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.fixture(scope="module")
def report() -> Dataset:
    return load("salesforce_report_title_block_blank_duplicate_totals.xlsx")


def test_report_rows_are_canonical(report: Dataset) -> None:
    frame = report.opportunities
    assert list(frame.columns) == list(OPPORTUNITY_COLUMNS)
    assert frame["opportunity_name"].tolist() == [
        "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta",
    ]  # fmt: skip
    assert frame["owner"].tolist()[:2] == ["Ana Lopez", "Ana Lopez"]  # padding collapsed
    assert frame["amount"].tolist() == [12500.0, 8000.0, 3000.0, 4200.5, 3000.0, 5000.0, 12500.0]
    # "$12,500.00" and "USD 3,000" name the currency; plain numbers beside them follow it
    assert report.currency == "USD"
    assert frame["close_date"].tolist() == [
        day("2024-02-10"),  # real date
        day("2024-03-05"),  # ISO text
        day("2024-04-15"),  # US text
        day("2024-04-18"),  # serial 45400
        day("2024-05-20"),  # ISO with time and +0000
        day("2024-09-30"),
        day("2024-07-01"),  # US text, month first because 04/15 decided the column
    ]
    assert frame["outcome"].tolist() == ["won", "won", "lost", "won", "won", "open", "won"]
    assert str(frame["close_date"].dtype) == "datetime64[ns]"
    assert frame["source_row"].tolist() == [5, 6, 7, 8, 10, 11, 13]


def test_report_won_per_rep_per_quarter_by_hand(report: Dataset) -> None:
    frame = report.opportunities
    won = frame[frame["outcome"] == "won"]
    counts = Counter(zip(won["owner"], quarter_labels(won["close_date"]), strict=True))
    assert counts == {
        ("Ana Lopez", "FY2024 Q1"): 2,
        ("Ana Lopez", "FY2024 Q2"): 1,
        ("Ben Ode", "FY2024 Q2"): 1,  # the duplicated Delta row counts once
        ("Cara Diaz", "FY2024 Q3"): 1,
    }


def test_report_issues_carry_excel_row_numbers(report: Dataset) -> None:
    assert triples(report) == {
        ("blank-row", "Report", 9),
        ("duplicate-row", "Report", 12),
        ("totals-row", "Report", 14),
    }
    duplicate = next(i for i in report.issues if i.code == "duplicate-row")
    assert duplicate.action == MERGED
    assert "row 8" in duplicate.problem
    assert report.inputs[0].rows == 8
    assert report.inputs[0].sheets == ("Report",)
    assert len(report.inputs[0].sha256) == 64


@pytest.fixture(scope="module")
def multi() -> Dataset:
    return load("opportunities_accounts_reps_targets.xlsx")


def test_multi_sheet_joins(multi: Dataset) -> None:
    frame = multi.opportunities.set_index("opportunity_id")
    assert list(frame.index) == ["O-1", "O-2", "O-3", "O-4", "O-5", "O-6"]
    acme = frame.loc["O-1"]
    assert (acme["industry"], acme["employees"], acme["company_size"]) == (
        "Technology",
        120,
        "50-249",
    )
    assert acme["customer_since"] == day("2020-01-01")
    assert (acme["manager"], acme["manager_email"]) == ("Maria Boss", "maria@example.com")
    assert acme["region"] == "West"  # rep region beats account region "North"
    assert frame.loc["O-3", "region"] == "EMEA"  # the opportunity's own value wins
    assert frame.loc["O-4", "region"] == "South"  # rep has none: account region
    assert frame.loc["O-4", "company_size"] == "1000-4999"  # employees "1,500" as text
    assert frame.loc["O-2", "company_size"] == "5000+"
    assert frame.loc["O-6", "industry"] == "Technology"  # "acme " matches "Acme"
    assert frame.loc["O-5", ["industry", "manager", "region"]].isna().all()


def test_multi_sheet_issues(multi: Dataset) -> None:
    assert triples(multi) == {
        ("duplicate-opportunity", "More Opportunities", 2),
        ("unmatched-account", "Opportunities", 6),
        ("unmatched-owner", "Opportunities", 6),
        ("bad-target", "Targets", 6),
    }
    duplicate = next(i for i in multi.issues if i.code == "duplicate-opportunity")
    assert "sheet 'Opportunities', row 2" in duplicate.problem


def test_multi_sheet_targets(multi: Dataset) -> None:
    targets = multi.targets
    assert list(targets.columns) == list(TARGET_COLUMNS)
    assert targets.values.tolist() == [
        ["rep", "Ana Lopez", "FY2024 Q1", 5000.0],
        ["rep", "Ana Lopez", "FY2024 Q2", 6000.0],
        ["rep", "Ben Ode", "FY2024 Q3", 7000.0],
        ["rep", "Ben Ode", "FY2024 Q4", 8000.0],
        ["region", "West", "FY2024 Q1", 10000.0],
    ]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"], ids=["xlsx", "xls"])
def test_excel_errors_and_hidden_sheet(suffix: str) -> None:
    data = load("excel_error_cells_and_hidden_sheet" + suffix)
    assert triples(data) == {
        ("hidden-sheet", "Old Data", None),
        ("excel-error", "Deals", 2),
        ("excel-error", "Deals", 3),
        ("excel-error", "Deals", 4),
        ("missing-owner", "Deals", 4),
    }
    errors = {i.row: (i.column, i.value) for i in data.issues if i.code == "excel-error"}
    assert errors == {2: ("Amount", "#DIV/0!"), 3: ("Close Date", "#N/A"), 4: ("Owner", "#REF!")}
    frame = data.opportunities
    assert frame["owner"].tolist() == ["Ana Lopez", "Ben Ode"]
    assert pd.isna(frame["amount"].iloc[0])
    assert data.quarantined == 1
    assert "Zed" not in set(frame["owner"])


def test_1904_workbook_serials() -> None:
    frame = load("date1904_serial_close_dates.xlsx").opportunities
    assert frame["close_date"].tolist() == [day("2023-12-02")]


def test_cp1252_semicolon_decimal_comma_csv() -> None:
    data = load("cp1252_semicolon_decimal_comma.csv")
    frame = data.opportunities
    assert frame["owner"].tolist() == ["José Müller", "José Müller", "Zoë Brontë"]
    assert frame["account"].tolist() == ["Café Crème", "Bäckerei", "Smith; Sons"]
    assert frame["amount"].tolist() == [1234.56, 3000.5, 250.0]
    assert frame["close_date"].tolist() == [day("2024-03-15"), day("2024-04-02"), day("2024-02-28")]
    assert frame["source_sheet"].isna().all()
    assert frame["opportunity_id"].iloc[0] == "cp1252_semicolon_decimal_comma.csv:2"
    assert data.issues == ()


def test_unknown_stage_listed_once_and_missing_stage_quarantined() -> None:
    # With no known open stages, every pipeline stage is unknown and listed once.
    data = load("unknown_stages_listed_once.csv", from_mapping({"outcomes": {"open": []}}))
    unknown = [(i.value, i.row) for i in data.issues if i.code == "unknown-stage"]
    assert unknown == [("Prospecting", 2), ("Negotiation", 5)]
    assert all(i.action == "treated as open" for i in data.issues if i.code == "unknown-stage")
    missing = [i for i in data.issues if i.code == "missing-stage"]
    assert [(i.row, i.action) for i in missing] == [(7, QUARANTINED)]
    assert data.opportunities["outcome"].tolist() == ["open"] * 4 + ["won"]


def test_columns_mapping_reads_custom_headers() -> None:
    config = from_mapping({"columns": {
        "owner": "Rep Full Name", "stage": "Deal Status", "close_date": "Booked On",
        "amount": "Value (USD)",
    }})  # fmt: skip
    frame = load("custom_headers_need_columns_mapping.csv", config).opportunities
    assert frame[["owner", "outcome", "amount"]].values.tolist() == [
        ["Ana Lopez", "won", 100.0],
        ["Ben Ode", "lost", 200.0],
    ]


def test_data_loader_flags_decide() -> None:
    data = load("data_loader_flags_conflicts_excluded.csv")
    outcomes = dict(
        zip(data.opportunities["opportunity_id"], data.opportunities["outcome"], strict=True)
    )
    assert outcomes == {
        "006A": "won",
        "006B": "won",  # IsWon with IsClosed false: still won, reported
        "006C": "lost",
        "006D": "open",  # blank flags mean false, whatever the stage says
        "006E": "excluded",  # an excluded stage beats the flags
        "006F": "won",  # unreadable IsWon: the stage decides
    }
    assert triples(data) == {
        ("bad-boolean", None, 7),
        ("conflicting-flags", None, 3),
        # 006A again with another owner: the later copy is kept, the first reported.
        ("conflicting-duplicate", None, 2),
    }
    owners = dict(zip(data.opportunities["opportunity_id"], data.opportunities["owner"]))
    assert owners["006A"] == "005Y"
    assert not any(i.code == "unknown-stage" for i in data.issues)


def test_ambiguous_and_day_first_dates() -> None:
    data = load("ambiguous_and_day_first_dates.csv")
    frame = data.opportunities
    # Close Date (03/04/2024, 05/06/2024) decides nothing by itself; Created Date's
    # 25/12/2023 makes the file day-first: 3 April and 5 June, not 4 March and 6 May.
    assert frame["close_date"].tolist() == [day("2024-04-03"), day("2024-06-05")]
    assert frame["created_date"].tolist() == [day("2023-12-25"), day("2024-02-01")]
    ambiguous = [i for i in data.issues if i.code == "ambiguous-date"]
    assert [(i.column, i.row, i.value) for i in ambiguous] == [("Close Date", 2, "03/04/2024")]
    assert "day-first" in ambiguous[0].action and "'Created Date'" in ambiguous[0].action
    assert ("bad-date", None, 4) in triples(data)
    assert ("missing-close-date", None, 4) in triples(data)


def test_extra_dimension_carried_from_raw_header(tmp_path: Path) -> None:
    path = tmp_path / "tiers.csv"
    path.write_text(
        "Owner,Stage,Close Date,Segment Tier\nAna,Won,2024-01-02,Gold\nBen,Lost,2024-01-03,\n"
    )
    config = from_mapping({"segments": {"dimensions": ["region", "Segment Tier"]}})
    data = load_dataset([path], config)
    assert data.extra_dimensions == ("Segment Tier",)
    assert data.opportunities["Segment Tier"].tolist() == ["Gold", None]


def test_several_files_are_one_data_set() -> None:
    data = load_dataset(
        [
            FIXTURES / "cp1252_semicolon_decimal_comma.csv",
            FIXTURES / "unknown_stages_listed_once.csv",
        ],
        Config(),
    )
    assert len(data.opportunities) == 8
    assert [Path(i.path).name for i in data.inputs] == [
        "cp1252_semicolon_decimal_comma.csv",
        "unknown_stages_listed_once.csv",
    ]
    assert data.opportunities["created_date"].isna().all()
    assert date(2024, 1, 10) in set(data.opportunities["close_date"].dt.date)


def test_totals_label_in_id_column_and_footer_note(tmp_path: Path) -> None:
    path = tmp_path / "report_with_footer.csv"
    path.write_text(
        "Opportunity ID,Opportunity Owner,Stage,Amount,Close Date\n"
        "O-1,Ana,Closed Won,100,2024-01-02\n"
        "Grand Totals,,,100,\n"
        "\n"
        "Confidential Information - Do Not Distribute\n"
    )
    data = load_dataset([path], Config())
    assert data.opportunities["opportunity_id"].tolist() == ["O-1"]
    assert triples(data) == {("totals-row", None, 3), ("note-row", None, 5)}
    assert data.quarantined == 0


def _aged(tmp_path: Path, older: str, newer: str) -> tuple[Path, Path]:
    """Copies of two exports, ``newer`` saved a day after ``older``."""
    out = []
    for name, stamp in ((older, 1_767_225_600), (newer, 1_767_312_000)):  # 1 and 2 Jan 2026
        target = tmp_path / name
        target.write_bytes((FIXTURES / name).read_bytes())
        os.utime(target, (stamp, stamp))
        out.append(target)
    return out[0], out[1]


def test_conflicting_duplicate_keeps_the_newer_files_copy_whatever_the_order(
    tmp_path: Path,
) -> None:
    first, later = _aged(tmp_path, "export_2026-01_deal7_open.csv", "export_2026-03_deal7_won.csv")
    for order in ([first, later], [later, first]):
        data = load_dataset(order, Config())
        deal = data.opportunities.set_index("opportunity_id").loc["7"]
        assert deal["outcome"] == "won"
        assert deal["amount"] == 120
        conflicts = [i for i in data.issues if i.code == "conflicting-duplicate"]
        assert len(conflicts) == 1
        assert conflicts[0].file == first.name
        assert conflicts[0].column == "amount, close_date, outcome, stage"
        # both values are reported: open 100 in the older file, won 120 in the newer
        assert "'Negotiation' → 'Closed Won'" in conflicts[0].problem
        assert "100 → 120" in conflicts[0].problem
        same = [i for i in data.issues if i.code == "duplicate-opportunity"]
        assert [i.value for i in same] == ["8"]


def test_a_newer_file_that_reopens_a_deal_makes_it_open(tmp_path: Path) -> None:
    # the same two exports, but the one with deal 7 open is the newer file now
    won, reopened = _aged(tmp_path, "export_2026-03_deal7_won.csv", "export_2026-01_deal7_open.csv")
    data = load_dataset([won, reopened], Config())
    assert data.opportunities.set_index("opportunity_id").loc["7", "outcome"] == "open"


def test_closed_deal_without_amount_is_noted_once() -> None:
    data = load("won_lost_blank_and_bad_amounts.csv")
    assert len(data.opportunities) == 5  # nothing dropped
    found = sorted((i.code, i.row) for i in data.issues if i.code != "unknown-stage")
    # Row 2 (won, blank) and row 4 (lost, blank) are noted; row 3 was already reported as
    # unreadable; the open row 5 needs no amount.
    assert found == [("bad-amount", 3), ("missing-amount", 2), ("missing-amount", 4)]


@pytest.mark.parametrize(
    ("dimension", "missing"),
    [("Tier", False), ("Deal Tier", True)],
    ids=["present", "absent"],
)
def test_configured_extra_dimension_missing_from_data_is_reported(dimension, missing) -> None:
    config = from_mapping({"segments": {"dimensions": ["region", dimension]}})
    data = load_dataset([FIXTURES / "custom_tier_column.csv"], config)
    flagged = [i for i in data.issues if i.code == "missing-dimension"]
    assert [i.column for i in flagged] == ([dimension] if missing else [])
    assert dimension in data.opportunities.columns


def test_closed_deal_dated_in_the_future_is_flagged_and_impossible_years_refused() -> None:
    data = load("won_deals_closing_2099_and_3026.csv")
    found = sorted((i.code, i.row, i.value) for i in data.issues)
    assert found == [
        ("bad-date", 5, "3026-01-01"),  # year out of range: unreadable ...
        ("future-close-date", 2, "2099-01-01"),  # the open deal's expected date is fine
        ("missing-close-date", 5, None),  # ... so the won row is quarantined, not a crash
    ]
    assert len(data.opportunities) == 3


def test_known_open_stages_are_not_reported_but_others_are() -> None:
    data = load("unknown_stages_listed_once.csv")  # Prospecting, Negotiation: known
    assert not [i for i in data.issues if i.code == "unknown-stage"]
    custom = from_mapping({"outcomes": {"open": ["Negotiation"]}})
    unknown = [
        i.value
        for i in load("unknown_stages_listed_once.csv", custom).issues
        if i.code == "unknown-stage"
    ]
    assert unknown == ["Prospecting"]
