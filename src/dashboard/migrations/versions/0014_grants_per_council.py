"""role grants per council: an account holds a role in one council, or in every council (no council), or is a
regional viewer; today's grants hold in every council, as they did

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("role_grant") as batch:
        batch.drop_constraint(op.f("uq_role_grant_account"), type_="unique")
        batch.add_column(sa.Column("council_id", sa.Integer(), nullable=True))
        batch.alter_column("role", existing_type=sa.String(length=10), type_=sa.String(length=20))
        batch.create_foreign_key(op.f("fk_role_grant_council_id_council"), "council", ["council_id"], ["id"])
        batch.create_unique_constraint(op.f("uq_role_grant_account"), ["account", "council_id"])
        batch.create_index(op.f("ix_role_grant_account"), ["account"])


def downgrade() -> None:
    # A council's grant cannot hold in every council: it goes, as does the regional viewer role.
    op.execute("DELETE FROM role_grant WHERE council_id IS NOT NULL OR role = 'regional viewer'")
    with op.batch_alter_table("role_grant") as batch:
        batch.drop_index(op.f("ix_role_grant_account"))
        batch.drop_constraint(op.f("uq_role_grant_account"), type_="unique")
        batch.drop_constraint(op.f("fk_role_grant_council_id_council"), type_="foreignkey")
        batch.drop_column("council_id")
        batch.alter_column("role", existing_type=sa.String(length=20), type_=sa.String(length=10))
        batch.create_unique_constraint(op.f("uq_role_grant_account"), ["account"])
