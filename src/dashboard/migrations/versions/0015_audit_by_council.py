"""the audit log names the council of each row changed, so each council's analysts read their own council's
changes; the rows already written are given theirs where the row can still be told (every row of a store of one
council is its council's; elsewhere a property, milestone, decision, strategy or phase still held, or a council)

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The entities of a council's programme; the rest (a region, settings, scenarios, bulk imports) are the store's, as
# is a grant, unless it names its council (from 0014).
PROGRAMME_ENTITIES = ("council", "strategy", "decision", "phase", "property", "milestone")


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("council_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_audit_log_council_id_council"), "council", ["council_id"], ["id"])
        batch.create_index(op.f("ix_audit_log_council_id"), ["council_id"])
    connection = op.get_bind()
    councils = connection.execute(sa.text("SELECT id FROM council")).scalars().all()
    if len(councils) == 1:
        connection.execute(
            sa.text("UPDATE audit_log SET council_id = :council WHERE entity IN :entities").bindparams(
                sa.bindparam("entities", expanding=True)
            ),
            {"council": councils[0], "entities": list(PROGRAMME_ENTITIES)},
        )
        return
    owners = _owners(connection)
    refs = connection.execute(
        sa.text("SELECT DISTINCT entity, entity_ref FROM audit_log WHERE entity IN :entities").bindparams(
            sa.bindparam("entities", expanding=True)
        ),
        {"entities": [*PROGRAMME_ENTITIES, "role_grant"]},
    ).all()
    found = [
        {"entity": entity, "ref": ref, "council": council}
        for entity, ref in refs
        if (council := owners[entity].get(_key(entity, ref))) is not None
    ]
    if found:
        connection.execute(
            sa.text("UPDATE audit_log SET council_id = :council WHERE entity = :entity AND entity_ref = :ref"), found
        )


def _key(entity: str, ref: str) -> str:
    """What an audit reference names: a milestone's property ("RS-P1-01/opened"), a council grant's council
    ("ann@herts.gov.uk (E10000015)")."""
    if entity == "milestone":
        return ref.split("/")[0]
    if entity == "role_grant":
        return ref.rsplit(" (", 1)[1].rstrip(")") if ref.endswith(")") else ""
    return ref


def _owners(connection: sa.Connection) -> dict[str, dict[str, int]]:
    """Each entity's audit reference -> its council, for the rows the store still holds (a phase only where its
    name is one council's alone)."""
    properties: dict[str, int] = dict(
        connection.execute(
            sa.text("SELECT p.reference, d.council_id FROM property p JOIN district d ON p.district_id = d.id")
        ).all()
    )
    phases: dict[str, set[int]] = {}
    for name, council in connection.execute(
        sa.text("SELECT p.name, s.council_id FROM phase p JOIN strategy s ON p.strategy_id = s.id")
    ):
        phases.setdefault(name, set()).add(council)
    return {
        "council": dict(connection.execute(sa.text("SELECT ons_code, id FROM council")).all()),
        "strategy": dict(connection.execute(sa.text("SELECT name, council_id FROM strategy")).all()),
        "decision": dict(connection.execute(sa.text("SELECT reference, council_id FROM decision")).all()),
        "phase": {name: next(iter(held)) for name, held in phases.items() if len(held) == 1},
        "property": properties,
        "milestone": properties,
        "role_grant": dict(connection.execute(sa.text("SELECT ons_code, id FROM council")).all()),
    }


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index(op.f("ix_audit_log_council_id"))
        batch.drop_constraint(op.f("fk_audit_log_council_id_council"), type_="foreignkey")
        batch.drop_column("council_id")
