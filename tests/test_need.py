"""Beds needed beside the programme's beds and the target (dashboard.need): the programme's beds month by month
worked by hand, where the lines cross in words, and need shared out by district adding up."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import forecast as f
from dashboard import need
from tests.conftest import examples
from tests.test_metrics import AS_AT, PROGRAMME

ENDS = pd.Series(pd.date_range("2024-12-31", "2027-03-31", freq="ME").date)


def test_the_programmes_beds_are_those_open_and_those_secured_from_their_forecast_opening() -> None:
    beds = pd.Series(need.programme_beds(PROGRAMME, AS_AT, ENDS).to_numpy(), index=ENDS)
    # A opened 1 Feb 2025 with 3 registered places; B (2 beds, secured) was due to open 1 Nov 2025 and is late, so
    # its forecast is the day after the view's date; C (3 beds, secured) opens as planned on 1 Oct 2026; D is not
    # secured, so never counts.
    assert beds[date(2025, 1, 31)] == 0
    assert beds[date(2025, 2, 28)] == 3
    assert beds[date(2025, 12, 31)] == 3
    assert beds[date(2026, 1, 31)] == 5
    assert beds[date(2026, 9, 30)] == 5
    assert beds[date(2026, 10, 31)] == 8
    assert beds[date(2027, 3, 31)] == 8


def compared(expected: list[float], beds: list[int], upper: list[float] | None = None) -> pd.DataFrame:
    ends = pd.date_range("2026-04-30", periods=len(expected), freq="ME").date
    return pd.DataFrame(
        {
            "period_end": ends,
            "expected": expected,
            "lower": [value * 0.8 for value in expected],
            "upper": upper if upper is not None else expected,
            "programme_beds": beds,
            "target": 70,
        }
    )[need.COMPARISON_COLUMNS]


def test_beds_that_meet_need_from_a_month_on_say_when_and_what_the_upper_forecast_lacks() -> None:
    crossing = need.crossing(compared([5.2, 6, 6.5, 7], [0, 3, 7, 7], upper=[7, 8, 9, 10.5]))
    assert crossing.met_from == date(2026, 6, 30) and crossing.upper_short == 4
    assert crossing.sentence() == (
        "The programme's beds meet forecast need from June 2026; the upper forecast needs 4 more."
    )
    assert crossing.against_target() == (
        "At July 2026 the forecast needs 7 beds (up to 11); the target of 70 is 63 beds above that."
    )


def test_beds_that_meet_need_throughout_say_so() -> None:
    crossing = need.crossing(compared([2, 3], [5, 5]))
    assert crossing.sentence() == (
        "The programme's beds meet forecast need throughout, April 2026 to May 2026; they meet the upper "
        "forecast's too."
    )


def test_beds_short_at_the_end_say_by_how_many() -> None:
    crossing = need.crossing(compared([4, 9.5], [5, 5], upper=[6, 12]))
    assert crossing.met_from is None and crossing.short_at_end == 5
    assert crossing.sentence() == (
        "The programme's beds fall short of forecast need by 5 beds at May 2026; the upper forecast needs 7 more."
    )


def test_need_above_the_target_says_below() -> None:
    crossing = need.crossing(compared([80.5], [70]))
    assert crossing.against_target().endswith("the target of 70 is 11 beds below that.")


def test_need_meeting_the_beds_once_then_rising_past_them_is_not_met() -> None:
    crossing = need.crossing(compared([2, 3, 6], [5, 5, 5]))
    assert crossing.met_from is None and crossing.short_at_end == 1


DISTRICTS = pd.DataFrame({"ons_code": ["E1", "E2", "E3"], "name": ["One", "Two", "Three"]})


def basis_with(homes: pd.DataFrame) -> f.Basis:
    ends = tuple(pd.date_range("2018-04-30", "2020-03-31", freq="ME").date)
    return f.Basis(
        period_ends=ends,
        moves=np.zeros((len(ends) - 1, len(f.AGE_BANDS), len(f.GROUPS), len(f.GROUPS) + 1), dtype=np.int64),
        entries=np.zeros((len(ends) - 1, f.LEAVING_MONTHS, len(f.GROUPS)), dtype=np.int64),
        stock=np.zeros((f.LEAVING_MONTHS, len(f.GROUPS)), dtype=np.int64),
        without_birth=0,
        homes_by_district=homes,
    )


def test_need_is_shared_out_as_the_children_in_homes_over_the_window_came_from() -> None:
    homes = pd.DataFrame(
        {
            "period_end": [date(2019, 1, 31), date(2019, 1, 31), date(2020, 3, 31), date(2020, 3, 31)],
            "district": ["E1", "", "E1", "E2"],
            "children": [10.0, 30.0, 3.0, 1.0],
        }
    )
    shared = need.need_by_district(basis_with(homes), (date(2019, 4, 1), date(2020, 3, 31)), 8.0, DISTRICTS)
    table = shared.set_index("ons_code")
    assert list(table.index) == ["E1", "E2", "E3", need.NOT_KNOWN]  # every district, the unplaced last
    assert list(table["share"]) == [0.75, 0.25, 0.0, 0.0]  # January 2019 lies outside the window
    assert list(table["need"]) == [6.0, 2.0, 0.0, 0.0]


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 23), st.sampled_from(["E1", "E2", "E3", ""]), st.floats(0.01, 40)),
        min_size=1,
        max_size=40,
    ),
    st.floats(0, 200),
)
def test_the_districts_need_adds_up_to_the_beds_needed(rows: list[tuple[int, str, float]], needed: float) -> None:
    ends = pd.date_range("2018-04-30", "2020-03-31", freq="ME").date
    homes = pd.DataFrame(
        [(ends[month], district, children) for month, district, children in rows], columns=f.HOME_DISTRICT_COLUMNS
    )
    shared = need.need_by_district(basis_with(homes), (date(2018, 4, 1), date(2020, 3, 31)), needed, DISTRICTS)
    assert shared["share"].sum() == pytest.approx(1.0)
    assert shared["need"].sum() == pytest.approx(needed)
    assert (shared["need"] >= 0).all()
