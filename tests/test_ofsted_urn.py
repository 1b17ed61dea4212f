"""A property's Ofsted URN: "SC" and six digits, or six or seven digits, exactly as written or refused naming row and
column; one URN to one property (a second is refused naming both); kept through import (its dry run too), export and
the edit form with an audit row; an older file without the column leaves URNs as they are; and every reader sees it
in the property register."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from alembic import command
from openpyxl import Workbook
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard import editing, queries, tables
from dashboard.db import SCHEMA_HEAD, _alembic_config, current_revision, session_scope, upgrade_to_head
from dashboard.exporting import table_file
from dashboard.importing import ImportReport, import_path
from dashboard.layout import PROPERTIES
from dashboard.models import AuditEntry, Property
from dashboard.queries import Filters
from dashboard.roles import SYSTEM, Actor, Role
from tests.apptest import assert_page_ok, open_app
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, write_csv

EDITOR = Actor("alice@herts.gov.uk", "app", Role.EDITOR)
HOME, OTHER = "RS-P1-01", "RS-P1-02"  # seeded (data/seed/properties.csv), open homes with no URN yet
URN, SEVEN_DIGITS = "SC123456", "1242101"
NOT_A_URN = "is not an Ofsted URN such as SC123456"
HEADERS_WITHOUT_URN = [header for header in PROPERTIES.headers if header != "Ofsted URN"]


def urns(engine: Engine) -> dict[str, str]:
    """Each property's URN, by reference, for those that have one."""
    with Session(engine) as session:
        held = session.execute(select(Property.reference, Property.ofsted_urn).where(Property.ofsted_urn.is_not(None)))
        return {reference: urn for reference, urn in held}


def set_urns(engine: Engine, **by_reference: str | None) -> None:
    """URNs set straight in the store (references written with _ for -): the state a test starts from."""
    with session_scope(engine) as session:
        for reference, urn in by_reference.items():
            prop = session.scalar(select(Property).where(Property.reference == reference.replace("_", "-")))
            prop.ofsted_urn = urn


def import_file(engine: Engine, path: Path, dry_run: bool = False) -> ImportReport:
    return import_path(engine, path, EDITOR, dry_run=dry_run, today=SEED_TODAY)


def exported_rows(engine: Engine) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(table_file(engine, PROPERTIES, SYSTEM).decode("utf-8-sig"))))


def tracker(tmp_path: Path, rows: list[dict[str, str]], headers: list[str] = PROPERTIES.headers) -> Path:
    return write_csv(tmp_path / "properties.csv", rows, headers)


def seeded_row(engine: Engine, reference: str, **cells: str) -> dict[str, str]:
    """A seeded property's row as export writes it, with `cells` changed (header -> value)."""
    [row] = [row for row in exported_rows(engine) if row["Reference"] == reference]
    return {**row, **cells}


# ---------------------------------------------------------------- the schema (migration 0010)


def test_the_store_holds_a_urn_once_and_the_migration_takes_it_away_again(engine):
    columns = {column["name"]: column for column in inspect(engine).get_columns("property")}
    assert columns["ofsted_urn"]["nullable"] and columns["ofsted_urn"]["type"].length == 8
    set_urns(engine, RS_P1_01=URN)
    with pytest.raises(IntegrityError), session_scope(engine) as session:  # the database's own guard, too
        session.scalar(select(Property).where(Property.reference == OTHER)).ofsted_urn = URN
    set_urns(engine, RS_P1_02=SEVEN_DIGITS)  # any number of properties have none

    command.downgrade(_alembic_config(engine), "0009")

    assert "ofsted_urn" not in {column["name"] for column in inspect(engine).get_columns("property")}
    with engine.connect() as connection:  # the rest of each property is untouched
        assert connection.scalar(text("SELECT count(*) FROM property")) == 21
    upgrade_to_head(engine)
    assert current_revision(engine) == SCHEMA_HEAD
    assert urns(engine) == {}  # a column added to an older store starts blank


# ---------------------------------------------------------------- import and export


def test_a_file_with_the_column_sets_and_clears_the_urn(engine, tmp_path):
    for urn in (URN, SEVEN_DIGITS, "654321"):
        report = import_file(engine, tracker(tmp_path, [{**NEW_PROPERTY, "Ofsted URN": f" {urn} "}]))
        assert report.ok and report.written, report.summary()
        assert urns(engine)["NEW-01"] == urn  # exactly as written, the spaces around a cell trimmed

    report = import_file(engine, tracker(tmp_path, [{**NEW_PROPERTY, "Ofsted URN": ""}]))
    assert report.ok and report.written, report.summary()
    assert "NEW-01" not in urns(engine)  # a blank cell says there is none


def test_a_spreadsheets_number_cell_is_the_urn_it_shows(engine, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "properties"
    row = {**NEW_PROPERTY, "Ofsted URN": 1242101}  # typed into Excel: a number cell
    sheet.append(PROPERTIES.headers)
    sheet.append([row.get(header) for header in PROPERTIES.headers])
    book.save(tmp_path / "tracker.xlsx")

    report = import_file(engine, tmp_path / "tracker.xlsx")

    assert report.ok and report.written, report.summary()
    assert urns(engine)["NEW-01"] == "1242101"


def test_an_older_file_without_the_column_imports_and_leaves_urns_as_they_are(engine, tmp_path):
    set_urns(engine, RS_P1_01=URN)
    rows = exported_rows(engine)
    for row in rows:
        row.pop("Ofsted URN")

    report = import_file(engine, tracker(tmp_path, rows, HEADERS_WITHOUT_URN))

    assert report.ok and report.written, report.summary()
    assert report.counts["properties"].updated == 0  # nothing in the file differs from the store
    assert urns(engine) == {HOME: URN}


def test_the_export_carries_the_urn_and_imports_back_unchanged(engine, empty_engine, tmp_path):
    set_urns(engine, RS_P1_01=URN, RS_P1_02=SEVEN_DIGITS)
    by_reference = {row["Reference"]: row for row in exported_rows(engine)}
    assert list(next(iter(by_reference.values()))) == PROPERTIES.headers
    assert (by_reference[HOME]["Ofsted URN"], by_reference[OTHER]["Ofsted URN"]) == (URN, SEVEN_DIGITS)
    assert by_reference["RS-P2-04"]["Ofsted URN"] == ""

    (tmp_path / "properties.csv").write_bytes(table_file(engine, PROPERTIES, SYSTEM))
    (tmp_path / "phases.csv").write_text("Name\nPhase 1\nPhase 2\nPhase 3\n", encoding="utf-8")
    report = import_path(empty_engine, tmp_path, SYSTEM, today=SEED_TODAY)

    assert report.ok, report.summary()
    assert urns(empty_engine) == {HOME: URN, OTHER: SEVEN_DIGITS}
    assert table_file(empty_engine, PROPERTIES, SYSTEM) == table_file(engine, PROPERTIES, SYSTEM)


@pytest.mark.parametrize(
    "written",
    ["sc123456", "SC12345", "SC1234567", "12345", "12345678", "SC 123456", "SC-123456", "ＳＣ123456", "SC１23456"],
    ids=[
        "lower case",
        "5 digits",
        "7 after SC",
        "5 digits alone",
        "8 digits",
        "a space",
        "a dash",
        "full-width SC",
        "a full-width digit",
    ],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_what_is_not_a_urn_is_refused_naming_row_and_column(shared_engine, tmp_path, written, dry_run):
    good = {**NEW_PROPERTY, "Reference": "NEW-02", "Ofsted URN": URN}
    path = tracker(tmp_path, [good, {**NEW_PROPERTY, "Ofsted URN": written}])
    before = dump(shared_engine)

    report = import_file(shared_engine, path, dry_run=dry_run)

    assert [(p.row, p.column) for p in report.problems] == [(3, "Ofsted URN")]
    assert str(report.problems[0]).startswith(f"properties.csv, row 3, Ofsted URN: '{written}' {NOT_A_URN}")
    assert not report.written
    assert dump(shared_engine) == before


# ---------------------------------------------------------------- one URN, one property


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_a_urn_another_property_holds_is_refused_naming_both(engine, tmp_path, dry_run):
    set_urns(engine, RS_P1_01=URN)
    before = dump(engine)
    rows = [seeded_row(engine, OTHER, **{"Ofsted URN": URN})]  # an older file's row would not clear RS-P1-01's

    report = import_file(engine, tracker(tmp_path, rows), dry_run=dry_run)

    assert [str(problem) for problem in report.problems] == [
        f"properties.csv, row 2, Ofsted URN: '{URN}' is already the Ofsted URN of {HOME}: it cannot be {OTHER}'s too"
    ]
    assert not report.written and dump(engine) == before


def test_a_urn_given_twice_in_a_file_is_refused_at_the_second_naming_the_first(shared_engine, tmp_path):
    rows = [
        {**NEW_PROPERTY, "Ofsted URN": URN},
        {**NEW_PROPERTY, "Reference": "NEW-02", "Ofsted URN": SEVEN_DIGITS},
        {**NEW_PROPERTY, "Reference": "NEW-03", "Ofsted URN": URN},
    ]
    before = dump(shared_engine)

    report = import_file(shared_engine, tracker(tmp_path, rows))

    assert [str(problem) for problem in report.problems] == [
        f"properties.csv, row 4, Ofsted URN: '{URN}' is already the Ofsted URN of NEW-01 (row 2): it cannot be "
        "NEW-03's too"
    ]
    assert dump(shared_engine) == before


def test_a_urn_moves_or_two_properties_swap_theirs_in_one_file(engine, tmp_path):
    set_urns(engine, RS_P1_01=URN, RS_P1_02=SEVEN_DIGITS)
    swapped = [
        seeded_row(engine, HOME, **{"Ofsted URN": SEVEN_DIGITS}),
        seeded_row(engine, OTHER, **{"Ofsted URN": URN}),
    ]

    report = import_file(engine, tracker(tmp_path, swapped))

    assert report.ok and report.written, report.summary()
    assert report.counts["properties"].updated == 2
    assert urns(engine) == {HOME: SEVEN_DIGITS, OTHER: URN}
    # The audit trail of each says what became of its URN: cleared to free it for the other, then its new one.
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "property").order_by(AuditEntry.id.desc()).limit(4)
        ).all()
    changes = {(e.entity_ref, e.before["ofsted_urn"], e.after["ofsted_urn"]) for e in entries}
    assert changes == {(HOME, URN, None), (OTHER, SEVEN_DIGITS, None), (HOME, None, SEVEN_DIGITS), (OTHER, None, URN)}

    moved = [seeded_row(engine, HOME, **{"Ofsted URN": ""}), {**NEW_PROPERTY, "Ofsted URN": SEVEN_DIGITS}]
    report = import_file(engine, tracker(tmp_path, moved))  # the new row comes after the one giving it up

    assert report.ok and report.written, report.summary()
    assert urns(engine) == {"NEW-01": SEVEN_DIGITS, OTHER: URN}


# ---------------------------------------------------------------- the edit form


def test_an_edit_saves_the_urn_and_the_audit_trail_names_it(engine):
    draft = editing.open_property(engine, HOME)
    assert draft.values["ofsted_urn"] is None  # the form opens with it

    message = editing.save_property(engine, EDITOR, draft, {**draft.values, "ofsted_urn": URN}, SEED_TODAY)

    assert urns(engine) == {HOME: URN}
    assert f"Ofsted URN: blank → {URN}" in message
    with session_scope(engine) as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.user, entry.entity_ref, entry.action) == (EDITOR.user, HOME, "update")
    assert (entry.before, entry.after) == ({"ofsted_urn": None}, {"ofsted_urn": URN})


@pytest.mark.parametrize(
    ("urn", "message"),
    [("sc123456", f"'sc123456' {NOT_A_URN}"), (URN, f"'{URN}' is already the Ofsted URN of {OTHER}: it cannot be")],
    ids=["not a URN", "held by another"],
)
def test_the_edit_form_refuses_what_is_not_a_urn_or_one_another_property_holds(engine, urn, message):
    set_urns(engine, RS_P1_02=URN)
    draft = editing.open_property(engine, HOME)
    before = dump(engine)

    with pytest.raises(editing.InvalidEdit) as refused:
        editing.save_property(engine, EDITOR, draft, {**draft.values, "ofsted_urn": urn}, SEED_TODAY)

    [(label, said)] = refused.value.problems
    assert label == "Ofsted URN" and said.startswith(message)
    assert dump(engine) == before


def test_the_edit_page_saves_and_refuses_a_urn(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/edit-property.py").run()
    at.selectbox(key="edit-choice").select(HOME).run()
    [field] = [widget for widget in at.text_input if widget.label == "Ofsted URN"]
    assert "does not locate the home" in field.help
    before = dump(engine)

    field.set_value("SC12345")
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    [error] = [e.value for e in at.error]
    assert f"**Ofsted URN**: 'SC12345' {NOT_A_URN}" in error
    assert dump(engine) == before

    [field] = [widget for widget in at.text_input if widget.label == "Ofsted URN"]
    field.set_value(URN)
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    assert urns(engine) == {HOME: URN}
    [saved] = [s.value for s in at.success]
    assert f"Ofsted URN: blank → {URN}" in saved


# ---------------------------------------------------------------- what readers see


def test_the_register_shows_each_urn_and_blank_where_there_is_none(engine):
    set_urns(engine, RS_P1_01=URN)
    status = queries.property_status(engine, SYSTEM, Filters(as_at=SEED_TODAY), SEED_TODAY)

    register = tables.register_table(status, SEED_TODAY).set_index("Property")

    assert register.loc[HOME, "Ofsted URN"] == URN
    assert register.loc[OTHER, "Ofsted URN"] == ""  # blank, never "None"
    assert tables.matching(register.reset_index(), URN)["Property"].tolist() == [HOME]  # the search finds it
