"""Export: UTF-8 with a byte-order mark, ISO dates, the layouts' headers, a complete data dictionary, and a round trip
through import that gives back the same files byte for byte."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from dashboard.roles import Actor, Role
from dashboard.roles import SYSTEM
from dashboard.exporting import DATA_DICTIONARY_HEADERS, export_all, write_template
from dashboard.importing import TableCounts, import_path
from dashboard.layout import DATE, EXPORT_LAYOUTS, LAYOUTS, PROPERTIES
from tests.conftest import SEED_TODAY, dump, sqlite_only

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


@pytest.fixture(scope="module")
def exported(shared_engine, tmp_path_factory) -> Path:
    return export(shared_engine, tmp_path_factory.mktemp("export"))


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
    decision = dict(zip(*read_csv(exported / "decisions.csv")))
    assert decision["Date"] == "2025-08-14"


def test_text_is_quoted_and_numbers_are_not(exported):
    """The same quoting in every file, however it was written (Python's csv module or Arrow's CSV writer)."""
    strategy = (exported / "strategy.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert strategy == ['"Name","Council","Bed target","Provenance"',
                        '"CLA Residential Strategy","Hertfordshire",70,"decision record B147/24"']  # fmt: skip
    audit = (exported / "audit_log.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert audit[1].startswith('"20') and ',"system","seed","create","strategy",' in audit[1]


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

    awkward = ["Café «near» the school", 'a "quoted", comma', "two\nlines", "carriage\rreturn", "=1+1", "'=A1",
               "''+2", "'plain", " leading space", "tab\there", "-", "@x", "Zoë", ""]  # fmt: skip
    for n, text in enumerate(awkward):  # as a user's name (guarded in SQL) and as a note (inside the JSON)
        draft = editing.open_property(engine, "RS-P2-01")
        editing.save_property(engine, Actor(text or "zoë@herts.gov.uk", "app", Role.EDITOR), draft,
                              {**draft.values, "notes": text or None, "planned_beds": 2 + n % 2}, SEED_TODAY)  # fmt: skip
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
    editing.save_property(engine, Actor("=HYPERLINK(1)@x.uk", "app", Role.EDITOR), draft,
                          {**draft.values, "notes": evil, "specialism": "-16+"}, SEED_TODAY)  # fmt: skip
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
