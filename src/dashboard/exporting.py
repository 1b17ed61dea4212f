"""Export every table as CSV for analysts: UTF-8 with a byte-order mark (so Excel shows £ and accents), every text
cell quoted (numbers bare, so a spreadsheet still reads them as numbers), ISO dates, the column order of
dashboard.layout, rows streamed from the database rather than built in memory. Rows name what they refer to by its
natural key (a property's reference, a phase's name, a district's ONS code, a stage's key), never a store's id. Where
the store holds several councils, the files whose keys repeat or are grouped by council say whose each row is, first
(`COUNCIL_OF`)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    Numeric,
    String,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import ColumnElement, Select

from dashboard.audit import AuditQuery
from dashboard.db import canonical_json, is_sqlite
from dashboard.layout import (
    AUDIT_LOG,
    BRIEFING_PACKS,
    DATA_DICTIONARY,
    DECISIONS,
    DISTRICTS,
    EXPORT_LAYOUTS,
    FORECAST,
    FORECAST_BACKTEST,
    FORECAST_RUNS,
    FORECAST_SCENARIOS,
    FORMULA_STARTS,
    LAYOUT_BY_NAME,
    LAYOUTS,
    MARKET_FIGURES,
    MILESTONE_RECORDS,
    MILESTONES,
    OBJECTIVE_MEASURES,
    OBJECTIVE_SETTINGS,
    OFSTED_HOMES,
    PHASES,
    PLACEMENT_FIGURES,
    POSTCODE_DISTRICTS,
    PROPERTIES,
    PROPERTY_RECORDS,
    STRATEGY,
    TEMPLATE_GUIDE_SHEET,
    Layout,
    needs_formula_guard,
    with_council,
)
from dashboard.measures import MEASURE_BY_NAME
from dashboard.models import (
    CENTRAL_SCENARIO,
    AuditEntry,
    Base,
    BriefingPack,
    Council,
    Decision,
    District,
    DistrictAlias,
    ForecastBacktest,
    ForecastBasis,
    ForecastPoint,
    ForecastRun,
    ForecastScenario,
    MarketFigure,
    Milestone,
    MilestoneRecord,
    ObjectiveMeasure,
    ObjectiveSetting,
    OfstedHome,
    Phase,
    PlacementFigure,
    PostcodeDistrict,
    Property,
    PropertyRecord,
    Region,
    RoleGrant,
    SignInEvent,
    Stage,
    Strategy,
)
from dashboard.roles import Actor, Permission
from dashboard.sqlite_csv import LINE_END, CsvWriting, start_rows_as_csv
from dashboard.stages import STAGES

if TYPE_CHECKING:
    import pandas as pd

ALL_AUDIT_ROWS = AuditQuery()


BOM = "\ufeff".encode()
# Text quoted, numbers bare: the quoting Arrow's CSV writer uses (dashboard.sqlite_csv), so every way of writing a
# file gives the same bytes.
QUOTING: Final = csv.QUOTE_NONNUMERIC
STREAM_BATCH = 5_000


def defused(text: str) -> str:
    """A cell a spreadsheet would run as a formula ("=cmd|' /C calc'!A0") goes out with a leading apostrophe, as
    spreadsheet tools expect (CSV injection); the importer takes the apostrophe off again (layout.unformula)."""
    return "'" + text if needs_formula_guard(text) else text


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return defused(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return canonical_json(value)
    return value


def _csv_writer(buffer: io.StringIO):
    return csv.writer(buffer, quoting=QUOTING, lineterminator=LINE_END)


def header_line(headers: list[str]) -> bytes:
    """The start of every export: the byte order mark and the header row."""
    buffer = io.StringIO()
    _csv_writer(buffer).writerow(headers)
    return BOM + buffer.getvalue().encode()


def write_csv(handle: BinaryIO, headers: list[str], rows: Iterable[Iterable[Any]], as_stored: bool = False) -> int:
    """A whole CSV file; `as_stored` rows already hold the export's text (a blank as "") and go out as they are.
    Rows go to the file a batch at a time, through a buffer: a write per row costs more than making the CSV."""
    handle.write(header_line(headers))
    buffer = io.StringIO()
    writer = _csv_writer(buffer)
    count = 0
    rows = iter(rows)
    while batch := list(islice(rows, STREAM_BATCH)):
        writer.writerows(batch if as_stored else ([cell(value) for value in row] for row in batch))
        count += len(batch)
        handle.write(buffer.getvalue().encode())
        buffer.seek(0)
        buffer.truncate()
    return count


# ---------------------------------------------------------------- rows of each table, in layout order
# Most tables are one query (TABLE_QUERIES): its rows, value by value, on any database; on SQLite the same query made
# into the file's lines by SQLite itself (see `line_query`). The rest (districts, properties) build rows in Python here
# and have a query of the same rows for SQLite (SQLITE_QUERIES).


def _streamed(session: Session, query: Select) -> Iterator[tuple]:
    """A query's rows a batch at a time (yield_per), so a large table is never held whole in memory."""
    yield from session.execute(query.execution_options(yield_per=STREAM_BATCH))


def strategy_query() -> Select:
    query = select(Strategy.name, Council.name, Strategy.bed_target, Strategy.provenance)
    return query.join(Council, Strategy.council_id == Council.id).order_by(Strategy.id)


def district_rows(session: Session, council: str | None = None) -> Iterator[tuple]:
    query = select(District).join(Council).order_by(Council.name, District.name)
    for district in session.scalars(within(DISTRICTS.name, query, council)):
        aliases = "; ".join(sorted(alias.alias for alias in district.aliases))
        yield district.ons_code, district.name, district.council.name, aliases


def district_query_on_sqlite() -> Select:
    """district_rows on SQLite: each district's other names sorted (binary order, as Python sorts) and joined."""
    ordered = select(DistrictAlias.district_id, DistrictAlias.alias).order_by(
        DistrictAlias.district_id, DistrictAlias.alias
    )
    ordered_sub = ordered.subquery()
    joined = func.group_concat(ordered_sub.c.alias, "; ")
    aliases = select(ordered_sub.c.district_id, joined.label("aliases")).group_by(ordered_sub.c.district_id).subquery()
    query = select(District.ons_code, District.name, Council.name, func.coalesce(aliases.c.aliases, ""))
    query = query.join(Council, District.council_id == Council.id)
    return query.outerjoin(aliases, aliases.c.district_id == District.id).order_by(Council.name, District.name)


def decision_query() -> Select:
    d = Decision
    query = select(
        d.reference,
        d.title,
        d.decision_type,
        d.key_decision,
        d.decided_on,
        d.executive_member,
        d.portfolio,
        d.significance,
        d.controversial,
        d.provenance,
    )
    return query.order_by(d.reference)


def phase_query() -> Select:
    query = select(Phase.name, Phase.starts_on, Phase.planned_end_on, Decision.reference, Phase.provenance)
    return query.outerjoin(Decision, Phase.decision_id == Decision.id).order_by(Phase.starts_on, Phase.name)


def property_rows(session: Session, council: str | None = None, named: bool = False) -> Iterator[tuple]:
    """The tracker: one row per property, its stages' dates pivoted into columns; `named`: whose it is first."""
    dates: dict[int, dict[str, tuple]] = {}
    stages = select(Milestone.property_id, Milestone.stage_key, Milestone.planned_on, Milestone.actual_on)
    for property_id, stage_key, planned, actual in session.execute(within(MILESTONES.name, stages, council)):
        dates.setdefault(property_id, {})[stage_key] = (planned, actual)
    query = (
        select(Property, Phase.name, District.name, *council_columns(PROPERTIES.name, named))
        .join(Phase, Property.phase_id == Phase.id)
        .join(District, Property.district_id == District.id)
        .order_by(Property.reference)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for p, phase_name, district_name, *whose in session.execute(within(PROPERTIES.name, query, council)):
        stage_dates = dates.get(p.id, {})
        milestone_cells = [value for stage in STAGES for value in stage_dates.get(stage.key, (None, None))]
        yield (
            *whose,
            p.reference,
            phase_name,
            district_name,
            *_property_fields(p),
            *milestone_cells,
        )
        session.expunge(p)


def _property_fields(p: Any) -> tuple:
    """A property's own columns after its phase and district, in the tracker's order: `p` is a Property or the
    Property class (its columns, for a query)."""
    return (
        p.provision_model,
        p.specialism,
        p.planned_beds,
        p.registered_beds,
        p.purchase_budget,
        p.purchase_cost,
        p.refurbishment_budget,
        p.refurbishment_cost,
        p.councillors_informed_on,
        p.notes,
        p.status_note,
        p.ofsted_urn,
        p.provenance,
    )


def property_query_on_sqlite() -> Select:
    """property_rows on SQLite: each stage's planned and actual date a column, picked out of the property's
    milestones by SQL (a property has at most one milestone per stage)."""
    m = Milestone
    pivot = select(
        m.property_id,
        *(
            func.max(case((m.stage_key == stage.key, field))).label(f"{stage.key}_{field.key}")
            for stage in STAGES
            for field in (m.planned_on, m.actual_on)
        ),
    ).group_by(m.property_id)
    dates = pivot.subquery()
    query = select(Property.reference, Phase.name, District.name, *_property_fields(Property), *list(dates.c)[1:])
    return (
        query.join(Phase, Property.phase_id == Phase.id)
        .join(District, Property.district_id == District.id)
        .outerjoin(dates, dates.c.property_id == Property.id)
        .order_by(Property.reference)
    )


def milestone_query() -> Select:
    query = select(
        Property.reference, Stage.position, Stage.key, Stage.label, Milestone.planned_on, Milestone.actual_on
    )
    return (
        query.join(Property, Milestone.property_id == Property.id)
        .join(Stage, Milestone.stage_key == Stage.key)
        .order_by(Property.reference, Stage.position)
    )


def property_record_query() -> Select:
    """Each property's recorded plan, oldest first: phase by name, district by ONS code."""
    return (
        select(
            Property.reference,
            PropertyRecord.recorded_at,
            Phase.name,
            District.ons_code,
            PropertyRecord.provision_model,
            PropertyRecord.specialism,
            PropertyRecord.planned_beds,
            PropertyRecord.provenance,
        )
        .join(Property, PropertyRecord.property_id == Property.id)
        .join(Phase, PropertyRecord.phase_id == Phase.id)
        .join(District, PropertyRecord.district_id == District.id)
        .order_by(Property.reference, PropertyRecord.recorded_at, PropertyRecord.id)
    )


def milestone_record_query() -> Select:
    """Each stage's recorded planned dates, in stage order, oldest first."""
    return (
        select(Property.reference, MilestoneRecord.stage_key, MilestoneRecord.recorded_at, MilestoneRecord.planned_on)
        .join(Property, MilestoneRecord.property_id == Property.id)
        .join(Stage, MilestoneRecord.stage_key == Stage.key)
        .order_by(Property.reference, Stage.position, MilestoneRecord.recorded_at, MilestoneRecord.id)
    )


def objective_setting_query() -> Select:
    """The settings stored (a setting not stored has its default, dashboard.objectives, which loads pandas)."""
    query = select(ObjectiveSetting.key, ObjectiveSetting.value, ObjectiveSetting.source)
    return query.order_by(ObjectiveSetting.key)


def postcode_district_query() -> Select:
    d = PostcodeDistrict
    query = select(d.outward_code, d.local_authority, d.share, d.latitude, d.longitude, d.council_district)
    return query.order_by(d.outward_code, d.local_authority)


def placement_figure_query() -> Select:
    f = PlacementFigure
    query = select(f.month_end, f.measure, f.category, f.value)
    return query.order_by(f.month_end, f.measure, f.category)


def objective_measure_query() -> Select:
    """Each measure with its value worked out and its definition from dashboard.measures, the one place it is kept."""
    m = ObjectiveMeasure
    value = case((m.denominator.is_(None), m.numerator), (m.denominator > 0, m.numerator / m.denominator))
    definitions = {name: known.definition for name, known in MEASURE_BY_NAME.items()}
    definition = case(definitions, value=m.measure, else_="")
    query = select(m.measure, m.category, m.period_end, value, m.numerator, m.denominator, definition)
    return query.order_by(m.measure, m.category, m.period_end)


def _central_first() -> tuple[Any, Any]:
    """The order dashboard.demand reads forecasts in: the central scenario first, then the others by name."""
    return case((ForecastRun.scenario == CENTRAL_SCENARIO, 0), else_=1), ForecastRun.scenario


def forecast_query() -> Select:
    """forecast.csv: every scenario's points as stored (the mean and the 5th and 95th percentiles, exact)."""
    r, p = ForecastRun, ForecastPoint
    query = select(r.scenario, p.period_end, p.measure, p.expected, p.lower, p.upper).join(r, p.run_id == r.id)
    return query.order_by(*_central_first(), p.period_end, p.measure)


def forecast_run_query() -> Select:
    columns = [getattr(ForecastRun, column.field) for column in FORECAST_RUNS.columns]
    return select(*columns).order_by(*_central_first())


def forecast_backtest_query() -> Select:
    b = ForecastBacktest
    return select(b.period_end, b.actual, b.expected, b.lower, b.upper).order_by(b.period_end)


def forecast_scenario_query() -> Select:
    columns = [getattr(ForecastScenario, column.field) for column in FORECAST_SCENARIOS.columns]
    return select(*columns).order_by(ForecastScenario.name)


def ofsted_home_query() -> Select:
    h = OfstedHome
    query = select(h.as_at, h.urn, h.local_authority, h.sector, h.places, h.rating)
    return query.order_by(h.as_at, h.urn)


def market_figure_query() -> Select:
    f = MarketFigure
    query = select(f.as_at, f.local_authority, f.measure, f.category, f.value)
    return query.order_by(f.as_at, f.local_authority, f.measure, f.category)


def briefing_pack_query() -> Select:
    b = BriefingPack
    return select(b.made_at, b.made_by, b.source, b.as_at, b.since, b.classification).order_by(b.made_at, b.id)


def audit_rows(session: Session, narrowed_to: AuditQuery = ALL_AUDIT_ROWS) -> Iterator[tuple]:
    columns = [AuditEntry.at, AuditEntry.user, AuditEntry.source, AuditEntry.action, AuditEntry.entity]
    query = (
        narrowed_to.narrow(select(*columns, AuditEntry.entity_ref, AuditEntry.before, AuditEntry.after))
        .order_by(AuditEntry.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    yield from session.execute(query)


def _defused_in_sql(column):
    """`defused` done by SQLite, for the streamed audit log. Every character that starts a formula, and the
    apostrophe, sorts before "A": text from "A" on (nearly all of it) is settled by one comparison."""
    starts = func.substr(func.ltrim(column, "'"), 1, 1).in_(FORMULA_STARTS)
    return case((column >= "A", column), (starts, literal("'") + column), else_=func.coalesce(column, ""))


def stored_audit_rows_query(narrowed_to: AuditQuery) -> Select:
    """The audit log on SQLite as its text is stored, each cell as the export writes it (a blank as ""): the time cut
    to whole seconds in SQL, the before and after values as their stored JSON (kept in the export's canonical form,
    see db.canonical_json). The largest table, so nothing is parsed and written again per row."""
    as_text = [func.coalesce(cast(column, String), "") for column in (AuditEntry.before, AuditEntry.after)]
    return narrowed_to.narrow(
        select(
            func.substr(type_coerce(AuditEntry.at, String), 1, 19),
            _defused_in_sql(AuditEntry.user),
            _defused_in_sql(AuditEntry.source),
            AuditEntry.action,
            AuditEntry.entity,
            _defused_in_sql(AuditEntry.entity_ref),
            *as_text,
        )
    ).order_by(AuditEntry.id)


def stored_audit_rows(session: Session, narrowed_to: AuditQuery = ALL_AUDIT_ROWS) -> Iterator[tuple]:
    yield from session.execute(stored_audit_rows_query(narrowed_to).execution_options(yield_per=STREAM_BATCH))


def write_whole_audit_log(engine: Engine, handle: BinaryIO) -> int:
    """The whole log, by SQLite and Arrow (dashboard.sqlite_csv): the full export is the largest file the project
    writes, and a Python object per cell costs several times what SQLite's own shell takes. Same bytes as
    write_csv(stored_audit_rows(...))."""
    with start_whole_audit_log(engine, handle) as writing:
        return writing.wait()


def start_whole_audit_log(engine: Engine, handle: BinaryIO) -> CsvWriting:
    """write_whole_audit_log begun in a process of its own, to be waited for."""
    store_file = _store_file(engine)
    if store_file is None:
        raise ValueError("the whole audit log is read from a SQLite store's file, and this engine has none")
    handle.write(header_line(AUDIT_LOG.headers))
    return start_rows_as_csv(store_file, _sql(engine, stored_audit_rows_query(ALL_AUDIT_ROWS)), handle)


# ---------------------------------------------------------------- the files on SQLite, each line made by SQLite
# A Python object per cell costs several times what SQLite's own shell takes to write a table; SQLite makes each
# cell, and here each whole line, as `cell` and the csv module would, so a table streams out as text.


def _is_float(column: ColumnElement) -> bool:
    return isinstance(column.type, (Float, Numeric)) and not isinstance(column.type, Integer)


def stored_cell(column: ColumnElement) -> ColumnElement:
    """`cell` done by SQLite: the value as the export writes it, a number as it is or text ("" for a blank)."""
    kind, text = column.type, type_coerce(column, String)
    if isinstance(kind, Boolean):
        return case((column.is_(None), literal("")), (column, literal("Yes")), else_=literal("No"))
    if isinstance(kind, (Integer, Float, Numeric)):
        return func.coalesce(column, literal(""))
    if isinstance(kind, DateTime):  # stored as "2026-11-26 08:00:05.250000": written to the second
        return func.coalesce(func.substr(text, 1, 19), literal(""))
    if isinstance(kind, Date):
        return func.coalesce(func.substr(text, 1, 10), literal(""))
    return _defused_in_sql(text)


def _csv_field(column: ColumnElement) -> tuple[str, ColumnElement]:
    """One field of a line as the csv module writes it (QUOTING), as its printf format and value: a whole number
    bare, anything else quoted with its quotes doubled, a blank as ""."""
    if isinstance(column.type, Integer) and not isinstance(column.type, Boolean):
        return "%s", func.coalesce(cast(column, String), literal('""'))
    cell = stored_cell(column)
    if not isinstance(column.type, (Boolean, Date, DateTime)):  # only text can hold a quote
        cell = func.replace(cell, literal('"'), literal('""'))
    return '"%s"', cell


def line_query(query: Select) -> Select:
    """The query's rows as the file's lines, each one text value ending in LINE_END, made by one printf (a chain of
    || copies the growing line at every step). Not for a float: Python writes its shortest exact form (repr), which
    SQLite has no way to write."""
    formats, values = zip(*(_csv_field(column) for column in query.selected_columns), strict=True)
    line = func.printf(literal(",".join(formats) + LINE_END), *values)
    return query.with_only_columns(type_coerce(line, String), maintain_column_froms=True)


def stored_cells_query(query: Select) -> Select:
    """The query's rows with every cell as the export writes it, for the csv module to join (a table with a float)."""
    cells = [stored_cell(column) for column in query.selected_columns]
    return query.with_only_columns(*cells, maintain_column_froms=True)


def _sql(engine: Engine, query: Select) -> str:
    # The queries' only values are the code's own constants, so they can be written into the SQL.
    return str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def write_made_by_sqlite(
    engine: Engine, layout: Layout, handle: BinaryIO, council: str | None = None, named: bool = False
) -> int:
    """A table's file with every cell made by SQLite: the same bytes as write_csv(ROWS[...]) (tests/test_exporting.py
    holds them to it). Lines of a table without a float; otherwise cells joined by the csv module."""
    query = named_query(layout.name, within(layout.name, SQLITE_QUERIES[layout.name](), council), named)
    handle.write(header_line(export_layout(layout, named).headers))
    as_lines = not any(_is_float(column) for column in query.selected_columns)
    sql = _sql(engine, line_query(query) if as_lines else stored_cells_query(query))
    count = 0
    buffer = io.StringIO()
    writer = _csv_writer(buffer)
    with engine.connect() as connection:
        result = connection.exec_driver_sql(sql)
        while batch := result.fetchmany(STREAM_BATCH):
            count += len(batch)
            if as_lines:
                handle.write("".join([line for (line,) in batch]).encode())
                continue
            writer.writerows(batch)
            handle.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    return count


def _store_file(engine: Engine) -> str | None:
    """The SQLite store's file, or None (another database, or a store in memory)."""
    database = engine.url.database
    return database if is_sqlite(engine) and database not in (None, "", ":memory:") else None


def _write_audit(engine: Engine, session: Session, handle: BinaryIO, narrowed_to: AuditQuery) -> int:
    """The audit rows, by the fastest way the store allows. `session` is a session on `engine`."""
    if not is_sqlite(engine):
        return write_csv(handle, AUDIT_LOG.headers, audit_rows(session, narrowed_to))
    if narrowed_to == ALL_AUDIT_ROWS and _store_file(engine) is not None:
        return write_whole_audit_log(engine, handle)
    return write_csv(handle, AUDIT_LOG.headers, stored_audit_rows(session, narrowed_to), as_stored=True)


TABLE_QUERIES: dict[str, Callable[[], Select]] = {
    STRATEGY.name: strategy_query,
    DECISIONS.name: decision_query,
    PHASES.name: phase_query,
    MILESTONES.name: milestone_query,
    PROPERTY_RECORDS.name: property_record_query,
    MILESTONE_RECORDS.name: milestone_record_query,
    OBJECTIVE_SETTINGS.name: objective_setting_query,
    POSTCODE_DISTRICTS.name: postcode_district_query,
    OBJECTIVE_MEASURES.name: objective_measure_query,
    FORECAST.name: forecast_query,
    FORECAST_RUNS.name: forecast_run_query,
    FORECAST_BACKTEST.name: forecast_backtest_query,
    FORECAST_SCENARIOS.name: forecast_scenario_query,
    PLACEMENT_FIGURES.name: placement_figure_query,
    MARKET_FIGURES.name: market_figure_query,
    OFSTED_HOMES.name: ofsted_home_query,
    BRIEFING_PACKS.name: briefing_pack_query,
}
# The tables whose rows are built in Python, and the same rows as one query on SQLite.
SQLITE_QUERIES: dict[str, Callable[[], Select]] = {
    **TABLE_QUERIES,
    DISTRICTS.name: district_query_on_sqlite,
    PROPERTIES.name: property_query_on_sqlite,
}


Rows = Callable[[Session, str | None, bool], Iterator[tuple]]


def _rows_of(name: str, query: Callable[[], Select]) -> Rows:
    return lambda session, council, named: _streamed(session, named_query(name, within(name, query(), council), named))


# Every table's rows value by value (converted by `cell`), on any database: all of them, or one council's; each
# saying whose it is first where the files name the council (`names_councils`).
ROWS: dict[str, Rows] = {
    **{name: _rows_of(name, query) for name, query in TABLE_QUERIES.items()},
    DISTRICTS.name: lambda session, council, _named: district_rows(session, council),
    PROPERTIES.name: property_rows,
    AUDIT_LOG.name: lambda session, council, _named: audit_rows(session, _audit_of(council)),
}


def _of_properties(column: InstrumentedAttribute[int], council: ColumnElement[int]) -> ColumnElement[bool]:
    """`column` names a property of the council."""
    ours = select(Property.id).join(District, Property.district_id == District.id)
    return column.in_(ours.where(District.council_id == council))


# Which rows of each table are a council's (given its id in SQL): its programme's, through the row's district,
# strategy or property; its SSDA903 figures, objectives' settings and forecast; and its briefing packs. A table not
# named (Ofsted's register and the market, the postcode lookup) is the country's, the same for every council.
COUNCIL_ROWS: dict[str, Callable[[ColumnElement[int]], ColumnElement[bool]]] = {
    STRATEGY.name: lambda council: Strategy.council_id == council,
    DISTRICTS.name: lambda council: District.council_id == council,
    DECISIONS.name: lambda council: Decision.council_id == council,
    PHASES.name: lambda council: Phase.strategy_id.in_(select(Strategy.id).where(Strategy.council_id == council)),
    PROPERTIES.name: lambda council: _of_properties(Property.id, council),
    MILESTONES.name: lambda council: _of_properties(Milestone.property_id, council),
    PROPERTY_RECORDS.name: lambda council: _of_properties(PropertyRecord.property_id, council),
    MILESTONE_RECORDS.name: lambda council: _of_properties(MilestoneRecord.property_id, council),
    OBJECTIVE_SETTINGS.name: lambda council: ObjectiveSetting.council_id == council,
    OBJECTIVE_MEASURES.name: lambda council: ObjectiveMeasure.council_id == council,
    PLACEMENT_FIGURES.name: lambda council: PlacementFigure.council_id == council,
    FORECAST.name: lambda council: ForecastRun.council_id == council,
    FORECAST_RUNS.name: lambda council: ForecastRun.council_id == council,
    FORECAST_BACKTEST.name: lambda council: ForecastBacktest.council_id == council,
    FORECAST_SCENARIOS.name: lambda council: ForecastScenario.council_id == council,
    BRIEFING_PACKS.name: lambda council: BriefingPack.council_id == council,
}


def within(table: str, query: Select, council: str | None) -> Select:
    """`query` (of the exported table named) narrowed to the council's rows (an ONS code); None: every council's."""
    if council is None or table not in COUNCIL_ROWS:
        return query
    return query.where(COUNCIL_ROWS[table](select(Council.id).where(Council.ons_code == council).scalar_subquery()))


CouncilColumn = InstrumentedAttribute[str]


def _of_council(
    council_id: InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
) -> Callable[[CouncilColumn], ColumnElement[str]]:
    return lambda column: select(column).where(Council.id == council_id).scalar_subquery()


def _of_phases_council(column: CouncilColumn) -> ColumnElement[str]:
    ours = select(column).join(Strategy, Strategy.council_id == Council.id)
    return ours.where(Strategy.id == Phase.strategy_id).scalar_subquery()


# The tables whose rows say whose they are where the store holds several councils, each as the value of a council's
# column for the row: a phase's name repeats across councils, as do a return's measures and month ends, a setting's
# key and a scenario's name; and an analyst groups by council. The others need not: a property's milestones and
# history are named by its reference, which no two councils share; strategy.csv and districts.csv name their council
# already; the country's tables are no council's. The audit log keeps its columns (the Audit trail page downloads it
# too).
COUNCIL_OF: dict[str, Callable[[CouncilColumn], ColumnElement[str]]] = {
    DECISIONS.name: _of_council(Decision.council_id),
    PHASES.name: _of_phases_council,
    PROPERTIES.name: _of_council(District.council_id),  # both of the tracker's queries join the property's district
    BRIEFING_PACKS.name: _of_council(BriefingPack.council_id),
    OBJECTIVE_SETTINGS.name: _of_council(ObjectiveSetting.council_id),
    OBJECTIVE_MEASURES.name: _of_council(ObjectiveMeasure.council_id),
    PLACEMENT_FIGURES.name: _of_council(PlacementFigure.council_id),
    FORECAST.name: _of_council(ForecastRun.council_id),  # its points, joined to their run
    FORECAST_RUNS.name: _of_council(ForecastRun.council_id),
    FORECAST_BACKTEST.name: _of_council(ForecastBacktest.council_id),
    FORECAST_SCENARIOS.name: _of_council(ForecastScenario.council_id),
}


def council_columns(table: str, named: bool) -> list[ColumnElement[str]]:
    """Whose the row is (layout.COUNCIL_COLUMNS: the council's name, its ONS code), where the file says so."""
    if not named or table not in COUNCIL_OF:
        return []
    value = COUNCIL_OF[table]
    return [value(Council.name), value(Council.ons_code)]


def named_query(table: str, query: Select, named: bool) -> Select:
    """`query` (of the exported table named) with whose each row is first, where the file says so."""
    if not (whose := council_columns(table, named)):
        return query
    return query.with_only_columns(*whose, *query.selected_columns, maintain_column_froms=True)


def export_layout(layout: Layout, named: bool) -> Layout:
    """The table's columns as its file is written: whose each row is first, where the file says so."""
    return with_council(layout) if named and layout.name in COUNCIL_OF else layout


def names_councils(engine: Engine) -> bool:
    """Whether the files say whose each row is: only where the store holds several councils, so a store of one writes
    the files it always has (and a council's own file, in a store of several, imports back only into that council)."""
    with engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(Council)) or 0) > 1


def _audit_of(council: str | None) -> AuditQuery:
    return ALL_AUDIT_ROWS if council is None else AuditQuery(councils=(council,))


# The store's tables each file is written from, the first being the one it has a row per row of. With NOT_EXPORTED,
# every table of the models is accounted for (tests/test_exporting.py holds them to it), so a table added to the
# store cannot go missing from "every table" unnoticed.
EXPORTED_FROM: dict[str, tuple[type[Base], ...]] = {
    STRATEGY.name: (Strategy, Council),
    DISTRICTS.name: (District, DistrictAlias, Council),
    DECISIONS.name: (Decision,),
    PHASES.name: (Phase, Decision),
    PROPERTIES.name: (Property, Phase, District, Milestone),
    MILESTONES.name: (Milestone, Property, Stage),
    PROPERTY_RECORDS.name: (PropertyRecord, Property, Phase, District),
    MILESTONE_RECORDS.name: (MilestoneRecord, Property, Stage),
    OBJECTIVE_SETTINGS.name: (ObjectiveSetting,),
    POSTCODE_DISTRICTS.name: (PostcodeDistrict,),
    OBJECTIVE_MEASURES.name: (ObjectiveMeasure,),
    FORECAST.name: (ForecastPoint, ForecastRun),
    FORECAST_RUNS.name: (ForecastRun,),
    FORECAST_BACKTEST.name: (ForecastBacktest,),
    FORECAST_SCENARIOS.name: (ForecastScenario,),
    PLACEMENT_FIGURES.name: (PlacementFigure,),
    MARKET_FIGURES.name: (MarketFigure,),
    OFSTED_HOMES.name: (OfstedHome,),
    BRIEFING_PACKS.name: (BriefingPack,),
    AUDIT_LOG.name: (AuditEntry,),
}
# Tables no file is written from, and why.
NOT_EXPORTED: dict[str, str] = {
    RoleGrant.__tablename__: "who may sign in, and as what: the store's access control, not the programme's data "
    "(an administrator's, on the Access page and `roles`; each grant and revocation is in audit_log.csv)",
    Region.__tablename__: "the region's name and joint bed target: reference data, from data/reference/region.toml "
    "(each council's own target is in strategy.csv)",
    SignInEvent.__tablename__: "who signed in, was refused or signed out, and when: the store's access record, not "
    "the programme's data (an administrator's, on the Access page, where it downloads as CSV)",
    ForecastBasis.__tablename__: "the forecast's working counts (month-to-month moves by age in months, as JSON), "
    "kept so that a scenario saved later is forecast without the SSDA903 files; what it gives is in forecast.csv, "
    "forecast_runs.csv (the data's days and reference windows) and forecast_backtest.csv",
}


def data_dictionary_rows(named: bool = False) -> Iterator[tuple]:
    """Every file's columns, as they are written (`named`: where the files say whose each row is)."""
    for layout in (*EXPORT_LAYOUTS, DATA_DICTIONARY):
        imported = "yes" if layout.name in LAYOUT_BY_NAME else layout.read_back or "no"
        for column in export_layout(layout, named).columns:
            yield f"{layout.name}.csv", column.header, column.kind, column.required, imported, column.description


DATA_DICTIONARY_HEADERS = DATA_DICTIONARY.headers


# Tables with a row per property (or per change to one): costs, notes and history. Only analysts and above export
# them; the rest (programme-level figures, the lookup, the settings, the packs made) anyone who reads the dashboard.
PROPERTY_LEVEL = {PROPERTIES.name, MILESTONES.name, PROPERTY_RECORDS.name, MILESTONE_RECORDS.name, AUDIT_LOG.name}


def export_needs(layout: Layout) -> Permission:
    """What exporting the table asks of the actor: a table with a row per property, an analyst's role."""
    return Permission.EXPORT_PROPERTIES if layout.name in PROPERTY_LEVEL else Permission.READ


def export_table(engine: Engine, layout: Layout, handle: BinaryIO, actor: Actor, council: str | None = None) -> int:
    """One table's file: the council's rows (an ONS code), or every council's (None) for one whose role holds in every
    council."""
    actor.require(export_needs(layout), council)
    named = names_councils(engine)
    if layout.name in SQLITE_QUERIES and is_sqlite(engine):
        return write_made_by_sqlite(engine, layout, handle, council, named)
    with Session(engine) as session:
        if layout is AUDIT_LOG:
            return _write_audit(engine, session, handle, _audit_of(council))
        return write_csv(handle, export_layout(layout, named).headers, ROWS[layout.name](session, council, named))


def export_audit(engine: Engine, narrowed_to: AuditQuery, handle: BinaryIO, actor: Actor) -> int:
    """The audit rows a filter selects that the actor may read, oldest first, streamed."""
    narrowed_to = narrowed_to.read_by(actor)
    if not actor.can_somewhere(Permission.EXPORT_PROPERTIES):
        actor.require(Permission.EXPORT_PROPERTIES)
    with Session(engine) as session:
        return _write_audit(engine, session, handle, narrowed_to)


def export_all(
    engine: Engine,
    out_dir: Path,
    actor: Actor,
    on_table: Callable[[str, int], None] | None = None,
    council: str | None = None,
) -> dict[str, int]:
    """Write every table and the data dictionary into `out_dir`, every council's or one council's (its ONS code);
    return rows written per file. On a SQLite store the whole audit log, the largest file by far, is begun first by
    a process of its own and written while the rest are."""
    actor.require(Permission.EXPORT_PROPERTIES, council)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with ExitStack() as started:
        audit = None
        if council is None and is_sqlite(engine) and _store_file(engine) is not None:
            handle = started.enter_context((out_dir / f"{AUDIT_LOG.name}.csv").open("wb"))
            audit = started.enter_context(start_whole_audit_log(engine, handle))
        for layout in EXPORT_LAYOUTS:
            if layout is AUDIT_LOG and audit is not None:
                written[f"{layout.name}.csv"] = audit.wait()
            else:
                with (out_dir / f"{layout.name}.csv").open("wb") as handle:
                    written[f"{layout.name}.csv"] = export_table(engine, layout, handle, actor, council)
            if on_table:
                on_table(layout.name, written[f"{layout.name}.csv"])
    with (out_dir / "data_dictionary.csv").open("wb") as handle:
        dictionary = data_dictionary_rows(names_councils(engine))
        written["data_dictionary.csv"] = write_csv(handle, DATA_DICTIONARY_HEADERS, dictionary)
    return written


def write_template(path: Path) -> None:
    """An empty workbook (one sheet per importable table) or, for .csv, the property tracker alone."""
    if path.suffix.lower() == ".csv":
        with path.open("wb") as handle:
            write_csv(handle, PROPERTIES.headers, [])
        return
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the blank sheet a new workbook starts with
    for layout in LAYOUTS:
        sheet = workbook.create_sheet(layout.name)
        sheet.append(layout.headers)
        sheet.freeze_panes = "B2"
        for index, column in enumerate(layout.columns, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(12, len(column.header) + 2)
    guide = workbook.create_sheet(TEMPLATE_GUIDE_SHEET)
    guide.append(DATA_DICTIONARY_HEADERS)
    for row in data_dictionary_rows():
        guide.append(list(row))
    workbook.save(path)


def table_file(engine: Engine, layout: Layout, actor: Actor, council: str | None = None) -> bytes:
    """One exported file's bytes (as `export_all` writes it), for a download button."""
    handle = io.BytesIO()
    if layout is DATA_DICTIONARY:
        write_csv(handle, DATA_DICTIONARY_HEADERS, data_dictionary_rows(names_councils(engine)))
    else:
        export_table(engine, layout, handle, actor, council)
    return handle.getvalue()


def audit_file(engine: Engine, narrowed_to: AuditQuery, actor: Actor) -> bytes:
    handle = io.BytesIO()
    export_audit(engine, narrowed_to, handle, actor)
    return handle.getvalue()


def template_workbook() -> bytes:
    """The import template as the bytes of an .xlsx file, for a download button."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        write_template(path)
        return path.read_bytes()


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """A table on screen as the CSV an analyst downloads: UTF-8 with BOM, ISO dates, no index, no live formula."""
    text_columns = frame.select_dtypes(include=["object", "string"]).columns
    safe = frame.copy()
    for name in text_columns:
        safe[name] = frame[name].map(lambda value: defused(value) if isinstance(value, str) else value)
    text = safe.to_csv(index=False, date_format="%Y-%m-%d", quoting=QUOTING, lineterminator=LINE_END)
    return BOM + text.encode()


def table_csv(frame: pd.DataFrame, actor: Actor, property_level: bool, council: str | None = None) -> bytes:
    """A table on screen as CSV; one with a row per property only for those allowed to export the council's (None:
    every council's) property-level tables."""
    if property_level:
        actor.require(Permission.EXPORT_PROPERTIES, council)
    return frame_to_csv(frame)
