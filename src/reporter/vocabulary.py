"""The words reporter speaks: canonical fields, their types and aliases, segment dimensions,
outcomes, "Unknown", and the one normaliser headers and stage names are compared in.

Everything else derives from here: ``config.CANONICAL_FIELDS`` (what ``[columns]`` accepts),
``model.OPPORTUNITY_COLUMNS`` (the canonical frame), the header aliases the readers match,
the dimensions win rate is broken down by and the targets a table may be keyed by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

# Field kinds: how a reader parses the cells and which dtype the canonical frame holds.
TEXT, NUMBER, DATE, FLAG, INTEGER = "text", "number", "date", "flag", "integer"

# Outcomes of an opportunity (SPEC "Definitions").
WON, LOST, OPEN, EXCLUDED = "won", "lost", "open", "excluded"
OUTCOMES: tuple[str, ...] = (WON, LOST, OPEN, EXCLUDED)
CLOSED: tuple[str, ...] = (WON, LOST)

# The segment a missing or blank dimension value falls in; rows are never dropped for it.
UNKNOWN = "Unknown"

_NON_ALNUM = re.compile(r"[^0-9a-z]")


def normalise(text: object) -> str:
    """Lowercase letters and digits only: ``"Close-Date "`` → ``closedate``, None → ``""``.

    Headers, ``[columns]`` names, extra dimensions and stage names are all compared in this form.
    """
    return _NON_ALNUM.sub("", str(text).casefold()) if text is not None else ""


def is_missing(value: object) -> bool:
    """None, NA, NaN, NaT or text that is only spaces: a cell that says nothing."""
    # Fast paths first: readers call this once per cell.
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return value != value  # NaN is the only float not equal to itself
    if isinstance(value, int | date) and value is not pd.NaT:  # bool, datetime, Timestamp
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes: never a missing scalar
        return False


@dataclass(frozen=True)
class Field:
    """One canonical field.

    ``read``: a header may name it (``[columns]`` accepts it); ``column``: the canonical
    opportunities frame has it. ``aliases`` are matched in order, earlier beating later.
    """

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    read: bool = True
    column: bool = True


FIELDS: tuple[Field, ...] = (
    Field("opportunity_id", TEXT, (
        "Opportunity ID", "Opportunity Id 18", "Opp ID", "Deal ID", "Record ID", "hs_object_id",
        "Id", "Opportunity Number",
    )),
    Field("opportunity_name", TEXT,
          ("Opportunity Name", "Deal Name", "dealname", "Name", "Opportunity")),
    Field("owner", TEXT, (
        "Opportunity Owner", "Opportunity Owner: Full Name", "Owner Full Name", "Owner Name",
        "Deal owner", "HubSpot Owner", "Owner", "Sales Rep", "Sales Representative", "Rep",
        "Rep Name", "Salesperson", "Sales Person", "Account Executive", "Sales Agent",
        "Owner ID", "OwnerId", "owner_id", "hubspot_owner_id",
    )),
    Field("manager", TEXT, ("Manager", "Sales Manager", "Manager Name", "Reports To", "Team Lead")),
    Field("manager_email", TEXT, ("Manager Email", "Manager E-mail", "Manager Email Address")),
    Field("account", TEXT, (
        "Account Name", "Account", "Company Name", "Company", "Associated Company",
        "Customer Name", "Customer", "Client",
    )),
    Field("stage", TEXT, (
        "Stage", "StageName", "Stage Name", "Opportunity Stage", "Deal Stage", "dealstage",
        "Status",
    )),
    Field("outcome", TEXT, read=False),
    Field("amount", NUMBER, (
        "Amount", "Opportunity Amount", "Deal Amount", "Total Amount", "Deal Value", "Value",
        "Bookings",
    )),
    Field("currency", TEXT, (
        "Opportunity Currency", "Currency", "CurrencyIsoCode", "Currency ISO Code",
        "Currency Code", "Deal Currency", "deal_currency_code", "Amount Currency",
    )),
    Field("created_date", DATE, (
        "Created Date", "CreatedDate", "Create Date", "createdate", "Opportunity Created Date",
        "Date Created", "Created On", "Created", "Created Time",
    )),
    Field("close_date", DATE, (
        "Close Date", "CloseDate", "closedate", "Closed Date", "Date Closed", "Closed On",
        "Closing Date", "Expected Close Date",
    )),
    Field("type", TEXT, ("Type", "Opportunity Type", "Deal Type", "dealtype", "Business Type")),
    Field("lead_source", TEXT, (
        "Lead Source", "LeadSource", "Opportunity Source", "Original Source", "Source",
    )),
    Field("product", TEXT,
          ("Product", "Product__c", "Product Name", "Primary Product", "Product Family")),
    Field("industry", TEXT, ("Industry", "Account Industry", "Sector")),
    Field("region", TEXT,
          ("Region", "Sales Region", "Territory", "Sales Territory", "Account Region")),
    Field("company_size", TEXT,
          ("Company Size", "Company Size Band", "Size Band", "Employee Band", "Size")),
    Field("employees", NUMBER, (
        "Employees", "NumberOfEmployees", "Number of Employees", "Employee Count", "Headcount",
        "numberofemployees",
    )),
    Field("loss_reason", TEXT, (
        "Loss Reason", "Closed Lost Reason", "Lost Reason", "Reason Lost", "Loss_Reason__c",
        "closed_lost_reason", "Reason",
    )),
    Field("customer_since", DATE, (
        "Customer Since", "Customer Since Date", "Customer Start Date", "First Purchase Date",
    )),
    Field("source_file", TEXT, read=False),
    Field("source_sheet", TEXT, read=False),
    Field("source_row", INTEGER, read=False),
    # Read from headers but not columns of the frame: flags decide the outcome,
    # target and quarter belong to targets tables.
    Field("is_won", FLAG, ("IsWon", "Is Won", "Closed Won Flag", "hs_is_closed_won"), column=False),
    Field("is_closed", FLAG, ("IsClosed", "Is Closed", "Closed Flag", "hs_is_closed"),
          column=False),
    Field("target", NUMBER, ("Target", "Quota", "Target Amount", "Quota Amount", "Sales Target"),
          column=False),
    Field("quarter", TEXT,
          ("Fiscal Quarter", "Quarter", "FiscalQuarter", "Fiscal Period", "Period"), column=False),
    # A Salesforce report's amount in the corporate currency: preferred to Amount when both
    # are there (the reader moves it into ``amount``, with its own currency column).
    Field("amount_converted", NUMBER, (
        "Amount (converted)", "Opportunity Amount (converted)", "Total Amount (converted)",
        "Converted Amount", "Amount in company currency", "amount_in_home_currency",
    ), column=False),
    Field("currency_converted", TEXT, (
        "Amount (converted) Currency", "Opportunity Amount (converted) Currency",
        "Converted Amount Currency",
    ), column=False),
    # When the CRM last changed the record: between two copies of a deal the newer wins.
    Field("last_modified", DATE, (
        "LastModifiedDate", "Last Modified Date", "Modified Time", "Last Modified",
        "Last Modified Time", "Modified Date", "Date Modified", "hs_lastmodifieddate",
        "last_modified_date", "SystemModstamp",
    ), column=False),
    # Deleted (Salesforce "Export All", Fivetran) or archived (HubSpot) records: left out.
    Field("is_deleted", FLAG, (
        "IsDeleted", "Is Deleted", "is_deleted", "Deleted", "Archived", "_fivetran_deleted",
    ), column=False),
    # The Salesforce AccountId key: resolved to an account name, never a column or a config key.
    Field("account_id", TEXT, ("AccountId", "Account ID", "account_id", "Account 18 ID"),
          read=False, column=False),
)  # fmt: skip

ACCOUNT_ID = "account_id"
FIELD: dict[str, Field] = {f.name: f for f in FIELDS}

# Fields ``[columns]`` may name (every header-readable field).
CANONICAL_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.read)
# Columns of the canonical opportunities frame, in order.
OPPORTUNITY_COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.column)
# Header aliases per field, the AccountId key included.
ALIASES: dict[str, tuple[str, ...]] = {f.name: f.aliases for f in FIELDS if f.aliases}


def columns_of(kind: str) -> tuple[str, ...]:
    """Frame columns of one kind (``DATE`` → created_date, close_date, customer_since)."""
    return tuple(f.name for f in FIELDS if f.column and f.kind == kind)


@dataclass(frozen=True)
class Dimension:
    """A built-in segment dimension and the field its segments come from.

    ``deal_type`` is derived by the metrics from ``type`` and account history; the others
    are the field's text with missing values in :data:`UNKNOWN`.
    """

    name: str
    source: str
    derived: bool = False


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("industry", "industry"),
    Dimension("company_size", "company_size"),  # or banded from employees by the reader
    Dimension("region", "region"),
    Dimension("lead_source", "lead_source"),
    Dimension("product", "product"),
    Dimension("deal_type", "type", derived=True),
)
BUILTIN_DIMENSIONS: tuple[str, ...] = tuple(d.name for d in DIMENSIONS)

# Which column keys a targets table when it has several: region first, then industry, …
_TARGET_KEY_ORDER = ("region", "industry", "company_size", "lead_source", "product", "deal_type")
TARGET_KEYS: tuple[Dimension, ...] = tuple(
    d for name in _TARGET_KEY_ORDER for d in DIMENSIONS if d.name == name
)
