"""Whether the store is ready to serve: reachable, at the newest schema and holding every table and column the code
declares (`python -m dashboard check`, a container's health check, a proxy's before it sends people to a server). It
looks and never changes anything: a missing SQLite file is reported, not created, and nothing is migrated."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from dashboard.db import make_engine, missing_schema


def _first_line(error: SQLAlchemyError) -> str:
    reason = str(getattr(error, "orig", None) or error).strip()
    return reason.splitlines()[0] if reason else type(error).__name__


def readiness_problems(url: str) -> list[str]:
    """What keeps the store at `url` from serving the app, in words; empty when it is ready."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return ["the store is in memory: nothing outlives the process that made it"]
        if not Path(parsed.database).is_file():
            return [f"there is no store at {parsed.database}"]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        missing = missing_schema(engine)
    except SQLAlchemyError as error:
        return [f"the store cannot be read: {_first_line(error)}"]
    finally:
        engine.dispose()
    return [f"the store lacks {what}" for what in missing]
