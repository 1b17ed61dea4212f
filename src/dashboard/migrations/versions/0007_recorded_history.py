"""recorded history: each property's plan and each stage's planned date as recorded over time, and the briefing packs
made; an existing store's history is rebuilt from its audit log

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PROPERTY_FIELDS = ("phase_id", "district_id", "provision_model", "specialism", "planned_beds", "provenance")
# How the audit log names those fields: relationships by their natural key.
AUDIT_KEYS = {
    "phase": "phase_id",
    "district": "district_id",
    "provision_model": "provision_model",
    "specialism": "specialism",
    "planned_beds": "planned_beds",
    "provenance": "provenance",
}


def upgrade() -> None:
    op.create_table(
        "property_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("provision_model", sa.String(length=20), nullable=False),
        sa.Column("specialism", sa.String(length=100), nullable=True),
        sa.Column("planned_beds", sa.Integer(), nullable=False),
        sa.Column("provenance", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"], ["property.id"], name=op.f("fk_property_record_property_id_property"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["phase_id"], ["phase.id"], name=op.f("fk_property_record_phase_id_phase")),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], name=op.f("fk_property_record_district_id_district")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_record")),
    )
    op.create_index("ix_property_record_property", "property_record", ["property_id", "recorded_at"])
    op.create_table(
        "milestone_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["property_id"], ["property.id"], name=op.f("fk_milestone_record_property_id_property"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["stage_key"], ["stage.key"], name=op.f("fk_milestone_record_stage_key_stage")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_record")),
    )
    op.create_index("ix_milestone_record_stage", "milestone_record", ["property_id", "stage_key", "recorded_at"])
    op.create_index("ix_milestone_record_recorded_at", "milestone_record", ["recorded_at"])
    op.create_table(
        "briefing_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("classification", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_pack")),
    )
    op.create_index("ix_briefing_pack_made_at", "briefing_pack", ["made_at"])
    _rebuild_history(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_briefing_pack_made_at", table_name="briefing_pack")
    op.drop_table("briefing_pack")
    op.drop_index("ix_milestone_record_recorded_at", table_name="milestone_record")
    op.drop_index("ix_milestone_record_stage", table_name="milestone_record")
    op.drop_table("milestone_record")
    op.drop_index("ix_property_record_property", table_name="property_record")
    op.drop_table("property_record")


def _rebuild_history(connection: sa.Connection) -> None:
    """Each property's (and stage's) recorded values over time, worked back from today's values through the audit
    log's "before" of each change, newest first: that needs no complete snapshot at creation, which bulk-written
    stores (demo data) do not have."""
    meta = sa.MetaData()
    tables = {
        name: sa.Table(name, meta, autoload_with=connection)
        for name in ("property", "milestone", "phase", "district", "audit_log", "property_record", "milestone_record")
    }
    prop, milestone, audit = tables["property"], tables["milestone"], tables["audit_log"]
    phase_ids = dict(connection.execute(sa.select(tables["phase"].c.name, tables["phase"].c.id)).all())
    district_ids = dict(connection.execute(sa.select(tables["district"].c.ons_code, tables["district"].c.id)).all())
    columns = [prop.c.reference, prop.c.id, *(prop.c[field] for field in PROPERTY_FIELDS)]
    current = {row.reference: row for row in connection.execute(sa.select(*columns))}
    if not current:
        return
    planned = {
        (ref, key): (pid, on)
        for ref, pid, key, on in connection.execute(
            sa.select(prop.c.reference, prop.c.id, milestone.c.stage_key, milestone.c.planned_on).join(
                prop, prop.c.id == milestone.c.property_id
            )
        )
    }

    created: dict[str, datetime] = {}  # entity_ref -> when first recorded
    changes: dict[str, list[tuple[datetime, dict[str, Any]]]] = {}  # entity_ref -> (when, values before), oldest first
    rows = connection.execute(
        sa.select(audit.c.at, audit.c.action, audit.c.entity, audit.c.entity_ref, audit.c.before)
        .where(audit.c.entity.in_(("property", "milestone")))
        .order_by(audit.c.id)
        .execution_options(yield_per=10_000)  # on the statement: the connection's inserts below need no server cursor
    )
    for at, action, entity, ref, before in rows:
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if action == "create":
            created[ref], changes[ref] = at, []
            continue
        created.setdefault(ref, at)
        wanted = AUDIT_KEYS if entity == "property" else {"planned_on": "planned_on"}
        values = {AUDIT_KEYS.get(key, key): value for key, value in (before or {}).items() if key in wanted}
        if action == "update" and values:
            changes.setdefault(ref, []).append((at, values))

    now = datetime.now(UTC).replace(tzinfo=None)
    property_rows: list[dict[str, Any]] = []
    for ref, row in current.items():
        state = {field: getattr(row, field) for field in PROPERTY_FIELDS}
        value_of = _property_value(phase_ids, district_ids)
        for at, values in _states(created.get(ref, now), changes.get(ref, []), state, value_of):
            property_rows.append({"property_id": row.id, "recorded_at": at, **values})
    milestone_rows: list[dict[str, Any]] = []
    for (ref, key), (property_id, on) in planned.items():
        stage_ref = f"{ref}/{key}"
        for at, values in _states(
            created.get(stage_ref, created.get(ref, now)), changes.get(stage_ref, []), {"planned_on": on}, _date_value
        ):
            milestone_rows.append({"property_id": property_id, "stage_key": key, "recorded_at": at, **values})
    for table, batch in ((tables["property_record"], property_rows), (tables["milestone_record"], milestone_rows)):
        batch.sort(key=lambda r: r["recorded_at"])  # ids in the order recorded
        for start in range(0, len(batch), 5_000):
            connection.execute(table.insert(), batch[start : start + 5_000])


def _states(
    created_at: datetime, changes: list[tuple[datetime, dict[str, Any]]], state: dict[str, Any], value_of: Any
) -> list[tuple[datetime, dict[str, Any]]]:
    """(from when, values) for each recorded state, oldest first, from today's values back through each change."""
    states = []
    for at, before in reversed(changes):
        states.append((at, dict(state)))
        state = {**state, **{field: value_of(field, value, state[field]) for field, value in before.items()}}
    states.append((created_at, state))
    return states[::-1]


def _property_value(phase_ids: dict[str, int], district_ids: dict[str, str]):
    def value_of(field: str, value: Any, now: Any) -> Any:
        if field == "phase_id":
            return phase_ids.get(value, now)
        if field == "district_id":
            return district_ids.get(value, now)
        if field in ("provision_model", "planned_beds", "provenance") and value is None:
            return now  # a required field was never blank: the log does not know its value
        return value

    return value_of


def _date_value(_field: str, value: Any, _now: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value
