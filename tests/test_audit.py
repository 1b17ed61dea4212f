"""The audit log: every change, whatever makes it, is recorded with who, through what, and only what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.db import session_scope
from dashboard.importing import import_path
from dashboard.models import AuditEntry, District, Property, PropertyRecord
from dashboard.roles import SYSTEM, Actor, Role
from tests.conftest import NEW_PROPERTY, SEED_TODAY, sqlite_only, write_csv

ALICE = Actor(user="alice", source="app", role=Role.EDITOR)


def last_audit_id(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.max(AuditEntry.id))) or 0


def audit_since(engine: Engine, last_id: int) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id)))


def get_property(session: Session, reference: str) -> Property:
    return session.scalars(select(Property).where(Property.reference == reference)).one()


def test_update_writes_one_audit_row_with_only_the_changed_fields(engine):
    since = last_audit_id(engine)
    with session_scope(engine, ALICE) as session:
        prop = get_property(session, "RS-P2-01")
        old_beds = prop.planned_beds
        prop.planned_beds = old_beds + 1

    [entry] = audit_since(engine, since)
    assert (entry.user, entry.source, entry.action) == ("alice", "app", "update")
    assert (entry.entity, entry.entity_ref) == ("property", "RS-P2-01")
    assert entry.before == {"planned_beds": old_beds}
    assert entry.after == {"planned_beds": old_beds + 1}
    assert abs(datetime.now(UTC).replace(tzinfo=None) - entry.at) < timedelta(minutes=1)


def test_a_changed_link_is_logged_by_its_natural_key_not_its_id(engine):
    since = last_audit_id(engine)
    with session_scope(engine, ALICE) as session:
        prop = get_property(session, "RS-P2-01")  # East Hertfordshire
        prop.district = session.scalars(select(District).where(District.name == "Dacorum")).one()

    [entry] = audit_since(engine, since)
    assert (entry.before, entry.after) == ({"district": "E07000242"}, {"district": "E07000096"})


def test_setting_a_value_to_what_it_already_is_writes_no_audit_row(engine):
    since = last_audit_id(engine)
    with session_scope(engine, ALICE) as session:
        prop = get_property(session, "RS-P2-01")
        prop.planned_beds = int(prop.planned_beds)
        prop.notes = prop.notes

    assert audit_since(engine, since) == []


def test_a_deletion_is_logged_with_the_values_it_removed(engine):
    since = last_audit_id(engine)
    with session_scope(engine, ALICE) as session:
        prop = get_property(session, "RS-P3-01")
        identified = next(m for m in prop.milestones if m.stage_key == "identified")
        planned_on = identified.planned_on
        session.delete(identified)

    [entry] = audit_since(engine, since)
    assert (entry.action, entry.entity, entry.entity_ref) == ("delete", "milestone", "RS-P3-01/identified")
    assert entry.before["planned_on"] == planned_on.isoformat()
    assert entry.after is None


def test_import_through_the_command_line_is_audited_as_import_of_the_file(run_cli, engine, tmp_path):
    since = last_audit_id(engine)
    path = write_csv(tmp_path / "new-homes.csv", [NEW_PROPERTY])

    result = run_cli("import", path, "--user", "analyst")

    assert result.returncode == 0, result.stderr
    entries = audit_since(engine, since)
    assert {(e.user, e.source, e.action) for e in entries} == {("analyst", "import new-homes.csv", "create")}
    assert sorted(e.entity_ref for e in entries) == [
        "NEW-01",
        "NEW-01/completion",
        "NEW-01/identified",
        "NEW-01/offer_accepted",
    ]
    created = next(e for e in entries if e.entity == "property")
    assert created.after["district"] == "E07000099"
    assert created.after["phase"] == "Phase 2"


def test_milestone_changes_are_audited_as_property_slash_stage(engine, tmp_path):
    actor = Actor(user="analyst", source="import properties.csv", role=Role.EDITOR)
    path = tmp_path / "properties.csv"
    import_path(engine, write_csv(path, [NEW_PROPERTY]), actor, today=SEED_TODAY)
    since = last_audit_id(engine)

    changed = {**NEW_PROPERTY, "Completion planned": "2025-07-31", "Survey actual": "2025-03-03"}
    report = import_path(engine, write_csv(path, [changed]), actor, today=SEED_TODAY)

    assert report.ok, report.summary()
    entries = {(e.action, e.entity, e.entity_ref): e for e in audit_since(engine, since)}
    assert set(entries) == {
        ("update", "milestone", "NEW-01/completion"),
        ("create", "milestone", "NEW-01/survey"),
    }
    update = entries["update", "milestone", "NEW-01/completion"]
    assert (update.before, update.after) == ({"planned_on": "2025-06-30"}, {"planned_on": "2025-07-31"})
    created = entries["create", "milestone", "NEW-01/survey"]
    assert created.after == {"planned_on": None, "actual_on": "2025-03-03", "property": "NEW-01"}
    assert all(e.source == "import properties.csv" for e in entries.values())


def test_a_failed_transaction_leaves_no_audit_row(engine):
    since = last_audit_id(engine)
    with pytest.raises(RuntimeError), session_scope(engine, ALICE) as session:
        prop = get_property(session, "RS-P2-01")
        prop.planned_beds += 1
        session.flush()  # the audit row is written here, in the transaction that is then rolled back
        raise RuntimeError("the user cancelled")

    assert audit_since(engine, since) == []


def test_an_audit_query_for_days_takes_whole_days_both_included(engine):
    from datetime import date

    from dashboard.audit import AuditQuery
    from dashboard.queries import audit_count

    stamps = [datetime(2026, 3, 1, 0, 0), datetime(2026, 3, 2, 23, 59, 59), datetime(2026, 3, 3, 0, 0)]
    with session_scope(engine, ALICE) as session:
        session.add_all(
            AuditEntry(
                at=at, user="clock", source="test", action="import", entity="x", entity_ref="r", before=None, after=None
            )
            for at in stamps
        )
    query = AuditQuery.on_days(date(2026, 3, 1), date(2026, 3, 2), users=("clock",))
    assert audit_count(engine, SYSTEM, query) == 2
    assert audit_count(engine, SYSTEM, AuditQuery.on_days(None, None, users=("clock",))) == 3
    with engine.connect() as connection:  # and with no filter, the whole log
        whole_log = connection.scalar(select(func.count(AuditEntry.id)))
        assert audit_count(engine, SYSTEM, AuditQuery.on_days(None, None)) == whole_log


def test_the_audit_filter_lists_everyone_who_changed_something_once_each_in_order(engine):
    from dashboard.queries import audit_users

    with session_scope(engine, ALICE) as session:
        session.add_all(
            AuditEntry(
                at=datetime(2026, 3, 1),
                user=user,
                source="test",
                action="update",
                entity="x",
                entity_ref="r",
                before=None,
                after=None,
            )
            for user in ("zoe", "bob", "Zed", "bob", "a.b@example.org")
        )
    with engine.connect() as connection:  # what the filter must show, however it is read
        everyone = list(connection.scalars(select(AuditEntry.user).distinct().order_by(AuditEntry.user)))

    assert {"zoe", "bob", "Zed", "a.b@example.org"} < set(everyone)
    assert audit_users(engine, SYSTEM) == everyone


@sqlite_only
def test_the_audit_filter_steps_through_the_user_index_rather_than_reading_the_log(engine):
    """The log grows by every change (a million rows at scale); its few users are found one index step each."""
    from dashboard.queries import audit_users_query

    sql = audit_users_query().compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]

    assert not [step for step in plan if step.startswith("SCAN audit_log")], plan
    assert "SEARCH audit_log USING COVERING INDEX ix_audit_log_user (user>?)" in plan, plan


def _version_and_records(engine: Engine, reference: str) -> tuple[int, int]:
    with Session(engine) as session:
        prop = get_property(session, reference)
        records = session.scalar(
            select(func.count()).select_from(PropertyRecord).where(PropertyRecord.property == prop)
        )
        return prop.version, records or 0


def test_only_the_projects_own_sessions_are_listened_to(engine):
    """The audit log, recorded history and row versions listen to the project's sessions (session_scope), not to
    every Session in the process: another library's session writing through the ORM is left alone."""
    since = last_audit_id(engine)
    version, records = _version_and_records(engine, "RS-P2-01")
    with Session(engine) as session, session.begin():
        get_property(session, "RS-P2-01").planned_beds += 1
    assert (_version_and_records(engine, "RS-P2-01"), audit_since(engine, since)) == ((version, records), [])

    with session_scope(engine, ALICE) as session:
        get_property(session, "RS-P2-01").planned_beds += 1
    assert _version_and_records(engine, "RS-P2-01") == (version + 1, records + 1)
    assert [entry.action for entry in audit_since(engine, since)] == ["update"]
