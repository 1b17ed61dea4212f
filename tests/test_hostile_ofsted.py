"""Ofsted's provider-level data, hostile: the real 2024 file altered in code (a value that is no whole number of
places, every fault in one row, the file cut short) is refused naming its file, row and column, nothing is written,
and the command line exits non-zero; a year is replaced by a far smaller file only when that is asked for."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard.market import held_totals, import_ofsted
from dashboard.roles import Actor, Role
from dashboard.uploads import KIND_BY_LABEL, run_upload
from tests.apptest import assert_page_ok, open_app
from tests.conftest import SHARED_DATA, dump

EDITOR = Actor("ann@herts.gov.uk", "test", Role.EDITOR)
REAL_2024 = SHARED_DATA / "ofsted" / "ofsted_csc_providers_at_31march2024.csv"
AS_AT = date(2024, 3, 31)
REAL_HOMES = 3151
KEPT_HOMES = 136  # the truncated file the issue saw


def real_rows() -> list[list[str]]:
    """The real file's rows (it is Windows-1252); its records hold no line breaks, so row i is the file's line i+1."""
    return list(csv.reader(io.StringIO(REAL_2024.read_bytes().decode("cp1252"))))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    """The rows as Ofsted saves them (Windows-1252), or as UTF-8 when they hold a character Windows-1252 has not."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    try:
        path.write_bytes(buffer.getvalue().encode("cp1252"))
    except UnicodeEncodeError:
        path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def is_home(cells: list[str], kind: int) -> bool:
    return cells[kind].lower() == "children's home"  # the file writes "Children's home" and "Children's Home"


def column(rows: list[list[str]], header: str) -> int:
    return rows[3].index(header)  # three title and note rows, then the header


def hertfordshire_home(rows: list[list[str]]) -> int:
    """The index of the file's first children's home in Hertfordshire."""
    kind, la = column(rows, "Provision type"), column(rows, "Local authority")
    return next(i for i, cells in enumerate(rows) if is_home(cells, kind) and cells[la] == "Hertfordshire")


def with_cells(tmp_path: Path, **cells: str) -> tuple[Path, int]:
    """The real file with one Hertfordshire home's cells changed (header -> text), and that row's line number."""
    rows = real_rows()
    index = hertfordshire_home(rows)
    for header, value in cells.items():
        rows[index][column(rows, header.replace("_", " "))] = value
    return write_rows(tmp_path / "ofsted_csc_providers_at_31march2024.csv", rows), index + 1


def cut_short(tmp_path: Path, homes: int = KEPT_HOMES) -> Path:
    """The real file stopped after its first `homes` children's homes, as a download that broke off would be."""
    rows, kept = real_rows(), 0
    kind = column(rows, "Provision type")
    for end, cells in enumerate(rows[4:], start=4):
        kept += is_home(cells, kind)
        if kept == homes:
            return write_rows(tmp_path / "ofsted_csc_providers_at_31march2024.csv", rows[: end + 1])
    raise AssertionError("the file holds fewer homes")


@pytest.fixture(scope="module")
def held_2024(shared_engine: Engine) -> Engine:
    """The shared store with the real 2024 year held, as every test here finds it and must leave it."""
    report = import_ofsted(shared_engine, REAL_2024, EDITOR)
    assert report.written and report.homes == REAL_HOMES, report.summary()
    return shared_engine


# ---------------------------------------------------------------- values exactly as written, or refused


@pytest.mark.parametrize(
    ("places", "message"),
    [
        ("1e5", "'1e5' is not a whole number"),  # was taken as 100,000
        ("1e19", "'1e19' is not a whole number"),  # was wrapped to a negative total, the authority dropped
        ("201", "201 places is outside 0 to 200"),
        ("-3", "'-3' is not a whole number"),
        ("3.5", "'3.5' is not a whole number"),
        ("1,2,3", "'1,2,3' is not a whole number"),
        ("inf", "'inf' is not a whole number"),
        ("９", "'９' is not a whole number"),  # a full-width digit
        ("9" * 5000, "digits: far too large"),
    ],
    ids=["1e5", "1e19", "over 200", "negative", "fraction", "misplaced commas", "inf", "full-width", "5000 digits"],
)
def test_places_that_are_no_whole_number_of_places_are_refused(held_2024, tmp_path, places, message):
    path, line = with_cells(tmp_path, Places=places)
    before = dump(held_2024)

    report = import_ofsted(held_2024, path, EDITOR)

    assert not report.written
    assert [(p.source, p.row, p.column) for p in report.problems] == [(path.name, line, "Places")]
    assert message in report.problems[0].message
    assert len(report.summary()) < 1_000  # a refusal does not repeat a whole cell
    assert dump(held_2024) == before


def test_every_fault_in_a_row_is_named(held_2024, tmp_path):
    cells = {
        "Local_authority": "Hertford" * 13,
        "Places": "lots",
        "Overall experiences and progress of children and young people": "Meh",
    }
    path, line = with_cells(tmp_path, **cells)
    before = dump(held_2024)

    report = import_ofsted(held_2024, path, EDITOR)

    assert [(p.row, p.column) for p in report.problems] == [
        (line, "Local authority"),
        (line, "Places"),
        (line, "Overall experiences and progress of children and young people"),
    ]
    assert [p.message for p in report.problems] == [
        "is 104 characters long: at most 100",
        "'lots' is not a whole number: write digits, with commas only between thousands",
        "unknown rating 'Meh'; expected: Outstanding, Good, Requires improvement to be good, Inadequate, "
        "Not yet inspected",
    ]
    assert dump(held_2024) == before


def test_a_urn_given_to_two_homes_is_refused_naming_both_rows(held_2024, tmp_path):
    rows = real_rows()
    kind, urn = column(rows, "Provision type"), column(rows, "URN")
    first = next(i for i, cells in enumerate(rows) if is_home(cells, kind))
    path, line = with_cells(tmp_path, URN=rows[first][urn])
    before = dump(held_2024)

    report = import_ofsted(held_2024, path, EDITOR)

    assert [(p.row, p.column) for p in report.problems] == [(line, "URN")]
    assert report.problems[0].message == f"'{rows[first][urn]}' is repeated (first at row {first + 1})"
    assert dump(held_2024) == before


def test_a_control_character_in_an_authority_is_refused(held_2024, tmp_path):
    path, line = with_cells(tmp_path, Local_authority="Hertford\x07shire")
    before = dump(held_2024)
    report = import_ofsted(held_2024, path, EDITOR)
    assert [(p.row, p.column) for p in report.problems] == [(line, "Local authority")]
    assert "control character (U+0007" in report.problems[0].message
    assert dump(held_2024) == before


def test_200_places_a_home_sum_exactly(engine, tmp_path):
    rows = real_rows()
    kind, places = column(rows, "Provision type"), column(rows, "Places")
    for cells in rows[4:]:
        if is_home(cells, kind):
            cells[places] = "200"
    report = import_ofsted(engine, write_rows(tmp_path / "ofsted_2024.csv", rows), EDITOR)
    assert report.written, report.summary()
    assert (report.homes, report.places) == (REAL_HOMES, REAL_HOMES * 200)
    assert held_totals(engine, AS_AT) == (REAL_HOMES, REAL_HOMES * 200)


# ---------------------------------------------------------------- a year held is not replaced by a file cut short


def test_a_file_cut_short_does_not_replace_the_year_held(held_2024, tmp_path):
    before = dump(held_2024)

    report = import_ofsted(held_2024, cut_short(tmp_path), EDITOR)

    assert not report.written and len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.row, problem.column) == (None, None)
    assert f"the file counts {KEPT_HOMES} children's homes" in problem.message
    assert f"count {REAL_HOMES:,} homes" in problem.message
    assert "--replace" in problem.message and "Replace the year held" in problem.message
    assert dump(held_2024) == before


def test_the_threshold_is_nine_tenths_of_the_homes_held(engine, tmp_path):
    assert import_ofsted(engine, REAL_2024, EDITOR).written
    at_the_line = -(-REAL_HOMES * 9 // 10)  # 2,836: the fewest homes that still replace the year
    assert not import_ofsted(engine, cut_short(tmp_path, at_the_line - 1), EDITOR, dry_run=True).ok
    dry = import_ofsted(engine, cut_short(tmp_path, at_the_line), EDITOR, dry_run=True)
    # The places can fall short even when the homes do not: a file cut here has fewer places than 90% of those held.
    assert dry.homes == at_the_line
    assert dry.ok == (dry.places * 10 >= held_totals(engine, AS_AT)[1] * 9), dry.summary()


def test_a_header_only_file_never_replaces_the_year(held_2024, tmp_path):
    before = dump(held_2024)
    report = import_ofsted(held_2024, write_rows(tmp_path / "ofsted_2024.csv", real_rows()[:4]), EDITOR)
    assert not report.written and [p.message for p in report.problems] == ["no children's homes found"]
    assert dump(held_2024) == before


def test_the_command_line_refuses_then_replaces_when_asked(engine, run_cli, tmp_path):
    assert import_ofsted(engine, REAL_2024, EDITOR).written
    before = dump(engine)
    short = cut_short(tmp_path)

    refused = run_cli("import-ofsted", short)

    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"{KEPT_HOMES} children's homes" in refused.stderr and f"{REAL_HOMES:,} homes" in refused.stderr
    assert dump(engine) == before

    replaced = run_cli("import-ofsted", short, "--replace")

    assert replaced.returncode == 0, replaced.stderr
    assert held_totals(engine, AS_AT)[0] == KEPT_HOMES


def test_the_command_line_refuses_a_bad_cell_with_its_row_and_column(engine, run_cli, tmp_path):
    path, line = with_cells(tmp_path, Places="1e19")
    before = dump(engine)
    result = run_cli("import-ofsted", path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path.name}, row {line}, Places: '1e19' is not a whole number" in result.stderr
    assert dump(engine) == before


def test_an_upload_replaces_the_year_only_when_ticked(held_2024, tmp_path):
    kind, data = KIND_BY_LABEL["Ofsted provider-level data"], cut_short(tmp_path).read_bytes()
    before = dump(held_2024)
    for dry_run in (True, False):
        report = run_upload(kind, held_2024, "ofsted_2024.csv", data, EDITOR, dry_run=dry_run, today=AS_AT)
        assert not report.ok and "Replace the year held" in report.summary()
    assert run_upload(kind, held_2024, "ofsted_2024.csv", data, EDITOR, dry_run=True, today=AS_AT, replace=True).ok
    assert dump(held_2024) == before


def test_the_import_page_offers_the_tick_box_and_writes_only_with_it(monkeypatch, store_url, engine, tmp_path):
    assert import_ofsted(engine, REAL_2024, EDITOR).written
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/import.py").run()
    at.radio(key="import-kind").set_value("Ofsted provider-level data").run()
    before = dump(engine)

    at.file_uploader[0].set_value(("ofsted_2024.csv", cut_short(tmp_path).read_bytes(), "text/csv")).run()

    assert_page_ok(at)
    assert "cannot be imported" in at.error[0].value
    [problem] = at.dataframe[0].value.to_dict("records")
    assert f"{REAL_HOMES:,} homes" in problem["Problem"]
    assert not [b for b in at.button if b.label.startswith("Import ")]
    at.checkbox(key="import-replace").check().run()
    assert_page_ok(at)
    assert dump(engine) == before
    [confirm] = [b for b in at.button if b.label == "Import ofsted_2024.csv"]
    confirm.click().run()
    assert_page_ok(at)
    assert held_totals(engine, AS_AT)[0] == KEPT_HOMES
