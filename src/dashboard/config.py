"""Settings: where things live (the data folder, the database URL) and who the app acts as without sign-in."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from dashboard.roles import Role, UngrantedPolicy

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_FILE = DATA_DIR / "reference" / "hertfordshire.toml"
SEED_DIR = DATA_DIR / "seed"
DEFAULT_SQLITE_PATH = DATA_DIR / "dashboard.sqlite"


def boundaries_file() -> Path:
    """Where installed district boundaries live: `DASHBOARD_BOUNDARIES` if set, else data/boundaries/."""
    return Path(os.environ.get("DASHBOARD_BOUNDARIES") or DATA_DIR / "boundaries" / "districts.geojson")


def database_url() -> str:
    """`DATABASE_URL` if set, else the embedded SQLite file under data/."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


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
