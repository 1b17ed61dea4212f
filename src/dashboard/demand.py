"""The demand forecast as the store keeps it: made on every SSDA903 import (with headers), for the central scenario
and every scenario an editor saved, each with the inputs it used; read back for the Forecast page, the briefing and
`forecast.csv`.

An import keeps the forecast's basis (dashboard.forecast.Basis: month-to-month counts, aggregates only) so that a
scenario saved later, with its own reference window or entry rate, is forecast without the files. Beds needed is the
forecast children in children's homes × the share the council aims to meet in its own homes ÷ the occupancy it aims
for, at the mean and at each end of the interval."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from dashboard import forecast as f
from dashboard import measures as m
from dashboard.db import session_scope
from dashboard.models import (
    CENTRAL_SCENARIO,
    ForecastBacktest,
    ForecastBasis,
    ForecastPoint,
    ForecastRun,
    ForecastScenario,
    ObjectiveMeasure,
    ObjectiveSetting,
)
from dashboard.queries import council_id, id_of_council, require
from dashboard.roles import Actor, Permission
from dashboard.wording import dmy

CENTRAL = CENTRAL_SCENARIO  # the scenario made on every import with the default inputs
HORIZON_MONTHS = 36
RUNS = 500
SEED = 0  # fixed, so the same data and inputs give the same forecast
DEFAULT_OCCUPANCY = 0.85
BEDS_NEEDED = "beds_needed"
CHILDRENS_HOMES = "childrens_home"
ENTRY_CHANGE_RANGE = (-50.0, 100.0)  # per cent
NAME_CHARS = 60
EXPORT_COLUMNS = ["scenario", "period_end", "measure", "expected", "lower", "upper"]
RUN_COLUMNS = [
    "scenario",
    "made_at",
    "entry_change",
    "own_share",
    "own_share_source",
    "occupancy",
    "reference_first",
    "reference_last",
    "data_first",
    "data_last",
    "runs",
]
OWN_SHARE_TARGET = (
    "own_share_target"  # the Objectives setting of the strategy's aim (dashboard.objectives), in per cent
)


@dataclass(frozen=True)
class Scenario:
    """How a forecast's inputs differ from the central one; None takes the default."""

    name: str
    entry_change: float = 0.0  # per cent on the entries a month
    own_share: float | None = None  # 0 to 1; default: the strategy's aim, else today's share
    occupancy: float | None = None  # 0 to 1; default DEFAULT_OCCUPANCY
    reference: tuple[date, date] | None = None  # default: the last two years of the data


class InvalidScenario(ValueError):
    """A scenario that cannot be saved: (field, problem) pairs, every one found."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in problems))


# ---------------------------------------------------------------- made on import


def record_forecast(
    session: Session,
    council: int,
    episodes: pd.DataFrame,
    births: pd.Series,
    data: tuple[date, date],
    home_district: f.HomeDistrict | None,
    actor: Actor,
) -> ForecastBasis | None:
    """The basis and backtest of the files just imported replace those the council (its id) holds, and every one of
    its scenarios is forecast again.
    Nothing is made from fewer than two month ends; the backtest needs more than a year of data (it forecasts the
    last year from the ones before)."""
    made_from = f.basis(episodes, births, data, home_district)
    if len(made_from.period_ends) < 2:
        return None
    now = _now()
    session.execute(delete(ForecastBacktest).where(ForecastBacktest.council_id == council))
    session.execute(delete(ForecastBasis).where(ForecastBasis.council_id == council))
    row = ForecastBasis(
        council_id=council,
        made_at=now,
        made_by=actor.user,
        data_first=data[0],
        data_last=made_from.last_day,
        counts=made_from.to_json(),
    )
    if _months(data[0], made_from.last_day) >= 12 + 1:  # a year to forecast and a month's moves before it
        tested = f.backtest(episodes, births, made_from.last_day, runs=RUNS, seed=SEED, first_day=data[0])
        row.backtest_first, row.backtest_last = tested.reference
        row.backtest_mape = None if pd.isna(tested.mape) else tested.mape
        session.add_all(ForecastBacktest(council_id=council, **point) for point in tested.series.to_dict("records"))
    session.add(row)
    session.flush()
    forecast_all(session, council, made_from, row.data_first, now)
    return row


def home_districts(lookup: pd.DataFrame, districts: Collection[str]) -> f.HomeDistrict:
    """The lookup (dashboard.lookup.lookup_frame) as f.HomeDistrict: each outward code shared over the council's
    `districts` (ONS codes) its rows name, by their shares (a district in one authority wholly); a row of another
    authority or another council's district, a split with no shares, and a code the lookup lacks or none go to ""
    (not known)."""
    size = lookup.groupby("outward_code")["outward_code"].transform("size")
    ours = lookup["council_district"].where(lookup["council_district"].isin(list(districts)))
    rows = lookup.assign(district=ours.fillna(""), part=lookup["share"].where(size > 1, 1.0))
    known = rows.groupby("outward_code")["part"].transform(lambda part: part.notna().all())
    rows.loc[~known, "district"] = ""
    rows.loc[~known, "part"] = 1 / size[~known]
    parts = rows.groupby(["outward_code", "district"], as_index=False)["part"].sum()

    def shared(codes: pd.Series) -> pd.DataFrame:
        given = pd.DataFrame({"row": range(len(codes)), "outward_code": codes.to_numpy()})
        found = given.merge(parts, on="outward_code", how="left")
        found["district"] = found["district"].fillna("")
        found["share"] = found["part"].fillna(1.0)
        return found[["row", "district", "share"]]

    return shared


def _months(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def forecast_all(session: Session, council: int, made_from: f.Basis, data_first: date, now: datetime) -> None:
    """Every scenario of the council (the central one and each saved) forecast from `made_from`, replacing what it
    held."""
    held = select(ForecastRun.id).where(ForecastRun.council_id == council)
    session.execute(delete(ForecastPoint).where(ForecastPoint.run_id.in_(held)))
    session.execute(delete(ForecastRun).where(ForecastRun.council_id == council))
    saved = session.scalars(
        select(ForecastScenario).where(ForecastScenario.council_id == council).order_by(ForecastScenario.name)
    ).all()
    for scenario in [Scenario(CENTRAL), *(_scenario(row) for row in saved)]:
        _forecast_one(session, council, made_from, data_first, scenario, now)


def reforecast(session: Session, council: int) -> None:
    """Every scenario of the council forecast again from the basis it holds (after a default it reads, such as the
    strategy's aim for own provision's share, changed); nothing when no import made one."""
    held = session.scalar(select(ForecastBasis).where(ForecastBasis.council_id == council))
    if held is not None:
        forecast_all(session, council, f.Basis.from_json(held.counts), held.data_first, _now())


def _scenario(row: ForecastScenario) -> Scenario:
    reference = (
        None if row.reference_first is None or row.reference_last is None else (row.reference_first, row.reference_last)
    )
    return Scenario(row.name, row.entry_change, row.own_share, row.occupancy, reference)


def _forecast_one(
    session: Session, council: int, made_from: f.Basis, data_first: date, scenario: Scenario, now: datetime
) -> None:
    reference = scenario.reference or made_from.default_reference()
    rates = f.rates_over(made_from, reference)
    points = f.simulate(
        made_from.starting_stock(),
        rates,
        made_from.last_day,
        months=HORIZON_MONTHS,
        runs=RUNS,
        seed=SEED,
        entry_factor=1 + scenario.entry_change / 100,
    )
    share, source = _own_share(session, council, scenario, made_from.last_day)
    occupancy = scenario.occupancy if scenario.occupancy is not None else DEFAULT_OCCUPANCY
    points = pd.concat([points, beds_needed(points, share, occupancy)], ignore_index=True)
    run = ForecastRun(
        council_id=council,
        scenario=scenario.name,
        made_at=now,
        entry_change=scenario.entry_change,
        own_share=share,
        own_share_source=source,
        occupancy=occupancy,
        reference_first=reference[0],
        reference_last=reference[1],
        data_first=data_first,
        data_last=made_from.last_day,
        runs=RUNS,
        seed=SEED,
    )
    session.add(run)
    session.flush()
    session.add_all(ForecastPoint(run_id=run.id, **point) for point in points.to_dict("records"))


def beds_needed(points: pd.DataFrame, own_share: float, occupancy: float) -> pd.DataFrame:
    """The beds the council's own homes need at each forecast month end (FORECAST_COLUMNS, measure BEDS_NEEDED):
    children in children's homes × `own_share` ÷ `occupancy`, at the mean and at each end of the interval."""
    homes = points[points["measure"] == CHILDRENS_HOMES]
    needed = homes.assign(measure=BEDS_NEEDED)
    for column in ("expected", "lower", "upper"):
        needed[column] = homes[column] * own_share / occupancy
    return needed.reset_index(drop=True)[f.FORECAST_COLUMNS]


def _own_share(session: Session, council: int, scenario: Scenario, last_day: date) -> tuple[float, str]:
    """The share of children in children's homes the council aims to meet in its own, and where it comes from."""
    if scenario.own_share is not None:
        return scenario.own_share, f"scenario {scenario.name}"
    aim = session.scalar(
        select(ObjectiveSetting.value).where(
            ObjectiveSetting.key == OWN_SHARE_TARGET, ObjectiveSetting.council_id == council
        )
    )
    if aim is not None:
        return aim / 100, "the strategy's aim (Objectives: own provision's share target)"
    o = ObjectiveMeasure
    latest = session.execute(
        select(o.numerator, o.denominator, o.period_end)
        .where(o.measure == m.OWN_PROVISION.name, o.category == "", o.period_end <= last_day, o.council_id == council)
        .order_by(o.period_end.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.denominator:
        return latest.numerator / latest.denominator, f"own provision's share on {dmy(latest.period_end)}"
    return 1.0, "no share known: every child in a children's home"


# ---------------------------------------------------------------- scenarios


def _problems(scenario: Scenario, data: tuple[date, date] | None) -> list[tuple[str, str]]:
    problems = []
    name = scenario.name.strip()
    if not name:
        problems.append(("Name", "give the scenario a name"))
    elif len(name) > NAME_CHARS:
        problems.append(("Name", f"at most {NAME_CHARS} characters"))
    elif name.casefold() == CENTRAL.casefold():
        problems.append(("Name", f"{CENTRAL} is the forecast made with the defaults: choose another name"))
    low, high = ENTRY_CHANGE_RANGE
    if not low <= scenario.entry_change <= high:
        problems.append(("Entries into care", f"a change between {low:+.0f}% and {high:+.0f}%"))
    if scenario.own_share is not None and not 0 < scenario.own_share <= 1:
        problems.append(("Own homes' share", "more than 0% and at most 100%"))
    if scenario.occupancy is not None and not 0.1 <= scenario.occupancy <= 1:
        problems.append(("Occupancy", "between 10% and 100%"))
    if scenario.reference is not None:
        first, last = scenario.reference
        if first >= last:
            problems.append(("Reference window", "its first day must come before its last"))
        elif data is not None and (first < data[0] or last > data[1]):
            problems.append(("Reference window", f"inside the data, {dmy(data[0])} to {dmy(data[1])}"))
        elif _months(first, last) < 1:
            problems.append(("Reference window", "at least two month ends"))
    return problems


def save_scenario(engine: Engine, scenario: Scenario, actor: Actor, council: str | None = None) -> str:
    """Save (or change) a named scenario of the council's (None: the store's first council's) and forecast it from the
    basis it holds. Audited like every change."""
    with engine.connect() as connection:
        require(connection, actor, council, Permission.EDIT)
    with session_scope(engine, actor) as session:
        whose = id_of_council(session, council)
        held = session.scalar(select(ForecastBasis).where(ForecastBasis.council_id == whose))
        data = None if held is None else (held.data_first, held.data_last)
        made_from = None if held is None else f.Basis.from_json(held.counts)
        problems = _problems(scenario, data)
        if made_from is not None and scenario.reference is not None and not problems:
            try:
                f.rates_over(made_from, scenario.reference)
            except ValueError as refused:
                problems.append(("Reference window", str(refused)))
        if problems:
            raise InvalidScenario(problems)
        name = scenario.name.strip()
        row = session.scalar(
            select(ForecastScenario).where(ForecastScenario.name == name, ForecastScenario.council_id == whose)
        )
        if row is None:
            row = ForecastScenario(name=name, council_id=whose, saved_by=actor.user)
            session.add(row)
        row.entry_change = scenario.entry_change
        row.own_share, row.occupancy = scenario.own_share, scenario.occupancy
        row.reference_first, row.reference_last = scenario.reference or (None, None)
        row.saved_by, row.saved_at = actor.user, _now()
        session.flush()
        if held is not None and made_from is not None:
            _replace_run(session, whose, made_from, held.data_first, _scenario(row))
    return f"Saved scenario {name}." + ("" if held is not None else " It is forecast when SSDA903 files are imported.")


def _replace_run(session: Session, council: int, made_from: f.Basis, data_first: date, scenario: Scenario) -> None:
    _drop_run(session, council, scenario.name)
    _forecast_one(session, council, made_from, data_first, scenario, _now())


def _drop_run(session: Session, council: int, name: str) -> None:
    """The scenario's forecast, its points first (SQLite enforces no cascade unless told to)."""
    old = session.scalar(select(ForecastRun.id).where(ForecastRun.scenario == name, ForecastRun.council_id == council))
    if old is not None:
        session.execute(delete(ForecastPoint).where(ForecastPoint.run_id == old))
        session.execute(delete(ForecastRun).where(ForecastRun.id == old))


def delete_scenario(engine: Engine, name: str, actor: Actor, council: str | None = None) -> str:
    with engine.connect() as connection:
        require(connection, actor, council, Permission.EDIT)
    with session_scope(engine, actor) as session:
        whose = id_of_council(session, council)
        row = session.scalar(
            select(ForecastScenario).where(ForecastScenario.name == name, ForecastScenario.council_id == whose)
        )
        if row is None:
            return f"There is no scenario {name}."
        _drop_run(session, whose, name)
        session.delete(row)
    return f"Deleted scenario {name}."


def saved_scenarios(engine: Engine, council: str | None = None) -> list[Scenario]:
    """The council's saved scenarios (None: the store's first council's), by name."""
    query = select(ForecastScenario).where(ForecastScenario.council_id == council_id(council))
    with Session(engine) as session:
        return [_scenario(row) for row in session.scalars(query.order_by(ForecastScenario.name))]


# ---------------------------------------------------------------- reading back


def forecasts(engine: Engine, council: str | None = None) -> pd.DataFrame:
    """Every scenario's forecast of the council (None: the store's first), long (EXPORT_COLUMNS), the central scenario
    first, then by name, month and measure."""
    r, p = ForecastRun, ForecastPoint
    query = (
        select(r.scenario, p.period_end, p.measure, p.expected, p.lower, p.upper)
        .join(r, p.run_id == r.id)
        .where(r.council_id == council_id(council))
    )
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["central"] = frame["scenario"] != CENTRAL
    frame = frame.sort_values(["central", "scenario", "period_end", "measure"]).reset_index(drop=True)
    return frame[EXPORT_COLUMNS]


def runs(engine: Engine, council: str | None = None) -> pd.DataFrame:
    """Each of the council's forecasts' inputs as made (RUN_COLUMNS), the central scenario first."""
    query = select(*(getattr(ForecastRun, column) for column in RUN_COLUMNS)).where(
        ForecastRun.council_id == council_id(council)
    )
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["central"] = frame["scenario"] != CENTRAL
    return frame.sort_values(["central", "scenario"]).drop(columns="central").reset_index(drop=True)


@dataclass(frozen=True)
class HeldBasis:
    made_at: datetime
    made_by: str
    data: tuple[date, date]
    basis: f.Basis
    backtest_reference: tuple[date, date] | None
    backtest_mape: float | None
    backtest: pd.DataFrame  # f.BACKTEST_COLUMNS


def held_basis(engine: Engine, council: str | None = None) -> HeldBasis | None:
    """The basis the council holds (None: the store's first council) and its backtest, or None before any import
    made one."""
    whose = council_id(council)
    with engine.connect() as connection:
        row = connection.execute(select(ForecastBasis).where(ForecastBasis.council_id == whose)).first()
        if row is None:
            return None
        tested = pd.read_sql(
            select(ForecastBacktest).where(ForecastBacktest.council_id == whose).order_by(ForecastBacktest.period_end),
            connection,
        )
    reference = None if row.backtest_first is None else (row.backtest_first, row.backtest_last)
    return HeldBasis(
        row.made_at,
        row.made_by,
        (row.data_first, row.data_last),
        f.Basis.from_json(row.counts),
        reference,
        row.backtest_mape,
        tested[f.BACKTEST_COLUMNS],
    )
