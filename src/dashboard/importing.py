"""Import decisions, phases and properties (with their milestones) from CSV, Excel or a folder of CSVs.

All or nothing: every row is checked first; if any row or column is at fault, the report names each one and nothing
is written. Rows are matched to the store by their key (a property's reference code), so importing the same file twice
changes nothing the second time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from dashboard.roles import Actor, Permission
from dashboard.db import session_scope
from dashboard.layout import (
    DATA_DICTIONARY,
    DECISIONS,
    EXPORT_LAYOUTS,
    LAYOUT_BY_NAME,
    LAYOUTS,
    PHASES,
    PROPERTIES,
    TEMPLATE_GUIDE_SHEET,
    Layout,
    unformula,
)
from dashboard.models import Decision, District, Milestone, Phase, Property, Strategy
from dashboard.reading import Problem, Report, UnreadableFile, csv_rows, decode
from dashboard.reference import DistrictLookup
from dashboard.stages import STAGES
from dashboard.validation import (
    DecisionRecord,
    PhaseRecord,
    PropertyRecord,
    Record,
    date_problems,
    field_errors,
    looks_like_postcode,
)

RECORD_TYPES: dict[str, type[Record]] = {"decisions": DecisionRecord, "phases": PhaseRecord, "properties": PropertyRecord}
# Export writes these too; an import of an export folder passes over them (postcode_districts is read by import-lookup).
NOT_IMPORTED = {layout.name for layout in EXPORT_LAYOUTS if layout not in LAYOUTS} | {
    DATA_DICTIONARY.name, TEMPLATE_GUIDE_SHEET}  # fmt: skip


@dataclass
class RawTable:
    source: str
    layout_name: str | None
    headers: list[str]
    rows: list[tuple[int, list[Any]]]


@dataclass
class TableCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport(Report):
    counts: dict[str, TableCounts] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)  # one line per created or updated row
    skipped_files: list[str] = field(default_factory=list)

    def outcome(self) -> str:
        verb = self.verb
        parts = [
            f"{name}: {c.created} new, {c.updated} changed, {c.unchanged} unchanged" for name, c in self.counts.items()
        ]
        lines = [f"{verb}. " + "; ".join(parts)]
        lines += [f"  {change}" for change in self.changes]
        lines += [f"  (not an importable table, passed over: {name})" for name in self.skipped_files]
        return "\n".join(lines)


# ---------------------------------------------------------------- reading files


def _non_blank(cells: Iterable[Any]) -> bool:
    return any(cell is not None and str(cell).strip() for cell in cells)


def _table(source: str, layout_name: str | None, lines: list[list[Any]]) -> RawTable | None:
    numbered = [(number, cells) for number, cells in enumerate(lines, start=1) if _non_blank(cells)]
    if not numbered:
        return None
    header_row, headers = numbered[0]
    if header_row != 1:
        numbered = [(number - header_row + 1, cells) for number, cells in numbered]
    headers = [str(cell).strip() if cell is not None else "" for cell in headers]
    # A cell our own export guarded against spreadsheets running it ("'=A1") is read back as it was written.
    rows = [(number, [unformula(cell) if isinstance(cell, str) else cell for cell in cells])
            for number, cells in numbered[1:]]  # fmt: skip
    return RawTable(source=source, layout_name=layout_name, headers=headers, rows=rows)


def read_csv_text(text: str, source: str, layout_name: str | None) -> RawTable | None:
    return _table(source, layout_name, csv_rows(text, source))


def read_xlsx(path: Path, skipped: list[str]) -> list[RawTable]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(f"{path.name}: not a readable Excel workbook ({error})") from None
    tables = []
    for sheet in workbook.worksheets:
        name = sheet.title.strip().lower()
        if name in NOT_IMPORTED:
            skipped.append(f"{path.name}:{sheet.title}")
            continue
        table = _table(f"{path.name}:{sheet.title}", name if name in LAYOUT_BY_NAME else None, list(sheet.values))
        if table is not None:
            tables.append(table)
    workbook.close()
    return tables


def read_tables(path: Path, skipped: list[str]) -> list[RawTable]:
    if path.is_dir():
        tables = []
        for file in sorted(path.glob("*.csv")):
            if file.stem in NOT_IMPORTED:
                skipped.append(file.name)
                continue
            tables.extend(read_tables(file, skipped))
        return tables
    if not path.exists():
        raise UnreadableFile(f"{path.name}: no such file or folder ({path.resolve().parent})")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path, skipped)
    if suffix in {".csv", ".txt"}:
        stem = path.stem.lower()
        table = read_csv_text(decode(path.read_bytes()), path.name, stem if stem in LAYOUT_BY_NAME else None)
        return [table] if table else []
    raise UnreadableFile(f"{path.name}: import takes a .csv or .xlsx file, or a folder of .csv files")


def _guess_layout(table: RawTable) -> Layout:
    """A table not named after a layout is taken for the one whose columns its headers match best."""
    if table.layout_name:
        return LAYOUT_BY_NAME[table.layout_name]

    def matched(layout: Layout) -> tuple[int, int]:
        hits = sum(1 for header in table.headers if header and layout.column_for(header))
        return hits, layout is PROPERTIES  # the tracker wins a tie: it is what most files are

    return max(LAYOUTS, key=matched)


# ---------------------------------------------------------------- checking rows


@dataclass
class CheckedTable:
    layout: Layout
    source: str
    records: list[tuple[int, Record]]


def _check_headers(table: RawTable, layout: Layout) -> tuple[dict[int, str], list[Problem]]:
    """Cell index -> field, and a problem for each unknown, repeated or missing column."""
    problems, fields = [], {}
    for index, header in enumerate(table.headers):
        if not header:
            if any(index < len(cells) and _non_blank([cells[index]]) for _, cells in table.rows):
                problems.append(Problem(table.source, 1, f"column {index + 1}", "values under a blank header"))
            continue
        column = layout.column_for(header)
        if column is None:
            problems.append(
                Problem(table.source, 1, header, f"unknown column for {layout.name}; expected: {', '.join(layout.headers)}")
            )
        elif column.field in fields.values():
            problems.append(Problem(table.source, 1, header, f"repeats the column {column.header}"))
        else:
            fields[index] = column.field
    for column in layout.columns:
        if column.required and column.field not in fields.values():
            problems.append(Problem(table.source, 1, column.header, "required column is missing"))
    return fields, problems


def _record_input(cells: list[Any], fields: dict[int, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for index, name in fields.items():
        value = cells[index] if index < len(cells) else None
        if "." in name:  # "planned.survey" -> data["planned"]["survey"]
            group, key = name.split(".", 1)
            data.setdefault(group, {})[key] = value
        else:
            data[name] = value
    return data


def check_record(record_type: type[Record], data: dict[str, Any], today: date) -> tuple[Any, list[tuple[str, str]]]:
    """One row or form, checked: (the record, []) or (None, [(field, message), ...]). Imports and the app's forms
    both come through here, so a cell and a form field get the same message."""
    postcodes = [
        (name, "looks like a postcode: locations of homes are never stored")
        for name, value in _flat(data)
        if isinstance(value, str) and looks_like_postcode(value)
    ]
    if postcodes:
        return None, postcodes
    try:
        record = record_type.model_validate(data)
    except ValidationError as error:
        return None, field_errors(error)
    if isinstance(record, PropertyRecord):
        dated = date_problems(record, today)
        if dated:
            return None, dated
    return record, []


def _flat(data: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """("planned.survey", value) for nested milestone dates, (name, value) for the rest."""
    for name, value in data.items():
        if isinstance(value, dict):
            yield from ((f"{name}.{key}", inner) for key, inner in value.items())
        else:
            yield name, value


def check_table(table: RawTable, today: date) -> tuple[CheckedTable, list[Problem]]:
    layout = _guess_layout(table)
    checked = CheckedTable(layout=layout, source=table.source, records=[])
    fields, problems = _check_headers(table, layout)
    if problems:
        return checked, problems
    record_type = RECORD_TYPES[layout.name]
    first_row_of: dict[str, int] = {}
    for row, cells in table.rows:
        record, found = check_record(record_type, _record_input(cells, fields), today)
        if found:
            problems.extend(Problem(table.source, row, layout.header_for(f), m) for f, m in found)
            continue
        key = getattr(record, layout.key)
        if key in first_row_of:
            problems.append(
                Problem(table.source, row, layout.key_column.header, f"'{key}' is repeated (first at row {first_row_of[key]})")
            )
            continue
        first_row_of[key] = row
        checked.records.append((row, record))
    return checked, problems


# ---------------------------------------------------------------- writing


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set only the values that differ, so an unchanged row is not touched (no audit row, no new version)."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


class Writer:
    """Writes checked records into a session: creates or updates by key, touching only values that differ."""

    def __init__(self, session: Session, provenance: str, report: ImportReport):
        self.session = session
        self.provenance = provenance  # for rows that name none of their own
        self.report = report
        self.strategy = session.scalar(select(Strategy))
        self.decisions = {d.reference: d for d in session.scalars(select(Decision))}
        self.phases = {p.name: p for p in session.scalars(select(Phase))}
        self.districts = DistrictLookup.from_session(session)

    def _upsert(
        self,
        table: str,
        key: str,
        existing: Any,
        make: Callable[[], Any],
        values: dict[str, Any],
        provenance: str | None,
        children_changed: bool = False,
    ) -> Any:
        counts = self.report.counts.setdefault(table, TableCounts())
        obj = existing if existing is not None else make()
        changed = _assign(obj, values) or children_changed
        if existing is None:
            obj.provenance = provenance or self.provenance
            self.session.add(obj)
            counts.created += 1
            self.report.changes.append(f"{table} {key}: new")
        elif changed or (provenance and provenance != obj.provenance):
            obj.provenance = provenance or self.provenance
            counts.updated += 1
            self.report.changes.append(f"{table} {key}: changed")
        else:
            counts.unchanged += 1
        return obj

    def decision(self, record: DecisionRecord) -> None:
        values = record.model_dump(exclude={"provenance"})
        existing = self.decisions.get(record.reference)
        self.decisions[record.reference] = self._upsert(
            DECISIONS.name, record.reference, existing, Decision, values, record.provenance
        )

    def phase(self, record: PhaseRecord) -> None:
        values = record.model_dump(exclude={"provenance", "decision_reference"})
        values["decision"] = self.decisions.get(record.decision_reference) if record.decision_reference else None
        existing = self.phases.get(record.name)
        self.phases[record.name] = self._upsert(
            PHASES.name, record.name, existing, lambda: Phase(strategy=self.strategy), values, record.provenance
        )

    def property(self, record: PropertyRecord, existing: Property | None) -> None:
        values = record.model_dump(exclude={"provenance", "phase", "district", "planned", "actual"})
        values["phase"] = self.phases[record.phase]
        values["district"] = self.session.get(District, self.districts.resolve(record.district))
        prop = existing or Property(milestones=[])
        milestones_changed = _assign_milestones(prop, record)
        self._upsert(
            PROPERTIES.name, record.reference, existing, lambda: prop, values, record.provenance, milestones_changed
        )


def _assign_milestones(prop: Property, record: PropertyRecord) -> bool:
    by_stage = {milestone.stage_key: milestone for milestone in prop.milestones}
    changed = False
    for stage in STAGES:
        planned, actual = record.planned.get(stage.key), record.actual.get(stage.key)
        milestone = by_stage.get(stage.key)
        if milestone is None:
            if planned or actual:
                prop.milestones.append(Milestone(stage_key=stage.key, planned_on=planned, actual_on=actual))
                changed = True
        elif _assign(milestone, {"planned_on": planned, "actual_on": actual}):
            changed = True
    return changed


def reference_problems(
    record: Record, known_decisions: set[str], known_phases: set[str], districts: DistrictLookup
) -> list[tuple[str, str]]:
    """(field, message) for names that must point at something: a property's district and phase, a phase's
    decision."""
    problems = []
    if isinstance(record, PhaseRecord) and record.decision_reference and record.decision_reference not in known_decisions:
        problems.append(("decision_reference", f"no decision '{record.decision_reference}'"))
    if isinstance(record, PropertyRecord):
        if districts.resolve(record.district) is None:
            problems.append(
                ("district", f"unknown district '{record.district}'; expected one of: {', '.join(districts.names)}")
            )
        if record.phase not in known_phases:
            problems.append(("phase", f"no phase '{record.phase}': add it to phases first"))
    return problems


def _reference_problems(checked: list[CheckedTable], session: Session, districts: DistrictLookup) -> list[Problem]:
    known_decisions = set(session.scalars(select(Decision.reference)))
    known_phases = set(session.scalars(select(Phase.name)))
    for table in checked:
        if table.layout is DECISIONS:
            known_decisions |= {record.reference for _, record in table.records}  # type: ignore[attr-defined]
        if table.layout is PHASES:
            known_phases |= {record.name for _, record in table.records}  # type: ignore[attr-defined]
    problems = []
    for table in checked:
        for row, record in table.records:
            problems.extend(
                Problem(table.source, row, table.layout.header_for(field), message)
                for field, message in reference_problems(record, known_decisions, known_phases, districts)
            )
    return problems


def import_path(
    engine: Engine,
    path: Path,
    actor: Actor,
    dry_run: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Check everything in `path`, then write it in one transaction (or, with `dry_run`, report what would change)."""
    if not dry_run:
        actor.require(Permission.EDIT)
    report = ImportReport()
    today = today or date.today()
    try:
        tables = read_tables(path, report.skipped_files)
    except UnreadableFile as error:
        report.problems.append(Problem(path.name, None, None, str(error).removeprefix(f"{path.name}: ")))
        return report
    if not tables:
        report.problems.append(Problem(path.name, None, None, "no table found: the file is empty"))
        return report

    checked: list[CheckedTable] = []
    for table in tables:
        checked_table, problems = check_table(table, today)
        checked.append(checked_table)
        report.problems.extend(problems)
    by_layout = {layout.name: [t for t in checked if t.layout is layout] for layout in LAYOUTS}
    for name, found in by_layout.items():
        if len(found) > 1:
            report.problems.append(
                Problem(path.name, None, None, f"{name} given twice: in {', '.join(t.source for t in found)}")
            )
    if report.problems:
        return report
    # Every table read is counted, so a table with no rows (an empty template) reports "0 new" rather than nothing.
    for name, found in by_layout.items():
        if found:
            report.counts[name] = TableCounts()

    with session_scope(engine, actor) as session:
        writer = Writer(session, f"imported from {path.name}", report)
        report.problems.extend(_reference_problems(checked, session, writer.districts))
        if report.problems:
            session.rollback()
            return report
        for table in by_layout["decisions"]:
            for _, record in table.records:
                writer.decision(record)  # type: ignore[arg-type]
        for table in by_layout["phases"]:
            for _, record in table.records:
                writer.phase(record)  # type: ignore[arg-type]
        for table in by_layout["properties"]:
            references = [record.reference for _, record in table.records]  # type: ignore[attr-defined]
            existing = {
                p.reference: p
                for p in session.scalars(
                    select(Property).where(Property.reference.in_(references)).options(selectinload(Property.milestones))
                )
            }
            for _, record in table.records:
                writer.property(record, existing.get(record.reference))  # type: ignore[attr-defined,arg-type]
        if dry_run:
            session.rollback()
        else:
            report.written = True
    return report

