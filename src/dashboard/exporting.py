"""Export every table as CSV for analysts: UTF-8 with a byte-order mark (so Excel shows £ and accents), every text
cell quoted (numbers bare, so a spreadsheet still reads them as numbers), ISO dates, the column order of
dashboard.layout, rows streamed from the database rather than built in memory. Rows name what they refer to by its
natural key (a property's reference, a phase's name, a district's ONS code, a stage's key), never a store's id."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from sqlalchemy import Engine, String, case, cast, func, literal, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

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
)
from dashboard.measures import MEASURE_BY_NAME
from dashboard.models import (
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
    RoleGrant,
    Stage,
    Strategy,
)
from dashboard.roles import Actor, Permission
from dashboard.sqlite_csv import LINE_END, rows_as_csv
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


def strategy_rows(session: Session) -> Iterator[tuple]:
    for strategy in session.scalars(select(Strategy).order_by(Strategy.id)):
        yield strategy.name, strategy.council.name, strategy.bed_target, strategy.provenance


def district_rows(session: Session) -> Iterator[tuple]:
    for district in session.scalars(select(District).join(Council).order_by(Council.name, District.name)):
        aliases = "; ".join(sorted(alias.alias for alias in district.aliases))
        yield district.ons_code, district.name, district.council.name, aliases


def decision_rows(session: Session) -> Iterator[tuple]:
    for d in session.scalars(select(Decision).order_by(Decision.reference)):
        yield (
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


def phase_rows(session: Session) -> Iterator[tuple]:
    for p in session.scalars(select(Phase).order_by(Phase.starts_on, Phase.name)):
        yield p.name, p.starts_on, p.planned_end_on, p.decision.reference if p.decision else None, p.provenance


def property_rows(session: Session) -> Iterator[tuple]:
    """The tracker: one row per property, its stages' dates pivoted into columns."""
    dates: dict[int, dict[str, tuple]] = {}
    for property_id, stage_key, planned, actual in session.execute(
        select(Milestone.property_id, Milestone.stage_key, Milestone.planned_on, Milestone.actual_on)
    ):
        dates.setdefault(property_id, {})[stage_key] = (planned, actual)
    query = (
        select(Property, Phase.name, District.name)
        .join(Phase, Property.phase_id == Phase.id)
        .join(District, Property.district_id == District.id)
        .order_by(Property.reference)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for p, phase_name, district_name in session.execute(query):
        stage_dates = dates.get(p.id, {})
        milestone_cells = [value for stage in STAGES for value in stage_dates.get(stage.key, (None, None))]
        yield (
            p.reference,
            phase_name,
            district_name,
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
            *milestone_cells,
        )
        session.expunge(p)


def milestone_rows(session: Session) -> Iterator[tuple]:
    query = (
        select(Property.reference, Stage.position, Stage.key, Stage.label, Milestone.planned_on, Milestone.actual_on)
        .join(Property, Milestone.property_id == Property.id)
        .join(Stage, Milestone.stage_key == Stage.key)
        .order_by(Property.reference, Stage.position)
        .execution_options(yield_per=STREAM_BATCH)
    )
    yield from session.execute(query)


def _streamed(session: Session, query: Select) -> Iterator[tuple]:
    """A query's rows a batch at a time (yield_per), so a large table is never held whole in memory."""
    yield from session.execute(query.execution_options(yield_per=STREAM_BATCH))


def property_record_rows(session: Session) -> Iterator[tuple]:
    """Each property's recorded plan, oldest first: phase by name, district by ONS code."""
    query = (
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
    return _streamed(session, query)


def milestone_record_rows(session: Session) -> Iterator[tuple]:
    """Each stage's recorded planned dates, in stage order, oldest first."""
    query = (
        select(Property.reference, MilestoneRecord.stage_key, MilestoneRecord.recorded_at, MilestoneRecord.planned_on)
        .join(Property, MilestoneRecord.property_id == Property.id)
        .join(Stage, MilestoneRecord.stage_key == Stage.key)
        .order_by(Property.reference, Stage.position, MilestoneRecord.recorded_at, MilestoneRecord.id)
    )
    return _streamed(session, query)


def objective_setting_rows(session: Session) -> Iterator[tuple]:
    """The settings stored (a setting not stored has its default, dashboard.objectives, which loads pandas)."""
    query = select(ObjectiveSetting.key, ObjectiveSetting.value, ObjectiveSetting.source)
    return _streamed(session, query.order_by(ObjectiveSetting.key))


def postcode_district_rows(session: Session) -> Iterator[tuple]:
    d = PostcodeDistrict
    query = select(d.outward_code, d.local_authority, d.share, d.latitude, d.longitude, d.council_district)
    return _streamed(session, query.order_by(d.outward_code, d.local_authority))


def placement_figure_rows(session: Session) -> Iterator[tuple]:
    f = PlacementFigure
    query = select(f.month_end, f.measure, f.category, f.value)
    return _streamed(session, query.order_by(f.month_end, f.measure, f.category))


def objective_measure_rows(session: Session) -> Iterator[tuple]:
    """Each measure with its value worked out and its definition from dashboard.measures, the one place it is kept."""
    m = ObjectiveMeasure
    value = case((m.denominator.is_(None), m.numerator), (m.denominator > 0, m.numerator / m.denominator))
    query = select(m.measure, m.category, m.period_end, value, m.numerator, m.denominator)
    for row in _streamed(session, query.order_by(m.measure, m.category, m.period_end)):
        known = MEASURE_BY_NAME.get(row[0])
        yield (*row, known.definition if known else "")


def _central_first() -> tuple[Any, Any]:
    """The order dashboard.demand reads forecasts in: the central scenario first, then the others by name."""
    from dashboard.demand import CENTRAL  # loads pandas: only when a forecast file is written

    return case((ForecastRun.scenario == CENTRAL, 0), else_=1), ForecastRun.scenario


def forecast_rows(session: Session) -> Iterator[tuple]:
    """forecast.csv: every scenario's points as stored (the mean and the 5th and 95th percentiles, exact)."""
    r, p = ForecastRun, ForecastPoint
    query = select(r.scenario, p.period_end, p.measure, p.expected, p.lower, p.upper).join(r, p.run_id == r.id)
    return _streamed(session, query.order_by(*_central_first(), p.period_end, p.measure))


def forecast_run_rows(session: Session) -> Iterator[tuple]:
    columns = [getattr(ForecastRun, column.field) for column in FORECAST_RUNS.columns]
    return _streamed(session, select(*columns).order_by(*_central_first()))


def forecast_backtest_rows(session: Session) -> Iterator[tuple]:
    b = ForecastBacktest
    return _streamed(session, select(b.period_end, b.actual, b.expected, b.lower, b.upper).order_by(b.period_end))


def forecast_scenario_rows(session: Session) -> Iterator[tuple]:
    columns = [getattr(ForecastScenario, column.field) for column in FORECAST_SCENARIOS.columns]
    return _streamed(session, select(*columns).order_by(ForecastScenario.name))


def ofsted_home_rows(session: Session) -> Iterator[tuple]:
    h = OfstedHome
    query = select(h.as_at, h.urn, h.local_authority, h.sector, h.places, h.rating)
    return _streamed(session, query.order_by(h.as_at, h.urn))


def market_figure_rows(session: Session) -> Iterator[tuple]:
    f = MarketFigure
    query = select(f.as_at, f.local_authority, f.measure, f.category, f.value)
    return _streamed(session, query.order_by(f.as_at, f.local_authority, f.measure, f.category))


def briefing_pack_rows(session: Session) -> Iterator[tuple]:
    b = BriefingPack
    query = select(b.made_at, b.made_by, b.source, b.as_at, b.since, b.classification).order_by(b.made_at, b.id)
    return _streamed(session, query)


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
    store_file = _store_file(engine)
    if store_file is None:
        raise ValueError("the whole audit log is read from a SQLite store's file, and this engine has none")
    # Unfiltered, the query's only values are its own constants, so they can be written into the SQL.
    query = stored_audit_rows_query(ALL_AUDIT_ROWS)
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    handle.write(header_line(AUDIT_LOG.headers))
    return rows_as_csv(store_file, sql, handle)


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


ROWS: dict[str, Callable[[Session], Iterator[tuple]]] = {
    STRATEGY.name: strategy_rows,
    DISTRICTS.name: district_rows,
    DECISIONS.name: decision_rows,
    PHASES.name: phase_rows,
    PROPERTIES.name: property_rows,
    MILESTONES.name: milestone_rows,
    PROPERTY_RECORDS.name: property_record_rows,
    MILESTONE_RECORDS.name: milestone_record_rows,
    OBJECTIVE_SETTINGS.name: objective_setting_rows,
    POSTCODE_DISTRICTS.name: postcode_district_rows,
    OBJECTIVE_MEASURES.name: objective_measure_rows,
    FORECAST.name: forecast_rows,
    FORECAST_RUNS.name: forecast_run_rows,
    FORECAST_BACKTEST.name: forecast_backtest_rows,
    FORECAST_SCENARIOS.name: forecast_scenario_rows,
    PLACEMENT_FIGURES.name: placement_figure_rows,
    MARKET_FIGURES.name: market_figure_rows,
    OFSTED_HOMES.name: ofsted_home_rows,
    BRIEFING_PACKS.name: briefing_pack_rows,
    AUDIT_LOG.name: audit_rows,
}

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
    ForecastBasis.__tablename__: "the forecast's working counts (month-to-month moves by age in months, as JSON), "
    "kept so that a scenario saved later is forecast without the SSDA903 files; what it gives is in forecast.csv, "
    "forecast_runs.csv (the data's days and reference windows) and forecast_backtest.csv",
}


def data_dictionary_rows() -> Iterator[tuple]:
    for layout in (*EXPORT_LAYOUTS, DATA_DICTIONARY):
        for column in layout.columns:
            imported = "yes" if layout in LAYOUTS else layout.read_back or "no"
            yield f"{layout.name}.csv", column.header, column.kind, column.required, imported, column.description


DATA_DICTIONARY_HEADERS = DATA_DICTIONARY.headers


# Tables with a row per property (or per change to one): costs, notes and history. Only analysts and above export
# them; the rest (programme-level figures, the lookup, the settings, the packs made) anyone who reads the dashboard.
PROPERTY_LEVEL = {PROPERTIES.name, MILESTONES.name, PROPERTY_RECORDS.name, MILESTONE_RECORDS.name, AUDIT_LOG.name}


def export_table(engine: Engine, layout: Layout, handle: BinaryIO, actor: Actor) -> int:
    if layout.name in PROPERTY_LEVEL:
        actor.require(Permission.EXPORT_PROPERTIES)
    with Session(engine) as session:
        if layout is AUDIT_LOG:
            return _write_audit(engine, session, handle, ALL_AUDIT_ROWS)
        return write_csv(handle, layout.headers, ROWS[layout.name](session))


def export_audit(engine: Engine, narrowed_to: AuditQuery, handle: BinaryIO, actor: Actor) -> int:
    """The audit rows a filter selects, oldest first, streamed."""
    actor.require(Permission.EXPORT_PROPERTIES)
    with Session(engine) as session:
        return _write_audit(engine, session, handle, narrowed_to)


def export_all(
    engine: Engine, out_dir: Path, actor: Actor, on_table: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Write every table and the data dictionary into `out_dir`; return rows written per file."""
    actor.require(Permission.EXPORT_PROPERTIES)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for layout in EXPORT_LAYOUTS:
        with (out_dir / f"{layout.name}.csv").open("wb") as handle:
            written[f"{layout.name}.csv"] = export_table(engine, layout, handle, actor)
        if on_table:
            on_table(layout.name, written[f"{layout.name}.csv"])
    with (out_dir / "data_dictionary.csv").open("wb") as handle:
        written["data_dictionary.csv"] = write_csv(handle, DATA_DICTIONARY_HEADERS, data_dictionary_rows())
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


def table_file(engine: Engine, layout: Layout, actor: Actor) -> bytes:
    """One exported file's bytes (as `export_all` writes it), for a download button."""
    handle = io.BytesIO()
    if layout is DATA_DICTIONARY:
        write_csv(handle, DATA_DICTIONARY_HEADERS, data_dictionary_rows())
    else:
        export_table(engine, layout, handle, actor)
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


def table_csv(frame: pd.DataFrame, actor: Actor, property_level: bool) -> bytes:
    """A table on screen as CSV; one with a row per property only for those allowed to export such tables."""
    if property_level:
        actor.require(Permission.EXPORT_PROPERTIES)
    return frame_to_csv(frame)
