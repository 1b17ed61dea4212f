"""The forecast's beds needed set beside the programme's beds and the target, month by month and district by
district, and where the lines cross said in words. Pure functions over dashboard.demand's frames and the property
status (dashboard.queries)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard import forecast as f
from dashboard import metrics
from dashboard.wording import plural

NOT_KNOWN = ""  # the district of a home postcode the lookup cannot place
COMPARISON_COLUMNS = ["period_end", "expected", "lower", "upper", "programme_beds", "target"]


def programme_beds(status: pd.DataFrame, as_at: date, period_ends: pd.Series) -> pd.Series:
    """The programme's beds at each period end: those open by then, and each secured property's beds from its
    forecast opening date (dashboard.metrics.forecast_dates; a property not secured, or with no planned opening,
    does not count). The ledger's beds: registered places once registered, else those planned."""
    opens_on = status["open_actual_on"].fillna(
        metrics.forecast_dates(status, "open", as_at).where(status["secured_actual_on"].notna())
    )
    events = pd.DataFrame({"on": opens_on, "beds": metrics.ledger(status)["beds"]}).dropna().sort_values("on")
    cumulative = events["beds"].cumsum()
    counted = events["on"].searchsorted(pd.to_datetime(period_ends), side="right")
    beds = [int(cumulative.iloc[n - 1]) if n else 0 for n in counted]
    return pd.Series(beds, index=period_ends.index, name="programme_beds")


def comparison(needed: pd.DataFrame, status: pd.DataFrame, as_at: date, target: int) -> pd.DataFrame:
    """One scenario's beds needed (f.FORECAST_COLUMNS, one measure) beside the programme's beds and the target
    (COMPARISON_COLUMNS), by month end."""
    frame = needed.sort_values("period_end").reset_index(drop=True)[["period_end", "expected", "lower", "upper"]]
    frame["programme_beds"] = programme_beds(status, as_at, frame["period_end"])
    frame["target"] = target
    return frame[COMPARISON_COLUMNS]


@dataclass(frozen=True)
class Crossing:
    """Where the programme's beds meet the forecast need: `met_from` the first month end from which they meet the
    expected need to the end of the forecast (None: they do not by its end); `short_at_end` the beds the expected
    need lacks at the end; `upper_short` the most beds the upper forecast lacks at any month end from `met_from`
    (or the end)."""

    met_from: date | None
    first: date
    last: date
    short_at_end: int
    upper_short: int
    needed_at_end: int
    upper_at_end: int
    target: int

    def sentence(self) -> str:
        """The crossing in words, as the page and the briefing give it."""
        if self.met_from is None:
            met = (
                f"The programme's beds fall short of forecast need by {plural(self.short_at_end, 'bed')} at "
                f"{self.last:%B %Y}"
            )
        elif self.met_from == self.first:
            met = f"The programme's beds meet forecast need throughout, {self.first:%B %Y} to {self.last:%B %Y}"
        else:
            met = f"The programme's beds meet forecast need from {self.met_from:%B %Y}"
        upper = (
            f"the upper forecast needs {self.upper_short} more"
            if self.upper_short > 0
            else "they meet the upper forecast's too"
        )
        return f"{met}; {upper}."

    def against_target(self) -> str:
        """The target beside the need at the end of the forecast."""
        gap = self.target - self.needed_at_end
        side = f"{plural(abs(gap), 'bed')} {'above' if gap >= 0 else 'below'}"
        return (
            f"At {self.last:%B %Y} the forecast needs {plural(self.needed_at_end, 'bed')} (up to "
            f"{self.upper_at_end}); the target of {self.target} is {side} that."
        )


def crossing(compared: pd.DataFrame) -> Crossing:
    """Where the lines of `comparison` cross. Need is counted in whole beds, rounded up."""
    needed = compared["expected"].map(math.ceil)
    upper = compared["upper"].map(math.ceil)
    beds = compared["programme_beds"]
    short = (needed - beds).clip(lower=0)
    # The first month end after the last one short: from it the beds meet need to the end.
    still_short = short.to_numpy().nonzero()[0]
    met_at = 0 if len(still_short) == 0 else int(still_short[-1]) + 1
    met_from = compared["period_end"].iloc[met_at] if met_at < len(compared) else None
    upper_from = met_at if met_at < len(compared) else len(compared) - 1
    upper_short = int((upper - beds).iloc[upper_from:].clip(lower=0).max())
    return Crossing(
        met_from=met_from,
        first=compared["period_end"].iloc[0],
        last=compared["period_end"].iloc[-1],
        short_at_end=int(short.iloc[-1]),
        upper_short=upper_short,
        needed_at_end=int(needed.iloc[-1]),
        upper_at_end=int(upper.iloc[-1]),
        target=int(compared["target"].iloc[-1]),
    )


def need_by_district(
    made_from: f.Basis, reference: tuple[date, date], needed: float, districts: pd.DataFrame
) -> pd.DataFrame:
    """The beds `needed` shared out over the council's districts (ons_code, name) as the children in children's
    homes over `reference` came from them (their home postcode's district): ons_code, name, share, need; a last row
    (ons_code NOT_KNOWN) for children whose home the lookup could not place, or who lived outside the council. Every
    district is listed; the shares add up to 1 when any child was counted."""
    homes = made_from.homes_by_district
    inside = homes[(homes["period_end"] >= reference[0]) & (homes["period_end"] <= reference[1])]
    counted = inside.groupby("district")["children"].sum()
    total = counted.sum()
    every = pd.concat(
        [districts[["ons_code", "name"]], pd.DataFrame({"ons_code": [NOT_KNOWN], "name": ["Not known or outside"]})],
        ignore_index=True,
    )
    every["share"] = every["ons_code"].map(counted).fillna(0.0) / total if total else 0.0
    every["need"] = every["share"] * needed
    return every
