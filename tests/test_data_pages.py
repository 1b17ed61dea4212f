"""The data pages through AppTest: edits, imports and decisions written through the domain (checked, audited), a stale
edit refused with nothing lost, the audit trail filtered and exported, roles granted from the app."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from dashboard import editing
from dashboard.db import session_scope
from dashboard.layout import PROPERTIES
from dashboard.models import AuditEntry, Decision, Property
from dashboard.roles import Actor, Role
from tests.apptest import assert_page_ok, open_app
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump


def labelled(widgets, label: str):
    [widget] = [w for w in widgets if w.label == label]
    return widget


def beds(engine, reference: str) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(Property.planned_beds).where(Property.reference == reference))


def open_editor(monkeypatch, store_url, reference: str):
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/edit-property.py").run()
    at.selectbox(key="edit-choice").select(reference).run()
    assert_page_ok(at)
    return at


def test_an_editor_changes_beds_and_notes_and_the_audit_names_them(monkeypatch, store_url, engine):
    at = open_editor(monkeypatch, store_url, "RS-P2-05")
    old = beds(engine, "RS-P2-05")
    labelled(at.number_input, "Planned beds").set_value(old % 12 + 1)
    labelled(at.text_area, "Notes").set_value("Planning consent granted")
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    assert beds(engine, "RS-P2-05") == old % 12 + 1
    [message] = [s.value for s in at.success]
    assert message.startswith("Saved RS-P2-05.") and f"Planned beds: {old} → {old % 12 + 1}" in message
    with session_scope(engine) as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.user, entry.source, entry.entity_ref) == ("local.tester", "app", "RS-P2-05")
    assert entry.after == {"planned_beds": old % 12 + 1, "notes": "Planning consent granted"}
    # The form now shows what was saved, ready for the next change.
    assert labelled(at.number_input, "Planned beds").value == old % 12 + 1


def test_a_bad_value_is_named_and_nothing_is_written(monkeypatch, store_url, engine):
    at = open_editor(monkeypatch, store_url, "RS-P2-05")
    before = dump(engine)
    labelled(at.number_input, "Planned beds").set_value(13)
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    refused = "Nothing was saved. Please correct:\n- **Planned beds**: 13 beds is outside 1 to 12"
    assert [e.value for e in at.error] == [refused]
    labelled(at.number_input, "Planned beds").set_value(2)
    labelled(at.text_area, "Notes").set_value("Opposite SG1 2AB")
    at.form_submit_button[0].click().run()
    [error] = [e.value for e in at.error]
    assert "**Notes**: looks like a postcode: locations of homes are never stored" in error
    assert dump(engine) == before
    assert labelled(at.text_area, "Notes").value == "Opposite SG1 2AB", "the user's entry is kept to correct"


def test_a_stale_edit_is_refused_in_the_app_and_nothing_is_lost(monkeypatch, store_url, engine):
    at = open_editor(monkeypatch, store_url, "RS-P2-06")
    # Someone else saves a change after this form was opened.
    other = Actor("bob@herts.gov.uk", "app", Role.EDITOR)
    draft = editing.open_property(engine, "RS-P2-06")
    editing.save_property(engine, other, draft, {**draft.values, "specialism": "step-down"}, SEED_TODAY)
    after_bob = dump(engine)

    labelled(at.text_area, "Notes").set_value("My note")
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    [error] = [e.value for e in at.error]
    assert "changed by someone else" in error and "bob@herts.gov.uk" in error and "Specialism" in error
    assert dump(engine) == after_bob
    assert labelled(at.text_area, "Notes").value == "My note"
    # Reloading shows their change; the edit can then be made.
    at.button(key=[b.key for b in at.button if b.key and b.key.startswith("reload-")][0]).click().run()
    assert labelled(at.text_input, "Specialism").value == "step-down"


def test_adding_a_property_from_the_app(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/edit-property.py").run()
    labelled(at.text_input, "Reference").set_value("RS-APP-1")
    labelled(at.selectbox, "Phase").select("Phase 2")
    labelled(at.selectbox, "District").select("Stevenage")
    labelled(at.selectbox, "Provision model").select("in-house")
    labelled(at.number_input, "Planned beds").set_value(3)
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    assert [s.value for s in at.success] == ["Added property RS-APP-1."]
    assert beds(engine, "RS-APP-1") == 3
    assert at.selectbox(key="edit-choice").value == "RS-APP-1"


def test_adding_a_decision_from_the_app(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/add-decision.py").run()
    labelled(at.text_input, "Reference").set_value("B200/26")
    labelled(at.text_input, "Title").set_value("Phase 3 acquisitions")
    labelled(at.selectbox, "Type").select("Executive")
    labelled(at.radio, "Key decision").set_value("Yes")
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    assert [s.value for s in at.success] == ["Added decision B200/26."]
    with session_scope(engine) as session:
        assert session.scalar(select(Decision.title).where(Decision.reference == "B200/26")) == "Phase 3 acquisitions"


def upload(at, name: str, rows: list[dict[str, str]]):
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=PROPERTIES.headers)
    writer.writeheader()
    writer.writerows(rows)
    at.file_uploader[0].set_value((name, handle.getvalue().encode(), "text/csv")).run()
    assert_page_ok(at)


def test_an_import_shows_its_report_and_writes_only_when_confirmed(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/import.py").run()
    before = dump(engine)
    upload(at, "properties.csv", [NEW_PROPERTY])
    assert "properties.csv checks out" in at.success[0].value
    assert at.dataframe[0].value.to_dict("records") == [{"Table": "Properties", "New": 1, "Changed": 0, "Unchanged": 0}]
    assert dump(engine) == before, "the check wrote something"
    [confirm] = [b for b in at.button if b.label == "Import properties.csv"]
    confirm.click().run()
    assert_page_ok(at)
    assert at.success[0].value.startswith("Imported. properties: 1 new, 0 changed")
    assert beds(engine, "NEW-01") == 3
    with session_scope(engine) as session:
        sources = set(session.scalars(select(AuditEntry.source).where(AuditEntry.entity_ref.startswith("NEW-01"))))
    assert sources == {"import properties.csv"}


def test_a_bad_import_lists_each_row_and_column_and_offers_no_import(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/import.py").run()
    before = dump(engine)
    upload(at, "properties.csv", [NEW_PROPERTY, {**NEW_PROPERTY, "Reference": "NEW-02", "Planned beds": "0"}])
    assert "cannot be imported" in at.error[0].value
    problems = at.dataframe[0].value
    assert problems.to_dict("records") == [
        {"File": "properties.csv", "Row": 3, "Column": "Planned beds", "Problem": "0 beds is outside 1 to 12"}
    ]
    assert not [b for b in at.button if b.label.startswith("Import ")]
    assert dump(engine) == before


def test_ssda903_episodes_imported_from_the_app_show_on_the_objectives_page(monkeypatch, store_url, engine):
    from tests.conftest import SHARED_DATA

    at = open_app(monkeypatch, store_url, role="editor")
    at.switch_page("pages/import.py").run()
    at.radio(key="import-kind").set_value("SSDA903 return").run()
    before = dump(engine)
    data = (SHARED_DATA / "ssda903" / "demandmodel_2021-episodes.csv").read_bytes()
    at.file_uploader[0].set_value(("episodes.csv", data, "text/csv")).run()
    assert_page_ok(at)
    assert "episodes.csv checks out" in at.success[0].value and "at 12 month ends" in at.success[0].value
    assert dump(engine) == before
    [confirm] = [b for b in at.button if b.label == "Import episodes.csv"]
    confirm.click().run()
    assert at.success[0].value.startswith("Imported the objectives' measures at 12 month ends")
    at.switch_page("pages/objectives.py").run()
    assert_page_ok(at)
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Children's homes: Own provision, ") for label in labels), labels


def test_the_audit_trail_filters_by_user_and_property_and_exports(monkeypatch, store_url, engine):
    draft = editing.open_property(engine, "RS-P2-07")
    bob = Actor("bob@herts.gov.uk", "app", Role.EDITOR)
    editing.save_property(
        engine, bob, draft, {**draft.values, "planned_beds": draft.values["planned_beds"] % 12 + 1}, SEED_TODAY
    )
    at = open_app(monkeypatch, store_url, role="analyst")
    at.switch_page("pages/audit.py").run()
    assert_page_ok(at)
    at.multiselect(key="audit-users").select("bob@herts.gov.uk").run()
    table = at.dataframe[0].value
    assert table["Who"].tolist() == ["bob@herts.gov.uk"] and table["What"].tolist() == ["Property RS-P2-07"]
    assert table["Change"].iloc[0].startswith("Planned beds:")
    [download] = at.get("download_button")
    assert download.proto.label == "Download these 1 changes (CSV)"
    at.multiselect(key="audit-users").unselect("bob@herts.gov.uk").run()
    at.text_input(key="audit-ref").set_value("RS-P2-07").run()
    table = at.dataframe[0].value
    assert table["What"].str.contains("RS-P2-07").all() and len(table) > 1  # the property and its milestones


def test_an_admin_grants_a_role_from_the_app(monkeypatch, store_url, engine):
    at = open_app(monkeypatch, store_url, role="admin")
    at.switch_page("pages/access.py").run()
    assert_page_ok(at)
    labelled(at.text_input, "Account (e-mail address)").set_value("Ann@Herts.gov.uk")
    labelled(at.selectbox, "Role").select("analyst")
    at.form_submit_button[0].click().run()
    assert_page_ok(at)
    assert at.success[0].value == "ann@herts.gov.uk now has the analyst role."
    assert at.dataframe[1].value.values.tolist() == [["ann@herts.gov.uk", "analyst"]]
    # A signed-in Ann now gets an analyst's pages.
    from tests.apptest import page_titles

    ann = open_app(monkeypatch, store_url, account="ann@herts.gov.uk")
    assert "Audit trail" in page_titles(ann) and "Edit a property" not in page_titles(ann)


def test_text_from_the_store_is_shown_as_written_never_as_markup(monkeypatch, store_url, engine):
    hostile_notes = "<script>alert(1)</script> **bold** [link](http://example.invalid)"
    hostile_source = "![tracker](http://example.invalid/x.png) <b>bold</b>"
    draft = editing.open_property(engine, "RS-P2-06")
    hostile = {**draft.values, "notes": hostile_notes, "provenance": hostile_source}
    editing.save_property(engine, Actor("ed@herts.gov.uk", "app", Role.EDITOR), draft, hostile, SEED_TODAY)
    at = open_app(monkeypatch, store_url, role="analyst")
    at.switch_page("pages/properties.py").run()
    at.selectbox(key="property").select("RS-P2-06").run()
    assert_page_ok(at)
    assert hostile_notes in [t.value for t in at.text]  # st.text: shown literally
    [source] = [c.value for c in at.caption if c.value.startswith("Source:")]
    assert source == r"Source: \!\[tracker\](http://example.invalid/x.png) \<b\>bold\</b\>"
    # A refused value echoed in an error is shown as written too.
    editor = open_editor(monkeypatch, store_url, "RS-P2-06")
    labelled(editor.text_input, "Specialism").set_value("[x](javascript:alert(1)) SG1 2AB")
    editor.form_submit_button[0].click().run()
    assert "**Specialism**: looks like a postcode" in editor.error[0].value
