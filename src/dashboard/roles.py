"""Roles, permissions and the actor. Every write and every property-level export in the domain asks the caller's
role here, so a page that forgot to hide a button still cannot change or leak anything.

Roles are cumulative: a viewer reads the dashboard and the briefing; an analyst also sees costs, notes and the audit
trail and exports property-level CSVs; an editor also changes data; an admin also grants roles."""

from __future__ import annotations

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


class AccessDenied(PermissionError):
    """The caller's role does not allow what was asked."""


@dataclass(frozen=True)
class Actor:
    """Who is acting, through what (app, CLI, an import), and with which role; every audit row names one."""

    user: str
    source: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return self.role >= MINIMUM_ROLE[permission]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise AccessDenied(
                f"{self.user} has the {self.role.label} role, which may not {permission.value}: "
                f"that needs the {MINIMUM_ROLE[permission].label} role or above."
            )


# Whoever runs the command line or the seed can open the store file itself: they act as administrators.
SYSTEM = Actor(user="system", source="system", role=Role.ADMIN)


class UngrantedPolicy(StrEnum):
    """What a signed-in account with no grant gets."""

    VIEWER = "viewer"
    REFUSE = "refuse"
