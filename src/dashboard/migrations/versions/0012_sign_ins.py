"""sign_in: each sign-in, refusal and sign-out, for the council's IT to see who came in and who was turned away

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in")),
    )
    op.create_index(op.f("ix_sign_in_at"), "sign_in", ["at"])
    op.create_index(op.f("ix_sign_in_account"), "sign_in", ["account"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_account"), table_name="sign_in")
    op.drop_index(op.f("ix_sign_in_at"), table_name="sign_in")
    op.drop_table("sign_in")
