"""The postcode-district lookup, hostile: the project's own export of it altered in code (no rows, a district that is
more or less than an outward code, an authority too long or holding a control character, several faults in a row,
a district and authority given twice, shares that are not a district's whole, a centroid outside the UK, half given or
not agreed, a council district unknown or on another authority's row) is refused naming its file, row and column, the
lookup held is kept, and the command line exits non-zero; splits, percentages, centroids and council districts are
stored exactly as written (a council district as its ONS code), and the export imports back unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard import lookup
from dashboard.exporting import table_file
from dashboard.layout import POSTCODE_DISTRICTS
from dashboard.roles import SYSTEM, Actor, Role
from dashboard.safeguarding import MESSAGE
from tests.conftest import dump

EDITOR = Actor("ann@herts.gov.uk", "test", Role.EDITOR)
HEADER = ["Postcode district", "Local authority", "Share", "Latitude", "Longitude", "Council district"]
# As exported: a row per district and authority, by district then authority; SG8 crosses the county line (rows 7 and 8
# of the file) and, like AL1, has a centroid. The council's rows but EN11's name the council's district (ONS code).
HELD = [
    ["AL1", "Hertfordshire", "", "51.75", "-0.34", "E07000240"],
    ["AL10", "Hertfordshire", "", "", "", "E07000241"],
    ["EN11", "Hertfordshire", "", "", "", ""],
    ["LU1", "Luton", "", "", "", ""],
    ["SG1", "Hertfordshire", "", "", "", "E07000243"],
    ["SG8", "Cambridgeshire", "0.4", "52.05", "-0.02", ""],
    ["SG8", "Hertfordshire", "0.6", "52.05", "-0.02", "E07000099"],
    ["WD17", "Hertfordshire", "", "", "", "E07000103"],
]
HELD_DISTRICTS = len({row[0] for row in HELD})


def exported_rows(engine: Engine) -> list[list[str]]:
    """The lookup as the project exports it (a byte-order mark, quoted text), header first."""
    data = table_file(engine, POSTCODE_DISTRICTS, SYSTEM).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data)))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def held(shared_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The shared store with a lookup of six districts held, as every test here finds it and must leave it."""
    path = tmp_path_factory.mktemp("lookup") / "lookup.csv"
    write_rows(path, [HEADER, *HELD])
    assert lookup.import_lookup(shared_engine, path, EDITOR).written
    return shared_engine


def refused(engine: Engine, path: Path) -> list[tuple[int | None, str | None, str]]:
    """The problems of importing `path` (which must write nothing), as (row, column, message)."""
    before = dump(engine)
    report = lookup.import_lookup(engine, path, EDITOR)
    assert not report.ok and not report.written
    assert dump(engine) == before
    assert all(p.source == path.name for p in report.problems)
    return [(p.row, p.column, p.message) for p in report.problems]


def test_the_export_imports_back_as_held(held, tmp_path):
    rows = exported_rows(held)
    assert rows == [HEADER, *HELD]
    report = lookup.import_lookup(held, write_rows(tmp_path / "postcode_districts.csv", rows), EDITOR, dry_run=True)
    assert report.ok and report.codes == HELD_DISTRICTS, report.summary()


@pytest.mark.parametrize(
    "body",
    [[], [[""], [" ", ""]]],
    ids=["header only", "header and blank lines"],
)
def test_a_file_with_no_rows_never_replaces_the_lookup_held(held, tmp_path, body):
    path = write_rows(tmp_path / "postcode_districts.csv", [exported_rows(held)[0], *body])
    kept = f"the file has no rows: the lookup held ({HELD_DISTRICTS} districts) is kept"
    assert refused(held, path) == [(None, None, kept)]


def test_an_empty_file_never_replaces_the_lookup_held(held, tmp_path):
    path = tmp_path / "postcode_districts.csv"
    path.write_bytes(b"")
    [(row, column, message)] = refused(held, path)
    assert (row, column) == (None, None) and f"the lookup held ({HELD_DISTRICTS} districts) is kept" in message


def test_with_no_lookup_held_a_header_only_file_is_still_refused(empty_engine, tmp_path):
    path = write_rows(tmp_path / "lookup.csv", [["Postcode district", "Local authority"]])
    assert refused(empty_engine, path) == [(None, None, "the file has no rows: nothing was imported")]


@pytest.mark.parametrize(
    "district",
    [
        "SG1 2AB",
        "SG12AB",
        "SG",
        "1SG",
        "SG1-",
        "SGG1",
        "SG123",
        "ＳＧ１",
        "ſg1",
        "SG\u200b1",
        "SG1.",
        "AL1O",
        "QA1",
        "SI1",
        "W1I",
    ],
    ids=[
        "postcode",
        "postcode unspaced",
        "area only",
        "digit first",
        "trailing hyphen",
        "three letters",
        "three digits",
        "full-width",
        "long s",
        "zero-width space",
        "trailing dot",
        "fourth letter O",
        "first letter Q",
        "second letter I",
        "third letter I",
    ],
)
def test_a_district_must_be_an_outward_code_and_nothing_else(held, tmp_path, district):
    rows = exported_rows(held)
    rows[3][0] = district
    problems = refused(held, write_rows(tmp_path / "postcode_districts.csv", rows))
    assert [(row, column) for row, column, _ in problems] == [(4, "Postcode district")]
    assert "is not a postcode district such as SG1 or AL10" in problems[0][2]


def test_every_shape_of_district_is_taken_and_small_letters_are_kept_in_capitals(engine, tmp_path):
    districts = ["sg1", "AL10", "W1A", "EC1A", "SW1Y", "N1C", "E1W", "WC2N"]  # A9, AA99, A9A, AA9A...
    rows = [["Postcode district", "Local authority"], *([district, "Somewhere"] for district in districts)]
    report = lookup.import_lookup(engine, write_rows(tmp_path / "lookup.csv", rows), EDITOR)
    assert report.written, report.summary()
    stored = sorted((district.upper(), "Somewhere", None, None, None, None) for district in districts)
    assert dump(engine)["postcode_district"] == stored


@pytest.mark.parametrize(
    ("authority", "message"),
    [
        ("Hertford" * 13, "is 104 characters long: at most 100"),
        ("Hertford\x1bshire", "control character (U+001B"),
        ("Hertford\u202eshire", "control character (U+202E"),
        ("   ", "is required"),
    ],
    ids=["too long", "escape", "right-to-left override", "blank"],
)
def test_an_authority_is_text_the_column_can_hold(held, tmp_path, authority, message):
    rows = exported_rows(held)
    rows[2][1] = authority
    problems = refused(held, write_rows(tmp_path / "postcode_districts.csv", rows))
    assert [(row, column) for row, column, _ in problems] == [(3, "Local authority")]
    assert message in problems[0][2]


def test_every_fault_in_a_row_is_named_in_the_files_own_headers(held, tmp_path):
    rows = [
        ["pcds", "LAD name", "Proportion", "lat", "long"],
        ["SG1", "Hertfordshire", "", "", ""],
        ["SG1 2AB", "X" * 101, "7", "95", "200"],
        ["SG1", "hertfordshire", "", "", ""],
    ]
    assert refused(held, write_rows(tmp_path / "ons.csv", rows)) == [
        (
            3,
            "pcds",
            "'SG1 2AB' is not a postcode district such as SG1 or AL10 (the first half of a postcode, and nothing else)",
        ),
        (3, "LAD name", "is 101 characters long: at most 100"),
        (3, "Proportion", "'7' is outside 0 to 1 (0% to 100%): write a share such as 0.6, or 60%"),
        (3, "lat", "'95' is outside the UK's latitudes (49 to 61)"),
        (3, "long", "'200' is outside the UK's longitudes (-9 to 2.5)"),
        (4, "pcds", "'SG1' is given for hertfordshire twice: first on row 2"),
    ]


def test_the_command_line_refuses_a_header_only_file(engine, run_cli, tmp_path):
    write_rows(tmp_path / "lookup.csv", [HEADER, *HELD])
    assert lookup.import_lookup(engine, tmp_path / "lookup.csv", EDITOR).written
    before = dump(engine)
    path = write_rows(tmp_path / "postcode_districts.csv", exported_rows(engine)[:1])

    result = run_cli("import-lookup", path)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"postcode_districts.csv: the file has no rows: the lookup held ({HELD_DISTRICTS} districts) is kept" in (
        result.stderr
    )
    assert dump(engine) == before


def test_blank_lines_above_the_header_count_as_rows_of_the_file(held, tmp_path):
    path = write_rows(
        tmp_path / "lookup.csv",
        [[], ["Postcode district", "Local authority"], ["SG1", "Herts"], ["SG1 2", "Hertfordshire"]],
    )
    assert [(row, column) for row, column, _ in refused(held, path)] == [(4, "Postcode district")]


# ---------------------------------------------------------------- shares and centroids


def altered(engine: Engine, tmp_path: Path, edits: dict[tuple[int, str], str]) -> list[list[str]]:
    """The export with cells changed, each named by the file's row and its column's header."""
    rows = exported_rows(engine)
    for (row, header), value in edits.items():
        rows[row - 1][HEADER.index(header)] = value
    return rows


@pytest.mark.parametrize(
    ("edits", "problem"),
    [
        (
            {(8, "Share"): "0.5"},
            (7, "Share", "the shares of SG8 (rows 7, 8) add up to 0.9 (90%): a district's shares add up to 1 (100%)"),
        ),
        (
            {(7, "Share"): "40%", (8, "Share"): "70%"},
            (7, "Share", "the shares of SG8 (rows 7, 8) add up to 1.1 (110%): a district's shares add up to 1 (100%)"),
        ),
        (
            {(8, "Share"): ""},
            (
                8,
                "Share",
                "is blank, but SG8 has a share on row 7: give each of its rows a share, or none (split, share "
                "not known)",
            ),
        ),
        (
            {(5, "Share"): "0.5"},
            (
                5,
                "Share",
                "50% of LU1, which is in no other authority in the file: a district in one authority is "
                "wholly in it: leave Share blank",
            ),
        ),
        (
            {(5, "Share"): "0%"},
            (
                5,
                "Share",
                "0% of LU1, which is in no other authority in the file: a district in one authority is "
                "wholly in it: leave Share blank",
            ),
        ),
        (
            {(8, "Latitude"): "52.06"},
            (
                8,
                "Latitude",
                "SG8 has the centroid 52.06, -0.02 here and the centroid 52.05, -0.02 on row 7: a "
                "district has one centroid: give the same on each of its rows",
            ),
        ),
        (
            {(8, "Longitude"): "-0.021"},
            (
                8,
                "Longitude",
                "SG8 has the centroid 52.05, -0.021 here and the centroid 52.05, -0.02 on row 7: a "
                "district has one centroid: give the same on each of its rows",
            ),
        ),
        (
            {(8, "Latitude"): "", (8, "Longitude"): ""},
            (
                8,
                "Latitude",
                "SG8 has no centroid here and the centroid 52.05, -0.02 on row 7: a district has one "
                "centroid: give the same on each of its rows",
            ),
        ),
        (
            {(2, "Longitude"): ""},
            (2, "Longitude", "is blank, but Latitude is given: a centroid is both, or neither"),
        ),
        (
            {(3, "Longitude"): "-0.2"},
            (3, "Latitude", "is blank, but Longitude is given: a centroid is both, or neither"),
        ),
    ],
    ids=[
        "shares short of the whole",
        "shares over the whole",
        "some shares missing",
        "a share on a lone district",
        "no share on a lone district",
        "rows disagreeing on latitude",
        "rows disagreeing on longitude",
        "a centroid on one row of two",
        "a latitude without longitude",
        "a longitude without latitude",
    ],
)
def test_a_districts_shares_and_centroid_must_hold_together(held, tmp_path, edits, problem):
    path = write_rows(tmp_path / "postcode_districts.csv", altered(held, tmp_path, edits))
    assert refused(held, path) == [problem]


def test_the_same_district_and_authority_twice_names_the_row_first_given(held, tmp_path):
    rows = [*exported_rows(held), ["SG8", "HERTFORDSHIRE", "0.6", "52.05", "-0.02"]]
    assert refused(held, write_rows(tmp_path / "postcode_districts.csv", rows)) == [
        (10, "Postcode district", "'SG8' is given for HERTFORDSHIRE twice: first on row 8")
    ]


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("150%", "'150%' is outside 0 to 1 (0% to 100%): write a share such as 0.6, or 60%"),
        ("1.5", "'1.5' is outside 0 to 1 (0% to 100%)"),
        ("60", "'60' is outside 0 to 1 (0% to 100%)"),
        ("1e1", "'1e1' is outside 0 to 1 (0% to 100%)"),
        ("-0.4", "'-0.4' is not a share: write a fraction such as 0.6, or a percentage such as 60%"),
        ("sixty", "'sixty' is not a share"),
        ("0,4", "'0,4' is not a share"),
        ("0.4.", "'0.4.' is not a share"),
        ("2/5", "'2/5' is not a share"),
        ("NaN", "'NaN' is not a share"),
        ("inf", "'inf' is not a share"),
        ("%", "'%' is not a share"),
        ("４0%", "'４0%' is not a share"),
    ],
    ids=lambda value: value if len(value) < 8 else None,
)
def test_a_share_is_a_fraction_or_a_percentage_of_the_whole(held, tmp_path, share, message):
    path = write_rows(tmp_path / "postcode_districts.csv", altered(held, tmp_path, {(7, "Share"): share}))
    [(row, column, said)] = refused(held, path)
    assert (row, column) == (7, "Share") and said.startswith(message)


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("Latitude", "95", "'95' is outside the UK's latitudes (49 to 61)"),
        ("Latitude", "48.99", "'48.99' is outside the UK's latitudes (49 to 61)"),
        ("Latitude", "-51.75", "'-51.75' is outside the UK's latitudes (49 to 61)"),
        ("Latitude", "51.75N", "'51.75N' is not a latitude in decimal degrees, such as 51.75"),
        ("Latitude", "51°45'", "is not a latitude in decimal degrees"),
        ("Latitude", "+51.75", "is not a latitude in decimal degrees"),
        ("Longitude", "2.51", "'2.51' is outside the UK's longitudes (-9 to 2.5)"),
        ("Longitude", "-9.01", "'-9.01' is outside the UK's longitudes (-9 to 2.5)"),
        ("Longitude", "520000", "'520000' is outside the UK's longitudes (-9 to 2.5)"),
        ("Longitude", "0.34W", "'0.34W' is not a longitude in decimal degrees, such as -0.34"),
    ],
)
def test_a_centroid_is_in_decimal_degrees_within_the_uk(held, tmp_path, header, value, message):
    path = write_rows(tmp_path / "postcode_districts.csv", altered(held, tmp_path, {(2, header): value}))
    [(row, column, said)] = refused(held, path)
    assert (row, column) == (2, header) and message in said


@pytest.mark.parametrize(
    ("given", "missing"), [("Latitude", "Longitude"), ("lon", "Latitude")], ids=["latitude only", "longitude only"]
)
def test_a_file_with_half_a_centroid_column_is_refused(held, tmp_path, given, missing):
    rows = [["Postcode district", "Local authority", given], ["SG1", "Hertfordshire", ""]]
    message = f"required column is missing: {given} is given, and a centroid is both latitude and longitude"
    assert refused(held, write_rows(tmp_path / "lookup.csv", rows)) == [(1, missing, message)]


# Districts crossing boundaries (with shares as fractions and percentages, and without), lone districts with a share
# of the whole, centroids, in the headers other sources use and in any case.
GOOD = [
    ["Outward code", "Authority", "PROPORTION", "lat", "Lon"],
    ["sg8", "Cambridgeshire", "40%", "52.05", "-0.02"],
    ["SG8", "Hertfordshire", " 0.6 ", "52.050", "-2e-2"],
    ["CM22", "Essex", "", "51.85", "0.2"],
    ["CM22", "East Hertfordshire", "", "51.85", "0.2"],
    ["EN9", "Epping Forest", "66.7 %", "", ""],
    ["EN9", "Broxbourne", "33.3%", "", ""],
    ["LU1", "Luton", "100%", "51.88", "-0.42"],
    ["SG1", "Stevenage", "1", "", ""],
    ["AL10", "Welwyn Hatfield", "", "", ""],
]
GOOD_STORED = [
    ("AL10", "Welwyn Hatfield", None, None, None, None),
    ("CM22", "East Hertfordshire", None, 51.85, 0.2, None),
    ("CM22", "Essex", None, 51.85, 0.2, None),
    ("EN9", "Broxbourne", 0.333, None, None, None),  # 33.3 / 100 in floating point would be 0.33299999999999996
    ("EN9", "Epping Forest", 0.667, None, None, None),
    ("LU1", "Luton", 1.0, 51.88, -0.42, None),
    ("SG1", "Stevenage", 1.0, None, None, None),
    ("SG8", "Cambridgeshire", 0.4, 52.05, -0.02, None),
    ("SG8", "Hertfordshire", 0.6, 52.05, -0.02, None),
]


def test_splits_percentages_and_centroids_are_stored_exactly_as_written(engine, tmp_path):
    report = lookup.import_lookup(engine, write_rows(tmp_path / "lookup.csv", GOOD), EDITOR)
    assert report.written, report.summary()
    assert sorted(dump(engine)["postcode_district"]) == GOOD_STORED
    assert (report.codes, report.authorities) == (6, 9)
    assert (report.split_with_shares, report.split_without_shares, report.centroids) == (2, 1, 3)
    assert report.summary() == (
        "Imported the postcode-district lookup: 6 postcode districts in 9 local authorities. 3 districts cross a "
        "boundary: 2 with shares, 1 without (children placed there count as location not known). 3 districts of 6 "
        "have a centroid (for the approximate distance from home). No district is placed in a council district: the "
        "forecast's need is not shown by home district."
    )


def test_a_lookup_with_no_split_and_no_centroid_says_so(engine, tmp_path):
    path = write_rows(tmp_path / "lookup.csv", [["Postcode district", "Local authority"], ["SG1", "Stevenage"]])
    report = lookup.import_lookup(engine, path, EDITOR, dry_run=True)
    assert report.summary() == (
        "Would import (dry run, nothing written) the postcode-district lookup: 1 postcode district in 1 local "
        "authority. No district crosses a boundary. No district has a centroid: the distance from home is not "
        "measured. No district is placed in a council district: the forecast's need is not shown by home district."
    )


@pytest.mark.parametrize(
    ("shares", "total"),
    [(("0.333", "0.333", "0.333"), None), (("33.35%", "33.35%", "33.35%"), None), (("0.33", "0.33", "0.33"), "0.99")],
    ids=["0.999", "1.0005", "0.99"],
)
def test_shares_add_up_to_the_whole_within_a_thousandth(engine, tmp_path, shares, total):
    rows = [HEADER, *(["EN9", authority, share, "", ""] for authority, share in zip("ABC", shares, strict=True))]
    report = lookup.import_lookup(engine, write_rows(tmp_path / "lookup.csv", rows), EDITOR, dry_run=True)
    if total is None:
        assert report.ok, report.summary()
    else:
        assert [(p.row, p.column) for p in report.problems] == [(2, "Share")]
        assert f"add up to {total}" in report.problems[0].message


def test_the_export_of_splits_and_centroids_imports_back_unchanged(engine, tmp_path):
    assert lookup.import_lookup(engine, write_rows(tmp_path / "lookup.csv", GOOD), EDITOR).written
    exported = table_file(engine, POSTCODE_DISTRICTS, SYSTEM)
    rows = exported_rows(engine)
    assert rows[0] == HEADER
    assert rows[1:4] == [
        ["AL10", "Welwyn Hatfield", "", "", "", ""],
        ["CM22", "East Hertfordshire", "", "51.85", "0.2", ""],
        ["CM22", "Essex", "", "51.85", "0.2", ""],
    ]
    (tmp_path / "postcode_districts.csv").write_bytes(exported)
    report = lookup.import_lookup(engine, tmp_path / "postcode_districts.csv", EDITOR)
    assert report.written, report.summary()
    assert sorted(dump(engine)["postcode_district"]) == GOOD_STORED
    assert table_file(engine, POSTCODE_DISTRICTS, SYSTEM) == exported


FRAME_COLUMNS = ["outward_code", "local_authority", "share", "latitude", "longitude", "council_district"]


def test_the_lookup_frame_gives_each_district_and_authority_with_nan_for_what_is_not_given(engine, tmp_path):
    assert lookup.import_lookup(engine, write_rows(tmp_path / "lookup.csv", GOOD), EDITOR).written
    with engine.connect() as connection:
        frame = lookup.lookup_frame(connection)
    assert list(frame.columns) == FRAME_COLUMNS
    assert [str(frame[name].dtype) for name in ("share", "latitude", "longitude")] == ["float64"] * 3
    as_rows = [tuple(None if value != value else value for value in row) for row in frame.itertuples(index=False)]
    assert sorted(as_rows) == GOOD_STORED
    assert list(zip(frame["outward_code"], frame["local_authority"], strict=True)) == sorted(
        (code, authority) for code, authority, *_ in GOOD_STORED
    )


def test_the_lookup_frame_of_no_lookup_is_empty_with_its_columns(empty_engine):
    with Session(empty_engine) as session:
        frame = lookup.lookup_frame(session)
    assert frame.empty and list(frame.columns) == FRAME_COLUMNS


# ---------------------------------------------------------------- the council's district


@pytest.mark.parametrize(
    ("header", "written", "code"),
    [
        ("Council district", "E07000243", "E07000243"),
        ("council_district", "e07000243", "E07000243"),
        ("District of the council", "  Stevenage ", "E07000243"),
        ("COUNCIL DISTRICT", "STEVENAGE BOROUGH", "E07000243"),
        ("Council district", "E07000101", "E07000243"),  # its former code: stored as the code in force
        ("Council district", "North Herts", "E07000099"),
        ("Council district", "n herts", "E07000099"),
        ("Council district", "St. Albans", "E07000240"),
        ("Council district", "Welwyn-Hatfield", "E07000241"),
    ],
)
def test_a_council_district_is_read_as_people_write_it_and_stored_as_its_ons_code(
    engine, tmp_path, header, written, code
):
    rows = [
        ["Postcode district", "Local authority", header],
        ["SG1", "hertfordshire", written],  # the council's name in any case
        ["SG2", "Hertfordshire", ""],
        ["LU1", "Luton", ""],
    ]
    report = lookup.import_lookup(engine, write_rows(tmp_path / "lookup.csv", rows), EDITOR)
    assert report.written, report.summary()
    assert sorted(dump(engine)["postcode_district"]) == [
        ("LU1", "Luton", None, None, None, None),
        ("SG1", "hertfordshire", None, None, None, code),
        ("SG2", "Hertfordshire", None, None, None, None),
    ]
    assert report.placed == 1
    assert report.summary().endswith(
        "1 district of 3 is placed in a council district (for the forecast's need by home district)."
    )


HERTS_DISTRICTS = (
    "Broxbourne, Dacorum, East Hertfordshire, Hertsmere, North Hertfordshire, St Albans, Stevenage, Three Rivers, "
    "Watford, Welwyn Hatfield"
)


@pytest.mark.parametrize(
    ("edits", "problem"),
    [
        (
            {(6, "Council district"): "Luton"},
            (
                6,
                "Council district",
                f"'Luton' is not one of Hertfordshire's districts ({HERTS_DISTRICTS}): write a district's name, short "
                "name or ONS code",
            ),
        ),
        (
            {(6, "Council district"): "E07000001"},
            (6, "Council district", f"'E07000001' is not one of Hertfordshire's districts ({HERTS_DISTRICTS}): "),
        ),
        (
            {(6, "Council district"): "Stevenage Town"},
            (6, "Council district", "'Stevenage Town' is not one of Hertfordshire's districts"),
        ),
        (
            {(6, "Council district"): "Hertfordshire"},
            (6, "Council district", "'Hertfordshire' is not one of Hertfordshire's districts"),
        ),
        ({(6, "Council district"): "Stevenage SG1 2AB"}, (6, "Council district", MESSAGE)),
        (
            {(5, "Council district"): "Stevenage"},
            (
                5,
                "Council district",
                "is given, but this row's local authority is Luton, not Hertfordshire: only the council's row of a "
                "postcode district names a council district: leave it blank",
            ),
        ),
        (
            # Whatever it says: on another authority's row, the cell is the fault.
            {(5, "Council district"): "Luton"},
            (5, "Council district", "is given, but this row's local authority is Luton, not Hertfordshire"),
        ),
        (
            # The county line crosses SG8: its Cambridgeshire row may not name a Hertfordshire district.
            {(7, "Council district"): "E07000099"},
            (7, "Council district", "is given, but this row's local authority is Cambridgeshire, not Hertfordshire"),
        ),
        (
            # "East Hertfordshire" is one of the council's districts, not the council.
            {(6, "Local authority"): "East Hertfordshire"},
            (6, "Council district", "is given, but this row's local authority is East Hertfordshire, not "),
        ),
    ],
    ids=[
        "another authority",
        "an unknown code",
        "a name not quite right",
        "the council itself",
        "a postcode",
        "on another authority's row",
        "anything on another authority's row",
        "on the other side of a split",
        "on a row of a district's own name",
    ],
)
def test_a_council_district_is_one_of_the_councils_on_the_councils_row(held, tmp_path, edits, problem):
    path = write_rows(tmp_path / "postcode_districts.csv", altered(held, tmp_path, edits))
    [(row, column, said)] = refused(held, path)
    assert (row, column) == problem[:2] and said.startswith(problem[2]), said


def test_a_council_district_fault_is_named_in_the_files_own_header(held, tmp_path):
    rows = [
        ["pcds", "LA", "District of the council"],
        ["SG1", "Hertfordshire", "Stevenage"],
        ["SG2", "Hertfordshire", "Nowhere"],
    ]
    [(row, column, said)] = refused(held, write_rows(tmp_path / "ons.csv", rows))
    assert (row, column) == (3, "District of the council") and said.startswith("'Nowhere' is not one of")


def test_district_alone_is_the_outward_code_not_the_council_district(held, tmp_path):
    rows = [["District", "Local authority"], ["Stevenage", "Hertfordshire"]]
    [(row, column, said)] = refused(held, write_rows(tmp_path / "lookup.csv", rows))
    assert (row, column) == (2, "District") and "is not a postcode district" in said


def test_the_export_of_council_districts_imports_back_unchanged(engine, tmp_path):
    rows = [
        ["Postcode district", "Local authority", "Share", "Council district"],
        ["SG8", "Hertfordshire", "60%", "North Herts"],
        ["SG8", "Cambridgeshire", "40%", ""],
        ["AL1", "HERTFORDSHIRE", "", "st albans"],
        ["EN11", "Hertfordshire", "", ""],
    ]
    assert lookup.import_lookup(engine, write_rows(tmp_path / "lookup.csv", rows), EDITOR).written
    stored = sorted(dump(engine)["postcode_district"])
    exported = table_file(engine, POSTCODE_DISTRICTS, SYSTEM)
    assert exported_rows(engine) == [
        HEADER,
        ["AL1", "HERTFORDSHIRE", "", "", "", "E07000240"],
        ["EN11", "Hertfordshire", "", "", "", ""],
        ["SG8", "Cambridgeshire", "0.4", "", "", ""],
        ["SG8", "Hertfordshire", "0.6", "", "", "E07000099"],
    ]
    (tmp_path / "postcode_districts.csv").write_bytes(exported)
    report = lookup.import_lookup(engine, tmp_path / "postcode_districts.csv", EDITOR)
    assert report.written and report.placed == 2, report.summary()
    assert sorted(dump(engine)["postcode_district"]) == stored
    assert table_file(engine, POSTCODE_DISTRICTS, SYSTEM) == exported
    with engine.connect() as connection:
        frame = lookup.lookup_frame(connection)
    assert frame["council_district"].fillna("").tolist() == ["E07000240", "", "", "E07000099"]
