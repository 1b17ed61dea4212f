"""Real-world hostile programme files, built from the project's own export: the seeded store's decisions, phases and
properties written by `export`, a cell or a row altered as people (and other systems) do, and imported back. Each
is refused naming its file, its row and its column, in words (never an exception's name, never SQL), and leaves
the store exactly as it was; or, for what is fine, goes in exactly as written."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import importing
from dashboard.exporting import export_table
from dashboard.importing import ImportReport, import_path
from dashboard.layout import DECISIONS, PHASES, PROPERTIES, STAGE_COLUMNS, Layout
from dashboard.models import Property
from dashboard.roles import Actor, Role
from dashboard.values import NOTES_LENGTH
from tests.conftest import SEED_TODAY, dump, write_csv

EDITOR = Actor("ed@herts.gov.uk", "test", Role.EDITOR)
ANALYST = Actor("ann@herts.gov.uk", "test", Role.ANALYST)  # may export property-level tables
# What a user must never be shown: an exception's name, a traceback, the database's SQL.
INTERNALS = re.compile(r"[a-z](?:Error|Exception)\b|Traceback|INSERT INTO|UPDATE \w+ SET|\[SQL|sqlite3|psycopg")
ROW = 3  # the exported row each case alters (a file's row 4: the header is row 1)


def exported(engine, layout: Layout, folder: Path) -> list[dict[str, str]]:
    """The layout's rows as `export` writes them, read back as a spreadsheet user would see them."""
    path = folder / f"{layout.name}.csv"
    with path.open("wb") as handle:
        export_table(engine, layout, handle, ANALYST)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def export(shared_engine, tmp_path_factory) -> dict[str, list[dict[str, str]]]:
    folder = tmp_path_factory.mktemp("export")
    return {layout.name: exported(shared_engine, layout, folder) for layout in (DECISIONS, PHASES, PROPERTIES)}


def altered(export: dict, layout: Layout, changes: dict[int, dict[str, str]], folder: Path) -> Path:
    """The layout's export with the cells of some rows (by index) changed, written as `layout.csv`."""
    rows = [{**row, **changes.get(index, {})} for index, row in enumerate(export[layout.name])]
    return write_csv(folder / f"{layout.name}.csv", rows, headers=layout.headers)


def assert_refused(engine, path: Path, *where: tuple[int | None, str | None], saying: str = "") -> ImportReport:
    """Refused, naming exactly these (row, column) places, saying `saying`, in words; the store unchanged."""
    before = dump(engine)
    report = import_path(engine, path, EDITOR, today=SEED_TODAY)
    summary = report.summary()
    assert not report.ok and not report.written, summary
    assert {(problem.row, problem.column) for problem in report.problems} == set(where), summary
    assert all(problem.source == path.name for problem in report.problems), summary
    assert saying in summary
    assert not INTERNALS.search(summary), summary
    assert dump(engine) == before
    return report


def test_the_export_imports_back_changing_nothing(shared_engine, export, tmp_path):
    before = dump(shared_engine)
    for layout in (DECISIONS, PHASES, PROPERTIES):
        report = import_path(shared_engine, altered(export, layout, {}, tmp_path), EDITOR, today=SEED_TODAY)
        assert report.ok and report.counts[layout.name].unchanged == len(export[layout.name]), report.summary()
    assert dump(shared_engine) == before


# ---------------------------------------------------------------- exact values or a refusal

CELLS = [
    pytest.param("Purchase budget (£)", "£1,2,3", "'£1,2,3' is not an amount in pounds", id="misplaced separators"),
    pytest.param(
        "Purchase cost (£)", "4GBP50,000", "'4GBP50,000' is not an amount in pounds", id="currency in the middle"
    ),
    pytest.param("Refurbishment cost (£)", "9007199254740993", "outside £0 to £50,000,000", id="money past a float"),
    pytest.param(
        "Planned beds", "9007199254740993", "9,007,199,254,740,993 beds is outside 1 to 12", id="beds beyond a float"
    ),
    pytest.param("Planned beds", "1e5", "'1e5' is not a whole number", id="exponent"),
    pytest.param("Registered beds", "inf", "'inf' is not a whole number", id="infinity"),
    pytest.param("Purchase budget (£)", "1e400", "'1e400' is not an amount in pounds", id="overflowing float"),
    pytest.param("Planned beds", "9" * 400, "has 400 digits: far too large", id="400 digits"),
    pytest.param("Planned beds", "-3", "'-3' is not a whole number", id="negative beds"),
    pytest.param("Purchase cost (£)", "£450,000.50", "has pence", id="pence"),
    pytest.param("Specialism", "x" * 5_000, "is 5,000 characters long: at most 100", id="specialism beyond its column"),
    pytest.param("Notes", "x" * (NOTES_LENGTH + 1), f"at most {NOTES_LENGTH:,}", id="notes beyond their length"),
    pytest.param("Phase", "P" * 101, "at most 100", id="phase name beyond its column"),
    pytest.param("Provenance", "p" * 201, "at most 200", id="provenance beyond its column"),
    pytest.param("Reference", "R" * 41, "at most 40", id="reference beyond its column"),
    pytest.param("Notes", "bell\x07", "control character (U+0007", id="control character"),
    pytest.param("Specialism", "evil\u202etxt", "RIGHT-TO-LEFT OVERRIDE", id="bidirectional override"),
]


@pytest.mark.parametrize(("column", "cell", "message"), CELLS)
def test_a_value_that_cannot_be_kept_exactly_is_refused_in_words(
    shared_engine, export, tmp_path, column, cell, message
):
    path = altered(export, PROPERTIES, {ROW: {column: cell}}, tmp_path)

    report = assert_refused(shared_engine, path, (ROW + 2, column), saying=message)
    assert len(report.summary()) < 1_000  # a refusal quotes what was written, never a whole huge cell


@pytest.mark.parametrize(
    ("layout", "column", "cell", "message"),
    [
        pytest.param(DECISIONS, "Title", "t" * (NOTES_LENGTH + 1), f"at most {NOTES_LENGTH:,}", id="decision title"),
        pytest.param(DECISIONS, "Executive member", "m" * 201, "at most 200", id="executive member"),
        pytest.param(DECISIONS, "Portfolio", "tab\x0bbed", "control character (U+000B", id="vertical tab"),
        pytest.param(PHASES, "Name", "N" * 101, "at most 100", id="phase name"),
        pytest.param(PHASES, "Decision reference", "D" * 41, "at most 40", id="decision reference"),
    ],
)
def test_decisions_and_phases_take_the_same_grammar(shared_engine, export, tmp_path, layout, column, cell, message):
    path = altered(export, layout, {0: {column: cell}}, tmp_path)

    assert_refused(shared_engine, path, (2, column), saying=message)


def test_text_is_stored_nfc_normalised(engine, export, tmp_path):
    decomposed = "Cafe\u0301 owners\u2019 step-down"  # an "e" and a combining accent, as some systems write it
    path = altered(export, PROPERTIES, {ROW: {"Specialism": decomposed}}, tmp_path)

    report = import_path(engine, path, EDITOR, today=SEED_TODAY)

    assert report.ok and report.counts["properties"].updated == 1, report.summary()
    reference = export["properties"][ROW]["Reference"]
    with Session(engine) as session:
        stored = session.scalar(select(Property.specialism).where(Property.reference == reference))
    assert stored == "Caf\u00e9 owners\u2019 step-down"


# ---------------------------------------------------------------- every fault of a row, once per field


def test_every_fault_of_a_row_is_named_once_per_column(shared_engine, export, tmp_path):
    faults = {
        "Planned beds": "15",
        "District": "Hitchen",
        "Phase": "Phase 9",
        "Notes": "near SG1 2AB",
        "Purchase budget (£)": "£1,2,3",
        "Specialism": "x" * 101,
        "Legal planned": "2025-01-01",  # before the survey, planned below
        "Completion actual": "2099-01-01",  # not yet happened
    }
    no_dates = {column.header: "" for column in STAGE_COLUMNS}
    path = altered(export, PROPERTIES, {ROW: {**no_dates, "Survey planned": "2025-03-01", **faults}}, tmp_path)

    report = assert_refused(shared_engine, path, *((ROW + 2, column) for column in faults))
    by_column = {problem.column: problem.message for problem in report.problems}
    assert by_column["District"].startswith("unknown district 'Hitchen'")
    assert by_column["Phase"] == "no phase 'Phase 9': add it to phases first"
    assert "stages out of order" in by_column["Legal planned"]
    assert "is in the future" in by_column["Completion actual"]
    columns = [problem.column for problem in report.problems]
    assert columns == sorted(columns, key=PROPERTIES.headers.index)  # in the order of the file's columns


def test_a_field_with_two_faults_is_named_once(shared_engine, export, tmp_path):
    path = altered(export, PROPERTIES, {ROW: {"District": "near SG1 2AB, nowhere"}}, tmp_path)  # a postcode, unknown

    report = assert_refused(shared_engine, path, (ROW + 2, "District"), saying="looks like a postcode")
    assert len(report.problems) == 1


def test_faults_in_several_rows_and_tables_are_all_named(shared_engine, export, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    altered(export, DECISIONS, {0: {"Key decision": "perhaps"}}, folder)
    altered(export, PHASES, {1: {"Planned end": "31/02/2027"}}, folder)
    altered(export, PROPERTIES, {0: {"Planned beds": "0"}, 5: {"District": "Gotham", "Registered beds": "two"}}, folder)

    report = import_path(shared_engine, folder, EDITOR, today=SEED_TODAY)

    assert {(problem.source, problem.row, problem.column) for problem in report.problems} == {
        ("decisions.csv", 2, "Key decision"),
        ("phases.csv", 3, "Planned end"),
        ("properties.csv", 2, "Planned beds"),
        ("properties.csv", 7, "District"),
        ("properties.csv", 7, "Registered beds"),
    }, report.summary()


# ---------------------------------------------------------------- one identity, whatever the capitals


def test_a_reference_in_other_capitals_is_refused_naming_the_one_held(shared_engine, export, tmp_path):
    held = export["properties"][ROW]["Reference"]
    path = altered(export, PROPERTIES, {ROW: {"Reference": f"  {held.lower()} "}}, tmp_path)

    assert_refused(
        shared_engine,
        path,
        (ROW + 2, "Reference"),
        saying=f"'{held.lower()}' is {held} written in other capitals: write it as {held}",
    )


def test_two_rows_of_a_file_that_differ_only_in_capitals_are_refused(shared_engine, export, tmp_path):
    new = {**export["properties"][ROW], "Reference": "RS-NEW-01"}
    rows = [*export["properties"], new, {**new, "Reference": "rs-new-01"}]
    path = write_csv(tmp_path / "properties.csv", rows)

    last = len(rows) + 1
    assert_refused(
        shared_engine,
        path,
        (last, "Reference"),
        saying=f"'rs-new-01' is RS-NEW-01 (row {last - 1}) written in other capitals",
    )


def test_a_decision_or_phase_key_in_other_capitals_is_refused(shared_engine, export, tmp_path):
    decision = export["decisions"][0]["Reference"]
    phase = export["phases"][0]["Name"]
    folder = tmp_path / "both"
    folder.mkdir()
    altered(export, DECISIONS, {0: {"Reference": decision.lower()}}, folder)
    altered(export, PHASES, {0: {"Name": phase.upper()}}, folder)

    report = import_path(shared_engine, folder, EDITOR, today=SEED_TODAY)

    assert {(p.source, p.row, p.column, p.message) for p in report.problems} == {
        ("decisions.csv", 2, "Reference", importing.in_other_capitals(decision.lower(), decision)),
        ("phases.csv", 2, "Name", importing.in_other_capitals(phase.upper(), phase)),
    }, report.summary()
    assert f"'{phase.upper()}' is {phase} written in other capitals: write it as {phase}" in report.summary()


def test_a_name_pointing_at_a_key_in_other_capitals_says_how_it_is_written(shared_engine, export, tmp_path):
    phase = export["properties"][ROW]["Phase"]
    path = altered(export, PROPERTIES, {ROW: {"Phase": phase.lower()}}, tmp_path)

    assert_refused(shared_engine, path, (ROW + 2, "Phase"), saying=f"no phase '{phase.lower()}': write it as {phase}")


def test_the_store_itself_refuses_a_second_key_in_other_capitals_and_says_so_in_words(
    shared_engine, export, tmp_path, monkeypatch
):
    """Past the importer's own check (as another way in would be), the database's index refuses the row; the report
    names the file, row and key, never the SQL or the database's message."""
    monkeypatch.setattr(importing, "key_problems", lambda *_: [])
    held = export["properties"][ROW]["Reference"]
    path = altered(export, PROPERTIES, {ROW: {"Reference": held.lower()}}, tmp_path)

    refusal = f"the store refused the change to properties '{held.lower()}': nothing was imported"
    assert_refused(shared_engine, path, (ROW + 2, "Reference"), saying=refusal)


def test_a_property_changed_by_someone_else_during_the_import_refuses_it_naming_the_row(engine, export, tmp_path):
    """Bob saves the property in the instant between the import's checks and its write of that row: the version
    check refuses the import, naming the row, where a raw StaleDataError was shown before; Bob's change stands."""
    from sqlalchemy import event

    from dashboard import editing

    reference = export["properties"][ROW]["Reference"]
    path = altered(export, PROPERTIES, {ROW: {"Notes": "Ann's note"}}, tmp_path)
    bob = Actor("bob@herts.gov.uk", "app", Role.EDITOR)
    bobs = editing.open_property(engine, reference)
    fired: list[bool] = []

    def bob_saves_first(session, _context, _instances):
        if session.info.get("actor") is EDITOR and not fired:
            fired.append(True)
            editing.save_property(engine, bob, bobs, {**bobs.values, "specialism": "16+"}, SEED_TODAY)

    event.listen(Session, "before_flush", bob_saves_first)
    try:
        report = import_path(engine, path, EDITOR, today=SEED_TODAY)
    finally:
        event.remove(Session, "before_flush", bob_saves_first)

    assert fired and not report.written
    assert [(p.row, p.column) for p in report.problems] == [(ROW + 2, "Reference")], report.summary()
    assert f"properties '{reference}' was changed by someone else meanwhile: nothing was imported" in report.summary()
    assert not INTERNALS.search(report.summary())
    stored = editing.open_property(engine, reference).values
    assert (stored["specialism"], stored["notes"]) == ("16+", export["properties"][ROW]["Notes"] or None)
