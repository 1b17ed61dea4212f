"""What changed in the store between two dates, read from the audit log: the "since the last briefing" of the
Executive Member's pack.

The window is whole days in UTC (the audit log's clock): changes made after the end of `since` and up to the end of
`until`. So a pack "since 28 October" made as at 25 November covers 29 October to 25 November, and the next pack, since
25 November, starts where this one ended: nothing is counted twice or missed.

Several edits to one field within the window are netted: a planned date moved twice counts once, from where it was to
where it ended; moved and moved back, it has not changed.

Data loaded in bulk is told apart from changes made one by one (in the app's forms, on the command line): the initial
load of a new store (the seed, or demo-data) and each import of a file are one line each, with counts, never change by
change. A load restates a spreadsheet, mixing corrections and history with progress, and a reader must not take its
hundreds of rows for hundreds of things that moved in the programme."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine

from dashboard import queries
from dashboard.stages import STAGE_BY_KEY, STAGE_POSITION
from dashboard.wording import day, dmy, listed, plural


@dataclass(frozen=True)
class PropertyAdded:
    reference: str
    district: str
    phase: str
    planned_beds: int | None


@dataclass(frozen=True)
class StageReached:
    reference: str
    stage: str  # key, as in dashboard.stages
    on: date  # the stage's actual date (when it happened, not when it was recorded)

    @property
    def label(self) -> str:
        return STAGE_BY_KEY[self.stage].label if self.stage in STAGE_BY_KEY else self.stage


@dataclass(frozen=True)
class BedsChanged:
    reference: str
    level: str  # "planned" or "registered"
    before: int | None
    after: int | None

    @property
    def difference(self) -> int:
        return (self.after or 0) - (self.before or 0)


@dataclass(frozen=True)
class DateMoved:
    reference: str
    stage: str
    before: date
    after: date

    @property
    def days(self) -> int:
        """Days later (positive) or earlier (negative)."""
        return (self.after - self.before).days

    @property
    def label(self) -> str:
        return STAGE_BY_KEY[self.stage].label if self.stage in STAGE_BY_KEY else self.stage


@dataclass(frozen=True)
class DecisionAdded:
    reference: str
    title: str
    decided_on: date | None


@dataclass(frozen=True)
class TargetChanged:
    before: int | None
    after: int | None


# Where an audit row came from (its `source`), as the loaders name it: store.SEED_ACTOR for the seed; demo-data writes
# as dashboard.roles.SYSTEM; every importer (command line and the Import page) as "import <file name>".
INITIAL_SOURCES = frozenset({"seed", "system"})
IMPORT_PREFIX = "import "

# Each kind of row the audit log names, in words: a reader never sees a table's name.
ENTITY_WORDS = {
    "property": "property",
    "milestone": "stage",
    "decision": "decision",
    "phase": "phase",
    "strategy": "strategy",
    "role_grant": "sign-in role",
    "objective_setting": "objective setting",
    "placement_figure": "placement figures",
    "objective_measure": "objectives' measures",
    "market_figure": "children's homes market figures",
    "ofsted_home": "Ofsted's children's homes",
    "postcode_district": "postcode district lookup",
}


@dataclass(frozen=True)
class DataLoad:
    """Rows written in bulk by one load: the initial load of a new store (`file` None) or an import of a file. Told in
    one line, with counts; what it changed on properties already in the store is counted, not listed."""

    file: str | None  # the file imported; None for the initial load
    on: date  # the day it was recorded (UTC)
    user: str
    rows: int  # audit rows it wrote
    properties_added: tuple[str, ...] = ()
    properties_updated: tuple[str, ...] = ()  # already in the store: the property or any of its stages changed
    added: dict[str, int] = field(default_factory=dict)  # other rows added, by kind in words: {"decision": 1}
    updated: dict[str, int] = field(default_factory=dict)
    replaced: tuple[str, ...] = ()  # tables replaced whole (placement figures, market figures, the postcode lookup)
    # Among the updates to properties already in the store: what a Member would call movement, counted.
    stages_reached: int = 0
    procured: int = 0
    beds_changed: int = 0  # properties whose planned or registered beds changed
    slipped: int = 0
    brought_forward: int = 0

    @property
    def initial(self) -> bool:
        return self.file is None

    @property
    def title(self) -> str:
        return "Initial load of the programme's data" if self.initial else f"Imported {self.file}"


@dataclass(frozen=True)
class ChangeSummary:
    """What changed in the window. Everything but `recorded`, `people` and `loads` is what was changed one by one."""

    since: date
    until: date
    recorded: int = 0  # audit rows in the window: every change, classified or not, loads included
    people: tuple[str, ...] = ()  # who made them
    edits: int = 0  # audit rows made one by one (not by a load)
    editors: tuple[str, ...] = ()  # who made those
    loads: tuple[DataLoad, ...] = ()  # in the order they were made
    properties_added: tuple[PropertyAdded, ...] = ()
    properties_removed: tuple[str, ...] = ()
    stages_reached: tuple[StageReached, ...] = ()  # in the order they happened
    beds_changed: tuple[BedsChanged, ...] = ()
    slipped: tuple[DateMoved, ...] = ()  # planned dates moved later, most days first
    brought_forward: tuple[DateMoved, ...] = ()  # planned dates moved earlier, most days first
    decisions_added: tuple[DecisionAdded, ...] = ()
    councillors_informed: tuple[tuple[str, date], ...] = ()  # (property, date recorded as informed)
    target_changed: TargetChanged | None = None
    other: dict[str, int] = field(default_factory=dict)  # what else changed (in words) -> how many rows of it

    @property
    def procured(self) -> tuple[StageReached, ...]:
        """Properties whose completion was recorded: procured (secured)."""
        return tuple(stage for stage in self.stages_reached if stage.stage == "completion")

    @property
    def imports(self) -> tuple[DataLoad, ...]:
        """The loads that were imports of files (not the initial load)."""
        return tuple(load for load in self.loads if not load.initial)

    @property
    def first_day(self) -> date:
        return self.since + timedelta(days=1)

    @property
    def nothing(self) -> bool:
        return self.recorded == 0


def window(since: date, until: date) -> tuple[datetime, datetime]:
    """The audit times counted, as [start, end): from the end of `since` to the end of `until` (UTC, naive as
    stored)."""
    return datetime.combine(since + timedelta(days=1), time.min), datetime.combine(until + timedelta(days=1), time.min)


def changes_since(engine: Engine, since: date, until: date, council: str | None = None) -> ChangeSummary:
    """What changed in the council's programme (None: the store's first council's) after `since` and up to the end
    of `until`, read from the audit log."""
    if since > until:
        raise ValueError(f"the earlier date ({dmy(since)}) is after the later one ({dmy(until)})")
    start, end = window(since, until)
    rows = queries.audit_between(engine, start, end, council)
    districts = queries.districts(engine, council)
    names = dict(zip(districts["ons_code"], districts["name"], strict=True))
    return summarise(rows.to_dict("records"), since, until, names)


# ---------------------------------------------------------------- classification (pure)


@dataclass
class _Track:
    """One row of the store (entity, reference) across the window: its fields' first and last values."""

    entity: str
    ref: str
    existed_before: bool | None = None  # decided by its first row in the window
    exists_after: bool = True
    first: dict[str, Any] = field(default_factory=dict)
    last: dict[str, Any] = field(default_factory=dict)
    rows: int = 0

    def add(self, action: str, before: Mapping | None, after: Mapping | None) -> None:
        before, after = dict(before or {}), dict(after or {})
        if self.existed_before is None:
            self.existed_before = action != "create"
        self.rows += 1
        self.exists_after = action != "delete"
        if action == "delete":
            after = {key: None for key in before}
        elif action == "create":
            before = {key: None for key in after}
        for key, value in before.items():
            self.first.setdefault(key, value)
        self.last.update(after)

    def changed(self) -> dict[str, tuple[Any, Any]]:
        """Fields whose value at the end differs from the start: name -> (before, after)."""
        return {
            key: (self.first.get(key), self.last.get(key))
            for key in self.last
            if self.first.get(key) != self.last.get(key)
        }

    @property
    def added(self) -> bool:
        return not self.existed_before and self.exists_after

    @property
    def removed(self) -> bool:
        return bool(self.existed_before) and not self.exists_after


def _date(value: Any) -> date | None:
    return None if value is None else _known_date(value)


def _known_date(value: Any) -> date:
    """A date the log holds (a date, or ISO text), where one is known to be."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _milestone_parts(ref: str) -> tuple[str, str]:
    """ "RS-P2-04/completion" -> ("RS-P2-04", "completion"); a reference may itself hold a "/"."""
    reference, _, stage = ref.rpartition("/")
    return reference, stage


FIELD_WORDS = {
    "notes": "notes",
    "specialism": "specialism",
    "provision_model": "provision model",
    "phase": "phase",
    "district": "district",
    "purchase_budget": "purchase budget",
    "purchase_cost": "purchase cost",
    "refurbishment_budget": "refurbishment budget",
    "refurbishment_cost": "refurbishment cost",
    "provenance": "provenance",
    "councillors_informed_on": "councillors informed date removed",
    "planned_on": "planned date set or cleared",
    "actual_on": "actual date corrected or cleared",
}


def _entity(entity: str) -> str:
    """A kind of row in words: the store's table names are not for a reader."""
    return ENTITY_WORDS.get(entity, entity.replace("_", " "))


def _other(entity: str, key: str) -> str:
    return f"{_entity(entity)} {FIELD_WORDS.get(key, key.replace('_', ' '))}"


def _day_of(at: Any, default: date) -> date:
    """The UTC day of an audit row's time (a datetime, a pandas Timestamp or ISO text)."""
    if at is None:
        return default
    if isinstance(at, datetime):
        return at.date()
    return _date(at) or default


LoadKey = tuple[str | None, str, date]  # (file imported, or None for the initial load; who; the day, UTC)


def load_key(row: Mapping[str, Any], default_day: date) -> LoadKey | None:
    """The load a row belongs to, or None for a change made one by one. An import's rows are grouped by file, person
    and day: importing the same file twice in a day is told as one import. Only the rows an initial load created belong
    to it: an update made later under the seed's name (a change to the reference data) is a change like any other."""
    source = str(row.get("source") or "")
    if source.startswith(IMPORT_PREFIX):
        return source.removeprefix(IMPORT_PREFIX), row["user"], _day_of(row.get("at"), default_day)
    if source in INITIAL_SOURCES and row["action"] == "create":
        return None, row["user"], _day_of(row.get("at"), default_day)
    return None


def summarise(
    rows: Iterable[Mapping[str, Any]], since: date, until: date, district_names: Mapping[str, str] | None = None
) -> ChangeSummary:
    """Classify audit rows (oldest first: keys at, user, source, action, entity, entity_ref, before, after) into what
    a briefing reports: changes made one by one kind by kind, and each data load as one. A row without a source is
    taken as made one by one. `district_names` maps the ONS codes the log holds to names."""
    one_by_one: list[Mapping[str, Any]] = []
    loads: dict[LoadKey, list[Mapping[str, Any]]] = {}  # in the order each load started
    people: set[str] = set()
    recorded = 0
    for row in rows:
        recorded += 1
        people.add(row["user"])
        key = load_key(row, since + timedelta(days=1))
        if key is None:
            one_by_one.append(row)
        else:
            loads.setdefault(key, []).append(row)
    summary = _classify(one_by_one, since, until, district_names)
    return replace(
        summary,
        recorded=recorded,
        people=tuple(sorted(people)),
        loads=tuple(_load(key, load_rows, since, until) for key, load_rows in loads.items()),
    )


def _load(key: LoadKey, rows: list[Mapping[str, Any]], since: date, until: date) -> DataLoad:
    """One load's rows counted: properties added and updated, other rows by kind, and what moved among the updates."""
    file, user, on = key
    added: set[str] = set()
    updated: set[str] = set()
    other_added: dict[str, set[str]] = {}
    other_updated: dict[str, set[str]] = {}
    replaced: list[str] = []
    for row in rows:
        entity, ref, action = row["entity"], row["entity_ref"], row["action"]
        if entity == "property" and action == "create":
            added.add(ref)
        elif entity in ("property", "milestone"):
            updated.add(_milestone_parts(ref)[0] if entity == "milestone" else ref)
        elif action == "import":  # a table replaced whole (audit.record_bulk_change)
            if _entity(entity) not in replaced:
                replaced.append(_entity(entity))
        else:
            (other_added if action == "create" else other_updated).setdefault(_entity(entity), set()).add(ref)
    updated -= added  # a new property's stages come with it
    moved = _classify(rows, since, until, None)
    reached = [stage for stage in moved.stages_reached if stage.reference not in added]
    return DataLoad(
        file=file,
        on=on,
        user=user,
        rows=len(rows),
        properties_added=tuple(sorted(added)),
        properties_updated=tuple(sorted(updated)),
        added={word: len(refs) for word, refs in sorted(other_added.items())},
        updated={word: len(refs) for word, refs in sorted(other_updated.items())},
        replaced=tuple(replaced),
        stages_reached=len(reached),
        procured=sum(stage.stage == "completion" for stage in reached),
        beds_changed=len({change.reference for change in moved.beds_changed}),
        slipped=len(moved.slipped),
        brought_forward=len(moved.brought_forward),
    )


@dataclass
class _Kinds:
    """Changes made one by one, gathered kind by kind from each row's track."""

    names: Mapping[str, str]  # district ONS code -> name
    gone: set[str]  # properties removed: their stages are told as the removal
    added: list[PropertyAdded] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reached: list[StageReached] = field(default_factory=list)
    beds: list[BedsChanged] = field(default_factory=list)
    moved: list[DateMoved] = field(default_factory=list)
    decisions: list[DecisionAdded] = field(default_factory=list)
    informed: list[tuple[str, date]] = field(default_factory=list)
    target: TargetChanged | None = None
    other: Counter[str] = field(default_factory=Counter)

    def take(self, track: _Track) -> None:
        """The track told as its kind of change; what no kind tells is counted under `other`."""
        changed = track.changed()
        if track.entity == "property":
            if self._property(track, changed):
                return
        elif track.entity == "milestone":
            if self._milestone(track, changed):
                return
        elif track.entity == "decision":
            if track.added:
                last = track.last
                self.decisions.append(DecisionAdded(track.ref, last.get("title") or "", _date(last.get("decided_on"))))
                return
        elif track.entity == "strategy" and "bed_target" in changed and not (track.added or track.removed):
            self.target = TargetChanged(*changed.pop("bed_target"))
        if track.added:
            self.other[f"{_entity(track.entity)} added"] += 1
        elif track.removed:
            self.other[f"{_entity(track.entity)} removed"] += 1
        else:
            for key in changed:
                self.other[_other(track.entity, key)] += 1

    def _property(self, track: _Track, changed: dict[str, tuple[Any, Any]]) -> bool:
        """Whether the property's track is told whole (added or removed); otherwise takes its beds and councillors
        informed out of `changed`."""
        if track.added:
            last = track.last
            district = last.get("district") or ""
            self.added.append(
                PropertyAdded(
                    track.ref, self.names.get(district, district), last.get("phase") or "", last.get("planned_beds")
                )
            )
            return True
        if track.removed:
            self.removed.append(track.ref)
            return True
        for column, level in (("planned_beds", "planned"), ("registered_beds", "registered")):
            if column in changed:
                self.beds.append(BedsChanged(track.ref, level, *changed.pop(column)))
        if "councillors_informed_on" in changed and changed["councillors_informed_on"][1] is not None:
            self.informed.append((track.ref, _known_date(changed.pop("councillors_informed_on")[1])))
        return False

    def _milestone(self, track: _Track, changed: dict[str, tuple[Any, Any]]) -> bool:
        """Whether the stage's track is told whole; otherwise takes a stage reached or a date moved out of
        `changed`."""
        reference, stage = _milestone_parts(track.ref)
        if reference in self.gone:
            return True  # told as the property's removal
        actual = changed.get("actual_on")
        if actual and actual[0] is None and actual[1] is not None:
            self.reached.append(StageReached(reference, stage, _known_date(actual[1])))
            changed.pop("actual_on")
        planned = changed.get("planned_on")
        if planned and planned[0] is not None and planned[1] is not None:
            self.moved.append(DateMoved(reference, stage, _known_date(planned[0]), _known_date(planned[1])))
            changed.pop("planned_on")
        # A new property's stages come with it; a stage's other fields say nothing more.
        return track.added or track.removed


def _classify(
    rows: Iterable[Mapping[str, Any]], since: date, until: date, district_names: Mapping[str, str] | None
) -> ChangeSummary:
    """The rows, all taken as changes made one by one, kind by kind."""
    names = district_names or {}
    tracks: dict[tuple[str, str], _Track] = {}
    people: set[str] = set()
    recorded = 0
    for row in rows:
        recorded += 1
        people.add(row["user"])
        key = (row["entity"], row["entity_ref"])
        tracks.setdefault(key, _Track(*key)).add(row["action"], row.get("before"), row.get("after"))

    gone = {track.ref for track in tracks.values() if track.entity == "property" and not track.exists_after}
    kinds = _Kinds(names, gone)
    for track in tracks.values():
        kinds.take(track)
    reached = sorted(kinds.reached, key=lambda stage: (stage.on, stage.reference, stage.stage))
    later = sorted((m for m in kinds.moved if m.days > 0), key=lambda m: (-m.days, m.reference, m.stage))
    earlier = sorted((m for m in kinds.moved if m.days < 0), key=lambda m: (m.days, m.reference, m.stage))
    return ChangeSummary(
        since=since,
        until=until,
        recorded=recorded,
        people=tuple(sorted(people)),
        edits=recorded,
        editors=tuple(sorted(people)),
        properties_added=tuple(sorted(kinds.added, key=lambda p: p.reference)),
        properties_removed=tuple(sorted(kinds.removed)),
        stages_reached=tuple(reached),
        beds_changed=tuple(sorted(kinds.beds, key=lambda b: (b.reference, b.level))),
        slipped=tuple(later),
        brought_forward=tuple(earlier),
        decisions_added=tuple(sorted(kinds.decisions, key=lambda d: d.reference)),
        councillors_informed=tuple(sorted(kinds.informed)),
        target_changed=kinds.target,
        other=dict(sorted(kinds.other.items())),
    )


# ---------------------------------------------------------------- in words


def _added_text(added: PropertyAdded) -> str:
    beds = plural(added.planned_beds, "bed") if added.planned_beds else ""
    details = [text for text in (added.district, beds) if text]
    return f"{added.reference} ({', '.join(details)})" if details else added.reference


def _short(stage: str) -> str:
    """A stage in a word or two ("Planning"), for sentences that name many."""
    return STAGE_BY_KEY[stage].column if stage in STAGE_BY_KEY else stage


def _beds_text(change: BedsChanged) -> str:
    if change.before is None:
        return f"{change.reference} {change.level} beds recorded: {change.after}"
    if change.after is None:
        return f"{change.reference} {change.level} beds removed (were {change.before})"
    return f"{change.reference} {change.level} beds {change.before} to {change.after} ({change.difference:+d})"


def change_lines(summary: ChangeSummary, limit: int = 5) -> list[str]:
    """One sentence per kind of change made one by one, with the numbers, naming at most `limit` properties in each;
    then one per data load."""
    if summary.nothing:
        return ["No change was recorded in the store."]
    # The loads come after what was changed one by one: what moved in the programme reads first.
    lines = _progress_lines(summary, limit) + _record_lines(summary, limit)
    return lines + [load_line(load) for load in summary.loads]


def _progress_lines(summary: ChangeSummary, limit: int) -> list[str]:
    """Properties added, procured and moved along their stages, and their beds."""
    lines: list[str] = []
    if summary.properties_added:
        beds = sum(p.planned_beds or 0 for p in summary.properties_added)
        names = [_added_text(p) for p in summary.properties_added]
        with_beds = f", {plural(beds, 'planned bed')}" if beds else ""  # a log row may not hold the beds
        lines.append(f"{plural(len(names), 'property', 'properties')} added{with_beds}: {listed(names, limit)}.")
    if summary.procured:
        names = [f"{s.reference} on {day(s.on)}" for s in summary.procured]
        lines.append(f"{plural(len(names), 'property', 'properties')} procured: {listed(names, limit)}.")
    if summary.stages_reached:
        by_stage = Counter(s.stage for s in summary.stages_reached)
        in_order = sorted(by_stage, key=lambda key: STAGE_POSITION.get(key, 0))
        if len(summary.stages_reached) <= limit:
            named = ", ".join(f"{s.reference} {_short(s.stage)} on {day(s.on)}" for s in summary.stages_reached)
        else:  # too many to name: how many of each stage
            named = "; ".join(f"{_short(key)} {by_stage[key]}" for key in in_order)
        lines.append(f"{plural(len(summary.stages_reached), 'stage')} reached: {named}.")
    if summary.beds_changed:
        changed = summary.beds_changed
        nets = [
            f"{level} {sum(c.difference for c in changed if c.level == level):+d}"
            for level in ("planned", "registered")
            if any(c.level == level for c in changed)
        ]
        properties = plural(len({c.reference for c in changed}), "property", "properties")
        texts = [_beds_text(change) for change in changed]
        lines.append(f"Beds changed on {properties} ({', '.join(nets)} in all): {listed(texts, limit)}.")
    return lines


def _record_lines(summary: ChangeSummary, limit: int) -> list[str]:
    """Planned dates moved, decisions, councillors informed, properties removed, the target and the rest."""
    lines: list[str] = []
    if summary.slipped:
        texts = [f"{m.reference} ({_short(m.stage)}) by {plural(m.days, 'day')}" for m in summary.slipped]
        lines.append(f"{plural(len(texts), 'planned date')} slipped: {listed(texts, limit)}.")
    if summary.brought_forward:
        texts = [f"{m.reference} ({_short(m.stage)}) by {plural(-m.days, 'day')}" for m in summary.brought_forward]
        lines.append(f"{plural(len(texts), 'planned date')} brought forward: {listed(texts, limit)}.")
    if summary.decisions_added:
        texts = [d.reference + (f" ({day(d.decided_on)})" if d.decided_on else "") for d in summary.decisions_added]
        lines.append(f"{plural(len(texts), 'decision')} added: {listed(texts, limit)}.")
    if summary.councillors_informed:
        texts = [f"{ref} ({day(on)})" for ref, on in summary.councillors_informed]
        lines.append(
            f"Councillors informed recorded for {plural(len(texts), 'property', 'properties')}: {listed(texts, limit)}."
        )
    if summary.properties_removed:
        lines.append(
            f"{plural(len(summary.properties_removed), 'property', 'properties')} removed: "
            f"{listed(list(summary.properties_removed), limit)}."
        )
    if summary.target_changed:
        lines.append(f"Bed target changed from {summary.target_changed.before} to {summary.target_changed.after}.")
    if summary.other:
        lines.append("Also changed: " + "; ".join(f"{what} ({count})" for what, count in summary.other.items()) + ".")
    return lines


def _many(word: str) -> str:
    """A kind of row in the plural: "strategies", "objective settings"."""
    return word[:-1] + "ies" if word.endswith("y") else word if word.endswith("s") else word + "s"


def _counted(counts: Mapping[str, int], verb: str) -> list[str]:
    """{"decision": 2} -> ["2 decisions added"]."""
    return [f"{plural(count, word, _many(word))} {verb}" for word, count in counts.items()]


def load_what(load: DataLoad) -> str:
    """What a load wrote, counted: "21 properties", or "2 properties added, 5 updated, 1 decision added"."""
    if load.initial:
        if load.properties_added:
            return plural(len(load.properties_added), "property", "properties")
        return ", ".join(_counted(load.added, "added")) or "the programme's reference data"
    parts: list[str] = []
    added, updated = len(load.properties_added), len(load.properties_updated)
    if added and updated:
        parts.append(f"{plural(added, 'property', 'properties')} added, {updated} updated")
    elif added or updated:
        parts.append(f"{plural(added or updated, 'property', 'properties')} {'added' if added else 'updated'}")
    parts += _counted(load.added, "added") + _counted(load.updated, "updated")
    parts += [f"{word} replaced" for word in load.replaced]
    return ", ".join(parts) or "no change"


def load_moves(load: DataLoad) -> str | None:
    """What an import's updates to properties already in the store record, counted (never listed: the load may be
    restating history, and the reader should see it came from a file)."""
    stages = plural(load.stages_reached, "stage") + " reached"
    if load.procured:
        stages += f" ({plural(load.procured, 'property', 'properties')} procured)"
    moves = [
        stages if load.stages_reached else "",
        f"{plural(load.slipped, 'planned date')} slipped" if load.slipped else "",
        f"{plural(load.brought_forward, 'planned date')} brought forward" if load.brought_forward else "",
        f"beds changed on {plural(load.beds_changed, 'property', 'properties')}" if load.beds_changed else "",
    ]
    moves = [move for move in moves if move]
    if not moves:
        return None
    return "Its updates record " + (", ".join(moves[:-1]) + " and " + moves[-1] if len(moves) > 1 else moves[0])


def load_line(load: DataLoad) -> str:
    """A load in one line, as "Initial load of the programme's data: 21 properties, 30 Nov 2026." or as "Imported
    tracker.xlsx: 2 properties added, 5 updated, 30 Nov 2026. Its updates record 3 stages reached." """
    line = f"{load.title}: {load_what(load)}, {day(load.on)}."
    moves = None if load.initial else load_moves(load)
    return f"{line} {moves}." if moves else line
