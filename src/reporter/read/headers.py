"""Header names → canonical fields, and finding the header row under a title block.

Headers match case-, space- and punctuation-insensitively ("Close Date", "CloseDate" and
"close_date" are one name). Earlier aliases in a list win when a sheet has two columns for
the same field ("Opportunity Owner" beats "OwnerId"); a ``[columns]`` entry beats all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Internal field beyond the config's canonical ones: the Salesforce AccountId key.
ACCOUNT_ID = "account_id"

ALIASES: dict[str, tuple[str, ...]] = {
    "opportunity_id": (
        "Opportunity ID", "Opportunity Id 18", "Opp ID", "Deal ID", "Record ID", "hs_object_id",
        "Id", "Opportunity Number",
    ),
    "opportunity_name": ("Opportunity Name", "Deal Name", "dealname", "Name", "Opportunity"),
    "owner": (
        "Opportunity Owner", "Opportunity Owner: Full Name", "Owner Full Name", "Owner Name",
        "Deal owner", "HubSpot Owner", "Owner", "Sales Rep", "Sales Representative", "Rep",
        "Rep Name", "Salesperson", "Sales Person", "Account Executive", "Sales Agent",
        "Owner ID", "OwnerId", "owner_id", "hubspot_owner_id",
    ),
    "stage": (
        "Stage", "StageName", "Stage Name", "Opportunity Stage", "Deal Stage", "dealstage",
        "Status",
    ),
    "amount": (
        "Amount", "Opportunity Amount", "Deal Amount", "Amount (converted)", "Total Amount",
        "Deal Value", "Value", "Bookings",
    ),
    "created_date": (
        "Created Date", "CreatedDate", "Create Date", "createdate", "Opportunity Created Date",
        "Date Created", "Created On", "Created",
    ),
    "close_date": (
        "Close Date", "CloseDate", "closedate", "Closed Date", "Date Closed", "Closed On",
        "Expected Close Date",
    ),
    "account": (
        "Account Name", "Account", "Company Name", "Company", "Associated Company",
        "Customer Name", "Customer", "Client",
    ),
    ACCOUNT_ID: ("AccountId", "Account ID", "account_id", "Account 18 ID"),
    "industry": ("Industry", "Account Industry", "Sector"),
    "region": ("Region", "Sales Region", "Territory", "Sales Territory", "Account Region"),
    "manager": ("Manager", "Sales Manager", "Manager Name", "Reports To", "Team Lead"),
    "manager_email": ("Manager Email", "Manager E-mail", "Manager Email Address"),
    "is_won": ("IsWon", "Is Won", "Closed Won Flag", "hs_is_closed_won"),
    "is_closed": ("IsClosed", "Is Closed", "Closed Flag", "hs_is_closed"),
    "currency": (
        "Opportunity Currency", "Currency", "CurrencyIsoCode", "Currency ISO Code",
        "Currency Code", "Deal Currency", "deal_currency_code",
    ),
    "type": ("Type", "Opportunity Type", "Deal Type", "dealtype", "Business Type"),
    "lead_source": (
        "Lead Source", "LeadSource", "Opportunity Source", "Original Source", "Source",
    ),
    "product": ("Product", "Product__c", "Product Name", "Primary Product", "Product Family"),
    "company_size": ("Company Size", "Company Size Band", "Size Band", "Employee Band", "Size"),
    "employees": (
        "Employees", "NumberOfEmployees", "Number of Employees", "Employee Count", "Headcount",
        "numberofemployees",
    ),
    "loss_reason": (
        "Loss Reason", "Closed Lost Reason", "Lost Reason", "Reason Lost", "Loss_Reason__c",
        "closed_lost_reason", "Reason",
    ),
    "customer_since": (
        "Customer Since", "Customer Since Date", "Customer Start Date", "First Purchase Date",
    ),
    "target": ("Target", "Quota", "Target Amount", "Quota Amount", "Sales Target"),
    "quarter": ("Fiscal Quarter", "Quarter", "FiscalQuarter", "Fiscal Period", "Period"),
}  # fmt: skip

HEADER_SCAN_ROWS = 30
_NON_ALNUM = re.compile(r"[^0-9a-z]")


def norm(name: Any) -> str:
    """A header reduced to lowercase letters and digits (``"Close-Date "`` → ``closedate``)."""
    return _NON_ALNUM.sub("", str(name).casefold()) if name is not None else ""


@dataclass(frozen=True)
class AliasIndex:
    """Normalised header → (field, rank). Rank -1 is a ``[columns]`` entry; lower wins."""

    fields: Mapping[str, tuple[str, int]]

    def lookup(self, header: Any) -> tuple[str, int] | None:
        return self.fields.get(norm(header))


def alias_index(columns: Mapping[str, str]) -> AliasIndex:
    """Built-in aliases plus the config's ``[columns]`` (canonical field → header)."""
    fields: dict[str, tuple[str, int]] = {}
    for canonical, names in ALIASES.items():
        for rank, name in enumerate(names):
            fields.setdefault(norm(name), (canonical, rank))
        fields.setdefault(norm(canonical), (canonical, len(names)))
    for canonical, header in columns.items():
        fields[norm(header)] = (canonical, -1)
    return AliasIndex(fields)


def _hits(row: list[Any], index: AliasIndex) -> int:
    return len({hit[0] for cell in row if (hit := index.lookup(cell)) is not None})


def find_header(rows: list[list[Any]], index: AliasIndex) -> int | None:
    """Index of the header row: the row among the first 30 with most alias hits (≥ 2).

    Falls back to the first non-blank row, so a sheet of unknown columns can still be named
    in messages. None for a sheet with no cells at all.
    """
    best, best_hits = None, 1
    first_filled = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if first_filled is None and any(str(c).strip() for c in row if c is not None):
            first_filled = i
        hits = _hits(row, index)
        if hits > best_hits:
            best, best_hits = i, hits
    return best if best is not None else first_filled


def map_columns(header: list[Any], index: AliasIndex) -> dict[str, int]:
    """Canonical field → column index for one header row (best-ranked header per field)."""
    chosen: dict[str, tuple[int, int]] = {}
    for col, cell in enumerate(header):
        hit = index.lookup(cell)
        if hit is None:
            continue
        field, rank = hit
        if field not in chosen or rank < chosen[field][0]:
            chosen[field] = (rank, col)
    return {field: col for field, (_, col) in chosen.items()}


def header_names(header: list[Any]) -> list[str]:
    """The non-blank header cells as text, for messages."""
    return [str(c).strip() for c in header if c is not None and str(c).strip()]
