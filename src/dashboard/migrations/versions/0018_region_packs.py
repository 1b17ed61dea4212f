"""a briefing pack may be the region's (every council's programme side by side), which is no one council's

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("briefing_pack") as batch:
        batch.alter_column("council_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM briefing_pack WHERE council_id IS NULL")  # the region's packs: no council to keep them
    with op.batch_alter_table("briefing_pack") as batch:
        batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
