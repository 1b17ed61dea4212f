"""Synthetic demo programmes (deterministic, valid by the importer's own rules) and the online backup, which stays
consistent while someone is writing."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard.backup import BackupError, backup_sqlite
from dashboard.bootstrap import ensure_store
from dashboard.db import make_engine, session_scope
from dashboard.demo import DEMO_PROVENANCE, DemoError, build_demo
from dashboard.exporting import export_all
from dashboard.importing import import_path
from dashboard.models import AuditEntry, Council, District, Milestone, Property
from dashboard.roles import SYSTEM, Actor, Role
from dashboard.stages import STAGE_POSITION
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, sqlite_only, write_csv

DEMO_SIZE = 40


@pytest.fixture
def new_empty_store(tmp_path):
    """Make further empty stores (reference data, no programme) on demand."""
    engines: list[Engine] = []

    def make(name: str) -> Engine:
        engine = make_engine(f"sqlite:///{tmp_path / name}.sqlite")
        ensure_store(engine, seed=False)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


def programme(engine: Engine) -> dict[str, list[tuple]]:
    """The demo's properties and milestones (the audit log carries the time it was written, so it is left out)."""
    tables = dump(engine)
    return {name: tables[name] for name in ("phase", "property", "milestone")}


# ---------------------------------------------------------------- demo data


def test_demo_fills_an_empty_store_with_the_requested_programme(empty_engine):
    counts = build_demo(empty_engine, DEMO_SIZE, seed=3, today=SEED_TODAY)

    assert counts["properties"] == DEMO_SIZE
    with Session(empty_engine) as session:
        properties = session.scalars(select(Property)).all()
        milestones = session.scalars(select(Milestone)).all()
    assert len(properties) == DEMO_SIZE
    assert len(milestones) == counts["milestones"]
    assert {prop.provenance for prop in properties} == {DEMO_PROVENANCE}
    assert all(m.actual_on is None or m.actual_on <= SEED_TODAY for m in milestones)


def test_demo_makes_a_synthetic_region_each_council_with_its_own_programme(empty_engine, run_cli, tmp_path):
    counts = build_demo(empty_engine, 30, seed=3, today=SEED_TODAY, councils=3)

    assert counts["properties"] == 90
    with Session(empty_engine) as session:
        councils = session.scalars(select(Council).order_by(Council.id)).all()
        assert [(c.name, c.synthetic) for c in councils] == [
            ("Hertfordshire", False),
            ("Northmarsh", True),
            ("Eastwold", True),
        ]
        for council in councils:
            properties = session.scalars(
                select(Property).join(Property.district).where(District.council_id == council.id)
            ).all()
            assert len(properties) == 30
            # Each property sits in its own council's district and in a phase of its own council's strategy.
            assert {prop.phase.strategy.council_id for prop in properties} == {council.id}
        references = session.scalars(select(Property.reference)).all()
        assert len(set(references)) == 90 and "D02-000001" in references
        # Each property's and milestone's logged changes name its council, as the audit listener's would.
        logged = session.execute(
            select(AuditEntry.entity_ref, Council.ons_code)
            .outerjoin(Council, AuditEntry.council_id == Council.id)
            .where(AuditEntry.entity.in_(("property", "milestone")))
        ).all()
        prefixes = {"DEMO": "E10000015", "D01": "E10000901", "D02": "E10000902"}
        assert logged and all(prefixes[ref.split("-")[0]] == code for ref, code in logged)
    listed = run_cli("council", "list", database_url=str(empty_engine.url))
    assert "Eastwold (synthetic)" in listed.stdout


def test_demo_with_the_same_seed_is_the_same_programme(empty_engine, new_empty_store):
    other = new_empty_store("other")

    build_demo(empty_engine, DEMO_SIZE, seed=3, today=SEED_TODAY)
    build_demo(other, DEMO_SIZE, seed=3, today=SEED_TODAY)

    assert programme(empty_engine) == programme(other)


def test_demo_with_another_seed_is_another_programme(empty_engine, new_empty_store):
    other = new_empty_store("other")

    build_demo(empty_engine, DEMO_SIZE, seed=3, today=SEED_TODAY)
    build_demo(other, DEMO_SIZE, seed=4, today=SEED_TODAY)

    assert programme(empty_engine)["milestone"] != programme(other)["milestone"]


def test_demo_programme_is_valid_by_the_importers_rules(empty_engine, new_empty_store, tmp_path):
    """Beds, stage order and dates of the synthetic programme pass the checks real data must pass."""
    build_demo(empty_engine, DEMO_SIZE, seed=3, today=SEED_TODAY)
    export_all(empty_engine, tmp_path / "demo", SYSTEM)

    importer = Actor("test", "import demo", Role.EDITOR)
    report = import_path(new_empty_store("check"), tmp_path / "demo", importer, today=SEED_TODAY)

    assert report.ok, report.summary()
    assert report.counts["properties"].created == DEMO_SIZE


def test_demo_milestones_follow_the_stage_order(empty_engine):
    build_demo(empty_engine, DEMO_SIZE, seed=3, today=SEED_TODAY)

    with Session(empty_engine) as session:
        for prop in session.scalars(select(Property)):
            stages = sorted(prop.milestones, key=lambda m: STAGE_POSITION[m.stage_key])
            planned = [m.planned_on for m in stages]
            done = [m.actual_on for m in stages if m.actual_on]
            assert planned == sorted(planned), prop.reference
            assert done == sorted(done), prop.reference
            reached = [m.actual_on is not None for m in stages]
            assert reached == sorted(reached, reverse=True), f"{prop.reference}: a stage done before an earlier one"


def test_demo_refuses_a_store_that_has_properties(engine):
    before = dump(engine)

    with pytest.raises(DemoError, match="already has properties"):
        build_demo(engine, 5, seed=1, today=SEED_TODAY)

    assert dump(engine) == before


# ---------------------------------------------------------------- backup


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def open_copy(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


@sqlite_only
def test_backup_is_an_exact_copy(engine, tmp_path):
    copy = backup_sqlite(engine, tmp_path / "backup.sqlite")

    assert integrity(copy) == "ok"
    backup_engine = open_copy(copy)
    assert dump(backup_engine) == dump(engine)
    backup_engine.dispose()


@sqlite_only
def test_backup_right_after_writes_includes_them(engine, tmp_path):
    """Recent commits sit in the write-ahead log, not yet in the main file: a plain file copy would miss them."""
    path = write_csv(tmp_path / "properties.csv", [NEW_PROPERTY])
    report = import_path(engine, path, Actor("analyst", "import properties.csv", Role.EDITOR), today=SEED_TODAY)
    assert report.written

    copy = backup_sqlite(engine, tmp_path / "backup.sqlite")

    assert integrity(copy) == "ok"
    with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as connection:
        assert connection.execute("SELECT count(*) FROM property WHERE reference = 'NEW-01'").fetchone() == (1,)


@sqlite_only
def test_backup_while_another_connection_holds_a_write_transaction(engine, store_url, tmp_path):
    committed = dump(engine)
    writer = sqlite3.connect(Path(store_url.removeprefix("sqlite:///")), timeout=10)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE property SET notes = 'not yet committed' WHERE reference = 'RS-P1-01'")

        copy = backup_sqlite(engine, tmp_path / "backup.sqlite")

        writer.commit()  # the backup did not get in the writer's way
    finally:
        writer.close()

    assert integrity(copy) == "ok"
    backup_engine = open_copy(copy)
    assert dump(backup_engine) == committed  # the last committed state, without the open transaction's change
    backup_engine.dispose()


@sqlite_only
def test_backup_while_a_writer_keeps_committing(engine, store_url, tmp_path):
    writing, stop = threading.Event(), threading.Event()
    commits = 0

    def keep_writing() -> None:
        nonlocal commits
        with closing(sqlite3.connect(Path(store_url.removeprefix("sqlite:///")), timeout=10)) as writer:
            while not stop.is_set():
                with writer:
                    writer.execute("UPDATE property SET planned_beds = 1 + planned_beds % 12 WHERE phase_id = 1")
                commits += 1
                writing.set()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        assert writing.wait(timeout=10)
        copies = [backup_sqlite(engine, tmp_path / f"backup-{number}.sqlite") for number in range(3)]
    finally:
        stop.set()
        thread.join()

    assert commits > 1
    assert [integrity(copy) for copy in copies] == ["ok"] * 3


@sqlite_only
def test_backup_does_not_overwrite_an_existing_file_unless_told(engine, tmp_path):
    destination = tmp_path / "backup.sqlite"
    destination.write_bytes(b"yesterday")

    with pytest.raises(BackupError, match="already exists"):
        backup_sqlite(engine, destination)
    assert destination.read_bytes() == b"yesterday"

    backup_sqlite(engine, destination, overwrite=True)
    assert integrity(destination) == "ok"


@sqlite_only
def test_backup_into_a_folder_names_the_file(engine, tmp_path):
    assert backup_sqlite(engine, tmp_path) == tmp_path / "dashboard-backup.sqlite"


def test_backup_of_a_store_that_does_not_exist_is_refused(tmp_path):
    missing = make_engine(f"sqlite:///{tmp_path / 'missing.sqlite'}")

    with pytest.raises(BackupError, match="no store"):
        backup_sqlite(missing, tmp_path / "backup.sqlite")


# ---------------------------------------------------------------- restore


@sqlite_only
def test_restore_puts_a_backup_back_and_keeps_the_store_it_replaced(engine, tmp_path):
    from dashboard.backup import restore_sqlite

    copy = backup_sqlite(engine, tmp_path / "backup.sqlite")
    backed_up = dump(engine)
    with session_scope(engine, Actor("alice", "app", Role.EDITOR)) as session:
        session.scalars(select(Property)).first().planned_beds = 12
    changed = dump(engine)
    assert changed != backed_up

    saved = restore_sqlite(engine, copy, tmp_path / "before-restore.sqlite")
    assert dump(engine) == backed_up
    kept = open_copy(saved)
    assert dump(kept) == changed  # the restore itself lost nothing
    kept.dispose()


@sqlite_only
def test_restore_while_another_connection_reads_sees_one_store_or_the_other(engine, store_url, tmp_path):
    from dashboard.backup import restore_sqlite

    def beds(connection) -> int:
        return connection.execute(select(func.sum(Property.planned_beds))).scalar()

    copy = backup_sqlite(engine, tmp_path / "backup.sqlite")
    with engine.connect() as connection:
        backed_up = beds(connection)
    with session_scope(engine, Actor("alice", "app", Role.EDITOR)) as session:
        session.scalars(select(Property)).first().planned_beds += 1
    reader = make_engine(store_url)  # another process's view of the same file, open throughout
    with reader.connect() as connection:
        assert beds(connection) == backed_up + 1
        restore_sqlite(engine, copy, tmp_path / "before-restore.sqlite")
        assert beds(connection) == backed_up  # the restored store, whole, on the reader's next read
    reader.dispose()


@sqlite_only
@pytest.mark.parametrize("content", [b"not a database at all", b""])
def test_restoring_something_that_is_not_a_backup_is_refused_and_changes_nothing(engine, tmp_path, content):
    from dashboard.backup import restore_sqlite

    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(content)
    before = dump(engine)
    with pytest.raises(BackupError, match="nothing was restored"):
        restore_sqlite(engine, bogus, tmp_path / "before-restore.sqlite")
    assert dump(engine) == before
    assert not (tmp_path / "before-restore.sqlite").exists()


def damaged_backup(engine: Engine, path: Path, statements: list[str]) -> Path:
    """A backup of the store with `statements` run on it: a copy that is whole to SQLite but not to the dashboard."""
    backup_sqlite(engine, path)
    with closing(sqlite3.connect(path)) as copy:
        for statement in statements:
            copy.execute(statement)
        copy.commit()
    return path


THREE_TABLES_DROPPED = ["DROP TABLE decision", "DROP TABLE briefing_pack", "DROP TABLE objective_setting"]


@sqlite_only
@pytest.mark.parametrize(
    ("damage", "missing"),
    [
        (THREE_TABLES_DROPPED, ["briefing_pack", "decision", "objective_setting"]),
        (
            ["ALTER TABLE property DROP COLUMN notes", "ALTER TABLE audit_log DROP COLUMN source"],
            ["audit_log.source", "property.notes"],
        ),
    ],
    ids=["three tables", "two columns"],
)
def test_restoring_a_backup_missing_tables_or_columns_is_refused_before_the_store_is_touched(
    engine, tmp_path, damage, missing
):
    from dashboard.backup import restore_sqlite

    backup = damaged_backup(engine, tmp_path / "backup.sqlite", damage)
    before = dump(engine)

    with pytest.raises(BackupError) as refused:
        restore_sqlite(engine, backup, tmp_path / "before-restore.sqlite")

    message = str(refused.value)
    assert f"it lacks {', '.join(missing)}. Nothing was restored" in message, message
    assert dump(engine) == before
    assert not (tmp_path / "before-restore.sqlite").exists()


@sqlite_only
def test_restoring_a_backup_missing_tables_from_the_command_line_says_so(run_cli, engine, tmp_path):
    backup = damaged_backup(engine, tmp_path / "backup.sqlite", THREE_TABLES_DROPPED)
    before = dump(engine)

    result = run_cli("restore", backup, "--yes")

    assert result.returncode == 1 and "Restored" not in result.stdout
    assert "lacks briefing_pack, decision, objective_setting" in result.stderr and "Traceback" not in result.stderr
    assert dump(engine) == before


@sqlite_only
def test_restore_from_the_command_line(run_cli, store_url, tmp_path):
    assert run_cli("init-db").returncode == 0
    copy = tmp_path / "copy.sqlite"
    assert run_cli("backup", copy).returncode == 0
    refused = run_cli("restore", tmp_path / "missing.sqlite", "--yes")
    assert refused.returncode == 1 and "is not a file" in refused.stderr and "Traceback" not in refused.stderr
    result = run_cli("restore", copy, "--yes")
    assert result.returncode == 0, result.stderr
    assert "before-restore" in result.stdout
