"""Reference data (the council, its districts, the stages, the strategy) loaded from data/reference into the store,
and the lookup that turns whatever a person wrote for a district into that district."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.config import REFERENCE_FILE
from dashboard.models import Council, District, DistrictAlias, Stage, Strategy
from dashboard.stages import STAGES


def load_reference(path: Path = REFERENCE_FILE) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def sync_reference_data(session: Session, path: Path = REFERENCE_FILE) -> Strategy:
    """Make the store's council, districts, stages and strategy match the reference file; return the strategy.

    Idempotent: safe on every start. The strategy's target is only set when the strategy is first created, so a
    target changed later in the store is not put back."""
    reference = load_reference(path)
    council_data = reference["council"]
    council = session.scalar(select(Council).where(Council.ons_code == council_data["ons_code"]))
    if council is None:
        council = Council(ons_code=council_data["ons_code"], name=council_data["name"])
        session.add(council)

    existing = {district.ons_code: district for district in council.districts}
    for item in reference["districts"]:
        district = existing.get(item["ons_code"])
        if district is None:
            district = District(ons_code=item["ons_code"], name=item["name"], council=council)
            session.add(district)
        district.name = item["name"]
        district.short_name = item.get("short_name")
        district.tile_x, district.tile_row = item.get("tile", (None, None))
        wanted = {(code, "former_code") for code in item.get("former_codes", [])}
        wanted |= {(alias, "name") for alias in item.get("aliases", [])}
        have = {(alias.alias, alias.kind) for alias in district.aliases}
        for alias, kind in sorted(wanted - have):
            district.aliases.append(DistrictAlias(alias=alias, kind=kind))

    stages = {stage.key: stage for stage in session.scalars(select(Stage))}
    for position, stage in enumerate(STAGES, start=1):
        row = stages.get(stage.key) or Stage(key=stage.key)
        # Positions are unique: park existing rows out of the way before renumbering.
        row.position, row.label, row.reaches = position + 1000, stage.label, stage.reaches
        session.add(row)
    session.flush()
    for position, stage in enumerate(STAGES, start=1):
        session.get(Stage, stage.key).position = position  # type: ignore[union-attr]

    strategy_data = reference["strategy"]
    strategy = session.scalar(select(Strategy).where(Strategy.council == council))
    if strategy is None:
        strategy = Strategy(
            council=council,
            name=strategy_data["name"],
            bed_target=strategy_data["bed_target"],
            provenance=strategy_data["provenance"],
        )
        session.add(strategy)
    session.flush()
    return strategy


def normalise_name(text: str) -> str:
    """'St. Albans City & District' -> 'stalbanscitydistrict': case, spacing and punctuation do not matter."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class DistrictLookup:
    """Every way of writing each district, normalised: what importers, the edit form and links are read through."""

    by_key: dict[str, int]
    names: tuple[str, ...]
    ons_codes: dict[int, str]  # district id -> its ONS code in force

    @classmethod
    def from_session(cls, session: Session) -> DistrictLookup:
        by_key: dict[str, int] = {}
        names: list[str] = []
        ons_codes: dict[int, str] = {}
        for district in session.scalars(select(District).order_by(District.name)):
            names.append(district.name)
            ons_codes[district.id] = district.ons_code
            by_key[normalise_name(district.ons_code)] = district.id
            by_key[normalise_name(district.name)] = district.id
            for alias in district.aliases:
                by_key[normalise_name(alias.alias)] = district.id
        return cls(by_key=by_key, names=tuple(names), ons_codes=ons_codes)

    def resolve(self, written: str) -> int | None:
        return self.by_key.get(normalise_name(written))

    def resolve_code(self, written: str) -> str | None:
        """The ONS code in force of the district `written` names ("North Herts", "E07000101"), if any."""
        found = self.resolve(written)
        return None if found is None else self.ons_codes[found]
