"""The council's postcode-district lookup: which local authority each postcode district (outward code, "SG1") lies
in, so a placement can be counted inside or outside the county without keeping any postcode.

The lookup is replaced whole by a file's: each district strictly an outward code (`SG1`, `AL10`; small letters are
kept in capitals), each local authority text of at most the column's length. A district crossing a boundary has a
row per authority: with a share of the district on every row (adding up to 1), or on none (split, share not known).
A district may carry its centroid (latitude and longitude, in the UK), the same on each of its rows, and the council's
row of a district may name the council's district it (mostly) lies in, for the forecast's need by home district. A
file with no rows never replaces the lookup held."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import ClassVar, TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.orm import Session

from dashboard import values
from dashboard.audit import record_bulk_change
from dashboard.importers import CSV_FILE, Accepts, run_import
from dashboard.layout import unformula
from dashboard.models import Council, PostcodeDistrict, text_length
from dashboard.reading import Problem, Report, csv_table, quoted
from dashboard.reference import DistrictLookup
from dashboard.roles import Actor
from dashboard.safeguarding import guarded
from dashboard.wording import listed, plural

LOOKUP_CODE_HEADERS = ("postcode district", "outward code", "postcode_district", "outward_code", "pcds", "district")
LOOKUP_AUTHORITY_HEADERS = ("local authority", "local_authority", "la", "authority", "lad name", "laua name")
LOOKUP_SHARE_HEADERS = ("share", "proportion", "share of district", "fraction")
LOOKUP_LATITUDE_HEADERS = ("latitude", "lat")
LOOKUP_LONGITUDE_HEADERS = ("longitude", "long", "lon", "lng")
# Not "district" alone: that is the outward code's header.
LOOKUP_COUNCIL_DISTRICT_HEADERS = (
    "council district",
    "council_district",
    "district of the council",
    "council district code",
    "council district name",
)
# An outward code and nothing else: A9, A99, A9A, AA9, AA99 or AA9A, with BS 7666's letters (first never Q, V or X;
# second never I, J or Z; a letter third as in W1A, fourth as in SW1A), in ASCII letters of either case ("ſg1" is not
# SG1, though Python would upper-case it so).
POSTCODE_DISTRICT = re.compile(
    r"[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)", re.ASCII | re.IGNORECASE
)
LOOKUP_AUTHORITY_LENGTH = text_length(PostcodeDistrict, "local_authority")
# A decimal as written: ASCII digits, an optional point and exponent (an exported float may read "1e-05"), and for
# degrees a minus (west). Read as a Decimal, so "0.6" is compared and summed as 0.6, not its float neighbour.
UNSIGNED = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
DECIMAL = re.compile(UNSIGNED, re.ASCII)
SIGNED_DECIMAL = re.compile("-?" + UNSIGNED, re.ASCII)
PERCENT = re.compile(r"(?P<number>.*?)\s*%")
SHARE_TOLERANCE = Decimal("0.001")  # a split district's shares add up to 1 within this (rounded shares)
# The UK's range in decimal degrees, both ends included: a centroid outside it is a typing slip (a swapped pair,
# eastings for degrees).
LATITUDES = (Decimal(49), Decimal(61))
LONGITUDES = (Decimal(-9), Decimal("2.5"))
LOOKUP_FRAME_COLUMNS = ["outward_code", "local_authority", "share", "latitude", "longitude", "council_district"]

_T = TypeVar("_T")


@dataclass
class LookupReport(Report):
    codes: int = 0
    authorities: int = 0
    split_with_shares: int = 0
    split_without_shares: int = 0
    centroids: int = 0  # districts with a centroid
    placed: int = 0  # districts placed in a council district

    def outcome(self) -> str:
        return " ".join(
            (
                f"{self.verb} the postcode-district lookup: {plural(self.codes, 'postcode district')} in "
                f"{plural(self.authorities, 'local authority', 'local authorities')}.",
                self._splits(),
                self._centroids(),
                self._placed(),
            )
        )

    def _splits(self) -> str:
        split = self.split_with_shares + self.split_without_shares
        if not split:
            return "No district crosses a boundary."
        said = f"{plural(split, 'district')} {'crosses' if split == 1 else 'cross'} a boundary: "
        said += f"{self.split_with_shares} with shares, {self.split_without_shares} without"
        if self.split_without_shares:
            said += " (children placed there count as location not known)"
        return said + "."

    def _centroids(self) -> str:
        if not self.centroids:
            return "No district has a centroid: the distance from home is not measured."
        return (
            f"{plural(self.centroids, 'district')} of {self.codes} {'has' if self.centroids == 1 else 'have'} a "
            "centroid (for the approximate distance from home)."
        )

    def _placed(self) -> str:
        if not self.placed:
            return "No district is placed in a council district: the forecast's need is not shown by home district."
        return (
            f"{plural(self.placed, 'district')} of {self.codes} {'is' if self.placed == 1 else 'are'} placed in a "
            "council district (for the forecast's need by home district)."
        )


@dataclass(frozen=True)
class _Row:
    """One row of the file, read: a district in an authority, its share there and its centroid."""

    number: int
    code: str
    authority: str
    share: Decimal | None
    centroid: tuple[Decimal, Decimal] | None  # latitude, longitude
    council_district: str | None  # the ONS code of the council's district it lies in, on the council's row


@dataclass
class LookupImport:
    """The postcode-district lookup as an `Importer`: a CSV with a postcode-district column ("SG1") and a
    local-authority column, and optionally a share, a centroid and a council district, replacing the lookup held.
    Import it before the SSDA903 episodes, whose counts it places inside or outside."""

    path: Path
    report: LookupReport = field(default_factory=LookupReport)
    accepts: ClassVar[Accepts] = CSV_FILE
    rows: list[tuple[int, list[str]]] = field(default_factory=list, init=False)
    lookup: list[_Row] = field(default_factory=list, init=False)

    def read(self) -> None:
        self.rows = csv_table(self.path)

    def check(self, session: Session) -> list[Problem]:
        source = self.path.name
        if not self.rows:
            return [Problem(source, None, None, f"the file is empty: {_kept(session)}")]
        columns, problems = _lookup_columns(*self.rows[0], source)
        if columns is None:
            return problems
        self.lookup, problems = _read_lookup(self.rows, columns, source, _Council.from_session(session))
        if not self.lookup and not problems:
            # A header alone would replace the lookup with nothing, and every placement would be "unknown".
            problems.append(Problem(source, None, None, f"the file has no rows: {_kept(session)}"))
        self._count()
        return problems

    def changes_council(self, session: Session) -> str | None:
        return None  # postcodes of every council's districts

    def write(self, session: Session, actor: Actor) -> None:
        session.execute(delete(PostcodeDistrict))
        session.add_all(
            PostcodeDistrict(
                outward_code=row.code,
                local_authority=row.authority,
                share=_float(row.share),
                latitude=_float(row.centroid[0]) if row.centroid else None,
                longitude=_float(row.centroid[1]) if row.centroid else None,
                council_district=row.council_district,
            )
            for row in self.lookup
        )
        report = self.report
        split = report.split_with_shares + report.split_without_shares
        summary = {"codes": report.codes, "split": split, "centroids": report.centroids, "placed": report.placed}
        record_bulk_change(session, actor, "postcode_district", self.path.name, summary)

    def _count(self) -> None:
        by_code = _by_district(self.lookup)
        report = self.report
        report.codes, report.authorities = len(by_code), len({row.authority for row in self.lookup})
        splits = [rows for rows in by_code.values() if len(rows) > 1]
        report.split_with_shares = sum(1 for rows in splits if rows[0].share is not None)
        report.split_without_shares = len(splits) - report.split_with_shares
        report.centroids = sum(1 for rows in by_code.values() if rows[0].centroid)
        report.placed = sum(1 for rows in by_code.values() if any(row.council_district for row in rows))


def import_lookup(engine: Engine, path: Path, actor: Actor, dry_run: bool = False) -> LookupReport:
    """Replace the postcode-district lookup with the file's (`LookupImport`)."""
    return run_import(engine, LookupImport(path), actor, dry_run)


def lookup_frame(connection: Connection | Session) -> pd.DataFrame:
    """The lookup held, a row per district and authority: outward_code, local_authority, share, latitude and
    longitude and council_district (NaN where not given), ordered by district then authority."""
    p = PostcodeDistrict
    query = select(p.outward_code, p.local_authority, p.share, p.latitude, p.longitude, p.council_district)
    rows = connection.execute(query.order_by(p.outward_code, p.local_authority)).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=LOOKUP_FRAME_COLUMNS)
    return frame.astype(
        {
            "outward_code": object,
            "local_authority": object,
            "share": float,
            "latitude": float,
            "longitude": float,
            "council_district": object,
        }
    )


def _kept(session: Session) -> str:
    """What a refused lookup leaves, in words: the lookup held, and its size."""
    held = session.scalar(select(func.count(func.distinct(PostcodeDistrict.outward_code))))
    return f"the lookup held ({held:,} districts) is kept" if held else "nothing was imported"


def _float(number: Decimal | None) -> float | None:
    return None if number is None else float(number)


def _by_district(rows: list[_Row]) -> dict[str, list[_Row]]:
    """The rows of each district, in the file's order."""
    by_code: dict[str, list[_Row]] = {}
    for row in rows:
        by_code.setdefault(row.code, []).append(row)
    return by_code


# ---------------------------------------------------------------- the file's columns


@dataclass(frozen=True)
class _Column:
    at: int
    header: str  # as written in the file, for problems


@dataclass(frozen=True)
class _LookupColumns:
    """Where the file keeps each column (the optional ones None when it has none), with its header as written."""

    code: _Column
    authority: _Column
    share: _Column | None
    latitude: _Column | None
    longitude: _Column | None
    council_district: _Column | None


def _lookup_columns(row: int, headers: list[str], source: str) -> tuple[_LookupColumns | None, list[Problem]]:
    """The columns by any of their usual headers, or a problem naming each missing: the district and authority
    always, and longitude with latitude (a centroid is both, or neither)."""
    normal = [cell.strip().lower() for cell in headers]

    def find(names: tuple[str, ...]) -> _Column | None:
        at = next((i for i, header in enumerate(normal) if header in names), None)
        return None if at is None else _Column(at, headers[at].strip())

    code, authority = find(LOOKUP_CODE_HEADERS), find(LOOKUP_AUTHORITY_HEADERS)
    latitude, longitude = find(LOOKUP_LATITUDE_HEADERS), find(LOOKUP_LONGITUDE_HEADERS)
    missing = [name for found, name in ((code, "Postcode district"), (authority, "Local authority")) if not found]
    problems = [Problem(source, row, name, "required column is missing") for name in missing]
    for found, name, other in ((latitude, "Longitude", longitude), (longitude, "Latitude", latitude)):
        if found and not other:
            problems.append(
                Problem(
                    source,
                    row,
                    name,
                    f"required column is missing: {found.header} is given, and a centroid "
                    "is both latitude and longitude",
                )
            )
    if code is None or authority is None or problems:
        return None, problems
    share, council_district = find(LOOKUP_SHARE_HEADERS), find(LOOKUP_COUNCIL_DISTRICT_HEADERS)
    return _LookupColumns(code, authority, share, latitude, longitude, council_district), []


# ---------------------------------------------------------------- the rows


def _read_lookup(
    rows: list[tuple[int, list[str]]], columns: _LookupColumns, source: str, council: _Council
) -> tuple[list[_Row], list[Problem]]:
    """The rows under the header, and every fault of every row and of every district's rows together (a district
    and authority given twice names the row they were first given on)."""
    read: list[_Row] = []
    faulty: set[str] = set()  # districts with a row in fault: their rows are not checked together
    first: dict[tuple[str, str], int] = {}  # (district, authority ignoring case) -> row
    problems: list[Problem] = []
    for number, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        row, faults = _read_row(number, cells, columns, council)
        if row is not None:
            pair = (row.code, row.authority.casefold())
            if pair in first:
                faults.append(
                    (
                        columns.code.header,
                        f"'{row.code}' is given for {row.authority} twice: first on row {first[pair]}",
                    )
                )
            else:
                first[pair] = number
                read.append(row)
        elif code := _checked(_district, cells, columns.code.at)[0]:
            faulty.add(code)
        problems.extend(Problem(source, number, column, fault) for column, fault in faults)
    for code, district_rows in _by_district(read).items():
        if code not in faulty:
            problems.extend(Problem(source, *fault) for fault in _district_faults(district_rows, columns))
    problems.sort(key=lambda problem: problem.row or 0)
    return read, problems


def _read_row(
    number: int, cells: list[str], columns: _LookupColumns, council: _Council
) -> tuple[_Row | None, list[tuple[str, str]]]:
    """A row read, or None; and its faults as (column, fault)."""
    code, code_fault = _checked(_district, cells, columns.code.at)
    authority, authority_fault = _checked(_lookup_authority, cells, columns.authority.at)
    share, share_fault = _optional(_share, cells, columns.share)
    latitude, latitude_fault = _optional(_latitude, cells, columns.latitude)
    longitude, longitude_fault = _optional(_longitude, cells, columns.longitude)
    district, district_fault = _council_district(cells, columns.council_district, council, authority)
    faults = [
        (column.header, fault)
        for column, fault in (
            (columns.code, code_fault),
            (columns.authority, authority_fault),
            (columns.share, share_fault),
            (columns.latitude, latitude_fault),
            (columns.longitude, longitude_fault),
            (columns.council_district, district_fault),
        )
        if column is not None and fault
    ]
    faults.extend(_half_a_centroid(cells, columns))
    if faults or code is None or authority is None:
        return None, faults
    centroid = (latitude, longitude) if latitude is not None and longitude is not None else None
    return _Row(number, code, authority, share, centroid, district), []


def _council_district(
    cells: list[str], column: _Column | None, council: _Council, authority: str | None
) -> tuple[str | None, str | None]:
    """The row's council district (ONS code), or None, and its fault: any cell on another authority's row is one,
    whatever it names (the council's districts are only the council's to place)."""
    if column is not None and _cell(cells, column.at) and authority is not None and not council.is_named(authority):
        return None, council.not_its_row(authority)
    return _optional(council.district, cells, column)


def _half_a_centroid(cells: list[str], columns: _LookupColumns) -> list[tuple[str, str]]:
    """A latitude without a longitude, or the reverse, named in the blank column."""
    if columns.latitude is None or columns.longitude is None:
        return []
    pair = (columns.latitude, columns.longitude)
    for given, blank in (pair, pair[::-1]):
        if _cell(cells, given.at) and not _cell(cells, blank.at):
            return [(blank.header, f"is blank, but {given.header} is given: a centroid is both, or neither")]
    return []


def _district_faults(rows: list[_Row], columns: _LookupColumns) -> list[tuple[int, str | None, str]]:
    """What is wrong with a district's rows together, as (row, column, fault): its shares, and its centroid."""
    return _share_faults(rows, columns.share) + _centroid_faults(rows, columns)


def _share_faults(rows: list[_Row], column: _Column | None) -> list[tuple[int, str | None, str]]:
    if column is None:
        return []
    code = rows[0].code
    shares = {row.number: row.share for row in rows if row.share is not None}
    if len(rows) == 1:
        lone = rows[0]
        if lone.share is None or lone.share == 1:
            return []
        fault = (
            f"{_percent(lone.share)} of {code}, which is in no other authority in the file: a district in one "
            f"authority is wholly in it: leave {column.header} blank"
        )
        return [(lone.number, column.header, fault)]
    if shares and len(shares) < len(rows):
        with_share = f"{'row' if len(shares) == 1 else 'rows'} {listed([str(number) for number in shares], 5)}"
        return [
            (
                row.number,
                column.header,
                f"is blank, but {code} has a share on {with_share}: give each of its rows a share, or none "
                "(split, share not known)",
            )
            for row in rows
            if row.share is None
        ]
    total = sum(shares.values(), Decimal(0))
    if shares and abs(total - 1) > SHARE_TOLERANCE:
        on_rows = listed([str(row.number) for row in rows], 5)
        fault = (
            f"the shares of {code} (rows {on_rows}) add up to {_plain(total)} ({_percent(total)}): a district's "
            "shares add up to 1 (100%)"
        )
        return [(rows[0].number, column.header, fault)]
    return []


def _centroid_faults(rows: list[_Row], columns: _LookupColumns) -> list[tuple[int, str | None, str]]:
    """Each row placing the district elsewhere than its first row does, named in the column that differs."""
    first = rows[0]
    faults: list[tuple[int, str | None, str]] = []
    for row in rows[1:]:
        if row.centroid == first.centroid or columns.latitude is None or columns.longitude is None:
            continue
        same_latitude = row.centroid and first.centroid and row.centroid[0] == first.centroid[0]
        column = columns.longitude if same_latitude else columns.latitude
        fault = (
            f"{row.code} has {_where(row.centroid)} here and {_where(first.centroid)} on row {first.number}: "
            "a district has one centroid: give the same on each of its rows"
        )
        faults.append((row.number, column.header, fault))
    return faults


def _where(centroid: tuple[Decimal, Decimal] | None) -> str:
    return f"the centroid {_plain(centroid[0])}, {_plain(centroid[1])}" if centroid else "no centroid"


def _plain(number: Decimal) -> str:
    """A decimal as a person writes it: 0.9, 60, 51.75 (no exponent, no trailing zeros)."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(share: Decimal) -> str:
    return f"{_plain(share.scaleb(2))}%"


# ---------------------------------------------------------------- the cells


def _cell(cells: list[str], at: int) -> str:
    """A cell's text, stripped (short rows: trailing blanks left off)."""
    return cells[at].strip() if at < len(cells) else ""


def _checked(read: Callable[[str], _T], cells: list[str], at: int) -> tuple[_T | None, str | None]:
    """A cell read by `read`, or None and the fault in words."""
    try:
        return read(cells[at] if at < len(cells) else ""), None
    except ValueError as error:
        return None, str(error)


def _optional(read: Callable[[str], _T], cells: list[str], column: _Column | None) -> tuple[_T | None, str | None]:
    """An optional column's cell read by `read`: None when the file has no such column or the cell is blank."""
    if column is None or not _cell(cells, column.at):
        return None, None
    return _checked(read, cells, column.at)


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


def _share(cell: str) -> Decimal:
    """A share of the district, 0 to 1, as a fraction ("0.6") or a percentage ("60%"), exactly as written."""
    written = cell.strip()
    percent = PERCENT.fullmatch(written)
    number = percent["number"] if percent else written
    if not DECIMAL.fullmatch(number):
        raise ValueError(f"{quoted(written)} is not a share: write a fraction such as 0.6, or a percentage such as 60%")
    # Exact: "33.3%" is 0.333, where 33.3 / 100 in floating point is 0.33299999999999996.
    share = Decimal(number).scaleb(-2) if percent else Decimal(number)
    if not 0 <= share <= 1:
        raise ValueError(f"{quoted(written)} is outside 0 to 1 (0% to 100%): write a share such as 0.6, or 60%")
    return share


def _degrees(cell: str, name: str, bounds: tuple[Decimal, Decimal], example: str) -> Decimal:
    written = cell.strip()
    if not SIGNED_DECIMAL.fullmatch(written):
        raise ValueError(f"{quoted(written)} is not a {name} in decimal degrees, such as {example}")
    degrees, (low, high) = Decimal(written), bounds
    if not low <= degrees <= high:
        raise ValueError(f"{quoted(written)} is outside the UK's {name}s ({_plain(low)} to {_plain(high)})")
    return degrees


def _latitude(cell: str) -> Decimal:
    return _degrees(cell, "latitude", LATITUDES, "51.75")


def _longitude(cell: str) -> Decimal:
    return _degrees(cell, "longitude", LONGITUDES, "-0.34")


# ---------------------------------------------------------------- the council's districts


@dataclass(frozen=True)
class _Council:
    """The council (its name, as the lookup's authority column writes it) and its districts, read as people write
    them (dashboard.reference.DistrictLookup: a name, short name, alias or ONS code, in any case)."""

    name: str
    districts: DistrictLookup

    @classmethod
    def from_session(cls, session: Session) -> _Council:
        return cls(session.scalar(select(Council.name)) or "", DistrictLookup.from_session(session))

    def district(self, cell: str) -> str:
        """The ONS code of the council's district the cell names."""
        written = cell.strip()
        code = self.districts.resolve_code(written)
        if code is None:
            guarded(written)  # a postcode written here is not repeated in the refusal
            names = ", ".join(self.districts.names) or "none is held"
            raise ValueError(
                f"{quoted(written)} is not one of {self.name or 'the council'}'s districts ({names}): write a "
                "district's name, short name or ONS code"
            )
        return code

    def is_named(self, authority: str) -> bool:
        # Case aside, as dashboard.episodes counts the council's rows.
        return authority.casefold() == self.name.casefold()

    def not_its_row(self, authority: str) -> str:
        return (
            f"is given, but this row's local authority is {authority}, not {self.name or 'the council'}: only the "
            "council's row of a postcode district names a council district: leave it blank"
        )
