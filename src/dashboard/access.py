"""Role grants, stored in the database, and who a signed-in account acts as."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.db import session_scope
from dashboard.models import RoleGrant
from dashboard.roles import AccessDenied, Actor, Permission, Role, UngrantedPolicy

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_account(text: str) -> str:
    """Sign-in accounts are e-mail addresses, compared without case."""
    account = (text or "").strip().lower()
    if not _EMAIL.fullmatch(account):
        raise ValueError(f"'{text}' is not an e-mail address (the account people sign in with)")
    return account


def granted_role(engine: Engine, account: str) -> Role | None:
    with engine.connect() as connection:
        role = connection.scalar(select(RoleGrant.role).where(RoleGrant.account == account.strip().lower()))
    return Role.parse(role) if role else None


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
    """The actor for a signed-in account: the highest of its granted role and the roles its groups give
    (`from_groups`), else a viewer or nobody (None), as the policy says."""
    held = [role for role in (granted_role(engine, account), *from_groups) if role is not None]
    role = max(held, default=None)
    if role is None:
        if policy is UngrantedPolicy.REFUSE:
            return None
        role = Role.VIEWER
    return Actor(user=account.strip().lower(), source="app", role=role)


def grants(engine: Engine) -> pd.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(select(RoleGrant.account, RoleGrant.role).order_by(RoleGrant.account)).all()
    return pd.DataFrame(rows, columns=["Account", "Role"])


def _account_to_change(actor: Actor, account: str, verb: str) -> str:
    """The account an admin may change: a valid address, not their own (so no admin locks themselves out)."""
    actor.require(Permission.GRANT)
    account = normalise_account(account)
    if account == actor.user.lower():
        raise AccessDenied(f"You cannot {verb} your own role; ask another admin.")
    return account


def grant_role(engine: Engine, actor: Actor, account: str, role: Role) -> str:
    """Give `account` the role (replacing any it had)."""
    account = _account_to_change(actor, account, "change")
    with session_scope(engine, actor) as session:
        grant = session.scalar(select(RoleGrant).where(RoleGrant.account == account))
        if grant is None:
            session.add(RoleGrant(account=account, role=role.label))
            return f"{account} now has the {role.label} role."
        if grant.role == role.label:
            return f"{account} already had the {role.label} role; nothing changed."
        previous, grant.role = grant.role, role.label
        return f"{account} now has the {role.label} role (was {previous})."


def revoke_role(engine: Engine, actor: Actor, account: str) -> str:
    account = _account_to_change(actor, account, "remove")
    with session_scope(engine, actor) as session:
        grant = session.scalar(select(RoleGrant).where(RoleGrant.account == account))
        if grant is None:
            return f"{account} had no role granted; nothing changed."
        session.delete(grant)
        return f"{account} no longer has a role granted."
