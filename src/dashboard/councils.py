"""The councils a store holds: adding one from its reference file (`council add`), and listing them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.council_files import put_council, read_council_file
from dashboard.db import session_scope
from dashboard.models import Council, District, Strategy
from dashboard.reference import normalise_name
from dashboard.roles import Actor, Permission


class CouncilRefused(ValueError):
    """The council cannot be added as the file stands; nothing was written."""


def add_council(engine: Engine, actor: Actor, path: Path) -> str:
    """Add the council `path` describes (its districts and strategy). Refused, with nothing written, when the file is
    at fault, the council is already held, or one of its districts is written as another council's is."""
    actor.require(Permission.GRANT)
    reference = read_council_file(path)
    part = reference.council
    with session_scope(engine, actor) as session:
        held = session.scalar(select(Council).where(Council.ons_code == part.ons_code))
        if held is not None:
            raise CouncilRefused(f"{held.name} ({held.ons_code}) is already in the store; nothing was added")
        # A district written as another council's would make an import's district ambiguous across the region.
        others: dict[str, District] = {}
        for district in session.scalars(select(District)):
            for written in (district.ons_code, district.name, *(alias.alias for alias in district.aliases)):
                others[normalise_name(written)] = district
        clashes = [
            f"'{written}' ({item.name}) already names {other.name}, a district of {other.council.name}"
            for item in reference.districts
            for written in item.written_forms()
            if (other := others.get(normalise_name(written))) is not None
        ]
        if clashes:
            raise CouncilRefused(f"{path.name}: " + "; ".join(clashes) + "; nothing was added")
        put_council(session, reference)
    districts = len(reference.districts)
    return (
        f"Added {part.name} ({part.ons_code}): {districts} district{'s' * (districts != 1)}, and its strategy "
        f"{reference.strategy.name} with a target of {reference.strategy.bed_target} beds."
    )


def council_list(engine: Engine) -> pd.DataFrame:
    """Each council with its districts and strategy, in the order they were added (the first is the default)."""
    districts = select(func.count()).where(District.council_id == Council.id).scalar_subquery()
    query = (
        select(Council.ons_code, Council.name, Council.synthetic, districts, Strategy.name, Strategy.bed_target)
        .outerjoin(Strategy, Strategy.council_id == Council.id)
        .order_by(Council.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=["ONS code", "Council", "Synthetic", "Districts", "Strategy", "Bed target"])
