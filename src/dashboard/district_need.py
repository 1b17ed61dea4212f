"""The demand forecast's need for beds shared out over the districts, beside the programme's beds in each: the
Districts map's second measures. Pure functions over dashboard.demand's frames (the forecast as made on import, never
made again here), shared out by dashboard.need.need_by_district alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard import demand, need
from dashboard import forecast as f

NEED = "need"
SHARE_OF_NEED = "share_of_need"
SECURED_LESS_NEED = "secured_less_need"
NEED_MEASURES = {"Forecast need (beds)": NEED, "Beds secured less forecast need": SECURED_LESS_NEED}


def central_needed(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The central scenario's beds needed (demand.EXPORT_COLUMNS of demand.forecasts), by month end."""
    rows = forecasts[(forecasts["scenario"] == demand.CENTRAL) & (forecasts["measure"] == demand.BEDS_NEEDED)]
    return rows.sort_values("period_end").reset_index(drop=True)


@dataclass(frozen=True)
class DistrictNeed:
    """The central scenario's beds needed at the end of its forecast (`at`), shared over the districts as the
    children in children's homes over `reference` came from them. `frame` is metrics.by_district's with
    share_of_need, need and secured_less_need; `not_known` the beds needed for children the map cannot place (home
    district not known, or outside the council), `not_known_share` their share."""

    frame: pd.DataFrame
    at: date
    needed: float
    not_known: float
    not_known_share: float
    reference: tuple[date, date]

    @property
    def shared(self) -> bool:
        """Whether any child in a children's home over the reference window was counted, so need was shared out."""
        return bool(self.frame[SHARE_OF_NEED].sum() + self.not_known_share > 0)

    def caption(self) -> str:
        """What the need measures are, and the share the map cannot draw, in words."""
        made = (
            f"Forecast need is the central scenario's beds needed at {self.at:%B %Y} ({self.needed:.1f} beds), "
            f"shared over the districts as the children in children's homes from {self.reference[0]:%B %Y} to "
            f"{self.reference[1]:%B %Y} came from them (their home postcode's district). Beds secured are the "
            "programme's in the view."
        )
        if not self.shared:
            return f"{made} No child in a children's home then had a home postcode: the need is not shared out."
        return (
            f"{made} {self.not_known_share:.0%} of the need ({self.not_known:.1f} beds) is for children whose home "
            "district is not known or is outside the council: the map cannot draw it."
        )


def with_need(
    by_district: pd.DataFrame, made_from: f.Basis, forecasts: pd.DataFrame, runs: pd.DataFrame
) -> DistrictNeed | None:
    """metrics.by_district's frame with the central scenario's need beside each district's beds; None when no
    central forecast is held."""
    needed = central_needed(forecasts)
    central = runs[runs["scenario"] == demand.CENTRAL]
    if needed.empty or central.empty:
        return None
    last = needed.iloc[-1]
    reference = (central["reference_first"].iloc[0], central["reference_last"].iloc[0])
    shared = need.need_by_district(made_from, reference, float(last["expected"]), by_district)
    placed = shared["ons_code"] != need.NOT_KNOWN
    columns = shared.loc[placed, ["ons_code", "share", NEED]].rename(columns={"share": SHARE_OF_NEED})
    frame = by_district.merge(columns, on="ons_code", how="left", validate="one_to_one")
    frame[SECURED_LESS_NEED] = frame["secured"] - frame[NEED]
    outside = shared.loc[~placed].iloc[0]
    return DistrictNeed(
        frame=frame,
        at=last["period_end"],
        needed=float(last["expected"]),
        not_known=float(outside[NEED]),
        not_known_share=float(outside["share"]),
        reference=reference,
    )


@dataclass(frozen=True)
class NeedForecast:
    """The central scenario's beds needed beside the programme's beds and the target (need.comparison), and the
    SSDA903 data the forecast rests on."""

    compared: pd.DataFrame
    data: tuple[date, date]

    @property
    def crossing(self) -> need.Crossing:
        return need.crossing(self.compared)


def need_forecast(
    forecasts: pd.DataFrame, runs: pd.DataFrame, status: pd.DataFrame, as_at: date, target: int
) -> NeedForecast | None:
    """The forecast held (demand.forecasts and demand.runs), as the pack tells it; None when there is none, or when
    it rests on data after the as-at date (a pack for a past date says what was known then)."""
    needed = central_needed(forecasts)
    central = runs[runs["scenario"] == demand.CENTRAL]
    if needed.empty or central.empty or central["data_last"].iloc[0] > as_at:
        return None
    data = (central["data_first"].iloc[0], central["data_last"].iloc[0])
    return NeedForecast(need.comparison(needed, status, as_at, target), data)
