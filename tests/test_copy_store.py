"""copy-store: a SQLite store moved whole into another database (PostgreSQL on .ci/run's second pass, another SQLite
file on the first), proved by every row of every table and by every export file being the same on both sides."""

from __future__ import annotations

import filecmp
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard import editing
from dashboard.copying import COUNCIL_DATA, CopyError, copy_store
from dashboard.db import make_engine
from dashboard.exporting import export_all
from dashboard.models import Base
from dashboard.roles import SYSTEM, Actor, Role
from dashboard.store import ensure_store
from tests.conftest import SEED_TODAY, dump, new_store, run_dashboard

EDITOR = Actor("zoë@herts.gov.uk", "app", Role.EDITOR)


@pytest.fixture
def source(tmp_path: Path) -> Engine:
    """Always a SQLite file (what a council moves from), seeded, with an edit in its audit trail."""
    engine = make_engine(f"sqlite:///{tmp_path / 'source.sqlite'}")
    ensure_store(engine)
    draft = editing.open_property(engine, "RS-P2-01")
    editing.save_property(engine, EDITOR, draft, {**draft.values, "notes": "Café «near» the school; =1+1"}, SEED_TODAY)
    yield engine
    engine.dispose()


@pytest.fixture
def target_url(tmp_path: Path) -> str:
    with new_store(tmp_path, "target") as url:
        yield url


def _exports(engine: Engine, folder: Path) -> list[str]:
    export_all(engine, folder, SYSTEM)
    return sorted(path.name for path in folder.iterdir())


def test_every_row_and_every_export_arrive_unchanged(source, target_url, tmp_path):
    target = make_engine(target_url)
    counts = copy_store(source, target)

    assert dump(target) == dump(source)  # every row of every table, ids included, in key order
    assert counts["property"] == 21 and counts["audit_log"] > 100 and sum(counts.values()) > 500
    names = _exports(source, tmp_path / "from")
    assert names == _exports(target, tmp_path / "to") and "audit_log.csv" in names
    _, differ, errors = filecmp.cmpfiles(tmp_path / "from", tmp_path / "to", names, shallow=False)
    assert (differ, errors) == ([], [])
    target.dispose()


def test_the_copy_takes_new_rows_after_the_copied_ones(source, target_url):
    """Ids carry on from the largest copied (PostgreSQL's sequences are moved past them)."""
    target = make_engine(target_url)
    copy_store(source, target)
    largest = max(row[0] for row in dump(target)["property"])
    draft = editing.open_property(target, None)
    values = {**draft.values, "reference": "RS-NEW-1", "phase": "Phase 2", "district": "Watford",
              "provision_model": "in-house", "planned_beds": 2, "planned": {"completion": date(2027, 1, 1)}}  # fmt: skip
    editing.save_property(target, EDITOR, draft, values, SEED_TODAY)
    added = [row for row in dump(target)["property"] if row[0] > largest]
    assert len(added) == 1
    target.dispose()


def test_a_target_with_data_is_refused_and_left_as_it_was(source, target_url):
    target = make_engine(target_url)
    ensure_store(target)  # a store already in use: the seed programme and its audit trail
    before = dump(target)
    with pytest.raises(CopyError, match="already holds data"):
        copy_store(source, target)
    assert dump(target) == before
    target.dispose()


def test_every_table_is_council_data_or_reference_data():
    """A new table must be placed: refused when the target has rows of it, or replaced from the source."""
    reference = {"council", "district", "district_alias", "stage", "strategy"}
    assert set(COUNCIL_DATA) | reference == set(Base.metadata.tables)
    assert not set(COUNCIL_DATA) & reference


def test_copy_store_from_the_command_line(source, target_url, tmp_path):
    result = run_dashboard("copy-store", "--to", target_url, database_url=str(source.url), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Copied" in result.stdout and "audit_log" in result.stdout
    assert "DATABASE_URL=" in result.stdout
    target = make_engine(target_url)
    assert dump(target) == dump(source)
    again = run_dashboard("copy-store", "--to", target_url, database_url=str(source.url), cwd=tmp_path)
    assert again.returncode == 1 and "nothing was copied" in again.stderr and "Traceback" not in again.stderr
    target.dispose()


def test_copy_store_to_a_database_that_cannot_be_reached_says_so(source, tmp_path):
    nowhere = "postgresql+psycopg://nobody:secret@127.0.0.1:1/dashboard"
    result = run_dashboard("copy-store", "--to", nowhere, database_url=str(source.url), cwd=tmp_path)
    assert result.returncode == 1 and "nothing was copied" in result.stderr
    assert "Traceback" not in result.stderr and "secret" not in result.stderr
