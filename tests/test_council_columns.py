"""Files that say whose each row is: in a store of several councils the exported decisions, phases, properties and
briefing packs carry the council (its name and ONS code) first; a file imported may carry them too, and is then one
council's throughout, refused naming row and column otherwise, with nothing written."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard import exporting
from dashboard.briefing.packs import record_pack
from dashboard.councils import add_council
from dashboard.exporting import export_all, table_file
from dashboard.importing import TableCounts, import_path
from dashboard.layout import COUNCIL_COLUMNS, DECISIONS, EXPORT_LAYOUTS, PHASES, PROPERTIES
from dashboard.roles import SYSTEM
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, plain_sql, sqlite_only, write_csv
from tests.test_councils import EDITOR, add_northmarsh_programme, council_file, northmarsh_programme, two_councils  # noqa: F401

HERTS, NORTH = "E10000015", "E10000901"
WHOSE = [column.header for column in COUNCIL_COLUMNS]  # ["Council", "Council ONS code"]
NAMED = {DECISIONS.name, PHASES.name, PROPERTIES.name, "briefing_packs"}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture
def region(northmarsh_programme: Engine, tmp_path: Path) -> Engine:  # noqa: F811 (the fixture imported)
    """Hertfordshire's seed beside Northmarsh's programme, with a decision of Northmarsh's (the seed's decisions are
    Hertfordshire's) and a briefing pack of each."""
    folder = tmp_path / "northmarsh-decision"
    folder.mkdir()
    decision = {"Reference": "NM/1", "Title": "Buy homes", "Type": "Executive", "Key decision": "Yes"}
    write_csv(folder / "decisions.csv", [decision], DECISIONS.headers)
    report = import_path(northmarsh_programme, folder, EDITOR, today=SEED_TODAY, council=NORTH)
    assert report.ok, report.summary()
    for council, hour in ((HERTS, 9), (NORTH, 10)):
        made_at = datetime(2026, 11, 2, hour)
        record_pack(northmarsh_programme, SYSTEM, SEED_TODAY, date(2026, 10, 1), None, made_at, council)
    return northmarsh_programme


# What each named file's rows are, by independent SQL: (council's name, its ONS code, the row's key).
WHOSE_BY_SQL = {
    DECISIONS.name: (
        "SELECT c.name, c.ons_code, d.reference FROM decision d JOIN council c ON d.council_id = c.id",
        "Reference",
    ),
    PHASES.name: (
        "SELECT c.name, c.ons_code, p.name FROM phase p JOIN strategy s ON p.strategy_id = s.id "
        "JOIN council c ON s.council_id = c.id",
        "Name",
    ),
    PROPERTIES.name: (
        "SELECT c.name, c.ons_code, p.reference FROM property p JOIN district d ON p.district_id = d.id "
        "JOIN council c ON d.council_id = c.id",
        "Reference",
    ),
    "briefing_packs": (
        "SELECT c.name, c.ons_code, substr(CAST(b.made_at AS TEXT), 1, 19) FROM briefing_pack b "
        "JOIN council c ON b.council_id = c.id",
        "Made at (UTC)",
    ),
}


# ---------------------------------------------------------------- export


def test_the_every_council_export_says_whose_each_row_is_as_the_store_holds_it(region, store_url, tmp_path):
    folder = tmp_path / "export"
    export_all(region, folder, SYSTEM)

    for name, (sql, key) in WHOSE_BY_SQL.items():
        layout = next(layout for layout in EXPORT_LAYOUTS if layout.name == name)
        assert header(folder / f"{name}.csv") == WHOSE + layout.headers, name
        written = sorted(
            (row["Council"], row["Council ONS code"], row[key]) for row in read_rows(folder / f"{name}.csv")
        )
        held = sorted(tuple(str(value) for value in row) for row in plain_sql(store_url, sql))
        assert written == held, name
        assert {code for _, code, _ in written} == {HERTS, NORTH}, name
    # "Phase 1" is both councils': only the Council columns tell the two rows apart.
    phases = [(row["Council ONS code"], row["Name"]) for row in read_rows(folder / "phases.csv")]
    assert (HERTS, "Phase 1") in phases and (NORTH, "Phase 1") in phases
    # The files named by a property's reference (no two councils share one) keep their columns.
    assert header(folder / "milestones.csv")[0] == "Reference"
    # The data dictionary lists the columns as written.
    dictionary = read_rows(folder / "data_dictionary.csv")
    for path in folder.iterdir():
        assert header(path) == [row["Column"] for row in dictionary if row["File"] == path.name], path.name
    imported = {(row["File"], row["Column"]): row["Read by import"] for row in dictionary}
    assert imported[("properties.csv", "Council")] == "yes"
    assert imported[("briefing_packs.csv", "Council ONS code")].startswith("no")


def test_a_councils_own_files_in_a_store_of_several_say_whose_they_are_too(region, tmp_path):
    export_all(region, tmp_path, SYSTEM, council=NORTH)

    for name in NAMED:
        rows = read_rows(tmp_path / f"{name}.csv")
        assert rows and {(row["Council"], row["Council ONS code"]) for row in rows} == {("Northmarsh", NORTH)}, name


def test_a_store_of_one_council_writes_the_files_it_always_has(engine, tmp_path):
    export_all(engine, tmp_path, SYSTEM)
    for layout in EXPORT_LAYOUTS:
        assert header(tmp_path / f"{layout.name}.csv") == layout.headers, layout.name
    assert table_file(engine, PROPERTIES, SYSTEM).startswith(b'\xef\xbb\xbf"Reference","Phase"')


@sqlite_only  # the SQLite fast path; elsewhere the export converts value by value
@pytest.mark.parametrize("council", [None, NORTH])
def test_the_files_made_by_sqlite_equal_the_value_by_value_ones_with_whose_each_row_is(
    region, tmp_path, monkeypatch, council
):
    fast = tmp_path / "fast"
    export_all(region, fast, SYSTEM, council=council)
    monkeypatch.setattr(exporting, "SQLITE_QUERIES", {})
    slow = tmp_path / "slow"
    export_all(region, slow, SYSTEM, council=council)

    differing = [path.name for path in fast.iterdir() if path.read_bytes() != (slow / path.name).read_bytes()]
    assert differing == []
    assert header(fast / "properties.csv")[:2] == WHOSE


# ---------------------------------------------------------------- import


def northmarsh_row(**cells: str) -> dict[str, str]:
    return {**NEW_PROPERTY, "Reference": "NM-03", "Phase": "Phase 1", "District": "Saltmere", **cells}


def tracker(folder: Path, rows: list[dict[str, str]], whose: list[str] = WHOSE) -> Path:
    return write_csv(folder / "properties.csv", rows, [*whose, *PROPERTIES.headers])


@pytest.mark.parametrize(
    ("council", "rows", "refusals"),
    [
        (
            NORTH,
            [northmarsh_row(Council="Southmarsh")],
            ["row 2, Council: no council 'Southmarsh' in the store; it holds Hertfordshire"],
        ),
        (
            NORTH,
            [northmarsh_row(**{"Council ONS code": "Northmarsh"})],
            ["row 2, Council ONS code: no council's ONS code 'Northmarsh' in the store"],
        ),
        (
            "Northmarsh",
            [northmarsh_row(Council="Hertfordshire")],
            [
                "row 2, Council: 'Hertfordshire' is Hertfordshire (E10000015), not Northmarsh (E10000901), the council "
                "imported into: a file is one council's"
            ],
        ),
        (
            HERTS,
            [northmarsh_row(Council="northmarsh", **{"Council ONS code": NORTH})],
            [
                "row 2, Council: 'northmarsh' is Northmarsh (E10000901), not Hertfordshire (E10000015), the "
                "council imported into",
                "row 2, Council ONS code: 'E10000901' is Northmarsh (E10000901), not Hertfordshire",
            ],
        ),
        (
            None,
            [northmarsh_row(Council="Northmarsh"), northmarsh_row(Reference="RS-P9-01", Council=HERTS)],
            [
                "row 3, Council: 'E10000015' is Hertfordshire (E10000015), not Northmarsh (E10000901), the council "
                "properties.csv row 2 names: a file is one council's, so import each council's rows on their own"
            ],
        ),
        (
            None,
            [northmarsh_row(Council="Northmarsh", District="Watford")],
            ["row 2, District: a district of Hertfordshire, not of Northmarsh 'Watford'"],
        ),
        (
            NORTH,
            [northmarsh_row(Council="Northmarsh"), northmarsh_row(Reference="NM-04", Council=" ")],
            ["row 3, Council: blank: write the council's name or ONS code, as the column is given"],
        ),
        (
            NORTH,
            [northmarsh_row(Council="x" * 100)],
            [f"row 2, Council: no council '{'x' * 60}…' (100 characters) in the store"],
        ),
    ],
)
def test_a_council_column_naming_another_or_no_council_is_refused_naming_row_and_column(
    northmarsh_programme,  # noqa: F811 (the fixture imported)
    tmp_path,
    council,
    rows,
    refusals,
):
    before = dump(northmarsh_programme)

    report = import_path(northmarsh_programme, tracker(tmp_path, rows), EDITOR, today=SEED_TODAY, council=council)

    summary = report.summary()
    assert not report.ok
    for refusal in refusals:
        assert f"properties.csv, {refusal}" in summary, summary
    assert dump(northmarsh_programme) == before


def test_a_workbooks_council_column_is_read_as_a_csvs(northmarsh_programme, tmp_path):  # noqa: F811 (the fixture)
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "properties"
    sheet.append(["Council", *PROPERTIES.headers])
    row = northmarsh_row(Council="Hertfordshire")
    sheet.append([row.get(name) for name in ["Council", *PROPERTIES.headers]])
    workbook.save(tmp_path / "tracker.xlsx")
    before = dump(northmarsh_programme)

    report = import_path(northmarsh_programme, tmp_path / "tracker.xlsx", EDITOR, today=SEED_TODAY, council=NORTH)

    assert "tracker.xlsx:properties, row 2, Council: 'Hertfordshire' is Hertfordshire (E10000015), not Northmarsh" in (
        report.summary()
    )
    assert dump(northmarsh_programme) == before


def test_a_file_naming_its_council_imports_into_it_with_no_council_chosen(
    northmarsh_programme,  # noqa: F811 (the fixture imported)
    tmp_path,
    store_url,
):
    rows = [northmarsh_row(Council="Northmarsh", **{"Council ONS code": NORTH})]
    report = import_path(northmarsh_programme, tracker(tmp_path, rows), EDITOR, today=SEED_TODAY)

    assert report.ok, report.summary()
    assert plain_sql(
        store_url,
        "SELECT c.ons_code FROM property p JOIN district d ON p.district_id = d.id "
        "JOIN council c ON d.council_id = c.id WHERE p.reference = 'NM-03'",
    ) == [(NORTH,)]


def test_the_council_a_file_names_is_the_one_whose_editor_must_import_it(
    northmarsh_programme,  # noqa: F811 (the fixture imported)
    tmp_path,
):
    from dashboard import access
    from dashboard.roles import AccessDenied, Role, UngrantedPolicy

    access.grant_role(northmarsh_programme, SYSTEM, "ned@northmarsh.gov.uk", Role.EDITOR, NORTH)
    ned = access.signed_in_actor(northmarsh_programme, "ned@northmarsh.gov.uk", UngrantedPolicy.REFUSE)
    assert ned is not None
    before = dump(northmarsh_programme)
    hertfordshires = tracker(tmp_path, [{**NEW_PROPERTY, "Council": "Hertfordshire"}], ["Council"])

    with pytest.raises(AccessDenied):
        import_path(northmarsh_programme, hertfordshires, ned, today=SEED_TODAY)
    assert dump(northmarsh_programme) == before

    northmarshs = tracker(tmp_path, [northmarsh_row(Council=NORTH)], ["Council"])
    report = import_path(northmarsh_programme, northmarshs, ned, today=SEED_TODAY)
    assert report.ok, report.summary()


def test_a_file_naming_no_council_the_store_holds_and_none_chosen_is_refused_as_before(
    northmarsh_programme,  # noqa: F811 (the fixture imported)
    tmp_path,
):
    report = import_path(
        northmarsh_programme, tracker(tmp_path, [northmarsh_row(Council="Southmarsh")]), EDITOR, today=SEED_TODAY
    )
    assert not report.ok and "the store holds 2 councils" in report.summary()


def test_a_store_of_one_council_reads_the_column_too(engine, tmp_path):
    before = dump(engine)
    row = {**NEW_PROPERTY, "Council": "Northmarsh"}
    report = import_path(engine, tracker(tmp_path, [row], ["Council"]), EDITOR, today=SEED_TODAY)
    assert "row 2, Council: no council 'Northmarsh' in the store; it holds Hertfordshire" in report.summary()
    assert dump(engine) == before

    named = {**NEW_PROPERTY, "Council": "Hertfordshire", "Council ONS code": "e10000015"}  # as people write it
    report = import_path(engine, tracker(tmp_path, [named]), EDITOR, today=SEED_TODAY)
    assert report.ok, report.summary()


# ---------------------------------------------------------------- round trip


def test_a_councils_files_import_back_into_another_store_of_the_same_councils_unchanged(region, empty_engine, tmp_path):
    first = tmp_path / "first"
    export_all(region, first, SYSTEM, council=NORTH)
    add_council(empty_engine, SYSTEM, council_file(tmp_path))

    report = import_path(empty_engine, first, EDITOR, today=SEED_TODAY)  # the files name their council

    assert report.ok, report.summary()
    second = tmp_path / "second"
    export_all(empty_engine, second, SYSTEM, council=NORTH)
    for name in ("decisions.csv", "phases.csv", "properties.csv", "milestones.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # Imported again into the store it came from, it changes nothing.
    before = dump(region)
    again = import_path(region, first, EDITOR, today=SEED_TODAY, council="Northmarsh")
    assert again.ok, again.summary()
    assert again.counts == {
        "decisions": TableCounts(unchanged=1),
        "phases": TableCounts(unchanged=1),
        "properties": TableCounts(unchanged=2),
    }
    assert dump(region) == before


def test_the_every_council_export_is_refused_whole_as_several_councils_rows(region, tmp_path):
    folder = tmp_path / "all"
    export_all(region, folder, SYSTEM)
    before = dump(region)

    report = import_path(region, folder, EDITOR, today=SEED_TODAY, council=NORTH)

    assert not report.ok
    summary = report.summary()
    # Northmarsh's two properties sort first; Hertfordshire's each refused, the first at row 4.
    assert "properties.csv, row 4, Council: 'Hertfordshire' is Hertfordshire (E10000015), not Northmarsh" in summary
    assert "properties.csv, row 2," not in summary and "properties.csv, row 3," not in summary
    assert dump(region) == before
