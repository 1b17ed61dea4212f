"""The store's tables as typed ORM models.

Never an address or postcode: a property is a reference code and a district."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    # Named constraints, so later migrations can alter them on every backend.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Council(Base):
    """A council whose programme the store holds (dashboard.councils); each row of a programme belongs to one."""

    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    ons_code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # An invented council (demo-data --councils): its name, districts and programme are not any council's records.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    districts: Mapped[list[District]] = relationship(back_populates="council", order_by="District.name")

    def audit_ref(self) -> str:
        return self.ons_code


class District(Base):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    ons_code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str | None] = mapped_column(String(40))
    # Position on the hexagonal tile map: x across (half steps on alternate rows), row 0 furthest north.
    tile_x: Mapped[float | None] = mapped_column(Float)
    tile_row: Mapped[int | None] = mapped_column(Integer)

    council: Mapped[Council] = relationship(back_populates="districts")
    aliases: Mapped[list[DistrictAlias]] = relationship(back_populates="district", cascade="all, delete-orphan")

    def audit_ref(self) -> str:
        return self.ons_code


class DistrictAlias(Base):
    """Another way people write a district: a former ONS code or a common name."""

    __tablename__ = "district_alias"
    __table_args__ = (UniqueConstraint("district_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # "former_code" or "name"

    district: Mapped[District] = relationship(back_populates="aliases")


class Stage(Base):
    """Mirror of dashboard.stages.STAGES, so SQL can order and aggregate by stage."""

    __tablename__ = "stage"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    label: Mapped[str] = mapped_column(String(100))
    reaches: Mapped[str | None] = mapped_column(String(20))


class Strategy(Base):
    __tablename__ = "strategy"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    name: Mapped[str] = mapped_column(String(200))
    bed_target: Mapped[int] = mapped_column(Integer)
    provenance: Mapped[str] = mapped_column(String(200))

    # active_history on the links of audited rows: the old target is loaded when one is replaced, so the audit log
    # has a "before" even when the link was never read (e.g. a form setting property.district).
    council: Mapped[Council] = relationship(active_history=True)
    phases: Mapped[list[Phase]] = relationship(back_populates="strategy", order_by="Phase.starts_on")

    def audit_ref(self) -> str:
        return self.name


class Region(Base):
    """The councils of the store together (a regional care co-operative), and their joint target if they set one."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    bed_target: Mapped[int | None] = mapped_column(Integer)
    provenance: Mapped[str] = mapped_column(String(200))

    def audit_ref(self) -> str:
        return self.name


class Decision(Base):
    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(Text)
    decision_type: Mapped[str] = mapped_column(String(20))  # Executive / Non-executive
    key_decision: Mapped[bool] = mapped_column(Boolean)
    decided_on: Mapped[date | None] = mapped_column(Date)
    executive_member: Mapped[str | None] = mapped_column(String(200))
    portfolio: Mapped[str | None] = mapped_column(String(200))
    significance: Mapped[str | None] = mapped_column(String(40))
    controversial: Mapped[bool | None] = mapped_column(Boolean)
    provenance: Mapped[str] = mapped_column(String(200))

    council: Mapped[Council] = relationship(active_history=True)

    def audit_ref(self) -> str:
        return self.reference


class Phase(Base):
    __tablename__ = "phase"
    __table_args__ = (UniqueConstraint("strategy_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id"))
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date | None] = mapped_column(Date)
    planned_end_on: Mapped[date | None] = mapped_column(Date)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    provenance: Mapped[str] = mapped_column(String(200))

    strategy: Mapped[Strategy] = relationship(back_populates="phases", active_history=True)
    decision: Mapped[Decision | None] = relationship(active_history=True)

    def audit_ref(self) -> str:
        return self.name


# A key names one thing whatever its capitals ("rs-p1-01" is RS-P1-01): each is unique ignoring case (migration
# 0008). The importer and the forms refuse such a key in words first; these hold against any other way in.
Index("uq_decision_reference_lower", func.lower(Decision.reference), unique=True)
Index("uq_phase_name_lower", Phase.strategy_id, func.lower(Phase.name), unique=True)


class Property(Base):
    __tablename__ = "property"
    __table_args__ = (Index("ix_property_phase_district", "phase_id", "district_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    provision_model: Mapped[str] = mapped_column(String(20))  # in-house / commissioned
    specialism: Mapped[str | None] = mapped_column(String(100))
    planned_beds: Mapped[int] = mapped_column(Integer)
    registered_beds: Mapped[int | None] = mapped_column(Integer)
    # Whole pounds.
    purchase_budget: Mapped[int | None] = mapped_column(Integer)
    purchase_cost: Mapped[int | None] = mapped_column(Integer)
    refurbishment_budget: Mapped[int | None] = mapped_column(Integer)
    refurbishment_cost: Mapped[int | None] = mapped_column(Integer)
    councillors_informed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)  # for analysts only
    # The next step or what blocks it, in a line: shown to everyone who reads the dashboard (migration 0009).
    status_note: Mapped[str | None] = mapped_column(String(200))
    # Ofsted's unique reference number for the home once registered ("SC123456"; migration 0010): public, and it does
    # not locate the home. Links the home to its SSDA903 placements (occupancy) and Ofsted's rating and places.
    ofsted_urn: Mapped[str | None] = mapped_column(String(8), index=True, unique=True)
    provenance: Mapped[str] = mapped_column(String(200))
    # Goes up whenever the property or any of its milestones changes (dashboard.versions); an edit made against an
    # older version is refused.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    phase: Mapped[Phase] = relationship(active_history=True)
    district: Mapped[District] = relationship(active_history=True)
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="property", cascade="all, delete-orphan", order_by="Milestone.id"
    )

    # The ORM checks the version on every UPDATE; dashboard.versions sets the new one.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    def audit_ref(self) -> str:
        return self.reference


Index("uq_property_reference_lower", func.lower(Property.reference), unique=True)


class Milestone(Base):
    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("property_id", "stage_key"),
        # Progress "as at" a date scans actual dates by stage.
        Index("ix_milestone_stage_actual", "stage_key", "actual_on"),
        Index("ix_milestone_stage_planned", "stage_key", "planned_on"),
        # Each property's status is an aggregate over its milestones: with the dates in the index it is read from the
        # index alone (about half the time at 10,000 properties).
        Index("ix_milestone_property_dates", "property_id", "stage_key", "actual_on", "planned_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id", ondelete="CASCADE"))
    stage_key: Mapped[str] = mapped_column(ForeignKey("stage.key"))
    planned_on: Mapped[date | None] = mapped_column(Date)
    actual_on: Mapped[date | None] = mapped_column(Date)

    property: Mapped[Property] = relationship(back_populates="milestones", active_history=True)

    def audit_ref(self) -> str:
        return f"{self.property.reference}/{self.stage_key}"


class PropertyRecord(Base):
    """A property's recorded plan from `recorded_at` on: a row each time it is created or one of these fields changes
    (dashboard.recording), so the programme can be read as it was recorded at the end of any past day. Facts with
    dates of their own (stage actual dates, registered places, councillors informed) are read as they are now, by
    their dates."""

    __tablename__ = "property_record"
    __table_args__ = (Index("ix_property_record_property", "property_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id", ondelete="CASCADE"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    provision_model: Mapped[str] = mapped_column(String(20))
    specialism: Mapped[str | None] = mapped_column(String(100))
    planned_beds: Mapped[int] = mapped_column(Integer)
    provenance: Mapped[str] = mapped_column(String(200))

    property: Mapped[Property] = relationship()
    phase: Mapped[Phase] = relationship()
    district: Mapped[District] = relationship()


class MilestoneRecord(Base):
    """A stage's planned date as recorded from `recorded_at` on (dashboard.recording): a re-planned stage does not
    move a past view's lateness."""

    __tablename__ = "milestone_record"
    __table_args__ = (
        Index("ix_milestone_record_stage", "property_id", "stage_key", "recorded_at"),
        # A past view reads only the stages re-planned since its day.
        Index("ix_milestone_record_recorded_at", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id", ondelete="CASCADE"))
    stage_key: Mapped[str] = mapped_column(ForeignKey("stage.key"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    planned_on: Mapped[date | None] = mapped_column(Date)

    property: Mapped[Property] = relationship()


class BriefingPack(Base):
    """A briefing pack made for the Executive Member (a council's) or the region's: what it covered, who made it and
    when. The next pack's "changes since" starts from the last one's of the same council, or the region's."""

    __tablename__ = "briefing_pack"

    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC
    made_by: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))  # app, cli
    as_at: Mapped[date] = mapped_column(Date)
    since: Mapped[date] = mapped_column(Date)
    classification: Mapped[str | None] = mapped_column(String(40))
    # Whose programme the pack was of; None: the region's, every council's side by side (migration 0018).
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"))


class AuditEntry(Base):
    """One change to one row: who, when, through what, and the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_ref"), Index("ix_audit_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    user: Mapped[str] = mapped_column(String(200), index=True)
    source: Mapped[str] = mapped_column(String(200))  # cli, import <file>, app, seed
    action: Mapped[str] = mapped_column(String(10))  # create / update / delete
    entity: Mapped[str] = mapped_column(String(40))
    entity_ref: Mapped[str] = mapped_column(String(100))
    # An absent value is SQL NULL, not the JSON text 'null': the export streams the stored text as it is.
    before: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # The council whose row changed, so each council's staff read their own council's changes; none for what is
    # the store's (the objectives' settings, the forecast's scenarios, grants in every council, bulk imports).
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"), index=True)

    council: Mapped[Council | None] = relationship()


class RoleGrant(Base):
    """A signed-in account's role (dashboard.roles) in one council, or in every council (no council). An account holds
    one grant per council; the regional viewer role is held in no council. Accounts with no grant are viewers or
    refused, as configured."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("account", "council_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(200), index=True)  # e-mail address, lower case
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"))
    role: Mapped[str] = mapped_column(String(20))  # a Role's label, or REGIONAL_VIEWER

    council: Mapped[Council | None] = relationship()

    def audit_ref(self) -> str:
        return self.account if self.council is None else f"{self.account} ({self.council.ons_code})"


class SignInEvent(Base):
    """A sign-in, a refusal or a sign-out (dashboard.sign_ins). Kept beside the audit log, not in it: the newest audit
    row is the data's version, and signing in changes no data."""

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC
    account: Mapped[str] = mapped_column(String(200), index=True)
    event: Mapped[str] = mapped_column(String(40))
    role: Mapped[str | None] = mapped_column(String(10))  # the role it was let in with; none when refused


class PlacementFigure(Base):
    """A monthly aggregate from the council's SSDA903 episodes (dashboard.placements): a count for one measure and
    category on a month's last day. Never a child, an episode or a postcode."""

    __tablename__ = "placement_figure"
    __table_args__ = (UniqueConstraint("month_end", "measure", "category", "council_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))  # whose return it was computed from (0017)
    month_end: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(40))  # e.g. children_in_homes, placement_changes
    category: Mapped[str] = mapped_column(String(40))  # e.g. PR1 (own provision), inside, all
    value: Mapped[int] = mapped_column(Integer)


class PostcodeDistrict(Base):
    """The council's lookup from a postcode district (outward code, "SG1") to the local authority it lies in: tells
    whether a placement was inside the county without keeping any postcode of a placement. A district crossing a
    boundary has a row per authority, each with its share of the district, or none where the split is not known
    (migration 0010). Its centroid, when given, places it for distances."""

    __tablename__ = "postcode_district"

    outward_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    local_authority: Mapped[str] = mapped_column(String(100), primary_key=True)
    share: Mapped[float | None] = mapped_column(Float)  # of the district in this authority, 0 to 1; None: not known
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # The council's district (its ONS code) the postcode district mostly lies in; None outside the council or not
    # given (migration 0011).
    council_district: Mapped[str | None] = mapped_column(String(9))


class MarketFigure(Base):
    """Ofsted's provider-level data aggregated per local authority and year (dashboard.market): children's homes and
    places by sector, homes by latest overall rating. No provider is kept."""

    __tablename__ = "market_figure"
    __table_args__ = (
        UniqueConstraint("as_at", "local_authority", "measure", "category"),
        Index("ix_market_figure_as_at_measure", "as_at", "measure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    as_at: Mapped[date] = mapped_column(Date)  # 31 March of the data's year
    local_authority: Mapped[str] = mapped_column(String(100))
    measure: Mapped[str] = mapped_column(String(40))  # homes, places, homes_by_rating
    category: Mapped[str] = mapped_column(String(60))  # sector (Local authority, Private, Voluntary, Other) or rating
    value: Mapped[int] = mapped_column(Integer)


class ObjectiveMeasure(Base):
    """One of the objectives' measures at a period end (a month's last day; 31 March is the year DfE publishes), as
    the SSDA903 import computed it (dashboard.measures defines each): a count, or a share as numerator over
    denominator. `category` is blank, or what the measure is split by (a home's Ofsted URN, an age band). Never a
    child, an episode or a postcode."""

    __tablename__ = "objective_measure"
    __table_args__ = (UniqueConstraint("measure", "category", "period_end", "council_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))  # whose return it was computed from (0017)
    measure: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20), default="")
    period_end: Mapped[date] = mapped_column(Date, index=True)
    numerator: Mapped[float] = mapped_column(Float)  # a count; a fraction only where a split district's share is used
    denominator: Mapped[float | None] = mapped_column(Float)  # None: the measure is a count


class OfstedHome(Base):
    """A children's home in Ofsted's provider-level data for a year, by its URN (dashboard.market): its places and
    latest overall rating, so the council's own homes can be linked to it. No name or address is kept."""

    __tablename__ = "ofsted_home"

    as_at: Mapped[date] = mapped_column(Date, primary_key=True)  # 31 March of the data's year
    urn: Mapped[str] = mapped_column(String(8), primary_key=True)
    local_authority: Mapped[str] = mapped_column(String(100))
    sector: Mapped[str] = mapped_column(String(60))
    places: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[str | None] = mapped_column(String(60))


class ObjectiveSetting(Base):
    """A figure a user sets for the objectives: a target, or a weekly cost (dashboard.objectives has the defaults)."""

    __tablename__ = "objective_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), primary_key=True)  # whose objectives (0017)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))  # where an assumed cost comes from (migration 0010)

    def audit_ref(self) -> str:
        return self.key


class ForecastBasis(Base):
    """What the demand forecast is made from (dashboard.forecast.Basis): the SSDA903 import's month-to-month counts,
    as aggregates only, with the data's first and last day and the backtest of its last year. One row per council:
    its import replaces it (migrations 0011 and 0017)."""

    __tablename__ = "forecast_basis"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))  # one basis per council (0017)
    made_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    made_by: Mapped[str] = mapped_column(String(200))
    data_first: Mapped[date] = mapped_column(Date)
    data_last: Mapped[date] = mapped_column(Date)
    counts: Mapped[str] = mapped_column(Text)  # JSON: dashboard.forecast.Basis.to_json
    backtest_first: Mapped[date | None] = mapped_column(Date)  # the backtest's reference window
    backtest_last: Mapped[date | None] = mapped_column(Date)
    backtest_mape: Mapped[float | None] = mapped_column(Float)  # per cent; None: no backtest (under two years)


class ForecastBacktest(Base):
    """The backtest month by month: children in children's homes as forecast a year ahead beside the actual."""

    __tablename__ = "forecast_backtest"

    period_end: Mapped[date] = mapped_column(Date, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), primary_key=True)
    actual: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    lower: Mapped[float] = mapped_column(Float)
    upper: Mapped[float] = mapped_column(Float)


class ForecastScenario(Base):
    """A named scenario an editor saved: how the forecast's inputs differ from the central one. None: the default."""

    __tablename__ = "forecast_scenario"
    __table_args__ = (UniqueConstraint("name", "council_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))  # whose forecast (0017)
    name: Mapped[str] = mapped_column(String(60))
    entry_change: Mapped[float] = mapped_column(Float, default=0.0)  # per cent on the entries a month
    own_share: Mapped[float | None] = mapped_column(Float)  # 0 to 1
    occupancy: Mapped[float | None] = mapped_column(Float)  # 0 to 1
    reference_first: Mapped[date | None] = mapped_column(Date)
    reference_last: Mapped[date | None] = mapped_column(Date)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(DateTime)  # UTC

    def audit_ref(self) -> str:
        return self.name


# The scenario made on every import with the default inputs (dashboard.demand.CENTRAL), named here so that the export
# orders forecasts by it without loading dashboard.demand (and pandas).
CENTRAL_SCENARIO = "Central"


class ForecastRun(Base):
    """A forecast as made: the scenario and every input it used, resolved (the share and its source, the occupancy,
    the reference window, the data's days), and when."""

    __tablename__ = "forecast_run"
    __table_args__ = (UniqueConstraint("scenario", "council_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    scenario: Mapped[str] = mapped_column(String(60))
    made_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    entry_change: Mapped[float] = mapped_column(Float)
    own_share: Mapped[float] = mapped_column(Float)
    own_share_source: Mapped[str] = mapped_column(String(200))
    occupancy: Mapped[float] = mapped_column(Float)
    reference_first: Mapped[date] = mapped_column(Date)
    reference_last: Mapped[date] = mapped_column(Date)
    data_first: Mapped[date] = mapped_column(Date)
    data_last: Mapped[date] = mapped_column(Date)
    runs: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)


class ForecastPoint(Base):
    """One forecast figure at a month end: the mean of the simulations and their 5th and 95th percentiles."""

    __tablename__ = "forecast_point"

    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), primary_key=True)
    period_end: Mapped[date] = mapped_column(Date, primary_key=True)
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)
    expected: Mapped[float] = mapped_column(Float)
    lower: Mapped[float] = mapped_column(Float)
    upper: Mapped[float] = mapped_column(Float)


AUDITED_MODELS: tuple[type[Base], ...] = (
    Council,
    Region,
    Strategy,
    Decision,
    Phase,
    Property,
    Milestone,
    RoleGrant,
    ObjectiveSetting,
    ForecastScenario,
)


def text_length(model: type[Base], column: str) -> int:
    """The most characters a text column of `model` holds, read from the schema so that a check and the store agree."""
    column_type = model.__table__.c[column].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"{model.__name__}.{column} is not text of a limited length")
    return column_type.length
