"""Issue 9, mixed currencies: amounts are summed only within one currency.

Expected figures are hand-computed from the fixtures (tests/fixtures/trust, made by
make_trust_fixtures.py). Quarters are calendar quarters (fiscal year starts in January).
"""

from __future__ import annotations

import pytest
from trust_support import FIXTURES, amounts, codes, issues, load, run_cli, won_by_rep

from reporter.errors import InputError

MIXED = "sf_report_opportunity_currency_eur_usd_jpy.csv"
RATES = {"currency": {"reporting": "USD", "rates": {"EUR": 1.10, "JPY": 0.0065}}}


def test_config_rates_convert_each_row_to_the_reporting_currency():
    data = load(MIXED, config=RATES)
    # Ana: €10,000 × 1.10 + $20,000 = 11,000 + 20,000 = 31,000 (not 30,000 raw).
    # Ben: ¥1,500,000 × 0.0065 = 9,750 won; the $5,000 deal is lost.
    assert won_by_rep(data, RATES) == {
        ("Ana Lopez", "FY2025 Q1"): (2, pytest.approx(31_000), 0),
        ("Ben Ode", "FY2025 Q1"): (1, pytest.approx(9_750), 1),
    }
    # the open €8,000 deal is pipeline in dollars too: 8,000 × 1.10 = 8,800
    assert sorted(amounts(data).values()) == pytest.approx([5_000, 8_800, 9_750, 11_000, 20_000])
    assert data.currency == "USD"


def test_salesforce_dated_conversion_rates_file_applies_the_rate_of_the_close_date():
    # DatedConversionRate holds units of the currency per 1 USD (Salesforce's convention):
    # EUR 0.80 from 1 Jan, 0.90 from 1 Mar 2025; JPY 150.
    data = load(MIXED, "sf_dated_conversion_rates_usd_corporate.csv")
    # Ana: €10,000 closing 14 Feb → 10,000 / 0.80 = 12,500; + $20,000 = 32,500.
    # Ben: ¥1,500,000 / 150 = 10,000.
    assert won_by_rep(data) == {
        ("Ana Lopez", "FY2025 Q1"): (2, pytest.approx(32_500), 0),
        ("Ben Ode", "FY2025 Q1"): (1, pytest.approx(10_000), 1),
    }
    # the open €8,000 deal closes 30 Jun, under the March rate: 8,000 / 0.90 = 8,888.89
    assert max(amounts(data).values()) == pytest.approx(20_000)
    assert pytest.approx(8_000 / 0.9) in list(amounts(data).values())
    assert "ignored-sheet" not in codes(data)
    assert data.currency == "USD"


def test_mixed_currencies_without_rates_stop_naming_them_and_the_fix():
    with pytest.raises(InputError) as caught:
        load(MIXED)
    text = f"{caught.value} {caught.value.hint}"
    for needed in ("EUR", "JPY", "USD", "[currency", "rates"):
        assert needed in text
    result = run_cli("check", FIXTURES / MIXED)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "EUR" in result.output


def test_counts_only_keeps_won_counts_and_sums_no_amount():
    config = {"currency": {"missing_rates": "counts-only"}}
    data = load(MIXED, config=config)
    figures = won_by_rep(data, config)
    # counts do not depend on amounts: Ana 2 won, Ben 1 won and 1 lost
    assert {key: (won, lost) for key, (won, _, lost) in figures.items()} == {
        ("Ana Lopez", "FY2025 Q1"): (2, 0),
        ("Ben Ode", "FY2025 Q1"): (1, 1),
    }
    assert set(amounts(data).values()) == {None}  # no amount is summed across currencies
    assert data.currency is None
    assert codes(data)["unconverted-amount"] == 5  # every row's amount was refused


def test_converted_amount_column_is_preferred_and_labels_the_currency():
    data = load("sf_report_amount_and_amount_converted.xlsx")
    # Amount (converted): Ana 11,000 + 5,000 = 16,000 (raw Amount would add €10k + £4k).
    assert won_by_rep(data) == {
        ("Ana Lopez", "FY2025 Q1"): (2, 16_000, 0),
        ("Ben Ode", "FY2025 Q1"): (1, 7_000, 1),
    }
    assert data.currency == "USD"


def test_one_currency_by_symbol_is_summed_and_labelled():
    data = load("rep_tracker_euro_sign_amounts_decimal_comma.csv")
    # Jonas: 12.000,00 € + 3.500,50 € = 15,500.50; Lea: 8.000,00 € won, 1.200,00 € lost
    assert won_by_rep(data) == {
        ("Jonas Berg", "FY2025 Q1"): (2, pytest.approx(15_500.50), 0),
        ("Lea Vogt", "FY2025 Q1"): (1, 8_000, 1),
    }
    assert data.currency == "EUR"


def test_dollar_and_euro_signs_in_one_column_are_never_summed():
    name = "rep_tracker_dollar_and_euro_sign_amounts.csv"
    with pytest.raises(InputError) as caught:
        load(name)
    assert "EUR" in str(caught.value) and "USD" in str(caught.value)
    config = {"currency": {"reporting": "USD", "rates": {"EUR": 1.2}}}
    # Ana: $20,000 + €10,000 × 1.2 = 20,000 + 12,000 = 32,000
    assert won_by_rep(load(name, config=config), config) == {
        ("Ana Lopez", "FY2025 Q1"): (2, pytest.approx(32_000), 0),
        ("Ben Ode", "FY2025 Q1"): (0, None, 1),
    }


def test_rates_sheet_in_the_workbook_is_recognised_by_its_columns():
    config = {"currency": {"reporting": "USD"}}
    data = load("tracker_deals_with_fx_rates_sheet.xlsx", config=config)
    # FX Rates: CAD 0.75, GBP 1.25 (USD per unit). Mia: 10,000 × 0.75 + 5,000 = 12,500.
    # Noah: £2,000 × 1.25 = 2,500 won; CAD 4,000 lost (= 3,000).
    assert won_by_rep(data, config) == {
        ("Mia Chen", "FY2025 Q1"): (2, pytest.approx(12_500), 0),
        ("Noah Park", "FY2025 Q1"): (1, pytest.approx(2_500), 1),
    }
    assert "ignored-sheet" not in codes(data)
    assert not issues(data, "unconverted-amount")


def test_hubspot_amount_in_company_currency_beats_the_deal_currency_amount(tmp_path):
    # HubSpot exports each deal's Amount in its own currency beside "Amount in company
    # currency": the latter is summed (900 + 1,100 = 2,000), never 1,000 EUR + 1,000 GBP.
    path = tmp_path / "hubspot_deals_company_currency.csv"
    path.write_text(
        "Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Deal Currency Code,"
        "Amount in company currency\n"
        "1,A,Closed Won,2025-02-03 10:00,Fay Lin,1000,EUR,900\n"
        "2,B,Closed Won,2025-02-04 11:00,Fay Lin,1000,GBP,1100\n",
        encoding="utf-8",
    )
    data = load(path)
    assert won_by_rep(data) == {("Fay Lin", "FY2025 Q1"): (2, 2_000, 0)}


def test_blank_cells_of_a_one_currency_column_take_that_currency(tmp_path):
    # Two deals say GBP, one leaves Currency blank: all three are pounds (2,000 + 3,000).
    path = tmp_path / "tracker_gbp_with_a_blank_currency.csv"
    path.write_text(
        "Owner,Stage,Close Date,Amount,Currency\n"
        "Olly Hart,Won,2025-01-10,2000,GBP\n"
        "Olly Hart,Won,2025-02-10,3000,\n"
        "Olly Hart,Lost,2025-03-10,500,GBP\n",
        encoding="utf-8",
    )
    data = load(path)
    assert won_by_rep(data) == {("Olly Hart", "FY2025 Q1"): (2, 5_000, 1)}
    assert data.currency == "GBP"
