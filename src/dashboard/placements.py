"""SSDA903 placement data, kept only as monthly aggregates.

A council's SSDA903 episodes extract (one row per care episode, a child's ID and placement postcode on each) is read,
checked row by row, and reduced to counts for the last day of each month: children in children's homes (PLACE K2) by
provider, inside or outside the county (with the council's postcode-district lookup), children looked after, and
placement changes in the month. All or nothing, and only the counts are written: no child's ID, episode or postcode is
ever stored, and the file itself is not kept.

An annual return holds every episode open at any time in its year, so the months counted are the twelve up to the
latest date in the file (or the months asked for); importing another year's file adds its months, and importing a
file again replaces the months it covers. A row repeated exactly would count an episode twice, so a file holding one is
refused, naming both rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

import pandas as pd
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from dashboard.audit import record_bulk_change
from dashboard.importers import CSV_FILE, Accepts, file_problem, read_refusal, run_import
from dashboard.models import Council, ObjectiveMeasure, PlacementFigure, PostcodeDistrict
from dashboard.reading import Problem, Report, UnreadableFile, csv_table, parse_date
from dashboard.roles import Actor
from dashboard.wording import dmy

CHILDRENS_HOME = "K2"
# The episode starts that are a move for the child (DfE SSDA903 guidance, reason for new episode).
PLACEMENT_CHANGES = {"P", "T", "B", "U"}
REASONS_FOR_NEW_EPISODE = {"S", "L", *PLACEMENT_CHANGES}
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
# Children's homes are counted by these providers; any other (PR0, PR3, blank) as "other".
PROVIDER_CATEGORIES = {"PR1": "PR1", "PR2": "PR2", "PR4": "PR4", "PR5": "PR5"}
PROVIDER_LABELS = {
    "PR1": "Own provision",
    "PR2": "Other local authority",
    "PR4": "Private",
    "PR5": "Voluntary",
    "other": "Other",
}
LOCATIONS = ("inside", "outside", "unknown")
REQUIRED_COLUMNS = ("CHILD", "DECOM", "RNE", "PLACE", "PLACE_PROVIDER", "DEC")
POSTCODE_COLUMN = "PL_POST"
OUTWARD_CODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s*[0-9][A-Z]{2})?$")

# Measures written per month end.
CHILDREN_IN_HOMES = "children_in_homes"  # by provider category
HOMES_LOCATION = "homes_location"  # children in children's homes by location: inside / outside / unknown
LOOKED_AFTER = "children_looked_after"  # category "all"
CHANGES = "placement_changes"  # category "all"


@dataclass
class PlacementReport(Report):
    months: list[date] = field(default_factory=list)
    episodes: int = 0
    located: bool = False  # the postcode-district lookup was there to place children inside or outside the county

    def outcome(self) -> str:
        verb = self.verb
        span = f"{self.months[0]:%B %Y} to {self.months[-1]:%B %Y}" if self.months else "no month"
        lookup_needed = " Inside or outside the county needs the postcode-district lookup: import it first."
        where = "" if self.located else lookup_needed
        return (
            f"{verb} monthly placement figures for {span} ({len(self.months)} months) from {self.episodes} "
            f"episodes; no child-level row or postcode is kept.{where}"
        )


def outward_code(postcode: str) -> str | None:
    """ "SG1 2AB" -> "SG1"; a bare outward code passes; anything else is None."""
    match = OUTWARD_CODE.fullmatch(re.sub(r"\s+", " ", (postcode or "").strip().upper()))
    return match.group(1) if match else None


def check_episodes(rows: list[tuple[int, list[str]]], source: str, today: date) -> tuple[pd.DataFrame, list[Problem]]:
    """The episodes file's rows as a frame (child, start, end, rne, place, provider, outward), every row checked; each
    row at fault is a problem naming its row and column. The postcode is cut to its outward code here and goes no
    further."""
    if not rows:
        return _episodes_frame([]), [Problem(source, None, None, "the file is empty")]
    header_row, header_cells = rows[0]
    headers = [re.sub(r"\W+", "_", cell.strip().upper()).strip("_") for cell in header_cells]
    missing = [name for name in REQUIRED_COLUMNS if name not in headers]
    if missing:
        return _episodes_frame([]), [
            Problem(source, header_row, name, "required column is missing (is this the SSDA903 episodes file?)")
            for name in missing
        ]
    index = {name: headers.index(name) for name in (*REQUIRED_COLUMNS, POSTCODE_COLUMN) if name in headers}
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
    frame = pd.DataFrame(episodes, columns=["child", "start", "end", "rne", "place", "provider", "outward"])
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column])
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
    for name, known in (("RNE", REASONS_FOR_NEW_EPISODE), ("PLACE", PLACEMENT_TYPES), ("PLACE_PROVIDER", PROVIDERS)):
        value = cell[name].upper()
        if value and value not in known or (not value and name != "PLACE_PROVIDER"):
            problems.append((name, f"'{cell[name]}' is not an SSDA903 {name} code" if value else "is required"))
    outward = outward_code(cell.get(POSTCODE_COLUMN, ""))
    episode = (
        cell["CHILD"],
        dates["DECOM"],
        dates["DEC"],
        cell["RNE"].upper(),
        cell["PLACE"].upper(),
        cell["PLACE_PROVIDER"].upper(),
        outward,
    )
    return episode, problems


def check_header(path: Path) -> list[Problem]:
    """The SSDA903 header file is not needed for these counts (it holds each child's details, none of which are
    kept); when given, it is only checked to be the header file, so a swapped pair of files is caught."""
    if refused := file_problem(path, CSV_FILE):
        return [Problem(path.name, None, None, refused)]
    try:
        rows = csv_table(path)
    except (UnreadableFile, OSError) as error:
        return [Problem(path.name, None, None, read_refusal(path.name, error))]
    header_row, first = rows[0] if rows else (1, [])
    headers = {cell.strip().upper() for cell in first}
    if "CHILD" not in headers or "DECOM" in headers:
        return [Problem(path.name, header_row, None, "is not an SSDA903 header file (CHILD, SEX, DOB, ...)")]
    return []


def month_ends(first: date, last: date) -> list[date]:
    return [stamp.date() for stamp in pd.date_range(first, last, freq="ME")]


def reporting_months(episodes: pd.DataFrame) -> list[date]:
    """The twelve month ends up to the file's latest date: the year an annual return covers."""
    latest = pd.concat([episodes["start"], episodes["end"]]).max()
    last = latest if latest.is_month_end else latest - pd.offsets.MonthEnd(1)
    return month_ends((last - pd.offsets.MonthEnd(11)).date(), last.date())


def aggregate(
    episodes: pd.DataFrame, months: Iterable[date], authority_of: dict[str, str] | None, council: str
) -> pd.DataFrame:
    """Counts per month end (month_end, measure, category, value). A child is counted once per measure and month
    however many episodes they have open; an episode ending on a day is no longer open that day."""
    authority_of = authority_of or {}
    rows: list[tuple[date, str, str, int]] = []
    for month_end in months:
        day = pd.Timestamp(month_end)
        open_now = episodes[(episodes["start"] <= day) & (episodes["end"].isna() | (episodes["end"] > day))]
        in_homes = open_now[open_now["place"] == CHILDRENS_HOME]
        rows.append((month_end, LOOKED_AFTER, "all", open_now["child"].nunique()))
        by_provider = in_homes.assign(category=in_homes["provider"].map(PROVIDER_CATEGORIES).fillna("other"))
        counts = by_provider.groupby("category")["child"].nunique()
        rows += [(month_end, CHILDREN_IN_HOMES, category, int(counts.get(category, 0))) for category in PROVIDER_LABELS]
        if authority_of:
            where = in_homes["outward"].map(lambda code: _location(code, authority_of, council))
            located = in_homes.assign(location=where).groupby("location")["child"].nunique()
            rows += [(month_end, HOMES_LOCATION, place, int(located.get(place, 0))) for place in LOCATIONS]
        before_month = day - pd.offsets.MonthEnd(1)
        moved = episodes[
            (episodes["start"] > before_month) & (episodes["start"] <= day) & episodes["rne"].isin(PLACEMENT_CHANGES)
        ]
        rows.append((month_end, CHANGES, "all", len(moved)))
    return pd.DataFrame(rows, columns=["month_end", "measure", "category", "value"])


def _location(code: str | None, authority_of: dict[str, str], council: str) -> str:
    authority = authority_of.get(code or "")
    if authority is None:
        return "unknown"
    return "inside" if authority.casefold() == council.casefold() else "outside"


@dataclass
class EpisodesImport:
    """The SSDA903 episodes file as an `Importer`: checked, then the aggregates of the months it covers replaced. The
    header file, when given, is only checked to be one (`check_header`)."""

    path: Path
    today: date = field(default_factory=date.today)
    months: tuple[date, date] | None = None
    header: Path | None = None
    report: PlacementReport = field(default_factory=PlacementReport)
    accepts: ClassVar[Accepts] = CSV_FILE
    rows: list[tuple[int, list[str]]] = field(default_factory=list, init=False)
    episodes: pd.DataFrame = field(default_factory=lambda: _episodes_frame([]), init=False)

    def read(self) -> None:
        self.rows = csv_table(self.path)

    def check(self, session: Session) -> list[Problem]:
        header_problems = check_header(self.header) if self.header is not None else []
        self.episodes, problems = check_episodes(self.rows, self.path.name, self.today)
        if header_problems or problems:
            return header_problems + problems
        self.report.episodes = len(self.episodes)
        self.report.months = month_ends(*self.months) if self.months else reporting_months(self.episodes)
        return []

    def write(self, session: Session, actor: Actor) -> None:
        report = self.report
        lookup = dict(session.execute(select(PostcodeDistrict.outward_code, PostcodeDistrict.local_authority)).all())
        council = session.scalar(select(Council.name)) or ""
        report.located = bool(lookup)
        figures = aggregate(self.episodes, report.months, lookup, council)
        session.execute(delete(PlacementFigure).where(PlacementFigure.month_end.in_(report.months)))
        session.add_all(PlacementFigure(**row) for row in figures.to_dict("records"))
        record_bulk_change(
            session,
            actor,
            "placement_figure",
            f"{report.months[0]:%Y-%m} to {report.months[-1]:%Y-%m}",
            {"file": self.path.name, "months": len(report.months), "episodes": report.episodes},
        )


def import_episodes(
    engine: Engine,
    path: Path,
    actor: Actor,
    dry_run: bool = False,
    months: tuple[date, date] | None = None,
    today: date | None = None,
) -> PlacementReport:
    """Check the episodes file, then replace the aggregates of the months it covers, in one transaction."""
    return run_import(engine, EpisodesImport(path, today or date.today(), months), actor, dry_run)


# ---------------------------------------------------------------- reading the aggregates back


def placement_figures(engine: Engine) -> pd.DataFrame:
    """Every stored monthly figure, wide: one row per month end, a column per measure and category."""
    query = select(PlacementFigure.month_end, PlacementFigure.measure, PlacementFigure.category, PlacementFigure.value)
    with engine.connect() as connection:
        long = pd.read_sql(query.order_by(PlacementFigure.month_end), connection)
    if long.empty:
        return pd.DataFrame(columns=["month_end"])
    long["month_end"] = pd.to_datetime(long["month_end"])
    wide = long.pivot_table(index="month_end", columns=["measure", "category"], values="value", aggfunc="sum")
    wide.columns = [f"{measure}:{category}" for measure, category in wide.columns]
    return wide.reset_index()


MEASURE_COLUMNS = ["measure", "category", "period_end", "numerator", "denominator"]


def stored_measures(engine: Engine) -> pd.DataFrame:
    """Every stored objective measure, long: measure, category, period_end (date), numerator, denominator (NaN for a
    count), by measure, category and date."""
    m = ObjectiveMeasure
    query = select(m.measure, m.category, m.period_end, m.numerator, m.denominator)
    with engine.connect() as connection:
        frame = pd.read_sql(query.order_by(m.measure, m.category, m.period_end), connection)
    frame["denominator"] = frame["denominator"].astype(float)
    return frame[MEASURE_COLUMNS]
