"""The region: each council's programme side by side (beds against its own target, how far it is, how many
properties are late, the share of its beds in homes the council runs itself), the region's beds together against
its joint target, and every council's districts with their beds secured, for the region's map. Programme-level
figures only: no property of any council is named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import pandas as pd
from sqlalchemy import Engine

from dashboard import demand
from dashboard.boundaries import council_boundaries
from dashboard.district_need import NeedForecast, need_forecast
from dashboard.metrics import BedTotals, bed_totals, by_district, ledger, slippage, target_forecast
from dashboard.provenance import SYNTHETIC, Banner, banners
from dashboard.queries import (
    Filters,
    StrategyInfo,
    councils,
    districts,
    phases,
    read_status,
    strategy_info,
    synthetic_councils,
)
from dashboard.roles import Actor
from dashboard.wording import plural

COLUMNS = [
    "council",
    "target",
    "open",
    "registered",
    "secured",
    "pipeline",
    "still_to_find",
    "open_share",
    "late_properties",
    "in_house_share",
    "target_reached_on",
    "need_at_end",
    "need_by",
]


# A district's row on the region's map: whose it is, its names, and its beds secured.
DISTRICT_COLUMNS = ["council_code", "council", "ons_code", "name", "short_name", "secured"]


@dataclass(frozen=True)
class CouncilProgramme:
    code: str  # the council's ONS code
    strategy: StrategyInfo
    status: pd.DataFrame  # queries.read_status for the council, as at the region's date
    phases: pd.DataFrame  # queries.phases for the council
    districts: pd.DataFrame  # queries.districts for the council
    synthetic: bool  # an invented council (demo-data --councils)
    need: NeedForecast | None = None  # the demand forecast beside it, where the council has one


@dataclass(frozen=True)
class RegionFigures:
    """What the Region page shows: programme-level figures only, so a regional viewer may read them."""

    side_by_side: pd.DataFrame  # councils_side_by_side
    banners: list[Banner]  # region_banners
    districts: pd.DataFrame  # region_districts: each council's districts and their beds secured


def region_figures(engine: Engine, actor: Actor, as_at: date, today: date) -> RegionFigures:
    """Each council's programme-level figures as at `as_at`, side by side, for an actor who may read the region's.
    The councils' property-level rows are read here and go no further."""
    actor.require_region()
    found = programmes(engine, as_at, today)
    return RegionFigures(councils_side_by_side(found, as_at), region_banners(found), region_districts(found))


def programmes(engine: Engine, as_at: date, today: date) -> list[CouncilProgramme]:
    """Each council's whole programme as at `as_at`, with its demand forecast where it holds one, in the store's
    order of councils (for region_figures, which asks the actor)."""
    invented = set(synthetic_councils(engine))
    found = []
    for code in councils(engine):
        strategy = strategy_info(engine, code)
        status = read_status(engine, Filters(as_at=as_at, council=code), today)
        need = need_forecast(
            demand.forecasts(engine, code), demand.runs(engine, code), status, as_at, strategy.bed_target
        )
        found.append(
            CouncilProgramme(
                code, strategy, status, phases(engine, code), districts(engine, code), code in invented, need
            )
        )
    return found


def region_banners(programmes: list[CouncilProgramme]) -> list[Banner]:
    """The banners every page shows over synthetic, illustrative or inferred figures, for all the councils' properties
    together, and one naming any invented council."""
    found = banners(pd.concat([p.status for p in programmes]), pd.concat([p.phases for p in programmes]))
    invented = [p.strategy.council for p in programmes if p.synthetic]
    if invented and not any(banner.kind == SYNTHETIC for banner in found):
        made_up = "made up for demonstrations and benchmarks (`demo-data --councils`), not councils' records"
        what = "an invented council" if len(invented) == 1 else "invented councils"
        found.insert(0, Banner(SYNTHETIC, f"{', '.join(invented)}: {what}, {made_up}."))
    return found


def council_row(programme: CouncilProgramme, as_at: date) -> dict[str, object]:
    """One council's figures, each read from the definitions its own pages use (the bed ledger, `slippage`)."""
    strategy, status = programme.strategy, programme.status
    totals = bed_totals(status, strategy.bed_target)
    book = ledger(status)
    beds = int(book["beds"].sum())
    in_house = int(book.loc[status["provision_model"] == "in-house", "beds"].sum())
    return {
        "council": strategy.council,
        "target": strategy.bed_target,
        "open": totals.open,
        "registered": totals.registered,
        "secured": totals.secured,
        "pipeline": totals.pipeline,
        "still_to_find": totals.still_to_find,
        "open_share": totals.open / strategy.bed_target,
        "late_properties": len(slippage(status, as_at)),
        "in_house_share": in_house / beds if beds else None,
        "target_reached_on": target_forecast(status, totals, as_at).reached_on,
        # The central forecast's beds needed at its last month, as the Forecast page and the briefing give it.
        "need_at_end": programme.need.crossing.needed_at_end if programme.need else None,
        "need_by": programme.need.crossing.last if programme.need else None,
    }


def councils_side_by_side(programmes: list[CouncilProgramme], as_at: date) -> pd.DataFrame:
    """A row per council, in the store's order."""
    return pd.DataFrame([council_row(programme, as_at) for programme in programmes], columns=COLUMNS)


def need_note(side_by_side: pd.DataFrame) -> str | None:
    """What the forecast need column is, and whose it is; None where no council holds a forecast."""
    held = side_by_side.loc[side_by_side["need_at_end"].notna(), "council"].astype(str).tolist()
    if not held:
        return None
    missing = len(side_by_side) - len(held)
    blank = f"; blank for {plural(missing, 'council')} with no return imported" if missing else ""
    return (
        "Forecast need: each council's demand forecast from its own SSDA903 return, the central scenario's beds its "
        f"own children's homes need at the forecast's last month (held for {', '.join(held)}{blank})."
    )


def region_totals(side_by_side: pd.DataFrame, region_target: int | None) -> BedTotals:
    """The councils' beds together, against the region's joint target where it has one, else the sum of the
    councils' own targets."""
    target = region_target if region_target is not None else int(side_by_side["target"].sum())
    return BedTotals(
        target=target,
        open=int(side_by_side["open"].sum()),
        registered=int(side_by_side["registered"].sum()),
        secured=int(side_by_side["secured"].sum()),
        pipeline=int(side_by_side["pipeline"].sum()),
    )


# ---------------------------------------------------------------- the region's districts


def council_districts(programme: CouncilProgramme) -> pd.DataFrame:
    """A council's districts with their beds secured, as its Districts page counts them (metrics.by_district)."""
    frame = by_district(programme.status, programme.districts, programme.strategy.bed_target)
    return frame.assign(council_code=programme.code, council=programme.strategy.council)[DISTRICT_COLUMNS]


def region_districts(programmes: list[CouncilProgramme]) -> pd.DataFrame:
    """Every council's districts, council by council in the store's order (DISTRICT_COLUMNS)."""
    frames = [council_districts(programme) for programme in programmes]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DISTRICT_COLUMNS)


class DistrictMap(NamedTuple):
    """What the region's district map draws: the councils whose boundaries are installed."""

    districts: pd.DataFrame  # region_districts of the councils drawn
    boundaries: dict | None  # their installed boundaries together; None when no council's are installed
    without: list[str]  # the councils not drawn, by name in the store's order


def district_map(region: pd.DataFrame, installed: dict | None) -> DistrictMap:
    """The councils of `region` (region_districts) with all their districts' boundaries installed, and the rest."""
    drawn, features, without = [], [], []
    for code, council in region.groupby("council_code", sort=False):
        found = council_boundaries(installed, council["ons_code"])
        if found is None:
            without.append(str(council["council"].iloc[0]))
        else:
            drawn.append(code)
            features += found["features"]
    return DistrictMap(
        region[region["council_code"].isin(drawn)].reset_index(drop=True),
        {"type": "FeatureCollection", "features": features} if features else None,
        without,
    )


INSTALL_HINT = "`python -m dashboard boundaries --from FILE` installs a council's (a GeoJSON file of its districts)"


def boundaries_caption(without: list[str], councils: int, hint: bool = True) -> str | None:
    """What the map leaves out, and (with `hint`, for those who can) how to put it on: None when every council is
    drawn."""
    if not without:
        return None
    if len(without) == councils:
        said = "No council's district boundaries are installed, so the region has no district map yet"
    else:
        said = f"Not on the map: {', '.join(without)}, whose district boundaries are not installed"
    return f"{said}: {INSTALL_HINT}." if hint else f"{said}."
