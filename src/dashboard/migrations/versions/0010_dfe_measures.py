"""objectives measured as DfE does: measures with numerator and denominator, split postcode districts with
centroids, a property's Ofsted URN, Ofsted's children's homes by URN, and a source for each assumed cost

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "objective_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=False),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective_measure")),
        sa.UniqueConstraint("measure", "category", "period_end", name=op.f("uq_objective_measure_measure")),
    )
    op.create_index(op.f("ix_objective_measure_period_end"), "objective_measure", ["period_end"])
    op.create_table(
        "ofsted_home",
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("urn", sa.String(length=8), nullable=False),
        sa.Column("local_authority", sa.String(length=100), nullable=False),
        sa.Column("sector", sa.String(length=60), nullable=False),
        sa.Column("places", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint("as_at", "urn", name=op.f("pk_ofsted_home")),
    )
    # In place, not through a batch rebuild: a rebuilt property table would lose the index on lower(reference).
    op.add_column("property", sa.Column("ofsted_urn", sa.String(length=8), nullable=True))
    op.create_index(op.f("ix_property_ofsted_urn"), "property", ["ofsted_urn"], unique=True)
    op.add_column("objective_setting", sa.Column("source", sa.String(length=300), nullable=True))
    # The lookup's key becomes district and authority (a district may cross a boundary): a new table, the rows
    # copied across with no share (a district in one authority is wholly in it) and no centroid.
    op.create_table(
        "postcode_district_split",
        sa.Column("outward_code", sa.String(length=4), nullable=False),
        sa.Column("local_authority", sa.String(length=100), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("outward_code", "local_authority", name="pk_postcode_district_split"),
    )
    op.execute(
        "INSERT INTO postcode_district_split (outward_code, local_authority) "
        "SELECT outward_code, local_authority FROM postcode_district"
    )
    op.drop_table("postcode_district")
    _rename_lookup("postcode_district_split", "postcode_district")


def downgrade() -> None:
    op.create_table(
        "postcode_district_single",
        sa.Column("outward_code", sa.String(length=4), nullable=False),
        sa.Column("local_authority", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("outward_code", name="pk_postcode_district_single"),
    )
    # A split district keeps the authority holding most of it (first by name where no share is known).
    op.execute(
        "INSERT INTO postcode_district_single (outward_code, local_authority) "
        "SELECT outward_code, MIN(local_authority) FROM postcode_district AS d WHERE NOT EXISTS ("
        "SELECT 1 FROM postcode_district AS o WHERE o.outward_code = d.outward_code "
        "AND COALESCE(o.share, 0) > COALESCE(d.share, 0)) GROUP BY outward_code"
    )
    op.drop_table("postcode_district")
    _rename_lookup("postcode_district_single", "postcode_district")
    op.drop_column("objective_setting", "source")
    op.drop_index(op.f("ix_property_ofsted_urn"), table_name="property")
    op.drop_column("property", "ofsted_urn")
    op.drop_table("ofsted_home")
    op.drop_index(op.f("ix_objective_measure_period_end"), table_name="objective_measure")
    op.drop_table("objective_measure")


def _rename_lookup(built: str, name: str) -> None:
    """The rebuilt lookup takes the table's name, and its key the name the models give it."""
    op.rename_table(built, name)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {name} RENAME CONSTRAINT pk_{built} TO pk_{name}")
