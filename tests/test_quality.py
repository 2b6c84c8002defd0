"""Issue codes: each has a title, a severity and templates, and the docs list every one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reporter.quality import BONUS_RISK, CODES, ERROR, NOTE, QUARANTINED, REGISTRY, WARNING, Issue

DOCS = Path(__file__).resolve().parents[1] / "docs" / "inputs.md"


def test_every_code_has_a_title_severity_and_templates():
    assert len(REGISTRY) >= 31
    for code, spec in REGISTRY.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code), code
        assert spec.title and spec.problem and spec.action, code
        assert spec.severity in (ERROR, WARNING, NOTE, BONUS_RISK), code
        # Quarantined rows are left out of the figures: that is what an error means.
        assert (spec.severity == ERROR) == (spec.action == QUARANTINED), code
    assert dict(CODES) == {c: s.title for c, s in REGISTRY.items()}


def test_docs_inputs_lists_every_code():
    table = DOCS.read_text(encoding="utf-8").split("## Issue codes", 1)[1]
    documented = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", table))
    assert set(REGISTRY) - documented == set()


def test_make_fills_the_templates_from_the_values_the_place_and_the_value():
    issue = Issue.make("unmatched-owner", file="deals.csv", row=7, column="Owner", value="Al Smith")
    assert (issue.file, issue.sheet, issue.row, issue.column) == ("deals.csv", None, 7, "Owner")
    assert issue.problem == "'Al Smith' is not in the reps table"
    assert issue.action == "kept as is"

    split = Issue.make(
        "sheet-split", file="r.xlsx", sheet="Deals (2)", table="Deals", rows=1_500_000,
        first=1_048_576, last=1_500_000, totals="",
    )  # fmt: skip
    assert split.problem == "Deals: 1,500,000 rows do not fit on one sheet"
    assert split.action == "rows 1,048,576-1,500,000 on sheet 'Deals (2)'"


def test_make_picks_a_variant_and_takes_an_action_override():
    issue = Issue.make(
        "bad-target", file="t.xlsx", sheet="Targets", row=4, value="West",
        variant="repeated", action="row skipped", segment="West", quarter="FY2026 Q3",
    )  # fmt: skip
    assert issue.problem == "second target for West in FY2026 Q3; the first one is used"
    assert issue.action == "row skipped"


def test_make_refuses_unknown_codes_variants_and_missing_values():
    with pytest.raises(ValueError, match="unknown issue code"):
        Issue.make("no-such-code", file="x.csv")
    with pytest.raises(KeyError):
        Issue.make("bad-target", file="x.csv", variant="no-such-variant")
    with pytest.raises(KeyError):
        Issue.make("date-order", file="x.csv")  # {created} not given
