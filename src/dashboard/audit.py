"""Every change made through a session is written to the audit log, whatever made it (CLI, import, app, seed).

One listener on the flush of the project's sessions (db.Sessions) does it, so no write path can forget. AuditQuery
says which rows to read back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, inspect, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.sql import Select

from dashboard.models import (
    AUDITED_MODELS,
    AuditEntry,
    Base,
    Council,
    Decision,
    District,
    ForecastScenario,
    Milestone,
    ObjectiveSetting,
    Phase,
    Property,
    RoleGrant,
    Strategy,
)
from dashboard.roles import SYSTEM, Actor, Permission
from dashboard.safeguarding import looks_like_postcode

# Surrogate keys and the version counter say nothing to a reader of the log.
_NOT_AUDITED = {"id", "version"}
# A file's name is the one text the log takes that no importer's cell check has seen ("import NAME" as the source, a
# lookup's file as the reference, a summary's "file"): one that looks like a postcode is withheld, as the locations
# of homes are never stored.
NAME_WITHHELD = "(a file name that looks like a postcode, withheld)"


@lru_cache(maxsize=256)
def _withheld(text: str) -> str:
    if not looks_like_postcode(text):
        return text
    return f"import {NAME_WITHHELD}" if text.startswith("import ") else NAME_WITHHELD


def _plain(value: Any) -> Any:
    if isinstance(value, Base):
        return value.audit_ref()  # type: ignore[attr-defined]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _audited_attributes(obj: Base) -> list[str]:
    """Plain columns plus many-to-one relationships (logged by their natural key, not their id)."""
    mapper = inspect(obj).mapper
    foreign_keys = {column.key for column in mapper.columns if column.foreign_keys}
    columns = [
        attr.key for attr in mapper.column_attrs if attr.key not in _NOT_AUDITED and attr.key not in foreign_keys
    ]
    many_to_one = [rel.key for rel in mapper.relationships if rel.direction.name == "MANYTOONE"]
    return columns + many_to_one


def snapshot(obj: Base) -> dict[str, Any]:
    return {key: _plain(getattr(obj, key)) for key in _audited_attributes(obj)}


def _changes(obj: Base) -> tuple[dict[str, Any], dict[str, Any]]:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in _audited_attributes(obj):
        history = get_history(obj, key)
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if _plain(old) == _plain(new):
            continue
        before[key] = _plain(old)
        after[key] = _plain(new)
    return before, after


class _CouncilOf:
    """The council each changed row belongs to: read from what the session already holds (a new property's district,
    a new milestone's property), else from the store, each kind looked up once a flush (under no_autoflush: this
    runs inside one)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.lookups: dict[str, dict[int, int]] = {}

    def _looked_up(self, kind: str, query: Select, key: int | None) -> int | None:
        if kind not in self.lookups:
            with self.session.no_autoflush:
                self.lookups[kind] = {row_id: council_id for row_id, council_id in self.session.execute(query)}
        return self.lookups[kind].get(key) if key is not None else None

    def __call__(self, obj: Any) -> Council | int | None:
        held = obj.__dict__  # relationships already loaded; a lazy load here would flush inside the flush
        if isinstance(obj, Council):
            return obj
        if isinstance(obj, Strategy | Decision | RoleGrant):
            return held.get("council") or obj.council_id
        if isinstance(obj, ObjectiveSetting | ForecastScenario):
            return obj.council_id
        if isinstance(obj, Phase):
            if (strategy := held.get("strategy")) is not None:
                return self(strategy)
            return self._looked_up("strategy", select(Strategy.id, Strategy.council_id), obj.strategy_id)
        if isinstance(obj, Property):
            if (district := held.get("district")) is not None:
                return district.__dict__.get("council") or district.council_id
            return self._looked_up("district", select(District.id, District.council_id), obj.district_id)
        if isinstance(obj, Milestone):
            if (owner := held.get("property")) is not None:
                return self(owner)
            of_property = select(Property.id, District.council_id).join(District, Property.district_id == District.id)
            return self._looked_up("property", of_property, obj.property_id)
        return None  # the store's: a region


def _entry(
    actor: Actor, action: str, obj: Base, before: dict | None, after: dict | None, council: Council | int | None
) -> AuditEntry:
    entry = AuditEntry(
        at=datetime.now(UTC).replace(tzinfo=None),
        user=actor.user,
        source=_withheld(actor.source),
        action=action,
        entity=obj.__tablename__,
        entity_ref=obj.audit_ref(),  # type: ignore[attr-defined]
        before=before,
        after=after,
    )
    # A council added in this flush has no id yet: the entry points at it, and takes its id when it is written.
    if isinstance(council, Council):
        entry.council = council
    else:
        entry.council_id = council
    return entry


def record_changes(session: Session, _flush_context, _instances) -> None:
    """Before each flush of a project session (db.py registers it): an audit row for each change it writes, with
    the council of the row changed."""
    actor: Actor = session.info.get("actor", SYSTEM)
    council_of = _CouncilOf(session)
    entries: list[AuditEntry] = []
    for obj in session.new:
        if isinstance(obj, AUDITED_MODELS):
            entries.append(_entry(actor, "create", obj, None, snapshot(obj), council_of(obj)))
    for obj in session.dirty:
        if isinstance(obj, AUDITED_MODELS) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after or before:
                entries.append(_entry(actor, "update", obj, before, after, council_of(obj)))
    for obj in session.deleted:
        if isinstance(obj, AUDITED_MODELS):
            entries.append(_entry(actor, "delete", obj, snapshot(obj), None, council_of(obj)))
    session.add_all(entries)


def record_bulk_change(
    session: Session, actor: Actor, entity: str, reference: str, summary: dict, council: int | None = None
) -> None:
    """One audit row for a table replaced in bulk (monthly aggregates, a lookup, a year of market figures): who,
    when, from what, and whose (a council's id; None: the store's, as the country's figures are). It also moves the
    store's data version on, so the app reads the new figures."""
    summary = {key: _withheld(value) if isinstance(value, str) else value for key, value in summary.items()}
    session.add(
        AuditEntry(
            at=datetime.now(UTC).replace(tzinfo=None),
            user=actor.user,
            source=_withheld(actor.source),
            action="import",
            entity=entity,
            entity_ref=_withheld(reference),
            before=None,
            after=summary,
            council_id=council,
        )
    )


@dataclass(frozen=True)
class AuditQuery:
    """Which audit rows to read. Empty means no narrowing."""

    users: tuple[str, ...] = ()
    reference: str | None = None  # a property (with its milestones), decision, phase or account
    start: datetime | None = None  # UTC, inclusive
    end: datetime | None = None  # UTC, exclusive
    after_id: int = 0  # rows written after this one
    councils: tuple[str, ...] | None = None  # the changes of these councils' rows (ONS codes); None: every change

    @classmethod
    def on_days(
        cls, first: date | None, last: date | None, users: tuple[str, ...] = (), reference: str | None = None
    ) -> AuditQuery:
        """Rows written from the start of `first` to the end of `last` (whole days, UTC, both included)."""
        return cls(
            users=users,
            reference=reference,
            start=datetime.combine(first, time.min) if first else None,
            end=datetime.combine(last + timedelta(days=1), time.min) if last else None,
        )

    def narrow(self, query: Select) -> Select:
        if self.users:
            query = query.where(AuditEntry.user.in_(self.users))
        if self.reference:
            query = query.where(
                or_(
                    AuditEntry.entity_ref == self.reference,
                    and_(AuditEntry.entity == "milestone", AuditEntry.entity_ref.startswith(f"{self.reference}/")),
                )
            )
        if self.start:
            query = query.where(AuditEntry.at >= self.start)
        if self.end:
            query = query.where(AuditEntry.at < self.end)
        if self.after_id:
            query = query.where(AuditEntry.id > self.after_id)
        if self.councils is not None:
            ours = select(Council.id).where(Council.ons_code.in_(self.councils))
            query = query.where(AuditEntry.council_id.in_(ours))
        return query

    def read_by(self, actor: Actor) -> AuditQuery:
        """The query narrowed to the changes the actor may read: every change for one who sees detail in every
        council; else its councils' (AccessDenied where there are none)."""
        where = actor.councils_with(Permission.SEE_DETAIL)
        if where is None:
            return self
        if not where:
            actor.require(Permission.SEE_DETAIL)
        return replace(self, councils=where if self.councils is None else tuple(set(where) & set(self.councils)))


# The council's clock: the log keeps UTC, people read the time their own clocks show.
LOCAL_TIME = ZoneInfo("Europe/London")
# What made a change, by the audit row's source ("import NAME" is read apart): words for someone who never saw the log.
_SOURCE_WORDS = {
    "app": "a change in the app",
    "cli": "a change from the command line",
    "seed": "the initial load of the programme's data",
    "system": "the dashboard itself",
}


@dataclass(frozen=True)
class LastChange:
    """The newest row of the audit log: when the data last changed (UTC, as the log keeps it) and through what."""

    at: datetime
    source: str

    def local_time(self) -> datetime:
        return self.at.replace(tzinfo=UTC).astimezone(LOCAL_TIME)

    def through(self) -> str:
        """What made the change, in words: "import of tracker.xlsx", "a change in the app"."""
        if self.source.startswith("import "):
            return f"import of {self.source.removeprefix('import ')}"
        return _SOURCE_WORDS.get(self.source, self.source)

    def words(self) -> str:
        """ "Data last updated 30/11/2026 14:02, import of tracker.xlsx" (the council's local time)."""
        return f"Data last updated {self.local_time():%d/%m/%Y %H:%M}, {self.through()}"


def last_change(engine: Engine) -> LastChange | None:
    """The newest audit row's time and source (None for a store with no rows): every write leaves one."""
    with engine.connect() as connection:
        row = connection.execute(
            select(AuditEntry.at, AuditEntry.source).order_by(AuditEntry.id.desc()).limit(1)
        ).first()
    return LastChange(row.at, row.source) if row else None
