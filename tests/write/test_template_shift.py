"""Reference arithmetic when rows are inserted under a table's row (hand-computed cases)."""

from __future__ import annotations

import pytest

from reporter.write.template.shift import Shift, shift_formula, shift_ref

# 3 rows inserted under row 5 of sheet "Data": rows 6.. move to 9..
SHIFT = Shift("Data", after=5, count=3)


@pytest.mark.parametrize(
    ("ref", "home", "expected"),
    [
        ("B5", "Data", "B5"),  # the table's first row stays
        ("B6", "Data", "B9"),  # below it moves
        ("$B$4", "Data", "$B$4"),  # above it stays
        ("B5:B5", "Data", "B5:B8"),  # a range ending on the table's row grows
        ("$A$2:$D$5", "Data", "$A$2:$D$8"),
        ("B6:B10", "Data", "B9:B13"),  # a range below moves whole
        ("B1:B3", "Data", "B1:B3"),
        ("5:7", "Data", "5:10"),  # whole rows
        ("A:A", "Data", "A:A"),  # whole columns never change
        ("B6", "Other", "B6"),  # an unqualified ref on another sheet
        ("Data!B6", "Other", "Data!B9"),
        ("'Data'!$C$5:$C$5", "Other", "'Data'!$C$5:$C$8"),
        ("Other!B6", "Data", "Other!B6"),
        ("tax", "Data", "tax"),  # a defined name
        ("rep_bonuses[Won amount]", "Data", "rep_bonuses[Won amount]"),
    ],
)
def test_shift_ref(ref, home, expected):
    assert shift_ref(ref, SHIFT, home) == expected


def test_quoted_sheet_with_apostrophe():
    shift = Shift("Tom's P&L", after=2, count=1)
    assert shift_ref("'Tom''s P&L'!A3", shift, "x") == "'Tom''s P&L'!A4"


def test_grow_turns_a_cell_on_the_table_row_into_the_table():
    assert shift_ref("'Data'!$D$5", SHIFT, "x", grow=True) == "'Data'!$D$5:$D$8"
    assert shift_ref("'Data'!$D$6", SHIFT, "x", grow=True) == "'Data'!$D$9"
    assert shift_ref("'Data'!$D$5", SHIFT, "x") == "'Data'!$D$5"


def test_shift_formula_keeps_text_and_strings():
    formula = '=IF(B6>0,"B6 moved",SUM(B2:B5)+Data!C7)&" "&Other!B6'
    assert shift_formula(formula, SHIFT, "Data") == (
        '=IF(B9>0,"B6 moved",SUM(B2:B8)+Data!C10)&" "&Other!B6'
    )
    assert shift_formula("Data!$A$5:$B$5", SHIFT, "x") == "Data!$A$5:$B$8"
