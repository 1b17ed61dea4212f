"""The headline in words, said once for the Overview, the Progress page and the briefing pack, from the bed ledger's
totals: so the sentence beside a figure can never give another number than the figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from dashboard.metrics import BedTotals, TargetForecast
from dashboard.queries import Filters
from dashboard.tables import provision_label

Tone = Literal["good", "bad", "neutral"]

PLAN_RULE = (
    "if the remaining stages take as long as planned from now on (each property's plan pushed back by its current "
    "delay)"
)


@dataclass(frozen=True)
class Outlook:
    tone: Tone
    headline: str  # shown in bold
    detail: str

    def markdown(self) -> str:
        return f"**{self.headline}** {self.detail}".strip()


def title(totals: BedTotals, scope: str = "") -> str:
    """The page's main figure: open beds against the target, or for a part against its own planned beds."""
    if totals.part:
        figure = f"{totals.open} of {totals.goal} planned beds open"
        return f"{scope}: {figure}" if scope else figure
    return f"{totals.open} of {totals.target} beds open"


def outlook(totals: BedTotals, forecast: TargetForecast, as_at: date) -> Outlook:
    """Whether, and when, the view's beds will all be open: the target for the whole programme, its own planned beds
    for a part. A shortfall is the ledger's "still to find", so the two always agree."""
    if totals.part:
        whole = f"all {totals.goal} planned beds"
        if totals.goal and totals.open >= totals.goal:
            return Outlook("good", f"All {totals.goal} planned beds open.", "")
        if forecast.reached_on:
            return Outlook("neutral", f"{whole.capitalize()} open by {forecast.reached_on:%B %Y}", f"{PLAN_RULE}.")
        return Outlook("neutral", f"No forecast for {whole}:", _undated(forecast.undated))
    target = totals.target
    if totals.open >= target:
        return Outlook("good", "Target reached:", f"{totals.open} beds open.")
    if forecast.shortfall:
        return Outlook(
            "bad",
            f"{forecast.shortfall} beds short of {target}.",
            f"Every property in the programme open would give {forecast.in_programme} beds: "
            f"{forecast.shortfall} more beds are still to find.",
        )
    if forecast.reached_on:
        return Outlook("good", f"{target} beds open by {forecast.reached_on:%B %Y}", f"{PLAN_RULE}.")
    return Outlook("neutral", f"No forecast date for {target} beds open:", _undated(forecast.undated))


def _undated(beds: int) -> str:
    if beds:
        return f"{beds} beds not yet open have no planned opening date."
    return "no property has a planned opening date."


def whole_programme_note(programme: BedTotals) -> str:
    """For a part of the programme: the target belongs to the whole, and where the whole stands."""
    return (
        f"The {programme.target}-bed target is for the whole programme, not this selection: "
        f"{programme.open} of {programme.target} beds are open across the programme."
    )


def scope(filters: Filters, district_names: dict[str, str]) -> str:
    """The part of the programme a filtered view shows, in words, each as its filter names it: "Phase 2, North
    Hertfordshire, In-house"."""
    districts = [district_names.get(code, code) for code in filters.districts]
    return ", ".join([*filters.phases, *districts, *map(provision_label, filters.provision_models)])
