"""Import decisions, phases and properties (with their milestones) from CSV, Excel or a folder of CSVs, into one
council's programme: the one chosen, or the one the file's Council columns name (as export writes them where the
store holds several councils).

All or nothing: every row is checked first; if any row or column is at fault, the report names each one and nothing
is written. Rows are matched to the store by their key (a property's reference code), so importing the same file twice
changes nothing the second time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from dashboard.importers import CSV_SUFFIXES, Accepts, Refused, run_import
from dashboard.layout import (
    COUNCIL_COLUMNS,
    COUNCIL_FIELDS,
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
    with_council,
)
from dashboard.models import Council, Decision, District, Milestone, Phase, Property, Strategy
from dashboard.reading import Problem, Report, UnreadableFile, decode, numbered_rows, quoted, read_file
from dashboard.reference import (
    DistrictLookup,
    UnknownCouncil,
    council_matching,
    council_named,
    default_council,
    held_councils,
    normalise_name,
)
from dashboard.roles import Actor
from dashboard.safeguarding import file_name_problem, postcode_problem
from dashboard.stages import STAGES
from dashboard.validation import (
    DecisionRecord,
    PhaseRecord,
    PropertyRecord,
    Record,
    date_problems,
    field_errors,
    flat,
    parsed_fields,
)
from dashboard.workbooks import NO_SAVED_VALUE, workbook_sheets

AnyRecord = TypeVar("AnyRecord", bound=Record)
RECORD_TYPES: dict[str, type[Record]] = {
    "decisions": DecisionRecord,
    "phases": PhaseRecord,
    "properties": PropertyRecord,
}
# Export writes these too; an import of an export folder passes over them (postcode_districts is read by import-lookup).
NOT_IMPORTED = {layout.name for layout in EXPORT_LAYOUTS if layout not in LAYOUTS} | {
    DATA_DICTIONARY.name,
    TEMPLATE_GUIDE_SHEET,
}


@dataclass
class RawTable:
    source: str
    layout_name: str | None
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    problems: list[Problem] = field(default_factory=list)  # found in reading it: each row's, or the table's
    header_row: int = 1  # the file's own row of the header: blank rows may stand above it


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

    def refuse(self, problem: Problem) -> None:
        super().refuse(problem)
        self.counts, self.changes = {}, []

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


def _table(
    source: str,
    layout_name: str | None,
    lines: Sequence[tuple[int, Sequence[Any]]],
    unsaved_formulas: Iterable[tuple[int, int]] = (),
) -> RawTable | None:
    """The table in numbered lines, each keeping the file's own number whatever is above the header: the header is
    the first non-blank line, and the table ends at its last named column. `unsaved_formulas` are the (row, column)
    of formulas a workbook holds without their values."""
    numbered = [(number, cells) for number, cells in lines if _non_blank(cells)]
    if not numbered:
        return None
    (header_row, header_cells), body = numbered[0], numbered[1:]
    headers = _header_names(header_cells)
    unsaved = [(row, column) for row, column in unsaved_formulas if row >= header_row and column <= len(headers)]
    problems = _beyond_last_column(source, body, len(headers))
    problems += [
        Problem(source, row, headers[column - 1] or f"column {column}", NO_SAVED_VALUE) for row, column in unsaved
    ]
    # A row holding such a formula is not checked further: its cell would be reported missing, which it is not.
    not_checked = {row for row, _ in unsaved}
    # A cell our own export guarded against spreadsheets running it ("'=A1") is read back as it was written.
    rows = [
        (row, [unformula(cell) if isinstance(cell, str) else cell for cell in cells[: len(headers)]])
        for row, cells in body
        if row not in not_checked
    ]
    return RawTable(
        source=source, layout_name=layout_name, headers=headers, rows=rows, problems=problems, header_row=header_row
    )


def _header_names(cells: Sequence[Any]) -> list[str]:
    """The header's names, up to its last named column (a sheet's rows run on to its widest row with blanks)."""
    names = [str(cell).strip() if cell is not None else "" for cell in cells]
    while names and not names[-1]:
        names.pop()
    return names


def _beyond_last_column(source: str, body: list[tuple[int, Sequence[Any]]], width: int) -> list[Problem]:
    """A problem for each value right of the last headed column: it would be taken silently otherwise."""
    return [
        Problem(
            source, row, f"column {index + 1}", "a value beyond the last headed column: give it a header, or delete it"
        )
        for row, cells in body
        for index in range(width, len(cells))
        if _non_blank([cells[index]])
    ]


def read_csv_text(text: str, source: str, layout_name: str | None) -> RawTable | None:
    return _table(source, layout_name, numbered_rows(text, source))


def read_xlsx(path: Path, skipped: list[str]) -> list[RawTable]:
    """Each imported sheet of the workbook, read within the limits (`dashboard.workbooks`). A hidden sheet holding
    data is refused rather than imported unseen; the sheets export writes but import does not read are passed over."""
    tables = []
    for sheet in workbook_sheets(path):
        name = sheet.title.strip().lower()
        if name in NOT_IMPORTED:
            skipped.append(f"{path.name}:{sheet.title}")
            continue
        contents = sheet.read()
        if sheet.hidden and any(_non_blank(cells) for _, cells in contents.rows):
            raise UnreadableFile(
                f"{path.name}: sheet '{sheet.title}' is hidden: unhide it or delete it, so that "
                "nothing is imported unseen"
            )
        layout_name = name if name in LAYOUT_BY_NAME else None
        table = _table(f"{path.name}:{sheet.title}", layout_name, contents.rows, contents.unsaved_formulas)
        if table is not None:
            tables.append(table)
    return tables


def read_tables(path: Path, skipped: list[str]) -> list[RawTable]:
    """The tables of a file or folder of the kind `ProgrammeImport.accepts` (checked before: a .csv, .txt or .xlsx
    file, or a folder of .csv files)."""
    if path.is_dir():
        tables = []
        for file in sorted(path.glob("*.csv")):
            if file.stem in NOT_IMPORTED:
                skipped.append(file.name)
                continue
            tables.extend(read_tables(file, skipped))
        return tables
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, skipped)
    stem = path.stem.lower()
    table = read_csv_text(decode(read_file(path), path.name), path.name, stem if stem in LAYOUT_BY_NAME else None)
    return [table] if table else []


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
class Checked:
    """A row or a form, checked: its record when nothing is at fault; each field that is valid on its own, parsed,
    by flat name ("planned.survey"), for the checks that read other fields and the store; and every fault, one a
    field."""

    record: Record | None
    values: dict[str, Any]
    faults: dict[str, str] = field(default_factory=dict)
    whose: dict[str, str] = field(default_factory=dict)  # a row's Council columns given, by field: as written

    def add(self, problems: Iterable[tuple[str, str]]) -> None:
        """More faults: a field's first one stands (a field is named once), and a record at fault is no record."""
        for name, message in problems:
            self.faults.setdefault(name, message)
            self.values.pop(name, None)
        if self.faults:
            self.record = None

    def in_order(self, layout: Layout) -> list[tuple[str, str]]:
        """The faults, in the order of the layout's columns."""
        position = {column.field: index for index, column in enumerate(layout.columns)}
        return sorted(self.faults.items(), key=lambda fault: position.get(fault[0], len(position)))


@dataclass
class CheckedTable:
    layout: Layout
    source: str
    rows: list[tuple[int, Checked]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of the table as a whole: its headers, how it was read
    fields: frozenset[str] = frozenset()  # the fields its columns give

    @property
    def records(self) -> list[tuple[int, Record]]:
        return [(row, checked.record) for row, checked in self.rows if checked.record is not None]

    def records_of(self, record_type: type[AnyRecord]) -> list[AnyRecord]:
        """The records, as the one type this table's layout checks its rows into (so the writer is typed)."""
        records = []
        for _, record in self.records:
            if not isinstance(record, record_type):
                raise TypeError(f"a {type(record).__name__} in the {self.layout.name} table")
            records.append(record)
        return records

    def keys(self) -> list[str]:
        """The key of each row whose key is valid."""
        return [checked.values[self.layout.key] for _, checked in self.rows if self.layout.key in checked.values]

    def all_problems(self) -> list[Problem]:
        written = with_council(self.layout)  # a row's council is at fault as a column of its own
        by_row = [(row, name, message) for row, checked in self.rows for name, message in checked.in_order(written)]
        return self.problems + [
            Problem(self.source, row, written.header_for(name), message) for row, name, message in by_row
        ]


def _check_headers(table: RawTable, layout: Layout) -> tuple[dict[int, str], list[Problem]]:
    """Cell index -> field, and a problem for each unknown, repeated or missing column."""
    problems: list[Problem] = []
    fields: dict[int, str] = {}
    for index, header in enumerate(table.headers):
        if not header:
            if any(index < len(cells) and _non_blank([cells[index]]) for _, cells in table.rows):
                problems.append(
                    Problem(table.source, table.header_row, f"column {index + 1}", "values under a blank header")
                )
            continue
        column = with_council(layout).column_for(header)  # the Council columns, optional in every table
        if column is None:
            problems.append(
                Problem(
                    table.source,
                    table.header_row,
                    header,
                    f"unknown column for {layout.name}; expected: {', '.join(layout.headers)}",
                )
            )
        elif column.field in fields.values():
            problems.append(Problem(table.source, table.header_row, header, f"repeats the column {column.header}"))
        else:
            fields[index] = column.field
    for column in layout.columns:
        if column.required and column.field not in fields.values():
            problems.append(Problem(table.source, table.header_row, column.header, "required column is missing"))
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


def check_record(record_type: type[Record], data: dict[str, Any], today: date) -> Checked:
    """One row or form, checked for every fault it has on its own. Imports and the app's forms both come through
    here, so a cell and a form field get the same message."""
    postcodes = [(name, problem) for name, value in flat(data) if (problem := postcode_problem(value))]
    try:
        record: Record | None = record_type.model_validate(data)
        errors: list[tuple[str, str]] = []
    except ValidationError as error:
        record, errors = None, field_errors(error)
    # When the record is refused, its other fields are still read one by one: a row's dates, district and phase are
    # checked whatever else is wrong with it.
    values = dict(flat(record.model_dump())) if record else parsed_fields(record_type, data)
    checked = Checked(record, values)
    checked.add(postcodes)
    checked.add(errors)
    if record_type is PropertyRecord:
        checked.add(date_problems(checked.values, today))
    return checked


def in_other_capitals(written: str, held: str, where: str = "") -> str:
    """The refusal of a key that is one already held, written in other capitals: one thing, one key."""
    return f"'{written}' is {held}{where} written in other capitals: write it as {held}"


def check_table(table: RawTable, today: date) -> CheckedTable:
    """Every row of a table, checked on its own and against the rows above it (a key given twice, in any
    capitals); what needs the store is checked in `_store_problems`."""
    layout = _guess_layout(table)
    checked = CheckedTable(layout=layout, source=table.source, problems=list(table.problems))
    fields, header_problems = _check_headers(table, layout)
    checked.problems += header_problems
    checked.fields = frozenset(fields.values())
    if header_problems:
        return checked
    record_type = RECORD_TYPES[layout.name]
    whose = {index: name for index, name in fields.items() if name in COUNCIL_FIELDS}  # checked against the store
    first_row_of: dict[str, tuple[int, str]] = {}  # key, ignoring capitals -> (row, key as first written)
    for row, cells in table.rows:
        own = {index: name for index, name in fields.items() if index not in whose}
        found = check_record(record_type, _record_input(cells, own), today)
        found.whose = {name: _text(cells[index] if index < len(cells) else None) for index, name in whose.items()}
        key = found.values.get(layout.key)
        if key is not None:
            first = first_row_of.setdefault(key.casefold(), (row, key))
            if first[0] != row:
                found.add([(layout.key, _repeated(key, *first))])
        checked.rows.append((row, found))
    return checked


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _repeated(key: str, first_row: int, first: str) -> str:
    if key == first:
        return f"'{key}' is repeated (first at row {first_row})"
    return in_other_capitals(key, first, f" (row {first_row})")


class Names:
    """Keys of one kind (decision references, phase names, property references): each as written, and what each is
    ignoring capitals, so a key written in other capitals is found as the one it repeats."""

    def __init__(self, names: Iterable[str] = ()):
        self.exact: set[str] = set()
        self.folded: dict[str, str] = {}
        self.add(names)

    def add(self, names: Iterable[str]) -> None:
        for name in names:
            self.exact.add(name)
            self.folded.setdefault(name.casefold(), name)

    def __contains__(self, name: str) -> bool:
        return name in self.exact

    def held_as(self, name: str) -> str | None:
        """The key held that `name` writes in other capitals, or None (when it is new, or held as written)."""
        held = self.folded.get(name.casefold())
        return held if held is not None and name not in self.exact else None


@dataclass
class KnownNames:
    """The store's keys, which a new key must not repeat in other capitals, and what a row may point at: the
    council's decisions, phases and districts, with (once added) the import's own. Decision and property references
    are unique across the store's councils: `elsewhere` names the council holding each of another council's."""

    decisions: Names
    phases: Names
    properties: Names
    districts: DistrictLookup
    urns: dict[str, str] = field(default_factory=dict)  # property reference -> its Ofsted URN, for those with one
    council: str = ""
    elsewhere: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> key -> the council holding it
    other_districts: dict[str, str] = field(default_factory=dict)  # a district written another council's way -> it

    @classmethod
    def from_session(cls, session: Session, council: Council | None = None) -> KnownNames:
        council = council or default_council(session)
        ours = Council.id == council.id
        decisions = select(Decision.reference, Council.name).join(Council, Decision.council_id == Council.id)
        properties = (
            select(Property.reference, Council.name)
            .join(District, Property.district_id == District.id)
            .join(Council, District.council_id == Council.id)
        )
        held = select(Property.reference, Property.ofsted_urn)
        everywhere = DistrictLookup.from_session(session)
        district_council = dict(session.execute(select(District.id, Council.name).join(District.council)).all())
        return cls(
            decisions=Names(session.scalars(decisions.where(ours).with_only_columns(Decision.reference))),
            phases=Names(
                session.scalars(select(Phase.name).join(Phase.strategy).where(Strategy.council_id == council.id))
            ),
            properties=Names(session.scalars(properties.where(ours).with_only_columns(Property.reference))),
            districts=DistrictLookup.from_session(session, council.id),
            urns={reference: urn for reference, urn in session.execute(held) if urn is not None},
            council=council.name,
            elsewhere={
                DECISIONS.name: dict(session.execute(decisions.where(~ours)).all()),
                PROPERTIES.name: dict(session.execute(properties.where(~ours)).all()),
            },
            other_districts={
                key: district_council[district_id]
                for key, district_id in everywhere.by_key.items()
                if district_council[district_id] != council.name
            },
        )

    def keys_of(self, layout: Layout) -> Names:
        return {DECISIONS.name: self.decisions, PHASES.name: self.phases, PROPERTIES.name: self.properties}[layout.name]


def key_problems(layout: Layout, values: dict[str, Any], known: KnownNames) -> list[tuple[str, str]]:
    """(field, message) for a key that is one the store holds, written in other capitals, or that another council
    holds."""
    key = values.get(layout.key)
    if key is None:
        return []
    held_by = {k.casefold(): council for k, council in known.elsewhere.get(layout.name, {}).items()}
    if (council := held_by.get(key.casefold())) is not None:
        return [(layout.key, f"'{key}' is {council}'s: references are unique across the store's councils")]
    held = known.keys_of(layout).held_as(key)
    return [(layout.key, in_other_capitals(key, held))] if held else []


def reference_problems(record_type: type[Record], values: dict[str, Any], known: KnownNames) -> list[tuple[str, str]]:
    """(field, message) for names that must point at something: a property's district and phase, a phase's
    decision. Read from the fields valid on their own, so they are checked whatever else is wrong with the row."""
    problems = []
    if record_type is PhaseRecord and values.get("decision_reference"):
        problems += _missing("decision_reference", "decision", values["decision_reference"], known.decisions)
    if record_type is PropertyRecord:
        district = values.get("district")
        if district is not None and known.districts.resolve(district) is None:
            other = known.other_districts.get(normalise_name(district))
            where = f"a district of {other}, not of {known.council}" if other else "unknown district"
            problems.append(("district", f"{where} '{district}'; expected one of: {', '.join(known.districts.names)}"))
        if values.get("phase") is not None:
            problems += _missing("phase", "phase", values["phase"], known.phases, ": add it to phases first")
    return problems


def _missing(name: str, kind: str, written: str, known: Names, advice: str = "") -> list[tuple[str, str]]:
    if written in known:
        return []
    held = known.held_as(written)
    return [(name, f"no {kind} '{written}': write it as {held}" if held else f"no {kind} '{written}'{advice}")]


@dataclass(frozen=True)
class GivenUrn:
    """A property given an Ofsted URN (or none: blank) by a row or a form; `where` says where, for a message."""

    reference: str
    urn: str | None
    where: str = ""  # " (row 3)"


def urn_clashes(held: dict[str, str], given: Sequence[GivenUrn]) -> list[tuple[GivenUrn, str]]:
    """Each property given a URN another property would hold too once `given` is written over the store's `held`
    (reference -> URN): one URN is one home. The URN stays with the property that holds it now, or else with the
    first given it; each other is refused, naming both."""
    after = held | {one.reference: one.urn for one in given if one.urn is not None}
    for one in given:
        if one.urn is None:
            after.pop(one.reference, None)
    holders: dict[str, list[str]] = {}
    for reference, urn in after.items():
        holders.setdefault(urn, []).append(reference)
    order = {one.reference: index for index, one in enumerate(given)}
    where = {one.reference: one.where for one in given}
    clashes = []
    for one in given:
        if one.urn is None or len(holders[one.urn]) == 1:
            continue
        first = min(holders[one.urn], key=lambda ref: (held.get(ref) != one.urn, order.get(ref, -1)))
        if first != one.reference:
            holder = f"{first}{where.get(first, '')}"
            clashes.append(
                (one, f"'{one.urn}' is already the Ofsted URN of {holder}: it cannot be {one.reference}'s too")
            )
    return clashes


def _urn_problems(checked: list[CheckedTable], known: KnownNames) -> None:
    """Adds to each row that gives a property a URN another property holds (in the store, or given by the file) the
    fault saying so. Only files with the column count: a file without it leaves each URN as it is."""
    rows: dict[GivenUrn, Checked] = {}
    for table in checked:
        if table.layout is not PROPERTIES or "ofsted_urn" not in table.fields:
            continue
        for row, found in table.rows:
            if (reference := found.values.get("reference")) is not None:
                # A URN at fault itself is not among the values: the property is taken to have none, so no clash is
                # reported for a URN the row does not give.
                rows[GivenUrn(reference, found.values.get("ofsted_urn"), f" (row {row})")] = found
    for given, message in urn_clashes(known.urns, list(rows)):
        rows[given].add([("ofsted_urn", message)])


def _store_problems(checked: list[CheckedTable], known: KnownNames) -> None:
    """Adds to each row its faults against the store: its key held in other capitals; a name that points at
    nothing in the store or the import; an Ofsted URN another property holds."""
    for table in checked:
        for _, row in table.rows:
            row.add(key_problems(table.layout, row.values, known))
    _urn_problems(checked, known)
    for table in checked:  # what the import adds, rows may point at
        known.keys_of(table.layout).add(table.keys())
    for table in checked:
        record_type = RECORD_TYPES[table.layout.name]
        for _, row in table.rows:
            row.add(reference_problems(record_type, row.values, known))


# ---------------------------------------------------------------- whose each row is

# A file is one council's: every row's Council columns, where given, name the council imported into. Rows for several
# councils in one file would need a writer, the names known and the editor's permission council by council, and a
# phase named "Phase 1" by one row and pointed at by another would have to be matched by council too; an analyst
# imports each council's file instead (the export of one council's files is one council's).
COUNCIL_COLUMN = COUNCIL_COLUMNS[0]  # a name or ONS code; the other, an ONS code


@dataclass(frozen=True)
class CouncilNamed:
    council: Council
    where: str = ""  # where the file named it, when the council imported into was not chosen: "properties.csv row 2"


def _named_council(written: str, name: str, councils: Sequence[Council]) -> Council | None:
    """The council a cell of the Council column (its name or ONS code) or the ONS code column (a code) names."""
    return council_matching(councils, written, by_name=name == COUNCIL_COLUMN.field)


def first_named_council(checked: Iterable[CheckedTable], councils: Sequence[Council]) -> CouncilNamed | None:
    """The first council a row of the file names, and where: the council of a file imported without one chosen."""
    for table in checked:
        for row, found in table.rows:
            for name, written in found.whose.items():
                if (council := _named_council(written, name, councils)) is not None:
                    return CouncilNamed(council, f"{table.source} row {row}")
    return None


def council_problems(whose: dict[str, str], into: CouncilNamed, councils: Sequence[Council]) -> list[tuple[str, str]]:
    """(field, message) for each Council column of a row that is blank, names no council the store holds, or names
    another council than the one imported into."""
    problems = []
    for name, written in whose.items():
        by_name = name == COUNCIL_COLUMN.field
        council = _named_council(written, name, councils) if written else None
        if not written:
            what = "the council's name or ONS code" if by_name else "the council's ONS code"
            problems.append((name, f"blank: write {what}, as the column is given"))
        elif council is None:
            what = "council" if by_name else "council's ONS code"
            problems.append((name, f"no {what} {quoted(written)} in the store; it holds {held_councils(councils)}"))
        elif council.id != into.council.id:
            chosen = f"the council {into.where} names" if into.where else "the council imported into"
            problems.append(
                (
                    name,
                    f"{quoted(written)} is {council.name} ({council.ons_code}), not {into.council.name} "
                    f"({into.council.ons_code}), {chosen}: a file is one council's, so import each council's rows "
                    "on their own",
                )
            )
    return problems


# ---------------------------------------------------------------- writing


class WriteRefused(Exception):
    """A write that passed every check and still did not go in, named by table and key (never by its SQL or
    values, which a database's own message would repeat)."""

    def __init__(self, table: str, key: str, message: str):
        super().__init__(message)
        self.table, self.key = table, key


class StoreRefused(WriteRefused):
    """The database refused the row (a value it cannot hold, a key it already has)."""

    def __init__(self, table: str, key: str):
        super().__init__(table, key, f"the store refused the change to {table} '{key}'")


class ChangedMeanwhile(WriteRefused):
    """Someone else changed the row between its reading and its writing (the version check caught it)."""

    def __init__(self, table: str, key: str):
        super().__init__(table, key, f"{table} '{key}' was changed by someone else meanwhile")


# A property's fields that a file without their column does not change (the status note came after many files were
# made: an older tracker imported again must not clear what editors wrote since).
KEPT_WHEN_ABSENT = frozenset({"status_note", "ofsted_urn"})


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set only the values that differ, so an unchanged row is not touched (no audit row, no new version)."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


class Writer:
    """Writes checked records into a session: creates or updates by key, touching only values that differ. Each row
    is flushed as it is written, so a row the database refuses is named (WriteRefused)."""

    def __init__(self, session: Session, provenance: str, report: ImportReport, council: Council | None = None):
        self.session = session
        self.provenance = provenance  # for rows that name none of their own
        self.report = report
        self.council = council or default_council(session)
        self.strategy = session.scalars(select(Strategy).where(Strategy.council_id == self.council.id)).one()
        self.decisions = {
            d.reference: d for d in session.scalars(select(Decision).where(Decision.council_id == self.council.id))
        }
        self.phases = {p.name: p for p in session.scalars(select(Phase).where(Phase.strategy_id == self.strategy.id))}
        self.districts = DistrictLookup.from_session(session, self.council.id)

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
        self._flush(table, key)
        return obj

    def _flush(self, table: str, key: str) -> None:
        try:
            self.session.flush()
        except StaleDataError:
            raise ChangedMeanwhile(table, key) from None
        # OverflowError: SQLite's driver refuses an integer it cannot hold before the database sees it.
        except (StatementError, OverflowError):
            raise StoreRefused(table, key) from None

    def decision(self, record: DecisionRecord) -> None:
        values = record.model_dump(exclude={"provenance"})
        existing = self.decisions.get(record.reference)
        self.decisions[record.reference] = self._upsert(
            DECISIONS.name,
            record.reference,
            existing,
            lambda: Decision(council=self.council),
            values,
            record.provenance,
        )

    def phase(self, record: PhaseRecord) -> None:
        values = record.model_dump(exclude={"provenance", "decision_reference"})
        values["decision"] = self.decisions.get(record.decision_reference) if record.decision_reference else None
        existing = self.phases.get(record.name)
        self.phases[record.name] = self._upsert(
            PHASES.name, record.name, existing, lambda: Phase(strategy=self.strategy), values, record.provenance
        )

    def release_urns(self, records: list[PropertyRecord], existing: dict[str, Property]) -> None:
        """Takes each URN that moves from one property to another in this import off the property giving it up,
        first: rows are written one by one, and the store holds a URN once at every step (two properties may swap
        theirs). That property's audit rows show its URN cleared, then its new one."""
        wanted = {r.ofsted_urn: r.reference for r in records if r.ofsted_urn and "ofsted_urn" in r.model_fields_set}
        moving = [p for p in existing.values() if p.ofsted_urn and wanted.get(p.ofsted_urn, p.reference) != p.reference]
        for prop in moving:
            prop.ofsted_urn = None
            self._flush(PROPERTIES.name, prop.reference)

    def property(self, record: PropertyRecord, existing: Property | None) -> None:
        # A column newer than the trackers people keep, missing from a file, leaves what the store holds as it is.
        absent = KEPT_WHEN_ABSENT - record.model_fields_set
        values = record.model_dump(exclude={"provenance", "phase", "district", "planned", "actual", *absent})
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


def _write(session: Session, writer: Writer, by_layout: dict[str, list[CheckedTable]]) -> None:
    """Decisions, then phases, then properties (which point at them)."""
    for table in by_layout[DECISIONS.name]:
        for decision in table.records_of(DecisionRecord):
            writer.decision(decision)
    for table in by_layout[PHASES.name]:
        for phase in table.records_of(PhaseRecord):
            writer.phase(phase)
    for table in by_layout[PROPERTIES.name]:
        properties = table.records_of(PropertyRecord)
        references = [record.reference for record in properties]
        existing = {
            p.reference: p
            for p in session.scalars(
                select(Property).where(Property.reference.in_(references)).options(selectinload(Property.milestones))
            )
        }
        writer.release_urns(properties, existing)
        for record in properties:
            writer.property(record, existing.get(record.reference))


def _refused_row(refused: WriteRefused, checked: list[CheckedTable]) -> Problem:
    """The refusal, at the file, row and key column of the row refused."""
    message = f"{refused}: nothing was imported; import the file again, or tell the dashboard's administrator"
    for table in checked:
        layout = table.layout
        for row, record in table.records:
            if layout.name == refused.table and getattr(record, layout.key) == refused.key:
                return Problem(table.source, row, layout.key_column.header, message)
    return Problem(checked[0].source, None, None, message)


@dataclass
class ProgrammeImport:
    """The programme spreadsheet as an `Importer`: decisions, phases and properties from a .csv or .xlsx file, or a
    folder of CSVs (as export writes them)."""

    path: Path
    today: date = field(default_factory=date.today)
    report: ImportReport = field(default_factory=ImportReport)
    # The council the file is for (its ONS code or name); needed only where the store holds several.
    council_named: str | None = None
    accepts: ClassVar[Accepts] = Accepts(
        frozenset({*CSV_SUFFIXES, ".xlsx"}), folders=True, words="a .csv or .xlsx file, or a folder of .csv files"
    )
    tables: list[RawTable] = field(default_factory=list, init=False)
    checked: list[CheckedTable] = field(default_factory=list, init=False)
    council: Council | None = field(default=None, init=False)

    def read(self) -> None:
        # Refused, where other importers withhold it from the audit log: rows naming no provenance keep the name.
        if named := file_name_problem(self.path.name):
            raise UnreadableFile(named)
        self.tables = read_tables(self.path, self.report.skipped_files)
        if not self.tables:
            raise UnreadableFile("no table found: the file is empty")

    def check(self, session: Session) -> list[Problem]:
        self.checked = [check_table(table, self.today) for table in self.tables]
        councils = list(session.scalars(select(Council).order_by(Council.id)))
        # In a store of several councils, a file whose rows name their council needs none chosen.
        from_file = first_named_council(self.checked, councils) if len(councils) > 1 else None
        chosen = self.council_named if self.council_named and self.council_named.strip() else None
        try:
            self.council = council_named(session, chosen or (from_file.council.ons_code if from_file else None))
        except UnknownCouncil as unknown:
            return [Problem(self.path.name, None, None, str(unknown))]
        into = CouncilNamed(self.council, "" if chosen or from_file is None else from_file.where)
        for table in self.checked:
            for _, found in table.rows:
                found.add(council_problems(found.whose, into, councils))
        given_twice = [
            Problem(self.path.name, None, None, f"{name} given twice: in {', '.join(t.source for t in found)}")
            for name, found in self._by_layout().items()
            if len(found) > 1
        ]
        _store_problems(self.checked, KnownNames.from_session(session, self.council))
        return [problem for table in self.checked for problem in table.all_problems()] + given_twice

    def changes_council(self, session: Session) -> str | None:
        return self.council.ons_code if self.council is not None else default_council(session).ons_code

    def write(self, session: Session, actor: Actor) -> None:
        by_layout = self._by_layout()
        # Every table read is counted, so a table with no rows (an empty template) reports "0 new", not nothing.
        self.report.counts = {name: TableCounts() for name, found in by_layout.items() if found}
        writer = Writer(session, f"imported from {self.path.name}", self.report, self.council)
        try:
            _write(session, writer, by_layout)
        except WriteRefused as refused:
            raise Refused(_refused_row(refused, self.checked)) from None

    def _by_layout(self) -> dict[str, list[CheckedTable]]:
        return {layout.name: [t for t in self.checked if t.layout is layout] for layout in LAYOUTS}


def import_path(
    engine: Engine,
    path: Path,
    actor: Actor,
    dry_run: bool = False,
    today: date | None = None,
    council: str | None = None,
) -> ImportReport:
    """Check everything in `path`, then write it in one transaction (or, with `dry_run`, report what would change),
    into the programme of `council` (its ONS code or name; needed where the store holds several)."""
    return run_import(engine, ProgrammeImport(path, today or date.today(), council_named=council), actor, dry_run)
