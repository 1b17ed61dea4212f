"""Shared fixtures: a fresh, migrated and seeded store per test: a real SQLite file in a temporary folder, or, when
DASHBOARD_TEST_POSTGRES names a PostgreSQL server (as .ci/run does for its second pass), a database of its own on
that server, created for the test and dropped after it."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from dashboard.db import make_engine
from dashboard.layout import PROPERTIES
from dashboard.models import Base
from dashboard.store import ensure_store

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
# The seed's dates were written relative to this day; tests that need a fixed "today" use it.
SEED_TODAY = date(2026, 11, 25)


# A PostgreSQL account that may create databases, e.g. postgresql+psycopg://dashboard:dashboard@127.0.0.1/postgres.
POSTGRES_URL = os.environ.get("DASHBOARD_TEST_POSTGRES")
on_postgres = POSTGRES_URL is not None
sqlite_only = pytest.mark.skipif(on_postgres, reason="about the SQLite file itself")


@contextmanager
def new_store(folder: Path, name: str) -> Iterator[str]:
    """The URL of a new, empty store: a SQLite file in `folder`, or a new database on the test PostgreSQL server."""
    if not on_postgres:
        yield f"sqlite:///{folder / name}.sqlite"
        return
    database = f"test_{name}_{uuid.uuid4().hex[:12]}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        yield make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)
        with server.connect() as connection:  # FORCE: an app or CLI process the test started may still be connected
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    finally:
        server.dispose()


@contextmanager
def synthetic_store(folder: Path, properties: int, seed: int) -> Iterator[str]:
    """The URL of a new store holding a synthetic programme (demo-data): none of it the illustrative seed."""
    from dashboard.demo import build_demo

    with new_store(folder, "demo") as url:
        engine = make_engine(url)
        ensure_store(engine, seed=False)
        build_demo(engine, properties, seed=seed, today=SEED_TODAY)
        engine.dispose()
        yield url


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    with new_store(tmp_path, "store") as url:
        yield url


@pytest.fixture
def engine(store_url: str) -> Engine:
    engine = make_engine(store_url)
    ensure_store(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(tmp_path: Path) -> Engine:
    """Migrated, with reference data (council, districts, stages, strategy) but no programme."""
    with new_store(tmp_path, "empty") as url:
        engine = make_engine(url)
        ensure_store(engine, seed=False)
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """One seeded store for all of a module's tests that only read it or must leave it unchanged (seeded once, so
    the many refusal tests stay fast). A test that writes uses `engine`."""
    with new_store(tmp_path_factory.mktemp("shared"), "shared") as url:
        engine = make_engine(url)
        ensure_store(engine)
        yield engine
        engine.dispose()


# ---------------------------------------------------------------- helpers shared by the foundation tests

# A property that is valid in the seeded store (Phase 2 exists there); tests change one cell at a time.
NEW_PROPERTY: dict[str, str] = {
    "Reference": "NEW-01",
    "Phase": "Phase 2",
    "District": "North Herts",
    "Provision model": "in-house",
    "Planned beds": "3",
    "Identified actual": "2025-01-06",
    "Offer accepted actual": "2025-02-10",
    "Completion planned": "2025-06-30",
}


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: two equal dumps mean nothing in the store changed."""
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def write_csv(
    path: Path, rows: Iterable[Mapping[str, str]], headers: Sequence[str] = PROPERTIES.headers, encoding: str = "utf-8"
) -> Path:
    """A CSV with `headers` (the tracker's by default); cells a row does not name are left blank."""
    lines = [list(headers)] + [[row.get(header, "") for header in headers] for row in rows]
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(lines)
    return path


def run_dashboard(*args: object, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m dashboard ARGS` as a real process on `database_url`, as a user runs it from `cwd`."""
    env = {**os.environ, "DATABASE_URL": database_url, "COLUMNS": "80"}
    env.pop("DASHBOARD_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture
def run_cli(tmp_path: Path, store_url: str):
    """Run the command line on `store_url` (or another database), from a scratch folder."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()

    def run(*args: object, database_url: str = store_url) -> subprocess.CompletedProcess[str]:
        return run_dashboard(*args, database_url=database_url, cwd=workdir)

    return run


@pytest.fixture
def app(monkeypatch, store_url, engine):
    """The app on the seeded store, opened at its default page through AppTest."""
    from tests.apptest import open_app

    return open_app(monkeypatch, store_url)


def plain_sql(url: str, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    """The rows of hand-written SQL on the store at `url`, whichever database it is: an independent count to hold a
    page's figures against. `?` marks each parameter, as in sqlite3; pass dates as dates."""
    numbers = iter(range(len(params)))
    bound = re.sub(r"\?", lambda _: f":p{next(numbers)}", sql)
    engine = make_engine(url)
    try:
        sqlite = engine.dialect.name == "sqlite"  # which keeps dates as ISO text
        values = {
            f"p{n}": value.isoformat() if sqlite and isinstance(value, date) else value
            for n, value in enumerate(params)
        }
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(bound), values)]
    finally:
        engine.dispose()


def beds_by_sql(url: str, stage: str, as_at: date, where: str = "", params: Sequence[object] = ()) -> int:
    """Beds of properties whose `stage` had an actual date by `as_at`, straight from the tables, independently of the
    domain's ledger: planned beds, or registered places once Ofsted registration had happened by then."""
    sql = f"""
        SELECT COALESCE(SUM(CASE WHEN reg.actual_on <= ? AND p.registered_beds IS NOT NULL
                                 THEN p.registered_beds ELSE p.planned_beds END), 0)
        FROM property p
        JOIN milestone m ON m.property_id = p.id AND m.stage_key = ?
        LEFT JOIN milestone reg ON reg.property_id = p.id AND reg.stage_key = 'ofsted_registration'
        JOIN district d ON d.id = p.district_id JOIN phase ph ON ph.id = p.phase_id
        WHERE m.actual_on <= ? {where}"""
    return plain_sql(url, sql, (as_at, stage, as_at, *params))[0][0]
