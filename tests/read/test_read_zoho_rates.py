"""Zoho CRM's per-row Exchange Rate: each deal converted at its own rate (issue 9 item 4).

Zoho exports ``Currency`` and ``Exchange Rate`` on every deal, read as units of the deal's
currency per one unit of the organisation's home currency (here USD, whose deals carry 1):
home amount = amount ÷ rate. Zoho's documentation states no formula (see docs/inputs.md,
"A rate on each deal"), so these figures pin the direction chosen: read the other way,
4,600 EUR at 0.92 would be 4,232 USD, not 5,000. The expected figures are worked out by
hand from the fixture's rows.
"""

from __future__ import annotations

import pytest

from reporter.config import from_mapping
from reporter.errors import InputError
from reporter.read import load_dataset
from support.data import FIXTURES

ZOHO = FIXTURES / "trust" / "zoho_deals_export_eur_gbp_per_row_exchange_rates.csv"
ID = "4876876000000{:06d}"


def _amounts(config: dict[str, object]) -> tuple[str | None, dict[str, float]]:
    data = load_dataset([ZOHO], from_mapping(config))
    frame = data.opportunities
    return data.currency, dict(zip(frame["opportunity_id"], frame["amount"], strict=True))


def test_each_deal_is_divided_by_its_own_rate_into_the_home_currency() -> None:
    currency, amounts = _amounts({})
    assert currency == "USD"  # the one currency whose deals all carry rate 1
    assert amounts == {
        ID.format(11): 5000,  # USD, rate 1
        ID.format(12): pytest.approx(5000),  # 4,600 EUR / 0.92
        ID.format(13): pytest.approx(5000),  # 3,900 GBP / 0.78
        ID.format(14): pytest.approx(1000),  # 900 EUR / 0.9: the other EUR deal's rate
        ID.format(15): pytest.approx(2000),  # 1,600 GBP / 0.8
        ID.format(16): 1000,
    }
    won = {i: amounts[ID.format(i)] for i in (11, 12, 13, 14)}
    assert sum(won.values()) == pytest.approx(16000)


def test_another_reporting_currency_goes_through_the_home_currency() -> None:
    # [currency] reporting = "EUR" with 0.92 EUR per USD: 3,900 GBP → 5,000 USD → 4,600 EUR.
    config = {"currency": {"reporting": "EUR", "rates": {"USD": 0.92}}}
    currency, amounts = _amounts(config)
    assert currency == "EUR"
    assert amounts[ID.format(11)] == pytest.approx(4600)  # 5,000 USD × 0.92
    assert amounts[ID.format(13)] == pytest.approx(4600)
    assert amounts[ID.format(14)] == 900  # a EUR deal is already in EUR


def test_without_a_rate_from_home_to_the_reporting_currency_it_stops() -> None:
    with pytest.raises(InputError, match="no rate to CHF"):
        load_dataset([ZOHO], from_mapping({"currency": {"reporting": "CHF"}}))


def test_the_conversion_is_said_once_per_file_never_silent() -> None:
    # Zoho's docs do not state the rate's direction, so the data-quality report says how the
    # four non-USD amounts (deals 12-15: two EUR, two GBP) were converted; the USD deals
    # (11 and 16, rate 1) need no conversion and are not counted.
    issues = [
        i for i in load_dataset([ZOHO], from_mapping({})).issues if i.code == "row-rate-conversion"
    ]
    assert len(issues) == 1
    (note,) = issues
    assert note.file == ZOHO.name
    assert note.problem.startswith("4 amounts in EUR, GBP converted to USD with the Exchange Rate")
    assert "per one USD" in note.problem and "does not state the direction" in note.problem
    assert note.action.startswith("amount ÷ rate")


def test_a_single_currency_export_with_rates_of_1_says_nothing(tmp_path) -> None:
    lines = ZOHO.read_text(encoding="utf-8").splitlines()
    usd_only = [lines[0]] + [line for line in lines[1:] if line.endswith("USD,1")]
    assert len(usd_only) == 3  # header + deals 11 and 16
    path = tmp_path / "zoho-usd-only.csv"
    path.write_text("\n".join(usd_only) + "\n", encoding="utf-8")
    data = load_dataset([path], from_mapping({}))
    assert len(data.opportunities) == 2
    assert not [i for i in data.issues if i.code == "row-rate-conversion"]


def test_only_amounts_their_own_rate_converted_are_said() -> None:
    # [currency] reporting = "EUR": the two EUR deals (12, 14) are already in EUR and never
    # converted; the two GBP deals (13, 15) go to USD by their own rate, then on to EUR.
    config = {"currency": {"reporting": "EUR", "rates": {"USD": 0.92}}}
    data = load_dataset([ZOHO], from_mapping(config))
    (note,) = [i for i in data.issues if i.code == "row-rate-conversion"]
    assert note.problem.startswith("2 amounts in GBP converted to USD with the Exchange Rate")


def test_nothing_is_said_when_no_amount_was_converted() -> None:
    # counts-only with no rate from USD to CHF: every amount is left out, none converted.
    config = {"currency": {"reporting": "CHF", "missing_rates": "counts-only"}}
    data = load_dataset([ZOHO], from_mapping(config))
    assert data.opportunities["amount"].isna().all()
    assert not [i for i in data.issues if i.code == "row-rate-conversion"]
