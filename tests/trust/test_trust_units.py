"""Issue 9 input rules, one function at a time (currencies, dates, CRM objects, stages)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from reporter.read.crm_objects import crm_object, user_columns
from reporter.read.currency import Rate, Rates, code_of, currency_in, label_cells, rates_layout
from reporter.read.dates import (
    UndecidableDates,
    decide_orders,
    order_evidence,
    parse_timestamp,
)
from reporter.read.values import split_time
from reporter.read.won_looking import looks_won

WON_KEYS = ("closedwon", "closewon", "won")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("$12,500.00", "USD"),
        ("12.000,00 €", "EUR"),
        ("USD 1,200", "USD"),
        ("1 200 eur", "EUR"),
        ("£4,000", "GBP"),
        ("C$ 900", "CAD"),
        ("US$5", "USD"),
        ("(¥1,500,000)", "JPY"),
        ("12500", None),
        ("n/a", None),
    ],
)
def test_currency_written_in_an_amount(text, code):
    assert currency_in(text) == code


def test_currency_column_cells_become_codes():
    codes = [code_of(c) for c in ("eur", " USD ", "€", None, "")]
    assert codes == ["EUR", "USD", "EUR", None, None]


def test_unmarked_numbers_take_the_columns_one_currency():
    assert label_cells(["$12,500.00", 8000, None, "$3.00"]) == ["USD", "USD", None, "USD"]
    # two currencies: an unmarked number stays unlabelled (its currency is unknown)
    assert label_cells(["$1", "€2", 3]) == ["USD", "EUR", None]
    assert label_cells([1, 2.5, "3"]) is None


def test_dated_rates_pick_the_rate_in_force():
    rates = Rates("USD")
    rates.add(Rate("EUR", 1.25, date(2025, 1, 1)))
    rates.add(Rate("EUR", 1 / 0.9, date(2025, 3, 1)))
    assert rates.lookup("USD", date(2025, 2, 1)) == 1.0
    assert rates.lookup("EUR", date(2025, 2, 28)) == 1.25
    assert rates.lookup("EUR", date(2025, 3, 1)) == pytest.approx(1 / 0.9)
    assert rates.lookup("EUR", date(2024, 6, 1)) == 1.25  # before every rate: the earliest
    assert rates.lookup("EUR", None) == pytest.approx(1 / 0.9)  # undated: the latest
    assert rates.lookup("JPY", date(2025, 2, 1)) is None


@pytest.mark.parametrize(
    ("text", "head", "clock"),
    [
        ("15 Apr, 2021 00:02:00", "15 Apr, 2021", time(0, 2)),
        ("Apr 15, 2021 12:02 AM", "Apr 15, 2021", time(0, 2)),
        ("02/23/26 08:55 PM", "02/23/26", time(20, 55)),
        ("2025-02-20T10:00:00.000Z", "2025-02-20", time(10, 0)),
        ("2025-03-21 08:00", "2025-03-21", time(8, 0)),
        ("2025-02-20", "2025-02-20", None),
    ],
)
def test_time_of_day_is_split_off(text, head, clock):
    assert split_time(text) == (head, clock)


def test_last_modified_stamps_keep_the_time():
    assert parse_timestamp("2025-03-28T09:00:00.000Z") == datetime(2025, 3, 28, 9)
    assert parse_timestamp("15 Apr, 2021 00:02:00") == datetime(2021, 4, 15, 0, 2)
    assert parse_timestamp("02/23/26 08:55 PM") == datetime(2026, 2, 23, 20, 55)
    assert parse_timestamp(45748.5) == datetime(2025, 4, 1, 12)  # serial 45748 = 1 Apr 2025
    assert parse_timestamp("") is None


def test_date_order_evidence_per_column():
    assert order_evidence(["25/03/25", "04/02/25"]) == "day-first"
    assert order_evidence(["03/25/25", "04/02/25"]) == "month-first"
    assert order_evidence(["03/04/25", "05/06/25"]) == "ambiguous"
    assert order_evidence(["01/01/25", "2025-03-04", None]) is None


def test_ambiguous_column_follows_the_file_then_config_then_stops():
    file = {"Close Date": ["01.12.2025", "03.11.2025"], "Created Date": ["25.09.2025"]}
    decided = decide_orders(file, None)
    assert decided["Created Date"] == (True, None)
    assert decided["Close Date"][0] is True and "'Created Date'" in (decided["Close Date"][1] or "")
    alone = {"Close Date": ["03/04/2025", "05/06/2025"]}
    assert decide_orders(alone, "month-first")["Close Date"][0] is False
    with pytest.raises(UndecidableDates) as caught:
        decide_orders(alone, None)
    assert "'Close Date': 03/04/2025, 05/06/2025" in str(caught.value)
    # columns that disagree decide nothing for a third, ambiguous one: the setting does
    split = {"A": ["25/03/25"], "B": ["03/25/25"], "C": ["03/04/25"]}
    assert decide_orders(split, "day-first")["C"] == (True, "[periods] date_order = 'day-first'")


@pytest.mark.parametrize(
    ("stage", "risky"),
    [
        ("closedwno", True),
        ("wonpending", True),
        ("closedwom", True),
        ("qualificaton", False),
        ("closedlost", False),
        ("closed", False),
        ("wontbuy", False),
        ("nodecision", False),
    ],
)
def test_won_looking_stage_keys(stage, risky):
    assert looks_won(stage, WON_KEYS) is risky


def test_crm_objects_recognised_by_their_headers():
    history = ["Id", "OpportunityId", "CreatedById", "CreatedDate", "StageName", "Amount"]
    assert "OpportunityHistory" in (crm_object(history) or "")
    assert "line items" in (crm_object(["Id", "OpportunityId", "Quantity", "UnitPrice"]) or "")
    contact = ["Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Name", "Email", "OwnerId"]
    assert "contacts" in (crm_object(contact) or "")
    # a tracker with an opportunity id, a stage and an owner is a deal table
    tracker = ["Opportunity ID", "Stage", "Owner", "Quantity", "Unit Price", "Created By Id"]
    assert crm_object(tracker) is None


def test_user_tables_and_the_name_they_give():
    sf = ["Id", "Username", "LastName", "FirstName", "Name", "Email", "Alias", "IsActive"]
    columns = user_columns(sf)
    assert columns is not None
    assert columns.display(["005A", "a@x", "Lopez", "Ana", "Ana Lopez", "a@x", "al", "true"]) == (
        "Ana Lopez"
    )
    hubspot = ["owner_id", "created_at", "email", "first_name", "last_name", "active_user_id"]
    owners = user_columns(hubspot)
    assert owners is not None and owners.display(["44", "x", "f@x", "Fay", "Lin", "1"]) == "Fay Lin"
    # a contact has names and an email but is not a user table
    assert user_columns(["Id", "FirstName", "LastName", "Name", "Email", "AccountId"]) is None
    assert user_columns(["Id", "Name", "StageName", "OwnerId", "Username"]) is None


def test_salesforce_rates_exports_with_audit_columns_are_rates_tables():
    dated = ["Id", "IsoCode", "ConversionRate", "NextStartDate", "StartDate", "CreatedDate",
             "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp"]  # fmt: skip
    layout = rates_layout(dated)
    assert layout is not None and layout.inverted and layout.start == 4
    # a currency + rate sheet of our own is one too; a deal table never is
    assert rates_layout(["Currency", "Rate", "Start Date"]) is not None
    assert rates_layout(["Currency", "Rate", "Amount", "Stage"]) is None


def test_a_reps_sheet_keyed_by_owner_id_is_not_a_user_table():
    assert user_columns(["Owner ID", "Name", "Manager", "Region"]) is None
