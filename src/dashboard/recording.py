"""The programme as it was recorded: every time a property's plan or a stage's planned date is written, a record of
the new values is kept beside it (models.PropertyRecord, MilestoneRecord), so a past "as at" view reads what was on
record at the end of that day, not today's values.

One listener on the flush of the project's sessions (db.Sessions) does it, as the audit log's does, so no write path
can forget. Bulk writers (demo data) write their records themselves."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from dashboard.models import Milestone, MilestoneRecord, Property, PropertyRecord

# The fields of a property whose past values a past view shows. Stage actual dates, registered places and the date
# councillors were informed are facts with dates of their own: a past view reads them as they are now, up to its date.
RECORDED_FIELDS = ("phase", "district", "provision_model", "specialism", "planned_beds", "provenance")


def _changed(obj: Property | Milestone, fields: tuple[str, ...]) -> bool:
    return any(get_history(obj, field).has_changes() for field in fields)


def record_plans(session: Session, _flush_context, _instances) -> None:
    """Before each flush of a project session (db.py registers it): a record of each plan or planned date written."""
    at = datetime.now(UTC).replace(tzinfo=None)
    records: list[PropertyRecord | MilestoneRecord] = []
    for obj in (*session.new, *session.dirty):
        if obj in session.deleted:
            continue
        if isinstance(obj, Property) and (obj in session.new or _changed(obj, RECORDED_FIELDS)):
            values = {field: getattr(obj, field) for field in RECORDED_FIELDS}
            records.append(PropertyRecord(property=obj, recorded_at=at, **values))
        elif isinstance(obj, Milestone) and (obj in session.new or _changed(obj, ("planned_on",))):
            if obj.property is not None:
                records.append(
                    MilestoneRecord(
                        property=obj.property, stage_key=obj.stage_key, recorded_at=at, planned_on=obj.planned_on
                    )
                )
    session.add_all(records)
