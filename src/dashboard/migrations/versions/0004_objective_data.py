"""objectives: SSDA903 placement aggregates, the postcode-district lookup, Ofsted market figures, objective settings

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placement_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month_end", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_figure")),
        sa.UniqueConstraint("month_end", "measure", "category", name=op.f("uq_placement_figure_month_end")),
    )
    op.create_table(
        "postcode_district",
        sa.Column("outward_code", sa.String(length=4), nullable=False),
        sa.Column("local_authority", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("outward_code", name=op.f("pk_postcode_district")),
    )
    op.create_table(
        "market_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("local_authority", sa.String(length=100), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_figure")),
        sa.UniqueConstraint("as_at", "local_authority", "measure", "category", name=op.f("uq_market_figure_as_at")),
    )
    op.create_index("ix_market_figure_as_at_measure", "market_figure", ["as_at", "measure"])
    op.create_table(
        "objective_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_objective_setting")),
    )


def downgrade() -> None:
    op.drop_table("objective_setting")
    op.drop_index("ix_market_figure_as_at_measure", table_name="market_figure")
    op.drop_table("market_figure")
    op.drop_table("postcode_district")
    op.drop_table("placement_figure")
