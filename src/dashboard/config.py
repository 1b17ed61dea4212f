"""Where things live: the project's data folder and the database URL."""

from __future__ import annotations

import os
from pathlib import Path

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
