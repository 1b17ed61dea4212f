"""the demand forecast: its basis (aggregate counts only) and backtest, saved scenarios, forecasts as made with their
inputs, and the council district of each postcode district in the lookup

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("postcode_district", sa.Column("council_district", sa.String(length=9), nullable=True))
    op.create_table(
        "forecast_basis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("data_first", sa.Date(), nullable=False),
        sa.Column("data_last", sa.Date(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("backtest_first", sa.Date(), nullable=True),
        sa.Column("backtest_last", sa.Date(), nullable=True),
        sa.Column("backtest_mape", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_basis")),
    )
    op.create_table(
        "forecast_backtest",
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("actual", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("lower", sa.Float(), nullable=False),
        sa.Column("upper", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("period_end", name=op.f("pk_forecast_backtest")),
    )
    op.create_table(
        "forecast_scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("entry_change", sa.Float(), nullable=False),
        sa.Column("own_share", sa.Float(), nullable=True),
        sa.Column("occupancy", sa.Float(), nullable=True),
        sa.Column("reference_first", sa.Date(), nullable=True),
        sa.Column("reference_last", sa.Date(), nullable=True),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_scenario")),
        sa.UniqueConstraint("name", name=op.f("uq_forecast_scenario_name")),
    )
    op.create_table(
        "forecast_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=60), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("entry_change", sa.Float(), nullable=False),
        sa.Column("own_share", sa.Float(), nullable=False),
        sa.Column("own_share_source", sa.String(length=200), nullable=False),
        sa.Column("occupancy", sa.Float(), nullable=False),
        sa.Column("reference_first", sa.Date(), nullable=False),
        sa.Column("reference_last", sa.Date(), nullable=False),
        sa.Column("data_first", sa.Date(), nullable=False),
        sa.Column("data_last", sa.Date(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_run")),
        sa.UniqueConstraint("scenario", name=op.f("uq_forecast_run_scenario")),
    )
    op.create_table(
        "forecast_point",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("lower", sa.Float(), nullable=False),
        sa.Column("upper", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["forecast_run.id"], name=op.f("fk_forecast_point_run_id_forecast_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "period_end", "measure", name=op.f("pk_forecast_point")),
    )


def downgrade() -> None:
    op.drop_table("forecast_point")
    op.drop_table("forecast_run")
    op.drop_table("forecast_scenario")
    op.drop_table("forecast_backtest")
    op.drop_table("forecast_basis")
    with op.batch_alter_table("postcode_district") as batch:
        batch.drop_column("council_district")
