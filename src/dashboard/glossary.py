"""What the dashboard's words and figures mean, for the Help page: built from the definitions the figures are
computed by (the stages, the bed ledger's levels, the forecast rule), so the help cannot say one thing while the
pages count another."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import demand
from dashboard import forecast as f
from dashboard.config import PROJECT_ROOT
from dashboard.headline import PLAN_RULE
from dashboard.measures import DFE_METHODOLOGY, DFE_METHODOLOGY_URL, MEASURES
from dashboard.metrics import LEVEL_LABELS
from dashboard.stages import STAGES, BedLevel, stage_reaching

# The Help page's sections by their anchors: fixed, so a tooltip elsewhere can link to one (help_link).
FIGURES, STAGES_SECTION, WORKING, DFE_MEASURES, DEMAND_FORECAST, SOURCES, ACCESSIBILITY, CONTACT = (
    "figures",
    "stages",
    "working",
    "dfe-measures",
    "demand-forecast",
    "sources",
    "accessibility",
    "contact",
)


def help_link(anchor: str, text: str = "More on the Help page") -> str:
    """A markdown link to a section of the Help page, for a tooltip (`help=`). Relative, so it holds under any path
    the app is served at."""
    return f"[{text}](help#{anchor})"


@dataclass(frozen=True)
class Term:
    name: str
    meaning: str


def _reached(level: BedLevel) -> str:
    return f"“{stage_reaching(level).label}”"


def bed_terms(target: int) -> list[Term]:
    """The bed figures every page shows, most advanced first, as the Overview lists them."""
    opened, registered, secured = (LEVEL_LABELS[level] for level in ("open", "registered", "secured"))
    return [
        Term(opened, f"Beds in homes that have reached the stage {_reached('open')} by the as-at date."),
        Term(
            registered,
            f"Beds in homes that have reached {_reached('registered')}, open ones included: every "
            f"{opened.lower()} bed is also {registered.lower()}.",
        ),
        Term(
            secured,
            f"Beds in properties the council has bought or taken on, the stage {_reached('secured')}; "
            f"{registered.lower()} and {opened.lower()} beds included.",
        ),
        Term(
            LEVEL_LABELS["pipeline"],
            f"Beds in properties found ({_reached('pipeline')}, or planned with nothing "
            f"done yet) but not yet {secured.lower()}.",
        ),
        Term(
            "Still to find",
            f"Beds the target of {target} needs that no property provides yet: the target less "
            f"the {secured.lower()} beds and those in the pipeline. A filtered view (a phase, a "
            "district, a provision model) is measured against its own planned beds, so it has "
            "none still to find.",
        ),
        Term("Beds", "A property's planned beds until it is registered by Ofsted, then the places Ofsted registered."),
    ]


def tile_help(target: int) -> dict[str, str]:
    """Each bed figure's tooltip, by its label: the Help page's definition and a link to it."""
    return {term.name: f"{term.meaning}\n\n{help_link(FIGURES)}" for term in bed_terms(target)}


def stage_rows() -> list[tuple[int, str, str]]:
    """The stages in order, each with the bed figure it moves a property's beds into (blank for most)."""
    return [
        (position, stage.label, LEVEL_LABELS[stage.reaches] if stage.reaches else "")
        for position, stage in enumerate(STAGES, start=1)
    ]


def working_terms() -> list[Term]:
    """How the dashboard works out what is late and what is forecast, and what the as-at date does."""
    return [
        Term(
            "Late",
            "A property not yet open is late when the stage it is waiting on has passed its planned date: "
            "its days late are the days since that date. An open home is never late; it is shown as opened "
            "so many days after its planned opening (or on or before plan).",
        ),
        Term(
            "Forecast",
            f"When each property will reach a stage {PLAN_RULE}, never before the as-at date. The "
            "target's forecast date is the day open beds reach the target on those forecasts; beds with "
            "no planned opening date have no forecast and are named as such.",
        ),
        Term(
            "As at",
            "The date the pages show the programme on (the sidebar's “As at”, today unless changed). A "
            "past date shows the programme as it was recorded at the end of that day: stages reached by "
            "then, plans as they stood then. Properties first recorded later (an import of a past "
            "programme) are shown with the values they were first recorded with, and the page says so.",
        ),
    ]


def measure_terms() -> list[Term]:
    """Every objective measure as the import computes it (dashboard.measures), saying which are DfE's."""
    return [
        Term(
            measure.label,
            measure.definition
            + ("" if measure.dfe else " The dashboard's own measure, not one DfE publishes.")
            + (" Approximate." if measure.approximate and "Approximate" not in measure.definition else ""),
        )
        for measure in MEASURES
    ]


def measures_citation() -> str:
    """Where the DfE definitions come from, as a markdown sentence."""
    return (
        f"At 31 March each measure marked as DfE's follows the definitions of the {DFE_METHODOLOGY} "
        f"([methodology]({DFE_METHODOLOGY_URL})), so it can be set beside DfE's published figures for the council "
        "and for other councils; at other month ends the same definition gives the trend. Only the measures are "
        "kept: no child, date of birth, episode or postcode."
    )


def _years(count: int) -> str:
    return {1: "year", 2: "two years", 3: "three years"}.get(count, f"{count} years")


def forecast_terms() -> list[Term]:
    """How the demand forecast is made (dashboard.forecast, dashboard.demand, dashboard.need), in its own numbers."""
    bands = ", ".join(f.BAND_NAMES)
    runs, low, high = demand.RUNS, f.LOWER_PERCENTILE, f.UPPER_PERCENTILE
    return [
        Term(
            "What goes in",
            "The SSDA903 episodes and header files imported (import-903; the episodes give each placement and the "
            "child's home postcode, the header each child's date of birth). Short breaks (legal status V3 or V4) "
            "are left out. A child without a date of birth cannot be put in an age band, so is left out of the "
            "model and counted. "
            "Only counts are kept: no child, date of birth, episode or postcode.",
        ),
        Term(
            "The model",
            "At each month end every child looked after is in an age band "
            f"({bands}) and a placement group: children's homes (K2), fostering (U1 to U6) or other. From one month "
            "end to the next a child stays, moves to another group or leaves care, with the probabilities seen for "
            "their band and group; children enter care each month at the rate, ages and groups seen; every "
            "child ages a month each month and leaves care at 18. The rates are fitted on a reference window, by "
            "default the last "
            f"{_years(f.REFERENCE_YEARS)} of the data; a band and group with no child in the window takes its "
            "group's rates over all bands.",
        ),
        Term(
            "The simulation",
            f"The children looked after at the data's last month end are followed month by month for "
            f"{demand.HORIZON_MONTHS} months, {runs} times, each run with its own rates drawn from what the window's "
            "counts allow (so the interval holds the uncertainty of the rates as well as chance). The expected "
            f"figure is the mean of the {runs} runs; the interval (the band on the chart) runs from their {low}th "
            f"to their {high}th percentile. For a count that is nearly always 0 (a child in a few runs) the mean "
            "may lie above the interval.",
        ),
        Term(
            "Beds needed",
            "The forecast children in children's homes × the share of them the council aims to meet in its own "
            "homes ÷ the target occupancy, at the expected figure and at each end of the interval. The share, "
            "unless a scenario sets it: the strategy's aim (the own provision's share target on the Objectives "
            "page) if one is set, else the own provision's share at the data's last month end (with neither, "
            "every child in a children's "
            "home). The occupancy, "
            f"unless a scenario sets it: {demand.DEFAULT_OCCUPANCY:.0%}.",
        ),
        Term(
            "The programme's beds",
            "Beds open by each month end, and each secured property's beds from its forecast opening date (a "
            "property not yet secured, or with no planned opening, is not counted): registered places once Ofsted "
            "has registered the home, planned beds before. Where these meet the beds needed is said in words, with "
            "how many more the upper end of the interval needs.",
        ),
        Term(
            "Where",
            "The beds needed shared over the council's districts as the children in children's homes during the "
            "reference window came from them, by the district of their home postcode in the postcode-district "
            "lookup (a postcode district split between districts by its shares); children whose home the lookup "
            "cannot place, or who lived outside the council, are shown apart.",
        ),
        Term(
            "The backtest",
            f"On every import: the rates fitted on the {_years(f.REFERENCE_YEARS)} before the data's last year, "
            "that year forecast from the children looked after at its start, and each month's expected children in "
            "children's homes set beside those actually counted. Its error is the mean absolute percentage error "
            "(MAPE) over those months: how far the forecast has been off on this council's own data. It needs "
            "more than a year of data (fitted on what there is before the last year).",
        ),
        Term(
            "Scenarios",
            f"The {demand.CENTRAL.lower()} forecast uses the defaults. An editor may save named scenarios that "
            f"change entries into care by a percentage ({demand.ENTRY_CHANGE_RANGE[0]:+.0f}% to "
            f"{demand.ENTRY_CHANGE_RANGE[1]:+.0f}%), the own homes' share, the occupancy or the reference window. "
            "Every scenario is forecast again on each import, and each forecast records its inputs, the data's "
            "days, the reference window and when it was made (forecast_runs.csv in the export).",
        ),
        Term(
            "Its limits",
            "A Markov model: it assumes the reference window's rates go on. It does not know of policy changes, a "
            "new service or a change in the market unless a scenario says so, and a short or unusual window gives "
            "unsteady rates. The lookup's council district approximates a child's home district. The backtest "
            "shows how far it has been off before; it is no promise about the next years.",
        ),
    ]


def sources() -> list[Term]:
    """Where each kind of figure comes from."""
    return [
        Term(
            "Properties, stages and beds",
            "The programme's tracker: imported from a spreadsheet on the Import "
            "page or the command line, or changed on the data pages. Every change "
            "is kept in the audit trail, with who made it, when and how.",
        ),
        Term("Decisions and councillors informed", "The decision register, imported or added on the data pages."),
        Term(
            "Objectives",
            "The council's SSDA903 return, measured as DfE measures it at 31 March and month by month as a "
            "trend (counts only: no child-level data is kept); the own homes' ratings, places and the children's "
            "homes market from Ofsted's provider-level data; targets, and the weekly costs the estimate assumes "
            "with their sources, set by an editor on the Objectives page.",
        ),
        Term(
            "Illustrative or inferred figures",
            "A banner on the page names any figure that is not the council's "
            "own record: synthetic demonstration data, or a value worked out "
            "rather than stated by its source.",
        ),
    ]


ACCESSIBILITY_HEADING = "## Accessibility statement"


def accessibility_statement() -> str:
    """The accessibility statement as the README states it (one text, kept in one place), without its heading."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(ACCESSIBILITY_HEADING) + len(ACCESSIBILITY_HEADING)
    end = readme.find("\n## ", start)
    return readme[start : end if end >= 0 else None].strip()
