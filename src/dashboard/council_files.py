"""The reference files (data/reference): each council, its districts and strategy, the region, and the stages,
loaded into the store. A council's file (data/reference/<council>.toml, or one given to `council add`) is checked
whole before anything is written: every fault is named by its place in the file ("districts[3].ons_code")."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.config import REFERENCE_DIR
from dashboard.models import Council, District, DistrictAlias, Region, Stage, Strategy
from dashboard.reference import normalise_name
from dashboard.stages import STAGES

# A GSS code: a letter for the nation, two digits for the kind of area, six for the area (E10000015, E07000095).
OnsCode = Annotated[str, StringConstraints(pattern=r"^[ENSW]\d{8}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LongName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
REGION_FILE = "region.toml"
Model = TypeVar("Model", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CouncilPart(_Strict):
    ons_code: OnsCode
    name: Name
    synthetic: bool = False


class StrategyPart(_Strict):
    name: LongName
    bed_target: int = Field(ge=1, le=100_000)
    provenance: LongName


class DistrictPart(_Strict):
    ons_code: OnsCode
    name: Name
    short_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None = None
    former_codes: list[OnsCode] = []
    aliases: list[Name] = []
    tile: tuple[float, int] | None = None

    def written_forms(self) -> list[str]:
        return [self.ons_code, self.name, *self.former_codes, *self.aliases]


class CouncilFile(_Strict):
    """One council's reference file."""

    council: CouncilPart
    strategy: StrategyPart
    districts: list[DistrictPart] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_district_written_one_way(self) -> CouncilFile:
        """No two districts share a code or a name, however written: an import could not tell them apart."""
        seen: dict[str, int] = {}
        for index, district in enumerate(self.districts):
            for written in district.written_forms():
                first = seen.setdefault(normalise_name(written), index)
                if first != index:
                    raise ValueError(
                        f"'{written}' names both districts[{first}] ({self.districts[first].name}) and "
                        f"districts[{index}] ({district.name})"
                    )
        return self


class RegionPart(_Strict):
    name: LongName
    bed_target: int | None = Field(default=None, ge=1, le=1_000_000)
    provenance: LongName


class RegionFile(_Strict):
    region: RegionPart


class ReferenceFileError(ValueError):
    """A reference file that cannot be read or does not hold what it must; nothing was written."""


def _faults(error: ValidationError) -> str:
    def place(location: tuple) -> str:
        text = ""
        for part in location:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text or "the file"

    return "; ".join(f"{place(fault['loc'])}: {fault['msg']}" for fault in error.errors())


def _read(path: Path, model: type[Model]) -> Model:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ReferenceFileError(f"{path.name} cannot be read: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ReferenceFileError(f"{path.name} is not TOML: {error}") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ReferenceFileError(f"{path.name}: {_faults(error)}") from None


def read_council_file(path: Path) -> CouncilFile:
    return _read(path, CouncilFile)


def council_files(folder: Path = REFERENCE_DIR) -> list[Path]:
    """The councils' files the store is kept in step with, in name order (the region's file is not one)."""
    return sorted(path for path in folder.glob("*.toml") if path.name != REGION_FILE)


def put_council(session: Session, reference: CouncilFile) -> Council:
    """Make the store's council, its districts and its strategy match `reference`. The strategy's target is set only
    when the strategy is first created, so a target changed later in the store is not put back."""
    council = session.scalar(select(Council).where(Council.ons_code == reference.council.ons_code))
    if council is None:
        council = Council(ons_code=reference.council.ons_code, name=reference.council.name, districts=[])
        session.add(council)
    council.name, council.synthetic = reference.council.name, reference.council.synthetic

    existing = {district.ons_code: district for district in council.districts}
    for item in reference.districts:
        district = existing.get(item.ons_code)
        if district is None:
            district = District(ons_code=item.ons_code, name=item.name, council=council)
            session.add(district)
        district.name = item.name
        district.short_name = item.short_name
        district.tile_x, district.tile_row = item.tile or (None, None)
        wanted = {(code, "former_code") for code in item.former_codes}
        wanted |= {(alias, "name") for alias in item.aliases}
        have = {(alias.alias, alias.kind) for alias in district.aliases}
        for alias, kind in sorted(wanted - have):
            district.aliases.append(DistrictAlias(alias=alias, kind=kind))

    strategy = session.scalar(select(Strategy).where(Strategy.council == council))
    if strategy is None:
        part = reference.strategy
        session.add(Strategy(council=council, name=part.name, bed_target=part.bed_target, provenance=part.provenance))
    session.flush()
    return council


def _put_stages(session: Session) -> None:
    stages = {stage.key: stage for stage in session.scalars(select(Stage))}
    for position, stage in enumerate(STAGES, start=1):
        row = stages.get(stage.key) or Stage(key=stage.key)
        # Positions are unique: park existing rows out of the way before renumbering.
        row.position, row.label, row.reaches = position + 1000, stage.label, stage.reaches
        session.add(row)
    session.flush()
    for position, stage in enumerate(STAGES, start=1):
        session.get(Stage, stage.key).position = position  # type: ignore[union-attr]


def put_region(session: Session, reference: RegionFile) -> Region:
    """The store's region as `reference` says (a store has one region at most)."""
    region = session.scalar(select(Region)) or Region()
    region.name, region.bed_target = reference.region.name, reference.region.bed_target
    region.provenance = reference.region.provenance
    session.add(region)
    session.flush()
    return region


def sync_reference_data(session: Session, folder: Path = REFERENCE_DIR) -> None:
    """Make the store's stages, councils and region match the files in `folder`. Idempotent: safe on every start.
    Every file is read and checked before the store is touched. Councils added with `council add` are kept."""
    councils = [read_council_file(path) for path in council_files(folder)]
    region_path = folder / REGION_FILE
    region = _read(region_path, RegionFile) if region_path.exists() else None
    _put_stages(session)
    for council in councils:
        put_council(session, council)
    if region is not None:
        put_region(session, region)
