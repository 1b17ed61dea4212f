"""districts: short name and position on the hexagonal tile map

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("district") as batch:
        batch.add_column(sa.Column("short_name", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("tile_x", sa.Float(), nullable=True))
        batch.add_column(sa.Column("tile_row", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("district") as batch:
        batch.drop_column("tile_row")
        batch.drop_column("tile_x")
        batch.drop_column("short_name")
