"""audit log: an absent before or after value is SQL NULL, not the JSON text 'null'

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # PostgreSQL compares a JSON value as text.
    cast = "" if op.get_bind().dialect.name == "sqlite" else "::text"
    for column in ("before", "after"):
        op.execute(f'UPDATE audit_log SET "{column}" = NULL WHERE "{column}"{cast} = \'null\'')


def downgrade() -> None:
    # NULL and 'null' both read back as None: nothing to undo.
    pass
