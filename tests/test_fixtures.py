"""The shared fixtures keep their promise: a test's store copied from the template is the store `ensure_store` builds,
and a copy is the test's own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import DateTime, Engine, select

from dashboard.bootstrap import ensure_store
from dashboard.db import make_engine
from dashboard.models import AuditEntry, Base
from tests.conftest import new_store


def _rows_but_times(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, without the moments things were recorded (the template was
    seeded earlier than a store built now)."""
    with engine.connect() as connection:
        dumped = {}
        for table in Base.metadata.sorted_tables:
            columns = [column for column in table.columns if not isinstance(column.type, DateTime)]
            query = select(*columns).order_by(*table.primary_key.columns)
            dumped[table.name] = [tuple(row) for row in connection.execute(query)]
        return dumped


def test_the_template_copied_for_a_test_is_the_store_ensure_store_builds(engine: Engine, tmp_path: Path) -> None:
    with new_store(tmp_path, "built") as url:
        built = make_engine(url)
        status = ensure_store(built)
        assert status.created and status.seeded
        assert _rows_but_times(engine) == _rows_but_times(built)
        assert not ensure_store(engine).created  # the copy is a store at the newest schema, as ensure_store leaves it
        built.dispose()


def test_the_empty_template_has_reference_data_and_no_programme(empty_engine: Engine, tmp_path: Path) -> None:
    with new_store(tmp_path, "built") as url:
        built = make_engine(url)
        ensure_store(built, seed=False)
        assert _rows_but_times(empty_engine) == _rows_but_times(built)
        built.dispose()
    assert _rows_but_times(empty_engine)["strategy"]
    assert not _rows_but_times(empty_engine)["property"]


def test_each_test_gets_a_copy_of_its_own(engine: Engine, seeded_template: str) -> None:
    with engine.begin() as connection:
        connection.execute(AuditEntry.__table__.delete())
        assert connection.execute(select(AuditEntry.id)).first() is None
    template = make_engine(seeded_template)
    with template.connect() as connection:
        assert connection.execute(select(AuditEntry.id)).first() is not None
    template.dispose()
