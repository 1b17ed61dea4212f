"""A property's version number: up by one whenever the property or any of its milestones changes in a flush.

Every UPDATE of a property checks the version it was read at (SQLAlchemy's version_id_col), so an edit made on stale
data fails instead of overwriting someone else's change. Counting milestone changes too means an edit to a stage's
dates is also caught."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dashboard.models import Milestone, Property


def _changed_properties(session: Session) -> set[Property]:
    changed: set[Property] = set()
    for obj in session.dirty:
        if isinstance(obj, Property) and session.is_modified(obj, include_collections=False):
            changed.add(obj)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Milestone) and obj.property is not None and obj.property not in session.new:
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            changed.add(obj.property)
    return changed


def bump_versions(session: Session, _flush_context, _instances) -> None:
    """Before each flush of a project session (db.py registers it): each changed property's version up by one."""
    for prop in _changed_properties(session):
        if prop in session.deleted:
            continue
        prop.version = (prop.version or 0) + 1
