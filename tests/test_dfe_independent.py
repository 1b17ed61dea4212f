"""The objectives' measures at 31 March, the project's beside a second computation (tests/independent_903.py,
written from the definitions in words without the project's code) on the shared SSDA903 samples: equal. The
reference's own rules are checked first, on hand-built children whose answers are worked out here."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from dashboard.models import Council
from tests import independent_903 as ref
from tests.conftest import SHARED_DATA

SAMPLES = SHARED_DATA / "ssda903"
COUNCIL = "Hertfordshire"
TODAY = date(2026, 11, 30)
P = date(2020, 3, 31)  # the 31 March most hand-built children are counted on
YEARS = {2017, 2018, 2019}


def episodes_path(year: int) -> Path:
    return SAMPLES / f"demandmodel_{year}-episodes.csv"


def header_path(year: int) -> Path:
    return SAMPLES / f"demandmodel_{year}-header.csv"


def ep(
    start: date,
    end: date | None = None,
    rne: str = "P",
    ls: str = "C2",
    place: str = "U4",
    provider: str = "PR4",
    home: str = "SG1 9ZZ",
    placement: str = "SG2 9ZZ",
    urn: str = "",
    child: str = "1",
) -> ref.Episode:
    return ref.Episode(child, start, end, rne, ls, place, provider, home, placement, urn)


def district(code: str, authority: str, share: float | None = None, lat: float | None = None, lon: float | None = None):
    return ref.District(code, authority, share, lat, lon)


LOOKUP = [
    district("SG1", "Hertfordshire", lat=51.9, lon=-0.2),
    district("SG2", "HERTFORDSHIRE", lat=51.9, lon=-0.1),  # the council's name in other capitals
    district("LU1", "Luton", lat=51.88, lon=-0.42),
    district("SG8", "Hertfordshire", 0.25, 52.05, -0.02),
    district("SG8", "Cambridgeshire", 0.75, 52.05, -0.02),
    district("CM22", "Hertfordshire"),
    district("CM22", "Essex"),
    district("B1", "Birmingham"),  # no centroid
]


def measures(children: dict[str, list[ref.Episode]], births: dict[str, date] | None = None, day: date = P):
    births = births if births is not None else {child: date(2010, 1, 1) for child in children}
    return ref.measures_at(children, births, LOOKUP, COUNCIL, day, YEARS)


# ------------------------------------------------------------------------------------------------ the reference's rules


def write_episodes(path: Path, rows: list[dict[str, str]]) -> Path:
    headers = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE"]
    headers += ["HOME_POST", "PL_POST", "URN"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows({name: row.get(name, "") for name in headers} for row in rows)
    return path


def test_reference_takes_the_latest_files_row_for_an_episode(tmp_path: Path) -> None:
    row = {"CHILD": "7", "DECOM": "01/05/2017", "RNE": "S", "LS": "C2", "PLACE": "K2", "PLACE_PROVIDER": "PR1"}
    row |= {"HOME_POST": "SG1 9ZZ", "PL_POST": "SG2 9ZZ", "URN": "1234567"}
    earlier = write_episodes(tmp_path / "2017.csv", [row])  # open at the year's end
    later = write_episodes(tmp_path / "2018.csv", [row | {"DEC": "2018-06-30", "PLACE": "U4"}])  # closes it
    by_child = ref.read_episodes({2018: later, 2017: earlier})
    assert by_child == {"7": [ep(date(2017, 5, 1), date(2018, 6, 30), "S", provider="PR1", urn="1234567", child="7")]}
    assert ref.looked_after(by_child, date(2018, 3, 31)) and not ref.looked_after(by_child, date(2019, 3, 31))


def test_reference_counts_a_child_open_on_the_day_once_without_short_breaks() -> None:
    children = {
        "starts_on_p": [ep(P, rne="S")],
        "ends_on_p": [ep(date(2019, 1, 1), P, rne="S")],  # left care on the day: not looked after on it
        "two_open": [ep(date(2019, 1, 1), rne="S", place="K2"), ep(date(2019, 6, 1), place="K2")],
        "short_break": [ep(date(2019, 1, 1), rne="S", ls="V3", place="K2", provider="PR1", urn="999")],
        "in_own_home": [ep(date(2019, 1, 1), rne="S", place="K2", provider="PR1", urn="999")],
    }
    figures = measures(children)
    assert figures[("looked_after", "")] == (3, None)
    assert figures[("in_childrens_homes", "")] == (2, 3)
    assert figures[("homes_own_provision", "")] == (1, 2)
    assert figures[("homes_private", "")] == (1, 2)
    assert figures[("homes_other_authority", "")] == (0, 2)
    assert figures[("home_children", "999")] == (2, None)  # short breaks included


def test_reference_counts_placements_in_the_year_as_the_definition_says() -> None:
    before = date(2018, 1, 1)
    moves = [
        ep(before, date(2019, 5, 1), rne="S"),  # held on 1 April 2019: one
        ep(date(2019, 5, 1), date(2019, 6, 1), rne="L"),  # legal status only
        ep(date(2019, 6, 1), date(2019, 7, 1), rne="P", place="T1"),  # temporary
        ep(date(2019, 7, 1), date(2019, 8, 1), rne="P"),  # back to the placement held before the temporary one
        ep(date(2019, 8, 1), date(2019, 9, 1), rne="T", place="U5"),  # same carer
        ep(date(2019, 9, 1), date(2019, 10, 1), rne="P", ls="V3"),  # short break: left out
        ep(date(2019, 10, 1), rne="B", placement="LU1 9ZZ"),  # two
    ]
    assert ref.placements_in_year(moves, P) == 2
    third = [*moves[:-1], ep(date(2019, 10, 1), date(2020, 1, 1), rne="B"), ep(date(2020, 1, 1), rne="P")]
    assert ref.placements_in_year(third, P) == 3
    elsewhere = [*moves[:3], ep(date(2019, 7, 1), rne="P", placement="LU1 9ZZ")]  # not a return: a new placement
    assert ref.placements_in_year(elsewhere, P) == 2
    started_in_year = [ep(date(2019, 6, 1), date(2019, 7, 1), rne="S"), ep(date(2019, 7, 1), rne="P")]
    assert ref.placements_in_year(started_in_year, P) == 2
    figures = measures({"two": moves, "three": third})
    assert figures[("three_or_more_placements", "")] == (1, 2)
    assert ("three_or_more_placements", "") not in measures({"three": third}, day=date(2021, 3, 31))  # no 2020 file


def test_reference_finds_care_and_placement_starts_for_long_term_stability() -> None:
    care_cutoff, placement_cutoff = date(2017, 9, 30), date(2018, 3, 31)
    assert ref.months_before(P, 30) == care_cutoff and ref.months_before(P, 24) == placement_cutoff
    children = {
        "stable": [ep(care_cutoff, placement_cutoff, rne="S"), ep(placement_cutoff, rne="P")],
        "moved": [ep(care_cutoff, date(2018, 4, 1), rne="S"), ep(date(2018, 4, 1), rne="P")],
        "too_new": [ep(date(2017, 10, 1), rne="S")],
        "carried_on": [  # one placement since care began: L, T and U carry it on
            ep(date(2016, 1, 1), date(2018, 5, 1), rne="S"),
            ep(date(2018, 5, 1), date(2019, 1, 1), rne="L"),
            ep(date(2019, 1, 1), date(2019, 2, 1), rne="T"),
            ep(date(2019, 2, 1), rne="U"),
        ],
        "adopted": [  # placed for adoption in 2019: with the placement before it, since 2017
            ep(date(2016, 1, 1), date(2017, 6, 1), rne="S"),
            ep(date(2017, 6, 1), date(2019, 6, 1), rne="P"),
            ep(date(2019, 6, 1), rne="P", place="A4"),
        ],
        "adopted_late": [  # the placement before adoption began in June 2018: under two years
            ep(date(2016, 1, 1), date(2018, 6, 1), rne="S"),
            ep(date(2018, 6, 1), date(2019, 6, 1), rne="P"),
            ep(date(2019, 6, 1), rne="P", place="A5"),
        ],
        "came_back": [ep(date(2015, 1, 1), date(2018, 1, 1), rne="S"), ep(date(2018, 1, 2), rne="S")],
        "over_16": [ep(date(2015, 1, 1), rne="S")],
    }
    births = {child: date(2005, 1, 1) for child in children} | {"over_16": date(2004, 3, 31)}
    figures = measures(children, births)
    assert figures[("long_term_stability", "")] == (
        3,
        5,
    )  # stable, carried_on, adopted of those and moved, adopted_late
    assert figures[("stability_undetermined", "")] == (0, None)
    assert ref.age_on(date(2004, 3, 31), P) == 16 and ref.age_on(date(2004, 4, 1), P) == 15


def test_reference_leaves_out_a_child_whose_care_began_before_the_files() -> None:
    day = date(2018, 3, 31)  # in care 30 months: since 30 September 2015; the files begin on 1 April 2017
    children = {
        "unknown": [ep(date(2016, 1, 1), rne="P")],  # not S: care began on or before 1 January 2016
        "long_enough": [ep(date(2015, 6, 1), rne="L")],  # whenever care began, it is 30 months
        "began_in_2016": [ep(date(2016, 1, 1), rne="S")],
    }
    figures = measures(children, day=day)
    assert figures[("long_term_stability", "")] == (1, 1)
    assert figures[("stability_undetermined", "")] == (1, None)


def test_reference_places_children_by_the_lookup() -> None:
    at = date(2019, 1, 1)
    children = {
        "inside": [ep(at, rne="S", placement="sg2 9zz", place="K2")],
        "outside": [ep(at, rne="S", placement="LU1 9ZZ", place="K2")],
        "shared": [ep(at, rne="S", placement="SG8 9ZZ", place="K2")],
        "split": [ep(at, rne="S", placement="CM22 9ZZ", place="K2")],
        "nowhere": [ep(at, rne="S", placement="ZE1 9ZZ")],
        "no_postcode": [ep(at, rne="S", placement="")],
    }
    births = {child: date(2010, 1, 1) for child in children} | {"outside": date(2004, 1, 1), "shared": date(2001, 1, 1)}
    figures = measures(children, births)
    assert figures[("placed_inside", "")] == (pytest.approx(1.25), 6)
    assert figures[("placed_outside", "")] == (pytest.approx(1.75), 6)
    assert figures[("placed_location_unknown", "")] == (3, 6)
    assert figures[("placed_split_district", "")] == (1, None)
    assert figures[("homes_outside_by_age", "16-17")] == (1, None)  # "shared" is 19: left out
    assert figures[("homes_outside_by_age", "0-4")] == figures[("homes_outside_by_age", "5-9")] == (0, None)


def test_reference_measures_distance_between_centroids() -> None:
    assert ref.miles((51.5, 0.0), (52.5, 0.0)) == pytest.approx(69.09, abs=0.01)  # a degree of latitude
    near = [district("A1", "X", lat=52.0, lon=0.0), district("A2", "X", lat=52.0 + 19.9 / 69.09, lon=0.0)]
    far = [*near, district("A3", "X", lat=52.0 + 20.1 / 69.09, lon=0.0)]
    at = date(2019, 1, 1)
    children = {
        "near": [ep(at, rne="S", home="A1 9ZZ", placement="A2 9ZZ")],
        "far": [ep(at, rne="S", home="A1 9ZZ", placement="A3 9ZZ")],
        "no_home_centroid": [ep(at, rne="S", home="B1 9ZZ", placement="A3 9ZZ")],
    }
    figures = ref.measures_at(children, {}, far, COUNCIL, P, YEARS)
    assert figures[("placed_over_20_miles", "")] == (1, 3)
    assert figures[("distance_unknown", "")] == (1, 3)


def test_reference_figures_on_the_samples_add_up() -> None:
    """The reference on the shared samples: every child looked after is placed inside, outside or unknown, and the
    samples exercise the measures (something in each) so the comparison below compares something."""
    for day in (date(2018, 3, 31), date(2019, 3, 31), date(2020, 3, 31)):
        figures = reference(sorted(YEARS), day)
        total = figures[("looked_after", "")][0]
        parts = [figures[(name, "")][0] for name in ("placed_inside", "placed_outside", "placed_location_unknown")]
        assert sum(parts) == pytest.approx(total) and total > 50
        assert 0 < figures[("three_or_more_placements", "")][0] < total
        assert figures[("in_childrens_homes", "")][0] > 0
        assert figures[("placed_over_20_miles", "")][0] > 0 and figures[("placed_split_district", "")][0] > 0
        assert figures[("placed_inside", "")][0] % 1  # some children in districts split by shares
        assert any(name == "home_children" for name, _ in figures)
    stability = reference(sorted(YEARS), date(2020, 3, 31))[("long_term_stability", "")]
    assert 0 < stability[0] < stability[1]


# ------------------------------------------------------------------------------------------------ the samples' lookup


def sample_lookup() -> list[dict[str, object]]:
    """A made-up lookup for the samples' synthetic outward codes, the same every run: of the codes a postcode
    district can be, a third in the council, a third in other authorities, a third left out (unknown); every 11th
    kept one split by shares, every 13th split with no share; most with a centroid (latitude 51-53, longitude
    -1..0.5)."""
    from dashboard.lookup import POSTCODE_DISTRICT  # only to keep the lookup to codes the importer accepts

    codes: set[str] = set()
    for year in (2017, 2018, 2019, 2021):
        for row in ref.read_rows(episodes_path(year)):
            codes |= {ref.outward(row["HOME_POST"]), ref.outward(row["PL_POST"])}
    rows: list[dict[str, object]] = []
    kept = [code for code in sorted(codes) if POSTCODE_DISTRICT.fullmatch(code)]
    for n, code in enumerate(kept):
        if n % 3 == 2:
            continue
        latitude, longitude = (51 + (n * 37 % 200) / 100, -1 + (n * 53 % 150) / 100) if n % 7 else (None, None)
        parts: list[tuple[str, float | None]] = [(("Luton", "Essex", "Barnet", "Bedford")[n % 4], None)]
        if n % 3 == 0:
            parts = [(COUNCIL, None)]
        if n % 11 == 0:
            parts = [(COUNCIL, 0.4), ("Cambridgeshire", 0.6)]
        elif n % 13 == 0:
            parts = [(COUNCIL, None), ("Central Bedfordshire", None)]
        rows += [
            {"outward_code": code, "local_authority": authority, "share": share}
            | {"latitude": latitude, "longitude": longitude}
            for authority, share in parts
        ]
    return rows


def write_lookup(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Postcode district", "Local authority", "Share", "Latitude", "Longitude"])
        for row in rows:
            cells = (row["outward_code"], row["local_authority"], row["share"], row["latitude"], row["longitude"])
            writer.writerow(["" if cell is None else cell for cell in cells])
    return path


def reference(years: list[int], day: date) -> ref.Figures:
    paths = {year: episodes_path(year) for year in years}
    return ref.reference_measures(paths, [header_path(year) for year in years], sample_lookup(), COUNCIL, day)


# ------------------------------------------------------------------------------------------------ the comparison


@pytest.mark.parametrize(
    ("years", "year_ends"),
    [([2017, 2018, 2019], [date(2018, 3, 31), date(2019, 3, 31), date(2020, 3, 31)]), ([2021], [date(2022, 3, 31)])],
)
def test_project_measures_at_31_march_equal_the_independent_reference_on_the_samples(
    empty_engine: Engine, tmp_path: Path, years: list[int], year_ends: list[date]
) -> None:
    episodes = {year: episodes_path(year) for year in years}
    headers = [header_path(year) for year in years]
    assert_project_equals_reference(empty_engine, tmp_path, episodes, headers, sample_lookup(), year_ends)


def test_project_measures_at_31_march_equal_the_independent_reference_on_hand_built_children(
    empty_engine: Engine, tmp_path: Path
) -> None:
    """Temporary placements, adoption, split districts, providers and URNs the samples do not have."""
    episodes, headers = write_edge_files(tmp_path)
    year_ends = [date(2019, 3, 31), date(2020, 3, 31)]
    assert_project_equals_reference(empty_engine, tmp_path, episodes, headers, EDGE_LOOKUP, year_ends)


def assert_project_equals_reference(
    engine: Engine,
    folder: Path,
    episodes: dict[int, Path],
    headers: list[Path],
    lookup_rows: list[dict[str, object]],
    year_ends: list[date],
) -> None:
    """Import the lookup, then the files together, through the project; its measures at each 31 March are the
    reference's: the same measures and categories, the same numerators and denominators."""
    from dashboard import lookup, placements
    from dashboard.roles import SYSTEM

    with engine.connect() as connection:
        assert connection.scalar(select(Council.name)) == COUNCIL  # the council the reference is told of
    lookup_report = lookup.import_lookup(engine, write_lookup(folder / "lookup.csv", lookup_rows), SYSTEM)
    assert lookup_report.written, lookup_report.problems
    report = placements.import_episodes(engine, list(episodes.values()), SYSTEM, headers=headers, today=TODAY)
    assert report.written, report.problems
    stored = placements.stored_measures(engine)
    differences = []
    for day in year_ends:
        expected = ref.reference_measures(episodes, headers, lookup_rows, COUNCIL, day)
        got = project_figures(stored, day, {name for name, _ in expected})
        assert got, f"no measures stored at {day}"
        for key in sorted(set(expected) | set(got)):
            want, have = expected.get(key), got.get(key)
            if want is None or have is None or have != (pytest.approx(want[0]), pytest.approx(want[1])):
                differences.append(f"{day} {key}: reference {want}, project {have}")
    assert not differences, "\n".join(differences)


def project_figures(stored: pd.DataFrame, day: date, names: set[str]) -> ref.Figures:
    """The project's stored measures at `day` the reference also computes, in the reference's shape."""
    rows = stored[(stored["period_end"] == day) & stored["measure"].isin(names)]
    return {
        (row.measure, row.category or ""): (row.numerator, None if pd.isna(row.denominator) else row.denominator)
        for row in rows.itertuples()
    }


# ------------------------------------------------------------------------------------------------ hand-built edge cases

EDGE_LOOKUP: list[dict[str, object]] = [
    {"outward_code": "SG1", "local_authority": COUNCIL, "share": None, "latitude": 51.90, "longitude": -0.20},
    {"outward_code": "SG2", "local_authority": COUNCIL, "share": None, "latitude": 51.90, "longitude": -0.18},
    {"outward_code": "LU1", "local_authority": "Luton", "share": None, "latitude": 51.88, "longitude": -0.42},
    {"outward_code": "SG8", "local_authority": COUNCIL, "share": 0.25, "latitude": 52.05, "longitude": -0.02},
    {"outward_code": "SG8", "local_authority": "Cambridgeshire", "share": 0.75, "latitude": 52.05, "longitude": -0.02},
    {"outward_code": "CM22", "local_authority": COUNCIL, "share": None, "latitude": 51.86, "longitude": 0.20},
    {"outward_code": "CM22", "local_authority": "Essex", "share": None, "latitude": 51.86, "longitude": 0.20},
    {"outward_code": "B1", "local_authority": "Birmingham", "share": None, "latitude": 52.48, "longitude": -1.90},
    {
        "outward_code": "NN1",
        "local_authority": "West Northamptonshire",
        "share": None,
        "latitude": None,
        "longitude": None,
    },
]


def d(text: str) -> date:
    return date.fromisoformat(text)


# Each child: date of birth and episodes (start, end or "", RNE, LS, PLACE, PROVIDER, placement's district, URN).
EDGE_CHILDREN: dict[str, tuple[str, list[tuple[str, str, str, str, str, str, str, str]]]] = {
    "101": (  # a temporary placement and the return from it; then two moves: three placements in 2019-20
        "2008-05-01",
        [
            ("2018-05-01", "2019-06-01", "S", "C2", "U4", "PR4", "SG1", ""),
            ("2019-06-01", "2019-06-10", "P", "C2", "T1", "PR4", "LU1", ""),
            ("2019-06-10", "2019-09-01", "P", "C2", "U4", "PR4", "SG1", ""),
            ("2019-09-01", "2019-12-01", "P", "C2", "K2", "PR2", "SG8", "1000002"),
            ("2019-12-01", "", "B", "C2", "K2", "PR5", "LU1", "1000005"),
        ],
    ),
    "102": (  # placed for adoption in June 2019 after two years in one placement
        "2012-02-29",
        [
            ("2017-06-01", "2019-06-01", "P", "C2", "U4", "PR4", "SG2", ""),
            ("2019-06-01", "", "P", "E1", "A4", "PR1", "SG2", ""),
        ],
    ),
    "103": ("2009-01-01", [("2019-03-01", "", "S", "V3", "K2", "PR1", "SG2", "1000001")]),  # short breaks
    "104": ("2003-06-01", [("2019-01-01", "", "S", "C2", "K2", "PR1", "SG2", "1000001")]),  # 16-17, inside
    "105": ("2008-07-01", [("2018-04-15", "", "S", "C2", "K2", "PR5", "LU1", "XXXXXXX")]),  # 10-15, outside
    "106": ("2001-01-01", [("2018-04-15", "", "S", "C2", "K2", "PR4", "LU1", "1000006")]),  # 18 and over
    "107": ("2010-01-01", [("2018-06-01", "", "S", "C2", "U5", "PR4", "CM22", "")]),  # split, no share
    "108": ("2010-01-01", [("2018-06-01", "", "S", "C2", "U5", "PR4", "", "")]),  # no placement postcode
    "109": ("2010-01-01", [("2018-07-01", "2019-03-31", "S", "C2", "U4", "PR4", "SG1", "")]),  # left on 31 March
    "110": ("2010-01-01", [("2020-03-31", "", "S", "C2", "U4", "PR4", "NN1", "")]),  # began on 31 March
    "111": (  # began care on the year's first day; three placements
        "2010-01-01",
        [
            ("2019-04-01", "2019-07-01", "S", "C2", "U4", "PR4", "SG1", ""),
            ("2019-07-01", "2019-10-01", "P", "C2", "U5", "PR4", "SG2", ""),
            ("2019-10-01", "2019-11-01", "B", "C2", "U4", "PR4", "B1", ""),
            ("2019-11-01", "", "T", "C2", "U5", "PR4", "B1", ""),
        ],
    ),
    "112": ("2010-01-01", [("2017-01-01", "", "S", "C2", "U4", "PR4", "SG1", "")]),  # stable since before the files
    "113": (  # one placement carried on by L, T and U since August 2017
        "2010-01-01",
        [
            ("2017-08-01", "2018-09-01", "S", "C2", "U4", "PR4", "SG1", ""),
            ("2018-09-01", "2019-02-01", "L", "C1", "U4", "PR4", "SG1", ""),
            ("2019-02-01", "2019-05-01", "T", "C1", "U5", "PR4", "SG1", ""),
            ("2019-05-01", "", "U", "C1", "U6", "PR4", "SG1", ""),
        ],
    ),
    "114": ("2010-01-01", [("2017-12-01", "", "L", "C2", "U4", "PR4", "SG8", "")]),  # care began before the files
    "116": ("2010-01-01", [("2018-06-01", "", "S", "C2", "U5", "PR4", "ZE1", "")]),  # a district not in the lookup
    "115": (  # in care since 2016, moved in June 2018
        "2010-01-01",
        [
            ("2016-06-01", "2018-06-01", "S", "C2", "U4", "PR4", "SG1", ""),
            ("2018-06-01", "", "P", "C2", "U4", "PR4", "SG2", ""),
        ],
    ),
}


def write_edge_files(folder: Path) -> tuple[dict[int, Path], list[Path]]:
    """The hand-built children as the 2018 and 2019 returns would give them: each year's file holds the episodes
    open in it, an end date after the year left blank (the next year's file gives it)."""
    episodes: dict[int, Path] = {}
    headers: list[Path] = []
    for year in (2018, 2019):
        first, last = date(year, 4, 1), date(year + 1, 3, 31)
        rows, children = [], set()
        for child, (_, spells) in EDGE_CHILDREN.items():
            for start, end, rne, ls, place, provider, district_, urn in spells:
                if d(start) > last or (end and d(end) < first):
                    continue
                children.add(child)
                postcode = f"{district_} 9ZZ" if district_ else ""
                row = {"CHILD": child, "DECOM": start, "RNE": rne, "LS": ls, "CIN": "N1", "PLACE": place}
                row |= {"PLACE_PROVIDER": provider, "DEC": end if end and d(end) <= last else ""}
                row |= {"REC": "E11" if end and d(end) <= last else "", "HOME_POST": "SG1 9ZZ", "PL_POST": postcode}
                rows.append(row | {"URN": urn})
        episodes[year] = write_episodes(folder / f"{year}-episodes.csv", rows)
        headers.append(folder / f"{year}-header.csv")
        with headers[-1].open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"])
            writer.writerows([child, "1", EDGE_CHILDREN[child][0], "WBRI", "", "", ""] for child in sorted(children))
    return episodes, headers


def test_reference_on_the_hand_built_children(tmp_path: Path) -> None:
    """The reference's figures for the hand-built children at 31 March 2020, worked out by hand."""
    episodes, headers = write_edge_files(tmp_path)
    figures = ref.reference_measures(episodes, headers, EDGE_LOOKUP, COUNCIL, date(2020, 3, 31))
    assert figures[("looked_after", "")] == (14, None)  # all but 103 (short breaks) and 109 (left on 31 March)
    assert figures[("three_or_more_placements", "")] == (2, 14)  # 101 (not the temporary one, nor back) and 111
    assert figures[("in_childrens_homes", "")] == (4, 14)  # 101, 104, 105, 106
    assert figures[("homes_own_provision", "")] == (1, 4) and figures[("homes_voluntary", "")] == (2, 4)
    assert figures[("home_children", "1000001")] == (2, None)  # 104, and 103 on short breaks
    assert [name for name, _ in figures].count("home_children") == 1  # 1000002 is PR2; 105's URN is "not applicable"
    # Under 16 and in care since 30 September 2017: 102, 112, 113, 115; in their placement since 31 March 2018:
    # 112, 113, and 102 (placed for adoption, with the placement before it). 114's care began on or before
    # 1 December 2017 (RNE L), before the files: not known.
    assert figures[("long_term_stability", "")] == (3, 4)
    assert figures[("stability_undetermined", "")] == (1, None)
    # Inside: 102, 104, 112, 113, 115 and a quarter of 114 (SG8); outside: 101, 105, 106, 110 (NN1), 111 (B1) and
    # three quarters of 114; unknown: 107 (CM22, split with no share), 108 (no postcode), 116 (ZE1, not in it).
    assert figures[("placed_inside", "")] == (pytest.approx(5.25), 14)
    assert figures[("placed_outside", "")] == (pytest.approx(5.75), 14)
    assert figures[("placed_location_unknown", "")] == (3, 14)
    assert figures[("placed_split_district", "")] == (1, None)
    assert figures[("placed_over_20_miles", "")] == (1, 14)  # 111, in Birmingham
    assert figures[("distance_unknown", "")] == (3, 14)  # 108, 110 (NN1 has no centroid), 116
    assert figures[("homes_outside_by_age", "10-15")] == (2, None)  # 101 and 105; 104 (16) inside; 106 is 19
    assert figures[("homes_outside_by_age", "16-17")] == (0, None)
