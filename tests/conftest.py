"""Shared fixtures: a fresh, migrated and seeded store per test: a real SQLite file in a temporary folder, or, when
DASHBOARD_TEST_POSTGRES names a PostgreSQL server (as .ci/run does for its second pass), a database of its own on
that server, created for the test and dropped after it. Each test process migrates and seeds one template store once
and every test gets a copy of it (a file copy, or CREATE DATABASE ... TEMPLATE): seeding takes seconds, a copy
milliseconds. The command line runs in this process (Typer's CliRunner), as fast as a function call; `run_process`
runs it as a real process, for the few tests about the entry point itself."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from rich.console import Console
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from dashboard.bootstrap import ensure_store
from dashboard.db import make_engine
from dashboard.layout import PROPERTIES
from dashboard.logs import JsonLines, logger
from dashboard.models import Base

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
# Screenshots the browser and proxy tests take, for people to look at (git-ignored).
SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
# The seed's dates were written relative to this day; tests that need a fixed "today" use it.
SEED_TODAY = date(2026, 11, 25)
FIRST_COUNCIL = 1  # the id of the seed's council, Hertfordshire: the first the store is given


# Generated-data tests draw all their examples in a full run (`-m ""`, as CI runs) and a quarter of them in the fast
# loop: the same properties, checked less deeply after every change and fully before a change lands.
_full_depth = True


def pytest_configure(config: pytest.Config) -> None:
    global _full_depth
    _full_depth = config.getoption("markexpr", "") == ""


def examples(full: int) -> int:
    """How many examples a generated-data test draws: `full` in a full run, a quarter of it in the fast loop."""
    return full if _full_depth else max(10, full // 4)


# A PostgreSQL account that may create databases, e.g. postgresql+psycopg://dashboard:dashboard@127.0.0.1/postgres.
POSTGRES_URL = os.environ.get("DASHBOARD_TEST_POSTGRES")
on_postgres = POSTGRES_URL is not None
sqlite_only = pytest.mark.skipif(on_postgres, reason="about the SQLite file itself")


@contextmanager
def new_store(folder: Path, name: str, template: str | None = None) -> Iterator[str]:
    """The URL of a new store: a SQLite file in `folder`, or a new database on the test PostgreSQL server; empty, or
    a copy of the store at `template`."""
    if not on_postgres:
        url = f"sqlite:///{folder / name}.sqlite"
        if template:
            copy_from_template(template, url)
        yield url
        return
    database = f"test_{name}_{uuid.uuid4().hex[:12]}"
    url = make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)
    try:
        with _postgres_server() as server:
            server.execute(text(f'CREATE DATABASE "{database}"'))
        if template:
            copy_from_template(template, url)
        yield url
    finally:
        with _postgres_server() as server:  # FORCE: an app or CLI process the test started may still be connected
            server.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


@contextmanager
def _postgres_server() -> Iterator[Connection]:
    """A connection to the test PostgreSQL server outside any transaction (CREATE and DROP DATABASE need that)."""
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            yield connection
    finally:
        server.dispose()


def copy_from_template(template: str, url: str) -> None:
    """Make the store at `url` (new, and not yet opened) a copy of the store at `template`, which nothing may have
    open: SQLite's file is then whole (its write-ahead log folded in), and PostgreSQL copies only an idle template."""
    if not on_postgres:
        source = Path(make_url(template).database)
        assert not Path(f"{source}-wal").exists(), f"{source} is still open: its last changes are not in the file"
        shutil.copyfile(source, make_url(url).database)
        return
    database, source = make_url(url).database, make_url(template).database
    with _postgres_server() as server:
        server.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        server.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{source}"'))


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


@contextmanager
def _template(factory: pytest.TempPathFactory, seed: bool) -> Iterator[str]:
    """A migrated store with the reference data (and the seed programme when `seed`), built once and then only
    copied: its engine is disposed, so no connection holds it open."""
    with new_store(factory.mktemp("template"), "seeded" if seed else "empty") as url:
        engine = make_engine(url)
        ensure_store(engine, seed=seed)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeded store every `engine` and `shared_engine` starts as (one per test process: xdist's workers each
    build their own)."""
    with _template(tmp_path_factory, seed=True) as url:
        yield url


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The migrated store with reference data but no programme that every `empty_engine` starts as."""
    with _template(tmp_path_factory, seed=False) as url:
        yield url


@pytest.fixture(scope="session")
def seeded_sqlite_file(seeded_template: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded store as a SQLite file whichever database the tests run on, to copy for a test whose store is always
    a SQLite file (on SQLite, the template itself; nothing may open it)."""
    if not on_postgres:
        return Path(make_url(seeded_template).database)
    path = tmp_path_factory.mktemp("template") / "seeded.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    ensure_store(engine)
    engine.dispose()
    return path


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    """The URL of a new store that does not exist yet (an empty database on PostgreSQL): `engine` fills it."""
    with new_store(tmp_path, "store") as url:
        yield url


@pytest.fixture
def engine(store_url: str, seeded_template: str) -> Iterator[Engine]:
    """The store at `store_url`, migrated and seeded (a copy of the template: what `ensure_store` makes of it)."""
    copy_from_template(seeded_template, store_url)
    engine = make_engine(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(tmp_path: Path, empty_template: str) -> Iterator[Engine]:
    """Migrated, with reference data (council, districts, stages, strategy) but no programme."""
    with new_store(tmp_path, "empty", template=empty_template) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory: pytest.TempPathFactory, seeded_template: str) -> Iterator[Engine]:
    """One seeded store for all of a module's tests that only read it or must leave it unchanged (so the many
    refusal tests share one store). A test that writes uses `engine`."""
    with new_store(tmp_path_factory.mktemp("shared"), "shared", template=seeded_template) as url:
        engine = make_engine(url)
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


def _dashboard_environment(database_url: str) -> dict[str, str | None]:
    """What a user's shell gives the command: the store, an 80-column terminal, and no DASHBOARD_DEBUG (which
    would show a traceback)."""
    return {"DATABASE_URL": database_url, "COLUMNS": "80", "DASHBOARD_DEBUG": None}


def run_dashboard(*args: object, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m dashboard ARGS` on `database_url`, run from `cwd`, in this process: the same `main()` (whose
    handler turns an unexpected error into a message), its exit code, stdout and stderr as a process would give them.
    Not thread-safe (stdout, the environment and the working folder are the process's own): call it from one thread."""
    from dashboard import cli

    argv = ["dashboard", *map(str, args)]
    runner = CliRunner()
    with (
        runner.isolation(env=_dashboard_environment(database_url)) as (stdout, stderr, _),
        contextlib.chdir(cwd),
        mock.patch.object(sys, "argv", argv),
        # A new console, as a new process has: one made now sees the captured stderr (no terminal) and 80 columns.
        mock.patch.object(cli, "err", Console(stderr=True)),
    ):
        try:
            cli.main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
        sys.stdout.flush()
        sys.stderr.flush()
        out, err = stdout.getvalue().decode(), stderr.getvalue().decode()  # read before the streams are closed
    return subprocess.CompletedProcess(argv, code, out, err)


def run_process(*args: object, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m dashboard ARGS` as a real process on `database_url`, as a user runs it from `cwd`: for the tests of
    the entry point itself and of what reaches a terminal when something goes wrong."""
    env = {
        key: value for key, value in {**os.environ, **_dashboard_environment(database_url)}.items() if value is not None
    }
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
    """Run the command line (in this process) on `store_url` (or another database), from a scratch folder."""
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


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the dashboard's logger writes, as JSON lines, while the test runs."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonLines())
    found = logger()
    found.addHandler(handler)
    yield written
    found.removeHandler(handler)


def log_entries(written: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in written.getvalue().splitlines()]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, driven by Playwright (the browser tests'; none is downloaded)."""
    from playwright.sync_api import sync_playwright

    from bench.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
