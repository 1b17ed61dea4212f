"""copy-store: a SQLite store moved whole into another database (PostgreSQL on .ci/run's second pass, another SQLite
file on the first), proved by every row of every table and by every export file being the same on both sides."""

from __future__ import annotations

import filecmp
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from dashboard import editing
from dashboard.bootstrap import ensure_store
from dashboard.copying import COUNCIL_DATA, CopyError, copy_store
from dashboard.db import make_engine, upgrade_to_head
from dashboard.exporting import export_all
from dashboard.models import Base
from dashboard.roles import SYSTEM, Actor, Role
from tests.conftest import SEED_TODAY, dump, new_store, on_postgres, run_dashboard

EDITOR = Actor("zoë@herts.gov.uk", "app", Role.EDITOR)


@pytest.fixture
def source(tmp_path: Path, seeded_sqlite_file: Path) -> Engine:
    """Always a SQLite file (what a council moves from), seeded, with an edit in its audit trail."""
    shutil.copyfile(seeded_sqlite_file, tmp_path / "source.sqlite")
    engine = make_engine(f"sqlite:///{tmp_path / 'source.sqlite'}")
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
    values = {
        **draft.values,
        "reference": "RS-NEW-1",
        "phase": "Phase 2",
        "district": "Watford",
        "provision_model": "in-house",
        "planned_beds": 2,
        "planned": {"completion": date(2027, 1, 1)},
    }
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
    reference = {"council", "district", "district_alias", "region", "stage", "strategy"}
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


# ---------------------------------------------------------------- values an old store holds that the target cannot


def hold_unstorable_values(source: Engine) -> None:
    """What an old SQLite store may hold, as SQLite keeps whatever it is given: an over-long specialism on every
    property (the column holds 100), a NUL character in a decision's title, a count beyond PostgreSQL's integer."""
    with source.begin() as connection:
        connection.execute(text("UPDATE property SET specialism = :long"), {"long": "solo " * 1_000})
        connection.execute(text("UPDATE decision SET title = 'Phase 1' || char(0) || 'acquisitions' WHERE id = 1"))
        connection.execute(
            text(
                "INSERT INTO market_figure (as_at, local_authority, measure, category, value) "
                "VALUES ('2024-03-31', 'Luton', 'places', 'Private', 10000000000000000000 / 1000)"
            )
        )


def test_values_the_target_cannot_hold_are_named_before_anything_is_copied(source, target_url):
    hold_unstorable_values(source)
    target = make_engine(target_url)
    upgrade_to_head(target)  # an empty store: the schema and the reference data its migrations add
    before = dump(target)

    with pytest.raises(CopyError) as refusal:
        copy_store(source, target)

    message = str(refusal.value)
    assert message.startswith("23 value(s) in the store cannot be kept in the target")
    lines = message.splitlines()
    assert lines[1:4] == [  # tables in the schema's order, rows in key order
        "  table market_figure, row id 1, value: 10,000,000,000,000,000 is beyond the whole numbers the column holds "
        "(up to 2,147,483,647)",
        "  table decision, row id 1 (reference B147/24), title: holds a NUL character (U+0000), which PostgreSQL "
        "cannot store",
        "  table property, row id 1 (reference RS-P1-01), specialism: is 5,000 characters long; the column holds 100",
    ]
    assert lines[-1] == "  and 3 more"  # 21 specialisms, a title and a count: the first 20 are named
    assert dump(target) == before
    target.dispose()


def test_the_command_line_names_the_values_and_copies_nothing(source, target_url, tmp_path):
    hold_unstorable_values(source)
    result = run_dashboard("copy-store", "--to", target_url, database_url=str(source.url), cwd=tmp_path)
    assert result.returncode == 1
    assert "nothing was copied: 23 value(s) in the store cannot be kept in the target" in result.stderr
    assert "table property, row id 1" in result.stderr and "specialism: is 5,000 characters long" in result.stderr
    for raw in ("Traceback", "DataError", "INSERT", "solo solo"):
        assert raw not in result.stderr
    target = make_engine(target_url)
    assert not inspect(target).get_table_names() or not dump(target)["property"]
    target.dispose()


def refuse_a_property_on(target: Engine, reference: str) -> None:
    """A rule of the target's own that the schema does not have, so the check before copying cannot foresee it."""
    with target.begin() as connection:
        if target.dialect.name == "sqlite":
            connection.execute(
                text(
                    f"CREATE TRIGGER refuse BEFORE INSERT ON property WHEN NEW.reference = "
                    f"'{reference}' BEGIN SELECT RAISE(ABORT, 'refused by the target''s own rule'); "
                    "END"
                )
            )
        else:
            connection.execute(text(f"ALTER TABLE property ADD CONSTRAINT refuse CHECK (reference <> '{reference}')"))


def test_a_row_the_target_refuses_is_named_and_nothing_is_copied(source, target_url):
    target = make_engine(target_url)
    upgrade_to_head(target)
    refuse_a_property_on(target, "RS-P2-01")
    before = dump(target)

    with pytest.raises(CopyError) as refusal:
        copy_store(source, target)

    message = str(refusal.value)
    assert message.startswith("the target refused table property, row id ")
    assert "(reference RS-P2-01): " in message
    assert "INSERT" not in message and "Café" not in message  # neither the SQL nor the row's values
    assert dump(target) == before
    target.dispose()


@pytest.mark.skipif(not on_postgres, reason="PostgreSQL's own refusal of a value SQLite keeps")
def test_postgresqls_own_refusal_names_the_row_not_the_sql(source, target_url, monkeypatch):
    """Were the check before copying to miss a value, PostgreSQL's DataError is still told as the table and row."""
    from dashboard import copying

    hold_unstorable_values(source)
    monkeypatch.setattr(copying, "unstorable_values", lambda source: iter(()))
    target = make_engine(target_url)

    with pytest.raises(CopyError) as refusal:
        copy_store(source, target)

    message = str(refusal.value)  # the first table in the schema's order holding such a value
    assert message.startswith("the target refused table market_figure, row id 1: ")
    assert "out of range" in message and "INSERT" not in message and "acquisitions" not in message
    assert not dump(target)["decision"]
    target.dispose()
