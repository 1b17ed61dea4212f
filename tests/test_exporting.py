"""Export: UTF-8 with a byte-order mark, ISO dates, the layouts' headers, a complete data dictionary, and a round trip
through import that gives back the same files byte for byte."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from dashboard.exporting import DATA_DICTIONARY_HEADERS, export_all, write_template
from dashboard.importing import TableCounts, import_path
from dashboard.layout import DATE, EXPORT_LAYOUTS, LAYOUTS, PROPERTIES
from dashboard.reference import default_council
from dashboard.roles import SYSTEM, Actor, Role
from tests.conftest import FIRST_COUNCIL, SEED_TODAY, dump, new_store, sqlite_only

BOM = b"\xef\xbb\xbf"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The audit log differs between two stores by its timestamps; every other table must survive a round trip exactly.
ROUND_TRIP_FILES = ["decisions.csv", "phases.csv", "properties.csv", "milestones.csv", "districts.csv", "strategy.csv"]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def export(engine: Engine, out_dir: Path) -> Path:
    export_all(engine, out_dir, SYSTEM)
    return out_dir


# Text a spreadsheet would run as a formula, in the tables the seed leaves empty: it must go out guarded.
FORMULA_AUTHORITY = '=HYPERLINK("x")'
FORMULA_USER = "@briefer"
FORMULA_SCENARIO = "-10% entries"
SETTINGS = {
    "own_share_target": 62.5,
    "inside_target": 0.1 + 0.2,
    "three_or_more_target": 1 / 3,
    "independent_weekly_cost": 7123.45,
    "own_weekly_cost": 6399.99,
}


def fill_the_tables_the_seed_leaves_empty(engine: Engine, folder: Path) -> None:
    """At least one row in every table (the seed has no lookup, figures, settings, packs or grants), written as
    the project writes them where it can: the lookup by its importer, the settings by the Objectives page's."""
    from datetime import date, datetime

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from dashboard import access, demand, lookup, objectives
    from dashboard.models import (
        BriefingPack,
        Council,
        ForecastBacktest,
        ForecastPoint,
        ForecastRun,
        MarketFigure,
        ObjectiveMeasure,
        OfstedHome,
        PlacementFigure,
    )

    lookup_file = folder / "lookup.csv"
    lookup_file.write_text(
        "Postcode district,Local authority,Council district\nSG1,Hertfordshire,Stevenage\n"
        "AL1,Hertfordshire\nLU1,Luton\n"
        f'N1,"{FORMULA_AUTHORITY.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8",
    )
    assert lookup.import_lookup(engine, lookup_file, SYSTEM).written
    objectives.save_settings(engine, SYSTEM, SETTINGS)
    access.grant_role(engine, SYSTEM, "ann@herts.gov.uk", Role.ANALYST)
    # Saved before any SSDA903 import: kept, and forecast when files come (tests/test_forecast_export.py imports some).
    demand.save_scenario(engine, demand.Scenario(FORMULA_SCENARIO, entry_change=-10.0, occupancy=0.9), SYSTEM)
    with Session(engine) as session, session.begin():
        session.add_all(
            PlacementFigure(
                month_end=date(2026, month, day),
                measure=measure,
                category=category,
                value=value,
                council_id=FIRST_COUNCIL,
            )
            for month, day in ((9, 30), (10, 31))
            for measure, category, value in (
                ("children_in_homes", "PR1", 4),
                ("children_in_homes", "PR4", 9),
                ("homes_location", "inside", 8),
                ("children_looked_after", "all", 1100),
                ("placement_changes", "all", 31),
            )
        )
        session.add_all(
            ObjectiveMeasure(
                measure=measure,
                category=category,
                period_end=date(2026, 3, 31),
                numerator=n,
                denominator=d,
                council_id=FIRST_COUNCIL,
            )
            for measure, category, n, d in (
                ("looked_after", "", 1100, None),
                ("homes_own_provision", "", 4, 13),
                ("home_children", "SC123456", 3, None),
            )
        )
        run = ForecastRun(
            council_id=FIRST_COUNCIL,
            scenario=demand.CENTRAL,
            made_at=datetime(2026, 11, 26, 8, 0, 5, 250000),
            entry_change=0.0,
            own_share=0.4,
            own_share_source="own provision's share on 31/03/2026",
            occupancy=0.85,
            reference_first=date(2024, 4, 1),
            reference_last=date(2026, 3, 31),
            data_first=date(2023, 4, 1),
            data_last=date(2026, 3, 31),
            runs=500,
            seed=0,
        )
        session.add(run)
        session.flush()
        session.add_all(
            ForecastPoint(run_id=run.id, period_end=date(2026, 4, 30), measure=measure, expected=e, lower=lo, upper=up)
            for measure, e, lo, up in (
                ("childrens_home", 40.25, 35.0, 46.0),
                ("beds_needed", 40.25 * 0.4 / 0.85, 16.0, 22.0),
            )
        )
        session.add(
            ForecastBacktest(
                period_end=date(2025, 4, 30),
                actual=38.0,
                expected=1 / 3,
                lower=30.0,
                upper=45.5,
                council_id=FIRST_COUNCIL,
            )
        )
        session.add(
            OfstedHome(
                as_at=date(2025, 3, 31),
                urn="SC123456",
                local_authority="Hertfordshire",
                sector="Local authority",
                places=4,
                rating="Good",
            )
        )
        session.add_all(
            MarketFigure(
                as_at=date(2025, 3, 31), local_authority=authority, measure=measure, category=category, value=value
            )
            for authority in ("Hertfordshire", "Luton")
            for measure, category, value in (
                ("homes", "Private", 20),
                ("places", "Private", 61),
                ("homes_by_rating", "Good", 12),
            )
        )
        herts = session.scalar(select(Council.id).order_by(Council.id).limit(1))
        session.add_all(
            [
                BriefingPack(
                    made_at=datetime(2026, 10, 1, 9, 30, 12, 345678),
                    made_by="ann@herts.gov.uk",
                    source="app",
                    as_at=date(2026, 9, 30),
                    since=date(2026, 9, 2),
                    classification="OFFICIAL",
                    council_id=herts,
                ),
                BriefingPack(
                    made_at=datetime(2026, 11, 3, 14, 0, 1),
                    made_by=FORMULA_USER,
                    source="cli",
                    as_at=date(2026, 11, 3),
                    since=date(2026, 10, 1),
                    classification=None,
                    council_id=herts,
                ),
            ]
        )


@pytest.fixture(scope="module")
def filled_engine(tmp_path_factory, seeded_template) -> Engine:
    """A seeded store with rows in every table; tests only read it."""
    from dashboard.db import make_engine

    folder = tmp_path_factory.mktemp("filled")
    with new_store(folder, "filled", template=seeded_template) as url:
        engine = make_engine(url)
        fill_the_tables_the_seed_leaves_empty(engine, folder)
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def exported(filled_engine, tmp_path_factory) -> Path:
    return export(filled_engine, tmp_path_factory.mktemp("export"))


def test_writes_every_table_and_the_data_dictionary(exported):
    names = {path.name for path in exported.iterdir()}
    assert names == {f"{layout.name}.csv" for layout in EXPORT_LAYOUTS} | {"data_dictionary.csv"}


def test_counts_rows_written_per_file(shared_engine, tmp_path):
    written = export_all(shared_engine, tmp_path, SYSTEM)

    for name, rows in written.items():
        assert len(read_csv(tmp_path / name)) == rows + 1, name
    assert written["properties.csv"] == 21
    assert written["districts.csv"] == 10


def test_every_file_is_utf8_with_a_byte_order_mark(exported):
    for path in exported.iterdir():
        data = path.read_bytes()
        assert data.startswith(BOM), path.name
        assert not data[len(BOM) :].startswith(BOM), path.name
        data.decode("utf-8")


def test_pound_sign_is_written_as_utf8(exported):
    header = (exported / "properties.csv").read_bytes().splitlines()[0]
    assert "Purchase budget (£)".encode() in header


@pytest.mark.parametrize("layout", EXPORT_LAYOUTS, ids=lambda layout: layout.name)
def test_header_row_is_the_layouts_headers(exported, layout):
    assert read_csv(exported / f"{layout.name}.csv")[0] == layout.headers


def test_data_dictionary_header_row(exported):
    assert read_csv(exported / "data_dictionary.csv")[0] == DATA_DICTIONARY_HEADERS


def test_dates_are_iso(exported):
    for layout in LAYOUTS:
        rows = read_csv(exported / f"{layout.name}.csv")
        date_columns = [index for index, column in enumerate(layout.columns) if column.kind == DATE]
        dates = [row[index] for row in rows[1:] for index in date_columns if row[index]]
        assert dates, layout.name
        assert all(ISO_DATE.fullmatch(value) for value in dates), layout.name
    decision = dict(zip(*read_csv(exported / "decisions.csv"), strict=True))
    assert decision["Date"] == "2025-08-14"


def test_text_is_quoted_and_numbers_are_not(exported):
    """The same quoting in every file, however it was written (Python's csv module or Arrow's CSV writer)."""
    strategy = (exported / "strategy.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert strategy == [
        '"Name","Council","Bed target","Provenance"',
        '"CLA Residential Strategy","Hertfordshire",70,"decision record B147/24"',
    ]
    audit = (exported / "audit_log.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert audit[1].startswith('"20') and ',"system","seed","create","council","E10000015",' in audit[1]


def test_data_dictionary_lists_every_column_of_every_exported_file(exported):
    listed = {(row[0], row[1]) for row in read_csv(exported / "data_dictionary.csv")[1:]}
    for path in exported.iterdir():
        for header in read_csv(path)[0]:
            assert (path.name, header) in listed


def test_round_trip_through_import_gives_byte_identical_files(shared_engine, empty_engine, tmp_path):
    first = export(shared_engine, tmp_path / "a")

    report = import_path(empty_engine, first, Actor("analyst", "import a", Role.EDITOR), today=SEED_TODAY)
    assert report.ok, report.summary()
    second = export(empty_engine, tmp_path / "b")

    differing = [name for name in ROUND_TRIP_FILES if (first / name).read_bytes() != (second / name).read_bytes()]
    assert differing == []


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_empty_template_imports_cleanly_with_zero_rows(empty_engine, tmp_path, suffix):
    template = tmp_path / f"template{suffix}"
    write_template(template)
    before = dump(empty_engine)

    report = import_path(empty_engine, template, Actor("analyst", "import template", Role.EDITOR), today=SEED_TODAY)

    assert report.ok, report.summary()
    expected_tables = [layout.name for layout in LAYOUTS] if suffix == ".xlsx" else ["properties"]
    assert report.counts == {name: TableCounts() for name in expected_tables}
    assert "properties: 0 new, 0 changed, 0 unchanged" in report.summary()
    assert dump(empty_engine) == before


def test_xlsx_template_has_a_sheet_per_table_and_a_guide(tmp_path):
    template = tmp_path / "template.xlsx"
    write_template(template)

    workbook = load_workbook(template, read_only=True)
    headers = {sheet.title: list(next(sheet.values)) for sheet in workbook.worksheets}
    workbook.close()
    assert headers == {
        **{layout.name: layout.headers for layout in LAYOUTS},
        "guide": DATA_DICTIONARY_HEADERS,
    }


def test_csv_template_is_the_tracker_header(tmp_path):
    template = tmp_path / "tracker.csv"
    write_template(template)

    assert template.read_bytes().startswith(BOM)
    assert read_csv(template) == [PROPERTIES.headers]


@sqlite_only  # the SQLite fast path; elsewhere the export converts value by value
def test_the_audit_log_streams_as_stored_and_equals_the_value_by_value_export(engine, tmp_path):
    """The fast paths (stored text, no per-row JSON work; the whole log read into Arrow and written by its CSV
    writer, into a file or through a pipe) write exactly what converting each value would, for text that needs
    quoting, doubling, guarding or nothing."""
    import io

    from sqlalchemy.orm import Session

    from dashboard import editing
    from dashboard.exporting import audit_rows, stored_audit_rows, write_csv, write_whole_audit_log
    from dashboard.layout import AUDIT_LOG
    from dashboard.roles import Actor, Role

    for n, text in enumerate(AWKWARD_TEXT):  # as a user's name (guarded in SQL) and as a note (inside the JSON)
        draft = editing.open_property(engine, "RS-P2-01")
        values = {**draft.values, "notes": text or None, "planned_beds": 2 + n % 2}
        editing.save_property(engine, Actor(text or "zoë@herts.gov.uk", "app", Role.EDITOR), draft, values, SEED_TODAY)
    fast, whole, slow = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with Session(engine) as session:
        rows = write_csv(fast, AUDIT_LOG.headers, stored_audit_rows(session), as_stored=True)
        write_csv(slow, AUDIT_LOG.headers, audit_rows(session))
    assert write_whole_audit_log(engine, whole) == rows
    with (tmp_path / "audit_log.csv").open("wb") as file:
        file.write(b"before ")  # the export starts where the file is, and the file goes on after it
        assert write_whole_audit_log(engine, file) == rows
        file.write(b" after")
    assert fast.getvalue() == slow.getvalue() == whole.getvalue()
    assert (tmp_path / "audit_log.csv").read_bytes() == b"before " + whole.getvalue() + b" after"
    text = fast.getvalue().decode("utf-8-sig")
    assert rows > 100 and "Café «near» the school" in text and "'=1+1" in text


# Text that needs quoting, doubling, guarding or nothing; and floats whose shortest form Python and SQLite write apart.
AWKWARD_TEXT = [
    "Café «near» the school",
    'a "quoted", comma',
    "two\nlines",
    "carriage\rreturn",
    "=1+1",
    "'=A1",
    "''+2",
    "'plain",
    " leading space",
    "tab\there",
    "-",
    "@x",
    "Zoë",
    "",
]
AWKWARD_FLOATS = [0.1 + 0.2, 1 / 3, 1e-05, 1e16, 123456789012345.0, 2.0, 1e300, 5e-324]


def put_awkward_values_in_every_table(engine: Engine, folder: Path) -> None:
    """Rows of every exported table holding awkward text, blanks, booleans, dates, times and floats."""
    from datetime import date, datetime
    from itertools import cycle

    from sqlalchemy import delete, select, update
    from sqlalchemy.orm import Session

    from dashboard.models import (
        Decision,
        District,
        DistrictAlias,
        ForecastBacktest,
        Milestone,
        ObjectiveMeasure,
        ObjectiveSetting,
        Phase,
        PostcodeDistrict,
        Property,
        PropertyRecord,
    )

    fill_the_tables_the_seed_leaves_empty(engine, folder)
    texts = cycle(AWKWARD_TEXT)
    with Session(engine) as session, session.begin():
        properties = session.scalars(select(Property).order_by(Property.id)).all()
        for n, (p, text) in enumerate(zip(properties, texts, strict=False)):
            p.notes, p.specialism, p.status_note = text or None, next(texts), next(texts) or None
            p.registered_beds, p.purchase_cost = (None, None) if n % 2 else (n, -n * 1000)
            p.councillors_informed_on = date(2026, 1, n + 1) if n % 3 else None
            session.add(
                PropertyRecord(
                    property_id=p.id,
                    recorded_at=datetime(2026, 5, 1, 12, 0, n, n),
                    phase_id=p.phase_id,
                    district_id=p.district_id,
                    provision_model=next(texts),
                    specialism=None,
                    planned_beds=n,
                    provenance=next(texts),
                )
            )
        session.execute(update(Milestone).where(Milestone.property_id == properties[0].id).values(planned_on=None))
        session.execute(delete(Milestone).where(Milestone.property_id == properties[1].id))  # no milestone
        for d, text in zip(session.scalars(select(Decision)).all(), texts, strict=False):
            d.title, d.executive_member, d.controversial = text or "untitled", None, None
        session.add(
            Decision(
                council=default_council(session),
                reference="'=D1",
                title='"q"',
                decision_type="Executive",
                key_decision=False,
                controversial=True,
                provenance="\t",
            )
        )
        for phase, text in zip(session.scalars(select(Phase)).all(), texts, strict=False):
            phase.provenance, phase.planned_end_on = text, None
        districts = session.scalars(select(District).order_by(District.id)).all()
        for alias in ("zeta", "Alpha", "Émile", "alpha", "=x", "Z"):
            session.add(DistrictAlias(district_id=districts[0].id, alias=alias, kind="name"))
        session.add(DistrictAlias(district_id=districts[1].id, alias='quote "this"', kind="name"))
        for n, value in enumerate(AWKWARD_FLOATS):
            session.add(
                ObjectiveSetting(key=f"awkward_{n}", value=value, source=next(texts) or None, council_id=FIRST_COUNCIL)
            )
            session.add(
                PostcodeDistrict(
                    outward_code=f"Z{n}",
                    local_authority=next(texts) or "-",
                    share=value,
                    latitude=None if n % 2 else -value,
                    longitude=value,
                )
            )
            session.add(
                ObjectiveMeasure(
                    measure=next(texts) or "x",
                    category="",
                    period_end=date(2026, 1, n + 1),
                    numerator=value,
                    denominator=None if n % 2 else (0.0 if n == 2 else 3.0),
                    council_id=FIRST_COUNCIL,
                )
            )
            session.add(
                ForecastBacktest(
                    period_end=date(2020, 1, n + 1),
                    actual=value,
                    expected=-value,
                    lower=0.0,
                    upper=value,
                    council_id=FIRST_COUNCIL,
                )
            )


@sqlite_only  # the SQLite fast path; elsewhere the export converts value by value
def test_every_file_made_by_sqlite_equals_the_value_by_value_export(engine, tmp_path, monkeypatch):
    """Each table's file made by SQLite (its lines, or its cells joined by the csv module where a float needs
    Python's shortest form) is byte for byte what converting each value gives: the path every other database takes,
    forced here by leaving SQLite no query."""
    from dashboard import exporting

    # Every file but the audit log's (its own fast path, tested above) has a query SQLite makes it with.
    assert set(exporting.SQLITE_QUERIES) == {layout.name for layout in EXPORT_LAYOUTS} - {"audit_log"}
    put_awkward_values_in_every_table(engine, tmp_path)
    fast = export(engine, tmp_path / "fast")
    monkeypatch.setattr(exporting, "SQLITE_QUERIES", {})
    slow = export(engine, tmp_path / "slow")

    assert sorted(path.name for path in fast.iterdir()) == sorted(path.name for path in slow.iterdir())
    differing = [path.name for path in fast.iterdir() if path.read_bytes() != (slow / path.name).read_bytes()]
    assert differing == []
    # The values that make the two paths differ are in the files compared.
    properties = (fast / "properties.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in properties and '"a ""quoted"", comma"' in properties and "two\nlines" in properties
    aliases = [row["Also written"] for row in by_header(fast / "districts.csv")]
    assert any(cell.startswith("'=x; ") and cell.endswith("; Z; alpha; zeta; Émile") for cell in aliases), aliases
    settings = (fast / "objective_settings.csv").read_text(encoding="utf-8-sig")
    assert all(f",{value!r}," in settings for value in (1e-05, 1e16, 123456789012345.0, 5e-324)), settings


@sqlite_only
def test_the_audit_log_is_written_beside_the_other_files_and_stopped_if_they_fail(shared_engine, tmp_path, monkeypatch):
    """On SQLite the whole export begins the audit log in a process of its own before the other files; a failure
    while they are written leaves no such process running on."""
    from dashboard import exporting

    started = []

    def start(engine, handle):
        started.append(start_whole_audit_log(engine, handle))
        return started[-1]

    def failing(engine, layout, handle, actor, council=None):
        if layout.name == "milestones":
            raise OSError(28, "No space left on device")
        return export_table(engine, layout, handle, actor, council)

    start_whole_audit_log, export_table = exporting.start_whole_audit_log, exporting.export_table
    monkeypatch.setattr(exporting, "start_whole_audit_log", start)
    written = export_all(shared_engine, tmp_path / "whole", SYSTEM)
    assert written["audit_log.csv"] == len(read_csv(tmp_path / "whole" / "audit_log.csv")) - 1 > 0
    assert [writing.process.returncode for writing in started] == [0]

    monkeypatch.setattr(exporting, "export_table", failing)
    with pytest.raises(OSError, match="No space left"):
        export_all(shared_engine, tmp_path / "failed", SYSTEM)
    assert len(started) == 2 and started[1].process.returncode is not None  # stopped, not left running


def test_the_export_command_loads_no_library_it_does_not_use(shared_engine, tmp_path):
    """`python -m dashboard export` starts without pandas, numpy, the importer and its validation, the migrations
    or the workbook library: every module a process imports is listed by -X importtime."""
    import subprocess
    import sys

    url = shared_engine.url.render_as_string(hide_password=False)
    command = [sys.executable, "-X", "importtime", "-m", "dashboard", "--database-url", url, "export", "--out"]
    done = subprocess.run([*command, str(tmp_path / "out")], capture_output=True, text=True, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time")}
    assert {"dashboard.exporting", "sqlalchemy"} <= imported  # the list is read as meant
    unused = {"pandas", "numpy", "alembic", "openpyxl", "dashboard.importing", "dashboard.validation", "pyarrow"}
    assert imported & unused == set()
    assert (tmp_path / "out" / "audit_log.csv").stat().st_size > 0


@sqlite_only
def test_a_store_the_fast_export_cannot_read_is_one_line_of_reason(tmp_path):
    import io
    import sqlite3

    from dashboard.sqlite_csv import SqliteCsvError, rows_as_csv

    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    with pytest.raises(SqliteCsvError, match=r"^the export could not read the store: .*no such table: audit_log$"):
        rows_as_csv(str(empty), "SELECT * FROM audit_log", io.BytesIO())
    with pytest.raises(SqliteCsvError, match=r"^the export could not read the store: .*failed to open"):
        rows_as_csv(str(tmp_path / "missing.sqlite"), "SELECT 1", io.BytesIO())
    assert not (tmp_path / "missing.sqlite").exists()  # read only: a wrong path does not become an empty store


def test_a_formula_goes_out_defused_and_comes_back_as_written(engine, empty_engine, tmp_path):
    """Text a spreadsheet would run ("=cmd|...", "+1", "-", "@") is exported with a leading apostrophe, as
    spreadsheet tools expect, and an import of the export takes it off again."""
    import csv

    import pandas as pd

    from dashboard import editing
    from dashboard.exporting import frame_to_csv
    from dashboard.roles import Actor, Role

    evil = "=cmd|' /C calc'!A0"
    draft = editing.open_property(engine, "RS-P2-03")
    editing.save_property(
        engine,
        Actor("=HYPERLINK(1)@x.uk", "app", Role.EDITOR),
        draft,
        {**draft.values, "notes": evil, "specialism": "-16+"},
        SEED_TODAY,
    )
    out = tmp_path / "out"
    export_all(engine, out, SYSTEM)
    with (out / "properties.csv").open(encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Reference"] == "RS-P2-03")
    assert (row["Notes"], row["Specialism"]) == ("'" + evil, "'-16+")
    audit = (out / "audit_log.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1)@x.uk" in audit and "\n=HYPERLINK" not in audit and ",=HYPERLINK" not in audit
    assert frame_to_csv(pd.DataFrame({"Notes": [evil], "Beds": [-2]})).decode("utf-8-sig").splitlines()[1] == (
        "\"'=cmd|' /C calc'!A0\",-2"  # text defused; a negative number stays a number
    )
    assert import_path(empty_engine, out, SYSTEM, today=SEED_TODAY).written
    round_trip = editing.open_property(empty_engine, "RS-P2-03").values
    assert (round_trip["notes"], round_trip["specialism"]) == (evil, "-16+")


# ---------------------------------------------------------------- every table, each with its dictionary entry

# Tables no file has a row per row of: reference data other files name (the council in strategy and districts, a
# district's other names in districts, the stages in milestones) and the store's access control.
REFERENCE_OR_INTERNAL = {"council", "district_alias", "region", "stage", "role_grant", "sign_in", "forecast_basis"}
ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def dictionary(folder: Path) -> list[list[str]]:
    return read_csv(folder / "data_dictionary.csv")[1:]


def by_header(path: Path) -> list[dict[str, str]]:
    header, *rows = read_csv(path)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_every_table_of_the_store_has_a_file_but_reference_and_internal_ones(exported):
    """A table added to the models fails here until it is exported (or is said here to be reference or internal)."""
    from dashboard.exporting import EXPORTED_FROM, NOT_EXPORTED, ROWS
    from dashboard.models import Base

    assert set(EXPORTED_FROM) == {layout.name for layout in EXPORT_LAYOUTS} == set(ROWS)
    one_row_per_row_of = {EXPORTED_FROM[layout.name][0].__tablename__ for layout in EXPORT_LAYOUTS}
    assert one_row_per_row_of == set(Base.metadata.tables) - REFERENCE_OR_INTERNAL
    named_by_a_file = {model.__tablename__ for models in EXPORTED_FROM.values() for model in models}
    assert named_by_a_file | set(NOT_EXPORTED) == set(Base.metadata.tables)
    assert not named_by_a_file & set(NOT_EXPORTED)
    assert {path.name for path in exported.iterdir()} >= {
        "market_figures.csv",
        "placement_figures.csv",
        "postcode_districts.csv",
        "objective_settings.csv",
        "property_records.csv",
        "milestone_records.csv",
        "briefing_packs.csv",
    }


def test_each_file_has_a_row_for_every_row_of_its_table(filled_engine, tmp_path):
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from dashboard.exporting import EXPORTED_FROM

    written = export_all(filled_engine, tmp_path, SYSTEM)

    with Session(filled_engine) as session:
        for layout in EXPORT_LAYOUTS:
            table = EXPORTED_FROM[layout.name][0].__table__
            stored = session.scalar(select(func.count()).select_from(table))
            assert stored > 0, f"{table.name} is empty: the test store should fill every table"
            assert written[f"{layout.name}.csv"] == len(read_csv(tmp_path / f"{layout.name}.csv")) - 1 == stored, (
                layout.name
            )


def test_each_files_header_is_its_data_dictionary_columns_in_order(exported):
    entries = dictionary(exported)
    for path in sorted(exported.iterdir()):
        assert read_csv(path)[0] == [row[1] for row in entries if row[0] == path.name], path.name
    assert {row[0] for row in entries} == {path.name for path in exported.iterdir()}


def test_the_data_dictionary_says_how_each_file_is_read_back_or_why_not(exported):
    read_back = {}
    for file, _column, _kind, _required, imported, description in dictionary(exported):
        assert description, (file, _column)
        read_back.setdefault(file, set()).add(imported)
    assert all(len(values) == 1 for values in read_back.values()), read_back
    read_back = {file: values.pop() for file, values in read_back.items()}
    assert {file for file, value in read_back.items() if value == "yes"} == {f"{layout.name}.csv" for layout in LAYOUTS}
    assert read_back["postcode_districts.csv"].startswith("yes, by import-lookup")
    assert read_back["market_figures.csv"] == "no: replaced by importing an Ofsted file (import-ofsted)"
    assert read_back["placement_figures.csv"] == "no: kept from earlier imports"
    assert read_back["objective_measures.csv"] == "no: replaced by importing SSDA903 files (import-903)"
    others = [
        value
        for file, value in read_back.items()
        if file not in {"postcode_districts.csv"} and file not in {f"{layout.name}.csv" for layout in LAYOUTS}
    ]
    assert all(re.fullmatch(r"no: \w.{10,}", value) for value in others), others


def test_dates_and_times_in_the_new_files_are_iso(exported):
    checked = 0
    for layout in EXPORT_LAYOUTS:
        rows = read_csv(exported / f"{layout.name}.csv")[1:]
        for index, column in enumerate(layout.columns):
            pattern = ISO_DATE_TIME if column.kind.startswith("date and time") else ISO_DATE
            if column.kind.startswith("date"):
                values = [row[index] for row in rows if row[index]]
                assert all(pattern.fullmatch(value) for value in values), (layout.name, column.header)
                checked += len(values)
    assert checked > 1000
    packs = by_header(exported / "briefing_packs.csv")
    assert [(p["Made at (UTC)"], p["As at"], p["Classification"]) for p in packs] == [
        ("2026-10-01 09:30:12", "2026-09-30", "OFFICIAL"),
        ("2026-11-03 14:00:01", "2026-11-03", ""),
    ]


def test_the_new_files_quote_text_keep_numbers_bare_and_guard_formulas(exported):
    def lines(name: str) -> list[str]:
        return (exported / name).read_bytes().decode("utf-8-sig").splitlines()

    assert lines("market_figures.csv")[1] == '"2025-03-31","Hertfordshire","homes","Private",20'
    assert lines("placement_figures.csv")[1] == '"2026-09-30","children_in_homes","PR1",4'
    assert lines("objective_settings.csv")[1:3] == [
        '"independent_weekly_cost",7123.45,""',
        '"inside_target",0.30000000000000004,""',
    ]
    assert lines("objective_measures.csv")[1:3] == [
        '"home_children","SC123456","2026-03-31",3.0,3.0,"",'
        '"Children placed in the children\'s home with this Ofsted URN (SSDA903 URN, placement type K2) on the day."',
        '"homes_own_provision","","2026-03-31",0.3076923076923077,4.0,13.0,"Children in children\'s homes (K2) on the '
        "day whose placement provider is own provision (PR1), as a share of all children in children's homes.\"",
    ]
    assert lines("ofsted_homes.csv")[1] == '"2025-03-31","SC123456","Hertfordshire","Local authority",4,"Good"'
    assert lines("postcode_districts.csv")[1:] == [
        '"AL1","Hertfordshire","","","",""',
        '"LU1","Luton","","","",""',
        '"N1","\'=HYPERLINK(""x"")","","","",""',
        '"SG1","Hertfordshire","","","","E07000243"',
    ]
    assert lines("briefing_packs.csv")[2] == '"2026-11-03 14:00:01","\'@briefer","cli","2026-11-03","2026-10-01",""'


def test_the_forecast_files_keep_the_figures_exact_and_guard_formulas(exported):
    def lines(name: str) -> list[str]:
        return (exported / name).read_bytes().decode("utf-8-sig").splitlines()

    # As stored (no rounding), the central scenario first.
    assert lines("forecast.csv")[1:] == [
        f'"Central","2026-04-30","beds_needed",{40.25 * 0.4 / 0.85!r},16.0,22.0',
        '"Central","2026-04-30","childrens_home",40.25,35.0,46.0',
    ]
    assert lines("forecast_runs.csv")[1] == (
        '"Central","2026-11-26 08:00:05",0.0,0.4,"own provision\'s share on 31/03/2026",0.85,'
        '"2024-04-01","2026-03-31","2023-04-01","2026-03-31",500'
    )
    assert lines("forecast_backtest.csv")[1] == '"2025-04-30",38.0,0.3333333333333333,30.0,45.5'
    assert lines("forecast_scenarios.csv")[1].startswith(f'"\'-10% entries",-10.0,"",0.9,"","","{SYSTEM.user}","20')


def test_the_recorded_history_names_properties_phases_districts_and_stages_by_their_keys(exported):
    """By natural keys, never ids; and each property's latest record is its plan in the tracker as it is now."""
    properties = {row["Reference"]: row for row in by_header(exported / "properties.csv")}
    code_of = {row["Name"]: row["ONS code"] for row in by_header(exported / "districts.csv")}
    latest = {row["Reference"]: row for row in by_header(exported / "property_records.csv")}  # oldest first
    assert latest.keys() == properties.keys()
    for reference, record in latest.items():
        now = properties[reference]
        assert (record["Phase"], record["District (ONS code)"]) == (now["Phase"], code_of[now["District"]])
        fields = ("Provision model", "Specialism", "Planned beds", "Provenance")
        assert [record[name] for name in fields] == [now[name] for name in fields], reference
    planned_now = {(m["Reference"], m["Stage"]): m["Planned"] for m in by_header(exported / "milestones.csv")}
    planned_latest = {(m["Reference"], m["Stage"]): m["Planned"] for m in by_header(exported / "milestone_records.csv")}
    assert planned_latest == planned_now


@pytest.mark.parametrize("name", ["property_records", "milestone_records"])
def test_the_recorded_history_is_property_level(filled_engine, name):
    import io

    from dashboard.exporting import export_table
    from dashboard.roles import AccessDenied

    layout = next(layout for layout in EXPORT_LAYOUTS if layout.name == name)
    with pytest.raises(AccessDenied, match="export property-level CSVs"):
        export_table(filled_engine, layout, io.BytesIO(), Actor("viewer", "app", Role.VIEWER))
    assert export_table(filled_engine, layout, io.BytesIO(), Actor("analyst", "app", Role.ANALYST)) > 0


@pytest.mark.parametrize(
    "name", ["market_figures", "placement_figures", "postcode_districts", "objective_settings", "briefing_packs"]
)
def test_programme_level_files_are_anyones_who_reads_the_dashboard(filled_engine, name):
    from dashboard.exporting import table_file

    layout = next(layout for layout in EXPORT_LAYOUTS if layout.name == name)
    data = table_file(filled_engine, layout, Actor("viewer", "app", Role.VIEWER))
    assert data.startswith(BOM) and len(data.decode("utf-8-sig").splitlines()) > 1


def test_the_postcode_district_lookup_imports_back_unchanged(filled_engine, empty_engine, tmp_path):
    from dashboard import lookup

    first = export(filled_engine, tmp_path / "a")

    report = lookup.import_lookup(empty_engine, first / "postcode_districts.csv", SYSTEM)
    assert report.ok and report.written, report.summary()
    second = export(empty_engine, tmp_path / "b")

    assert (second / "postcode_districts.csv").read_bytes() == (first / "postcode_districts.csv").read_bytes()
    assert dump(empty_engine)["postcode_district"] == dump(filled_engine)["postcode_district"]
    # The guard came off again.
    assert ("N1", FORMULA_AUTHORITY, None, None, None, None) in dump(empty_engine)["postcode_district"]
    assert ("SG1", "Hertfordshire", None, None, None, "E07000243") in dump(empty_engine)["postcode_district"]


def test_objective_settings_export_their_exact_values(filled_engine, empty_engine, tmp_path):
    """No file importer reads them back (they are set on the Objectives page), but what is written is the value set,
    digit for digit: set again from the file, they export the same bytes."""
    from dashboard import objectives

    first = export(filled_engine, tmp_path / "a")
    values = {row["Setting"]: float(row["Value"]) for row in by_header(first / "objective_settings.csv")}
    assert values == SETTINGS

    objectives.save_settings(empty_engine, SYSTEM, values)
    second = export(empty_engine, tmp_path / "b")
    assert (second / "objective_settings.csv").read_bytes() == (first / "objective_settings.csv").read_bytes()


def test_the_objective_settings_description_names_every_setting():
    from dashboard.layout import OBJECTIVE_SETTINGS
    from dashboard.objectives import SETTINGS as KNOWN

    described = OBJECTIVE_SETTINGS.columns[0].description
    assert [setting.key for setting in KNOWN if setting.key not in described] == []


def test_an_export_folder_imports_with_the_files_import_does_not_read_passed_over(
    filled_engine, empty_engine, tmp_path
):
    folder = export(filled_engine, tmp_path / "out")

    report = import_path(empty_engine, folder, SYSTEM, today=SEED_TODAY)

    assert report.ok, report.summary()
    imported = {f"{layout.name}.csv" for layout in LAYOUTS}
    assert sorted(report.skipped_files) == sorted(path.name for path in folder.iterdir() if path.name not in imported)


def test_the_export_page_offers_every_file(monkeypatch, store_url, engine):
    from dashboard.layout import DATA_DICTIONARY
    from tests.apptest import assert_page_ok, open_app

    at = open_app(monkeypatch, store_url, role="analyst")
    at.switch_page("pages/export.py").run()

    assert_page_ok(at)
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == [f"{layout.name}.csv" for layout in (*EXPORT_LAYOUTS, DATA_DICTIONARY)] + [
        "Empty import template (.xlsx)"
    ]
