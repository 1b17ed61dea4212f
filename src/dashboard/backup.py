"""A consistent copy of a live SQLite store, and putting one back, both safe while the app is running (SQLite's
online backup API: readers see the store before or after, never half of it)."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from contextlib import closing
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard.db import is_sqlite, known_revisions, make_engine, missing_schema, upgrade_to_head


class BackupError(RuntimeError):
    pass


def _store_file(engine: Engine, verb: str) -> Path:
    if not is_sqlite(engine):
        raise BackupError(
            f"{verb} works on a SQLite store; this store is {engine.dialect.name}: use its own tools "
            "(pg_dump and pg_restore for PostgreSQL)"
        )
    source = engine.url.database
    if not source or source == ":memory:" or not Path(source).exists():
        raise BackupError(f"there is no store at {source}")
    return Path(source)


def backup_sqlite(engine: Engine, destination: Path, overwrite: bool = False) -> Path:
    _store_file(engine, "backup")
    if destination.is_dir():
        destination = destination / "dashboard-backup.sqlite"
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} already exists: choose a new file, or pass --overwrite")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
    finally:
        raw.close()
    # Only a finished copy takes the destination's name.
    partial.replace(destination)
    return destination


# A rotated backup's name: its time, to the second, sorts as it reads. Only files named so are ever rotated away.
DATED_NAME = "dashboard-%Y-%m-%dT%H-%M-%S.sqlite"
DATED_PATTERN = re.compile(r"dashboard-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.sqlite")


def rotated_backup(engine: Engine, folder: Path, keep: int, now: datetime) -> tuple[Path, list[Path]]:
    """A backup named by `now` in `folder`, then the dated backups there beyond the newest `keep` removed (only once
    the new one is whole; no other file is touched). Returns the backup written and those removed."""
    _store_file(engine, "backup")
    if keep < 1:
        raise BackupError(f"--keep must be 1 or more (it is {keep}): nothing was written")
    if folder.exists() and not folder.is_dir():
        raise BackupError(f"{folder} is a file: --keep writes dated backups into a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = backup_sqlite(engine, folder / now.strftime(DATED_NAME))
    dated = sorted(path for path in folder.iterdir() if DATED_PATTERN.fullmatch(path.name) and path.is_file())
    removed = dated[:-keep]
    for path in removed:
        path.unlink()
    return written, removed


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _check_backup(path: Path) -> str:
    """The backup's schema revision, once it is known to be a whole, readable store of this dashboard."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    try:
        with closing(_read_only(path)) as copy:
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path.name} is damaged (SQLite's integrity check failed): nothing was restored")
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "property", "audit_log"} <= tables:
                raise BackupError(f"{path.name} is not a backup of this dashboard's store: nothing was restored")
            return copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} is not a SQLite store ({error}): nothing was restored") from None


def _staged(backup: Path, folder: Path) -> Path:
    """A copy of the backup brought to the newest schema and checked against it, whole, before the live store is
    touched: a backup missing tables or columns is refused with their names, and nothing changes."""
    staged = folder / "restore.sqlite"
    with closing(_read_only(backup)) as source, closing(sqlite3.connect(staged)) as target:
        source.backup(target)
    engine = make_engine(f"sqlite:///{staged}")
    try:
        upgrade_to_head(engine)
        missing = missing_schema(engine)
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", error)
        raise BackupError(
            f"{backup.name} cannot be brought to this version's schema ({reason}): nothing was restored"
        ) from None
    finally:
        engine.dispose()
    if missing:
        raise BackupError(
            f"{backup.name} is not a whole store of this dashboard: it lacks {', '.join(missing)}. Nothing was restored"
        )
    return staged


def restore_sqlite(engine: Engine, backup: Path, safety_copy: Path) -> Path:
    """Put `backup` back as the live store, after copying the store as it is now to `safety_copy` (so a restore
    loses nothing either). The backup is first copied aside, brought to the newest schema and checked to hold every
    table and column; only then is the live store replaced, in one step. Returns the safety copy."""
    _store_file(engine, "restore")
    revision = _check_backup(backup)
    if revision not in known_revisions():
        raise BackupError(
            f"{backup.name} was made by a newer version of the dashboard (schema {revision}): upgrade first"
        )
    with tempfile.TemporaryDirectory() as folder:
        staged = _staged(backup, Path(folder))
        saved = backup_sqlite(engine, safety_copy)
        raw = engine.raw_connection()
        try:
            with closing(sqlite3.connect(staged)) as source:
                source.backup(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            raw.close()
    engine.dispose()  # pooled connections may hold the old pages' cache
    return saved
