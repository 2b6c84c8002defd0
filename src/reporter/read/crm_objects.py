"""CRM object exports that are not opportunities, recognised by their headers.

Salesforce Data Loader, Fivetran and HubSpot exports come one object per file. Beside the
opportunities a user often hands over the whole folder: stage history, line items, contacts,
leads, activities. Those are set aside with a note (never read as a second opportunities
table), and user / owner tables are recognised so owner ids can be shown as names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reporter.vocabulary import normalise

# (what the object is, headers that must all be present, applies even beside stage+owner),
# first match wins. Headers are compared normalised, so Salesforce ``OpportunityId`` and
# Fivetran ``opportunity_id`` match.
_OBJECTS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("Salesforce OpportunityHistory (stage-change history)",
     ("opportunityid", "stagename", "createdbyid"), False),
    ("Salesforce OpportunityFieldHistory (field-change history)",
     ("opportunityid", "field", "oldvalue", "newvalue"), False),
    ("opportunity line items (products on deals)",
     ("opportunityid", "quantity", "unitprice"), False),
    ("opportunity line items (products on deals)", ("opportunityid", "pricebookentryid"), False),
    ("opportunity contact roles", ("opportunityid", "contactid", "role"), False),
    ("Fivetran history-mode table (one row per version of a record)",
     ("fivetranstart", "fivetranend"), True),
    ("Salesforce Lead export (leads are not opportunities)", ("isconverted", "company"), True),
    ("activities (tasks or events)", ("whatid", "subject"), False),
    ("activities (tasks or events)", ("whoid", "subject"), False),
    ("contacts (people, not opportunities)", ("firstname", "lastname", "email", "accountid"),
     False),
    ("contacts (people, not opportunities)", ("firstname", "lastname", "title", "phone"), False),
)  # fmt: skip
# A table with both of these is a deal table, whatever else it has (a tracker may well
# have an "Opportunity ID" and a "Quantity" column).
_STAGES = ("stage", "stagename", "dealstage", "status")
_OWNERS = ("owner", "ownerid", "opportunityowner", "dealowner", "hubspotownerid", "salesrep")


# Id-column and name-column spellings of user / owner tables.
_USER_IDS = ("id", "ownerid", "userid")
# Columns only user exports have (a contact has a name and an email too, never these).
_USER_MARKERS = ("username", "alias", "isactive", "userroleid", "profileid", "usertype")
_FULL_NAME = ("name", "fullname")
_FIRST = ("firstname",)
_LAST = ("lastname",)


def crm_object(headers: Sequence[Any]) -> str | None:
    """What non-opportunity object a header row belongs to, or None."""
    names = {normalise(h) for h in headers if h is not None}
    deals = any(n in names for n in _STAGES) and any(n in names for n in _OWNERS)
    for what, needed, always in _OBJECTS:
        if (always or not deals) and all(n in names for n in needed):
            return what
    return None


@dataclass(frozen=True)
class UserColumns:
    """Where a user / owner table keeps the id and the person's name."""

    id: int
    name: int | None
    first: int | None
    last: int | None
    email: int | None

    def display(self, row: Sequence[Any]) -> str | None:
        """The person's name from one row: Name, else First Last, else the email."""

        def cell(col: int | None) -> str:
            if col is None or col >= len(row) or row[col] is None:
                return ""
            return " ".join(str(row[col]).split())

        full = cell(self.name)
        if full:
            return full
        joined = " ".join(p for p in (cell(self.first), cell(self.last)) if p)
        return joined or cell(self.email) or None


def user_columns(headers: Sequence[Any]) -> UserColumns | None:
    """The columns of a user table (Salesforce User, Fivetran user, HubSpot owners), or None.

    A user table has an id column, a name (or first and last name), and either an id column
    named for owners/users (HubSpot ``owner_id``) or a column only user exports have
    (Username, Alias, IsActive, UserRoleId…). It has no stage, so it is never opportunities.
    Check it before :func:`crm_object`: users have first and last names like contacts.
    """
    index = {normalise(h): i for i, h in reversed(list(enumerate(headers))) if h is not None}
    if any(n in index for n in _STAGES):
        return None
    id_col = next((index[n] for n in _USER_IDS if n in index), None)
    name = next((index[n] for n in _FULL_NAME if n in index), None)
    first = next((index[n] for n in _FIRST if n in index), None)
    last = next((index[n] for n in _LAST if n in index), None)
    if id_col is None or (name is None and (first is None or last is None)):
        return None
    # HubSpot owners: keyed by owner_id, with first and last names (a reps sheet keyed by an
    # owner id has a single name column and stays a reps table).
    owner_ids = id_col != index.get("id") and first is not None and last is not None
    if not owner_ids and not any(n in index for n in _USER_MARKERS):
        return None
    return UserColumns(id_col, name, first, last, index.get("email"))
