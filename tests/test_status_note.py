"""A property's status note: the next step or what blocks it, at most 200 characters, checked as every text cell is
(the postcode guard included), kept through import, export and the edit form with an audit row, and shown to every
reader on the Overview's late list, the Timeline and the briefing pack, while the notes stay for analysts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from pypdf import PdfReader
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard import charts, editing, metrics, queries, tables
from dashboard.briefing.pdf import build_briefing
from dashboard.db import _alembic_config, current_revision, head_revision, session_scope, upgrade_to_head
from dashboard.exporting import table_file
from dashboard.importing import ImportReport, import_path
from dashboard.layout import PROPERTIES
from dashboard.models import AuditEntry, Property
from dashboard.queries import Filters
from dashboard.roles import SYSTEM, Actor, Role
from tests.apptest import assert_page_ok, open_app
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, write_csv

EDITOR = Actor("alice@herts.gov.uk", "app", Role.EDITOR)
# Seeded (data/seed/properties.csv): RS-P2-04 is behind plan, with a status note and notes of its own.
SEEDED = "RS-P2-04"
SEEDED_NOTE = "Awaiting Ofsted's registration decision, expected in December; ready to open once registered."
SEEDED_NOTES = "Registration visit held; awaiting Ofsted's decision."
TOO_LONG = "Waiting on the surveyor. " * 8 + "x"  # 201 characters
assert len(TOO_LONG) == 201
POSTCODE = "Keys to be handed over at SG1 2AB"
OLDER_FILES_PROPERTY = "NEW-07"
HEADERS_WITHOUT_NOTE = [header for header in PROPERTIES.headers if header != "Status note"]


def status_note_of(engine: Engine, reference: str) -> str | None:
    with Session(engine) as session:
        return session.scalar(select(Property.status_note).where(Property.reference == reference))


def import_file(engine: Engine, path: Path) -> ImportReport:
    return import_path(engine, path, EDITOR, today=SEED_TODAY)


def status(engine: Engine):
    return queries.property_status(engine, SYSTEM, Filters(as_at=SEED_TODAY), SEED_TODAY)


# ---------------------------------------------------------------- the schema (migration 0009)


def test_the_migration_adds_the_column_and_takes_it_away_again(engine):
    assert current_revision(engine) == head_revision()
    columns = {column["name"]: column for column in inspect(engine).get_columns("property")}
    assert columns["status_note"]["nullable"] and columns["status_note"]["type"].length == 200

    command.downgrade(_alembic_config(engine), "0008")

    assert "status_note" not in {column["name"] for column in inspect(engine).get_columns("property")}
    with engine.connect() as connection:  # the rest of each property is untouched
        assert connection.scalar(text("SELECT count(*) FROM property")) == 21
    # Dropped in place, so the index of 0008 holds: a reference in other capitals is still refused.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO property (reference, phase_id, district_id, provision_model, planned_beds, provenance, "
                "version) SELECT 'rs-p2-04', phase_id, district_id, provision_model, planned_beds, 'test', 1 "
                "FROM property WHERE reference = 'RS-P2-04'"
            )
        )

    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()
    assert status_note_of(engine, SEEDED) is None  # a column added to an older store starts blank
    with session_scope(engine) as session:  # and holds a note again
        session.scalar(select(Property).where(Property.reference == SEEDED)).status_note = "Back again"
    assert status_note_of(engine, SEEDED) == "Back again"


# ---------------------------------------------------------------- import and export


def test_a_file_with_the_column_sets_and_clears_the_status_note(engine, tmp_path):
    note = "Offer accepted; survey booked for January."
    report = import_file(engine, write_csv(tmp_path / "properties.csv", [{**NEW_PROPERTY, "Status note": note}]))
    assert report.ok and report.written, report.summary()
    assert status_note_of(engine, "NEW-01") == note

    report = import_file(engine, write_csv(tmp_path / "properties.csv", [{**NEW_PROPERTY, "Status note": ""}]))
    assert report.ok and report.written, report.summary()
    assert status_note_of(engine, "NEW-01") is None  # a blank cell says there is none


def test_an_older_file_without_the_column_imports_and_leaves_status_notes_as_they_are(engine, tmp_path):
    older = write_csv(
        tmp_path / "properties.csv", [{**NEW_PROPERTY, "Reference": OLDER_FILES_PROPERTY}], HEADERS_WITHOUT_NOTE
    )
    report = import_file(engine, older)
    assert report.ok and report.written, report.summary()
    assert status_note_of(engine, OLDER_FILES_PROPERTY) is None

    # The seed's own rows, from a file made before the column: each property's note stays.
    rows = exported_rows(engine)
    for row in rows:
        row.pop("Status note")
    report = import_file(engine, write_csv(tmp_path / "properties.csv", rows, HEADERS_WITHOUT_NOTE))
    assert report.ok and report.written, report.summary()
    assert report.counts["properties"].updated == 0  # nothing in the file differs from the store
    assert status_note_of(engine, SEEDED) == SEEDED_NOTE


def exported_rows(engine: Engine) -> list[dict[str, str]]:
    exported = table_file(engine, PROPERTIES, SYSTEM).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(exported)))


def test_the_export_carries_the_status_note_and_imports_back_unchanged(engine, empty_engine, tmp_path):
    rows = exported_rows(engine)
    assert list(rows[0]) == PROPERTIES.headers
    by_reference = {row["Reference"]: row for row in rows}
    assert by_reference[SEEDED]["Status note"] == SEEDED_NOTE
    assert by_reference["RS-P1-01"]["Status note"] == ""

    (tmp_path / "properties.csv").write_bytes(table_file(engine, PROPERTIES, SYSTEM))
    phases = tmp_path / "phases.csv"
    phases.write_text("Name\nPhase 1\nPhase 2\nPhase 3\n", encoding="utf-8")
    report = import_path(empty_engine, tmp_path, SYSTEM, today=SEED_TODAY)
    assert report.ok, report.summary()
    assert status_note_of(empty_engine, SEEDED) == SEEDED_NOTE
    assert table_file(empty_engine, PROPERTIES, SYSTEM) == table_file(engine, PROPERTIES, SYSTEM)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        pytest.param(TOO_LONG, "is 201 characters long: at most 200", id="201 characters"),
        pytest.param(POSTCODE, "looks like a postcode: locations of homes are never stored", id="a postcode"),
    ],
)
def test_a_note_too_long_or_holding_a_postcode_is_refused_naming_row_and_column(shared_engine, tmp_path, note, message):
    good = {**NEW_PROPERTY, "Reference": "NEW-02", "Status note": "Fine"}
    path = write_csv(tmp_path / "properties.csv", [good, {**NEW_PROPERTY, "Status note": note}])
    before = dump(shared_engine)

    report = import_file(shared_engine, path)

    assert [str(problem) for problem in report.problems] == [f"properties.csv, row 3, Status note: {message}"]
    assert not report.written
    assert dump(shared_engine) == before


# ---------------------------------------------------------------- the edit form


def test_an_edit_saves_the_status_note_and_the_audit_trail_names_it(engine):
    draft = editing.open_property(engine, SEEDED)
    assert draft.values["status_note"] == SEEDED_NOTE  # the form opens with it

    message = editing.save_property(
        engine, EDITOR, draft, {**draft.values, "status_note": "  Registered; opening in January.  "}, SEED_TODAY
    )

    assert status_note_of(engine, SEEDED) == "Registered; opening in January."  # trimmed, as any text cell
    assert f"Status note: {SEEDED_NOTE} → Registered; opening in January." in message
    with session_scope(engine) as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.user, entry.entity_ref, entry.action) == (EDITOR.user, SEEDED, "update")
    assert (entry.before, entry.after) == (
        {"status_note": SEEDED_NOTE},
        {"status_note": "Registered; opening in January."},
    )


@pytest.mark.parametrize(
    ("note", "message"),
    [(TOO_LONG, "is 201 characters long: at most 200"), (POSTCODE, "looks like a postcode")],
    ids=["201 characters", "a postcode"],
)
def test_the_edit_form_refuses_a_note_too_long_or_holding_a_postcode(shared_engine, note, message):
    draft = editing.open_property(shared_engine, SEEDED)
    before = dump(shared_engine)

    with pytest.raises(editing.InvalidEdit) as refused:
        editing.save_property(shared_engine, EDITOR, draft, {**draft.values, "status_note": note}, SEED_TODAY)

    [(label, said)] = refused.value.problems
    assert label == "Status note" and message in said
    assert dump(shared_engine) == before


def test_the_edit_page_saves_and_refuses_a_status_note(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/edit-property.py").run()
    at.selectbox(key="edit-choice").select("RS-P2-05").run()
    [field] = [widget for widget in at.text_area if widget.label == "Status note"]
    before = dump(engine)

    field.set_value("Opposite SG1 2AB")
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    [error] = [e.value for e in at.error]
    assert "**Status note**: looks like a postcode: locations of homes are never stored" in error
    assert dump(engine) == before

    [field] = [widget for widget in at.text_area if widget.label == "Status note"]
    field.set_value("Recruitment of the home's manager under way.")
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    assert status_note_of(engine, "RS-P2-05") == "Recruitment of the home's manager under way."
    [saved] = [s.value for s in at.success]
    assert "Status note: blank → Recruitment of the home's manager under way." in saved


# ---------------------------------------------------------------- what readers see


def test_the_late_list_shows_each_status_note_and_blank_where_there_is_none(shared_engine):
    late = tables.late_table(status(shared_engine), SEED_TODAY).set_index("Property")

    assert late.loc[SEEDED, "Status note"] == SEEDED_NOTE
    assert late.loc["RS-P3-02", "Status note"] == ""  # late, with no note: blank, never "None"
    assert "None" not in late["Status note"].tolist()


def test_a_viewer_reads_the_status_note_but_never_the_notes(shared_engine):
    """Every reader's frames (the status behind every page, the late list, the Gantt chart and its table) carry the
    status note; the notes are read only by queries.property_details, shown to analysts."""
    frame = status(shared_engine)
    assert "status_note" in frame.columns and "notes" not in frame.columns
    segments = metrics.gantt_segments(queries.milestones(shared_engine, SYSTEM, Filters(as_at=SEED_TODAY)), SEED_TODAY)
    notes = tables.status_notes(frame)
    shown = {
        "late list": tables.late_table(frame, SEED_TODAY).to_csv(),
        "timeline table": tables.gantt_table(segments, notes).to_csv(),
        "timeline chart": charts.gantt(segments, metrics.lateness(frame, SEED_TODAY), SEED_TODAY, "T", notes).to_json(),
    }
    for where, content in shown.items():
        assert "Awaiting Ofsted's registration decision" in content, where
        assert SEEDED_NOTES not in content, where
    assert (
        queries.property_details(shared_engine, SYSTEM, SEEDED)["notes"] == SEEDED_NOTES
    )  # the analysts' view has them


def test_the_gantt_hover_ends_with_the_status_note_as_text(shared_engine):
    frame = status(shared_engine)
    segments = metrics.gantt_segments(queries.milestones(shared_engine, SYSTEM, Filters(as_at=SEED_TODAY)), SEED_TODAY)
    notes = {SEEDED: "<b>Survey</b> & " + "word " * 30}
    figure = charts.gantt(segments, metrics.lateness(frame, SEED_TODAY), SEED_TODAY, "T", notes)

    hovers = [row[0] for trace in figure.data if trace.customdata is not None for row in trace.customdata]
    noted = [hover for hover in hovers if hover.startswith(f"{SEEDED} ")]
    assert noted and all("<br>Status note: &lt;b&gt;Survey&lt;/b&gt; &amp; word" in hover for hover in noted)
    # Wrapped over lines a phone shows whole, never one line as wide as the note.
    assert all(hover.count("<br>") >= 4 for hover in noted)
    others = [hover for hover in hovers if not hover.startswith(f"{SEEDED} ")]
    assert others and not any("Status note" in hover for hover in others)


# ---------------------------------------------------------------- the briefing pack


def pdf_pages(path: Path) -> list[str]:
    """Each page's text, whitespace collapsed (a wrapped line is one space)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


@pytest.mark.slow  # builds two packs: kaleido draws their charts in Chromium
def test_the_packs_late_list_carries_each_status_note_and_page_one_stays_one_page(engine, tmp_path):
    # The seed's notes: the properties furthest behind are listed with them.
    pages = pdf_pages(
        build_briefing(engine, SYSTEM, SEED_TODAY, SEED_TODAY - timedelta(days=28), None, tmp_path / "a.pdf")
    )
    assert "Status note" in pages[0] and SEEDED_NOTE in pages[0]
    assert SEEDED_NOTES not in " ".join(pages)  # the notes are for analysts
    assert pages[1].startswith("Progress to the target")

    # A note of the longest kind on each of the six furthest behind: fewer are listed, each with its whole note.
    late = tables.late_table(status(engine), SEED_TODAY)
    longest = [f"{reference}: " + "next step " * 20 for reference in late["Property"].head(6)]
    for note in longest:
        draft = editing.open_property(engine, note.split(":")[0])
        editing.save_property(engine, EDITOR, draft, {**draft.values, "status_note": note[:200]}, SEED_TODAY)
    pages = pdf_pages(
        build_briefing(engine, SYSTEM, SEED_TODAY, SEED_TODAY - timedelta(days=28), None, tmp_path / "b.pdf")
    )
    assert " ".join(longest[0][:200].split()) in pages[0]
    listed = sum(note.split(":")[0] + ": next step" in pages[0] for note in longest)
    assert 1 <= listed < 6 and f"and {len(late) - listed} more behind plan" in pages[0]
    assert pages[1].startswith("Progress to the target")
