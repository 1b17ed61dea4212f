"""What the briefing pack says, read once from the store: its figures, its sentences, each objective's rating (the one
RAG rule) and page 1 as plain text for the app's preview. Nothing here loads reportlab or kaleido: the preview is
quick, and the PDF builds on the same words."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property

import pandas as pd
from sqlalchemy import Engine

from dashboard import changes, demand, market, metrics, objectives, placements, provenance, queries
from dashboard import measures as m
from dashboard.boundaries import installed_boundaries
from dashboard.district_need import NeedForecast, need_forecast
from dashboard.headline import Outlook, outlook
from dashboard.roles import Actor
from dashboard.wording import dmy, listed, plural

CLASSIFICATIONS = ("OFFICIAL", "OFFICIAL-SENSITIVE")  # Government Security Classifications a pack may carry
ILLUSTRATIVE_NOTE = "Includes illustrative figures, not a council's records"
SYNTHETIC_NOTE = "Synthetic data for demonstration, not a council's records"


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# ---------------------------------------------------------------- the content (pure, shared with the app's preview)


@dataclass(frozen=True)
class BriefingData:
    """Everything the pack shows, read once from the store."""

    as_at: date
    since: date
    strategy: queries.StrategyInfo
    status: pd.DataFrame
    totals: metrics.BedTotals
    forecast: metrics.TargetForecast
    changes: changes.ChangeSummary
    phases: pd.DataFrame
    districts: pd.DataFrame  # metrics.by_district
    decisions: pd.DataFrame  # queries.decisions
    informed: pd.DataFrame  # metrics.councillors_informed
    uninformed: pd.DataFrame  # metrics.uninformed
    boundaries: dict | None
    objective_measures: pd.DataFrame  # objectives.with_values, up to the as-at date; empty when none are stored
    objective_settings: dict[str, float | None]  # objectives.settings
    occupancy: pd.DataFrame  # objectives.programme_occupancy of the homes counted, up to the as-at date
    need: NeedForecast | None  # the demand forecast's beds needed beside the programme's, when one is held
    council: str | None = None  # whose pack (an ONS code); None: the store's first council's

    @property
    def illustrative(self) -> int:
        return metrics.illustrative_rows(self.status)

    @property
    def synthetic(self) -> int:
        return provenance.rows_with(self.status["provenance"], provenance.SYNTHETIC)

    @cached_property  # read for several parts of the pack, and costly at 10,000 properties
    def late(self) -> pd.DataFrame:
        """metrics.slippage: the properties behind plan, most late first."""
        return metrics.slippage(self.status, self.as_at)

    @property
    def portfolio(self) -> str | None:
        """The portfolio of the latest decision that names one: whose briefing this is."""
        named = self.decisions.dropna(subset=["portfolio"])
        return str(named["portfolio"].iloc[-1]) if not named.empty else None


def check_dates(as_at: date, since: date, today: date) -> None:
    """Refuse dates a pack cannot be made for, with a message a user can act on."""
    if as_at > today:
        raise ValueError(f"the as-at date {dmy(as_at)} is in the future: the store holds nothing after today")
    if since > as_at:
        raise ValueError(f"the since date {dmy(since)} is after the as-at date {dmy(as_at)}")


def gather(
    engine: Engine, actor: Actor, as_at: date, since: date, today: date | None = None, council: str | None = None
) -> BriefingData:
    """Read what the pack shows, for an actor who may read it: the council's whole programme as at `as_at` (None:
    the store's first council's), its objectives' measures and demand forecast (from its SSDA903 returns), and the
    changes after `since`."""
    today = today or date.today()
    check_dates(as_at, since, today)
    strategy = queries.strategy_info(engine, council)
    status = queries.property_status(engine, actor, queries.Filters(as_at=as_at, council=council), today)
    measured = _objective_measures(engine, as_at, council)
    chosen = objectives.settings(engine, council)
    totals = metrics.bed_totals(status, strategy.bed_target)
    return BriefingData(
        as_at=as_at,
        since=since,
        strategy=strategy,
        status=status,
        totals=totals,
        forecast=metrics.target_forecast(status, totals, as_at),
        changes=changes.changes_since(engine, since, as_at, council),
        phases=queries.phases(engine, council),
        districts=metrics.by_district(status, queries.districts(engine, council), strategy.bed_target),
        decisions=queries.decisions(engine, actor, council),
        informed=metrics.councillors_informed(status, as_at),
        uninformed=metrics.uninformed(status, as_at),
        boundaries=installed_boundaries(engine, council),
        objective_measures=measured,
        objective_settings=chosen,
        occupancy=_occupancy(engine, actor, measured, bool(chosen["cost_counts_all_own_homes"]), council),
        need=need_forecast(
            demand.forecasts(engine, council), demand.runs(engine, council), status, as_at, strategy.bed_target
        ),
        council=council,
    )


def _objective_measures(engine: Engine, as_at: date, council: str | None) -> pd.DataFrame:
    """The council's objectives' measures up to the as-at date: a pack for a past date rates what was known then."""
    measured = objectives.with_values(placements.stored_measures(engine, council))
    return measured[measured["period_end"] <= pd.Timestamp(as_at)].reset_index(drop=True)


def _occupancy(
    engine: Engine, actor: Actor, measured: pd.DataFrame, all_own: bool, council: str | None
) -> pd.DataFrame:
    """The council's own homes' occupancy month by month, as the Objectives page counts it."""
    homes = objectives.strategy_homes(engine, actor, council)
    ratings = market.home_ratings(engine, objectives.linked_urns(homes, measured))
    counted = objectives.homes_counted(homes, ratings, measured, all_own)
    return objectives.programme_occupancy(objectives.occupancy(counted, measured)).dropna(subset=["value"])


def headline(data: BriefingData) -> str:
    totals = data.totals
    return f"{totals.open} of {totals.target} beds open; {totals.secured} secured"


def forecast_sentence(data: BriefingData) -> str:
    """The pages' outlook, word for word."""
    said = outlook(data.totals, data.forecast, data.as_at)
    return f"{said.headline} {said.detail}".strip()


def need_sentence(data: BriefingData) -> str | None:
    """The demand forecast's beds needed, first and last month, and where the programme's beds meet it (need.Crossing's
    own words), with the data it rests on; None without a forecast."""
    if data.need is None:
        return None
    crossed, compared = data.need.crossing, data.need.compared
    first = compared.iloc[0]
    # Whole beds, rounded up as need.crossing counts them.
    return (
        f"Forecast need (the central scenario, from SSDA903 returns for {data.need.data[0]:%B %Y} to "
        f"{data.need.data[1]:%B %Y}): the council's own homes need {plural(math.ceil(first['expected']), 'bed')} in "
        f"{first['period_end']:%B %Y} and {crossed.needed_at_end} (up to {crossed.upper_at_end}) by "
        f"{crossed.last:%B %Y}. {crossed.sentence()}"
    )


# ---------------------------------------------------------------- RAG: each objective against its target


class Rating(StrEnum):
    """An objective's rating: a word, never a colour alone."""

    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    NOT_RATED = "Not rated"  # measured, but there is no target to rate it against
    NOT_MEASURED = "Not measured"  # the store holds nothing to measure it with


AMBER_MARGIN = 0.1  # amber: short of the target by no more than a tenth of the target
OUTLOOK_RAG = {"good": Rating.GREEN, "neutral": Rating.AMBER, "bad": Rating.RED}  # the pages' own outlook, as a rating


@dataclass(frozen=True)
class ObjectiveRating:
    objective: str
    rating: Rating
    reason: str


def rag(value: float, target: float, lower_is_better: bool = False) -> Rating:
    """The one RAG rule. Green: the target is met. Amber: missed by no more than AMBER_MARGIN of the target (for a
    target of 40%, from 36%; for at most 0.5 moves a child, up to 0.55). Red: missed by more."""
    shortfall = (value - target) if lower_is_better else (target - value)
    if shortfall <= 0:
        return Rating.GREEN
    # Inclusive, with room for floating point: 36% against 40% is short by exactly a tenth, so amber.
    return Rating.AMBER if shortfall <= AMBER_MARGIN * abs(target) + 1e-9 else Rating.RED


def _rating_words(rating: Rating) -> str:
    return {
        Rating.GREEN: "target met",
        Rating.AMBER: "within a tenth of the target",
        Rating.RED: "more than a tenth short of the target",
    }[rating]


@dataclass(frozen=True)
class _Measured:
    """An objective rated by one of DfE's measures against a target setting (a share, the target in %)."""

    objective: str
    measure: m.Measure
    target_key: str
    what: str  # what the value counts, after it: "of children in children's homes in the council's own homes"
    lower_is_better: bool = False
    missing: str = "The SSDA903 measures stored cannot measure this."


STABILITY = _Measured(
    "Better outcomes and placement stability",
    m.THREE_OR_MORE_PLACEMENTS,
    "three_or_more_target",
    "of children looked after had three or more placements in the year",
    lower_is_better=True,
    missing="Three or more placements needs the whole year's files imported together.",
)
WITHIN_COUNTY = _Measured(
    "Children placed within the county",
    m.PLACED_INSIDE,
    "inside_target",
    "of children looked after placed inside the council's boundary",
    missing="The postcode-district lookup is needed to place children inside or outside the county.",
)
SPECIALISM = "The right placement type and specialism"
OWN_PROVISION = "Own provision and savings"


def _when(found: objectives.Latest) -> str:
    return f"at 31 March {found.month_end:%Y}" if found.year_end else f"at the end of {found.month_end:%B %Y}"


def _rate_measured(objective: _Measured, measures: pd.DataFrame, chosen: dict[str, float | None]) -> ObjectiveRating:
    found = objectives.headline(measures, objective.measure.name)
    if found is None:
        return ObjectiveRating(objective.objective, Rating.NOT_MEASURED, objective.missing)
    said = f"{found.value:.0%} {objective.what} {_when(found)}"
    target = chosen[objective.target_key]
    if target is None:
        return ObjectiveRating(objective.objective, Rating.NOT_RATED, f"{said}; no target is set.")
    rating = rag(found.value, target / 100, objective.lower_is_better)
    bound = "at most " if objective.lower_is_better else ""
    return ObjectiveRating(
        objective.objective, rating, f"{said}; target {bound}{target / 100:.0%}: {_rating_words(rating)}."
    )


def _rate_specialism(measures: pd.DataFrame) -> ObjectiveRating:
    """Not measurable from the return; the need it does show, said beside."""
    reason = "SSDA903 does not record the specialism a child needed, so the match cannot be measured from it."
    outside = objectives.by_category(measures, m.HOMES_OUTSIDE_BY_AGE.name)
    if not outside.empty:
        last = outside.iloc[-1]
        total = int(round(last.drop("period_end").sum()))
        reason += (
            f" {plural(total, 'child', 'children')} in children's homes outside the county at the end of "
            f"{last['period_end']:%B %Y}."
        )
    return ObjectiveRating(SPECIALISM, Rating.NOT_MEASURED, reason)


def occupancy_rating(occupancy: float) -> Rating:
    """The own homes' occupancy: green at OCCUPANCY_GREEN or more, amber at OCCUPANCY_AMBER or more, red below."""
    if occupancy >= objectives.OCCUPANCY_GREEN:
        return Rating.GREEN
    return Rating.AMBER if occupancy >= objectives.OCCUPANCY_AMBER else Rating.RED


def _rate_own_provision(data: BriefingData) -> ObjectiveRating:
    """Rated by the own homes' occupancy (a bed empty is not a saving); own provision's share said beside."""
    share = objectives.headline(data.objective_measures, m.OWN_PROVISION.name)
    beside = (
        "" if share is None else f" Own provision: {share.value:.0%} of children in children's homes {_when(share)}."
    )
    if data.occupancy.empty:
        return ObjectiveRating(
            OWN_PROVISION,
            Rating.NOT_MEASURED,
            "Occupancy needs the own homes' Ofsted URNs and their places, and the SSDA903 return." + beside,
        )
    last = data.occupancy.iloc[-1]
    rating = occupancy_rating(float(last["value"]))
    thresholds = f"green at {objectives.OCCUPANCY_GREEN:.0%} or more, amber at {objectives.OCCUPANCY_AMBER:.0%} or more"
    return ObjectiveRating(
        OWN_PROVISION,
        rating,
        f"The own homes were {last['value']:.0%} occupied in {last['period_end']:%B %Y} ({thresholds}, red below)."
        + beside,
    )


def objective_ratings(data: BriefingData) -> list[ObjectiveRating]:
    """A rating, with its reason in words, for the bed target and each of the decision record's objectives."""
    said: Outlook = outlook(data.totals, data.forecast, data.as_at)
    beds = ObjectiveRating(
        f"{data.totals.target} beds open", OUTLOOK_RAG[said.tone], f"{said.headline} {said.detail}".strip()
    )
    measures = data.objective_measures
    if measures.empty:  # one line, not four saying the same
        return [
            beds,
            ObjectiveRating(
                "The strategy's four objectives",
                Rating.NOT_MEASURED,
                "No SSDA903 measures are in the store: import the return to measure placement stability, "
                "placements within the county, own provision and the own homes' occupancy.",
            ),
        ]
    chosen = data.objective_settings
    return [
        beds,
        _rate_measured(STABILITY, measures, chosen),
        _rate_specialism(measures),
        _rate_own_provision(data),
        _rate_measured(WITHIN_COUNTY, measures, chosen),
    ]


def bed_numbers(data: BriefingData) -> list[tuple[str, int, str]]:
    """The headline figures: (level, beds, share of the target in words)."""
    return level_numbers(data.totals)


def level_numbers(totals: metrics.BedTotals) -> list[tuple[str, int, str]]:
    """Beds at each level, with each one's share of the target in words: (level, beds, share)."""
    levels = [
        ("Open", totals.open),
        ("Registered", totals.registered),
        ("Secured", totals.secured),
        ("In the pipeline", totals.pipeline),
        ("Still to find", totals.still_to_find),
    ]
    return [(label, beds, f"{totals.share(beds):.0%} of {totals.target}") for label, beds in levels]


def changes_heading(data: BriefingData) -> str:
    return f"What changed since {long_date(data.since)}"


def changes_scope(data: BriefingData) -> str:
    summary = data.changes
    span = f"Changes recorded in the store from {long_date(summary.first_day)} to {long_date(summary.until)}"
    if summary.first_day > summary.until:
        return f"{span}: no days in between."
    if summary.nothing:
        return f"{span}."
    # Changes made one by one are counted as changes; a load's hundreds of rows are one load, not hundreds of changes.
    parts = []
    if summary.edits:
        parts.append(f"{plural(summary.edits, 'change')} by {plural(len(summary.editors), 'person', 'people')}")
    if summary.loads:
        parts.append(plural(len(summary.loads), "data load"))
    return f"{span}: {' and '.join(parts)}."


def risk_sentence(data: BriefingData) -> str:
    late = data.late
    if late.empty:
        return "No property is behind its plan."
    worst = late.iloc[0]
    return (
        f"{plural(len(late), 'property is', 'properties are')} behind plan, holding "
        f"{plural(int(late['beds'].sum()), 'bed')}. Furthest behind: {worst['reference']} ({worst['district']}), "
        f"waiting on {worst['waiting_on']}, {plural(int(worst['days_late']), 'day')} late."
    )


def uninformed_sentence(data: BriefingData) -> str | None:
    if data.uninformed.empty:
        return None
    references = data.uninformed["reference"].tolist()
    return (
        f"{plural(len(references), 'procured property has', 'procured properties have')} no record of local "
        f"councillors being informed: {listed(references, 8)}."
    )


@dataclass(frozen=True)
class PageOne:
    """Page 1 as plain text: what the app shows before anyone downloads the pack."""

    properties: int
    illustrative: int  # properties carrying illustrative values
    synthetic: int  # properties of synthetic demonstration data
    headline: str
    numbers: list[tuple[str, int, str]]  # (figure, beds, share of the target)
    forecast: str
    need: str | None  # the demand forecast's sentence, when one is held
    changes_heading: str
    changes_scope: str
    changes: list[str]
    risks: str
    uninformed: str | None
    ratings: list[ObjectiveRating]


def preview(data: BriefingData) -> PageOne:
    return PageOne(
        properties=len(data.status),
        illustrative=data.illustrative,
        synthetic=data.synthetic,
        headline=headline(data),
        numbers=bed_numbers(data),
        forecast=forecast_sentence(data),
        need=need_sentence(data),
        changes_heading=changes_heading(data),
        changes_scope=changes_scope(data),
        changes=changes.change_lines(data.changes),
        risks=risk_sentence(data),
        uninformed=uninformed_sentence(data),
        ratings=objective_ratings(data),
    )
