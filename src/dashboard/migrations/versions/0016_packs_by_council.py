"""a briefing pack is of one council's programme: the packs already made are the store's first council's (the only
one a pack could be made for before)

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("briefing_pack", sa.Column("council_id", sa.Integer(), nullable=True))
    op.execute("UPDATE briefing_pack SET council_id = (SELECT MIN(id) FROM council)")
    with op.batch_alter_table("briefing_pack") as batch:
        batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(op.f("fk_briefing_pack_council_id_council"), "council", ["council_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("briefing_pack") as batch:
        batch.drop_constraint(op.f("fk_briefing_pack_council_id_council"), type_="foreignkey")
        batch.drop_column("council_id")
