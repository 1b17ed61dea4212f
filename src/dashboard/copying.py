"""Moving a whole store to another database, as a council does when it outgrows one SQLite file: every row of every
table, ids and audit trail included, in one transaction on the target, checked by counting before it commits.

SQLite keeps whatever it is given, so an old store may hold values the schema does not allow and PostgreSQL refuses:
text longer than its column, a NUL character, a whole number beyond PostgreSQL's integer. Every value is checked
against the schema before anything is written, and each one at fault is named by table, row (its key) and column; a
refusal by the target that the check did not foresee names its table and row too. Either way nothing is copied."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    String,
    Table,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from dashboard.db import is_sqlite, upgrade_to_head
from dashboard.models import Base

BATCH = 5_000
INTEGER_LIMIT = 2**31  # PostgreSQL's integer holds -2**31 to 2**31 - 1; SQLite's holds up to 2**63 - 1
FAULTS_SHOWN = 20  # a store with thousands of faults is named by its first ones and a count
# A council's own data. A target holding any is refused; the reference data a new store starts with (council,
# districts, stages, strategy: the same everywhere) is replaced by the source's.
COUNCIL_DATA = (
    "property",
    "milestone",
    "decision",
    "phase",
    "audit_log",
    "role_grant",
    "sign_in",
    "placement_figure",
    "objective_measure",
    "postcode_district",
    "market_figure",
    "ofsted_home",
    "objective_setting",
    "property_record",
    "milestone_record",
    "briefing_pack",
    "forecast_basis",
    "forecast_backtest",
    "forecast_scenario",
    "forecast_run",
    "forecast_point",
)


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
    _refuse_unstorable(source)
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
                _insert(writing, table, [dict(row) for row in batch])
                copied += len(batch)
            counts[table.name] = copied
        for table in tables:
            written = writing.execute(select(func.count()).select_from(table)).scalar_one()
            if written != counts[table.name]:
                raise CopyError(f"{table.name}: {counts[table.name]} rows read but {written} written")
        if not is_sqlite(target):
            _move_id_sequences_on(writing)
    return counts


def _insert(writing: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """The rows inserted, or a CopyError naming the first the target refuses (its SQL and values never shown)."""
    try:
        with writing.begin_nested():  # a savepoint: after a refusal the transaction can go on to find the row
            writing.execute(insert(table), rows)
    except DBAPIError:
        for row in rows:
            try:
                with writing.begin_nested():
                    writing.execute(insert(table), [row])
            except DBAPIError as error:
                raise CopyError(f"the target refused {_row_name(table, row)}: {_reason(error)}") from None
        raise CopyError(f"the target refused the rows of {table.name} together, though it takes each one") from None


def _reason(error: DBAPIError) -> str:
    """The database's own reason in words: its first line only (the lines after it may quote values)."""
    lines = str(error.orig).strip().splitlines()
    return lines[0][:200] if lines else "no reason given"


def _refuse_unstorable(source: Engine) -> None:
    """A CopyError naming every value of `source` that the schema does not allow, before anything is written."""
    faults = list(unstorable_values(source))
    if not faults:
        return
    shown = faults[:FAULTS_SHOWN]
    more = f"\n  and {len(faults) - len(shown):,} more" if len(faults) > len(shown) else ""
    raise CopyError(
        f"{len(faults):,} value(s) in the store cannot be kept in the target: correct them in the store "
        "(the app's edit pages, or an import) and copy again:\n  " + "\n  ".join(shown) + more
    )


def unstorable_values(source: Engine) -> Iterator[str]:
    """Each value the schema does not allow (too long for its column, a NUL character, a whole number beyond
    PostgreSQL's integer), as "table, row (its key), column: what is wrong", in words."""
    with source.connect() as reading:
        for table in Base.metadata.sorted_tables:
            checks = {column.name: check for column in table.columns if (check := _check_for(column))}
            if not checks:
                continue
            rows = reading.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            while batch := rows.fetchmany(BATCH):
                for row in batch:
                    for name, check in checks.items():
                        if fault := check(row[name]):
                            yield f"{_row_name(table, row)}, {name}: {fault}"


Check = Callable[[object], str | None]  # a value -> what is wrong with it, in words (None: nothing)


def _check_for(column: Column) -> Check | None:
    """What the column's type allows, as a check of a value."""
    kind = column.type
    if isinstance(kind, String):
        return lambda value: _text_fault(value, kind.length)
    if isinstance(kind, Integer) and not isinstance(kind, BigInteger):
        return _integer_fault
    return None


def _text_fault(value: object, length: int | None) -> str | None:
    if not isinstance(value, str):
        return None
    if "\x00" in value:
        return "holds a NUL character (U+0000), which PostgreSQL cannot store"
    if length is not None and len(value) > length:
        return f"is {len(value):,} characters long; the column holds {length:,}"
    return None


def _integer_fault(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and not -INTEGER_LIMIT <= value < INTEGER_LIMIT:
        return f"{value:,} is beyond the whole numbers the column holds (up to {INTEGER_LIMIT - 1:,})"
    return None


def _row_name(table: Table, row: Mapping[Any, Any]) -> str:  # a dict, or a RowMapping (keyed by name or column)
    """The row as a person finds it: its table and key, and its reference or code where it has one."""
    key = ", ".join(f"{column.name} {_shown(row[column.name])}" for column in table.primary_key.columns)
    named = next((c for c in table.columns if c.unique and not c.primary_key and isinstance(c.type, String)), None)
    if named is not None and row.get(named.name) is not None:
        key += f" ({named.name} {_shown(row[named.name])})"
    return f"table {table.name}, row {key}"


def _shown(value: object, limit: int = 40) -> str:
    """A key's value as it may be shown: unprintable characters as their code, a long one cut short."""
    shown = "".join(char if char.isprintable() else f"<U+{ord(char):04X}>" for char in str(value))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


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
