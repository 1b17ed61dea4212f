"""property: a status note (the next step or what blocks it, at most 200 characters), which every reader sees

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


# In place, not through a batch rebuild: a rebuilt SQLite table would lose the index on lower(reference) (0008),
# which SQLite cannot reflect to copy. SQLite adds and drops a plain column in place (3.35 and later).
def upgrade() -> None:
    op.add_column("property", sa.Column("status_note", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("property", "status_note")
