"""Progress, slippage and forecasts: pure functions of the frames in dashboard.queries (no database, no Streamlit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.stages import BED_LEVELS, STAGE_BY_KEY, STAGE_POSITION, STAGES, stage_reaching

SECURED_POSITION = STAGE_POSITION[stage_reaching("secured").key]
REGISTERED_POSITION = STAGE_POSITION[stage_reaching("registered").key]
OPEN_POSITION = STAGE_POSITION[stage_reaching("open").key]
LEVEL_LABELS = {"pipeline": "In the pipeline", "secured": "Secured", "registered": "Registered", "open": "Open"}


@dataclass(frozen=True)
class BedTotals:
    target: int
    open: int
    registered: int
    secured: int
    pipeline: int

    @property
    def still_to_find(self) -> int:
        return max(0, self.target - self.secured - self.pipeline)

    def share(self, beds: int) -> float:
        return beds / self.target if self.target else 0.0


def beds_at_levels(status: pd.DataFrame) -> pd.DataFrame:
    """Per property, the beds it counts at each level by the as-at date.

    Planned beds until Ofsted registers places; registered places from then on."""
    reached = status["reached_position"]
    planned = status["planned_beds"].astype(int)
    registered = status["registered_beds"].fillna(status["planned_beds"]).astype(int)
    return pd.DataFrame(
        {
            "pipeline": planned.where(reached < SECURED_POSITION, 0),
            "secured": planned.where(reached >= SECURED_POSITION, 0),
            "registered": registered.where(reached >= REGISTERED_POSITION, 0),
            "open": registered.where(reached >= OPEN_POSITION, 0),
        },
        index=status.index,
    )


def bed_totals(status: pd.DataFrame, target: int) -> BedTotals:
    sums = beds_at_levels(status).sum()
    return BedTotals(target=target, **{level: int(sums[level]) for level in BED_LEVELS})


def current_stage_label(reached_position: int) -> str:
    return STAGES[reached_position - 1].label if reached_position else "Not started"


def properties_by_stage(status: pd.DataFrame) -> pd.DataFrame:
    """How many properties, and beds, have each stage as the furthest reached (every stage listed, in order)."""
    counts = status.groupby("reached_position").agg(properties=("reference", "size"), beds=("planned_beds", "sum"))
    frame = pd.DataFrame(
        {"position": range(1, len(STAGES) + 1), "stage": [stage.label for stage in STAGES]}
    ).set_index("position")
    frame = frame.join(counts).fillna(0).astype({"properties": int, "beds": int})
    return frame.reset_index(drop=True)


def slippage(status: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Properties waiting on a stage whose planned date has passed: the stage, and how many days late it is."""
    pending = status[status["next_stage"].notna() & status["next_planned_on"].notna()].copy()
    pending["days_late"] = (pd.Timestamp(as_at) - pending["next_planned_on"]).dt.days
    late = pending[pending["days_late"] > 0]
    return pd.DataFrame(
        {
            "reference": late["reference"],
            "phase": late["phase"],
            "district": late["district"],
            "beds": late["planned_beds"],
            "waiting_on": late["next_stage"].map(lambda key: STAGE_BY_KEY[key].label),
            "planned_for": late["next_planned_on"].dt.date,
            "days_late": late["days_late"].astype(int),
            "forecast_open": (late["open_planned_on"] + pd.to_timedelta(late["days_late"], unit="D")).dt.date,
        }
    ).sort_values(["days_late", "reference"], ascending=[False, True], ignore_index=True)


def forecast_open_dates(status: pd.DataFrame, as_at: date) -> pd.Series:
    """When each property not yet open will open if its remaining stages take as long as planned from now on:
    its planned opening, pushed back by however late its current stage already is."""
    late_days = (pd.Timestamp(as_at) - status["next_planned_on"]).dt.days.clip(lower=0).fillna(0)
    forecast = status["open_planned_on"] + pd.to_timedelta(late_days, unit="D")
    return forecast.where(status["open_actual_on"].isna())


@dataclass(frozen=True)
class TargetForecast:
    target: int
    reached_on: date | None  # when open beds reach the target on the forecast
    shortfall: int  # beds short of the target once every property in the programme is open
    beds_with_dates: int  # open plus forecast to open


def target_forecast(status: pd.DataFrame, target: int, as_at: date) -> TargetForecast:
    beds = beds_at_levels(status)
    open_now = int(beds["open"].sum())
    if open_now >= target:
        return TargetForecast(target, as_at, 0, open_now)
    planned_beds = status["registered_beds"].fillna(status["planned_beds"]).astype(int)
    upcoming = pd.DataFrame({"on": forecast_open_dates(status, as_at), "beds": planned_beds}).dropna(subset=["on"])
    upcoming = upcoming.sort_values("on")
    cumulative = open_now + upcoming["beds"].cumsum()
    total = open_now + int(upcoming["beds"].sum())
    crossing = upcoming.loc[cumulative >= target, "on"]
    reached_on = crossing.iloc[0].date() if not crossing.empty else None
    return TargetForecast(target, reached_on, max(0, target - total), total)
