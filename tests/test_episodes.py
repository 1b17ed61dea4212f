"""The objectives' measures computed from SSDA903 episodes (dashboard.episodes): each rule on small hand-built
episodes with the answer worked out by hand, the invariants on generated ones, and a run on the shared samples."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import measures as m
from dashboard.episodes import EPISODE_COLUMNS, MEASURE_COLUMNS, measure_rows
from tests.conftest import SHARED_DATA, examples

COUNCIL = "Hertfordshire"
YEAR_END = date(2020, 3, 31)
COVERED = [(date(2017, 4, 1), date(2018, 3, 31)), (date(2018, 4, 1), date(2019, 3, 31)), (date(2019, 4, 1), YEAR_END)]
NO_LOOKUP = pd.DataFrame(columns=["outward_code", "local_authority", "share", "latitude", "longitude"])


def episode(
    child: str,
    start: str,
    end: str | None = None,
    rne: str = "P",
    place: str = "U4",
    provider: str = "PR4",
    ls: str = "C2",
    urn: str = "",
    home: str | None = None,
    placed: str | None = None,
    key: str | None = None,
) -> dict:
    """One episode as the caller builds it; the placement key defaults to the placement type (a new carer each
    time the type changes, which is all these tests need)."""
    return {
        "child": child,
        "start": pd.Timestamp(start),
        "end": pd.Timestamp(end) if end else pd.NaT,
        "rne": rne,
        "ls": ls,
        "place": place,
        "provider": provider,
        "urn": urn,
        "home": home,
        "placed": placed,
        "placement_key": key if key is not None else f"{place}|{provider}|{urn}|{placed}",
    }


def frame(*episodes: dict) -> pd.DataFrame:
    table = pd.DataFrame(list(episodes), columns=list(EPISODE_COLUMNS))
    table["start"] = pd.to_datetime(table["start"])
    table["end"] = pd.to_datetime(table["end"])
    return table


def run(
    episodes: list[dict],
    periods: list[date] | None = None,
    births: dict[str, str] | None = None,
    lookup: pd.DataFrame = NO_LOOKUP,
    covered: list[tuple[date, date]] | None = None,
) -> pd.DataFrame:
    born = pd.Series({child: pd.Timestamp(day) for child, day in births.items()}) if births is not None else None
    return measure_rows(
        frame(*episodes), born, lookup, COUNCIL, periods or [YEAR_END], COVERED if covered is None else covered
    )


def figure(rows: pd.DataFrame, measure: m.Measure, on: date = YEAR_END, category: str = "") -> tuple[float, float]:
    """(numerator, denominator) of one measure at one period end; the denominator of a count is NaN."""
    found = rows[(rows["measure"] == measure.name) & (rows["period_end"] == on) & (rows["category"] == category)]
    assert len(found) == 1, f"{measure.name} {category} at {on}: {len(found)} rows"
    return float(found["numerator"].iloc[0]), float(found["denominator"].iloc[0])


def count(rows: pd.DataFrame, measure: m.Measure, on: date = YEAR_END, category: str = "") -> float:
    numerator, denominator = figure(rows, measure, on, category)
    assert math.isnan(denominator)
    return numerator


def written(rows: pd.DataFrame, measure: m.Measure) -> bool:
    return bool((rows["measure"] == measure.name).any())


def lookup(*rows: tuple[str, str, float | None, float | None, float | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["outward_code", "local_authority", "share", "latitude", "longitude"])


# ---------------------------------------------------------------- children looked after, in children's homes


def test_looked_after_counts_open_episodes_once_per_child_without_short_breaks() -> None:
    rows = run(
        [
            episode("a", "2019-01-01", "2020-03-31"),  # ended on the day: not open on it
            episode("b", "2020-03-31"),  # started on the day: open
            episode("c", "2019-01-01", "2020-04-01"),
            episode("d", "2019-01-01"),  # two overlapping episodes: one child
            episode("d", "2019-06-01", place="U5"),
            episode("e", "2019-01-01", ls="V3"),  # short breaks
            episode("f", "2019-01-01", ls="V4"),
            episode("g", "2020-04-01"),  # not yet
        ]
    )
    assert count(rows, m.LOOKED_AFTER) == 3


def test_a_child_on_a_short_break_and_looked_after_otherwise_counts_by_the_other_episode() -> None:
    rows = run([episode("a", "2019-01-01", ls="V3"), episode("a", "2019-06-01", ls="C2")])
    assert count(rows, m.LOOKED_AFTER) == 1


def test_childrens_homes_by_provider_over_children_in_homes() -> None:
    rows = run(
        [
            episode("a", "2019-01-01", place="K2", provider="PR1"),
            episode("b", "2019-01-01", place="K2", provider="PR4"),
            episode("c", "2019-01-01", place="K2", provider="PR4"),
            episode("d", "2019-01-01", place="K2", provider="PR0"),  # "other"
            episode("e", "2019-01-01", place="K2", provider=""),  # "other"
            episode("f", "2019-01-01", place="U4", provider="PR1"),  # not a children's home
            episode("g", "2019-01-01", place="K2", provider="PR1", ls="V3"),  # short break
            # in two homes at once (overlapping episodes): counted once, by the home moved into last
            episode("h", "2019-01-01", place="K2", provider="PR5"),
            episode("h", "2019-02-01", place="K2", provider="PR2"),
        ]
    )
    assert figure(rows, m.IN_CHILDRENS_HOMES) == (6, 7)
    expected = {"PR1": 1, "PR2": 1, "PR4": 2, "PR5": 0, "": 2}
    assert {key: figure(rows, measure) for key, measure in m.HOMES_BY_PROVIDER.items()} == {
        key: (number, 6) for key, number in expected.items()
    }


def test_a_day_with_no_child_looked_after_has_only_the_count() -> None:
    rows = run([episode("a", "2019-01-01", "2019-12-01", placed="SG1")], births={"a": "2010-01-01"})
    assert count(rows, m.LOOKED_AFTER) == 0
    assert set(rows["measure"]) == {m.LOOKED_AFTER.name}


def test_provider_shares_are_written_when_no_child_is_in_a_home() -> None:
    rows = run([episode("a", "2019-01-01")])
    assert figure(rows, m.IN_CHILDRENS_HOMES) == (0, 1)
    assert all(figure(rows, measure) == (0, 0) for measure in m.HOMES_BY_PROVIDER.values())


def test_no_child_id_postcode_or_episode_comes_back() -> None:
    children = [f"child{n}" for n in range(4)]
    episodes = [
        episode(child, "2018-01-01", place="K2", provider="PR1", urn="1234567", home="SG14", placed="CB1", key="K")
        for child in children
    ]
    rows = run(episodes, births=dict.fromkeys(children, "2010-01-01"), lookup=lookup(("CB1", "Cambs", None, 52, 0)))
    assert list(rows.columns) == MEASURE_COLUMNS
    cells = {str(cell) for column in ("measure", "category") for cell in rows[column]}
    assert not cells & {*children, "SG14", "CB1", "K"}
    assert set(rows["category"]) == {"", "1234567", "0-4", "5-9", "10-15", "16-17"}  # the URN: public, not a child


# ---------------------------------------------------------------- three or more placements in the year


def test_three_or_more_placements_counts_new_carers_only() -> None:
    rows = run(
        [
            # held at the start of the year, then two moves to new carers: three placements
            episode("three", "2018-06-01", "2019-06-01", rne="S", place="U4"),
            episode("three", "2019-06-01", "2019-09-01", rne="P", place="U5"),
            episode("three", "2019-09-01", rne="B", place="K2"),
            # moves before the year do not count: held, then one move in the year
            episode("before", "2018-01-01", "2018-06-01", rne="S", place="U1"),
            episode("before", "2018-06-01", "2019-01-01", rne="P", place="U2"),
            episode("before", "2019-01-01", "2019-05-01", rne="P", place="U3"),
            episode("before", "2019-05-01", rne="P", place="U4"),
            # legal status (L) and same carer (T, U) continue the placement
            episode("same", "2018-06-01", "2019-06-01", rne="S", place="U4"),
            episode("same", "2019-06-01", "2019-08-01", rne="L", place="U4"),
            episode("same", "2019-08-01", "2019-10-01", rne="T", place="U5"),
            episode("same", "2019-10-01", rne="U", place="U6"),
            # into a temporary placement and back to the same one: one placement
            episode("back", "2018-06-01", "2019-06-01", rne="S", place="U4", key="home X"),
            episode("back", "2019-06-01", "2019-06-20", rne="P", place="T0", key="holiday"),
            episode("back", "2019-06-20", "2019-09-01", rne="P", place="U4", key="home X"),
            episode("back", "2019-09-01", "2019-09-10", rne="P", place="T1", key="respite"),
            episode("back", "2019-09-10", "2019-09-20", rne="P", place="T2", key="respite 2"),
            episode("back", "2019-09-20", rne="P", place="U4", key="home X"),
            # short-break episodes are left out altogether
            episode("breaks", "2018-06-01", "2019-06-01", rne="S", place="U4"),
            episode("breaks", "2019-06-01", "2019-07-01", rne="P", place="U5", ls="V3"),
            episode("breaks", "2019-07-01", "2019-08-01", rne="P", place="U6", ls="V4"),
            episode("breaks", "2019-08-01", rne="P", place="U2"),
            # came into care in the year: the first episode counts once, two moves after it
            episode("new", "2019-05-01", "2019-07-01", rne="S", place="U4"),
            episode("new", "2019-07-01", "2019-10-01", rne="P", place="U5"),
            episode("new", "2019-10-01", rne="P", place="K2"),
            # no longer looked after on the day: not counted, whatever their moves
            episode("left", "2019-04-01", "2019-05-01", rne="S", place="U1"),
            episode("left", "2019-05-01", "2019-06-01", rne="P", place="U2"),
            episode("left", "2019-06-01", "2020-03-01", rne="P", place="U3"),
        ]
    )
    assert figure(rows, m.THREE_OR_MORE_PLACEMENTS) == (2, 6)  # "three" and "new", of six looked after


def test_a_temporary_placement_then_a_new_carer_counts_the_new_carer() -> None:
    rows = run(
        [
            episode("a", "2018-06-01", "2019-06-01", rne="S", place="U4", key="X"),
            episode("a", "2019-06-01", "2019-06-20", rne="P", place="T0", key="T"),
            episode("a", "2019-06-20", "2019-09-01", rne="P", place="U5", key="Y"),  # not back to X: new
            episode("a", "2019-09-01", rne="P", place="U6", key="Z"),
        ]
    )
    assert figure(rows, m.THREE_OR_MORE_PLACEMENTS) == (1, 1)


def test_three_or_more_placements_only_where_the_files_cover_the_year() -> None:
    moves = [
        episode("a", "2017-01-01", "2017-09-01", rne="S", place="U1"),
        episode("a", "2017-09-01", "2018-02-01", rne="P", place="U2"),
        episode("a", "2018-02-01", rne="P", place="U3"),
    ]
    ends = [date(2018, 2, 28), date(2018, 3, 31), date(2018, 9, 30)]
    one_year = run(moves, ends, covered=[(date(2017, 4, 1), date(2018, 3, 31))])
    assert set(one_year.loc[one_year["measure"] == "three_or_more_placements", "period_end"]) == {date(2018, 3, 31)}
    assert figure(one_year, m.THREE_OR_MORE_PLACEMENTS, date(2018, 3, 31)) == (1, 1)
    # Two files that meet cover the twelve months to September 2018; a year with a gap covers none.
    both = run(moves, ends, covered=[(date(2017, 4, 1), date(2018, 3, 31)), (date(2018, 4, 1), date(2019, 3, 31))])
    assert figure(both, m.THREE_OR_MORE_PLACEMENTS, date(2018, 9, 30)) == (0, 1)
    gap = run(moves, ends, covered=[(date(2017, 4, 1), date(2018, 3, 30)), (date(2018, 4, 1), date(2019, 3, 31))])
    assert not written(gap, m.THREE_OR_MORE_PLACEMENTS)


# ---------------------------------------------------------------- long-term stability


UNDER_16 = "2010-01-01"


def stability(episodes: list[dict], births: dict[str, str] | None = None, on: date = YEAR_END) -> pd.DataFrame:
    children = {row["child"] for row in episodes}
    return run(episodes, [on], births={child: UNDER_16 for child in children} | (births or {}))


def test_long_term_stability_needs_thirty_months_in_care_and_twenty_four_in_the_placement() -> None:
    rows = stability(
        [
            # in care since January 2017, in this placement since March 2018 (24 months to the day): counted
            episode("stable", "2017-01-01", "2018-03-31", rne="S", place="U4"),
            episode("stable", "2018-03-31", rne="P", place="U5"),
            # in this placement 23 months: in the denominator only
            episode("moved", "2017-01-01", "2018-05-01", rne="S", place="U4"),
            episode("moved", "2018-05-01", rne="P", place="U5"),
            # in care 27 months: in neither
            episode("recent", "2018-01-01", rne="S", place="U4"),
            # legal status and same-carer changes and a temporary placement and return continue the placement
            episode("same", "2017-01-01", "2018-06-01", rne="S", place="U4", key="X"),
            episode("same", "2018-06-01", "2018-09-01", rne="L", place="U4", key="X"),
            episode("same", "2018-09-01", "2019-07-01", rne="T", place="U5", key="X"),
            episode("same", "2019-07-01", "2019-07-14", rne="P", place="T0", key="holiday"),
            episode("same", "2019-07-14", rne="P", place="U5", key="X"),
            # a gap in care: the care starts again after it (27 months ago)
            episode("gap", "2015-01-01", "2017-12-01", rne="S", place="U4"),
            episode("gap", "2018-01-01", rne="P", place="U4"),
            # came back into care (S) the day they left it: the care starts again then (27 months ago)
            episode("again", "2015-01-01", "2018-01-01", rne="S", place="U4"),
            episode("again", "2018-01-01", rne="S", place="U4"),
            # short breaks are not care
            episode("breaks", "2017-01-01", rne="S", place="U4", ls="V3"),
        ]
    )
    assert figure(rows, m.LONG_TERM_STABILITY) == (2, 3)  # "stable", "same" of "stable", "moved", "same"
    assert count(rows, m.STABILITY_UNDETERMINED) == 0


def test_under_sixteen_on_the_day() -> None:
    stable = [episode("x", "2015-01-01", rne="S")]
    assert figure(stability(stable, {"x": "2004-04-01"}), m.LONG_TERM_STABILITY) == (1, 1)  # 15
    assert figure(stability(stable, {"x": "2004-03-31"}), m.LONG_TERM_STABILITY) == (0, 0)  # 16 on the day


def test_an_adoptive_placement_counts_with_the_placement_before_it() -> None:
    history = [
        episode("x", "2016-01-01", "2017-06-01", rne="S", place="U4"),
        episode("x", "2017-06-01", "2019-06-01", rne="P", place="U5"),  # 33 months before the day
    ]
    adopted = stability([*history, episode("x", "2019-06-01", rne="P", place="A4")])
    assert figure(adopted, m.LONG_TERM_STABILITY) == (1, 1)
    fostered = stability([*history, episode("x", "2019-06-01", rne="P", place="U6")])
    assert figure(fostered, m.LONG_TERM_STABILITY) == (0, 1)


def test_a_history_before_the_files_is_undetermined() -> None:
    on = date(2019, 3, 31)  # thirty months before: 30 September 2016; the files start on 1 April 2017
    rows = stability(
        [
            # open when the files start, started by a move: their care may have begun long before
            episode("before", "2017-04-01", rne="P", place="U4"),
            # the same, starting with S: their care began then (24 months: too recent)
            episode("began", "2017-04-01", rne="S", place="U4"),
            # started by a move after the files start: the care began then, as far as the files tell
            episode("later", "2017-04-02", rne="P", place="U4"),
            # started by a move more than thirty months before: long enough in care whatever came before
            episode("long", "2016-09-01", rne="P", place="U4"),
        ],
        on=on,
    )
    assert count(rows, m.STABILITY_UNDETERMINED, on) == 1
    assert figure(rows, m.LONG_TERM_STABILITY, on) == (1, 1)  # "long"


def test_no_header_file_no_stability() -> None:
    rows = run([episode("x", "2015-01-01", rne="S")])
    assert not written(rows, m.LONG_TERM_STABILITY) and not written(rows, m.STABILITY_UNDETERMINED)
    assert not written(rows, m.HOMES_OUTSIDE_BY_AGE)


# ---------------------------------------------------------------- where children are placed

HERTFORD = (51.795, -0.078)
CAMBRIDGE = (52.205, 0.119)
DISTRICTS = lookup(
    ("SG14", "Hertfordshire", None, *HERTFORD),
    ("SG13", "HERTFORDSHIRE", None, 51.79, -0.07),  # the council's name, case aside
    ("CB1", "Cambridgeshire", None, *CAMBRIDGE),
    ("SG8", "Hertfordshire", 0.25, None, None),  # crossing the boundary, with shares
    ("SG8", "Cambridgeshire", 0.75, 52.05, -0.02),
    ("CM22", "Essex", None, None, None),  # crossing it, no share
    ("CM22", "Hertfordshire", None, None, None),
    ("EN9", "Essex", 0.3, None, None),  # a single row's share is ignored
)


def test_inside_outside_and_unknown_for_all_children_looked_after() -> None:
    placed = ["SG14", "SG13", "CB1", "SG8", "CM22", "EN9", "ZZ9", None]
    rows = run([episode(f"c{n}", "2019-01-01", placed=code) for n, code in enumerate(placed)], lookup=DISTRICTS)
    assert figure(rows, m.PLACED_INSIDE) == (2.25, 8)
    assert figure(rows, m.PLACED_OUTSIDE) == (2.75, 8)  # CB1, SG8's 0.75, EN9
    assert figure(rows, m.LOCATION_UNKNOWN) == (3, 8)  # CM22, a district not in the lookup, no postcode
    assert count(rows, m.SPLIT_DISTRICT) == 1


def test_no_lookup_no_location() -> None:
    rows = run([episode("a", "2019-01-01", placed="SG14", home="SG14")])
    assert not {m.PLACED_INSIDE.name, m.SPLIT_DISTRICT.name, m.OVER_20_MILES.name} & set(rows["measure"])


def test_distance_from_home_between_district_centroids() -> None:
    rows = run(
        [
            episode("far", "2019-01-01", home="SG14", placed="CB1"),  # Hertford to Cambridge, about 30 miles
            episode("near", "2019-01-01", home="SG14", placed="SG13"),
            episode("back", "2019-01-01", home="CB1", placed="SG14"),
            episode("split", "2019-01-01", home="SG14", placed="SG8"),  # SG8's second row has the centroid
            episode("no home", "2019-01-01", home=None, placed="SG14"),
            episode("no centroid", "2019-01-01", home="SG14", placed="EN9"),
            episode("unknown", "2019-01-01", home="ZZ9", placed="SG14"),
        ],
        lookup=DISTRICTS,
    )
    assert figure(rows, m.OVER_20_MILES) == (2, 7)
    assert figure(rows, m.DISTANCE_UNKNOWN) == (3, 7)


def test_no_centroid_no_distance() -> None:
    without = DISTRICTS.assign(latitude=None, longitude=None)
    rows = run([episode("a", "2019-01-01", home="SG14", placed="CB1")], lookup=without)
    assert figure(rows, m.PLACED_OUTSIDE) == (1, 1)
    assert not written(rows, m.OVER_20_MILES) and not written(rows, m.DISTANCE_UNKNOWN)


def test_childrens_homes_outside_by_age_band() -> None:
    home = {"place": "K2", "provider": "PR4"}
    rows = run(
        [
            episode("twelve", "2019-01-01", placed="CB1", **home),
            episode("twelve split", "2019-01-01", placed="SG8", **home),  # 0.75 outside
            episode("seventeen", "2019-01-01", placed="CB1", **home),
            episode("eighteen", "2019-01-01", placed="CB1", **home),  # left out
            episode("five inside", "2019-01-01", placed="SG14", **home),
            episode("five fostered", "2019-01-01", placed="CB1"),  # not in a home
            episode("five short break", "2019-01-01", placed="CB1", ls="V4", **home),
        ],
        births={
            "twelve": "2007-06-01",
            "twelve split": "2007-06-01",
            "seventeen": "2002-06-01",
            "eighteen": "2002-03-31",
            "five inside": "2014-06-01",
            "five fostered": "2014-06-01",
            "five short break": "2014-06-01",
        },
        lookup=DISTRICTS,
    )
    by_band = {band: count(rows, m.HOMES_OUTSIDE_BY_AGE, category=band) for _, _, band in m.AGE_BANDS}
    assert by_band == {"0-4": 0, "5-9": 0, "10-15": 1.75, "16-17": 1}


# ---------------------------------------------------------------- the council's own homes


def test_own_homes_children_and_child_days_by_month() -> None:
    own = {"place": "K2", "provider": "PR1", "urn": "1234567"}
    rows = run(
        [
            episode("a", "2020-01-20", "2020-02-10", **own),  # 12 nights in January, 9 in February
            episode("b", "2020-02-05", "2020-02-07", ls="V3", **own),  # a short break takes a bed: 2 nights
            episode("c", "2020-02-28", **own),  # 2 nights in February 2020, 31 in March
            episode("d", "2020-01-01", place="K2", provider="PR4", urn="7654321"),  # not the council's
            episode("e", "2020-01-01", place="K2", provider="PR1"),  # no URN
            episode("f", "2020-01-01", provider="PR1", urn="1234567"),  # not a children's home
        ],
        [date(2019, 12, 31), date(2020, 1, 31), date(2020, 2, 29), date(2020, 3, 31)],
    )
    urns = rows.loc[rows["measure"].isin([m.HOME_CHILDREN.name, m.HOME_CHILD_DAYS.name]), "category"]
    assert set(urns) == {"1234567"}
    days = {on: count(rows, m.HOME_CHILD_DAYS, on, "1234567") for on in (date(2020, 1, 31), date(2020, 2, 29))}
    assert days | {"March": count(rows, m.HOME_CHILD_DAYS, date(2020, 3, 31), "1234567")} == {
        date(2020, 1, 31): 12,
        date(2020, 2, 29): 13,
        "March": 31,
    }
    assert count(rows, m.HOME_CHILDREN, date(2020, 1, 31), "1234567") == 1
    assert count(rows, m.HOME_CHILDREN, date(2020, 2, 29), "1234567") == 1  # "c"; "a" and "b" have left
    # before its first child the home is not in the figures; from then on, an empty month is 0
    assert not ((rows["category"] == "1234567") & (rows["period_end"] == date(2019, 12, 31))).any()


def test_own_home_empty_for_a_month_is_zero() -> None:
    own = {"place": "K2", "provider": "PR1", "urn": "1234567"}
    rows = run(
        [episode("a", "2020-01-20", "2020-02-01", **own), episode("b", "2020-03-10", **own)],
        [date(2020, 1, 31), date(2020, 2, 29), date(2020, 3, 31)],
    )
    assert count(rows, m.HOME_CHILD_DAYS, date(2020, 2, 29), "1234567") == 0
    assert count(rows, m.HOME_CHILDREN, date(2020, 2, 29), "1234567") == 0
    assert count(rows, m.HOME_CHILD_DAYS, date(2020, 3, 31), "1234567") == 22


# ---------------------------------------------------------------- invariants on generated episodes

CODES = ["SG1", "SG8", "CM22", "CB1", "ZZ9"]
MONTH_ENDS = [stamp.date() for stamp in pd.date_range("2018-04-30", "2020-03-31", freq="ME")]


@st.composite
def generated(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Up to 12 children, each with a few episodes (overlapping ones and gaps too), and a lookup where SG8 and CM22
    may cross the boundary, with or without shares."""
    rows = []
    for child in range(draw(st.integers(1, 12))):
        day = pd.Timestamp("2016-01-01") + pd.Timedelta(days=draw(st.integers(0, 1500)))
        for _ in range(draw(st.integers(1, 5))):
            length = draw(st.integers(0, 400))
            end = day + pd.Timedelta(days=length) if draw(st.booleans()) else None
            rows.append(
                episode(
                    str(child),
                    str(day.date()),
                    str(end.date()) if end is not None else None,
                    rne=draw(st.sampled_from(["S", "P", "B", "L", "T", "U"])),
                    place=draw(st.sampled_from(["K2", "K2", "U4", "T0", "A4"])),
                    provider=draw(st.sampled_from(["PR0", "PR1", "PR2", "PR3", "PR4", "PR5", ""])),
                    ls=draw(st.sampled_from(["C2", "V2", "V3", "V4"])),
                    home=draw(st.sampled_from([*CODES, None])),
                    placed=draw(st.sampled_from([*CODES, None])),
                )
            )
            day = (end if end is not None else day) + pd.Timedelta(days=draw(st.sampled_from([0, 0, 3, -20, -200])))
    births = pd.Series({str(child): pd.Timestamp("2000-01-01") for child in range(12)})
    births += pd.to_timedelta(draw(st.lists(st.integers(0, 7000), min_size=12, max_size=12)), unit="D")
    share = draw(st.floats(0, 1))
    cm22 = draw(st.sampled_from([None, 0.4]))
    places = lookup(
        ("SG1", COUNCIL, None, 51.9, -0.2),
        ("SG8", COUNCIL, share, None, None),
        ("SG8", "Cambridgeshire", 1 - share, 52.05, -0.02),
        ("CM22", "Essex", cm22, 51.85, 0.2),
        ("CM22", COUNCIL.upper(), None if cm22 is None else 1 - cm22, None, None),
        ("CB1", "Cambridgeshire", None, *CAMBRIDGE),
    )
    return frame(*rows), births, places


@settings(
    max_examples=examples(50), deadline=None, derandomize=True, database=None, suppress_health_check=[*HealthCheck]
)
@given(generated())
def test_the_parts_add_up_and_every_share_is_a_share(case: tuple[pd.DataFrame, pd.Series, pd.DataFrame]) -> None:
    episodes, births, places = case
    rows = measure_rows(episodes, births, places, COUNCIL, MONTH_ENDS, COVERED)
    wide = rows[rows["category"] == ""].pivot(index="period_end", columns="measure", values="numerator")
    wide = wide.reindex(columns=[measure.name for measure in m.MEASURES])  # none but the count on an empty day
    counted = wide[wide[m.LOOKED_AFTER.name] > 0]
    located = counted[[m.PLACED_INSIDE.name, m.PLACED_OUTSIDE.name, m.LOCATION_UNKNOWN.name]].sum(axis=1)
    assert located.to_numpy() == pytest.approx(counted[m.LOOKED_AFTER.name].to_numpy())
    providers = counted[[measure.name for measure in m.HOMES_BY_PROVIDER.values()]].sum(axis=1)
    assert (providers == counted[m.IN_CHILDRENS_HOMES.name]).all()
    shares = rows[rows["denominator"].notna()]
    assert (shares["numerator"] >= 0).all()
    assert (shares["numerator"] <= shares["denominator"] + 1e-9).all()
    assert (rows["numerator"] >= 0).all()


# ---------------------------------------------------------------- the shared samples


def sample(years: list[int]) -> tuple[pd.DataFrame, pd.Series]:
    """The synthetic SSDA903 samples read with plain pandas into the episodes frame (a child's episode given in two
    years' files once), and their dates of birth."""
    folder = SHARED_DATA / "ssda903"
    raw = pd.concat(
        [pd.read_csv(folder / f"demandmodel_{year}-episodes.csv", dtype=str, keep_default_na=False) for year in years]
    ).drop_duplicates(["CHILD", "DECOM"], keep="last")

    def outward(postcode: pd.Series) -> pd.Series:
        return postcode.str.split().str[0].where(postcode.str.strip() != "", None)

    episodes = pd.DataFrame(
        {
            "child": raw["CHILD"],
            "start": pd.to_datetime(raw["DECOM"], dayfirst=True),
            "end": pd.to_datetime(raw["DEC"].replace("", None), dayfirst=True),
            "rne": raw["RNE"],
            "ls": raw["LS"],
            "place": raw["PLACE"],
            "provider": raw["PLACE_PROVIDER"],
            "urn": raw["URN"],
            "home": outward(raw["HOME_POST"]),
            "placed": outward(raw["PL_POST"]),
            "placement_key": raw["PLACE"] + raw["PLACE_PROVIDER"] + raw["URN"] + raw["PL_POST"],
        }
    )
    header = pd.concat([pd.read_csv(folder / f"demandmodel_{year}-header.csv", dtype=str) for year in years])
    header = header.drop_duplicates("CHILD", keep="last")
    births = pd.Series(pd.to_datetime(header["DOB"], dayfirst=True).to_numpy(), index=header["CHILD"])
    return episodes, births


def test_the_2017_sample_runs() -> None:
    episodes, births = sample([2017])
    ends = [stamp.date() for stamp in pd.date_range("2017-04-30", "2018-03-31", freq="ME")]
    rows = measure_rows(episodes, births, NO_LOOKUP, COUNCIL, ends, [(date(2017, 4, 1), date(2018, 3, 31))])
    assert count(rows, m.LOOKED_AFTER, date(2018, 3, 31)) > 0
    assert figure(rows, m.THREE_OR_MORE_PLACEMENTS, date(2018, 3, 31))[1] == count(
        rows, m.LOOKED_AFTER, date(2018, 3, 31)
    )


def test_about_five_thousand_children_count_as_six_copies_of_the_samples() -> None:
    """At a large authority's size (the three years' samples six times over, about 4,900 children), every count is
    six times the samples' own: nothing is lost or doubled when the frames grow. (Its speed is measured in bench/,
    not here.)"""
    episodes, births = sample([2017, 2018, 2019])
    copies = range(6)
    many = pd.concat([episodes.assign(child=episodes["child"] + f"-{n}") for n in copies], ignore_index=True)
    born = pd.concat([births.rename(lambda child, n=n: f"{child}-{n}") for n in copies])
    codes = sorted(set(many["placed"].dropna()) | set(many["home"].dropna()))
    places = lookup(*((code, COUNCIL if n % 2 else "Essex", None, 51.5 + n / 1e4, 0.0) for n, code in enumerate(codes)))
    ends = [stamp.date() for stamp in pd.date_range("2017-04-30", "2020-03-31", freq="ME")]
    once = measure_rows(episodes, births, places, COUNCIL, ends, COVERED).set_index(
        ["measure", "category", "period_end"]
    )
    six = measure_rows(many, born, places, COUNCIL, ends, COVERED).set_index(["measure", "category", "period_end"])
    assert once.index.equals(six.index)
    pd.testing.assert_series_equal(six["numerator"], once["numerator"] * 6)
    assert count(six.reset_index(), m.LOOKED_AFTER, date(2019, 3, 31)) > 1000
