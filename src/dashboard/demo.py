"""A deterministic synthetic programme of any size, for demonstrations and performance work.

Written with bulk inserts (the ORM's per-row audit would take minutes at 10,000 properties); the audit history it
writes is synthetic too: each property's creation, the re-planning of its stages, and each stage's completion."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, func, insert, select

from dashboard.db import session_scope
from dashboard.models import (
    AuditEntry,
    District,
    Milestone,
    MilestoneRecord,
    Phase,
    Property,
    PropertyRecord,
    Strategy,
)
from dashboard.stages import STAGES

DEMO_PROVENANCE = "synthetic demo data"
DEMO_USER = "demo-data"
# Planned days from the previous stage, by stage (identified first).
PLANNED_GAPS = (0, 30, 21, 35, 60, 91, 120, 28, 14, 70, 47, 28)
SPECIALISMS = (
    "Long-term, ages 8 to 17",
    "Solo or emergency",
    "Disabilities",
    "Step-down from secure care",
    "Therapeutic",
    "16+ move-on",
)
BATCH = 20_000
WRITTEN = ("properties", "property_records", "milestones", "milestone_records", "audit_log")
# The property columns a past view reads as recorded (dashboard.recording).
RECORDED_COLUMNS = ("phase_id", "district_id", "provision_model", "specialism", "planned_beds", "provenance")


class DemoError(RuntimeError):
    pass


def _write(connection, batches: dict[str, list[dict]], counts: dict[str, int]) -> None:
    """Insert the pending rows (parents first) and empty the batches."""
    tables = (Property, PropertyRecord, Milestone, MilestoneRecord, AuditEntry)
    for name, table in zip(WRITTEN, tables):
        rows = batches[name]
        if rows:
            connection.execute(insert(table.__table__), rows)
            counts[name] = counts.get(name, 0) + len(rows)
            rows.clear()


def build_demo(
    engine: Engine,
    properties: int,
    seed: int = 1,
    today: date | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Fill an empty store (no properties yet) with `properties` synthetic properties; return rows written."""
    today = today or date.today()
    rng = random.Random(seed)
    with session_scope(engine) as session:
        if session.scalar(select(func.count()).select_from(Property)):
            raise DemoError("demo-data fills an empty store, and this one already has properties: use a new database")
        strategy = session.scalar(select(Strategy))
        district_ids = list(session.scalars(select(District.id).order_by(District.ons_code)))
        start = date(2019, 4, 1)
        span_days = (today - start).days
        phase_count = max(3, int(math.sqrt(properties) / 3))
        phase_length = span_days // phase_count + 1
        phases = []
        for number in range(1, phase_count + 1):
            starts = start + timedelta(days=(number - 1) * phase_length)
            phase = Phase(
                strategy=strategy,
                name=f"Demo phase {number}",
                starts_on=starts,
                planned_end_on=starts + timedelta(days=phase_length + 365),
                provenance=DEMO_PROVENANCE,
            )
            session.add(phase)
            phases.append(phase)
        session.flush()
        phase_ids = [(phase.id, phase.starts_on) for phase in phases]

    now = datetime.now(UTC).replace(tzinfo=None)

    def stamp(day: date) -> datetime:
        """When a change was recorded: on the day it is about, as a tracker kept month by month records it, so the
        log grows through the years rather than arriving all at once (never later than now)."""
        return min(datetime.combine(day, time(9)), now)

    counts = dict.fromkeys(WRITTEN, 0)
    with engine.begin() as connection:
        batches: dict[str, list[dict]] = {name: [] for name in WRITTEN}
        property_rows, milestone_rows, audit_rows = batches["properties"], batches["milestones"], batches["audit_log"]
        property_records, milestone_records = batches["property_records"], batches["milestone_records"]
        for number in range(1, properties + 1):
            phase_index = min(phase_count - 1, (number - 1) * phase_count // properties)
            phase_id, phase_start = phase_ids[phase_index]
            identified = phase_start + timedelta(days=rng.randrange(0, phase_length))
            identified = min(identified, today)
            reference = f"DEMO-{number:06d}"
            beds = rng.choice((2, 2, 3, 3, 3, 4, 4))
            record = {
                "id": number,
                "reference": reference,
                "phase_id": phase_id,
                "district_id": rng.choice(district_ids),
                "provision_model": rng.choice(("in-house", "in-house", "commissioned")),
                "specialism": rng.choice(SPECIALISMS),
                "planned_beds": beds,
                "registered_beds": None,
                "purchase_budget": rng.randrange(450, 900) * 1000,
                "refurbishment_budget": rng.randrange(60, 250) * 1000,
                "provenance": DEMO_PROVENANCE,
                "version": 1,
            }
            audit_rows.append(
                _audit(stamp(identified), "create", "property", reference, None, {"reference": reference})
            )
            property_records.append(
                {
                    "property_id": number,
                    "recorded_at": stamp(identified),
                    **{column: record[column] for column in RECORDED_COLUMNS},
                }
            )
            planned = actual = identified
            for position, (stage, gap) in enumerate(zip(STAGES, PLANNED_GAPS), start=1):
                planned = planned + timedelta(days=gap)
                actual = actual + timedelta(days=gap + max(0, int(rng.gauss(gap * 0.3, gap * 0.4))))
                done = actual <= today
                milestone_rows.append(
                    {
                        "property_id": number,
                        "stage_key": stage.key,
                        "planned_on": planned,
                        "actual_on": actual if done else None,
                    }
                )
                milestone_records.append(
                    {
                        "property_id": number,
                        "stage_key": stage.key,
                        "recorded_at": stamp(identified),
                        "planned_on": planned,
                    }
                )
                ref = f"{reference}/{stage.key}"
                audit_rows.append(
                    _audit(stamp(identified), "create", "milestone", ref, None, {"planned_on": planned.isoformat()})
                )
                # Monthly re-planning: the history a real tracker accumulates.
                replanned = planned
                for month in range(1, rng.randrange(5, 12)):
                    moved = replanned + timedelta(days=rng.randrange(7, 45))
                    audit_rows.append(
                        _audit(
                            stamp(min(identified + timedelta(days=30 * month), actual)),
                            "update",
                            "milestone",
                            ref,
                            {"planned_on": replanned.isoformat()},
                            {"planned_on": moved.isoformat()},
                        )
                    )
                    replanned = moved
                if done:
                    audit_rows.append(
                        _audit(
                            stamp(actual),
                            "update",
                            "milestone",
                            ref,
                            {"actual_on": None},
                            {"actual_on": actual.isoformat()},
                        )
                    )
                    if stage.reaches == "registered":
                        record["registered_beds"] = beds
                if not done:
                    # Later stages keep only their plan.
                    for later, later_gap in zip(STAGES[position:], PLANNED_GAPS[position:]):
                        planned = planned + timedelta(days=later_gap)
                        milestone_rows.append(
                            {"property_id": number, "stage_key": later.key, "planned_on": planned, "actual_on": None}
                        )
                        milestone_records.append(
                            {
                                "property_id": number,
                                "stage_key": later.key,
                                "recorded_at": stamp(identified),
                                "planned_on": planned,
                            }
                        )
                    break
            property_rows.append(record)
            if len(audit_rows) >= BATCH:
                _write(connection, batches, counts)
                if on_progress:
                    on_progress(number)
        _write(connection, batches, counts)
        if on_progress:
            on_progress(properties)
        if connection.dialect.name == "postgresql":
            # Ids were given explicitly: move the sequence past them.
            connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('property', 'id'), MAX(id)) FROM property")
    return counts


def _audit(at: datetime, action: str, entity: str, ref: str, before: dict | None, after: dict | None) -> dict:
    return {
        "at": at,
        "user": DEMO_USER,
        "source": "demo-data",
        "action": action,
        "entity": entity,
        "entity_ref": ref,
        "before": before,
        "after": after,
    }
