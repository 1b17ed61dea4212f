"""councils as data: a decision belongs to a council, as a phase does through its strategy and a property through its
district; a council may be synthetic (invented by demo-data); a region may hold the councils' joint target. Today's
decisions go to the store's council (its first, the only one a store before this revision has).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Made again after the decision table is rebuilt on SQLite, which cannot reflect an index on an expression (0008).
REFERENCE_LOWER = "uq_decision_reference_lower"


def upgrade() -> None:
    op.add_column("council", sa.Column("synthetic", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bed_target", sa.Integer(), nullable=True),
        sa.Column("provenance", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
    )
    op.add_column("decision", sa.Column("council_id", sa.Integer(), nullable=True))
    op.execute("UPDATE decision SET council_id = (SELECT MIN(id) FROM council)")
    op.drop_index(REFERENCE_LOWER, table_name="decision")
    with op.batch_alter_table("decision") as batch:
        batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(op.f("fk_decision_council_id_council"), "council", ["council_id"], ["id"])
    op.create_index(REFERENCE_LOWER, "decision", [sa.text("lower(reference)")], unique=True)


def downgrade() -> None:
    op.drop_index(REFERENCE_LOWER, table_name="decision")
    with op.batch_alter_table("decision") as batch:
        batch.drop_constraint(op.f("fk_decision_council_id_council"), type_="foreignkey")
        batch.drop_column("council_id")
    op.create_index(REFERENCE_LOWER, "decision", [sa.text("lower(reference)")], unique=True)
    op.drop_table("region")
    op.drop_column("council", "synthetic")
