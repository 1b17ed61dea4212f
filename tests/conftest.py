"""Shared fixtures: a fresh, migrated and seeded SQLite store per test (a real file in a temporary folder)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard.db import make_engine
from dashboard.store import ensure_store

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
# The seed's dates were written relative to this day; tests that need a fixed "today" use it.
SEED_TODAY = date(2026, 11, 25)


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def engine(store_url: str) -> Engine:
    engine = make_engine(store_url)
    ensure_store(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(tmp_path: Path) -> Engine:
    """Migrated, with reference data (council, districts, stages, strategy) but no programme."""
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    ensure_store(engine, seed=False)
    yield engine
    engine.dispose()
