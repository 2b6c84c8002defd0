"""The vocabulary is the one home of field names, aliases, dimensions and the normaliser."""

from __future__ import annotations

import math

import pandas as pd

from reporter import config, model, vocabulary
from reporter.read import headers
from reporter.vocabulary import normalise


def test_normalise_keeps_lowercase_letters_and_digits_only():
    assert normalise("Close-Date ") == "closedate"
    assert normalise("Closed Won") == normalise("closedwon") == "closedwon"
    assert normalise("Proposal/Price Quote") == "proposalpricequote"
    assert normalise(None) == ""
    assert normalise(2026) == "2026"


def test_every_list_of_names_derives_from_the_vocabulary():
    assert config.CANONICAL_FIELDS is vocabulary.CANONICAL_FIELDS
    assert model.OPPORTUNITY_COLUMNS is vocabulary.OPPORTUNITY_COLUMNS
    assert headers.ALIASES is vocabulary.ALIASES
    assert config.Segments().dimensions == vocabulary.BUILTIN_DIMENSIONS
    # The outcome and the source columns come from reading, never from a header.
    assert "outcome" not in config.CANONICAL_FIELDS
    assert "source_row" not in config.CANONICAL_FIELDS
    assert {"is_won", "target", "quarter"} <= set(config.CANONICAL_FIELDS)
    assert "is_won" not in model.OPPORTUNITY_COLUMNS


def test_no_alias_names_two_fields():
    # Headers are matched by their normalised form, so two fields sharing one would make
    # the result depend on the order fields are listed in.
    owner: dict[str, str] = {}
    for name, aliases in vocabulary.ALIASES.items():
        for alias in (*aliases, name):
            assert owner.setdefault(normalise(alias), name) == name, alias


def test_deal_type_segments_come_from_the_type_column():
    dims = {d.name: d for d in vocabulary.DIMENSIONS}
    assert dims["deal_type"].source == "type" and dims["deal_type"].derived
    assert [d.name for d in vocabulary.TARGET_KEYS][:2] == ["region", "industry"]


def test_is_missing_treats_blank_text_and_every_na_alike():
    for value in (None, pd.NA, math.nan, pd.NaT, "", "   "):
        assert vocabulary.is_missing(value), repr(value)
    for value in (0, 0.0, "0", "x", False):
        assert not vocabulary.is_missing(value), repr(value)
