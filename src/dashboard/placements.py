"""SSDA903 episodes, kept only as the objectives' measures (dashboard.measures) at month ends.

A council's SSDA903 files (the episodes file of each year, one row per care episode with the child's ID and
postcodes, and optionally each year's header file with dates of birth) are read, checked row by row, and reduced to the
measures at the last day of each month the files cover: 31 March is the figure DfE publishes for the year, the other
months the trend. All or nothing, and only the measures are written: no child's ID, date of birth, episode or postcode
is ever stored, and the files themselves are not kept.

Each episodes file is read as one collection year's return: every episode open at any time from 1 April to 31 March,
the year of its latest episode start, up to the last month end that has passed (or the months asked for). Several
years imported together are joined on the child and the episode's start (the later year's row wins: it may give the
end date the earlier one could not), which lets the measures look back beyond one year (long-term stability needs two
and a half). Importing a year again replaces the months it covers. A row repeated exactly would count an episode
twice, so a file holding one is refused, naming both rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

import pandas as pd
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from dashboard import demand
from dashboard import episodes as computed
from dashboard.audit import record_bulk_change
from dashboard.importers import CSV_FILE, Accepts, file_problem, read_refusal, run_import
from dashboard.lookup import lookup_frame
from dashboard.models import Council, District, ObjectiveMeasure
from dashboard.queries import council_id
from dashboard.reading import Problem, Report, UnreadableFile, csv_table, parse_date
from dashboard.reference import UnknownCouncil, council_named, default_council
from dashboard.roles import Actor
from dashboard.wording import dmy, plural

# The episode starts that are a move for the child (DfE SSDA903 guidance, reason for new episode).
REASONS_FOR_NEW_EPISODE = {"S", "L", "P", "T", "B", "U"}
LEGAL_STATUSES = {"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"}
PLACEMENT_TYPES = {
    "A3",
    "A4",
    "A5",
    "A6",
    "H5",
    "K1",
    "K2",
    "K3",
    "P1",
    "P2",
    "P3",
    "R1",
    "R2",
    "R3",
    "R5",
    "S1",
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "Z1",
}
PROVIDERS = {"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"}
REQUIRED_COLUMNS = ("CHILD", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC")
OPTIONAL_COLUMNS = ("PL_POST", "HOME_POST", "URN")
HEADER_COLUMNS = ("CHILD", "DOB")
NOT_APPLICABLE_URN = "XXXXXXX"  # the return's code for a placement with no Ofsted URN
HORIZON = f"{demand.HORIZON_MONTHS // 12} years"
OUTWARD_CODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s*[0-9][A-Z]{2})?$")


@dataclass
class PlacementReport(Report):
    months: list[date] = field(default_factory=list)
    episodes: int = 0
    years: int = 0  # episodes files
    births: int = 0  # children with a date of birth from the header files
    located: bool = False  # the postcode-district lookup was there to place children inside or outside the county
    forecast_from: date | None = None  # the demand forecast was made again, from this month end
    backtest_mape: float | None = None

    def outcome(self) -> str:
        span = f"{dmy(self.months[0])} to {dmy(self.months[-1])}" if self.months else "no month"
        year_ends = [month for month in self.months if (month.month, month.day) == (3, 31)]
        at = f"; at 31 March {listed_years(year_ends)} as DfE measures them" if year_ends else ""
        lookup_needed = (
            " Inside or outside the county needs the postcode-district lookup: import it, then these files again."
        )
        where = "" if self.located else lookup_needed
        ages = (
            " Long-term stability and the demand forecast need the header files (dates of birth): import them with "
            "the episodes."
            if not self.births
            else ""
        )
        return (
            f"{self.verb} the objectives' measures at {plural(len(self.months), 'month end')} ({span}{at}) from "
            f"{self.episodes:,} episodes in {plural(self.years, 'episodes file')}; no child-level row or postcode "
            f"is kept.{where}{ages}{self._forecast()}"
        )

    def _forecast(self) -> str:
        if self.forecast_from is None:
            return ""
        tested = (
            f" (its backtest, a year ahead: {self.backtest_mape:.1f}% mean absolute error in children's homes)"
            if self.backtest_mape is not None
            else " (no backtest: that needs more than a year of data)"
        )
        return f" The demand forecast runs {HORIZON} from {dmy(self.forecast_from)}{tested}."


def listed_years(days: list[date]) -> str:
    return ", ".join(str(day.year) for day in days)


def outward_code(postcode: str) -> str | None:
    """ "SG1 2AB" -> "SG1"; a bare outward code passes; anything else is None."""
    match = OUTWARD_CODE.fullmatch(re.sub(r"\s+", " ", (postcode or "").strip().upper()))
    return match.group(1) if match else None


def _headers(cells: list[str]) -> list[str]:
    return [re.sub(r"\W+", "_", cell.strip().upper()).strip("_") for cell in cells]


def is_header_file(rows: list[tuple[int, list[str]]]) -> bool:
    """The header file (a child a row: CHILD, SEX, DOB, ...) rather than the episodes file (CHILD, DECOM, ...)."""
    headers = set(_headers(rows[0][1])) if rows else set()
    return "CHILD" in headers and "DECOM" not in headers


def check_episodes(rows: list[tuple[int, list[str]]], source: str, today: date) -> tuple[pd.DataFrame, list[Problem]]:
    """The episodes file's rows as a frame (`episodes.EPISODE_COLUMNS`), every row checked; each row at fault is a
    problem naming its row and column. Postcodes are cut to their outward codes here and go no further."""
    if not rows:
        return _episodes_frame([]), [Problem(source, None, None, "the file is empty")]
    header_row, header_cells = rows[0]
    headers = _headers(header_cells)
    missing = [name for name in REQUIRED_COLUMNS if name not in headers]
    if missing:
        return _episodes_frame([]), [
            Problem(source, header_row, name, "required column is missing (is this the SSDA903 episodes file?)")
            for name in missing
        ]
    index = {name: headers.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in headers}
    episodes: list[tuple] = []
    problems: list[Problem] = []
    first_seen: dict[tuple[str, ...], int] = {}  # each row's cells -> the row they were first seen on
    for number, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        cell = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
        episode, found = _episode(cell, today)
        problems.extend(Problem(source, number, column, message) for column, message in found)
        if (first := first_seen.setdefault(_row_key(cells), number)) != number:
            message = f"repeats row {first} exactly: remove one (an episode given twice counts its move twice)"
            problems.append(Problem(source, number, None, message))
        if not found:
            episodes.append(episode)
    if not episodes and not problems:
        problems.append(Problem(source, None, None, "no episodes in the file"))
    return _episodes_frame(episodes), problems


def _row_key(cells: list[str]) -> tuple[str, ...]:
    """A row as compared for repeats: every cell, surrounding spaces and trailing blank cells left off."""
    key = [cell.strip() for cell in cells]
    while key and not key[-1]:
        key.pop()
    return tuple(key)


def _episodes_frame(episodes: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(episodes, columns=computed.EPISODE_COLUMNS)
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


def _episode(cell: dict[str, str], today: date) -> tuple[tuple, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    if not cell["CHILD"]:
        problems.append(("CHILD", "is required"))
    dates: dict[str, date | None] = {}
    for name in ("DECOM", "DEC"):
        try:
            dates[name] = parse_date(cell[name])
        except ValueError as error:
            problems.append((name, str(error)))
            dates[name] = None
            continue
        on = dates[name]
        if on and on > today:
            problems.append((name, f"{dmy(on)} is in the future"))
        elif on is None and name == "DECOM":
            problems.append((name, "is required: the date the episode started"))
    if dates["DECOM"] and dates["DEC"] and dates["DEC"] < dates["DECOM"]:
        started = f"(DECOM {dmy(dates['DECOM'])})"
        problems.append(("DEC", f"{dmy(dates['DEC'])} is before the episode started {started}"))
    codes = (
        ("RNE", REASONS_FOR_NEW_EPISODE),
        ("LS", LEGAL_STATUSES),
        ("PLACE", PLACEMENT_TYPES),
        ("PLACE_PROVIDER", PROVIDERS),
    )
    for name, known in codes:
        value = cell[name].upper()
        if value and value not in known or (not value and name != "PLACE_PROVIDER"):
            problems.append((name, f"'{cell[name]}' is not an SSDA903 {name} code" if value else "is required"))
    placed_at = re.sub(r"\s+", "", cell.get("PL_POST", "")).upper()
    urn = cell.get("URN", "").upper()
    urn = "" if urn == NOT_APPLICABLE_URN else urn
    place, provider = cell["PLACE"].upper(), cell["PLACE_PROVIDER"].upper()
    episode = (
        cell["CHILD"],
        dates["DECOM"],
        dates["DEC"],
        cell["RNE"].upper(),
        cell["LS"].upper(),
        place,
        provider,
        urn,
        outward_code(cell.get("HOME_POST", "")),
        outward_code(placed_at),
        # Names the placement only to tell a return to it after a temporary one; dropped with the episodes.
        "|".join((place, provider, urn, placed_at)),
    )
    return episode, problems


def check_births(rows: list[tuple[int, list[str]]], source: str, today: date) -> tuple[dict[str, date], list[Problem]]:
    """Each child's date of birth from a header file, every row checked. Used for ages on the day; never kept."""
    header_row, header_cells = rows[0]
    headers = _headers(header_cells)
    missing = [name for name in HEADER_COLUMNS if name not in headers]
    if missing:
        message = "required column is missing (is this the SSDA903 header file?)"
        return {}, [Problem(source, header_row, name, message) for name in missing]
    child_at, born_at = headers.index("CHILD"), headers.index("DOB")
    births: dict[str, tuple[date, int]] = {}
    problems: list[Problem] = []
    for number, cells in rows[1:]:
        child, born = (cells[i].strip() if i < len(cells) else "" for i in (child_at, born_at))
        if not child and not born:
            continue
        if not child:
            problems.append(Problem(source, number, "CHILD", "is required"))
        try:
            dob = parse_date(born)
        except ValueError as error:
            problems.append(Problem(source, number, "DOB", str(error)))
            continue
        if dob is None:
            problems.append(Problem(source, number, "DOB", "is required: the child's date of birth"))
        elif dob > today:
            problems.append(Problem(source, number, "DOB", f"{dmy(dob)} is in the future"))
        elif child:
            first, first_row = births.setdefault(child, (dob, number))
            if first != dob:
                message = f"{dmy(dob)} differs from {dmy(first)} given for the same CHILD on row {first_row}"
                problems.append(Problem(source, number, "DOB", message))
    return {child: dob for child, (dob, _) in births.items()}, problems


def year_months(episodes: pd.DataFrame, today: date) -> list[date]:
    """The month ends of the collection year an episodes file returns: April to March of the year holding its latest
    episode start (a return holds every episode open in its year, whatever the date of its last event), none still
    to come: an extract of the year in progress is measured up to the last month end before today."""
    latest_start = episodes["start"].max().date()
    year_end = date(latest_start.year + (latest_start.month > 3), 3, 31)
    return [month for month in month_ends(date(year_end.year - 1, 4, 30), year_end) if month <= today]


def month_ends(first: date, last: date) -> list[date]:
    return [stamp.date() for stamp in pd.date_range(first, last, freq="ME")]


@dataclass
class _YearFile:
    """One episodes file as checked: its episodes and the month ends it covers."""

    path: Path
    episodes: pd.DataFrame
    months: list[date]

    @property
    def covered(self) -> tuple[date, date]:
        """The days the file holds every episode of: from the first month's first day to its last month end."""
        return self.months[0].replace(day=1), self.months[-1]


@dataclass
class EpisodesImport:
    """SSDA903 files as an `Importer`: each year's episodes file and, optionally, header file (told apart by their
    columns), checked, then the measures at the month ends they cover replaced."""

    paths: Sequence[Path]
    today: date = field(default_factory=date.today)
    months: tuple[date, date] | None = None
    report: PlacementReport = field(default_factory=PlacementReport)
    # The council whose return it is (its ONS code or name); needed only where the store holds several.
    council_named: str | None = None
    accepts: ClassVar[Accepts] = CSV_FILE
    council: Council | None = field(default=None, init=False)
    tables: list[tuple[Path, list[tuple[int, list[str]]]]] = field(default_factory=list, init=False)
    unread: list[Problem] = field(default_factory=list, init=False)
    years: list[_YearFile] = field(default_factory=list, init=False)
    births: dict[str, date] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if isinstance(self.paths, Path):
            self.paths = [self.paths]

    @property
    def path(self) -> Path:
        return self.paths[0]

    def read(self) -> None:
        """The first file read as every importer's is; each other one's refusal is kept as its problem."""
        self.tables = [(self.path, csv_table(self.path))]
        for path in self.paths[1:]:
            try:
                if refused := file_problem(path, self.accepts):
                    raise UnreadableFile(refused)
                self.tables.append((path, csv_table(path)))
            except (UnreadableFile, OSError) as error:
                self.unread.append(Problem(path.name, None, None, read_refusal(path.name, error)))

    def check(self, session: Session) -> list[Problem]:
        try:
            self.council = council_named(session, self.council_named)
        except UnknownCouncil as unknown:
            return [Problem(self.path.name, None, None, str(unknown))]
        problems = list(self.unread)
        for path, rows in self.tables:
            if is_header_file(rows):
                births, found = check_births(rows, path.name, self.today)
                problems += found
                self.births.update(births)  # a child in several years' header files: the last file given wins
                continue
            episodes, found = check_episodes(rows, path.name, self.today)
            problems += found
            if not found:
                months = month_ends(*self.months) if self.months else year_months(episodes, self.today)
                self.years.append(_YearFile(path, episodes, months))
        if not problems and not self.years:
            problems.append(Problem(self.path.name, None, None, "no SSDA903 episodes file among the files given"))
        if problems:
            return problems
        report = self.report
        report.years, report.births = len(self.years), len(self.births)
        report.months = sorted({month for year in self.years for month in year.months})
        report.episodes = len(self.joined())
        if not report.months:
            return [Problem(self.path.name, None, None, "covers no month that has ended yet")]
        return []

    def joined(self) -> pd.DataFrame:
        """Every file's episodes as one, joined on the child and the episode's start: the later year's row wins."""
        ordered = sorted(self.years, key=lambda year: year.months[-1])
        every = pd.concat([year.episodes for year in ordered], ignore_index=True)
        return every.drop_duplicates(subset=["child", "start"], keep="last").reset_index(drop=True)

    def changes_council(self, session: Session) -> str | None:
        return (self.council or default_council(session)).ons_code

    def write(self, session: Session, actor: Actor) -> None:
        report = self.report
        council = self.council or default_council(session)
        lookup = lookup_frame(session)
        report.located = not lookup.empty
        births = pd.Series({child: pd.Timestamp(born) for child, born in self.births.items()}, dtype="datetime64[ns]")
        figures = computed.measure_rows(
            self.joined(),
            births if self.births else None,
            lookup,
            council.name,
            report.months,
            [year.covered for year in self.years],
        )
        session.execute(
            delete(ObjectiveMeasure).where(
                ObjectiveMeasure.period_end.in_(report.months), ObjectiveMeasure.council_id == council.id
            )
        )
        session.add_all(ObjectiveMeasure(council_id=council.id, **_stored(row)) for row in figures.to_dict("records"))
        if self.births:
            session.flush()  # the forecast reads own provision's share from the measures just written
            covered = (min(year.covered[0] for year in self.years), report.months[-1])
            made = demand.record_forecast(
                session,
                council.id,
                self.joined(),
                births,
                covered,
                demand.home_districts(lookup, council_districts(session, council.id)) if report.located else None,
                actor,
            )
            if made is not None:
                report.forecast_from, report.backtest_mape = made.data_last, made.backtest_mape
        record_bulk_change(
            session,
            actor,
            "objective_measure",
            f"{report.months[0]:%Y-%m} to {report.months[-1]:%Y-%m}",
            {
                "files": ", ".join(path.name for path, _ in self.tables),
                "months": len(report.months),
                "episodes": report.episodes,
            },
            council.id,
        )


def council_districts(session: Session, council: int) -> list[str]:
    """The ONS codes of the council's districts (its id): where a child's home may be placed for the forecast."""
    return list(session.scalars(select(District.ons_code).where(District.council_id == council)))


def _stored(row: dict) -> dict:
    """A computed row as the store keeps it: a count's denominator as NULL, not NaN."""
    denominator = row["denominator"]
    return {
        "measure": row["measure"],
        "category": row["category"],
        "period_end": row["period_end"],
        "numerator": float(row["numerator"]),
        "denominator": None if pd.isna(denominator) else float(denominator),
    }


def import_episodes(
    engine: Engine,
    paths: Path | Sequence[Path],
    actor: Actor,
    dry_run: bool = False,
    months: tuple[date, date] | None = None,
    today: date | None = None,
    headers: Sequence[Path] = (),
    council: str | None = None,
) -> PlacementReport:
    """Check the SSDA903 files, then replace the council's measures at the month ends they cover, in one transaction
    (`council`: its ONS code or name; needed where the store holds several)."""
    given = [paths] if isinstance(paths, Path) else list(paths)
    importer = EpisodesImport([*given, *headers], today or date.today(), months, council_named=council)
    return run_import(engine, importer, actor, dry_run)


# ---------------------------------------------------------------- reading the measures back


def stored_measures(engine: Engine, council: str | None = None) -> pd.DataFrame:
    """Every objective measure the council holds (None: the store's first council), long: measure, category,
    period_end (date), numerator, denominator (NaN for a count), by measure, category and date."""
    m = ObjectiveMeasure
    query = select(m.measure, m.category, m.period_end, m.numerator, m.denominator).where(
        m.council_id == council_id(council)
    )
    with engine.connect() as connection:
        frame = pd.read_sql(query.order_by(m.measure, m.category, m.period_end), connection)
    frame["denominator"] = frame["denominator"].astype(float)
    return frame[computed.MEASURE_COLUMNS]
