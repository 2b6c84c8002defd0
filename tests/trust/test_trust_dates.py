"""Issue 9, dates without guessing: CRM text formats, day/month order decided per file.

Expected figures are hand-computed from the fixtures (tests/fixtures/trust). Quarters are
calendar quarters (fiscal year starts in January).
"""

from __future__ import annotations

from datetime import date

import pytest
from trust_support import FIXTURES, codes, issues, load, run_cli, won_by_rep

from reporter.errors import InputError

# Both Zoho exports hold the same six deals:
# Hana: won 2 Mar (2,500, Q1), won 15 Apr (5,000, Q2).
# Ivan: lost 30 Jun (Closed Lost) and 12 May (Zoho's "Closed-Lost to Competition") in Q2,
#       won 1 Jul (800, Q3); "Negotiation/Review" is open.
ZOHO = {
    ("Hana Ito", "FY2021 Q1"): (1, 2_500, 0),
    ("Hana Ito", "FY2021 Q2"): (1, 5_000, 0),
    ("Ivan Roe", "FY2021 Q2"): (0, None, 2),
    ("Ivan Roe", "FY2021 Q3"): (1, 800, 0),
}


@pytest.mark.parametrize(
    "name",
    ["zoho_deals_export_dd_mmm_comma_yyyy_times.csv", "zoho_deals_export_mmm_dd_yyyy_ampm.csv"],
)
def test_zoho_exports_read_with_their_text_datetimes(name):
    data = load(name)
    assert won_by_rep(data) == ZOHO
    assert "bad-date" not in codes(data)
    frame = data.opportunities.set_index("opportunity_id")
    assert frame.loc["4876876000000000001", "close_date"].date() == date(2021, 4, 15)
    assert frame.loc["4876876000000000001", "created_date"].date() == date(2021, 3, 1)


def test_day_first_two_digit_years_decide_the_files_other_date_column():
    data = load("uk_tracker_day_first_two_digit_years.csv")
    # Close Date: 25/03/25 makes it day-first → 4 Feb, 25 Mar, 7 Apr, 11 Mar 2025.
    # Olly: £4,000 + £1,500 = 5,500 in Q1. Pip: lost 11 Mar (Q1), won £2,000 7 Apr (Q2).
    assert won_by_rep(data) == {
        ("Olly Hart", "FY2025 Q1"): (2, 5_500, 0),
        ("Pip Shaw", "FY2025 Q1"): (0, None, 1),
        ("Pip Shaw", "FY2025 Q2"): (1, 2_000, 0),
    }
    # Created (all ambiguous on its own) follows the file: 02/01/25 is 2 Jan, 05/02/25 5 Feb
    created = sorted(d.date() for d in data.opportunities["created_date"])
    assert created == [date(2025, 1, 2), date(2025, 2, 5), date(2025, 2, 10), date(2025, 3, 3)]
    assert "date-order" not in codes(data)
    (note,) = issues(data, "ambiguous-date")  # a note saying what decided the Created column
    assert (note.column, note.severity) == ("Created", "note")
    assert "day-first" in note.action and "'Close Date'" in note.action
    assert data.currency == "GBP"


def test_all_ambiguous_dotted_close_dates_follow_the_day_first_created_dates():
    data = load("dotted_close_dates_ambiguous_created_dates_day_first.csv")
    # Created 25.09.2025 is day-first, so Close 01.12.2025 is 1 Dec (not 12 Jan): all Q4.
    assert won_by_rep(data) == {
        ("Rosa Klein", "FY2025 Q4"): (2, 8_000, 0),
        ("Sven Holm", "FY2025 Q4"): (1, 2_000, 1),
    }


def test_undecidable_dates_stop_naming_column_and_values():
    name = "slash_dates_all_ambiguous_no_evidence.csv"
    with pytest.raises(InputError) as caught:
        load(name)
    text = f"{caught.value} {caught.value.hint}"
    assert "Close Date" in text and "03/04/2025" in text and "date_order" in text
    result = run_cli("check", FIXTURES / name)
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        # day-first: 03/04 = 3 Apr, 05/06 = 5 Jun (Tom, Q2: 1,000 + 2,000);
        #            07/02 = 7 Feb won 4,000, 08/03 = 8 Mar lost (Uma, Q1)
        ("day-first", {("Tom Reed", "FY2025 Q2"): (2, 3_000, 0),
                       ("Uma Best", "FY2025 Q1"): (1, 4_000, 1)}),
        # month-first: 4 Mar (Q1), 6 May (Q2), 2 Jul won, 3 Aug lost (Q3)
        ("month-first", {("Tom Reed", "FY2025 Q1"): (1, 1_000, 0),
                         ("Tom Reed", "FY2025 Q2"): (1, 2_000, 0),
                         ("Uma Best", "FY2025 Q3"): (1, 4_000, 1)}),
    ],
)  # fmt: skip
def test_date_order_setting_decides_undecidable_dates(order, expected):
    config = {"periods": {"date_order": order}}
    data = load("slash_dates_all_ambiguous_no_evidence.csv", config=config)
    assert won_by_rep(data, config) == expected
