"""Whether the strategy's four objectives are being met, measured month by month from the SSDA903 aggregates
(dashboard.placements), against targets and with weekly costs that a user sets.

1. Stability: placement changes per child looked after in a year, at the rate of the last twelve months.
2. The right care: own provision's share of the children in children's homes.
3. Less spend on the independent sector: cost avoided by children in the council's own homes,
   (independent weekly cost - own weekly cost) x weeks occupied.
4. Closer to home: the share of children in children's homes placed inside the county."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.db import session_scope
from dashboard.models import ObjectiveSetting
from dashboard.placements import CHANGES, CHILDREN_IN_HOMES, HOMES_LOCATION, LOOKED_AFTER, PROVIDER_LABELS
from dashboard.roles import Actor, Permission


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    unit: str  # "%", "£ a week" or "per child"
    default: float | None  # None: no target until someone sets one
    help: str
    maximum: float | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "own_share_target",
        "Own provision's share of children in children's homes: target",
        "%",
        None,
        "The share of children in children's homes who live in the council's own homes.",
        100,
    ),
    Setting(
        "inside_target",
        "Children in children's homes placed inside the county: target",
        "%",
        None,
        "The share of children in children's homes whose home is inside the county.",
        100,
    ),
    Setting(
        "changes_target",
        "Placement changes per child in a year: target (at most)",
        "per child",
        None,
        "Moves per child looked after over twelve months; lower is more stable.",
    ),
    Setting(
        "independent_weekly_cost",
        "Independent children's home: cost a week",
        "£ a week",
        7000,
        "Public figures for an independent placement run from about £3,800 to over £7,000 a week; "
        "placements elsewhere have been reported at up to £17,500.",
    ),
    Setting(
        "own_weekly_cost",
        "Council's own children's home: cost a week",
        "£ a week",
        6400,
        "One Hertfordshire home was reported at about £6,400 a week.",
    ),
)
SETTING_BY_KEY = {setting.key: setting for setting in SETTINGS}
WEEKS_PER_DAY = 1 / 7


def settings(engine: Engine) -> dict[str, float | None]:
    """Each setting's value: as set in the store, else its default."""
    with engine.connect() as connection:
        stored = dict(connection.execute(select(ObjectiveSetting.key, ObjectiveSetting.value)).all())
    return {setting.key: stored.get(setting.key, setting.default) for setting in SETTINGS}


class InvalidSetting(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{label}: {message}" for label, message in problems))


def save_settings(engine: Engine, actor: Actor, values: dict[str, float | None]) -> str:
    """Set targets and costs (an editor's); a blank target is removed. Audited like every change."""
    actor.require(Permission.EDIT)
    problems = []
    for key, value in values.items():
        setting = SETTING_BY_KEY[key]
        if value is None and setting.default is not None:
            problems.append((setting.label, "is required"))
        elif value is not None and not math.isfinite(value):
            problems.append((setting.label, f"{value} is not a number"))
        elif value is not None and (value < 0 or (setting.maximum is not None and value > setting.maximum)):
            problems.append((setting.label, f"{value:g} is outside 0 to {setting.maximum or 'any'}"))
    if problems:
        raise InvalidSetting(problems)
    current = settings(engine)
    wanted = {key: value for key, value in values.items() if value != current[key]}  # a default kept is no change
    with session_scope(engine, actor) as session:
        stored = {row.key: row for row in session.scalars(select(ObjectiveSetting))}
        for key, value in wanted.items():
            row = stored.get(key)
            if value is None:
                session.delete(row)
            elif row is None:
                session.add(ObjectiveSetting(key=key, value=float(value)))
            else:
                row.value = float(value)
    changed = len(wanted)
    return f"Saved {changed} setting(s)." if changed else "No changes to save."


def _column(figures: pd.DataFrame, measure: str, category: str) -> pd.Series:
    """A category's counts; 0 where the measure has other categories but not this one, blank where the measure was
    never counted (inside or outside, before the lookup was imported)."""
    name = f"{measure}:{category}"
    if name in figures:
        return figures[name].astype(float)
    counted = any(column.startswith(f"{measure}:") for column in figures)
    return pd.Series(0.0 if counted else float("nan"), index=figures.index)


def measures(figures: pd.DataFrame, chosen: dict[str, float | None]) -> pd.DataFrame:
    """One row per month end: each objective's measure (pure; `figures` from placements.placement_figures)."""
    frame = pd.DataFrame({"month_end": figures["month_end"]})
    in_homes = sum(_column(figures, CHILDREN_IN_HOMES, category) for category in PROVIDER_LABELS)
    own = _column(figures, CHILDREN_IN_HOMES, "PR1")
    frame["children_in_homes"] = in_homes
    frame["own_provision"] = own
    frame["own_share"] = own / in_homes.where(in_homes > 0)
    inside, outside = _column(figures, HOMES_LOCATION, "inside"), _column(figures, HOMES_LOCATION, "outside")
    frame["inside"], frame["outside"] = inside, outside
    frame["location_unknown"] = _column(figures, HOMES_LOCATION, "unknown")
    frame["inside_share"] = inside / (inside + outside).where(inside + outside > 0)
    changes, looked_after = _column(figures, CHANGES, "all"), _column(figures, LOOKED_AFTER, "all")
    frame["placement_changes"], frame["children_looked_after"] = changes, looked_after
    # A year's moves at the rate of the last twelve months (or of the months loaded, while fewer are): comparable
    # from the first month, where a plain twelve-month sum would only climb as months are added.
    yearly_changes = changes.rolling(12, min_periods=1).mean() * 12
    frame["changes_per_child_12m"] = yearly_changes / looked_after.where(looked_after > 0)
    saving = (chosen["independent_weekly_cost"] or 0) - (chosen["own_weekly_cost"] or 0)
    days = frame["month_end"].dt.days_in_month
    frame["cost_avoided"] = own * days * WEEKS_PER_DAY * saving
    frame["cost_avoided_to_date"] = frame["cost_avoided"].cumsum()
    return frame


@dataclass(frozen=True)
class Latest:
    month_end: pd.Timestamp
    value: float


def latest(measures_frame: pd.DataFrame, column: str) -> Latest | None:
    """The newest month with a value for `column`."""
    shown = measures_frame.dropna(subset=[column])
    return None if shown.empty else Latest(shown["month_end"].iloc[-1], float(shown[column].iloc[-1]))


def location_known(measures_frame: pd.DataFrame) -> str:
    """Whether inside-or-outside can be shown: "no lookup" (never counted: the postcode-district lookup was not
    there), "none located" (counted, but no placement's district is in the lookup) or "located"."""
    if measures_frame["location_unknown"].isna().all():
        return "no lookup"
    return "none located" if measures_frame["inside_share"].isna().all() else "located"
