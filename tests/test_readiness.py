"""`python -m dashboard check`, the readiness check a container's health check and a proxy run: exit 0 only for a store
that is reachable, at the newest schema and holds every table and column; otherwise one line saying why, exit 1, and
nothing changed (no store created, nothing migrated)."""

from __future__ import annotations

from sqlalchemy import text

from dashboard.db import SCHEMA_HEAD, current_revision
from tests.conftest import sqlite_only
from tests.test_cli import assert_failed_cleanly, assert_succeeded, row_counts


def test_a_store_at_the_newest_schema_is_ready(run_cli, engine, store_url):
    before = row_counts(store_url)

    result = run_cli("check")

    assert_succeeded(result)
    assert "Ready: the store is reachable, at the newest schema, with every table and column." in result.stdout
    assert row_counts(store_url) == before


@sqlite_only
def test_a_missing_store_is_not_ready_and_not_created(run_cli, tmp_path):
    missing = tmp_path / "volume" / "dashboard.sqlite"

    result = run_cli("check", database_url=f"sqlite:///{missing}")

    assert_failed_cleanly(result, f"Error: not ready: there is no store at {missing}")
    assert not missing.parent.exists()


@sqlite_only
def test_a_file_that_is_not_a_store_is_not_ready(run_cli, tmp_path):
    damaged = tmp_path / "dashboard.sqlite"
    damaged.write_bytes(b"not a database, though named as one" * 100)

    result = run_cli("check", database_url=f"sqlite:///{damaged}")

    assert_failed_cleanly(result, "Error: not ready: the store cannot be read: file is not a database")


def test_a_store_behind_the_newest_schema_is_not_ready_and_not_migrated(run_cli, engine):
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0010'"))

    result = run_cli("check")

    assert_failed_cleanly(result, f"Error: not ready: the store lacks schema revision {SCHEMA_HEAD} (it is at 0010)")
    assert current_revision(engine) == "0010"


def test_a_store_missing_a_table_or_a_column_is_not_ready_and_says_which(run_cli, engine):
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE briefing_pack"))
        connection.execute(text("ALTER TABLE property DROP COLUMN status_note"))

    result = run_cli("check")

    assert_failed_cleanly(
        result, "Error: not ready: the store lacks briefing_pack; the store lacks property.status_note"
    )


def test_a_database_that_cannot_be_reached_is_not_ready(run_cli):
    # Port 1 on this machine: nothing listens there, so the connection is refused at once.
    result = run_cli("check", database_url="postgresql+psycopg://dashboard@127.0.0.1:1/dashboard")

    assert_failed_cleanly(result, "Error: not ready: the store cannot be read: ")
