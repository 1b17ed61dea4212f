"""Bringing a store to life: migrate to the newest schema, load reference data, seed a new store's programme."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select

from dashboard.config import DEFAULT_COUNCIL_FILE, SEED_DIR
from dashboard.db import session_scope, upgrade_to_head
from dashboard.models import Strategy
from dashboard.roles import Actor, Role

if TYPE_CHECKING:
    from dashboard.importing import ImportReport

SEED_ACTOR = Actor(user="system", source="seed", role=Role.EDITOR)


class SeedError(RuntimeError):
    pass


@dataclass(frozen=True)
class StoreStatus:
    created: bool  # the store had no programme before this start
    seeded: bool


def ensure_store(engine: Engine, seed: bool = True, seed_dir: Path = SEED_DIR) -> StoreStatus:
    """Upgrade to head and load reference data; a store starting empty gets the seed programme (when `seed`).

    Safe to call on every start: an existing store keeps its data."""
    from dashboard.council_files import sync_reference_data  # checks the files with pydantic: only when starting

    upgrade_to_head(engine)
    with session_scope(engine, SEED_ACTOR) as session:
        created = session.scalar(select(func.count()).select_from(Strategy)) == 0
        sync_reference_data(session)
    if not (created and seed):
        return StoreStatus(created=created, seeded=False)
    report = seed_programme(engine, seed_dir)
    return StoreStatus(created=created, seeded=report.written)


def seed_programme(engine: Engine, seed_dir: Path = SEED_DIR) -> ImportReport:
    """The decision record's facts and the illustrative rest (Hertfordshire's), through the importer analysts use."""
    from dashboard.council_files import read_council_file
    from dashboard.importing import import_path  # here: only a new store needs the importer and its validation

    council = read_council_file(DEFAULT_COUNCIL_FILE).council.ons_code
    report = import_path(engine, seed_dir, SEED_ACTOR, council=council)
    if not report.ok:
        raise SeedError("The seed data in data/seed does not import:\n" + report.summary())
    return report
