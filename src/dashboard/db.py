"""The one owner of connections: engines, sessions, migrations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dashboard import audit, recording, versions
from dashboard.config import database_url
from dashboard.models import Base
from dashboard.roles import SYSTEM, Actor

if TYPE_CHECKING:
    from alembic.config import Config

# Inside the package, in a checkout and an installed wheel alike.
MIGRATIONS_DIR = Path(str(resources.files("dashboard").joinpath("migrations")))
SQLITE_BUSY_TIMEOUT_MS = 10_000
# The newest migration's revision (tests/test_migrations.py checks it is alembic's head). A start on a store already
# at it reads one row and leaves alembic unimported: a fifth of a second off every cold start.
SCHEMA_HEAD = "0018"


# The project's sessions (session_scope). The audit log, recorded history and row versions listen to their flushes, in
# that order, and to no other Session in the process: another library's sessions, or a script's, are left alone.
Sessions = sessionmaker(expire_on_commit=False)
for _listener in (audit.record_changes, recording.record_plans, versions.bump_versions):
    event.listen(Sessions, "before_flush", _listener)


def canonical_json(value: object) -> str:
    """JSON as the store keeps it and the export writes it: keys sorted, text as written (not \\u-escaped)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, json_serializer=canonical_json)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, json_serializer=canonical_json)
    event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL lets readers carry on while one writer commits.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _alembic_config(engine: Engine | None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    if current_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


def downgrade_to_base(engine: Engine) -> None:
    from alembic import command

    command.downgrade(_alembic_config(engine), "base")


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision, None for a store no migration has run on."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def known_revisions() -> set[str]:
    """Every schema revision this version of the code can upgrade from."""
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(_alembic_config(None)).walk_revisions()}


def head_revision() -> str | None:
    """The newest migration, as alembic finds it (SCHEMA_HEAD says the same)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


@contextmanager
def session_scope(engine: Engine, actor: Actor = SYSTEM) -> Iterator[Session]:
    """A session in one transaction: committed if the block succeeds, rolled back if it raises."""
    session = Sessions(bind=engine)
    session.info["actor"] = actor
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def missing_schema(engine: Engine) -> list[str]:
    """Every table ("decision") and column ("property.notes") the models declare that the store lacks, and its
    schema revision if it is not the newest: what the app would fail on."""
    found = inspect(engine)
    tables = set(found.get_table_names())
    missing = [name for name in Base.metadata.tables if name not in tables]
    for table in Base.metadata.tables.values():
        if table.name in tables:
            held = {column["name"] for column in found.get_columns(table.name)}
            missing += [f"{table.name}.{column.name}" for column in table.columns if column.name not in held]
    revision, head = current_revision(engine), head_revision()
    if revision != head:
        missing.append(f"schema revision {head} (it is at {revision})")
    return sorted(missing)
