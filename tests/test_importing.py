"""The importer: what it accepts, and that any fault refuses the whole file, names the row and column, and writes
nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.config import SEED_DIR
from dashboard.importing import ImportReport, TableCounts, import_path
from dashboard.layout import DECISIONS, PHASES, PROPERTIES
from dashboard.models import Phase, Property
from dashboard.roles import Actor, Role
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, write_csv

ANALYST = Actor(user="analyst", source="import test", role=Role.EDITOR)


def run_import(engine: Engine, path: Path, dry_run: bool = False) -> ImportReport:
    return import_path(engine, path, ANALYST, dry_run=dry_run, today=SEED_TODAY)


def stored_property(engine: Engine, reference: str) -> dict:
    """What the store holds for one property, in plain values."""
    with Session(engine) as session:
        prop = session.scalar(select(Property).where(Property.reference == reference))
        assert prop is not None, f"{reference} was not imported"
        return {
            "phase": prop.phase.name,
            "district": prop.district.name,
            "planned_beds": prop.planned_beds,
            "purchase_budget": prop.purchase_budget,
            "notes": prop.notes,
            "provenance": prop.provenance,
            "version": prop.version,
            "milestones": {m.stage_key: (m.planned_on, m.actual_on) for m in prop.milestones},
        }


def assert_imported(report: ImportReport, **created: int) -> None:
    assert report.ok, report.summary()
    assert report.written
    assert {name: counts.created for name, counts in report.counts.items()} == created


# ---------------------------------------------------------------- files that import


def test_csv_creates_the_property_with_its_milestones(engine, tmp_path):
    report = run_import(engine, write_csv(tmp_path / "properties.csv", [NEW_PROPERTY]))

    assert_imported(report, properties=1)
    assert stored_property(engine, "NEW-01") == {
        "phase": "Phase 2",
        "district": "North Hertfordshire",
        "planned_beds": 3,
        "purchase_budget": None,
        "notes": None,
        "provenance": "imported from properties.csv",
        "version": 1,
        "milestones": {
            "identified": (None, date(2025, 1, 6)),
            "offer_accepted": (None, date(2025, 2, 10)),
            "completion": (date(2025, 6, 30), None),
        },
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_each_encoding_keeps_pound_signs_and_accents(engine, tmp_path, encoding):
    row = {**NEW_PROPERTY, "Notes": "Café owner's £5 offer declined", "Purchase budget (£)": "£450,000"}
    path = write_csv(tmp_path / "tracker.csv", [row], encoding=encoding)
    if encoding == "cp1252":
        assert "£".encode("cp1252") in path.read_bytes()  # really not UTF-8

    assert_imported(run_import(engine, path), properties=1)
    stored = stored_property(engine, "NEW-01")
    assert stored["notes"] == "Café owner's £5 offer declined"
    assert stored["purchase_budget"] == 450_000


HEADER_STYLES: dict[str, Callable[[str], str]] = {
    "upper case": str.upper,
    "snake case": lambda header: header.lower().replace(" ", "_"),
    "padded title case": lambda header: f"  {header.title()} ",
}


@pytest.mark.parametrize("style", HEADER_STYLES.values(), ids=HEADER_STYLES.keys())
def test_headers_match_whatever_their_case_and_spacing(engine, tmp_path, style):
    row = {style(header): value for header, value in NEW_PROPERTY.items()}
    headers = [style(header) for header in PROPERTIES.headers]

    report = run_import(engine, write_csv(tmp_path / "properties.csv", [row], headers=headers))

    assert_imported(report, properties=1)
    assert stored_property(engine, "NEW-01")["planned_beds"] == 3


def test_headers_may_be_the_field_names(engine, tmp_path):
    headers = {"Reference": "reference", "Planned beds": "planned_beds", "Provision model": "provision_model"}
    row = {headers.get(header, header): value for header, value in NEW_PROPERTY.items()}
    columns = [headers.get(header, header) for header in PROPERTIES.headers]

    assert_imported(run_import(engine, write_csv(tmp_path / "p.csv", [row], headers=columns)), properties=1)


@pytest.mark.parametrize(
    ("written", "district"),
    [
        ("E07000100", "St Albans"),  # former ONS code
        ("E07000097", "East Hertfordshire"),  # former ONS code
        ("E07000242", "East Hertfordshire"),  # current ONS code
        ("North Herts", "North Hertfordshire"),
        ("St Albans City and District", "St Albans"),
        ("st. albans", "St Albans"),
        ("WELWYN HATFIELD", "Welwyn Hatfield"),
    ],
)
def test_district_found_by_code_or_common_name(engine, tmp_path, written, district):
    path = write_csv(tmp_path / "properties.csv", [{**NEW_PROPERTY, "District": written}])

    assert_imported(run_import(engine, path), properties=1)
    assert stored_property(engine, "NEW-01")["district"] == district


def test_actual_date_of_today_is_not_in_the_future(engine, tmp_path):
    row = {**NEW_PROPERTY, "Completion actual": SEED_TODAY.strftime("%d/%m/%Y")}

    assert_imported(run_import(engine, write_csv(tmp_path / "properties.csv", [row])), properties=1)
    assert stored_property(engine, "NEW-01")["milestones"]["completion"] == (date(2025, 6, 30), SEED_TODAY)


def test_dates_in_iso_and_day_month_year(engine, tmp_path):
    row = {**NEW_PROPERTY, "Identified actual": "06/01/2025", "Offer accepted actual": "2025-02-10"}

    assert_imported(run_import(engine, write_csv(tmp_path / "properties.csv", [row])), properties=1)
    milestones = stored_property(engine, "NEW-01")["milestones"]
    assert milestones["identified"] == (None, date(2025, 1, 6))
    assert milestones["offer_accepted"] == (None, date(2025, 2, 10))


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_with_decisions_phases_and_properties_sheets(engine, tmp_path):
    property_cells = {**NEW_PROPERTY, "Phase": "Phase 4", "Planned beds": 4, "Identified actual": datetime(2025, 1, 6)}
    path = write_workbook(
        tmp_path / "tracker.xlsx",
        {
            "guide": [["anything at all"]],
            "decisions": [DECISIONS.headers[:5], ["X12/26", "Phase 4 purchases", "Executive", "yes", "01/10/2026"]],
            "phases": [PHASES.headers[:4], ["Phase 4", datetime(2026, 10, 1), "2028-03-31", "X12/26"]],
            "properties": [PROPERTIES.headers, [property_cells.get(header) for header in PROPERTIES.headers]],
        },
    )

    report = run_import(engine, path)

    assert_imported(report, decisions=1, phases=1, properties=1)
    assert report.skipped_files == ["tracker.xlsx:guide"]
    with Session(engine) as session:
        phase = session.scalar(select(Phase).where(Phase.name == "Phase 4"))
        assert (phase.starts_on, phase.planned_end_on) == (date(2026, 10, 1), date(2028, 3, 31))
        assert phase.decision.decided_on == date(2026, 10, 1)
        assert phase.decision.key_decision is True
    stored = stored_property(engine, "NEW-01")
    assert (stored["phase"], stored["planned_beds"]) == ("Phase 4", 4)
    assert stored["milestones"]["identified"] == (None, date(2025, 1, 6))


def test_folder_imports_decisions_before_phases_before_properties(empty_engine, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    # Written in the "wrong" alphabetical order for dependencies: properties need phases need decisions.
    write_csv(folder / "properties.csv", [NEW_PROPERTY])
    write_csv(folder / "phases.csv", [{"Name": "Phase 2", "Decision reference": "B147/24"}], headers=PHASES.headers)
    write_csv(
        folder / "decisions.csv",
        [{"Reference": "B147/24", "Title": "Phase 2", "Type": "Executive", "Key decision": "Yes"}],
        headers=DECISIONS.headers,
    )
    write_csv(folder / "districts.csv", [{"Name": "not read"}], headers=["Name"])

    report = run_import(empty_engine, folder)

    assert_imported(report, decisions=1, phases=1, properties=1)
    assert report.skipped_files == ["districts.csv"]
    assert stored_property(empty_engine, "NEW-01")["phase"] == "Phase 2"


# ---------------------------------------------------------------- importing again


def test_importing_the_same_file_twice_changes_nothing_the_second_time(engine, tmp_path):
    path = write_csv(tmp_path / "properties.csv", [NEW_PROPERTY, {**NEW_PROPERTY, "Reference": "NEW-02"}])
    assert_imported(run_import(engine, path), properties=2)
    before = dump(engine)

    again = run_import(engine, path)

    assert again.ok
    assert again.counts == {"properties": TableCounts(created=0, updated=0, unchanged=2)}
    assert again.changes == []
    after = dump(engine)
    assert after["audit_log"] == before["audit_log"]  # no new audit rows
    assert after["property"] == before["property"]  # no version bumps
    assert after == before


def test_importing_the_seed_into_the_seeded_store_changes_nothing(shared_engine):
    before = dump(shared_engine)

    report = run_import(shared_engine, SEED_DIR)

    assert report.ok
    assert all(counts.created == counts.updated == 0 for counts in report.counts.values())
    assert dump(shared_engine) == before


def test_changed_row_is_updated_and_its_version_bumped(engine, tmp_path):
    run_import(engine, write_csv(tmp_path / "properties.csv", [NEW_PROPERTY]))

    report = run_import(engine, write_csv(tmp_path / "properties.csv", [{**NEW_PROPERTY, "Planned beds": "4"}]))

    assert report.counts == {"properties": TableCounts(created=0, updated=1, unchanged=0)}
    assert report.changes == ["properties NEW-01: changed"]
    stored = stored_property(engine, "NEW-01")
    assert (stored["planned_beds"], stored["version"]) == (4, 2)


def test_dry_run_reports_what_would_change_and_writes_nothing(shared_engine, tmp_path):
    before = dump(shared_engine)

    report = run_import(shared_engine, write_csv(tmp_path / "properties.csv", [NEW_PROPERTY]), dry_run=True)

    assert report.ok
    assert not report.written
    assert report.counts == {"properties": TableCounts(created=1, updated=0, unchanged=0)}
    assert "dry run" in report.summary()
    assert dump(shared_engine) == before


# ---------------------------------------------------------------- files that are refused, whole
# A refused file must leave the store exactly as it was, so these tests share one seeded store (and each checks it).


def assert_refused(engine: Engine, path: Path, *where: tuple[int | None, str | None]) -> ImportReport:
    """The import fails, names exactly these (row, column) places, and leaves every table as it was."""
    before = dump(engine)
    report = run_import(engine, path)
    assert not report.ok
    assert not report.written
    assert {(problem.row, problem.column) for problem in report.problems} == set(where), report.summary()
    for row, column in where:
        if row is not None:
            assert f"row {row}, {column}:" in report.summary()
    assert dump(engine) == before
    return report


GOOD_ROW = NEW_PROPERTY  # row 2 of each refused file; the bad row is row 3


@pytest.mark.parametrize(
    ("bad_cells", "column"),
    [
        pytest.param({"District": "Gotham"}, "District", id="unknown district"),
        pytest.param({"Planned beds": "0"}, "Planned beds", id="beds 0"),
        pytest.param({"Planned beds": "13"}, "Planned beds", id="beds 13"),
        pytest.param({"Planned beds": "2.5"}, "Planned beds", id="beds 2.5"),
        pytest.param({"Planned beds": "three"}, "Planned beds", id="beds three"),
        pytest.param({"Planned beds": ""}, "Planned beds", id="beds blank"),
        pytest.param({"Registered beds": "13"}, "Registered beds", id="registered beds 13"),
        pytest.param({"Completion actual": "31/02/2025"}, "Completion actual", id="impossible date"),
        pytest.param({"Survey planned": "next week"}, "Survey planned", id="not a date"),
        pytest.param({"Completion actual": "2026-11-26"}, "Completion actual", id="actual date in the future"),
        pytest.param({"Councillors informed": "26/11/2026"}, "Councillors informed", id="informed in the future"),
        pytest.param({"Completion actual": "2025-02-01"}, "Completion actual", id="completion before offer accepted"),
        pytest.param({"Notes": "near SG1 2AB"}, "Notes", id="postcode in notes"),
        pytest.param({"Reference": "SG1 2AB"}, "Reference", id="postcode as reference"),
        pytest.param({"Specialism": "al10 9ab"}, "Specialism", id="lower-case postcode"),
        pytest.param({"Phase": "Phase 9"}, "Phase", id="phase that does not exist"),
        pytest.param({"Provision model": "time-share"}, "Provision model", id="unknown provision model"),
        pytest.param({"Purchase cost (£)": "lots"}, "Purchase cost (£)", id="money not a number"),
        pytest.param({"Reference": "12 High Street, Stevenage!"}, "Reference", id="reference not a code"),
    ],
)
def test_bad_cell_refuses_the_whole_file(shared_engine, tmp_path, bad_cells, column):
    bad_row = {**NEW_PROPERTY, "Reference": "NEW-02", **bad_cells}
    path = write_csv(tmp_path / "properties.csv", [GOOD_ROW, bad_row])

    assert_refused(shared_engine, path, (3, column))


def test_one_good_row_and_one_bad_row_writes_nothing_at_all(shared_engine, tmp_path):
    bad_row = {**NEW_PROPERTY, "Reference": "NEW-02", "District": "Mars"}
    path = write_csv(tmp_path / "properties.csv", [GOOD_ROW, bad_row])

    assert_refused(shared_engine, path, (3, "District"))
    with Session(shared_engine) as session:
        assert session.scalar(select(Property).where(Property.reference == "NEW-01")) is None


def test_every_bad_row_is_named(shared_engine, tmp_path):
    rows = [
        {**NEW_PROPERTY, "Planned beds": "0"},
        {**GOOD_ROW, "Reference": "NEW-02"},
        {**NEW_PROPERTY, "Reference": "NEW-03", "Notes": "by WD17 1AA"},
    ]
    assert_refused(shared_engine, write_csv(tmp_path / "properties.csv", rows), (2, "Planned beds"), (4, "Notes"))


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param({"Planned beds": "15", "District": "Hitchen"}, id="beds and a misspelt district"),
        pytest.param({"Notes": "near SG1 2AB", "Planned beds": "0"}, id="a postcode hides nothing"),
        pytest.param({"Completion actual": "2025-02-01", "District": "Gotham"}, id="dates out of order and more"),
        pytest.param({"Phase": "Phase 9", "Registered beds": "13"}, id="a phase that does not exist and more"),
        pytest.param({"Reference": "NEW-01", "Purchase cost (£)": "lots"}, id="a repeated reference and more"),
    ],
)
def test_every_fault_of_a_row_is_named(shared_engine, tmp_path, faults):
    bad_row = {**NEW_PROPERTY, "Reference": "NEW-02", **faults}
    path = write_csv(tmp_path / "properties.csv", [GOOD_ROW, bad_row])

    assert_refused(shared_engine, path, *((3, column) for column in faults))


def test_repeated_reference_within_the_file(shared_engine, tmp_path):
    path = write_csv(tmp_path / "properties.csv", [GOOD_ROW, {**GOOD_ROW, "Planned beds": "4"}])

    report = assert_refused(shared_engine, path, (3, "Reference"))
    assert "first at row 2" in report.summary()


def test_missing_required_column(shared_engine, tmp_path):
    headers = [header for header in PROPERTIES.headers if header != "Planned beds"]

    path = write_csv(tmp_path / "properties.csv", [GOOD_ROW], headers=headers)
    assert_refused(shared_engine, path, (1, "Planned beds"))


def test_unknown_column(shared_engine, tmp_path):
    headers = [*PROPERTIES.headers, "Colour"]

    assert_refused(shared_engine, write_csv(tmp_path / "properties.csv", [GOOD_ROW], headers=headers), (1, "Colour"))


def test_phase_naming_a_decision_that_does_not_exist(shared_engine, tmp_path):
    row = {"Name": "Phase 4", "Decision reference": "Z99/99"}
    path = write_csv(tmp_path / "phases.csv", [row], headers=PHASES.headers)

    assert_refused(shared_engine, path, (2, "Decision reference"))


def test_postcode_in_a_decision_is_refused_too(shared_engine, tmp_path):
    row = {"Reference": "X1/26", "Title": "Buy a house at EN8 7XY", "Type": "Executive", "Key decision": "no"}

    assert_refused(shared_engine, write_csv(tmp_path / "decisions.csv", [row], headers=DECISIONS.headers), (2, "Title"))


def test_bad_row_in_an_xlsx_sheet_names_the_sheet_row_and_column(shared_engine, tmp_path):
    cells = {**NEW_PROPERTY, "Planned beds": 13}
    path = write_workbook(
        tmp_path / "tracker.xlsx", {"properties": [PROPERTIES.headers, [cells.get(h) for h in PROPERTIES.headers]]}
    )

    report = assert_refused(shared_engine, path, (2, "Planned beds"))
    assert report.problems[0].source == "tracker.xlsx:properties"


def unreadable(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("tracker.xlsx", b"Reference,Phase\nNEW-01,Phase 2\n", "not a readable Excel", id="fake xlsx"),
        pytest.param("tracker.pdf", b"%PDF-1.4", "import takes a .csv or .xlsx file", id="wrong file type"),
        pytest.param("properties.csv", b"", "no table found", id="empty csv"),
        pytest.param("properties.csv", b"\r\n , ,\r\n", "no table found", id="blank csv"),
    ],
)
def test_unreadable_file_is_a_problem_not_an_exception(shared_engine, tmp_path, name, content, message):
    report = assert_refused(shared_engine, unreadable(tmp_path, name, content), (None, None))

    assert message in report.summary()


def test_missing_path_is_a_problem_not_an_exception(shared_engine, tmp_path):
    report = assert_refused(shared_engine, tmp_path / "nowhere.csv", (None, None))

    assert "no such file" in report.summary()
