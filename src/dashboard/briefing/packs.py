"""The packs made, by the app or the command line: recorded, listed, and where the next pack's "changes since"
starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Engine, select

from dashboard.briefing.content import CLASSIFICATIONS, long_date
from dashboard.db import session_scope
from dashboard.models import BriefingPack
from dashboard.queries import council_id, id_of_council, require
from dashboard.roles import Actor
from dashboard.wording import day

DEFAULT_SINCE_DAYS = 28  # a four-weekly briefing: "changes since" when no pack was ever made
PACKS_LISTED = 5  # packs made, listed on the Briefing page


# ---------------------------------------------------------------- the packs made (the app's and the command line's)


@dataclass(frozen=True)
class PackMade:
    as_at: date
    since: date
    made_by: str
    source: str  # app, cli
    made_at: datetime  # UTC, naive as stored
    classification: str | None


def record_pack(
    engine: Engine,
    actor: Actor,
    as_at: date,
    since: date,
    classification: str | None,
    made_at: datetime | None = None,
    council: str | None = None,
    region: bool = False,
) -> PackMade:
    """Record that a pack of the council's programme (None: the store's first council's), or with `region` the
    region's, was made: what it covered, who made it, through what (the actor's source) and when.

    Not an audit row: making a pack changes nothing in the programme, so it is no "change since" in the next pack and
    no entry in a property's history. Nor does it move the store's data version: the app's cached reads stay valid,
    and what reads the packs made reads them uncached."""
    if region:  # whoever may read the region's figures may make its pack
        actor.require_region()
    else:
        with engine.connect() as connection:  # whoever may read the council's briefing may make it
            require(connection, actor, council)
    if classification is not None and classification not in CLASSIFICATIONS:
        raise ValueError(f"classification must be one of {', '.join(CLASSIFICATIONS)}, not '{classification}'")
    made = PackMade(
        as_at, since, actor.user, actor.source, made_at or datetime.now(UTC).replace(tzinfo=None), classification
    )
    with session_scope(engine, actor) as session:
        whose = None if region else id_of_council(session, council)
        session.add(
            BriefingPack(
                council_id=whose,
                as_at=made.as_at,
                since=made.since,
                made_by=made.made_by,
                source=made.source,
                made_at=made.made_at,
                classification=made.classification,
            )
        )
    return made


def _whose(council: str | None, region: bool) -> ColumnElement[bool]:
    """The packs of the council (None: the store's first), or with `region` the region's (which name no council)."""
    return BriefingPack.council_id.is_(None) if region else BriefingPack.council_id == council_id(council)


def packs_made(
    engine: Engine, limit: int = PACKS_LISTED, council: str | None = None, region: bool = False
) -> list[PackMade]:
    """The last `limit` packs made of the council's programme (None: the store's first council's), or with `region`
    the region's, newest first."""
    query = (
        select(
            BriefingPack.as_at,
            BriefingPack.since,
            BriefingPack.made_by,
            BriefingPack.source,
            BriefingPack.made_at,
            BriefingPack.classification,
        )
        .where(_whose(council, region))
        .order_by(BriefingPack.made_at.desc(), BriefingPack.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return [PackMade(*row) for row in connection.execute(query)]


def default_since(engine: Engine, as_at: date, council: str | None = None, region: bool = False) -> date:
    """The next pack's "changes since": the day before the last pack was made (UTC). Changes are those after the
    "since" day, so the next pack covers the whole day the last one was made: nothing made later that day is missed
    (something made earlier that day may appear in both). 28 days before `as_at` when no pack was ever made, or when
    the last was made after `as_at` (a pack for a past date)."""
    last = packs_made(engine, 1, council, region)
    if last and last[0].made_at.date() <= as_at:
        return last[0].made_at.date() - timedelta(days=1)
    return as_at - timedelta(days=DEFAULT_SINCE_DAYS)


def packs_table(packs: list[PackMade]) -> pd.DataFrame:
    """The packs made as people read them: what each covered, who made it and when."""
    return pd.DataFrame(
        [
            (
                long_date(pack.as_at),
                long_date(pack.since),
                pack.made_by,
                f"{day(pack.made_at)} {pack.made_at:%H:%M}",
                "the app" if pack.source == "app" else "the command line" if pack.source == "cli" else pack.source,
                pack.classification or "None",
            )
            for pack in packs
        ],
        columns=["Data as at", "Changes since", "Made by", "Made (UTC)", "Made in", "Classification"],
    )
