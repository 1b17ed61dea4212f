"""Moving a whole store to another database, as a council does when it outgrows one SQLite file: every row of every
table, ids and audit trail included, in one transaction on the target, checked by counting before it commits."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, func, insert, inspect, select, text

from dashboard.db import is_sqlite, upgrade_to_head
from dashboard.models import Base

BATCH = 5_000
# A council's own data. A target holding any is refused; the reference data a new store starts with (council,
# districts, stages, strategy: the same everywhere) is replaced by the source's.
COUNCIL_DATA = ("property", "milestone", "decision", "phase", "audit_log", "role_grant", "placement_figure",
                "postcode_district", "market_figure", "objective_setting", "property_record", "milestone_record",
                "briefing_pack")  # fmt: skip


class CopyError(RuntimeError):
    """The copy was refused or did not add up; the target is as it was."""


def copy_store(source: Engine, target: Engine) -> dict[str, int]:
    """Copy every row of `source` into `target`, which must hold no data yet (an empty database, or an empty store).
    Both are first brought to the newest schema. Returns the rows copied per table. On any failure the target is
    left with no data (its tables may have been created)."""
    if source.url == target.url:
        raise CopyError("the source and the target are the same database")
    _refuse_unless_empty(target)
    upgrade_to_head(source)
    upgrade_to_head(target)
    counts: dict[str, int] = {}
    tables = Base.metadata.sorted_tables  # parents before children
    with source.connect() as reading, target.begin() as writing:
        for table in reversed(tables):  # rows a migration added (reference data) make way for the source's own
            writing.execute(table.delete())
        for table in tables:
            rows = reading.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            copied = 0
            while batch := rows.fetchmany(BATCH):
                writing.execute(insert(table), [dict(row) for row in batch])
                copied += len(batch)
            counts[table.name] = copied
        for table in tables:
            written = writing.execute(select(func.count()).select_from(table)).scalar_one()
            if written != counts[table.name]:
                raise CopyError(f"{table.name}: {counts[table.name]} rows read but {written} written")
        if not is_sqlite(target):
            _move_id_sequences_on(writing)
    return counts


def _refuse_unless_empty(target: Engine) -> None:
    with target.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for name in COUNCIL_DATA:
            table = Base.metadata.tables[name]
            if name in present and connection.execute(select(func.count()).select_from(table)).scalar_one():
                raise CopyError(f"the target already holds data ({name} has rows): copy into an empty database")


def _move_id_sequences_on(connection: Connection) -> None:
    """PostgreSQL hands out ids from a sequence per table, which rows inserted with their ids do not move on: set
    each past the largest id copied, so the next row added gets a new one."""
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c:
            continue
        past_the_largest = "SELECT setval(pg_get_serial_sequence(:table, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM "
        connection.execute(text(past_the_largest + table.name), {"table": table.name})
