"""Alembic environment: the engine comes from dashboard.db (or DATABASE_URL when run by the alembic command)."""

from alembic import context

from dashboard.db import make_engine
from dashboard.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine()

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch rebuild drops a table that others point at and makes it again; with foreign keys on, SQLite would
        # refuse the drop. Off for the migrations (set outside any transaction, as SQLite requires), every key
        # checked before the commit, and on again for whoever uses this connection next.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
                raise RuntimeError(f"the upgrade would leave rows pointing at nothing: {broken[:5]}")
        connection.commit()
    finally:
        if sqlite:
            connection.rollback()
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
