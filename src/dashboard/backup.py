"""A consistent copy of a live SQLite store, safe while the app is running (SQLite's online backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from dashboard.db import is_sqlite


class BackupError(RuntimeError):
    pass


def backup_sqlite(engine: Engine, destination: Path, overwrite: bool = False) -> Path:
    if not is_sqlite(engine):
        raise BackupError(
            f"backup copies a SQLite store; this store is {engine.dialect.name}: use its own tools (pg_dump for PostgreSQL)"
        )
    source = engine.url.database
    if not source or source == ":memory:" or not Path(source).exists():
        raise BackupError(f"there is no store at {source} to back up")
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
