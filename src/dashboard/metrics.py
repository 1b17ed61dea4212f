"""Progress, slippage and forecasts: pure functions of the frames in dashboard.queries (no database, no Streamlit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import pandas as pd

from dashboard.stages import BED_LEVELS, STAGE_BY_KEY, STAGE_POSITION, STAGES, stage_reaching

# The stage position from which a property's beds count at each level.
LEVEL_POSITION = {level: STAGE_POSITION[stage_reaching(level).key] for level in BED_LEVELS}
LEVEL_LABELS = {"pipeline": "In the pipeline", "secured": "Secured", "registered": "Registered", "open": "Open"}


@dataclass(frozen=True)
class BedTotals:
    """Beds at each level, from the bed ledger. Open, registered and secured nest (open <= registered <= secured);
    pipeline is what is found but not yet secured. A filtered view is a part of the programme: it is measured against
    its own beds, never against the whole programme's target."""

    target: int  # the whole programme's
    open: int
    registered: int
    secured: int
    pipeline: int
    part: bool = False

    @property
    def in_programme(self) -> int:
        """Every bed of every property in the view: secured or in the pipeline."""
        return self.secured + self.pipeline

    @property
    def goal(self) -> int:
        """What the view is measured against: the target, or for a part its own beds."""
        return self.in_programme if self.part else self.target

    @property
    def still_to_find(self) -> int:
        """Beds the target needs that no property yet provides (none for a part: the target is the programme's)."""
        return 0 if self.part else max(0, self.target - self.in_programme)

    def share(self, beds: int) -> float:
        return beds / self.goal if self.goal else 0.0


def ledger(status: pd.DataFrame) -> pd.DataFrame:
    """The bed ledger: each property's beds and level as at the view's date. Every bed figure is read from here.

    beds: planned beds until Ofsted registration on or before that date, registered places from then on.
    level: the furthest of pipeline, secured, registered, open that it has reached (pipeline includes a property
    with nothing done yet)."""
    registered = status["registered_actual_on"].notna() & status["registered_beds"].notna()
    beds = status["registered_beds"].where(registered, status["planned_beds"]).astype(int)
    reached = status["reached_position"]
    level = pd.Series("pipeline", index=status.index)
    for name in BED_LEVELS[1:]:
        level = level.mask(reached >= LEVEL_POSITION[name], name)
    return pd.DataFrame({"reference": status["reference"], "beds": beds, "level": level}, index=status.index)


def beds_at_levels(status: pd.DataFrame) -> pd.DataFrame:
    """Per property, the ledger's beds at each level it counts at: open beds are also registered and secured."""
    book = ledger(status)
    rank = book["level"].map({level: rank for rank, level in enumerate(BED_LEVELS)})
    beds = {level: book["beds"].where(rank >= BED_LEVELS.index(level), 0) for level in BED_LEVELS}
    beds["pipeline"] = book["beds"].where(book["level"] == "pipeline", 0)
    return pd.DataFrame(beds, index=status.index)


def bed_totals(status: pd.DataFrame, target: int, part: bool = False) -> BedTotals:
    sums = beds_at_levels(status).sum()
    return BedTotals(target=target, part=part, **{level: int(sums[level]) for level in BED_LEVELS})


def current_stage_label(reached_position: int) -> str:
    """The furthest stage reached, in a word or two."""
    return STAGES[reached_position - 1].column if reached_position else "Not started"


def properties_by_stage(status: pd.DataFrame) -> pd.DataFrame:
    """How many properties, and beds, have each stage as the furthest reached (every stage listed, in order)."""
    counts = (
        status.assign(beds=ledger(status)["beds"])
        .groupby("reached_position")
        .agg(properties=("reference", "size"), beds=("beds", "sum"))
    )
    frame = pd.DataFrame(
        {
            "position": range(0, len(STAGES) + 1),
            "stage": ["Not started", *(stage.label for stage in STAGES)],
            "short_stage": ["Not started", *(stage.column for stage in STAGES)],
        }
    ).set_index("position")
    frame = frame.join(counts).fillna(0).astype({"properties": int, "beds": int})
    # "Not started" only when some property has no actual date yet.
    return frame.drop(index=0 if not frame.loc[0, "properties"] else []).reset_index(drop=True)


def slippage(status: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Properties waiting on a stage whose planned date has passed: the stage, and how many days late it is."""
    late = status.assign(days_late=lateness(status, as_at)["days_late"])
    late = late[late["days_late"] > 0]
    return pd.DataFrame(
        {
            "reference": late["reference"],
            "phase": late["phase"],
            "district": late["district"],
            "beds": ledger(late)["beds"],
            "waiting_on": late["next_stage"].map(lambda key: STAGE_BY_KEY[key].label),
            "planned_for": late["next_planned_on"].dt.date,
            "days_late": late["days_late"].astype(int),
            "forecast_open": forecast_dates(late, "open", as_at).dt.date,
        }
    ).sort_values(["days_late", "reference"], ascending=[False, True], ignore_index=True)


def lateness(status: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """The one definition of late, for every page and the pack. A property not yet open is late when the stage it
    waits on is past its planned date (by `days_late`, as `slippage` lists it); an open home is never late: it
    opened `opened_after_plan` days after its planned opening (negative: early).

    Columns: reference, days_late, opened_after_plan (missing unless open with a planned opening), label."""
    days_late = (pd.Timestamp(as_at) - status["next_planned_on"]).dt.days
    days_late = days_late.where(status["next_stage"].notna() & (days_late > 0), 0).fillna(0).astype(int)
    opened_after = (status["open_actual_on"] - status["open_planned_on"]).dt.days.astype("Int64")

    def label(days: int, after) -> str:
        if pd.notna(after):
            return f"opened {after} days after plan" if after > 0 else "opened on or before plan"
        return f"{days} days late" if days > 0 else ""

    return pd.DataFrame(
        {
            "reference": status["reference"],
            "days_late": days_late,
            "opened_after_plan": opened_after,
            "label": [label(d, a) for d, a in zip(days_late, opened_after, strict=True)],
        },
        index=status.index,
    )


def forecast_dates(status: pd.DataFrame, level: str, as_at: date) -> pd.Series:
    """When each property not yet at `level` will get there if its remaining stages take as long as planned from now
    on: its planned date, pushed back by however late its current stage already is (never before `as_at`)."""
    late_days = (pd.Timestamp(as_at) - status["next_planned_on"]).dt.days.clip(lower=0).fillna(0)
    forecast = status[f"{level}_planned_on"] + pd.to_timedelta(late_days, unit="D")
    forecast = forecast.where(forecast > pd.Timestamp(as_at), pd.Timestamp(as_at) + pd.Timedelta(days=1))
    return forecast.where(status[f"{level}_actual_on"].isna() & status[f"{level}_planned_on"].notna())


@dataclass(frozen=True)
class TargetForecast:
    goal: int  # beds to open: the target, or a part's own beds
    reached_on: date | None  # when open beds reach the goal on the forecast
    shortfall: int  # beds the target needs that no property provides: the ledger's "still to find"
    in_programme: int  # beds once every property in the view is open
    undated: int  # beds not yet open whose opening has no planned date, so no forecast


def target_forecast(status: pd.DataFrame, totals: BedTotals, as_at: date) -> TargetForecast:
    """When open beds reach the view's goal if the remaining stages take as long as planned from now on."""
    book = ledger(status)
    upcoming = pd.DataFrame({"on": forecast_dates(status, "open", as_at), "beds": book["beds"]})
    undated = int(book.loc[(book["level"] != "open") & upcoming["on"].isna(), "beds"].sum())
    upcoming = upcoming.dropna(subset=["on"]).sort_values("on")
    cumulative = totals.open + upcoming["beds"].cumsum()
    if totals.open >= totals.goal:
        reached_on: date | None = as_at
    else:
        crossing = upcoming.loc[cumulative >= totals.goal, "on"]
        reached_on = crossing.iloc[0].date() if not crossing.empty else None
    return TargetForecast(totals.goal, reached_on, totals.still_to_find, totals.in_programme, undated)


PROGRESS_LEVELS = ("secured", "registered", "open")


def cumulative_beds(status: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Beds at each level over time as step series: actual up to `as_at`, then the forecast. At `as_at` each series
    stands at the ledger's figure: a property counts its planned beds from completion, and its registered places
    from registration (so the secured line moves by the difference on that day).

    Columns: level, basis ("actual" or "forecast"), date, beds (cumulative)."""
    book = ledger(status)
    registered_places = book["beds"].where(status["registered_actual_on"].notna())
    # Up to registration every level counts planned beds; from it on, registered places.
    correction = pd.DataFrame(
        {"date": status["registered_actual_on"], "beds": registered_places - status["planned_beds"]}
    ).dropna()
    pieces = []
    as_at_ts = pd.Timestamp(as_at)
    for level in PROGRESS_LEVELS:
        stage_on = status[f"{level}_actual_on"]
        beds = book["beds"] if level != "secured" else status["planned_beds"].where(stage_on.notna())
        events = pd.DataFrame({"date": stage_on, "beds": beds}).dropna(subset=["date"])
        if level == "secured":
            events = pd.concat([events, correction[correction["beds"] != 0]], ignore_index=True)
        actual = events.groupby("date", as_index=False)["beds"].sum().sort_values("date")
        actual["beds"] = actual["beds"].cumsum()
        reached = int(actual["beds"].iloc[-1]) if not actual.empty else 0
        actual = pd.concat([actual, pd.DataFrame({"date": [as_at_ts], "beds": [reached]})], ignore_index=True)
        actual["basis"] = "actual"
        forecast = pd.DataFrame({"date": forecast_dates(status, level, as_at), "beds": book["beds"]})
        forecast = forecast.dropna(subset=["date"]).groupby("date", as_index=False)["beds"].sum().sort_values("date")
        forecast["beds"] = reached + forecast["beds"].cumsum()
        forecast = pd.concat([pd.DataFrame({"date": [as_at_ts], "beds": [reached]}), forecast], ignore_index=True)
        forecast["basis"] = "forecast"
        for piece in (actual, forecast):
            piece["level"] = level
            pieces.append(piece)
    frame = pd.concat(pieces, ignore_index=True)[["level", "basis", "date", "beds"]]
    frame["beds"] = frame["beds"].astype(int)
    return frame


DISTRICT_MEASURES = {
    "Beds open": "open",
    "Beds secured": "secured",
    "Properties": "properties",
    "Share of the target (beds secured)": "share_of_target",
}


def by_district(status: pd.DataFrame, districts: pd.DataFrame, target: int) -> pd.DataFrame:
    """Every district (those with nothing too): properties and the ledger's beds at each level, and its share of the
    target. The districts add up to the view's totals."""
    beds = beds_at_levels(status)
    beds["properties"] = 1
    beds["ons_code"] = status["district_code"]
    totals = beds.groupby("ons_code")[["properties", *BED_LEVELS]].sum()
    frame = districts.set_index("ons_code").join(totals).fillna({c: 0 for c in totals.columns})
    frame = frame.astype({c: int for c in totals.columns})
    frame["share_of_target"] = frame["secured"] / target if target else 0.0
    return frame.reset_index()


# ---------------------------------------------------------------- timeline


def gantt_segments(milestones: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Bars for the Gantt chart: per property and stage, the planned span (previous stage's planned date to this
    one's) and the actual span (previous actual to this actual; for the stage under way, last actual to as-at).

    For actual spans, `days_late` is how far the stage ended after its planned date, and `days_added` how much longer
    than planned the stage itself took: the stages that caused the slippage, rather than those that inherited it.
    Columns: row, basis, stage, start, end, days_late, days_added, under_way, label, hover."""
    m = milestones.sort_values(["reference", "position"]).reset_index(drop=True)
    by_property = m.groupby("reference", sort=False)
    m["prev_planned"] = by_property["planned_on"].transform(lambda s: s.shift().ffill())
    m["prev_actual"] = by_property["actual_on"].transform(lambda s: s.shift().ffill())
    m["reached"] = by_property["actual_on"].transform(lambda s: s.notna()[::-1].cummax()[::-1])

    planned = m[m["planned_on"].notna() & m["prev_planned"].notna()]
    planned = pd.DataFrame(
        {
            "row": planned["reference"],
            "basis": "planned",
            "stage": planned["stage_label"],
            "start": planned["prev_planned"],
            "end": planned["planned_on"],
            "days_late": 0,
            "days_added": 0,
            "under_way": False,
            "label": "",
            "hover": [
                f"{r} {s}: planned {p:%d %b %Y}"
                for r, s, p in zip(planned["reference"], planned["stage_label"], planned["planned_on"], strict=True)
            ],
        }
    )

    done = m[m["actual_on"].notna() & m["prev_actual"].notna()].assign(under_way=False)
    # The stage under way: the first without an actual date after the last one reached.
    waiting = m[m["actual_on"].isna() & m["prev_actual"].notna() & ~m["reached"]]
    waiting = waiting.groupby("reference", sort=False).head(1)
    as_at_time = pd.Timestamp(as_at)
    waiting = waiting[waiting["prev_actual"] < as_at_time].assign(actual_on=as_at_time, under_way=True)
    actual = pd.concat([done, waiting], ignore_index=True)
    actual["days_late"] = (actual["actual_on"] - actual["planned_on"]).dt.days.fillna(0).clip(lower=0).astype(int)
    took = (actual["actual_on"] - actual["prev_actual"]).dt.days
    allowed = (actual["planned_on"] - actual["prev_planned"]).dt.days
    actual["days_added"] = (took - allowed).fillna(0).clip(lower=0).astype(int)

    def describe(row) -> str:
        planned_text = f"planned {row.planned_on:%d %b %Y}" if pd.notna(row.planned_on) else "no planned date"
        if row.under_way:
            state = f"under way since {row.prev_actual:%d %b %Y}, {planned_text}"
        else:
            state = f"done {row.actual_on:%d %b %Y}, {planned_text}"
        late = f"; {row.days_late} days late" if row.days_late > 0 else ""
        added = f", {row.days_added} days longer than planned" if row.days_added > 0 else ""
        return f"{row.reference} {row.stage_label}: {state}{late}{added}"

    actual_segments = pd.DataFrame(
        {
            "row": actual["reference"],
            "basis": "actual",
            "stage": actual["stage_label"],
            "start": actual["prev_actual"],
            "end": actual["actual_on"],
            "days_late": actual["days_late"],
            "days_added": actual["days_added"],
            "under_way": actual["under_way"],
            "label": [f"+{d}d" if d > 0 else "" for d in actual["days_added"]],
            "hover": [describe(row) for row in actual.itertuples()],
        }
    )
    return pd.concat([planned, actual_segments], ignore_index=True)


def row_ends(segments: pd.DataFrame) -> pd.DataFrame:
    """Where each property's row of actual spans ends on the Gantt chart. Columns: row, end."""
    actual = segments[segments["basis"] == "actual"]
    last = actual.sort_values("end").groupby("row", sort=False).tail(1)
    return last[["row", "end"]].reset_index(drop=True)


def phase_spans(phases: pd.DataFrame, status: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Per phase: planned start and end, and the span of its properties' actual work (to the last opening, or to
    as-at while any property is still under way)."""
    work = status.groupby("phase").agg(
        actual_start=("started_on", "min"),
        last_open=("open_actual_on", "max"),
        all_open=("open_actual_on", lambda s: s.notna().all()),
        properties=("reference", "size"),
    )
    frame = phases.rename(columns={"name": "phase", "starts_on": "planned_start", "planned_end_on": "planned_end"})
    frame = frame.merge(work, left_on="phase", right_index=True, how="left")
    frame["actual_end"] = frame["last_open"].where(frame["all_open"].fillna(False).astype(bool), pd.Timestamp(as_at))
    frame["actual_end"] = frame["actual_end"].where(frame["actual_start"].notna())
    frame["properties"] = frame["properties"].fillna(0).astype(int)
    return frame[["phase", "planned_start", "planned_end", "actual_start", "actual_end", "properties"]]


ILLUSTRATIVE: Final = "illustrative"  # a kind of source (dashboard.provenance.Kind)


def illustrative_rows(frame: pd.DataFrame) -> int:
    """How many rows carry illustrative figures in any field (seeded, not a council's own data), as their provenance
    reads field by field (dashboard.provenance)."""
    from dashboard.provenance import rows_with  # here: it loads the layouts and models; metrics stays pure pandas

    if "provenance" not in frame:
        return 0
    return rows_with(frame["provenance"], ILLUSTRATIVE)


# ---------------------------------------------------------------- councillors informed


def councillors_informed(status: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Every property procured by `as_at`, and when its local councillors were informed (the record: "as each property
    is procured Local Councillors are kept informed"). A date after `as_at` had not happened then, so is not counted.

    Columns: reference, district, phase, procured_on, informed_on, informed, days_to_inform, days_since_procured.
    Those with no record first, then those informed; each earliest procured first."""
    as_at_ts = pd.Timestamp(as_at)
    procured = status[status["secured_actual_on"].notna()]
    informed_on = procured["councillors_informed_on"].where(procured["councillors_informed_on"] <= as_at_ts)
    frame = pd.DataFrame(
        {
            "reference": procured["reference"],
            "district": procured["district"],
            "phase": procured["phase"],
            "procured_on": procured["secured_actual_on"],
            "informed_on": informed_on,
            "informed": informed_on.notna(),
            "days_to_inform": (informed_on - procured["secured_actual_on"]).dt.days.astype("Int64"),
            "days_since_procured": (as_at_ts - procured["secured_actual_on"]).dt.days.astype(int),
        }
    )
    return frame.sort_values(
        ["informed", "days_since_procured", "reference"], ascending=[True, False, True], ignore_index=True
    )


def uninformed(status: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Properties procured by `as_at` with no record that their local councillors had been informed by then."""
    informed = councillors_informed(status, as_at)
    return (
        informed[~informed["informed"]]
        .drop(columns=["informed_on", "informed", "days_to_inform"])
        .reset_index(drop=True)
    )
