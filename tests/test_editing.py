"""The app's forms in the domain: the same checks as an import, stale edits refused with nothing lost, every change
audited, and no write without the editor role."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dashboard import editing
from dashboard.db import session_scope
from dashboard.models import AuditEntry, Decision, Property
from dashboard.roles import AccessDenied, Actor, Role
from dashboard.stages import STAGES
from tests.conftest import SEED_TODAY, dump

ALICE = Actor("alice@herts.gov.uk", "app", Role.EDITOR)
BOB = Actor("bob@herts.gov.uk", "app", Role.EDITOR)
ANALYST = Actor("ann@herts.gov.uk", "app", Role.ANALYST)


def audit_rows_after(engine, after_id: int) -> list[AuditEntry]:
    with session_scope(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id)))


def edited(draft: editing.PropertyDraft, **changes) -> dict:
    values = {**draft.values, "planned": dict(draft.values["planned"]), "actual": dict(draft.values["actual"])}
    for name, value in changes.items():
        if "." in name:
            group, stage = name.split(".")
            values[group][stage] = value
        else:
            values[name] = value
    return values


def test_opening_a_property_reads_its_fields_milestones_and_version(engine):
    draft = editing.open_property(engine, "RS-P2-01")
    assert draft.reference == "RS-P2-01" and draft.version >= 1
    assert draft.values["district"] == "East Hertfordshire" and draft.values["phase"] == "Phase 2"
    assert draft.values["actual"]["completion"] <= date(2025, 8, 14)  # procured by the decision record's date


def test_an_opened_property_has_every_field_a_save_checks(engine):
    from dashboard.validation import PropertyRecord

    assert set(editing.open_property(engine, "RS-P2-01").values) == set(PropertyRecord.model_fields)


def test_an_edit_saves_beds_and_a_milestone_date_and_audits_each(engine):
    draft = editing.open_property(engine, "RS-P2-01")
    new_beds = draft.values["planned_beds"] % 12 + 1
    message = editing.save_property(
        engine, ALICE, draft, edited(draft, planned_beds=new_beds, **{"planned.opened": date(2027, 3, 1)}), SEED_TODAY
    )
    assert message.startswith("Saved RS-P2-01.") and "Planned beds" in message and "Opened planned" in message
    rows = audit_rows_after(engine, draft.opened_at)
    assert {(row.entity, row.user, row.source) for row in rows} == {
        ("property", ALICE.user, "app"),
        ("milestone", ALICE.user, "app"),
    }
    [prop_row] = [row for row in rows if row.entity == "property"]
    assert (
        prop_row.before["planned_beds"] == draft.values["planned_beds"] and prop_row.after["planned_beds"] == new_beds
    )
    assert editing.open_property(engine, "RS-P2-01").version == draft.version + 1


def test_saving_unchanged_values_writes_nothing(engine):
    draft = editing.open_property(engine, "RS-P2-01")
    before = dump(engine)
    assert editing.save_property(engine, ALICE, draft, edited(draft), SEED_TODAY).startswith("No changes")
    assert dump(engine) == before


def test_a_stale_edit_is_refused_naming_who_changed_what_and_nothing_is_lost(engine):
    alices = editing.open_property(engine, "RS-P2-02")
    bobs = editing.open_property(engine, "RS-P2-02")
    bob_beds = bobs.values["planned_beds"] % 12 + 1
    editing.save_property(engine, BOB, bobs, edited(bobs, planned_beds=bob_beds), SEED_TODAY)
    after_bob = dump(engine)

    with pytest.raises(editing.StaleEdit) as refused:
        editing.save_property(engine, ALICE, alices, edited(alices, specialism="step-down"), SEED_TODAY)

    message = str(refused.value)
    assert "RS-P2-02 was changed by someone else" in message and "bob@herts.gov.uk" in message
    assert f"Planned beds: {alices.values['planned_beds']} → {bob_beds}" in message
    assert dump(engine) == after_bob  # Bob's change stands; nothing of Alice's was written


def test_a_milestone_change_by_someone_else_also_makes_an_edit_stale(engine):
    alices = editing.open_property(engine, "RS-P2-03")
    bobs = editing.open_property(engine, "RS-P2-03")
    editing.save_property(engine, BOB, bobs, edited(bobs, **{"planned.opened": date(2027, 6, 1)}), SEED_TODAY)
    with pytest.raises(editing.StaleEdit, match="Opened planned: .* → 01/06/2027"):
        editing.save_property(engine, ALICE, alices, edited(alices, planned_beds=2), SEED_TODAY)


def test_a_form_gets_the_import_messages_naming_the_field_and_writes_nothing(engine):
    draft = editing.open_property(engine, "RS-P2-01")
    before = dump(engine)
    cases = {
        "planned_beds": (13, "Planned beds", "13 beds is outside 1 to 12"),
        "district": ("Narnia", "District", "unknown district 'Narnia'"),
        "notes": ("Next to SG1 2AB", "Notes", "looks like a postcode"),
        "actual.opened": (date(2099, 1, 1), "Opened actual", "is in the future"),
        "purchase_cost": ("lots", "Purchase cost (£)", "'lots' is not an amount in pounds"),
    }
    for name, (value, label, message) in cases.items():
        with pytest.raises(editing.InvalidEdit) as refused:
            editing.save_property(engine, ALICE, draft, edited(draft, **{name: value}), SEED_TODAY)
        assert any(field == label and message in text for field, text in refused.value.problems), refused.value
    assert dump(engine) == before


def test_a_form_names_every_field_at_fault_at_once(engine):
    draft = editing.open_property(engine, "RS-P2-01")
    before = dump(engine)
    faults = {
        "planned_beds": 15,
        "district": "Hitchen",
        "phase": "Phase 9",
        "notes": "Next to SG1 2AB",
        "purchase_cost": "£1,2,3",
        "actual.opened": date(2099, 1, 1),
    }

    with pytest.raises(editing.InvalidEdit) as refused:
        editing.save_property(engine, ALICE, draft, edited(draft, **faults), SEED_TODAY)

    assert [label for label, _ in refused.value.problems] == [
        "Phase",
        "District",
        "Planned beds",
        "Purchase cost (£)",
        "Notes",
        "Opened actual",
    ]
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("name", "value", "label", "message"),
    [
        pytest.param("planned_beds", float("inf"), "Planned beds", "is not a number", id="infinite beds"),
        pytest.param("purchase_budget", 1e300, "Purchase budget (£)", "not an amount in whole pounds", id="1e300"),
        pytest.param("purchase_cost", "9" * 400, "Purchase cost (£)", "has 400 digits", id="400 digits"),
        pytest.param(
            "refurbishment_cost",
            9007199254740993,
            "Refurbishment cost (£)",
            "outside £0 to £50,000,000",
            id="beyond a float",
        ),
        pytest.param("specialism", "x" * 5_000, "Specialism", "is 5,000 characters long: at most 100", id="long"),
        pytest.param("notes", "a\x00b", "Notes", "control character (U+0000", id="NUL byte"),
    ],
)
def test_a_form_refuses_what_the_store_cannot_keep_exactly_in_words(shared_engine, name, value, label, message):
    draft = editing.open_property(shared_engine, "RS-P2-01")
    before = dump(shared_engine)

    with pytest.raises(editing.InvalidEdit) as refused:
        editing.save_property(shared_engine, ALICE, draft, edited(draft, **{name: value}), SEED_TODAY)

    assert [(field, message in text) for field, text in refused.value.problems] == [(label, True)], refused.value
    assert dump(shared_engine) == before


def test_adding_a_property_or_decision_in_other_capitals_is_refused_naming_the_one_held(shared_engine):
    before = dump(shared_engine)
    draft = editing.open_property(shared_engine, None)
    values = {
        **draft.values,
        "reference": " rs-p2-01 ",
        "phase": "Phase 2",
        "district": "Watford",
        "provision_model": "in-house",
        "planned_beds": 2,
    }
    with pytest.raises(editing.InvalidEdit) as refused:
        editing.save_property(shared_engine, ALICE, draft, values, SEED_TODAY)
    assert refused.value.problems == [
        ("Reference", "'rs-p2-01' is RS-P2-01 written in other capitals: write it as RS-P2-01")
    ]

    decision = {"reference": "b147/24", "title": "t", "decision_type": "Executive", "key_decision": "no"}
    with pytest.raises(editing.InvalidEdit, match="'b147/24' is B147/24 written in other capitals"):
        editing.add_decision(shared_engine, ALICE, decision, SEED_TODAY)
    assert dump(shared_engine) == before


def test_a_write_the_store_refuses_is_said_in_words_and_nothing_is_saved(shared_engine, monkeypatch):
    """Past the form's own check of the reference, the store's index refuses a second RS-P2-01 in other capitals:
    the editor is told so, naming the table and the key, never the database's error or its SQL."""
    monkeypatch.setattr(editing, "_new_key_problems", lambda *_: [])
    before = dump(shared_engine)
    draft = editing.open_property(shared_engine, None)
    values = {
        **draft.values,
        "reference": "rs-p2-01",
        "phase": "Phase 2",
        "district": "Watford",
        "provision_model": "in-house",
        "planned_beds": 2,
    }

    with pytest.raises(editing.RefusedWrite) as refused:
        editing.save_property(shared_engine, ALICE, draft, values, SEED_TODAY)

    assert str(refused.value).startswith("the store refused the change to properties 'rs-p2-01'.")
    assert "Error" not in str(refused.value) and "INSERT" not in str(refused.value)
    assert dump(shared_engine) == before


def test_adding_a_property_and_refusing_a_reference_already_used(engine):
    draft = editing.open_property(engine, None)
    values = {
        **draft.values,
        "reference": "RS-NEW-1",
        "phase": "Phase 2",
        "district": "Watford",
        "provision_model": "in-house",
        "planned_beds": 2,
        "planned": {"completion": date(2027, 1, 1)},
    }
    assert editing.save_property(engine, ALICE, draft, values, SEED_TODAY) == "Added property RS-NEW-1."
    with session_scope(engine) as session:
        prop = session.scalar(select(Property).where(Property.reference == "RS-NEW-1"))
        assert (prop.district.name, prop.planned_beds, prop.provenance) == ("Watford", 2, "entered in the app")
    with pytest.raises(editing.InvalidEdit, match="'RS-NEW-1' already exists"):
        editing.save_property(engine, ALICE, editing.open_property(engine, None), values, SEED_TODAY)


def test_adding_a_decision_is_audited_and_a_repeat_refused(engine):
    values = {
        "reference": "B999/26",
        "title": "Phase 3 acquisitions",
        "decision_type": "Executive",
        "key_decision": "yes",
        "decided_on": "01/10/2026",
    }
    mark = editing.open_property(engine, None).opened_at
    assert editing.add_decision(engine, ALICE, values, SEED_TODAY) == "Added decision B999/26."
    [row] = audit_rows_after(engine, mark)
    assert (row.entity, row.entity_ref, row.action, row.user) == ("decision", "B999/26", "create", ALICE.user)
    with pytest.raises(editing.InvalidEdit, match="already in the register"):
        editing.add_decision(engine, ALICE, values, SEED_TODAY)
    with pytest.raises(editing.InvalidEdit, match="Key decision"):
        editing.add_decision(engine, ALICE, {**values, "reference": "B1000/26", "key_decision": "perhaps"}, SEED_TODAY)


def test_the_domain_refuses_a_write_without_the_editor_role(engine):
    draft = editing.open_property(engine, "RS-P2-01")
    before = dump(engine)
    for actor in (ANALYST, Actor("vic@herts.gov.uk", "app", Role.VIEWER)):
        with pytest.raises(AccessDenied, match="needs the editor role"):
            editing.save_property(engine, actor, draft, edited(draft, planned_beds=1), SEED_TODAY)
        with pytest.raises(AccessDenied):
            editing.add_decision(engine, actor, {"reference": "X1"}, SEED_TODAY)
    assert dump(engine) == before
    with session_scope(engine) as session:
        assert session.scalar(select(Decision).where(Decision.reference == "X1")) is None


def test_a_change_landing_between_the_check_and_the_write_is_still_refused(engine):
    """Bob saves in the instant after Alice's edit passed its version check and before it is written."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    alices = editing.open_property(engine, "RS-P2-08")
    bobs = editing.open_property(engine, "RS-P2-08")

    def bob_saves_first(session, _context, _instances):
        if session.info.get("actor") is ALICE and not fired:
            fired.append(True)
            editing.save_property(engine, BOB, bobs, edited(bobs, specialism="16+"), SEED_TODAY)

    fired: list[bool] = []
    event.listen(Session, "before_flush", bob_saves_first)
    try:
        with pytest.raises(editing.StaleEdit, match="Specialism: .* → 16\\+"):
            editing.save_property(engine, ALICE, alices, edited(alices, notes="Alice's note"), SEED_TODAY)
    finally:
        event.remove(Session, "before_flush", bob_saves_first)
    assert fired
    final = editing.open_property(engine, "RS-P2-08")
    assert final.values["specialism"] == "16+" and final.values["notes"] != "Alice's note"


def test_every_kind_of_change_from_the_app_is_audited(engine):
    from dashboard import access

    mark = editing.open_property(engine, None).opened_at
    draft = editing.open_property(engine, None)
    values = {
        **draft.values,
        "reference": "RS-AUD-1",
        "phase": "Phase 2",
        "district": "Dacorum",
        "provision_model": "commissioned",
        "planned_beds": 4,
        "planned": {"survey": date(2026, 12, 1)},
    }
    editing.save_property(engine, ALICE, draft, values, SEED_TODAY)  # property and milestone created
    draft = editing.open_property(engine, "RS-AUD-1")
    editing.save_property(
        engine, ALICE, draft, edited(draft, planned_beds=5, **{"planned.survey": date(2026, 12, 8)}), SEED_TODAY
    )
    draft = editing.open_property(engine, "RS-AUD-1")
    editing.save_property(engine, ALICE, draft, edited(draft, **{"planned.survey": None}), SEED_TODAY)
    editing.add_decision(
        engine,
        ALICE,
        {"reference": "B300/26", "title": "t", "decision_type": "Executive", "key_decision": "no"},
        SEED_TODAY,
    )
    admin = Actor("ada@herts.gov.uk", "app", Role.ADMIN)
    access.grant_role(engine, admin, "ed@herts.gov.uk", Role.EDITOR)
    access.revoke_role(engine, admin, "ed@herts.gov.uk")

    rows = audit_rows_after(engine, mark)
    # Rows of one save come in no fixed order among themselves; the saves come in order.
    assert sorted((row.entity, row.action, row.user) for row in rows) == sorted(
        [
            ("property", "create", ALICE.user),
            ("milestone", "create", ALICE.user),
            ("property", "update", ALICE.user),
            ("milestone", "update", ALICE.user),
            ("milestone", "update", ALICE.user),
            ("decision", "create", ALICE.user),
            ("role_grant", "create", admin.user),
            ("role_grant", "delete", admin.user),
        ]
    )
    [cleared] = [row for row in rows if row.entity == "milestone" and (row.after or {}).get("planned_on", "") is None]
    assert cleared.before == {"planned_on": "2026-12-08"}
    assert [row.entity for row in rows][-3:] == ["decision", "role_grant", "role_grant"]


# ---------------------------------------------------------------- stage dates typed as DD/MM/YYYY in the form's grid


def typed_dates(draft: editing.PropertyDraft, stage: str, column: str, text: str):
    """The form's stage-dates table with one cell typed over, as the grid returns it."""
    table = editing.stage_dates_table(draft)
    row = [s.key for s in STAGES].index(stage)
    table.loc[row, column] = text
    return table


def test_the_stage_dates_grid_shows_each_date_as_dd_mm_yyyy_text(engine):
    draft = editing.open_property(engine, "RS-P2-09")
    table = editing.stage_dates_table(draft)
    for column, which in (("Planned", "planned"), ("Actual", "actual")):
        known = draft.values[which]
        expected = [known[s.key].strftime("%d/%m/%Y") if s.key in known else "" for s in STAGES]
        assert table[column].tolist() == expected  # a date not yet known is blank, not "None" or NaT
    assert "" in table["Actual"].tolist() and any(table["Actual"])  # both kinds of cell were compared


@pytest.mark.parametrize("typed", ["01/06/2025", " 1/6/2025 ", "2025-06-01"])
def test_a_typed_stage_date_is_read_day_first(engine, typed):
    """01/06/2025 is 1 June 2025 whatever the browser's language; ISO dates are read too."""
    draft = editing.open_property(engine, "RS-P2-01")
    form = editing.form_values(draft.values, typed_dates(draft, "opened", "Planned", typed))
    editing.save_property(engine, ALICE, draft, form, SEED_TODAY)
    assert editing.open_property(engine, "RS-P2-01").values["planned"]["opened"] == date(2025, 6, 1)


def test_an_unchanged_stage_dates_grid_saves_nothing(engine):
    draft = editing.open_property(engine, "RS-P2-01")
    form = editing.form_values(draft.values, editing.stage_dates_table(draft))
    assert editing.save_property(engine, ALICE, draft, form, SEED_TODAY).startswith("No changes to save")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/2025", "'31/02/2025' is not a real date"),
        ("06/01/25", "'06/01/25' is not a date"),
        ("June 1st", "'June 1st' is not a date"),
    ],
)
def test_a_stage_date_that_is_not_one_is_refused_naming_its_stage_not_dropped(engine, typed, message):
    draft = editing.open_property(engine, "RS-P2-01")
    before = dump(engine)
    form = editing.form_values(draft.values, typed_dates(draft, "survey", "Planned", typed))
    with pytest.raises(editing.InvalidEdit) as refused:
        editing.save_property(engine, ALICE, draft, form, SEED_TODAY)
    assert [(label, text) for label, text in refused.value.problems if message in text] == [
        ("Survey planned", refused.value.problems[0][1])
    ], refused.value.problems
    assert dump(engine) == before
