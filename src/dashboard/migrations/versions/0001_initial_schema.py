"""initial schema

Revision ID: 0001
Revises:

"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_ref", sa.String(length=100), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_entity", ["entity", "entity_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_user"), ["user"], unique=False)

    op.create_table(
        "council",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ons_code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council")),
        sa.UniqueConstraint("ons_code", name=op.f("uq_council_ons_code")),
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("decision_type", sa.String(length=20), nullable=False),
        sa.Column("key_decision", sa.Boolean(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("executive_member", sa.String(length=200), nullable=True),
        sa.Column("portfolio", sa.String(length=200), nullable=True),
        sa.Column("significance", sa.String(length=40), nullable=True),
        sa.Column("controversial", sa.Boolean(), nullable=True),
        sa.Column("provenance", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("reference", name=op.f("uq_decision_reference")),
    )
    op.create_table(
        "stage",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("reaches", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stage")),
        sa.UniqueConstraint("position", name=op.f("uq_stage_position")),
    )
    op.create_table(
        "district",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("ons_code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"], name=op.f("fk_district_council_id_council")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district")),
        sa.UniqueConstraint("ons_code", name=op.f("uq_district_ons_code")),
    )
    op.create_table(
        "strategy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bed_target", sa.Integer(), nullable=False),
        sa.Column("provenance", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"], name=op.f("fk_strategy_council_id_council")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy")),
    )
    op.create_table(
        "district_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_district_alias_district_id_district"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_alias")),
        sa.UniqueConstraint("district_id", "alias", name=op.f("uq_district_alias_district_id")),
    )
    op.create_table(
        "phase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("planned_end_on", sa.Date(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("provenance", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"], name=op.f("fk_phase_decision_id_decision")),
        sa.ForeignKeyConstraint(["strategy_id"], ["strategy.id"], name=op.f("fk_phase_strategy_id_strategy")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase")),
        sa.UniqueConstraint("strategy_id", "name", name=op.f("uq_phase_strategy_id")),
    )
    op.create_table(
        "property",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("provision_model", sa.String(length=20), nullable=False),
        sa.Column("specialism", sa.String(length=100), nullable=True),
        sa.Column("planned_beds", sa.Integer(), nullable=False),
        sa.Column("registered_beds", sa.Integer(), nullable=True),
        sa.Column("purchase_budget", sa.Integer(), nullable=True),
        sa.Column("purchase_cost", sa.Integer(), nullable=True),
        sa.Column("refurbishment_budget", sa.Integer(), nullable=True),
        sa.Column("refurbishment_cost", sa.Integer(), nullable=True),
        sa.Column("councillors_informed_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("provenance", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], name=op.f("fk_property_district_id_district")),
        sa.ForeignKeyConstraint(["phase_id"], ["phase.id"], name=op.f("fk_property_phase_id_phase")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property")),
        sa.UniqueConstraint("reference", name=op.f("uq_property_reference")),
    )
    with op.batch_alter_table("property", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_property_district_id"), ["district_id"], unique=False)
        batch_op.create_index("ix_property_phase_district", ["phase_id", "district_id"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=40), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("actual_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["property_id"], ["property.id"], name=op.f("fk_milestone_property_id_property"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["stage_key"], ["stage.key"], name=op.f("fk_milestone_stage_key_stage")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
        sa.UniqueConstraint("property_id", "stage_key", name=op.f("uq_milestone_property_id")),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index("ix_milestone_stage_actual", ["stage_key", "actual_on"], unique=False)
        batch_op.create_index("ix_milestone_stage_planned", ["stage_key", "planned_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index("ix_milestone_stage_planned")
        batch_op.drop_index("ix_milestone_stage_actual")

    op.drop_table("milestone")
    with op.batch_alter_table("property", schema=None) as batch_op:
        batch_op.drop_index("ix_property_phase_district")
        batch_op.drop_index(batch_op.f("ix_property_district_id"))

    op.drop_table("property")
    op.drop_table("phase")
    op.drop_table("district_alias")
    op.drop_table("strategy")
    op.drop_table("district")
    op.drop_table("stage")
    op.drop_table("decision")
    op.drop_table("council")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_user"))
        batch_op.drop_index("ix_audit_entity")
        batch_op.drop_index("ix_audit_at")

    op.drop_table("audit_log")
