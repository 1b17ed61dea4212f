"""What changed between two dates, from the audit log: exactly the changes recorded after the earlier date and up to
the end of the later one, each kind classified with its numbers. Changes are made through sessions as the app makes
them; the test then sets the time of the audit rows it just wrote, so every change happens at a known moment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from dashboard import queries
from dashboard.changes import (
    BedsChanged,
    DateMoved,
    DecisionAdded,
    PropertyAdded,
    StageReached,
    change_lines,
    changes_since,
    summarise,
    window,
)
from dashboard.db import session_scope
from dashboard.importing import import_path
from dashboard.models import AuditEntry, Decision, Milestone, Property, RoleGrant
from dashboard.reference import default_council
from dashboard.roles import Actor, Role
from dashboard.uploads import KIND_BY_LABEL, run_upload
from tests.conftest import NEW_PROPERTY, write_csv

ALICE = Actor(user="alice", source="app", role=Role.EDITOR)
SEEDED_AT = datetime(2026, 1, 5, 9, 0)  # the seed's rows are moved here, well before every window below
SINCE, UNTIL = date(2026, 3, 10), date(2026, 4, 30)
INSIDE = datetime(2026, 3, 20, 12, 0)


def last_audit_id(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.max(AuditEntry.id))) or 0


def stamp(engine: Engine, after_id: int, at: datetime) -> list[int]:
    """Set the time of the audit rows written after `after_id`; their ids."""
    with engine.begin() as connection:
        connection.execute(update(AuditEntry).where(AuditEntry.id > after_id).values(at=at))
        return list(connection.scalars(select(AuditEntry.id).where(AuditEntry.id > after_id).order_by(AuditEntry.id)))


@contextmanager
def change_at(engine: Engine, at: datetime, actor: Actor = ALICE) -> Iterator[Session]:
    """A session whose changes are recorded as made at `at`."""
    before = last_audit_id(engine)
    with session_scope(engine, actor) as session:
        yield session
    stamp(engine, before, at)


@pytest.fixture
def store(engine: Engine) -> Engine:
    """The seeded store, its seed recorded long before the windows the tests ask about."""
    stamp(engine, 0, SEEDED_AT)
    return engine


def prop(session: Session, reference: str) -> Property:
    return session.scalars(select(Property).where(Property.reference == reference)).one()


def stage(session: Session, reference: str, key: str) -> Milestone:
    return next(m for m in prop(session, reference).milestones if m.stage_key == key)


def first_without(session: Session, key: str) -> Milestone:
    """The first property (by reference) whose `key` stage has a planned date and no actual one."""
    return session.scalars(
        select(Milestone)
        .join(Property)
        .where(Milestone.stage_key == key, Milestone.actual_on.is_(None), Milestone.planned_on.is_not(None))
        .order_by(Property.reference)
    ).first()


# ---------------------------------------------------------------- the window


def test_window_runs_from_the_end_of_since_to_the_end_of_until():
    assert window(SINCE, UNTIL) == (datetime(2026, 3, 11), datetime(2026, 5, 1))


def test_only_changes_after_since_and_up_to_the_end_of_until_are_listed(store):
    moments = {
        "RS-P2-01": datetime(2026, 3, 10, 23, 59, 59, 999999),  # the last moment of `since`: before the window
        "RS-P2-02": datetime(2026, 3, 11, 0, 0, 0),  # the first moment after it
        "RS-P2-03": datetime(2026, 4, 30, 23, 59, 59, 999999),  # the last moment of `until`
        "RS-P2-05": datetime(2026, 5, 1, 0, 0, 0),  # the first moment after it
    }
    ids = {}
    for reference, at in moments.items():
        before = last_audit_id(store)
        with session_scope(store, ALICE) as session:
            prop(session, reference).planned_beds += 1
        ids[reference] = stamp(store, before, at)

    summary = changes_since(store, SINCE, UNTIL)

    assert [change.reference for change in summary.beds_changed] == ["RS-P2-02", "RS-P2-03"]
    assert summary.recorded == 2
    assert summary.other == {} and not summary.properties_added and not summary.stages_reached
    # Only those rows are read from the database.
    start, end = window(SINCE, UNTIL)
    assert queries.audit_between(store, start, end)["id"].tolist() == ids["RS-P2-02"] + ids["RS-P2-03"]
    # An earlier `since` takes in the change made on 10 March; nothing made after `until` ever shows.
    earlier = changes_since(store, date(2026, 3, 9), UNTIL)
    assert [change.reference for change in earlier.beds_changed] == ["RS-P2-01", "RS-P2-02", "RS-P2-03"]


def test_consecutive_briefings_neither_miss_nor_repeat_a_change(store):
    for day in range(1, 29):
        with change_at(store, datetime(2026, 3, day, 10)) as session:
            prop(session, "RS-P2-01").notes = f"note {day}"
    first, second = (
        changes_since(store, date(2026, 3, 1), date(2026, 3, 14)),
        changes_since(store, date(2026, 3, 14), date(2026, 3, 28)),
    )
    assert first.recorded + second.recorded == changes_since(store, date(2026, 3, 1), date(2026, 3, 28)).recorded == 27
    assert (first.recorded, second.recorded) == (13, 14)


def test_nothing_recorded(store):
    summary = changes_since(store, SINCE, UNTIL)
    assert summary.nothing and summary.recorded == 0
    assert change_lines(summary) == ["No change was recorded in the store."]


def test_since_after_until_is_refused(store):
    with pytest.raises(ValueError, match="after"):
        changes_since(store, UNTIL, SINCE)


# ---------------------------------------------------------------- each kind of change


def test_a_property_added_with_its_district_phase_beds_and_stages_reached(store, tmp_path):
    before = last_audit_id(store)
    report = import_path(store, write_csv(tmp_path / "properties.csv", [NEW_PROPERTY]), ALICE)
    assert report.ok, report.summary()
    stamp(store, before, INSIDE)

    summary = changes_since(store, SINCE, UNTIL)

    assert summary.properties_added == (PropertyAdded("NEW-01", "North Hertfordshire", "Phase 2", 3),)
    assert summary.stages_reached == (
        StageReached("NEW-01", "identified", date(2025, 1, 6)),
        StageReached("NEW-01", "offer_accepted", date(2025, 2, 10)),
    )
    assert summary.procured == ()  # completion is only planned
    assert summary.slipped == summary.brought_forward == () and summary.other == {}
    assert change_lines(summary)[0] == "1 property added, 3 planned beds: NEW-01 (North Hertfordshire, 3 beds)."


def test_a_property_procured_and_another_stage_reached(store):
    with change_at(store, INSIDE) as session:
        completion = first_without(session, "completion")
        completion.actual_on = date(2026, 3, 18)
        procured = completion.property.reference
        planning = first_without(session, "planning")
        if planning.property.reference == procured:  # a stage after one just recorded: take the next property
            planning = session.scalars(
                select(Milestone)
                .join(Property)
                .where(Milestone.stage_key == "planning", Milestone.actual_on.is_(None), Property.reference > procured)
                .order_by(Property.reference)
            ).first()
        planning.actual_on = date(2026, 3, 19)
        planned = planning.property.reference

    summary = changes_since(store, SINCE, UNTIL)

    assert summary.procured == (StageReached(procured, "completion", date(2026, 3, 18)),)
    assert summary.stages_reached == (
        StageReached(procured, "completion", date(2026, 3, 18)),
        StageReached(planned, "planning", date(2026, 3, 19)),
    )
    assert summary.stages_reached[0].label == "Completion: property procured"
    lines = change_lines(summary)
    assert f"1 property procured: {procured} on 18 Mar 2026." in lines
    assert f"2 stages reached: {procured} Completion on 18 Mar 2026, {planned} Planning on 19 Mar 2026." in lines


def test_beds_added_and_changed_with_the_numbers(store):
    with change_at(store, INSIDE) as session:
        first = prop(session, "RS-P2-01")
        planned_before = first.planned_beds
        first.planned_beds = planned_before + 2
        unregistered = session.scalars(
            select(Property).where(Property.registered_beds.is_(None)).order_by(Property.reference)
        ).first()
        unregistered.registered_beds = 2
        second = unregistered.reference

    summary = changes_since(store, SINCE, UNTIL)

    assert summary.beds_changed == tuple(
        sorted(
            [
                BedsChanged("RS-P2-01", "planned", planned_before, planned_before + 2),
                BedsChanged(second, "registered", None, 2),
            ],
            key=lambda change: (change.reference, change.level),
        )
    )
    assert [change.difference for change in summary.beds_changed if change.reference == "RS-P2-01"] == [2]
    line = next(line for line in change_lines(summary) if line.startswith("Beds changed"))
    assert line.startswith("Beds changed on 2 properties (planned +2, registered +2 in all):")
    assert f"RS-P2-01 planned beds {planned_before} to {planned_before + 2} (+2)" in line
    assert f"{second} registered beds recorded: 2" in line


def test_dates_slipped_and_brought_forward_by_how_many_days(store):
    with change_at(store, INSIDE) as session:
        refurbishment = stage(session, "RS-P3-01", "refurbishment")
        planned_refurbishment = refurbishment.planned_on
        refurbishment.planned_on = planned_refurbishment + timedelta(days=30)
        opened = stage(session, "RS-P3-02", "opened")
        planned_opening = opened.planned_on
        opened.planned_on = planned_opening - timedelta(days=14)
    # Moved again later in the window: counted once, from where it was to where it ended.
    with change_at(store, INSIDE + timedelta(days=5)) as session:
        stage(session, "RS-P3-01", "refurbishment").planned_on = planned_refurbishment + timedelta(days=45)

    summary = changes_since(store, SINCE, UNTIL)

    assert summary.slipped == (
        DateMoved("RS-P3-01", "refurbishment", planned_refurbishment, planned_refurbishment + timedelta(days=45)),
    )
    assert summary.slipped[0].days == 45
    assert summary.brought_forward == (
        DateMoved("RS-P3-02", "opened", planned_opening, planned_opening - timedelta(days=14)),
    )
    assert summary.brought_forward[0].days == -14
    assert summary.recorded == 3
    lines = change_lines(summary)
    assert "1 planned date slipped: RS-P3-01 (Refurbishment) by 45 days." in lines
    assert "1 planned date brought forward: RS-P3-02 (Opened) by 14 days." in lines


def test_a_date_moved_and_moved_back_has_not_changed(store):
    with change_at(store, INSIDE) as session:
        milestone = stage(session, "RS-P3-01", "refurbishment")
        milestone.planned_on = milestone.planned_on + timedelta(days=10)
    with change_at(store, INSIDE + timedelta(days=1)) as session:
        milestone = stage(session, "RS-P3-01", "refurbishment")
        milestone.planned_on = milestone.planned_on - timedelta(days=10)

    summary = changes_since(store, SINCE, UNTIL)

    assert summary.recorded == 2
    assert summary.slipped == summary.brought_forward == () and summary.other == {}


def test_a_decision_added(store):
    with change_at(store, INSIDE) as session:
        session.add(
            Decision(
                council=default_council(session),
                reference="B9/26",
                title="Phase 4",
                decision_type="Executive",
                key_decision=True,
                decided_on=date(2026, 3, 16),
                provenance="test",
            )
        )

    summary = changes_since(store, SINCE, UNTIL)

    assert summary.decisions_added == (DecisionAdded("B9/26", "Phase 4", date(2026, 3, 16)),)
    assert change_lines(summary) == ["1 decision added: B9/26 (16 Mar 2026)."]


def test_councillors_informed_removed_properties_and_other_edits(store):
    with change_at(store, INSIDE) as session:
        prop(session, "RS-P2-04").councillors_informed_on = date(2026, 3, 17)
        prop(session, "RS-P2-05").notes = "Survey booked"
        session.delete(prop(session, "RS-P3-03"))

    summary = changes_since(store, SINCE, UNTIL)

    assert summary.councillors_informed == (("RS-P2-04", date(2026, 3, 17)),)
    assert summary.properties_removed == ("RS-P3-03",)
    # The removed property's stages go with it, unreported; the note is an edit of another kind.
    assert summary.other == {"property notes": 1}
    assert summary.stages_reached == () and summary.slipped == ()
    assert summary.people == ("alice",)


def test_summarise_is_pure_and_nets_a_property_added_then_changed():
    rows = [
        {
            "user": "bob",
            "action": "create",
            "entity": "property",
            "entity_ref": "X-1",
            "before": None,
            "after": {"district": "E07000096", "phase": "Phase 3", "planned_beds": 2},
        },
        {
            "user": "bob",
            "action": "update",
            "entity": "property",
            "entity_ref": "X-1",
            "before": {"planned_beds": 2},
            "after": {"planned_beds": 4},
        },
        {
            "user": "bob",
            "action": "create",
            "entity": "milestone",
            "entity_ref": "X/1/completion",
            "before": None,
            "after": {"stage_key": "completion", "planned_on": "2026-05-01", "actual_on": "2026-03-02"},
        },
    ]
    summary = summarise(rows, SINCE, UNTIL, {"E07000096": "Dacorum"})
    assert summary.properties_added == (PropertyAdded("X-1", "Dacorum", "Phase 3", 4),)
    assert summary.beds_changed == ()  # a new property's beds are part of its addition
    # A reference may itself hold "/": the stage is what follows the last one.
    assert summary.procured == (StageReached("X/1", "completion", date(2026, 3, 2)),)


# ---------------------------------------------------------------- data loads: one line each, never change by change

ANALYST_IMPORT = Actor(user="bob", source="import tracker.csv", role=Role.EDITOR)  # as the command line names one


def properties_in(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Property))


def upload(engine: Engine, path, actor: Actor = ALICE) -> None:
    """A programme spreadsheet imported through the app's Import page, which names the file in the audit log."""
    report = run_upload(
        KIND_BY_LABEL["Programme spreadsheet"],
        engine,
        path.name,
        path.read_bytes(),
        actor,
        dry_run=False,
        today=date.today(),
    )
    assert report.ok, report.summary()


def test_the_seed_load_is_one_line_not_its_properties_and_stages(engine):
    """A store seeded inside the window: one line, with no property, stage or decision listed as if it were news."""
    stamp(engine, 0, INSIDE)  # the seed, as `init-db` wrote it, moved into the window

    summary = changes_since(engine, SINCE, UNTIL)

    [load] = summary.loads
    assert load.initial and load.on == INSIDE.date() and len(load.properties_added) == properties_in(engine)
    assert summary.recorded > 100 and summary.edits == 0 and summary.editors == ()
    assert summary.properties_added == summary.stages_reached == summary.decisions_added == ()
    assert summary.other == {} and summary.imports == ()
    assert change_lines(summary) == [
        f"Initial load of the programme's data: {properties_in(engine)} properties, 20 Mar 2026."
    ]


def test_an_import_is_one_line_per_file_with_its_counts(store, tmp_path):
    tracker = write_csv(tmp_path / "tracker.csv", [NEW_PROPERTY, {**NEW_PROPERTY, "Reference": "NEW-02"}])
    upload(store, tracker)
    before = last_audit_id(store)
    # The same two properties again, one of them procured and given a bed more: two updated, one of them moving.
    procured = {**NEW_PROPERTY, "Planned beds": "4", "Completion actual": "2025-06-20"}
    upload(
        store,
        write_csv(
            tmp_path / "tracker-march.csv",
            [procured, {**NEW_PROPERTY, "Reference": "NEW-02", "Notes": "Survey booked"}],
        ),
    )
    stamp(store, 0, INSIDE)  # (the seed too: it is outside no longer, and still one line)
    stamp(store, before, INSIDE + timedelta(days=2))
    decisions = write_csv(
        tmp_path / "decisions.csv",
        [{"Reference": "B9/26", "Title": "Phase 4", "Type": "Executive", "Key decision": "yes"}],
        headers=["Reference", "Title", "Type", "Key decision"],
    )
    before = last_audit_id(store)
    upload(store, decisions)
    stamp(store, before, INSIDE + timedelta(days=3))

    summary = changes_since(store, SINCE, UNTIL)

    assert [(load.file, load.on) for load in summary.loads] == [
        (None, date(2026, 3, 20)),
        ("tracker.csv", date(2026, 3, 20)),
        ("tracker-march.csv", date(2026, 3, 22)),
        ("decisions.csv", date(2026, 3, 23)),
    ]
    first, second = summary.loads[1], summary.loads[2]
    assert first.properties_added == ("NEW-01", "NEW-02") and first.properties_updated == ()
    assert second.properties_added == () and second.properties_updated == ("NEW-01", "NEW-02")
    assert (second.stages_reached, second.procured, second.beds_changed) == (1, 1, 1)
    # Nothing an import wrote is listed as news.
    assert summary.properties_added == summary.stages_reached == summary.beds_changed == summary.decisions_added == ()
    assert summary.edits == 0
    assert change_lines(summary)[1:] == [
        "Imported tracker.csv: 2 properties added, 20 Mar 2026.",
        "Imported tracker-march.csv: 2 properties updated, 22 Mar 2026. Its updates record 1 stage reached "
        "(1 property procured) and beds changed on 1 property.",
        "Imported decisions.csv: 1 decision added, 23 Mar 2026.",
    ]


def test_importing_the_same_file_on_two_days_is_two_lines():
    def row(at: datetime, reference: str, action: str = "create") -> dict:
        return {
            "at": at,
            "user": "bob",
            "source": "import tracker.xlsx",
            "action": action,
            "entity": "property",
            "entity_ref": reference,
            "before": None if action == "create" else {"notes": None},
            "after": {"district": "E07000096", "planned_beds": 2} if action == "create" else {"notes": "x"},
        }

    rows = [
        row(INSIDE, "X-1"),
        row(INSIDE, "X-2"),
        row(INSIDE + timedelta(days=1), "X-1", "update"),
        row(INSIDE + timedelta(days=1), "X-3"),
    ]
    lines = change_lines(summarise(rows, SINCE, UNTIL))
    assert lines == [
        "Imported tracker.xlsx: 2 properties added, 20 Mar 2026.",
        "Imported tracker.xlsx: 1 property added, 1 updated, 21 Mar 2026.",
    ]


def test_a_command_line_import_is_a_load(store, tmp_path):
    """The importers' own name for an import (`import <file>`), as the command line writes it, makes it a load."""
    before = last_audit_id(store)
    report = import_path(store, write_csv(tmp_path / "properties.csv", [NEW_PROPERTY]), ANALYST_IMPORT)
    assert report.ok, report.summary()
    stamp(store, before, INSIDE)

    summary = changes_since(store, SINCE, UNTIL)

    assert change_lines(summary) == ["Imported tracker.csv: 1 property added, 20 Mar 2026."]
    assert summary.people == ("bob",) and summary.editors == ()


def test_an_app_edit_after_the_loads_is_listed_on_its_own(store, tmp_path):
    stamp(store, 0, INSIDE)  # the seed, in the window
    before = last_audit_id(store)
    upload(store, write_csv(tmp_path / "tracker.csv", [NEW_PROPERTY]))
    stamp(store, before, INSIDE + timedelta(days=1))
    with change_at(store, INSIDE + timedelta(days=2)) as session:
        prop(session, "RS-P2-01").planned_beds += 1
        prop(session, "NEW-01").planned_beds = 5  # a property the import just added: an edit like any other
        refurbishment = stage(session, "RS-P3-01", "refurbishment")
        planned = refurbishment.planned_on
        refurbishment.planned_on = planned + timedelta(days=21)

    summary = changes_since(store, SINCE, UNTIL)

    assert summary.edits == 3 and summary.editors == ("alice",)
    assert [change.reference for change in summary.beds_changed] == ["NEW-01", "RS-P2-01"]
    assert summary.slipped == (DateMoved("RS-P3-01", "refurbishment", planned, planned + timedelta(days=21)),)
    assert summary.properties_added == () and summary.stages_reached == ()
    lines = change_lines(summary)
    assert lines[0].startswith("Beds changed on 2 properties (planned +3 in all): NEW-01 planned beds 3 to 5 (+2)")
    assert lines[1:] == [
        "1 planned date slipped: RS-P3-01 (Refurbishment) by 21 days.",
        f"Initial load of the programme's data: {properties_in(store) - 1} properties, 20 Mar 2026.",
        "Imported tracker.csv: 1 property added, 21 Mar 2026.",
    ]


def test_other_changes_are_in_words_not_table_names(store):
    with change_at(store, INSIDE, Actor(user="admin", source="app", role=Role.ADMIN)) as session:
        session.add(RoleGrant(account="jo@example.gov.uk", role="viewer"))
    assert change_lines(changes_since(store, SINCE, UNTIL)) == ["Also changed: sign-in role added (1)."]
