"""Issue 9, CRM object exports as they come: deleted rows, user tables, other objects.

Expected figures are hand-computed from the fixtures (tests/fixtures/trust). Quarters are
calendar quarters (fiscal year starts in January).
"""

from __future__ import annotations

from trust_support import codes, issues, load, won_by_rep


def test_data_loader_export_all_drops_deleted_joins_users_sets_objects_aside():
    data = load("dataloader_export_all_deleted_history_lineitems_contacts_users")
    # Opportunity.csv: 0001 won 30,000 (Ana), 0002 won 20,000 (Ben), 0003 won 24,120,000
    # DELETED, 0004 lost (Ben), 0005 lost DELETED, 0006 open. Owner ids → names via User.csv.
    assert won_by_rep(data) == {
        ("Ana Lopez", "FY2025 Q1"): (1, 30_000, 0),
        ("Ben Ode", "FY2025 Q1"): (1, 20_000, 1),
    }
    deleted = issues(data, "deleted-record")
    assert [(i.file, i.row) for i in deleted] == [("Opportunity.csv", 4), ("Opportunity.csv", 6)]
    assert len(data.opportunities) == 4
    set_aside = {i.file: i.problem for i in issues(data, "other-crm-object")}
    assert set(set_aside) == {"OpportunityHistory.csv", "OpportunityLineItem.csv", "Contact.csv"}
    assert "history" in set_aside["OpportunityHistory.csv"].lower()
    assert "ignored-sheet" not in codes(data)  # User.csv was used, not ignored
    assert data.currency == "USD"


def test_fivetran_is_deleted_and_user_table():
    data = load("fivetran_salesforce_opportunity_is_deleted_and_user")
    # F00001 Dee won 15,000; F00002 Dee won 24,120,000 is_deleted; F00003 Eli lost 4,000;
    # F00004 Eli won 6,000.
    assert won_by_rep(data) == {
        ("Dee Park", "FY2025 Q1"): (1, 15_000, 0),
        ("Eli Sand", "FY2025 Q1"): (1, 6_000, 1),
    }
    assert [(i.file, i.row) for i in issues(data, "deleted-record")] == [("opportunity.csv", 3)]


def test_hubspot_archived_deals_and_owner_ids_joined_to_owner_names():
    data = load("hubspot_deals_archived_owner_ids_and_owners")
    # 9001 Fay won 12,000; 9002 Gus won 7,500 ARCHIVED; 9003 Gus lost; 9004 Gus won 3,000;
    # 9005 open. Owner ids 44023296/44023297 → first + last name from owners.csv.
    assert won_by_rep(data) == {
        ("Fay Lin", "FY2025 Q1"): (1, 12_000, 0),
        ("Gus Moe", "FY2025 Q1"): (1, 3_000, 1),
    }
    assert [(i.file, i.row) for i in issues(data, "deleted-record")] == [("deals.csv", 3)]
