"""Real third-party exports (/work/shared/datasets) read with the expected counts."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from reporter.config import Config, from_mapping
from reporter.read import load_dataset

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
DATA_CLOUD = DATASETS / "salesforce-data-cloud-workshop"
MAVEN = DATASETS / "maven-crm-sales-opportunities"
FIVETRAN = DATASETS / "fivetran-dbt-salesforce"

MAVEN_CONFIG = {
    "columns": {
        "owner": "sales_agent",
        "created_date": "engage_date",
        "region": "regional_office",
        "industry": "sector",
        "stage": "deal_stage",
        "amount": "close_value",
    }
}


def need(folder: Path) -> Path:
    if not folder.is_dir():
        pytest.skip(f"shared dataset {folder.name} not present")
    return folder


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_data_cloud_is_won_rows_are_the_won_ones() -> None:
    folder = need(DATA_CLOUD)
    rows = csv_rows(folder / "Opportunity.csv")
    expected_won = {r["Id"] for r in rows if r["IsWon"] == "1"}
    assert len(expected_won) == 12

    data = load_dataset([folder], Config())
    frame = data.opportunities
    assert len(frame) == len(rows) == 50
    assert set(frame.loc[frame["outcome"] == "won", "opportunity_id"]) == expected_won
    assert (frame["outcome"] == "lost").sum() == 3
    # AccountId resolved through Account.csv's Id to the account's Name and Industry.
    accounts = {r["Id"]: r for r in csv_rows(folder / "Account.csv")}
    first = rows[0]
    assert frame["account"].iloc[0] == accounts[first["AccountId"]]["Name"]
    assert frame["industry"].iloc[0] == accounts[first["AccountId"]]["Industry"]
    assert frame["created_date"].dt.strftime("%Y-%m-%d").eq("2024-01-22").all()
    assert [i.rows for i in data.inputs] == [22, 50]
    assert data.quarantined == 0


def test_maven_counts_and_joins() -> None:
    folder = need(MAVEN)
    config = from_mapping(MAVEN_CONFIG)
    started = time.perf_counter()
    data = load_dataset([folder], config)
    elapsed = time.perf_counter() - started
    print(f"\nMaven folder (8,800 opportunities + 4 small files) read in {elapsed:.2f}s")

    frame = data.opportunities
    assert len(frame) == 8800
    assert (frame["outcome"] == "won").sum() == 4238
    assert (frame["outcome"] == "lost").sum() == 2473
    assert frame["region"].notna().all()
    assert set(frame["region"]) == {"Central", "East", "West"}
    known = frame["account"].notna()
    assert known.sum() == 8800 - 1425
    assert frame.loc[known, "industry"].notna().all()
    assert frame.loc[~known, "industry"].isna().all()
    assert frame["manager"].notna().all()
    assert frame.loc[frame["outcome"] == "won", "amount"].notna().all()
    ignored = {i.file for i in data.issues if i.code == "ignored-sheet"}
    assert ignored == {"data_dictionary.csv", "products.csv"}
    unknown = sorted(i.value for i in data.issues if i.code == "unknown-stage")
    assert unknown == ["Engaging"]  # Prospecting is a known open stage
    assert data.quarantined == 0


def test_fivetran_snake_case_flags_decide() -> None:
    folder = need(FIVETRAN)
    data = load_dataset([folder / "sf_opportunity_data.csv"], Config())
    # Every one of the 10 rows has is_deleted = true (5 won, 4 lost, 1 open by the flags,
    # 24,120,000 of won amount): none is counted, each is reported.
    assert data.opportunities.empty
    deleted = [i for i in data.issues if i.code == "deleted-record"]
    assert [(i.row, i.column) for i in deleted] == [(n, "is_deleted") for n in range(2, 12)]
