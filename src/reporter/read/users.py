"""Owner ids → rep names, from user tables exported beside the opportunities.

Salesforce Data Loader and Fivetran exports carry ``OwnerId`` (``005Ec000004oBPNIA2``),
HubSpot exports an owner id; a bonus sheet needs names. A user table given with them
(Salesforce ``User.csv``: Id, Name; Fivetran ``user``; HubSpot owners: owner_id,
first_name, last_name) turns each id into the person's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reporter.quality import Issue
from reporter.read.opportunities import record_issue
from reporter.read.tables import UserTable


def rename_owners(
    records: list[dict[str, Any]], tables: Sequence[UserTable], issues: list[Issue]
) -> None:
    """Replace owner ids by names in place; an id not in any user table is reported once."""
    names: dict[str, str] = {}
    for table in tables:
        for key, name in table.names.items():
            names.setdefault(key, name)
    if not names:
        return
    reported: set[str] = set()
    for record in records:
        owner = record.get("owner")
        if owner is None:
            continue
        if owner in names:
            record["owner"] = names[owner]
        elif _looks_like_id(owner) and owner not in reported:
            reported.add(owner)
            issues.append(
                record_issue(
                    "unmatched-owner", record, column="owner", value=owner, variant="users"
                )
            )


def _looks_like_id(owner: str) -> bool:
    """An id, not a name: no space, and digits in it (``005Ec…``, ``44023296``)."""
    return " " not in owner and any(c.isdigit() for c in owner)
