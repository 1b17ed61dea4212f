"""The schema: Alembic migrations build exactly the models' tables and undo cleanly (on SQLite, and on PostgreSQL in
.ci/run's second pass); SQLite runs with its safety pragmas, and reads each property's status from the index made
for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from dashboard.db import (
    SCHEMA_HEAD,
    _alembic_config,
    current_revision,
    downgrade_to_base,
    head_revision,
    make_engine,
    upgrade_to_head,
)
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


# SQLite cannot reflect an index on an expression (the keys' lower()), so Alembic passes over those there; the
# PostgreSQL pass compares them, and test_keys_are_unique_ignoring_case holds them on both.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
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


# ---------------------------------------------------------------- 0008: keys unique ignoring case

# A second row for each key, in other capitals (the seed holds RS-P1-01, B147/24 and Phase 2).
CASE_VARIANTS = {
    "property": "INSERT INTO property (reference, phase_id, district_id, provision_model, planned_beds, provenance, "
    "version) SELECT 'rs-p1-01', phase_id, district_id, provision_model, planned_beds, 'test', 1 "
    "FROM property WHERE reference = 'RS-P1-01'",
    "decision": "INSERT INTO decision (reference, title, decision_type, key_decision, provenance) "
    "SELECT 'b147/24', title, decision_type, key_decision, 'test' FROM decision "
    "WHERE reference = 'B147/24'",
    "phase": "INSERT INTO phase (strategy_id, name, provenance) SELECT strategy_id, 'PHASE 2', 'test' FROM phase "
    "WHERE name = 'Phase 2'",
}


@pytest.mark.parametrize("table", CASE_VARIANTS)
def test_keys_are_unique_ignoring_case(shared_engine, table):
    with pytest.raises(IntegrityError), shared_engine.begin() as connection:
        connection.execute(text(CASE_VARIANTS[table]))


def test_a_store_holding_keys_in_other_capitals_is_refused_by_the_upgrade_naming_each(engine):
    command.downgrade(_alembic_config(engine), "0007")
    with engine.begin() as connection:  # allowed before 0008: this is what an older store may hold
        for insert in CASE_VARIANTS.values():
            connection.execute(text(insert))

    with pytest.raises(RuntimeError) as refused:
        upgrade_to_head(engine)

    message = str(refused.value)
    for pair in (
        "B147/24 and b147/24 (decision references)",
        "PHASE 2 and Phase 2 (phase names)",
        "RS-P1-01 and rs-p1-01 (property references)",
    ):
        assert pair in message
    assert "Nothing was changed" in message
    assert current_revision(engine) == "0007"

    with engine.begin() as connection:  # a person decides which is right; then the upgrade goes ahead
        for table, key, variant in (
            ("property", "reference", "rs-p1-01"),
            ("decision", "reference", "b147/24"),
            ("phase", "name", "PHASE 2"),
        ):
            connection.execute(text(f"DELETE FROM {table} WHERE {key} = :variant"), {"variant": variant})
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(CASE_VARIANTS["property"]))
