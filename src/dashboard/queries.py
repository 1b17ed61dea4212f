"""The read layer: SQL in, pandas DataFrames out. Aggregation happens in the database, so a page loads one row per
property (or fewer), never the milestone or audit tables whole."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Connection, DateTime, Engine, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause, Select

from dashboard.audit import AuditQuery
from dashboard.models import (
    AuditEntry,
    Council,
    Decision,
    District,
    Milestone,
    MilestoneRecord,
    Phase,
    Property,
    PropertyRecord,
    Region,
    Stage,
    Strategy,
)
from dashboard.reference import DistrictLookup
from dashboard.roles import Actor, Permission
from dashboard.stages import STAGE_POSITION, stage_reaching


def council_id(council: str | None) -> ColumnElement[int]:
    """The id of the council whose ONS code is `council`, in SQL; None: the store's first council (the default)."""
    if council is None:
        return select(func.min(Council.id)).scalar_subquery()
    return select(Council.id).where(Council.ons_code == council).scalar_subquery()


def id_of_council(connection: Connection | Session, council: str | None) -> int:
    """The id of the council whose ONS code is `council` (None: the store's first), for rows written as its."""
    found = connection.scalar(select(council_id(council)))
    if found is None:
        raise ValueError(f"no council '{council}' in the store")
    return int(found)


def first_council(connection: Connection) -> str:
    """The store's first council's ONS code: the one a view names by naming none."""
    return connection.execute(select(Council.ons_code).order_by(Council.id).limit(1)).scalar_one()


def require(
    connection: Connection, actor: Actor, council: str | None, permission: Permission = Permission.READ
) -> None:
    """Refuse (AccessDenied) unless the actor may `permission` in the council (None: the store's first): every read of
    a council's property-level data asks this first, whatever page, export or command asks for it."""
    if council is None and not actor.store_wide:
        council = first_council(connection)
    actor.require(permission, council)


def require_in_first_council(engine: Engine, actor: Actor, permission: Permission) -> None:
    """Ask the actor of data kept for the store's first council alone (the SSDA903 measures and objectives, the
    forecast): its staff's, as its programme is."""
    with engine.connect() as connection:
        require(connection, actor, None, permission)


@dataclass(frozen=True)
class Filters:
    """What every page is narrowed to: one council's programme (None: the store's first council), as at a day, and
    within it the phases, districts and provision models chosen. Empty tuples mean no narrowing."""

    as_at: date
    phases: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()  # ONS codes
    provision_models: tuple[str, ...] = ()
    council: str | None = None  # an ONS code

    @property
    def narrowed(self) -> bool:
        """Whether the view is a part of the programme rather than the whole of it."""
        return bool(self.phases or self.districts or self.provision_models)

    def narrow(
        self, query: Select, provision_model: ColumnElement[str] = Property.provision_model.expression
    ) -> Select:
        """`query` (which joins District) narrowed to these filters; always to one council's programme."""
        query = query.where(District.council_id == council_id(self.council))
        if self.phases:
            query = query.where(Phase.name.in_(self.phases))
        if self.districts:
            query = query.where(District.ons_code.in_(self.districts))
        if self.provision_models:
            query = query.where(provision_model.in_(self.provision_models))
        return query


@dataclass(frozen=True)
class StrategyInfo:
    name: str
    council: str
    bed_target: int
    provenance: str


@dataclass(frozen=True)
class FilterOptions:
    # Every way of writing a district, as importers read them: a link may name one as people write it.
    district_lookup: DistrictLookup
    phases: list[str] = field(default_factory=list)
    districts: dict[str, str] = field(default_factory=dict)  # ONS code -> name
    provision_models: list[str] = field(default_factory=list)

    def district_named(self, written: str) -> str | None:
        """The district's name as every page shows it, when `written` names one another way ("North Herts")."""
        code = self.district_lookup.resolve_code(written.strip())
        return None if code is None else self.districts.get(code)


def _with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns named *_on as datetime64 (SQLite returns dates as text)."""
    for column in frame.columns:
        if column.endswith("_on"):
            frame[column] = pd.to_datetime(frame[column])
    return frame


def store_version(engine: Engine) -> int:
    """Changes whenever the data does (every write leaves an audit row): the key for cached reads."""
    with engine.connect() as connection:
        return connection.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0


def strategy_info(engine: Engine, council: str | None = None) -> StrategyInfo:
    """The council's strategy (None: the store's first council's)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(Strategy.name, Council.name, Strategy.bed_target, Strategy.provenance)
            .join(Council, Strategy.council_id == Council.id)
            .where(Council.id == council_id(council))
        ).one()
    return StrategyInfo(*row)


def councils(engine: Engine) -> dict[str, str]:
    """The store's councils, ONS code -> name, in the order they were added (the first is the default)."""
    with engine.connect() as connection:
        return dict(connection.execute(select(Council.ons_code, Council.name).order_by(Council.id)).all())


@dataclass(frozen=True)
class RegionInfo:
    name: str
    bed_target: int | None  # the councils' joint target, if they set one


def region_info(engine: Engine) -> RegionInfo | None:
    """The store's region (data/reference/region.toml), if it has one."""
    with engine.connect() as connection:
        row = connection.execute(select(Region.name, Region.bed_target).order_by(Region.id).limit(1)).first()
    return RegionInfo(*row) if row else None


def synthetic_councils(engine: Engine) -> list[str]:
    """The ONS codes of the invented councils (demo-data --councils)."""
    with engine.connect() as connection:
        return list(connection.scalars(select(Council.ons_code).where(Council.synthetic).order_by(Council.id)))


def _of_council(council: str | None) -> ColumnElement[bool]:
    """Phases of the council's strategy."""
    return Phase.strategy_id.in_(select(Strategy.id).where(Strategy.council_id == council_id(council)))


def filter_options(engine: Engine, council: str | None = None) -> FilterOptions:
    ours = District.council_id == council_id(council)
    with engine.connect() as connection:
        phases = list(
            connection.scalars(select(Phase.name).where(_of_council(council)).order_by(Phase.starts_on, Phase.name))
        )
        districts = dict(
            connection.execute(select(District.ons_code, District.name).where(ours).order_by(District.name)).all()
        )
        models = list(
            connection.scalars(
                select(Property.provision_model)
                .join(District, Property.district_id == District.id)
                .where(ours)
                .distinct()
                .order_by(Property.provision_model)
            )
        )
        held = connection.scalar(select(Council.id).where(Council.id == council_id(council)))
    with Session(engine) as session:
        lookup = DistrictLookup.from_session(session, held)
    return FilterOptions(district_lookup=lookup, phases=phases, districts=districts, provision_models=models)


def property_references(engine: Engine, actor: Actor, council: str | None = None) -> list[str]:
    query = (
        select(Property.reference)
        .join(District, Property.district_id == District.id)
        .where(District.council_id == council_id(council))
        .order_by(Property.reference)
    )
    with engine.connect() as connection:
        require(connection, actor, council)
        return list(connection.scalars(query))


COST_FIELDS = ("purchase_budget", "purchase_cost", "refurbishment_budget", "refurbishment_cost")


def property_details(engine: Engine, actor: Actor, reference: str) -> dict[str, object] | None:
    """A property's costs, notes and source: what analysts (of its council) see beyond the register."""
    columns = [getattr(Property, name) for name in COST_FIELDS]
    query = (
        select(*columns, Property.notes, Property.provenance, Council.ons_code.label("council"))
        .join(District, Property.district_id == District.id)
        .join(Council, District.council_id == Council.id)
        .where(Property.reference == reference)
    )
    with engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    if row is None:
        return None
    details = dict(row)
    actor.require(Permission.SEE_DETAIL, str(details.pop("council")))
    return details


def recorded_by(as_at: date) -> datetime:
    """The end of the day `as_at` (UTC, exclusive): a past view shows what was on record by then."""
    return datetime.combine(as_at + timedelta(days=1), time.min)


@dataclass(frozen=True)
class _Recorded:
    """Where a view reads a property's plan and its stages' dates: today's rows, or the records as they stood."""

    plan: FromClause  # property_id, phase_id, district_id, provision_model, specialism, planned_beds, provenance,
    # first_recorded_at
    stages: FromClause  # property_id, stage_key, planned_on, actual_on
    # For a past view, the stages re-planned since: property_id, stage_key and the id of their record as it stood.
    then: FromClause | None = None

    @property
    def live(self) -> bool:
        """Today's rows: the tables themselves, with their indexes."""
        return self.then is None

    def planned_on(self, milestone: FromClause) -> tuple[ColumnElement, list[tuple[FromClause, ColumnElement[bool]]]]:
        """A live milestone row's planned date as recorded then, and the outer joins that read it."""
        if self.then is None:
            return milestone.c.planned_on, []
        then, record = self.then.alias(), MilestoneRecord.__table__.alias()
        joins: list[tuple[FromClause, ColumnElement[bool]]] = [
            (then, and_(then.c.property_id == milestone.c.property_id, then.c.stage_key == milestone.c.stage_key)),
            (record, record.c.id == then.c.record_id),
        ]
        return case((then.c.record_id.is_(None), milestone.c.planned_on), else_=record.c.planned_on), joins


def _recorded(filters: Filters, today: date) -> _Recorded:
    """The programme as on record at the end of `filters.as_at`. For today (or later) that is the live rows. For a past
    day, each property's and stage's latest record made by then; one first recorded later (an import of a past
    programme) shows its first record. Stage actual dates are facts with dates of their own: read as they are now."""
    if filters.as_at >= today:
        plan = select(
            Property.id.label("property_id"),
            Property.phase_id,
            Property.district_id,
            Property.provision_model,
            Property.specialism,
            Property.planned_beds,
            Property.provenance,
            literal(None, DateTime).label("first_recorded_at"),
        ).subquery("plan")
        return _Recorded(plan, Milestone.__table__)
    cutoff = recorded_by(filters.as_at)
    chosen = (
        select(
            PropertyRecord.property_id,
            _latest_by(PropertyRecord.recorded_at, PropertyRecord.id, cutoff).label("record_id"),
            func.min(PropertyRecord.recorded_at).label("first_recorded_at"),
        )
        .group_by(PropertyRecord.property_id)
        .subquery()
    )
    plan = (
        select(
            PropertyRecord.property_id,
            PropertyRecord.phase_id,
            PropertyRecord.district_id,
            PropertyRecord.provision_model,
            PropertyRecord.specialism,
            PropertyRecord.planned_beds,
            PropertyRecord.provenance,
            chosen.c.first_recorded_at,
        )
        .join(chosen, chosen.c.record_id == PropertyRecord.id)
        .subquery("plan")
    )
    # A stage's last record is its live value (the flush listener writes one on every change), so only the stages
    # re-planned after the day need their records read: the rest come from the live rows, through their index.
    replanned = (
        select(MilestoneRecord.property_id, MilestoneRecord.stage_key)
        .where(MilestoneRecord.recorded_at >= cutoff)
        .distinct()
        .subquery()
    )
    then = (
        select(
            MilestoneRecord.property_id,
            MilestoneRecord.stage_key,
            _latest_by(MilestoneRecord.recorded_at, MilestoneRecord.id, cutoff).label("record_id"),
        )
        .join(
            replanned,
            and_(
                replanned.c.property_id == MilestoneRecord.property_id,
                replanned.c.stage_key == MilestoneRecord.stage_key,
            ),
        )
        .group_by(MilestoneRecord.property_id, MilestoneRecord.stage_key)
        .cte("replanned_then")
    )
    recorded = _Recorded(plan, Milestone.__table__, then)
    planned_on, joins = recorded.planned_on(Milestone.__table__)
    stages = select(Milestone.property_id, Milestone.stage_key, planned_on.label("planned_on"), Milestone.actual_on)
    for table, onclause in joins:
        stages = stages.outerjoin(table, onclause)
    return replace(recorded, stages=stages.subquery("stages"))


def _latest_by(recorded_at, record_id, cutoff: datetime):
    """The last record made before `cutoff`, or else the first one."""
    return func.coalesce(func.max(case((recorded_at < cutoff, record_id))), func.min(record_id))


LEVEL_STAGES = {level: stage_reaching(level).key for level in ("secured", "registered", "open")}


def property_status(engine: Engine, actor: Actor, filters: Filters, today: date) -> pd.DataFrame:
    """One row per property in the programme as recorded at the end of `filters.as_at`: where it has reached, what it
    waits on, and the planned and actual dates at which its beds were (or are to be) secured, registered and opened.

    `recorded_later` is true for a property first recorded after that day, shown as it was first recorded."""
    with engine.connect() as connection:
        require(connection, actor, filters.council)
    return read_status(engine, filters, today)


def read_status(engine: Engine, filters: Filters, today: date) -> pd.DataFrame:
    """property_status without asking the actor: only for a domain function that has asked already and gives out
    programme-level figures alone (the region's side by side)."""
    with engine.connect() as connection:
        frame = pd.read_sql(status_query(filters, today), connection)
    frame["registered_beds"] = frame["registered_beds"].astype("Int64")
    frame["recorded_later"] = frame["recorded_later"].fillna(False).astype(bool)
    return _with_dates(frame)


def status_query(filters: Filters, today: date) -> Select:
    """The SQL of property_status: each property's stages aggregated in one pass (for today, read from the index
    ix_milestone_property_dates alone), joined to its recorded plan and its next stage."""
    as_at = filters.as_at
    recorded = _recorded(filters, today)
    plan, stages = recorded.plan, recorded.stages
    happened = stages.c.actual_on <= as_at
    # A level is reached on the first date of its stage or any later one: the same test as the ledger's level, so a
    # property with a stage's date missing still counts from when it was known to be past it.
    level_columns = []
    for level, stage in LEVEL_STAGES.items():
        level_columns += [
            func.max(case((stages.c.stage_key == stage, stages.c.planned_on))).label(f"{level}_planned_on"),
            func.min(case((and_(Stage.position >= STAGE_POSITION[stage], happened), stages.c.actual_on))).label(
                f"{level}_actual_on"
            ),
        ]
    per_property = (
        select(
            stages.c.property_id,
            func.max(case((happened, Stage.position))).label("reached_position"),
            func.min(case((happened, stages.c.actual_on))).label("started_on"),
            *level_columns,
        )
        .join(Stage, Stage.key == stages.c.stage_key)
        .group_by(stages.c.property_id)
        .subquery()
    )
    next_stage = Stage.__table__.alias("next_stage")
    reached = func.coalesce(per_property.c.reached_position, 0)
    # The next stage's planned date: the live row, found by its index, as recorded then.
    next_milestone = Milestone.__table__.alias("next_milestone")
    next_planned_on, next_joins = recorded.planned_on(next_milestone)
    level_dates = [per_property.c[column.name] for column in level_columns]
    query = (
        select(
            Property.id.label("property_id"),
            Property.reference,
            Phase.name.label("phase"),
            District.name.label("district"),
            District.ons_code.label("district_code"),
            plan.c.provision_model,
            plan.c.specialism,
            plan.c.planned_beds,
            Property.registered_beds,
            Property.councillors_informed_on,
            # As it reads now, in a past view too: it says what is next, not what was.
            Property.status_note,
            Property.ofsted_urn,  # public, and does not locate the home
            plan.c.provenance,
            Property.version,
            (plan.c.first_recorded_at >= recorded_by(as_at)).label("recorded_later"),
            reached.label("reached_position"),
            per_property.c.started_on,
            next_stage.c.key.label("next_stage"),
            next_planned_on.label("next_planned_on"),
            *level_dates,
        )
        .join(plan, plan.c.property_id == Property.id)
        .join(Phase, plan.c.phase_id == Phase.id)
        .join(District, plan.c.district_id == District.id)
        .outerjoin(per_property, per_property.c.property_id == Property.id)
        .outerjoin(next_stage, next_stage.c.position == reached + 1)
        .order_by(Property.reference)
    )
    query = query.outerjoin(
        next_milestone,
        and_(next_milestone.c.property_id == Property.id, next_milestone.c.stage_key == next_stage.c.key),
    )
    for table, onclause in next_joins:
        query = query.outerjoin(table, onclause)
    if not recorded.live:
        # In the programme by then: on record by the end of the day, or something had happened to it.
        query = query.where(or_(plan.c.first_recorded_at < recorded_by(as_at), per_property.c.started_on <= as_at))
    return filters.narrow(query, plan.c.provision_model)


def milestones(
    engine: Engine,
    actor: Actor,
    filters: Filters,
    references: tuple[str, ...] | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """Planned and actual dates of every stage of the filtered properties, or of just `references` among them, as on
    record at the end of `filters.as_at` (actual dates after it hidden)."""
    as_at = filters.as_at
    recorded = _recorded(filters, today or date.today())
    plan, stages = recorded.plan, recorded.stages
    query = (
        select(
            Property.reference,
            Phase.name.label("phase"),
            District.name.label("district"),
            Stage.position,
            Stage.key.label("stage"),
            Stage.label.label("stage_label"),
            stages.c.planned_on,
            case((stages.c.actual_on <= as_at, stages.c.actual_on)).label("actual_on"),
        )
        .select_from(stages)
        .join(Property, stages.c.property_id == Property.id)
        .join(plan, plan.c.property_id == Property.id)
        .join(Phase, plan.c.phase_id == Phase.id)
        .join(District, plan.c.district_id == District.id)
        .join(Stage, Stage.key == stages.c.stage_key)
        .order_by(Property.reference, Stage.position)
    )
    if references is not None:
        query = query.where(Property.reference.in_(references))
    query = filters.narrow(query, plan.c.provision_model)
    with engine.connect() as connection:
        require(connection, actor, filters.council)
        frame = pd.read_sql(query, connection)
    return _with_dates(frame)


def phases(engine: Engine, council: str | None = None) -> pd.DataFrame:
    query = (
        select(
            Phase.name,
            Phase.starts_on,
            Phase.planned_end_on,
            Decision.reference.label("decision_reference"),
            Phase.provenance,
        )
        .outerjoin(Decision, Phase.decision_id == Decision.id)
        .where(_of_council(council))
        .order_by(Phase.starts_on, Phase.name)
    )
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    return _with_dates(frame)


AUDIT_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.user,
    AuditEntry.source,
    AuditEntry.action,
    AuditEntry.entity,
    AuditEntry.entity_ref,
    AuditEntry.before,
    AuditEntry.after,
)


def audit_log(
    engine: Engine, actor: Actor, query: AuditQuery, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """Audit rows, newest first; `limit` rows from `offset`, so a page reads only what it shows. The log spans every
    council: an actor who sees detail in some councils only reads their changes."""
    return audit_rows(engine, query.read_by(actor), limit, offset)


def property_history(engine: Engine, actor: Actor, reference: str, limit: int = 500) -> pd.DataFrame:
    """A property's own audit rows and its milestones', newest first, for an analyst of its council (the whole log is
    for those who see detail in every council)."""
    owner = (
        select(Council.ons_code)
        .join(District, District.council_id == Council.id)
        .join(Property, Property.district_id == District.id)
        .where(Property.reference == reference)
    )
    statement = (
        AuditQuery(reference=reference)
        .narrow(select(*AUDIT_COLUMNS))
        .where(AuditEntry.entity.in_(("property", "milestone")))
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        actor.require(Permission.SEE_DETAIL, connection.scalar(owner))  # a property gone: every council's detail
        return pd.read_sql(statement, connection)


def audit_rows(engine: Engine, query: AuditQuery, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """audit_log's rows, for a write that has already asked the actor (editing's check for a stale edit)."""
    statement = query.narrow(select(*AUDIT_COLUMNS)).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    with engine.connect() as connection:
        return pd.read_sql(statement, connection)


def audit_count(engine: Engine, actor: Actor, query: AuditQuery) -> int:
    query = query.read_by(actor)
    # count(*), not count(id): SQLite counts index entries without reading them, five times faster on the whole log.
    with engine.connect() as connection:
        return connection.scalar(query.narrow(select(func.count()).select_from(AuditEntry)))


def audit_users(engine: Engine, actor: Actor) -> list[str]:
    """Everyone who has changed something the actor may read, for the audit filter."""
    within = AuditQuery().read_by(actor)
    if within.councils is not None:  # a council's few changes: read as they are
        users = within.narrow(select(AuditEntry.user).distinct().order_by(AuditEntry.user))
        with engine.connect() as connection:
            return list(connection.scalars(users))
    with engine.connect() as connection:
        return list(connection.scalars(audit_users_query()))


def audit_users_query() -> Select:
    """The SQL of audit_users: one step through the user index per person, each to the next name after the last (a
    loose index scan). DISTINCT would read the whole index, a million entries at scale, after every write."""
    users = select(func.min(AuditEntry.user).label("user")).cte("users", recursive=True)
    following = select(func.min(AuditEntry.user)).where(AuditEntry.user > users.c.user).scalar_subquery()
    users = users.union_all(select(following).where(users.c.user.is_not(None)))
    return select(users.c.user).where(users.c.user.is_not(None)).order_by(users.c.user)


def audit_between(engine: Engine, start: datetime, end: datetime, council: str | None = None) -> pd.DataFrame:
    """Audit rows written at or after `start` and before `end` (UTC), oldest first: only those rows are read (the
    log's `at` index). The changes of the council (None: the store's first) whose briefing they are for, and the
    store's own."""
    ours = or_(AuditEntry.council_id == council_id(council), AuditEntry.council_id.is_(None))
    query = select(*AUDIT_COLUMNS).where(AuditEntry.at >= start, AuditEntry.at < end, ours).order_by(AuditEntry.id)
    with engine.connect() as connection:
        return pd.read_sql(query, connection)


def districts(engine: Engine, council: str | None = None) -> pd.DataFrame:
    """The council's districts: the name every page uses, the shorter one people also write (the maps' tooltips
    give it), and tile-map positions."""
    query = (
        select(District.ons_code, District.name, District.short_name, District.tile_x, District.tile_row)
        .where(District.council_id == council_id(council))
        .order_by(District.name)
    )
    with engine.connect() as connection:
        return pd.read_sql(query, connection)


DECISION_COLUMNS = (
    "reference",
    "title",
    "decision_type",
    "key_decision",
    "decided_on",
    "executive_member",
    "portfolio",
    "significance",
    "controversial",
    "provenance",
)


def decisions(engine: Engine, actor: Actor, council: str | None = None) -> pd.DataFrame:
    """Every decision, oldest first, with the phases it governs (names joined "; ", in start order) and the properties
    in those phases: how many, and their references (joined "; "). Properties are counted per phase in SQL."""
    per_phase = (
        select(
            Phase.decision_id,
            Phase.name,
            Phase.starts_on,
            func.count(Property.id).label("properties"),
            func.aggregate_strings(Property.reference, "; ").label("property_references"),
        )
        .outerjoin(Property, Property.phase_id == Phase.id)
        .group_by(Phase.id, Phase.decision_id, Phase.name, Phase.starts_on)
        .subquery()
    )
    query = (
        select(
            *[getattr(Decision, column) for column in DECISION_COLUMNS],
            per_phase.c.name.label("phase"),
            per_phase.c.properties,
            per_phase.c.property_references,
        )
        .outerjoin(per_phase, per_phase.c.decision_id == Decision.id)
        .where(Decision.council_id == council_id(council))
        .order_by(Decision.decided_on, Decision.reference, per_phase.c.starts_on, per_phase.c.name)
    )
    with engine.connect() as connection:
        require(connection, actor, council)
        rows = pd.read_sql(query, connection)
    # One row per decision and phase so far: fold the phases into the decision's row.
    frame = rows.drop_duplicates("reference")[list(DECISION_COLUMNS)].set_index("reference")
    by_decision = rows.groupby("reference", sort=False)
    frame["phases"] = by_decision["phase"].agg(lambda names: "; ".join(names.dropna()))
    frame["properties"] = by_decision["properties"].sum().astype(int)
    # SQL concatenates a phase's references in no set order: sort them, phase by phase.
    frame["property_references"] = by_decision["property_references"].agg(
        lambda per_phase_refs: "; ".join("; ".join(sorted(refs.split("; "))) for refs in per_phase_refs.dropna())
    )
    return _with_dates(frame.reset_index())
