"""Files built to break the readers: wrong or mixed encodings, odd line endings, rows numbered wrongly, cells past
the last column, hidden sheets, formulas without values, and workbooks and CSVs that ask for hours of work or
gigabytes of memory. Each is read exactly or refused in words, quickly and in bounded memory, and nothing is written.

The time and peak memory of each bounded refusal are printed (run with -s to see them)."""

from __future__ import annotations

import secrets
import time
import tomllib
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.importing import import_path
from dashboard.layout import PROPERTIES
from dashboard.lookup import import_lookup
from dashboard.market import import_ofsted
from dashboard.models import Property
from dashboard.placements import import_episodes
from dashboard.reading import MAX_COLUMNS, MAX_FILE_BYTES, MAX_FILE_MB, MAX_ROWS, UnreadableFile, check_size, decode
from dashboard.roles import Actor, Role
from dashboard.workbooks import NO_SAVED_VALUE
from tests.conftest import NEW_PROPERTY, REPO_ROOT, SEED_TODAY, SHARED_DATA, dump

EDITOR = Actor("ed@herts.gov.uk", "test", Role.EDITOR)
MAX_SECONDS, MAX_MEGABYTES = 10, 100  # generous bounds: the refusals measured take a fraction of them
BAD_BEDS = {**NEW_PROPERTY, "Reference": "NEW-02", "Planned beds": "15"}


def import_programme(engine, path: Path, dry_run: bool = False):
    return import_path(engine, path, EDITOR, dry_run=dry_run, today=SEED_TODAY)


GOOD_EPISODES = SHARED_DATA / "ssda903" / "demandmodel_2021-episodes.csv"

# Every importer, as the command line and the Import page call it, and the SSDA903 header file given beside a good
# episodes file.
IMPORTERS: dict[str, Callable[[Any, Path], list]] = {
    "programme": lambda engine, path: import_programme(engine, path).problems,
    "SSDA903 episodes": lambda engine, path: import_episodes(engine, path, EDITOR, today=SEED_TODAY).problems,
    "SSDA903 header": lambda engine, path: (
        import_episodes(engine, [GOOD_EPISODES, path], EDITOR, today=SEED_TODAY).problems
    ),
    "postcode-district lookup": lambda engine, path: import_lookup(engine, path, EDITOR).problems,
    "Ofsted providers": lambda engine, path: import_ofsted(engine, path, EDITOR).problems,
}


def csv_text(rows: list[dict[str, str]], separator: str = ",", newline: str = "\n") -> str:
    """The tracker's header and `rows`, cells left blank where a row names none (no cell here needs quoting)."""
    lines = [separator.join(PROPERTIES.headers)] + [
        separator.join(row.get(h, "") for h in PROPERTIES.headers) for row in rows
    ]
    return newline.join(lines) + newline


def stored_notes(engine, reference: str) -> str | None:
    with Session(engine) as session:
        return session.scalar(select(Property.notes).where(Property.reference == reference))


def assert_refused(engine, path: Path, *phrases: str, run: Callable = IMPORTERS["programme"]) -> str:
    """The file is refused, its message holds every phrase, and the store is as it was."""
    before = dump(engine)
    problems = run(engine, path)
    text = "\n".join(str(problem) for problem in problems)
    assert problems and all(phrase in text for phrase in phrases), text
    assert "Error" not in text and "Traceback" not in text, text
    assert dump(engine) == before
    return text


# ---------------------------------------------------------------- encodings


def test_a_mixed_file_is_refused_naming_the_line_of_the_first_byte_that_is_not_utf8():
    data = "Reference,Notes\nA,Café – open\nB,fine\n".encode() + b"C,caf\xe9\n"

    with pytest.raises(UnreadableFile) as refused:
        decode(data, "mixed.csv")

    assert str(refused.value).startswith("mixed.csv: line 4 is not UTF-8")
    assert "CSV UTF-8" in str(refused.value)


@pytest.mark.parametrize("importer", IMPORTERS, ids=list(IMPORTERS))
def test_every_importer_refuses_a_mixed_file_with_its_line(shared_engine, tmp_path, importer):
    path = tmp_path / "mixed.csv"
    path.write_bytes("CHILD,Notes\n1,Café –\n2,x\n3,y\n4,z\n5,w\n".encode() + b"6,caf\xe9\n")

    assert_refused(shared_engine, path, "line 7 is not UTF-8", "save the file as CSV UTF-8", run=IMPORTERS[importer])


def test_windows_1252_is_read_exactly(engine, tmp_path):
    notes = "Café’s £5 offer – declined"  # é £ and the curly apostrophe and dash Windows-1252 has
    path = tmp_path / "properties.csv"
    path.write_bytes(csv_text([{**NEW_PROPERTY, "Notes": notes}]).encode("cp1252"))

    report = import_programme(engine, path)

    assert report.ok, report.summary()
    assert stored_notes(engine, "NEW-01") == notes


@pytest.mark.parametrize("byte", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
def test_a_byte_neither_utf8_nor_windows_1252_is_refused_naming_its_line(byte):
    with pytest.raises(UnreadableFile, match=r"^odd\.csv: line 3 holds a byte that is neither UTF-8 nor Windows-1252"):
        decode(b"a,b\nc\xe9,d\ne" + byte + b",f\n", "odd.csv")


@pytest.mark.parametrize("separator", [",", "\t"], ids=["commas", "tabs (Excel's Unicode text)"])
def test_utf16_is_read(engine, tmp_path, separator):
    notes = "Café – £5 ✓"
    path = tmp_path / "properties.txt"
    path.write_bytes(csv_text([{**NEW_PROPERTY, "Notes": notes}], separator, "\r\n").encode("utf-16"))

    report = import_programme(engine, path)

    assert report.ok, report.summary()
    assert stored_notes(engine, "NEW-01") == notes


def test_utf16_cut_short_is_refused_saying_utf16(shared_engine, tmp_path):
    path = tmp_path / "properties.csv"
    path.write_bytes(csv_text([NEW_PROPERTY]).encode("utf-16")[:-1])

    assert_refused(shared_engine, path, "UTF-16", "CSV UTF-8")


def test_a_file_with_carriage_returns_alone_is_read(engine, tmp_path):
    path = tmp_path / "properties.csv"
    path.write_bytes(csv_text([{**NEW_PROPERTY, "Notes": "old Mac line endings"}], newline="\r").encode())

    report = import_programme(engine, path)

    assert report.ok, report.summary()
    assert stored_notes(engine, "NEW-01") == "old Mac line endings"


def test_a_file_with_carriage_returns_alone_gives_its_own_line_numbers(shared_engine, tmp_path):
    path = tmp_path / "properties.csv"
    path.write_bytes(csv_text([NEW_PROPERTY, BAD_BEDS], newline="\r").encode())

    text = assert_refused(shared_engine, path, "row 3, Planned beds")
    assert "universal-newline" not in text


def test_a_nul_byte_is_refused_naming_its_line(shared_engine, tmp_path):
    path = tmp_path / "properties.csv"
    path.write_bytes(csv_text([NEW_PROPERTY, {**NEW_PROPERTY, "Notes": "a\x00b"}]).encode())

    assert_refused(shared_engine, path, "line 3 holds a NUL character")


def test_a_workbook_given_as_a_csv_is_refused_in_words(shared_engine, tmp_path):
    workbook = Workbook()
    workbook.save(tmp_path / "book.xlsx")
    path = tmp_path / "properties.csv"
    path.write_bytes((tmp_path / "book.xlsx").read_bytes())

    assert_refused(shared_engine, path, "an Excel workbook", "not CSV text")


# ---------------------------------------------------------------- the file's own row numbers


def test_blank_lines_above_the_header_leave_the_row_numbers_the_files_own(shared_engine, tmp_path):
    path = tmp_path / "properties.csv"
    path.write_text("\n\n" + csv_text([NEW_PROPERTY, BAD_BEDS]), encoding="utf-8")

    assert_refused(shared_engine, path, "properties.csv, row 5, Planned beds")  # lines 1-2 blank, 3 the header


def test_blank_rows_above_a_sheets_header_leave_its_row_numbers(shared_engine, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "properties"
    sheet.append([])
    sheet.append([])
    sheet.append(list(PROPERTIES.headers))
    for row in (NEW_PROPERTY, BAD_BEDS):
        sheet.append([row.get(header) for header in PROPERTIES.headers])
    sheet["A1"] = " "  # a space is blank too
    workbook.save(tmp_path / "tracker.xlsx")

    assert_refused(shared_engine, tmp_path / "tracker.xlsx", "tracker.xlsx:properties, row 5, Planned beds")


def test_a_row_after_a_cell_with_a_line_break_is_named_as_a_spreadsheet_numbers_it(shared_engine, tmp_path):
    two_lines = {**NEW_PROPERTY, "Notes": '"first line\nsecond line"'}
    path = tmp_path / "properties.csv"
    path.write_text(csv_text([two_lines, BAD_BEDS]), encoding="utf-8")

    # The notes span lines 2 and 3 of the text, but are one row (2) in a spreadsheet: the bad beds are its row 3.
    assert_refused(shared_engine, path, "row 3, Planned beds")


# ---------------------------------------------------------------- what the table holds


def test_a_value_beyond_the_last_headed_column_is_refused_naming_row_and_column(shared_engine, tmp_path):
    path = tmp_path / "properties.csv"
    second = {**NEW_PROPERTY, "Reference": "NEW-02"}
    stray = ",".join(second.get(h, "") for h in PROPERTIES.headers) + ",,stray\n"
    path.write_text(csv_text([NEW_PROPERTY]) + stray, encoding="utf-8")

    column = len(PROPERTIES.headers) + 2
    assert_refused(shared_engine, path, f"row 3, column {column}: a value beyond the last headed column")


def test_a_value_beyond_a_sheets_last_headed_column_is_refused(shared_engine, tmp_path):
    workbook = tracker_workbook()
    workbook["properties"].cell(2, len(PROPERTIES.headers) + 1, "stray")
    workbook.save(tmp_path / "tracker.xlsx")

    column = len(PROPERTIES.headers) + 1
    assert_refused(shared_engine, tmp_path / "tracker.xlsx", f"row 2, column {column}: a value beyond the last")


def tracker_workbook() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "properties"
    sheet.append(list(PROPERTIES.headers))
    sheet.append([NEW_PROPERTY.get(header) for header in PROPERTIES.headers])
    return workbook


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_holding_data_is_refused_naming_it(shared_engine, tmp_path, state):
    workbook = tracker_workbook()
    hidden = workbook.create_sheet("old notes")
    hidden["C3"] = "kept out of sight"
    hidden.sheet_state = state
    workbook.save(tmp_path / "tracker.xlsx")

    assert_refused(shared_engine, tmp_path / "tracker.xlsx", "sheet 'old notes' is hidden: unhide it or delete it")


def test_hidden_sheets_that_are_empty_or_passed_over_are_no_bar(shared_engine, tmp_path):
    workbook = tracker_workbook()
    workbook.create_sheet("empty").sheet_state = "hidden"
    guide = workbook.create_sheet("guide")  # a sheet import passes over, whatever it holds
    guide["A1"] = "How to fill in the tracker"
    guide.sheet_state = "veryHidden"
    workbook.save(tmp_path / "tracker.xlsx")

    report = import_programme(shared_engine, tmp_path / "tracker.xlsx", dry_run=True)

    assert report.ok, report.summary()
    assert report.counts["properties"].created == 1


def test_a_formula_with_no_saved_value_says_so_rather_than_is_required(shared_engine, tmp_path):
    workbook = tracker_workbook()  # openpyxl saves formulas without their values, as a program that does not calculate
    beds = PROPERTIES.headers.index("Planned beds") + 1
    workbook["properties"].cell(2, beds, "=1+2")
    workbook.save(tmp_path / "tracker.xlsx")

    text = assert_refused(shared_engine, tmp_path / "tracker.xlsx", f"row 2, Planned beds: {NO_SAVED_VALUE}")
    assert "is required" not in text


def test_a_formula_whose_saved_value_is_empty_text_is_an_empty_cell(shared_engine, tmp_path):
    notes = PROPERTIES.headers.index("Notes") + 1
    cell = f'<c r="{column_letter(notes)}2" t="str"><f>""</f><v></v></c>'  # as Excel saves ="" once calculated
    path = handmade_workbook(tmp_path / "tracker.xlsx", sheet_xml([PROPERTIES.headers, NEW_PROPERTY], extra=cell))

    report = import_programme(shared_engine, path, dry_run=True)

    assert report.ok, report.summary()


# ---------------------------------------------------------------- workbooks built by hand

CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)


def inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def sheet_xml(rows: list, dimension: str = "A1:J2", extra: str = "") -> str:
    """A sheet: the tracker's header, then each row (a dict by header) as inline text; `extra` cells end row 2."""
    headers = rows[0]
    cells = ["".join(inline(f"{column_letter(i)}1", h) for i, h in enumerate(headers, start=1))]
    cells += [
        "".join(inline(f"{column_letter(i)}{n}", row[h]) for i, h in enumerate(headers, start=1) if row.get(h))
        for n, row in enumerate(rows[1:], start=2)
    ]
    cells[-1] += extra
    body = "".join(f'<row r="{n}">{row}</row>' for n, row in enumerate(cells, start=1))
    return f'<worksheet xmlns="{CONTENT_MAIN}"><dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'


def handmade_workbook(
    path: Path, sheet: str | bytes, shared_strings: bytes | None = None, parts: dict[str, bytes] | None = None
) -> Path:
    """The smallest workbook openpyxl reads: one sheet, "properties", and the parts given, each written as is."""
    strings_type = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CONTENT}.sharedStrings+xml"/>'
    strings_relation = f'<Relationship Id="rId2" Type="{RELATION}/sharedStrings" Target="sharedStrings.xml"/>'
    with_strings = shared_strings is not None
    files: dict[str, str | bytes] = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CONTENT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CONTENT}.worksheet+xml"/>'
        + (strings_type if with_strings else "")
        + "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{RELATION}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{CONTENT_MAIN}" xmlns:r="{RELATION}"><sheets>'
        '<sheet name="properties" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{RELATION}/worksheet" Target="worksheets/sheet1.xml"/>'
        + (strings_relation if with_strings else "")
        + "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet,
        **({"xl/sharedStrings.xml": shared_strings} if with_strings else {}),
        **(parts or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def measured(label: str, path: Path, refuse: Callable[[], Any]) -> Any:
    """Run `refuse` twice: once timed, once under tracemalloc for its peak memory. Both are printed, and held to
    generous bounds."""
    start = time.perf_counter()
    result = refuse()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        refuse()
        megabytes = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()
    print(f"\n{label}: file {path.stat().st_size / 1024:,.1f} KB; {seconds:.2f} s, peak {megabytes:.1f} MB traced")
    assert seconds < MAX_SECONDS and megabytes < MAX_MEGABYTES, (label, seconds, megabytes)
    return result


def assert_bounded_refusal(engine, label: str, path: Path, *phrases: str) -> None:
    before = dump(engine)
    report = measured(label, path, lambda: import_programme(engine, path))
    text = report.summary()
    print(f"  {text.splitlines()[-1].strip()}")
    assert not report.ok and all(phrase in text for phrase in phrases), text
    assert dump(engine) == before


def test_a_sheet_declaring_every_cell_excel_has_is_read_to_its_real_size(shared_engine, tmp_path):
    """1.5 KB declaring A1:XFD1048576: openpyxl would pad each row to 16,384 cells and go on to row 1,048,576."""
    path = handmade_workbook(tmp_path / "tracker.xlsx", sheet_xml([PROPERTIES.headers, NEW_PROPERTY], "A1:XFD1048576"))
    assert path.stat().st_size < 2048

    report = measured("A1:XFD1048576 declared", path, lambda: import_programme(shared_engine, path, dry_run=True))

    assert report.ok, report.summary()
    assert report.counts["properties"].created == 1


@pytest.mark.parametrize(
    ("cell", "phrase"),
    [
        ('<c r="XFD2"><v>1</v></c>', f"cell XFD2: a value beyond column {MAX_COLUMNS}"),
        ('</row><row r="1048576"><c r="A1048576"><v>1</v></c>', f"cell A1048576: a value below row {MAX_ROWS:,}"),
    ],
    ids=["column XFD", "row 1048576"],
)
def test_a_value_far_beyond_the_limits_is_refused_at_once(shared_engine, tmp_path, cell, phrase):
    path = handmade_workbook(tmp_path / "tracker.xlsx", sheet_xml([PROPERTIES.headers, NEW_PROPERTY], extra=cell))

    assert_bounded_refusal(shared_engine, f"a value in {phrase.split(':')[0]}", path, "sheet 'properties'", phrase)


def test_three_million_shared_strings_are_refused(shared_engine, tmp_path):
    strings = b'<sst xmlns="' + CONTENT_MAIN.encode() + b'">' + b"<si><t/></si>" * 3_000_000 + b"</sst>"
    path = handmade_workbook(tmp_path / "tracker.xlsx", sheet_xml([PROPERTIES.headers]), shared_strings=strings)
    assert path.stat().st_size < 200 * 1024

    assert_bounded_refusal(shared_engine, "3,000,000 shared strings", path, "tracker.xlsx")


def test_shared_strings_over_the_limit_are_refused_while_counted(shared_engine, tmp_path):
    """Strings that do not compress far (so the archive's own checks pass) are counted, and the count stops."""
    body = b"".join(b"<si><t>%x</t></si>" % (number * 7919) for number in range(250_000))
    strings = b'<sst xmlns="' + CONTENT_MAIN.encode() + b'">' + body + b"</sst>"
    path = handmade_workbook(tmp_path / "tracker.xlsx", sheet_xml([PROPERTIES.headers]), shared_strings=strings)

    assert_bounded_refusal(shared_engine, "250,000 shared strings", path, "more than 200,000 different texts")


def test_a_part_that_unpacks_a_thousandfold_is_refused(shared_engine, tmp_path):
    padding = " " * (20 * 1024 * 1024)
    sheet = sheet_xml([PROPERTIES.headers]).replace("<sheetData>", f"<sheetData>{padding}")
    path = handmade_workbook(tmp_path / "tracker.xlsx", sheet)

    assert_bounded_refusal(
        shared_engine,
        "zip bomb part (20 MB of spaces)",
        path,
        "xl/worksheets/sheet1.xml",
        "more than 100 times its packed size",
    )


def test_a_workbook_unpacking_past_the_total_is_refused(shared_engine, tmp_path):
    parts = {"xl/media/image1.bin": bytes(60 * 1024 * 1024)}
    path = handmade_workbook(tmp_path / "tracker.xlsx", sheet_xml([PROPERTIES.headers]), parts=parts)

    assert_bounded_refusal(shared_engine, "60 MB unpacked", path, "unpacks to 60 MB", "at most 50 MB")


def test_a_part_parsed_whole_is_held_to_its_own_limit(shared_engine, tmp_path):
    styles = f'<styleSheet xmlns="{CONTENT_MAIN}"><!-- {secrets.token_hex(3 * 1024 * 1024)} --></styleSheet>'
    sheet = sheet_xml([PROPERTIES.headers])
    path = handmade_workbook(tmp_path / "tracker.xlsx", sheet, parts={"xl/styles.xml": styles})

    assert_bounded_refusal(shared_engine, "6 MB styles", path, "xl/styles.xml is 6 MB; at most 5 MB")


def test_a_document_type_declaration_is_refused(shared_engine, tmp_path):
    strings = f'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]><sst xmlns="{CONTENT_MAIN}"><si><t>&a;</t></si></sst>'
    sheet = sheet_xml([PROPERTIES.headers])
    path = handmade_workbook(tmp_path / "tracker.xlsx", sheet, shared_strings=strings.encode())

    assert_refused(shared_engine, path, "a document type declaration")


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 not really", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old"],
    ids=["broken zip", "xls or password"],
)
def test_a_workbook_that_cannot_be_read_is_refused_in_words(shared_engine, tmp_path, content):
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(content)

    assert_refused(shared_engine, path, "save it", "Excel")


# ---------------------------------------------------------------- CSV sizes


def test_a_256_mb_single_line_csv_is_refused_before_it_is_read(shared_engine, tmp_path):
    path = tmp_path / "properties.csv"
    chunk = b"x," * (512 * 1024)
    with path.open("wb") as file:
        for _ in range(256):
            file.write(chunk)

    assert_bounded_refusal(shared_engine, "256 MB single-line CSV", path, f"up to {MAX_FILE_MB} MB")


def test_a_single_line_csv_under_the_size_limit_is_refused_at_its_line_length(shared_engine, tmp_path):
    path = tmp_path / "properties.csv"
    path.write_bytes(b"x," * (9 * 1024 * 1024))  # 18 MB, one line

    assert_bounded_refusal(shared_engine, "18 MB single-line CSV", path, "line 1 is longer than 1,000,000 characters")


def test_a_csv_of_endless_blank_lines_stops_at_the_row_limit(shared_engine, tmp_path):
    path = tmp_path / "properties.csv"
    path.write_bytes(b"\n" * (MAX_FILE_BYTES - 1))

    assert_bounded_refusal(shared_engine, "20 MB of blank lines", path, f"more than {MAX_ROWS:,} rows")


@pytest.mark.parametrize("importer", IMPORTERS, ids=list(IMPORTERS))
def test_every_importer_refuses_a_file_over_the_size_limit_before_reading_it(shared_engine, tmp_path, importer):
    path = tmp_path / "big.csv"
    with path.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written, nothing need be read

    before = dump(shared_engine)
    problems = measured(
        f"{importer}: a file over {MAX_FILE_MB} MB", path, lambda: IMPORTERS[importer](shared_engine, path)
    )

    assert any(f"an import takes files of up to {MAX_FILE_MB} MB" in str(problem) for problem in problems), problems
    assert dump(shared_engine) == before


def test_the_upload_limit_is_the_import_limit():
    """The browser refuses what the importers would (Streamlit counts megabytes of 1,024 x 1,024 bytes at most)."""
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))

    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES
    check_size("fits.csv", MAX_FILE_BYTES)
    with pytest.raises(UnreadableFile, match=r"^big\.csv: the file is 20\.0 MB; an import takes files of up to 20 MB"):
        check_size("big.csv", MAX_FILE_BYTES + 1)


def test_the_import_page_refuses_an_upload_over_the_limit_before_reading_it(monkeypatch, store_url, engine):
    import dashboard.uploads
    from tests.apptest import assert_page_ok, open_app

    def never(*_: Any, **__: Any) -> None:
        raise AssertionError("an upload over the limit was read")

    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/import.py").run()
    monkeypatch.setattr(dashboard.uploads, "run_upload", never)
    before = dump(engine)

    at.file_uploader[0].set_value(("properties.csv", b"x" * (MAX_FILE_BYTES + 1), "text/csv")).run()

    assert_page_ok(at)
    assert [error.value for error in at.error] == [
        "**properties.csv cannot be imported**: the file is 20.0 MB; an import takes files of up to 20 MB: split it, "
        "or remove what is not needed. Nothing was written."
    ]
    assert dump(engine) == before


def test_a_header_below_blank_lines_is_named_by_its_own_row(shared_engine, tmp_path):
    path = tmp_path / "properties.csv"
    path.write_text("\n\n" + csv_text([NEW_PROPERTY]).replace("Planned beds", "Planned bedz"), encoding="utf-8")

    assert_refused(shared_engine, path, "row 3, Planned bedz: unknown column")
