"""The schema: Alembic migrations build exactly the models' tables and undo cleanly (on SQLite, and on PostgreSQL in
.ci/run's second pass); SQLite runs with its safety pragmas, and reads each property's status from the index made
for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError

from dashboard.db import SCHEMA_HEAD, current_revision, downgrade_to_base, head_revision, make_engine, upgrade_to_head
from dashboard.models import Base
from dashboard.queries import Filters, status_query
from tests.conftest import new_store, on_postgres, sqlite_only

ALEMBIC_TABLE = "alembic_version"


@pytest.fixture
def fresh_engine(tmp_path: Path) -> Engine:
    with new_store(tmp_path, "fresh") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {ALEMBIC_TABLE}


def schema_differences(engine: Engine) -> list:
    """What Alembic's autogenerate would still have to change to make the store match the models."""
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)


def test_upgrade_from_empty_creates_every_table_of_the_models(fresh_engine):
    assert table_names(fresh_engine) == set()

    upgrade_to_head(fresh_engine)

    assert table_names(fresh_engine) == set(Base.metadata.tables)
    for table in Base.metadata.sorted_tables:
        columns = {column["name"] for column in inspect(fresh_engine).get_columns(table.name)}
        assert columns == set(table.columns.keys()), table.name


def test_migrated_schema_matches_the_models_exactly(fresh_engine):
    upgrade_to_head(fresh_engine)

    assert schema_differences(fresh_engine) == []


def test_downgrade_to_base_then_upgrade_again(fresh_engine):
    upgrade_to_head(fresh_engine)

    downgrade_to_base(fresh_engine)
    assert table_names(fresh_engine) == set()
    assert current_revision(fresh_engine) is None

    upgrade_to_head(fresh_engine)
    assert table_names(fresh_engine) == set(Base.metadata.tables)
    assert current_revision(fresh_engine) == head_revision()


def test_store_is_at_the_head_revision(shared_engine):
    assert head_revision() == SCHEMA_HEAD  # a new migration moves SCHEMA_HEAD too, or a start would skip it
    assert current_revision(shared_engine) == head_revision()


@sqlite_only
@pytest.mark.parametrize(
    ("pragma", "is_on"),
    [
        ("foreign_keys", lambda value: value == 1),
        ("journal_mode", lambda value: value == "wal"),
        ("busy_timeout", lambda value: value > 0),
    ],
)
def test_sqlite_pragma_is_set_on_every_connection(fresh_engine, pragma, is_on):
    with fresh_engine.connect() as connection:
        value = connection.exec_driver_sql(f"PRAGMA {pragma}").scalar()
    assert is_on(value), f"PRAGMA {pragma} = {value!r}"


def test_foreign_keys_are_enforced(shared_engine):
    with pytest.raises(IntegrityError), shared_engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO property (reference, phase_id, district_id, provision_model, planned_beds, provenance,"
            " version) VALUES ('ORPHAN-1', 9999, 9999, 'in-house', 2, 'test', 1)"
        )


@pytest.mark.skipif(on_postgres, reason="about SQLite's query planner")
def test_each_propertys_status_is_read_from_its_index(shared_engine):
    """At 10,000 properties the status of every property is an aggregate over 120,000 milestones, on every page:
    read from the index alone it takes about half as long as looking up each milestone's row."""
    today = date.today()
    sql = status_query(Filters(as_at=today), today).compile(shared_engine, compile_kwargs={"literal_binds": True})
    with shared_engine.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]

    assert "SCAN milestone USING COVERING INDEX ix_milestone_property_dates" in plan, plan
