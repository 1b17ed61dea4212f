"""A deterministic synthetic programme of any size, for demonstrations and performance work: for the store's first
council, and (with `councils` above one) for invented councils beside it, a synthetic region.

Written with bulk inserts (the ORM's per-row audit would take minutes at 10,000 properties); the audit history it
writes is synthetic too: each property's creation, the re-planning of its stages, and each stage's completion."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.orm import Session

from dashboard.council_files import CouncilFile, put_council
from dashboard.db import session_scope
from dashboard.models import Base, District, Phase, Property, Strategy
from dashboard.reference import default_council
from dashboard.roles import SYSTEM
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


# The table each count is written to (looked up as a Table, which is what a bulk insert takes).
TABLE_NAMES = dict(
    zip(WRITTEN, ("property", "property_record", "milestone", "milestone_record", "audit_log"), strict=True)
)


def _write(connection: Connection, batches: dict[str, list[dict[str, Any]]], counts: dict[str, int]) -> None:
    """Insert the pending rows (parents first) and empty the batches."""
    for name in WRITTEN:
        rows = batches[name]
        if rows:
            connection.execute(insert(Base.metadata.tables[TABLE_NAMES[name]]), rows)
            counts[name] = counts.get(name, 0) + len(rows)
            rows.clear()


# Invented places for synthetic councils: no council or district of these names exists, and each is marked synthetic.
_COUNCIL_NAMES = ("Northmarsh", "Eastwold", "Southfen", "Westcombe", "Highmoor", "Lowdale", "Brackenshire", "Saltvale")
_DISTRICT_STEMS = ("Fenwick", "Ashby", "Corran", "Dunmere", "Elsford", "Garrow", "Holme", "Ivell", "Kestle", "Lanning")
_DISTRICT_ENDS = ("Vale", "Heath", "Cross", "Water", "Downs", "Marsh")


def synthetic_council(index: int, rng: random.Random, properties: int) -> CouncilFile:
    """The `index`-th invented council (1 upwards): its name, five to eight districts, and a strategy whose target
    is about the beds its `properties` would give. Codes in ranges no ONS series uses (E10000900 and up)."""
    name = _COUNCIL_NAMES[(index - 1) % len(_COUNCIL_NAMES)]
    name += f" {(index - 1) // len(_COUNCIL_NAMES) + 1}" if index > len(_COUNCIL_NAMES) else ""
    count = rng.randrange(5, 9)
    stems = rng.sample(_DISTRICT_STEMS, count)
    districts = [
        {
            "ons_code": f"E0790{index:02d}{number:02d}",
            "name": f"{stem} {rng.choice(_DISTRICT_ENDS)}",
            "tile": [number % 4 + 0.5 * (number // 4 % 2), number // 4],
        }
        for number, stem in enumerate(stems)
    ]
    return CouncilFile.model_validate(
        {
            "council": {"ons_code": f"E1000{900 + index:04d}", "name": name, "synthetic": True},
            "strategy": {
                "name": f"{name} Children's Homes Programme",
                "bed_target": max(1, round(properties * 3 * 0.8)),
                "provenance": DEMO_PROVENANCE,
            },
            "districts": districts,
        }
    )


def build_demo(
    engine: Engine,
    properties: int,
    seed: int = 1,
    today: date | None = None,
    on_progress: Callable[[int], None] | None = None,
    councils: int = 1,
) -> dict[str, int]:
    """Fill an empty store (no properties yet) with `properties` synthetic properties for its first council and, with
    `councils` above one, as many for each of `councils - 1` invented councils added beside it; return rows
    written. `on_progress` is told the properties written so far, of `properties * councils`."""
    today = today or date.today()
    rng = random.Random(seed)
    programmes = _demo_programmes(engine, properties, councils, rng, today)
    counts = dict.fromkeys(WRITTEN, 0)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for index, programme in enumerate(programmes):
            pending = _PendingRows(rng, today, now, programme.district_ids, programme.council_id, programme.prefix)
            for number in range(1, properties + 1):
                phase_count = len(programme.phases)
                phase_id, phase_start = programme.phases[min(phase_count - 1, (number - 1) * phase_count // properties)]
                identified = min(phase_start + timedelta(days=rng.randrange(0, programme.phase_length)), today)
                pending.add_property(index * properties + number, number, phase_id, identified)
                if len(pending.batches["audit_log"]) >= BATCH:
                    _write(connection, pending.batches, counts)
                    if on_progress:
                        on_progress(index * properties + number)
            _write(connection, pending.batches, counts)
        if on_progress:
            on_progress(properties * councils)
        if connection.dialect.name == "postgresql":
            # Ids were given explicitly: move the sequence past them.
            connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('property', 'id'), MAX(id)) FROM property")
    return counts


class _Programme(NamedTuple):
    phases: list[tuple[int, date]]  # (phase id, the day it starts), in order
    phase_length: int  # days
    district_ids: list[int]
    prefix: str  # of its properties' references, unique across the store
    council_id: int  # whose programme: each of its audit rows names it, as the audit listener's would


def _demo_programmes(
    engine: Engine, properties: int, councils: int, rng: random.Random, today: date
) -> list[_Programme]:
    """The first council's programme and each invented council's, their phases written."""
    with session_scope(engine, SYSTEM) as session:
        if session.scalar(select(func.count()).select_from(Property)):
            raise DemoError("demo-data fills an empty store, and this one already has properties: use a new database")
        first = default_council(session)
        added = [put_council(session, synthetic_council(index, rng, properties)) for index in range(1, councils)]
        return [
            _demo_phases(session, council.id, properties, today, "DEMO" if index == 0 else f"D{index:02d}")
            for index, council in enumerate([first, *added])
        ]


def _demo_phases(session: Session, council_id: int, properties: int, today: date, prefix: str) -> _Programme:
    """Phases of equal length from April 2019 to today, more of them for a larger programme, for the council."""
    strategy = session.scalars(select(Strategy).where(Strategy.council_id == council_id)).one()
    start = date(2019, 4, 1)
    phase_count = max(3, int(math.sqrt(properties) / 3))
    phase_length = (today - start).days // phase_count + 1
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
        phases.append((phase, starts))
    session.flush()
    districts = select(District.id).where(District.council_id == council_id).order_by(District.ons_code)
    district_ids = list(session.scalars(districts))
    return _Programme([(phase.id, starts) for phase, starts in phases], phase_length, district_ids, prefix, council_id)


@dataclass
class _PendingRows:
    """The rows waiting to be written, in batches by table, and how a property's rows are made."""

    rng: random.Random
    today: date
    now: datetime
    district_ids: list[int]
    council_id: int
    prefix: str = "DEMO"
    batches: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {name: [] for name in WRITTEN})

    def _audit(self, *row: Any) -> dict[str, Any]:
        """An audit row of the council's programme."""
        return {**_audit(*row), "council_id": self.council_id}

    def stamp(self, day: date) -> datetime:
        """When a change was recorded: on the day it is about, as a tracker kept month by month records it, so the
        log grows through the years rather than arriving all at once (never later than now)."""
        return min(datetime.combine(day, time(9)), self.now)

    def add_property(self, number: int, serial: int, phase_id: int, identified: date) -> None:
        """The property with id `number`, the `serial`-th of its council."""
        rng = self.rng
        reference = f"{self.prefix}-{serial:06d}"
        beds = rng.choice((2, 2, 3, 3, 3, 4, 4))
        record = {
            "id": number,
            "reference": reference,
            "phase_id": phase_id,
            "district_id": rng.choice(self.district_ids),
            "provision_model": rng.choice(("in-house", "in-house", "commissioned")),
            "specialism": rng.choice(SPECIALISMS),
            "planned_beds": beds,
            "registered_beds": None,
            "purchase_budget": rng.randrange(450, 900) * 1000,
            "refurbishment_budget": rng.randrange(60, 250) * 1000,
            "provenance": DEMO_PROVENANCE,
            "version": 1,
        }
        created = self._audit(self.stamp(identified), "create", "property", reference, None, {"reference": reference})
        self.batches["audit_log"].append(created)
        self.batches["property_records"].append(
            {
                "property_id": number,
                "recorded_at": self.stamp(identified),
                **{column: record[column] for column in RECORDED_COLUMNS},
            }
        )
        if self._add_stages(number, reference, identified):
            record["registered_beds"] = beds
        self.batches["properties"].append(record)

    def _add_stages(self, number: int, reference: str, identified: date) -> bool:
        """Each stage's milestone with its history, up to the first not yet done (later stages keep only their
        plan); returns whether the property is registered (so its beds are)."""
        registered = False
        planned = actual = identified
        for position, (stage, gap) in enumerate(zip(STAGES, PLANNED_GAPS, strict=True), start=1):
            planned = planned + timedelta(days=gap)
            actual = actual + timedelta(days=gap + max(0, int(self.rng.gauss(gap * 0.3, gap * 0.4))))
            done = actual <= self.today
            self._add_milestone(number, stage.key, identified, planned, actual if done else None)
            self._add_history(f"{reference}/{stage.key}", identified, planned, actual)
            if not done:
                for later, later_gap in zip(STAGES[position:], PLANNED_GAPS[position:], strict=True):
                    planned = planned + timedelta(days=later_gap)
                    self._add_milestone(number, later.key, identified, planned, None)
                return registered
            self.batches["audit_log"].append(
                self._audit(
                    self.stamp(actual),
                    "update",
                    "milestone",
                    f"{reference}/{stage.key}",
                    {"actual_on": None},
                    {"actual_on": actual.isoformat()},
                )
            )
            registered = registered or stage.reaches == "registered"
        return registered

    def _add_milestone(self, number: int, stage_key: str, identified: date, planned: date, actual: date | None) -> None:
        self.batches["milestones"].append(
            {"property_id": number, "stage_key": stage_key, "planned_on": planned, "actual_on": actual}
        )
        recorded_at = self.stamp(identified)
        self.batches["milestone_records"].append(
            {"property_id": number, "stage_key": stage_key, "recorded_at": recorded_at, "planned_on": planned}
        )

    def _add_history(self, ref: str, identified: date, planned: date, actual: date) -> None:
        """The milestone's creation, then the monthly re-planning a real tracker accumulates."""
        audit_rows = self.batches["audit_log"]
        created = {"planned_on": planned.isoformat()}
        audit_rows.append(self._audit(self.stamp(identified), "create", "milestone", ref, None, created))
        replanned = planned
        for month in range(1, self.rng.randrange(5, 12)):
            moved = replanned + timedelta(days=self.rng.randrange(7, 45))
            audit_rows.append(
                self._audit(
                    self.stamp(min(identified + timedelta(days=30 * month), actual)),
                    "update",
                    "milestone",
                    ref,
                    {"planned_on": replanned.isoformat()},
                    {"planned_on": moved.isoformat()},
                )
            )
            replanned = moved


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
