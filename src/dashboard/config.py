"""Settings: where things live (the shipped data, the default store, the database URL) and who the app acts as without
sign-in."""

from __future__ import annotations

import getpass
import math
import os
import re
from importlib import resources
from pathlib import Path

from dashboard.roles import Role, UngrantedPolicy

# The checkout this module sits in (src/dashboard/config.py), which the app runs from. An installed wheel has none:
# `shipped` and `working_dir` say where things are in both cases.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def installed() -> bool:
    """True when the code runs from an installed wheel, which carries the checkout's top-level `data/` and `static/`
    inside the package (pyproject.toml, [tool.hatch.build.targets.wheel.force-include]); False in a checkout."""
    return resources.files("dashboard").joinpath("data").is_dir()


def shipped(folder: str) -> Path:
    """A folder of files the code reads (`data`: reference data and seed; `static`: the base map): inside the
    installed package, else beside `src/` in the checkout."""
    if installed():
        # pip unpacks a wheel into files (it is never imported from a zip), so this is a real folder.
        return Path(str(resources.files("dashboard").joinpath(folder)))
    return PROJECT_ROOT / folder


def working_dir() -> Path:
    """Where the default store and installed boundaries are written: the checkout's data/ folder or, installed, the
    folder the command runs from (never inside the environment's site-packages)."""
    return Path.cwd() if installed() else PROJECT_ROOT / "data"


REFERENCE_DIR = shipped("data") / "reference"
# The council a new store is seeded for, and the one the app opens on: the programme the project starts from.
DEFAULT_COUNCIL_FILE = REFERENCE_DIR / "hertfordshire.toml"
SEED_DIR = shipped("data") / "seed"


def boundaries_file() -> Path:
    """Where installed district boundaries live: `DASHBOARD_BOUNDARIES` if set, else boundaries/ in `working_dir`."""
    return Path(os.environ.get("DASHBOARD_BOUNDARIES") or working_dir() / "boundaries" / "districts.geojson")


def database_url() -> str:
    """`DATABASE_URL` if set, else the SQLite file dashboard.sqlite in `working_dir`."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{working_dir() / 'dashboard.sqlite'}"


class SettingError(ValueError):
    """An environment variable holds a value the app cannot use."""


def local_user() -> str:
    """Who the app acts as when no sign-in is configured: `DASHBOARD_LOCAL_USER`, else the login name."""
    return (os.environ.get("DASHBOARD_LOCAL_USER") or "").strip() or getpass.getuser()


def local_role() -> Role:
    """The local user's role (`DASHBOARD_LOCAL_ROLE`, default admin): one person running the app on their machine."""
    value = os.environ.get("DASHBOARD_LOCAL_ROLE") or Role.ADMIN.label
    try:
        return Role.parse(value)
    except ValueError as error:
        raise SettingError(f"DASHBOARD_LOCAL_ROLE: {error}") from None


def ungranted_policy() -> UngrantedPolicy:
    """What a signed-in account with no grant gets (`DASHBOARD_UNGRANTED`): "viewer" (the default) or "refuse"."""
    value = (os.environ.get("DASHBOARD_UNGRANTED") or UngrantedPolicy.VIEWER).strip().lower()
    try:
        return UngrantedPolicy(value)
    except ValueError:
        options = ", ".join(policy.value for policy in UngrantedPolicy)
        raise SettingError(f"DASHBOARD_UNGRANTED: '{value}' is not one of: {options}") from None


def contact() -> str:
    """Whom to ask for a role, help or to report a problem (`DASHBOARD_CONTACT`, set by an administrator: a name, an
    e-mail address or a team), else the dashboard's administrator."""
    return (os.environ.get("DASHBOARD_CONTACT") or "").strip() or "the dashboard's administrator"


def session_max_hours() -> float | None:
    """How long a sign-in lasts in the app (`DASHBOARD_SESSION_MAX_HOURS`), counted from when the identity provider
    issued it; None when unset: as long as Streamlit's own cookie, 30 days."""
    value = (os.environ.get("DASHBOARD_SESSION_MAX_HOURS") or "").strip()
    if not value:
        return None
    try:
        hours = float(value)
    except ValueError:
        raise SettingError(f"DASHBOARD_SESSION_MAX_HOURS: '{value}' is not a number of hours") from None
    if not (math.isfinite(hours) and hours > 0):
        raise SettingError(f"DASHBOARD_SESSION_MAX_HOURS: '{value}' must be a number of hours more than 0")
    return hours


def role_groups() -> dict[str, Role]:
    """Roles given by group membership (`DASHBOARD_ROLE_GROUPS`: `GROUP_ID=role` pairs separated by commas), for an
    identity provider whose token lists the account's groups, such as Entra ID's `groups` claim."""
    roles: dict[str, Role] = {}
    for pair in re.split(r"[\s,;]+", os.environ.get("DASHBOARD_ROLE_GROUPS") or ""):
        if not pair:
            continue
        group, equals, role = pair.partition("=")
        if not equals or not group:
            raise SettingError(f"DASHBOARD_ROLE_GROUPS: '{pair}' is not GROUP_ID=role")
        try:
            roles[group] = Role.parse(role)
        except ValueError as error:
            raise SettingError(f"DASHBOARD_ROLE_GROUPS: {group}: {error}") from None
    return roles
