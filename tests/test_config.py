"""config.toml loading: defaults, validation, helpful errors."""

from __future__ import annotations

import dataclasses

import pytest

from reporter.config import Config, from_mapping, load
from reporter.errors import ConfigError
from support.data import REPO


def test_shipped_config_is_exactly_the_defaults():
    shipped = load(REPO / "config.toml")
    assert dataclasses.replace(shipped, source=None) == Config()


def test_no_config_means_defaults():
    config = load(None)
    assert config.win_rate.min_closed == 20
    assert config.win_rate.mode == "snapshot"
    assert config.periods.fiscal_year_start_month == 1
    assert config.briefings.by == "region"
    assert config.email is None
    assert "Closed Won" in config.outcomes.won


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"win_rat": {}}, "Did you mean 'win_rate'"),
        ({"win_rate": {"min_close": 5}}, "Did you mean 'min_closed'"),
        ({"columns": {"ownr": "Rep"}}, "Did you mean 'owner'"),
        ({"win_rate": {"mode": "rolling"}}, "'snapshot' or 'cohort'"),
        ({"win_rate": {"min_closed": "20"}}, "min_closed must be a whole number (no quotes)"),
        ({"fiscal_year_start_month": 2}, "Did you mean [periods] fiscal_year_start_month?"),
        ({"periods": {"fiscal_year_start_month": 13}}, "1-12"),
        ({"segments": {"company_size_bands": [50, 0]}}, "increasing"),
        ({"briefings": {"paper": "A3"}}, "'A4' or 'Letter'"),
        ({"email": {"port": 25}}, "needs a host"),
        ({"watch": {"polling": "yes"}}, "polling must be true or false"),
    ],
    ids=[
        "misspelt-section",
        "misspelt-key",
        "misspelt-column",
        "bad-mode",
        "string-number",
        "key-outside-its-table",
        "month-13",
        "bands-order",
        "paper",
        "email-no-host",
        "bool-as-text",
    ],
)
def test_bad_config_is_rejected_with_the_fix(data, fragment):
    with pytest.raises(ConfigError) as info:
        from_mapping(data, where="x.toml")
    assert fragment in info.value.message
    assert "x.toml" in info.value.message


def test_recipients_accept_one_address_or_a_list():
    config = from_mapping(
        {"briefings": {"recipients": {"West": "w@example.com", "East": ["a@x.org", "b@x.org"]}}}
    )
    assert config.briefings.recipients["West"] == ("w@example.com",)
    assert config.briefings.recipients["East"] == ("a@x.org", "b@x.org")


def test_outcome_list_accepts_single_string():
    assert from_mapping({"outcomes": {"won": "Booked"}}).outcomes.won == ("Booked",)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[win_rate\nmode = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(bad)


def test_config_record_is_plain_data():
    record = from_mapping({"briefings": {"recipients": {"West": "w@example.com"}}}).to_record()
    assert record["briefings"]["recipients"] == {"West": ["w@example.com"]}
    assert record["segments"]["dimensions"][0] == "industry"


def test_uncommenting_ledger_and_outbox_sets_the_top_level_keys(tmp_path):
    # Issue 14: they used to be documented below [briefings.recipients], so uncommenting
    # them put them in that table (a recipient named "ledger").
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    for key in ("outbox", "ledger", "history"):
        text = text.replace(f"# {key} = ", f"{key} = ", 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    config = load(path)
    assert (config.outbox, config.ledger, config.history) == (
        "outbox",
        "ledger.sqlite3",
        "history.sqlite3",
    )
    assert "ledger" not in config.briefings.recipients


def test_hold_conditions_are_checked_with_a_hint(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[delivery]\nhold_when = ["restated"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="Did you mean 'restated-quarter'"):
        load(path)
    path.write_text('[delivery]\nhold_when = ["missing-owner", "bonus-risk"]\n')
    assert load(path).delivery.hold_when == ("missing-owner", "bonus-risk")
