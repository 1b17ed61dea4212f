"""The postcode-district lookup, hostile: the project's own export of it altered in code (no rows, a district that is
more or less than an outward code, an authority too long or holding a control character, several faults in a row,
a district given for two authorities) is refused naming its file, row and column, the lookup held is kept, and the
command line exits non-zero."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard import lookup
from dashboard.exporting import table_file
from dashboard.layout import POSTCODE_DISTRICTS
from dashboard.roles import SYSTEM, Actor, Role
from tests.conftest import dump

EDITOR = Actor("ann@herts.gov.uk", "test", Role.EDITOR)
HELD = [
    ("AL1", "Hertfordshire"),
    ("AL10", "Hertfordshire"),
    ("EN11", "Hertfordshire"),
    ("LU1", "Luton"),
    ("SG1", "Hertfordshire"),
    ("WD17", "Hertfordshire"),
]


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
    write_rows(path, [["Postcode district", "Local authority"], *map(list, HELD)])
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
    assert rows[1:] == [list(pair) for pair in HELD]
    report = lookup.import_lookup(held, write_rows(tmp_path / "postcode_districts.csv", rows), EDITOR, dry_run=True)
    assert report.ok and report.codes == len(HELD), report.summary()


@pytest.mark.parametrize(
    "body",
    [[], [[""], [" ", ""]]],
    ids=["header only", "header and blank lines"],
)
def test_a_file_with_no_rows_never_replaces_the_lookup_held(held, tmp_path, body):
    path = write_rows(tmp_path / "postcode_districts.csv", [exported_rows(held)[0], *body])
    kept = f"the file has no rows: the lookup held ({len(HELD)} districts) is kept"
    assert refused(held, path) == [(None, None, kept)]


def test_an_empty_file_never_replaces_the_lookup_held(held, tmp_path):
    path = tmp_path / "postcode_districts.csv"
    path.write_bytes(b"")
    [(row, column, message)] = refused(held, path)
    assert (row, column) == (None, None) and f"the lookup held ({len(HELD)} districts) is kept" in message


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
    assert dump(engine)["postcode_district"] == sorted((district.upper(), "Somewhere") for district in districts)


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
    rows = [["pcds", "LAD name"], ["SG1", "Hertfordshire"], ["SG1 2AB", "X" * 101], ["SG1", "Luton"]]
    assert refused(held, write_rows(tmp_path / "ons.csv", rows)) == [
        (
            3,
            "pcds",
            "'SG1 2AB' is not a postcode district such as SG1 or AL10 (the first half of a postcode, and nothing else)",
        ),
        (3, "LAD name", "is 101 characters long: at most 100"),
        (4, "pcds", "'SG1' is given twice: for Hertfordshire on row 2, and for Luton"),
    ]


def test_the_command_line_refuses_a_header_only_file(engine, run_cli, tmp_path):
    write_rows(tmp_path / "lookup.csv", [["Postcode district", "Local authority"], *map(list, HELD)])
    assert lookup.import_lookup(engine, tmp_path / "lookup.csv", EDITOR).written
    before = dump(engine)
    path = write_rows(tmp_path / "postcode_districts.csv", exported_rows(engine)[:1])

    result = run_cli("import-lookup", path)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"postcode_districts.csv: the file has no rows: the lookup held ({len(HELD)} districts) is kept" in (
        result.stderr
    )
    assert dump(engine) == before


def test_blank_lines_above_the_header_count_as_rows_of_the_file(held, tmp_path):
    path = write_rows(
        tmp_path / "lookup.csv",
        [[], ["Postcode district", "Local authority"], ["SG1", "Herts"], ["SG1 2", "Hertfordshire"]],
    )
    assert [(row, column) for row, column, _ in refused(held, path)] == [(4, "Postcode district")]
