"""Whether the strategy's four objectives are being met, in the decision record's words, from the measures the
SSDA903 import stores (dashboard.measures defines each; dashboard.placements.stored_measures reads them) and
Ofsted's children's homes:

1. Better outcomes and placement stability: three or more placements in the year; long-term stability.
2. The right placement type and specialism: children in children's homes outside the county, by age. SSDA903 does
   not record the specialism a child needed, so the match of specialisms cannot be measured from the return.
3. Own provision and savings: own provision's share of children in children's homes, the own homes' occupancy, and
   an estimate of the cost avoided from weekly costs an editor records with their source.
4. Placed within the county: inside or outside the council's boundary; more than 20 miles from home (approximate).

DfE publishes its measures at 31 March; the other month ends are the dashboard's monthly trend of the same measure."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, Engine, select

from dashboard import demand
from dashboard import measures as m
from dashboard.db import session_scope
from dashboard.models import District, ObjectiveSetting, Property
from dashboard.queries import council_id, id_of_council, require
from dashboard.roles import Actor, Permission

NAO_SOURCE = (
    "National Audit Office (2025): about £318,400 a year per children's home place in 2023-24, about £6,100 a "
    "week across sectors"
)
SAME_COSTS_NOTE = (
    "The Competition and Markets Authority (2021) found little difference in running costs by sector. With the same "
    "weekly cost on both sides, as the defaults are, a week a child spends in an own home saves nothing: the "
    "estimate is then only the cost of the places left empty, until the council records its own costs."
)
SOURCE_CHARS = 300


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    unit: str  # "%", "£ a week" or "0 or 1"
    default: float | None  # None: no target until someone sets one
    help: str
    maximum: float | None = None
    source: str | None = None  # where the default comes from; an editor records their own with their figure
    flag: bool = False  # 0 (no) or 1 (yes) only


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "three_or_more_target",
        "Children with three or more placements in the year: target (at most)",
        "%",
        None,
        "The share of children looked after at 31 March who had three or more placements in the year; lower is "
        "more stable.",
        100,
    ),
    Setting(
        demand.OWN_SHARE_TARGET,
        "Own provision's share of children in children's homes: target",
        "%",
        None,
        "The share of children in children's homes who live in the council's own homes.",
        100,
    ),
    Setting(
        "inside_target",
        "Children looked after placed inside the county: target",
        "%",
        None,
        "The share of children looked after (short breaks aside) whose placement is inside the county.",
        100,
    ),
    Setting(
        "independent_weekly_cost",
        "Independent children's home: cost a week",
        "£ a week",
        6100,
        "What a week in a children's home run by others costs the council: an assumption, with its source.",
        source=NAO_SOURCE,
    ),
    Setting(
        "own_weekly_cost",
        "Council's own children's home: cost a week per place",
        "£ a week",
        6100,
        "What a place in the council's own homes costs a week, filled or not: an assumption, with its source.",
        source=NAO_SOURCE,
    ),
    Setting(
        "cost_counts_all_own_homes",
        "Count every council-run home in the estimate",
        "0 or 1",
        0,
        "0: only the strategy's homes (the properties with an Ofsted URN); 1: every council-run home the SSDA903 "
        "return places children in (own provision, by URN), including those that predate the strategy.",
        1,
        flag=True,
    ),
)
SETTING_BY_KEY = {setting.key: setting for setting in SETTINGS}
COSTS = ("independent_weekly_cost", "own_weekly_cost")


def _of(council: str | None) -> ColumnElement[bool]:
    return ObjectiveSetting.council_id == council_id(council)


def settings(engine: Engine, council: str | None = None) -> dict[str, float | None]:
    """Each of the council's settings (None: the store's first council's): as set in the store, else its default."""
    with engine.connect() as connection:
        stored = dict(
            connection.execute(select(ObjectiveSetting.key, ObjectiveSetting.value).where(_of(council))).all()
        )
    return {setting.key: stored.get(setting.key, setting.default) for setting in SETTINGS}


def sources(engine: Engine, council: str | None = None) -> dict[str, str | None]:
    """Each of the council's settings' source: as recorded with the value set, else the default's."""
    with engine.connect() as connection:
        query = select(ObjectiveSetting.key, ObjectiveSetting.source).where(_of(council))
        stored = dict(connection.execute(query).all())
    return {setting.key: stored[setting.key] if setting.key in stored else setting.source for setting in SETTINGS}


class InvalidSetting(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{label}: {message}" for label, message in problems))


def _value_problem(setting: Setting, value: float | None) -> str | None:
    if value is None:
        return "is required" if setting.default is not None else None
    if not math.isfinite(value):
        return f"{value} is not a number"
    if setting.flag and value not in (0, 1):
        return f"{value:g} is not 0 (no) or 1 (yes)"
    if value < 0 or (setting.maximum is not None and value > setting.maximum):
        return f"{value:g} is outside 0 to {setting.maximum or 'any'}"
    return None


def _clean_sources(given: dict[str, str | None]) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    """Sources stripped, a blank one None; one longer than the store holds is refused."""
    cleaned, problems = {}, []
    for key, text in given.items():
        text = (text or "").strip() or None
        if text is not None and len(text) > SOURCE_CHARS:
            problems.append(
                (f"{SETTING_BY_KEY[key].label}: source", f"is {len(text)} characters; at most {SOURCE_CHARS}")
            )
        cleaned[key] = text
    return cleaned, problems


def save_settings(
    engine: Engine,
    actor: Actor,
    values: dict[str, float | None],
    sources_given: dict[str, str | None] | None = None,
    council: str | None = None,
) -> str:
    """Set the council's targets, costs and where each cost comes from (an editor's in the council; None: the store's
    first council); a blank target is removed. Audited like every change. A value or source equal to what the store
    already says is no change."""
    with engine.connect() as connection:
        require(connection, actor, council, Permission.EDIT)
    problems = [
        (SETTING_BY_KEY[key].label, problem)
        for key, value in values.items()
        if (problem := _value_problem(SETTING_BY_KEY[key], value)) is not None
    ]
    given, source_problems = _clean_sources(sources_given or {})
    if problems or source_problems:
        raise InvalidSetting(problems + source_problems)
    current, current_sources = settings(engine, council), sources(engine, council)
    wanted = {key: value for key, value in values.items() if value != current[key]}
    wanted_sources = {key: text for key, text in given.items() if text != current_sources[key]}
    with session_scope(engine, actor) as session:
        whose = id_of_council(session, council)
        stored = {row.key: row for row in session.scalars(select(ObjectiveSetting).where(_of(council)))}
        for key in wanted.keys() | wanted_sources.keys():
            value = wanted.get(key, current[key])
            source = wanted_sources.get(key, current_sources[key])
            setting = SETTING_BY_KEY[key]
            if key not in wanted_sources and source == setting.source and value != setting.default:
                source = None  # the default's source does not vouch for another figure: none is recorded
            row = stored.get(key)
            if value is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(ObjectiveSetting(key=key, council_id=whose, value=float(value), source=source))
            else:
                row.value, row.source = float(value), source
        if demand.OWN_SHARE_TARGET in wanted:
            session.flush()
            demand.reforecast(session, whose)  # beds needed rests on the aim: the forecasts must not keep the old one
    changed = len(wanted.keys() | wanted_sources.keys())
    return f"Saved {changed} setting(s)." if changed else "No changes to save."


# ---------------------------------------------------------------- the stored measures (pure, over stored_measures)


def with_values(stored: pd.DataFrame) -> pd.DataFrame:
    """stored_measures with period_end as a timestamp and `value`: numerator over denominator for a share (blank
    over none), the numerator for a count."""
    frame = stored.assign(period_end=pd.to_datetime(stored["period_end"]))
    denominator = frame["denominator"].where(frame["denominator"] > 0)
    shares = frame["denominator"].notna()
    frame["value"] = (frame["numerator"] / denominator).where(shares, frame["numerator"])
    frame["year_end"] = frame["period_end"].map(lambda day: m.is_year_end(day.date()))
    return frame


def trend(frame: pd.DataFrame, measure: str, category: str = "") -> pd.DataFrame:
    """One measure month by month: period_end, numerator, denominator, value, year_end (31 March)."""
    rows = frame[(frame["measure"] == measure) & (frame["category"] == category)]
    return rows[["period_end", "numerator", "denominator", "value", "year_end"]].reset_index(drop=True)


@dataclass(frozen=True)
class Latest:
    month_end: pd.Timestamp
    value: float
    numerator: float
    denominator: float | None

    @property
    def year_end(self) -> bool:
        return m.is_year_end(self.month_end.date())


def headline(frame: pd.DataFrame, measure: str) -> Latest | None:
    """A measure's figure at the latest 31 March stored (DfE's), else at its latest month end."""
    rows = trend(frame, measure).dropna(subset=["value"])
    if rows.empty:
        return None
    ends = rows[rows["year_end"]]
    row = (ends if not ends.empty else rows).iloc[-1]
    denominator = None if pd.isna(row["denominator"]) else float(row["denominator"])
    return Latest(row["period_end"], float(row["value"]), float(row["numerator"]), denominator)


def year_ends(frame: pd.DataFrame) -> list[pd.Timestamp]:
    """The 31 Marches stored, oldest first."""
    return [pd.Timestamp(day) for day in sorted(frame.loc[frame["year_end"], "period_end"].unique())]


# Why a DfE measure may be missing at a 31 March: what the import needed and did not have.
LOOKUP_NEEDED = "Needs the postcode-district lookup: import it, then the SSDA903 files again"
CENTROIDS_NEEDED = "Needs each postcode district's centroid (latitude and longitude) in the lookup"
MISSING_BECAUSE = {
    m.THREE_OR_MORE_PLACEMENTS.name: "Needs the whole twelve months to 31 March in the files imported together",
    m.LONG_TERM_STABILITY.name: "Needs the header file (dates of birth) and earlier years' files imported with "
    "this one",
    **dict.fromkeys((m.PLACED_INSIDE.name, m.PLACED_OUTSIDE.name, m.LOCATION_UNKNOWN.name), LOOKUP_NEEDED),
    **dict.fromkeys((m.OVER_20_MILES.name, m.DISTANCE_UNKNOWN.name), CENTROIDS_NEEDED),
}
NOT_IN_FILES = "Not in the files imported"
DFE_MEASURES = tuple(measure for measure in m.MEASURES if measure.dfe)


def _count_at(frame: pd.DataFrame, measure: str, day: pd.Timestamp) -> int:
    rows = frame[(frame["measure"] == measure) & (frame["period_end"] == day)]
    return int(round(rows["numerator"].sum()))


def _beside(frame: pd.DataFrame, measure: m.Measure, day: pd.Timestamp) -> str:
    """The dashboard's own counts that explain a DfE measure, in words, where there are any."""
    if measure is m.LONG_TERM_STABILITY:
        count = _count_at(frame, m.STABILITY_UNDETERMINED.name, day)
        if count:
            whose = "child's history" if count == 1 else "children's histories"
            return f"{count} {whose} began before the files: import earlier years with this one."
    if measure is m.LOCATION_UNKNOWN:
        count = _count_at(frame, m.SPLIT_DISTRICT.name, day)
        if count:
            children = "child" if count == 1 else "children"
            return (
                f"{count} {children} placed in postcode districts crossing the boundary with no share given, "
                "counted here: give the lookup their share."
            )
    return ""


@dataclass(frozen=True)
class AtYearEnd:
    day: pd.Timestamp
    previous: pd.Timestamp | None  # the 31 March a year before, when stored
    rows: pd.DataFrame  # measure, label, share, approximate, value, numerator, denominator, previous_value, note


def at_year_end(frame: pd.DataFrame) -> AtYearEnd | None:
    """DfE's measures at the latest 31 March stored, the year before beside them; a missing one says why."""
    ends = year_ends(frame)
    if not ends:
        return None
    day = ends[-1]
    previous = day - pd.DateOffset(years=1)
    previous = previous if previous in ends else None
    indexed = frame[frame["category"] == ""].set_index(["measure", "period_end"])
    rows = []
    for measure in DFE_MEASURES:
        found = indexed.loc[(measure.name, day)] if (measure.name, day) in indexed.index else None
        before = indexed.loc[(measure.name, previous)] if (measure.name, previous) in indexed.index else None
        note = _beside(frame, measure, day) if found is not None else MISSING_BECAUSE.get(measure.name, NOT_IN_FILES)
        approximate = measure.approximate and "approximate" not in measure.label
        label = f"{measure.label} (approximate)" if approximate else measure.label
        rows.append(
            {
                "measure": measure.name,
                "label": label,
                "share": measure.share,
                "approximate": measure.approximate,
                "value": None if found is None else found["value"],
                "numerator": None if found is None else found["numerator"],
                "denominator": None if found is None else found["denominator"],
                "previous_value": None if before is None else before["value"],
                "note": note,
            }
        )
    return AtYearEnd(day, previous, pd.DataFrame(rows))


def by_category(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """A measure split by category (age band, URN), wide: a row per period end, a column per category."""
    rows = frame[frame["measure"] == measure]
    if rows.empty:
        return pd.DataFrame(columns=["period_end"])
    wide = rows.pivot_table(index="period_end", columns="category", values="numerator", aggfunc="sum", fill_value=0)
    return wide.reset_index().rename_axis(columns=None)


# ---------------------------------------------------------------- the council's own homes: occupancy and cost

HOME_COLUMNS = ["reference", "district", "urn", "registered_beds"]
OCCUPANCY_GREEN, OCCUPANCY_AMBER = 0.85, 0.70  # the briefing's rating of the own homes' occupancy


def strategy_homes(engine: Engine, actor: Actor, council: str | None = None) -> pd.DataFrame:
    """The strategy's homes: each property of the council (None: the store's first) with an Ofsted URN, by reference
    and district (never an address)."""
    query = (
        select(Property.reference, District.name, Property.ofsted_urn, Property.registered_beds)
        .join(District, Property.district_id == District.id)
        .where(Property.ofsted_urn.is_not(None), District.council_id == council_id(council))
        .order_by(Property.reference)
    )
    with engine.connect() as connection:
        require(connection, actor, council)
        return pd.DataFrame(connection.execute(query).all(), columns=HOME_COLUMNS)


def linked_urns(homes: pd.DataFrame, frame: pd.DataFrame) -> list[str]:
    """The URNs whose Ofsted rating and places the own homes need: the strategy's, and every own home the return
    places children in (for an editor who counts them all)."""
    placed = frame.loc[frame["measure"] == m.HOME_CHILD_DAYS.name, "category"]
    return sorted(set(homes["urn"]) | set(placed))


def homes_counted(homes: pd.DataFrame, ofsted: pd.DataFrame, frame: pd.DataFrame, all_own: bool) -> pd.DataFrame:
    """The homes occupancy and the estimate count: the strategy's homes, and with `all_own` every council-run home
    the SSDA903 return places children in (own provision, PR1, by URN). `ofsted`: market.home_ratings of their
    URNs. Places: registered beds, else Ofsted's places; blank where neither is known. Columns: reference, district,
    urn, registered_beds, ofsted_places, rating, places."""
    counted = homes.merge(ofsted[["urn", "places", "rating"]], on="urn", how="left")
    if all_own:
        placed = frame.loc[frame["measure"] == m.HOME_CHILD_DAYS.name, "category"].drop_duplicates()
        others = pd.DataFrame({"urn": sorted(set(placed) - set(homes["urn"]))})
        counted = pd.concat([counted, others.merge(ofsted[["urn", "places", "rating"]], on="urn", how="left")])
    counted = counted.rename(columns={"places": "ofsted_places"}).reset_index(drop=True)
    registered, ofsted_places = (pd.to_numeric(counted[c]).astype(float) for c in ("registered_beds", "ofsted_places"))
    counted["places"] = registered.fillna(ofsted_places)
    return counted


def month_ends(frame: pd.DataFrame) -> list[pd.Timestamp]:
    """Every month end the imports cover (the months children looked after were counted)."""
    return [
        pd.Timestamp(day) for day in sorted(frame.loc[frame["measure"] == m.LOOKED_AFTER.name, "period_end"].unique())
    ]


def occupancy(counted: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """A row per home with places and month the imports cover, from the home's first month with children: urn,
    period_end, children (at the month end), child_days, place_days. A month in which the home is empty still counts
    its places (an empty bed is not a saving); a month with no count for the home is an empty one."""
    months = month_ends(frame)
    homes = counted.dropna(subset=["places"])
    grid = pd.MultiIndex.from_product([homes["urn"], months], names=["urn", "period_end"]).to_frame(index=False)
    if grid.empty:
        return pd.DataFrame(columns=["urn", "period_end", "children", "child_days", "place_days"])
    for column, measure in (("child_days", m.HOME_CHILD_DAYS), ("children", m.HOME_CHILDREN)):
        rows = frame[frame["measure"] == measure.name].rename(columns={"category": "urn", "numerator": column})
        grid = grid.merge(rows[["urn", "period_end", column]], on=["urn", "period_end"], how="left")
    grid[["child_days", "children"]] = grid[["child_days", "children"]].fillna(0.0)
    started = grid[grid["child_days"] > 0].groupby("urn")["period_end"].min()
    grid = grid[grid["period_end"] >= grid["urn"].map(started)]  # a home with no children yet has no months
    places = grid["urn"].map(homes.set_index("urn")["places"]).astype(float)
    grid["place_days"] = places * grid["period_end"].dt.days_in_month
    return grid.reset_index(drop=True)


def programme_occupancy(by_home: pd.DataFrame) -> pd.DataFrame:
    """The homes' average occupancy month by month: total child-days over total place-days (period_end, value)."""
    totals = by_home.groupby("period_end")[["child_days", "place_days"]].sum().reset_index()
    totals["value"] = totals["child_days"] / totals["place_days"].where(totals["place_days"] > 0)
    totals["year_end"] = totals["period_end"].map(lambda day: m.is_year_end(day.date()))
    return totals


def own_homes_table(counted: pd.DataFrame, by_home: pd.DataFrame, month: pd.Timestamp | None) -> pd.DataFrame:
    """Each home counted, with its children at the latest month end and its occupancy in that month."""
    latest = by_home[by_home["period_end"] == month].set_index("urn")
    table = counted.copy()
    table["children"] = table["urn"].map(latest["children"])
    table["occupancy"] = table["urn"].map(latest["child_days"] / latest["place_days"].where(latest["place_days"] > 0))
    return table


@dataclass(frozen=True)
class Estimate:
    """The cost avoided, estimated: a week a child spends in the council's homes costs the independent sector's week
    no more; each place in them costs the own weekly cost, filled or not."""

    first: pd.Timestamp
    last: pd.Timestamp
    homes: int
    child_days: float
    place_days: float
    independent_weekly_cost: float
    own_weekly_cost: float

    @property
    def child_weeks(self) -> float:
        return self.child_days / 7

    @property
    def place_weeks(self) -> float:
        return self.place_days / 7

    @property
    def amount(self) -> float:
        return self.child_weeks * self.independent_weekly_cost - self.place_weeks * self.own_weekly_cost


ESTIMATE_MONTHS = 12


def pounds(amount: float) -> str:
    """Whole pounds, a cost below nothing with a minus before the sign: "−£1,234"."""
    return f"{'−' if round(amount) < 0 else ''}£{abs(amount):,.0f}"


def estimate(by_home: pd.DataFrame, chosen: dict[str, float | None]) -> Estimate | None:
    """The estimate over the twelve months to the latest month counted (or the months there are)."""
    if by_home.empty:
        return None
    months = sorted(by_home["period_end"].unique())[-ESTIMATE_MONTHS:]
    rows = by_home[by_home["period_end"].isin(months)]
    return Estimate(
        first=months[0],
        last=months[-1],
        homes=rows["urn"].nunique(),
        child_days=float(rows["child_days"].sum()),
        place_days=float(rows["place_days"].sum()),
        independent_weekly_cost=float(chosen["independent_weekly_cost"] or 0),
        own_weekly_cost=float(chosen["own_weekly_cost"] or 0),
    )


def monthly_estimate(by_home: pd.DataFrame, chosen: dict[str, float | None]) -> pd.DataFrame:
    """The estimate month by month (period_end, child_days, place_days, estimate)."""
    totals = by_home.groupby("period_end")[["child_days", "place_days"]].sum().reset_index()
    independent, own = float(chosen["independent_weekly_cost"] or 0), float(chosen["own_weekly_cost"] or 0)
    totals["estimate"] = totals["child_days"] / 7 * independent - totals["place_days"] / 7 * own
    return totals
