"""Distinct texts cross from the reader's child to the parent as one joined str."""

from __future__ import annotations

import pickle

from reporter.read.packed import DistinctTexts, packed


def test_distinct_texts_come_back_as_the_same_plain_list() -> None:
    texts = ["A-1", "", "Ünïcode name", "A-1 ", "x"]
    back = pickle.loads(pickle.dumps(packed(texts, 4)))
    assert back == ["A-1", "", "Ünïcode name", "A-1 ", "x"] and type(back) is list


def test_a_text_holding_the_separator_still_comes_back_whole() -> None:
    back = pickle.loads(pickle.dumps(DistinctTexts(["a\x00b", "c"])))
    assert back == ["a\x00b", "c"]


def test_empty_and_single_columns_come_back_as_they_were() -> None:
    assert pickle.loads(pickle.dumps(DistinctTexts([]))) == []
    assert pickle.loads(pickle.dumps(DistinctTexts(["only"]))) == ["only"]


def test_repeated_or_missing_texts_stay_a_plain_list() -> None:
    repeated = ["Won", "Won", "Lost", "Won"]
    assert type(packed(repeated, 2)) is list  # 2 of 4 distinct: not more than half
    assert type(packed(repeated, 1)) is list
    assert type(packed(["a", None, "b"], 3)) is list  # a missing one: pickled as it is
