"""Roles, permissions and the actor. Every write and every property-level export in the domain asks the caller's
role here, so a page that forgot to hide a button still cannot change or leak anything.

Roles are cumulative: a viewer reads the dashboard and the briefing; an analyst also sees costs, notes and the audit
trail and exports property-level CSVs; an editor also changes data; an admin also grants roles.

A role is held in one council or in every council of the store. Where a store holds several councils (a regional care
co-operative), each council's staff are granted roles in their own council and see only its properties; a regional
viewer reads every council's programme-level figures (the Region page) and no council's properties."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Role(IntEnum):
    VIEWER = 1
    ANALYST = 2
    EDITOR = 3
    ADMIN = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    def __str__(self) -> str:
        return self.label

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"'{text}' is not a role: {', '.join(role.label for role in cls)}") from None


class Permission(StrEnum):
    READ = "read the dashboard and the briefing"
    SEE_DETAIL = "see property costs, notes and the audit trail"
    EXPORT_PROPERTIES = "export property-level CSVs"
    EDIT = "change data"
    GRANT = "grant roles"


# The one place that says which role each permission needs.
MINIMUM_ROLE: dict[Permission, Role] = {
    Permission.READ: Role.VIEWER,
    Permission.SEE_DETAIL: Role.ANALYST,
    Permission.EXPORT_PROPERTIES: Role.ANALYST,
    Permission.EDIT: Role.EDITOR,
    Permission.GRANT: Role.ADMIN,
}


def permissions_of(role: Role) -> list[Permission]:
    return [permission for permission, minimum in MINIMUM_ROLE.items() if role >= minimum]


# Not a Role: it ranks beside none of them. It reads the region's programme-level figures and nothing of a council's
# own, so an account may hold it beside a role in its own council.
REGIONAL_VIEWER = "regional viewer"

# A council's role (ONS code, role), one pair per council; the actor's `councils`.
CouncilRoles = tuple[tuple[str, Role], ...]


class AccessDenied(PermissionError):
    """The caller's role does not allow what was asked."""


@dataclass(frozen=True)
class Actor:
    """Who is acting, through what (app, CLI, an import), and with which role; every audit row names one.

    `councils` None: the role holds in every council (a store-wide grant, the command line, local mode). Otherwise
    the role held in each council named, and none in any other; `role` is then the highest of them (what the
    sidebar says), and a permission is asked of one council (`can(permission, council)`). `regional`: also reads
    every council's programme-level figures."""

    user: str
    source: str
    role: Role
    councils: CouncilRoles | None = None
    regional: bool = False

    @property
    def store_wide(self) -> bool:
        return self.councils is None

    def role_in(self, council: str) -> Role | None:
        """The role held in the council (an ONS code), if any."""
        if self.councils is None:
            return self.role
        return dict(self.councils).get(council)

    def can(self, permission: Permission, council: str | None = None) -> bool:
        """Whether the actor may do it in the council; with no council, across the whole store (every council's
        data at once: the audit trail, the whole-store export, adding a council)."""
        if council is None:
            held = self.role if self.councils is None else None
        else:
            held = self.role_in(council)
        return held is not None and held >= MINIMUM_ROLE[permission]

    @property
    def role_in_any(self) -> bool:
        """Whether the actor holds a role in some council (a regional viewer alone holds none)."""
        return self.councils is None or bool(self.councils)

    def can_somewhere(self, permission: Permission) -> bool:
        """Whether there is any council the actor may do it in: which pages the sidebar offers."""
        return self.role_in_any and self.role >= MINIMUM_ROLE[permission]

    @property
    def reads_region(self) -> bool:
        """Whether the actor may read every council's programme-level figures side by side (the Region page)."""
        return self.regional or self.councils is None

    def readable(self, councils: Iterable[str]) -> list[str]:
        """Of `councils` (ONS codes), those whose programme the actor may open, in the order given."""
        return [council for council in councils if self.role_in(council) is not None]

    def councils_with(self, permission: Permission) -> tuple[str, ...] | None:
        """The councils (ONS codes) the actor may do it in; None: every council."""
        if self.can(permission):
            return None
        return tuple(code for code, role in self.councils or () if role >= MINIMUM_ROLE[permission])

    def require(self, permission: Permission, council: str | None = None) -> None:
        if not self.can(permission, council):
            raise AccessDenied(self._refusal(permission, council))

    def require_region(self) -> None:
        if not self.reads_region:
            raise AccessDenied(
                f"{self.user} may not read every council's figures side by side: that needs the {REGIONAL_VIEWER} "
                "role or a role in every council."
            )

    def roles_in_words(self, names: Mapping[str, str]) -> str:
        """The roles held, as the sidebar says them: "editor", or "editor in Northmarsh, regional viewer" (`names`:
        each council's name by its ONS code)."""
        held = (
            [self.role.label]
            if self.councils is None
            else [f"{role.label} in {names.get(code, code)}" for code, role in self.councils]
        )
        return ", ".join(held + [REGIONAL_VIEWER] * self.regional) or "no role"

    def scope(self) -> tuple[Role, CouncilRoles | None, bool]:
        """What the actor may read, without who it is: two actors of the same scope read the same figures, so cached
        reads are keyed by it (and shared between them)."""
        return self.role, self.councils, self.regional

    def _refusal(self, permission: Permission, council: str | None) -> str:
        needs = f"that needs the {MINIMUM_ROLE[permission].label} role or above"
        if council is None and self.councils is not None:
            return f"{self.user} may not {permission.value} across every council: {needs} in every council."
        held = self.role if council is None else self.role_in(council)
        where = "" if council is None or self.councils is None else f" in council {council}"
        if held is None:
            return f"{self.user} holds no role{where}, so may not {permission.value}: {needs}."
        return f"{self.user} has the {held.label} role{where}, which may not {permission.value}: {needs}."


# Whoever runs the command line or the seed can open the store file itself: they act as administrators.
SYSTEM = Actor(user="system", source="system", role=Role.ADMIN)


class UngrantedPolicy(StrEnum):
    """What a signed-in account with no grant gets."""

    VIEWER = "viewer"
    REFUSE = "refuse"
