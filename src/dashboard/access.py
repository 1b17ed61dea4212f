"""Role grants, stored in the database, and who a signed-in account acts as."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.db import session_scope
from dashboard.models import Council, RoleGrant
from dashboard.reference import council_named
from dashboard.roles import REGIONAL_VIEWER, AccessDenied, Actor, Permission, Role, UngrantedPolicy

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_account(text: str) -> str:
    """Sign-in accounts are e-mail addresses, compared without case."""
    account = (text or "").strip().lower()
    if not _EMAIL.fullmatch(account):
        raise ValueError(f"'{text}' is not an e-mail address (the account people sign in with)")
    return account


def account_grants(engine: Engine, account: str) -> list[tuple[str | None, str]]:
    """The account's grants: (council ONS code, or None for every council; role label or REGIONAL_VIEWER)."""
    query = (
        select(Council.ons_code, RoleGrant.role)
        .select_from(RoleGrant)
        .outerjoin(Council, RoleGrant.council_id == Council.id)
        .where(RoleGrant.account == account.strip().lower())
    )
    with engine.connect() as connection:
        return [(council, role) for council, role in connection.execute(query).all()]


def signed_in_too_long(issued_at: object, max_hours: float | None, now: float) -> bool:
    """Whether a sign-in whose identity token was issued at `issued_at` (seconds since 1970, the token's `iat`) has
    passed the council's limit. A token without a time cannot be shown to be within it, so it has passed."""
    if max_hours is None:
        return False
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        return True
    return now - issued_at > max_hours * 3600


def group_roles(groups: object, roles_by_group: dict[str, Role]) -> list[Role]:
    """The roles the account's groups give (the token's `groups` claim: a list of group IDs), as configured."""
    if not roles_by_group or not isinstance(groups, list | tuple):
        return []
    return [roles_by_group[group] for group in groups if isinstance(group, str) and group in roles_by_group]


def signed_in_actor(
    engine: Engine, account: str, policy: UngrantedPolicy, from_groups: Iterable[Role] = ()
) -> Actor | None:
    """The actor for a signed-in account, from its grants and the roles its groups give (`from_groups`, held in every
    council); with none of either, a viewer in every council or nobody (None), as the policy says.

    A role in every council and a higher one in one council give, in each council, the higher of the two."""
    account = account.strip().lower()
    held = account_grants(engine, account)
    everywhere = [Role.parse(role) for council, role in held if council is None and role != REGIONAL_VIEWER]
    everywhere += list(from_groups)
    in_council = {council: Role.parse(role) for council, role in held if council is not None}
    regional = any(role == REGIONAL_VIEWER for _, role in held)
    if not (everywhere or in_council or regional):
        if policy is UngrantedPolicy.REFUSE:
            return None
        everywhere = [Role.VIEWER]
    floor = max(everywhere, default=None)
    if floor is not None and all(role <= floor for role in in_council.values()):
        return Actor(user=account, source="app", role=floor)
    if floor is not None:  # spread the role held everywhere over every council, raised where a council's is higher
        in_council = {code: max(floor, in_council.get(code, floor)) for code in council_codes(engine)}
    councils = tuple(sorted(in_council.items()))
    return Actor(
        user=account,
        source="app",
        role=max(in_council.values(), default=Role.VIEWER),
        councils=councils,
        regional=regional,
    )


def council_codes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(Council.ons_code).order_by(Council.id)))


EVERY_COUNCIL = "Every council"
THE_REGION = "The region"  # where the regional viewer role is held


def grants(engine: Engine, actor: Actor) -> pd.DataFrame:
    """The grants the actor may change: every grant for an admin in every council; a council admin's council's."""
    query = (
        select(RoleGrant.account, Council.ons_code, Council.name, RoleGrant.role)
        .select_from(RoleGrant)
        .outerjoin(Council, RoleGrant.council_id == Council.id)
        .order_by(RoleGrant.account, Council.id.is_not(None), Council.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    shown = [
        (account, name or (THE_REGION if role == REGIONAL_VIEWER else EVERY_COUNCIL), role, code)
        for account, code, name, role in rows
        if actor.can(Permission.GRANT, code)
    ]
    return pd.DataFrame(shown, columns=["Account", "Council", "Role", "Council code"])


def parse_grantable(text: str) -> Role | str:
    """A role the form names: one of the four, or the regional viewer role."""
    if text.strip().lower() == REGIONAL_VIEWER:
        return REGIONAL_VIEWER
    return Role.parse(text)


def _account_to_change(actor: Actor, account: str, verb: str) -> str:
    """The account an admin may change: a valid address, not their own (so no admin locks themselves out). Which
    council's grants they may change is asked once the council is known (_council)."""
    if not actor.can_somewhere(Permission.GRANT):
        actor.require(Permission.GRANT)
    account = normalise_account(account)
    if account == actor.user.lower():
        raise AccessDenied(f"You cannot {verb} your own role; ask another admin.")
    return account


def _council(session: Session, actor: Actor, council: str | None) -> Council | None:
    """The council named (its ONS code or name; None: every council), whose grants the actor must be admin of."""
    where = council_named(session, council) if council is not None else None
    actor.require(Permission.GRANT, where.ons_code if where is not None else None)
    return where


def _grant(session: Session, account: str, council: Council | None) -> RoleGrant | None:
    """The account's grant in the council (None: in every council, or as regional viewer)."""
    held_in = RoleGrant.council_id.is_(None) if council is None else RoleGrant.council_id == council.id
    return session.scalar(select(RoleGrant).where(RoleGrant.account == account, held_in))


def _where(session: Session, council: Council | None, role: str) -> str:
    """Where a grant holds, in words: nothing to say in a store of one council."""
    if council is not None:
        return f" in {council.name}"
    if role == REGIONAL_VIEWER:
        return " across the region"
    return " in every council" if (session.scalar(select(func.count()).select_from(Council)) or 0) > 1 else ""


def grant_role(engine: Engine, actor: Actor, account: str, role: Role | str, council: str | None = None) -> str:
    """Give `account` the role in the council (its ONS code or name; None: every council), replacing any it had
    there. The regional viewer role is held in no council: it reads every council's programme-level figures only."""
    label = role.label if isinstance(role, Role) else role
    if label == REGIONAL_VIEWER and council is not None:
        raise ValueError(f"The {REGIONAL_VIEWER} role is held across the region, not in one council")
    account = _account_to_change(actor, account, "change")
    with session_scope(engine, actor) as session:
        where = _council(session, actor, council)
        grant = _grant(session, account, where)
        if grant is None:
            session.add(RoleGrant(account=account, council=where, role=label))
            return f"{account} now has the {label} role{_where(session, where, label)}."
        if grant.role == label:
            return f"{account} already had the {label} role{_where(session, where, label)}; nothing changed."
        previous, grant.role = grant.role, label
        return f"{account} now has the {label} role{_where(session, where, label)} (was {previous})."


def revoke_role(engine: Engine, actor: Actor, account: str, council: str | None = None) -> str:
    """Remove the account's grant in the council (its ONS code or name; None: its grant in every council, or its
    regional viewer role)."""
    account = _account_to_change(actor, account, "remove")
    with session_scope(engine, actor) as session:
        where = _council(session, actor, council)
        grant = _grant(session, account, where)
        if grant is None:
            return f"{account} had no role granted{_where(session, where, '')}; nothing changed."
        session.delete(grant)
        return f"{account} no longer has the {grant.role} role{_where(session, where, grant.role)}."
