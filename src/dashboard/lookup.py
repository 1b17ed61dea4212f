"""The council's postcode-district lookup: which local authority each postcode district (outward code, "SG1") lies
in, so a placement can be counted inside or outside the county without keeping any postcode.

The lookup is replaced whole by a file's: each district strictly an outward code (`SG1`, `AL10`; small letters are
kept in capitals), each local authority text of at most the column's length. A file with no rows never replaces the
lookup held."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from dashboard import values
from dashboard.audit import record_bulk_change
from dashboard.importers import CSV_FILE, Accepts, run_import
from dashboard.layout import unformula
from dashboard.models import PostcodeDistrict, text_length
from dashboard.reading import Problem, Report, csv_table
from dashboard.roles import Actor
from dashboard.safeguarding import guarded

LOOKUP_CODE_HEADERS = ("postcode district", "outward code", "postcode_district", "outward_code", "pcds", "district")
LOOKUP_AUTHORITY_HEADERS = ("local authority", "local_authority", "la", "authority", "lad name", "laua name")
# An outward code and nothing else: A9, A99, A9A, AA9, AA99 or AA9A, with BS 7666's letters (first never Q, V or X;
# second never I, J or Z; a letter third as in W1A, fourth as in SW1A), in ASCII letters of either case ("ſg1" is not
# SG1, though Python would upper-case it so).
POSTCODE_DISTRICT = re.compile(
    r"[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)", re.ASCII | re.IGNORECASE
)
LOOKUP_AUTHORITY_LENGTH = text_length(PostcodeDistrict, "local_authority")


@dataclass
class LookupReport(Report):
    codes: int = 0
    authorities: int = 0

    def outcome(self) -> str:
        return (
            f"{self.verb} the postcode-district lookup: {self.codes} postcode districts in {self.authorities} "
            "local authorities."
        )


@dataclass
class LookupImport:
    """The postcode-district lookup as an `Importer`: a CSV with a postcode-district column ("SG1") and a
    local-authority column, replacing the lookup held. Import it before the SSDA903 episodes, whose counts it places
    inside or outside."""

    path: Path
    report: LookupReport = field(default_factory=LookupReport)
    accepts: ClassVar[Accepts] = CSV_FILE
    rows: list[tuple[int, list[str]]] = field(default_factory=list, init=False)
    lookup: dict[str, str] = field(default_factory=dict, init=False)

    def read(self) -> None:
        self.rows = csv_table(self.path)

    def check(self, session: Session) -> list[Problem]:
        source = self.path.name
        if not self.rows:
            return [Problem(source, None, None, f"the file is empty: {_kept(session)}")]
        columns, problems = _lookup_columns(*self.rows[0], source)
        if columns is None:
            return problems
        self.lookup, problems = _read_lookup(self.rows, columns, source)
        if not self.lookup and not problems:
            # A header alone would replace the lookup with nothing, and every placement would be "unknown".
            problems.append(Problem(source, None, None, f"the file has no rows: {_kept(session)}"))
        self.report.codes, self.report.authorities = len(self.lookup), len(set(self.lookup.values()))
        return problems

    def write(self, session: Session, actor: Actor) -> None:
        session.execute(delete(PostcodeDistrict))
        session.add_all(PostcodeDistrict(outward_code=code, local_authority=la) for code, la in self.lookup.items())
        record_bulk_change(session, actor, "postcode_district", self.path.name, {"codes": self.report.codes})


def import_lookup(engine: Engine, path: Path, actor: Actor, dry_run: bool = False) -> LookupReport:
    """Replace the postcode-district lookup with the file's (`LookupImport`)."""
    return run_import(engine, LookupImport(path), actor, dry_run)


def _kept(session: Session) -> str:
    """What a refused lookup leaves, in words: the lookup held, and its size."""
    held = session.scalar(select(func.count()).select_from(PostcodeDistrict))
    return f"the lookup held ({held:,} districts) is kept" if held else "nothing was imported"


@dataclass(frozen=True)
class _LookupColumns:
    """Where the file keeps the district and the authority, and their headers as written there (for problems)."""

    code_at: int
    authority_at: int
    code_header: str
    authority_header: str


def _lookup_columns(row: int, headers: list[str], source: str) -> tuple[_LookupColumns | None, list[Problem]]:
    """The district and authority columns by any of their usual headers, or a problem naming each missing."""
    normal = [cell.strip().lower() for cell in headers]
    code_at = next((i for i, h in enumerate(normal) if h in LOOKUP_CODE_HEADERS), None)
    authority_at = next((i for i, h in enumerate(normal) if h in LOOKUP_AUTHORITY_HEADERS), None)
    needed = ((code_at, "Postcode district"), (authority_at, "Local authority"))
    problems = [Problem(source, row, name, "required column is missing") for found, name in needed if found is None]
    if code_at is None or authority_at is None:
        return None, problems
    return _LookupColumns(code_at, authority_at, headers[code_at].strip(), headers[authority_at].strip()), []


def _read_lookup(
    rows: list[tuple[int, list[str]]], columns: _LookupColumns, source: str
) -> tuple[dict[str, str], list[Problem]]:
    """District -> authority from the rows under the header, and every fault of every row (a district given for two
    authorities names the row it was first given on)."""
    given: dict[str, tuple[str, int]] = {}  # district -> (authority, row)
    problems: list[Problem] = []
    for number, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        code, code_fault = _checked(_district, cells, columns.code_at)
        authority, authority_fault = _checked(_lookup_authority, cells, columns.authority_at)
        faults = [(columns.code_header, code_fault), (columns.authority_header, authority_fault)]
        if code and authority:
            first, first_row = given.setdefault(code, (authority, number))
            if first != authority:
                faults.append(
                    (
                        columns.code_header,
                        f"'{code}' is given twice: for {first} on row {first_row}, and for {authority}",
                    )
                )
        problems.extend(Problem(source, number, column, fault) for column, fault in faults if fault)
    return {code: authority for code, (authority, _) in given.items()}, problems


def _checked(read: Callable[[str], str], cells: list[str], at: int) -> tuple[str | None, str | None]:
    """A cell read by `read`, or None and the fault in words (short rows: trailing blanks left off)."""
    try:
        return read(cells[at] if at < len(cells) else ""), None
    except ValueError as error:
        return None, str(error)


def _district(cell: str) -> str:
    """The cell's outward code, in capitals."""
    code = cell.strip()
    if not code:
        raise ValueError("is required")
    if not POSTCODE_DISTRICT.fullmatch(code):
        raise ValueError(
            f"{values.quoted(code)} is not a postcode district such as SG1 or AL10 (the first half "
            "of a postcode, and nothing else)"
        )
    return code.upper()


def _lookup_authority(cell: str) -> str:
    """The authority's name as `values.text` takes it."""
    # The formula guard export puts on text comes off, so an exported lookup imports back as it was.
    authority = unformula(values.text(cell, LOOKUP_AUTHORITY_LENGTH) or "")
    if not authority:
        raise ValueError("is required")
    return guarded(authority)
