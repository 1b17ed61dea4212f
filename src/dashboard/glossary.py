"""What the dashboard's words and figures mean, for the Help page: built from the definitions the figures are
computed by (the stages, the bed ledger's levels, the forecast rule), so the help cannot say one thing while the
pages count another."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.config import PROJECT_ROOT
from dashboard.headline import PLAN_RULE
from dashboard.measures import DFE_METHODOLOGY, DFE_METHODOLOGY_URL, MEASURES
from dashboard.metrics import LEVEL_LABELS
from dashboard.stages import STAGES, BedLevel, stage_reaching

# The Help page's sections by their anchors: fixed, so a tooltip elsewhere can link to one (help_link).
FIGURES, STAGES_SECTION, WORKING, DFE_MEASURES, SOURCES, ACCESSIBILITY, CONTACT = (
    "figures",
    "stages",
    "working",
    "dfe-measures",
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
