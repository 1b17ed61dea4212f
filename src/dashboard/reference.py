"""The store's reference data as the code reads it: which council an import or command names, the default council,
and the lookup that turns whatever a person wrote for a district into that district. The files it is loaded from
are read by dashboard.council_files."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.models import Council, District


class UnknownCouncil(ValueError):
    """An import or command that names no council the store holds, or names none where the store holds several."""


def council_named(session: Session, written: str | None) -> Council:
    """The council `written` names (its ONS code or its name, as people write it); with nothing written, the store's
    only council. A store of several councils needs one named: guessing would put rows in the wrong programme."""
    councils = list(session.scalars(select(Council).order_by(Council.id)))
    if not councils:
        raise UnknownCouncil("the store holds no council yet")
    if written is None or not written.strip():
        if len(councils) == 1:
            return councils[0]
        raise UnknownCouncil(
            f"the store holds {len(councils)} councils ({held_councils(councils)}): name the one this is for"
        )
    council = council_matching(councils, written)
    if council is None:
        raise UnknownCouncil(no_such_council(written, councils))
    return council


def council_matching(councils: Sequence[Council], written: str, by_name: bool = True) -> Council | None:
    """The council of `councils` that `written` names: its ONS code or (unless `by_name` is False) its name, ignoring
    case, spacing and punctuation; the first so named."""
    key = normalise_name(written)
    for council in councils:
        if key == normalise_name(council.ons_code) or (by_name and key == normalise_name(council.name)):
            return council
    return None


def held_councils(councils: Sequence[Council]) -> str:
    return ", ".join(f"{council.name} ({council.ons_code})" for council in councils)


def no_such_council(written: str, councils: Sequence[Council]) -> str:
    return f"no council '{written.strip()}' in the store; it holds {held_councils(councils)}"


def default_council(session: Session) -> Council:
    """The council the app opens on and the seed is for: the first the store was given."""
    council = session.scalar(select(Council).order_by(Council.id).limit(1))
    if council is None:
        raise UnknownCouncil("the store holds no council yet")
    return council


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
    def from_session(cls, session: Session, council_id: int | None = None) -> DistrictLookup:
        """Every district of the store, or of one council."""
        by_key: dict[str, int] = {}
        names: list[str] = []
        ons_codes: dict[int, str] = {}
        query = select(District).order_by(District.name)
        if council_id is not None:
            query = query.where(District.council_id == council_id)
        for district in session.scalars(query):
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
