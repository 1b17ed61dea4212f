"""The one grammar for a cell's value: exact, or refused in words."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dashboard.values import BEDS, OFSTED_PLACES, Range, pounds, text, whole_number

HUGE = Range(0, 10**30, "units")


@given(st.integers(min_value=0, max_value=10**24), st.booleans())
def test_a_whole_number_written_with_or_without_separators_is_read_exactly(number, separated):
    written = f"{number:,}" if separated else str(number)
    assert whole_number(written, HUGE) == number
    assert whole_number(f"  {written}  ", HUGE) == number


@given(st.integers(min_value=1_000, max_value=10**12), st.data())
def test_a_separator_out_of_place_is_refused(number, data):
    digits = str(number)
    cut = data.draw(st.integers(min_value=1, max_value=len(digits) - 1))
    misplaced = digits[:cut] + "," + digits[cut:]
    assume(misplaced != f"{number:,}")  # the one place a lone separator belongs
    with pytest.raises(ValueError, match="not a whole number"):
        whole_number(misplaced)


@pytest.mark.parametrize(
    "written",
    ["£1,2,3", "4GBP50,000", "1e5", "1e19", "-3", "+3", "3.5", "inf", "nan", "12 beds", "1 2", "0x10", "١٢", "１２"],
)
def test_what_is_not_a_plain_whole_number_is_refused(written):
    with pytest.raises(ValueError, match="not a whole number"):
        whole_number(written)


def test_beyond_a_float_digits_are_kept_exactly_and_then_the_range_refuses():
    assert whole_number("9007199254740993", HUGE) == 9007199254740993
    with pytest.raises(ValueError, match="outside £0 to £50,000,000"):
        pounds("9007199254740993")


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (float("inf"), "not a number"),
        (float("nan"), "not a number"),
        (1e19, "too large to be read exactly"),
        (4.5, "not a whole number"),
        (True, "not a whole number"),
    ],
)
def test_a_spreadsheet_number_cell_is_taken_only_when_exact(cell, message):
    with pytest.raises(ValueError, match=message):
        whole_number(cell)


def test_spreadsheet_whole_number_cells_are_taken():
    assert whole_number(4.0, BEDS) == 4
    assert whole_number(12, BEDS) == 12


@pytest.mark.parametrize(
    ("value", "allowed", "message"),
    [
        ("13", BEDS, "13 beds is outside 1 to 12"),
        ("0", BEDS, "0 beds is outside 1 to 12"),
        ("201", OFSTED_PLACES, "201 places is outside 0 to 200"),
        ("100,000", OFSTED_PLACES, "outside 0 to 200"),
    ],
)
def test_every_range_is_stated_in_its_refusal(value, allowed, message):
    with pytest.raises(ValueError, match=message):
        whole_number(value, allowed)


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("£450,000", 450_000),
        ("450000", 450_000),
        ("£ 450,000.00", 450_000),
        (450000.0, 450_000),
        ("0", 0),
        ("£50,000,000", 50_000_000),
    ],
)
def test_money_in_whole_pounds(written, amount):
    assert pounds(written) == amount


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("£450,000.50", "has pence"),
        ("£1,2,3", "not an amount"),
        ("4GBP50,000", "not an amount"),
        ("-£5", "not an amount"),
        (-5.0, "outside £0"),
        ("£50,000,001", "outside £0 to £50,000,000"),
        ("$5", "not an amount"),
    ],
)
def test_money_not_in_the_grammar_is_refused(written, message):
    with pytest.raises(ValueError, match=message):
        pounds(written)


def test_text_is_trimmed_and_nfc_normalised():
    assert text("  cafe\u0301  ", 10) == "caf\u00e9"
    assert text("two\nlines\tand a tab", 100) == "two\nlines\tand a tab"
    assert text(12.0, 10) == "12"
    assert text("   ", 10) is None


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("a\x00b", "control character .U\\+0000"),
        ("\x1b[31mred", "U\\+001B"),
        ("\u202eevil", "RIGHT-TO-LEFT OVERRIDE"),
        ("x" * 101, "is 101 characters long: at most 100"),
    ],
)
def test_text_a_reader_would_not_see_or_the_column_cannot_hold_is_refused(written, message):
    with pytest.raises(ValueError, match=message):
        text(written, 100)
