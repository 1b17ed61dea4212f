"""the SSDA903 figures, the objectives' settings and the demand forecast are each a council's: what the store holds
is the store's first council's (the only one they could be imported for before)

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

FIRST_COUNCIL = "(SELECT MIN(id) FROM council)"
# Each table's key, which now holds within a council: (table, constraint, columns, kind).
KEYS = [
    ("placement_figure", "uq_placement_figure_month_end", ["month_end", "measure", "category"], "unique"),
    ("objective_measure", "uq_objective_measure_measure", ["measure", "category", "period_end"], "unique"),
    ("objective_setting", "pk_objective_setting", ["key"], "primary"),
    ("forecast_basis", None, [], None),
    ("forecast_backtest", "pk_forecast_backtest", ["period_end"], "primary"),
    ("forecast_scenario", "uq_forecast_scenario_name", ["name"], "unique"),
    ("forecast_run", "uq_forecast_run_scenario", ["scenario"], "unique"),
]


def _key(batch, name: str, columns: list[str], kind: str) -> None:
    if kind == "primary":
        batch.create_primary_key(name, columns)
    else:
        batch.create_unique_constraint(name, columns)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # The changes logged to these tables were the first council's too (0015 left them the store's).
    op.execute(
        f"UPDATE audit_log SET council_id = {FIRST_COUNCIL} WHERE council_id IS NULL AND entity IN "
        "('objective_setting', 'objective_measure', 'forecast_scenario')"
    )
    for table, key, columns, kind in KEYS:
        op.add_column(table, sa.Column("council_id", sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET council_id = {FIRST_COUNCIL}")
        # SQLite rebuilds the table (its keys cannot be altered in place); the rebuilt table takes the new key.
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
            batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(op.f(f"fk_{table}_council_id_council"), "council", ["council_id"], ["id"])
            if key is not None and kind is not None:
                batch.drop_constraint(key, type_=kind)
                _key(batch, key, [*columns, "council_id"], kind)


def downgrade() -> None:
    # Only the first council's figures can stand without a council: any other council's go.
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(
        f"DELETE FROM forecast_point WHERE run_id IN (SELECT id FROM forecast_run WHERE council_id <> {FIRST_COUNCIL})"
    )
    for table, key, columns, kind in reversed(KEYS):
        op.execute(f"DELETE FROM {table} WHERE council_id <> {FIRST_COUNCIL}")
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
            if key is not None and kind is not None:
                batch.drop_constraint(key, type_=kind)
            batch.drop_constraint(op.f(f"fk_{table}_council_id_council"), type_="foreignkey")
            batch.drop_column("council_id")
            if key is not None and kind is not None:
                _key(batch, key, columns, kind)
