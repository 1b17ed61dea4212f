"""The children's homes market around the council, from Ofsted's published provider-level data ("Children's social
care data in England – Provider level as at 31 March YYYY", the CSV as downloaded from GOV.UK).

Kept: per local authority and year, children's homes and places by sector and homes by latest overall rating; and each
children's home by its URN (models.OfstedHome: authority, sector, places, rating), so the council's own homes can be
linked to their ratings and places. A URN is public and does not locate a home. The file itself, and every provider's
name and address, are read and dropped: the locations of children's homes are never stored (safeguarding), even
though Ofsted redacts most of them. A home's URN is read exactly (`values.ofsted_urn`) and given once in a file.

Importing a year is all or nothing and replaces that year's figures and homes; other years are kept, so the page can
show the market over time. Places are read exactly (`values.whole_number`, 0 to 200 a home) and local authorities as
text of at most the column's length; a file that would replace a year held with far fewer homes or places (below
`HELD_SHARE` of them, as a file cut short would) is refused unless the replacement is asked for."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, case, delete, func, insert, select
from sqlalchemy.orm import Session

from dashboard import values
from dashboard.audit import record_bulk_change
from dashboard.importers import CSV_SUFFIXES, Accepts, run_import
from dashboard.models import MarketFigure, OfstedHome, text_length
from dashboard.reading import Problem, Report, csv_rows, decode, read_file
from dashboard.roles import Actor
from dashboard.safeguarding import guarded
from dashboard.values import OFSTED_PLACES

# The needed columns and the headers each has had over the years, preferred first. Ofsted renames columns between
# releases ("Overall effectiveness" became "Overall experiences and progress of children and young people" with the
# 2017 inspection framework), so a header is matched to any of these after normalising (see `_normal`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "urn": ("URN",),
    "provision_type": ("Provision type",),
    "local_authority": ("Local authority", "LA"),
    "sector": ("Sector",),
    "places": ("Places", "Number of places", "Registered places"),
    "rating": ("Overall experiences and progress of children and young people", "Overall effectiveness"),
}
PROVIDER_COLUMNS = ["urn", "local_authority", "sector", "places", "rating"]
FIGURE_COLUMNS = ["local_authority", "measure", "category", "value"]

CHILDRENS_HOME = "children's home"  # normalised; secure homes and residential special schools are other types
SECTORS: dict[str, str] = {"local authority": "Local authority", "private": "Private", "voluntary": "Voluntary"}
OTHER_SECTOR = "Other"  # e.g. "Health Authority": too few homes to show apart
SECTOR_ORDER = [*SECTORS.values(), OTHER_SECTOR]
LA_SECTOR = SECTORS["local authority"]
NOT_YET_INSPECTED = "Not yet inspected"
RATINGS = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate", NOT_YET_INSPECTED]
RATING_BY_TEXT: dict[str, str] = {
    **{rating.lower(): rating for rating in RATINGS},
    "requires improvement": "Requires improvement to be good",  # the short form some releases use
    "": NOT_YET_INSPECTED,
}

HOMES, PLACES, HOMES_BY_RATING = "homes", "places", "homes_by_rating"
LOCAL_AUTHORITY_LENGTH = text_length(MarketFigure, "local_authority")
# A year held is replaced only by a file with at least 9/10 of its homes and of its places, unless the user asks for
# it (--replace, or the Import page's tick box): the same year downloaded again, or revised, does not lose a tenth of
# its homes, and a file cut short (136 homes of 3,151) would otherwise wipe out the year without a word.
HELD_SHARE = (9, 10)

AS_AT_IN_TITLE = re.compile(r"as\s+at\s+31\s+march\s+(\d{4})", re.IGNORECASE)
AS_AT_IN_NAME = re.compile(r"31[\s_-]*march[\s_-]*(\d{4})", re.IGNORECASE)
YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


# ---------------------------------------------------------------- the report


@dataclass
class MarketReport(Report):
    as_at: date | None = None
    homes: int = 0
    places: int = 0
    authorities: int = 0

    def outcome(self) -> str:
        when = _long_date(self.as_at) if self.as_at else "an unknown date"
        lines = [
            f"Ofsted providers as at {when}: {self.homes:,} children's homes with {self.places:,} places "
            f"in {self.authorities:,} local authorities."
        ]
        if self.written:
            lines.append(f"Imported: the figures and homes for {when} were replaced; other years are kept.")
        else:
            lines.append("Dry run: nothing written.")
        return "\n".join(lines)


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# ---------------------------------------------------------------- reading the file


def _normal(text: object) -> str:
    """Header or cell text as compared: one space for any run of whitespace (header cells hold line breaks), lower
    case, and straight apostrophes (some releases use curly ones)."""
    return " ".join(str(text).split()).lower().replace("\u2019", "'").replace("\u2018", "'")


def _is_header(cells: list[str]) -> bool:
    normal = {_normal(cell) for cell in cells}
    return "urn" in normal and "provision type" in normal


def _find_header(rows: list[list[str]]) -> int | None:
    """Index of the table's header: it follows a varying number of title and note rows."""
    return next((index for index, cells in enumerate(rows) if _is_header(cells)), None)


@dataclass(frozen=True)
class _Columns:
    """Where one file keeps the needed columns, and their headers as written there, so that a problem names the
    column the reader sees (an older file's "Number of places", not "Places")."""

    source: str
    index: dict[str, int]
    header: dict[str, str]

    def cell(self, cells: list[str], name: str) -> str:
        index = self.index[name]
        return cells[index].strip() if index < len(cells) else ""  # short rows: trailing blanks left off

    def problem(self, row: int, name: str, message: str) -> Problem:
        return Problem(self.source, row, self.header[name], message)


def _find_columns(headers: list[str], source: str, row: int) -> tuple[_Columns, list[Problem]]:
    """The needed columns, and a problem naming each that is missing."""
    position: dict[str, int] = {}
    for index, header in enumerate(headers):
        position.setdefault(_normal(header), index)  # the first of two same-named columns
    columns, problems = _Columns(source, {}, {}), []
    for name, synonyms in COLUMNS.items():
        found = next((position[_normal(s)] for s in synonyms if _normal(s) in position), None)
        if found is None:
            problems.append(Problem(source, row, synonyms[0], f"column not found (looked for: {', '.join(synonyms)})"))
        else:
            columns.index[name] = found
            columns.header[name] = " ".join(headers[found].split())
    return columns, problems


def as_at_from(title_rows: list[list[str]], name: str) -> date | None:
    """The data's date: "as at 31 March YYYY" in the title, else the year in the file's name."""
    title = " ".join(cell for cells in title_rows for cell in cells)
    match = AS_AT_IN_TITLE.search(title) or AS_AT_IN_NAME.search(name)
    if match:
        return date(int(match.group(1)), 3, 31)
    years = set(YEAR_IN_NAME.findall(name))
    return date(int(years.pop()), 3, 31) if len(years) == 1 else None  # two years in a name: not a guess to make


def _local_authority(cell: str) -> str:
    """The authority's name as `values.text` takes it, with runs of spaces as one (some releases pad names)."""
    name = values.text(cell, LOCAL_AUTHORITY_LENGTH)
    if name is None:
        raise ValueError("no local authority")
    return guarded(" ".join(name.split()))


def _places(cell: str) -> int | None:
    """A home's places, exactly as written, 0 to 200 ("3.0" from a spreadsheet is 3; "1e5" is refused, not 100,000);
    None when blank: the home still counts, with no places in the figures."""
    return values.whole_number(cell, OFSTED_PLACES)


def _rating(cell: str) -> str:
    rating = RATING_BY_TEXT.get(_normal(cell))
    if rating is None:
        raise ValueError(f"unknown rating {values.quoted(cell)}; expected: {', '.join(RATINGS)}")
    return rating


def _urn(cell: str) -> str:
    urn = values.ofsted_urn(cell)
    if urn is None:
        raise ValueError("no URN: every children's home has one")
    return urn


FIELD_READERS = {"urn": _urn, "local_authority": _local_authority, "places": _places, "rating": _rating}


def _provider(cells: list[str], columns: _Columns, row: int) -> tuple[dict | None, list[Problem]]:
    """One children's home as the columns kept, or None and every fault in the row, each naming its column."""
    provider: dict[str, object] = {}
    problems = []
    for name, read in FIELD_READERS.items():
        try:
            provider[name] = read(columns.cell(cells, name))
        except ValueError as error:
            problems.append(columns.problem(row, name, str(error)))
    if problems:
        return None, problems
    provider["sector"] = SECTORS.get(_normal(columns.cell(cells, "sector")), OTHER_SECTOR)
    return provider, []


def _no_table(name: str, message: str) -> tuple[pd.DataFrame, list[Problem], date | None]:
    """No providers and the one problem; the date still from the name, so that is not reported missing as well."""
    return pd.DataFrame(columns=PROVIDER_COLUMNS), [Problem(name, None, None, message)], as_at_from([], name)


def read_providers(data: bytes, name: str) -> tuple[pd.DataFrame, list[Problem], date | None]:
    """The file's children's homes (local authority, sector, places, rating; nothing that identifies a home), the
    problems found, and the "as at" date the file states (title, else name); UnreadableFile for bytes that are not
    CSV text. Pure: nothing is written."""
    text = decode(data, name)
    rows = csv_rows(text, name)
    if not text.strip():
        return _no_table(name, "the file is empty")
    header = _find_header(rows)
    if header is None:
        return _no_table(name, "no table with URN and Provision type columns found")
    as_at = as_at_from(rows[:header], name)
    # Problems name the spreadsheet's row numbers, title rows included, as the reader sees them in Excel.
    columns, problems = _find_columns(rows[header], name, header + 1)
    if problems:
        return pd.DataFrame(columns=PROVIDER_COLUMNS), problems, as_at
    found = []
    first_row: dict[object, int] = {}  # URN -> the row that first gives it: a home is in the file once
    for row, cells in enumerate(rows[header + 1 :], start=header + 2):
        if _normal(columns.cell(cells, "provision_type")) != CHILDRENS_HOME:
            continue  # every other kind of provider, and note rows under the table
        provider, row_problems = _provider(cells, columns, row)
        problems.extend(row_problems)
        if provider is None:
            continue
        if (first := first_row.setdefault(provider["urn"], row)) != row:
            problems.append(columns.problem(row, "urn", f"'{provider['urn']}' is repeated (first at row {first})"))
        else:
            found.append(provider)
    return pd.DataFrame(found, columns=PROVIDER_COLUMNS).astype({"places": "Int64"}), problems, as_at


def aggregate(providers: pd.DataFrame) -> pd.DataFrame:
    """Per local authority: homes and places by sector, homes by rating, as the rows the store keeps (zeros left
    out: a missing row means none; a home with its places blank counts with none)."""
    by_sector = (
        providers.assign(places=providers["places"].fillna(0))
        .groupby(["local_authority", "sector"])
        .agg(homes=("places", "size"), places=("places", "sum"))
        .reset_index()
        .melt(id_vars=["local_authority", "sector"], var_name="measure", value_name="value")
        .rename(columns={"sector": "category"})
    )
    by_rating = (
        providers.groupby(["local_authority", "rating"])
        .size()
        .reset_index(name="value")
        .rename(columns={"rating": "category"})
        .assign(measure=HOMES_BY_RATING)
    )
    figures = pd.concat([by_sector, by_rating], ignore_index=True)[FIGURE_COLUMNS]
    figures = figures[figures["value"] > 0].astype({"value": int})
    return figures.sort_values(["local_authority", "measure", "category"]).reset_index(drop=True)


# ---------------------------------------------------------------- importing


def _resolve_as_at(stated: date | None, given: date | None, source: str) -> tuple[date | None, list[Problem]]:
    """The file's own date wins; one given that contradicts it is more likely a slip than a correction."""
    if stated and given and stated != given:
        message = f"the file is as at {_long_date(stated)}, but {_long_date(given)} was given"
        return None, [Problem(source, None, None, message)]
    if not (stated or given):
        message = "no 'as at' date: not in the title rows or the file name; give it explicitly"
        return None, [Problem(source, None, None, message)]
    return stated or given, []


def held_totals(engine: Engine, as_at: date) -> tuple[int, int]:
    """The children's homes and places held for one year (0, 0 when the year is not held)."""
    with engine.connect() as connection:
        return _held_totals(connection, as_at)


def _held_totals(store: Connection | Session, as_at: date) -> tuple[int, int]:
    query = (
        select(MarketFigure.measure, func.sum(MarketFigure.value))
        .where(MarketFigure.as_at == as_at, MarketFigure.measure.in_([HOMES, PLACES]))
        .group_by(MarketFigure.measure)
    )
    totals = dict(store.execute(query).all())
    return int(totals.get(HOMES, 0)), int(totals.get(PLACES, 0))


def _shrinks_the_year(report: MarketReport, as_at: date, held: tuple[int, int], source: str) -> list[Problem]:
    """A problem when the file holds fewer than HELD_SHARE of the homes or of the places held for its year."""
    share, whole = HELD_SHARE
    held_homes, held_places = held
    if report.homes * whole >= held_homes * share and report.places * whole >= held_places * share:
        return []
    message = (
        f"the file counts {report.homes:,} children's homes with {report.places:,} places, but the figures held for "
        f"{_long_date(as_at)} count {held_homes:,} homes with {held_places:,} places: fewer than "
        f"{share * 100 // whole}% of those held, as a file cut short would. If the file is right, import it with "
        '--replace (on the Import page, tick "Replace the year held")'
    )
    return [Problem(source, None, None, message)]


@dataclass
class OfstedImport:
    """Ofsted's provider-level CSV as an `Importer`: that year's market figures replaced with its aggregates. `as_at`
    serves a file whose title and name state no date; `replace` lets a file with far fewer homes or places than the
    year held replace it."""

    path: Path
    as_at: date | None = None
    replace: bool = False
    report: MarketReport = field(default_factory=MarketReport)
    accepts: ClassVar[Accepts] = Accepts(
        CSV_SUFFIXES, folders=False, words="the provider-level .csv file as downloaded from GOV.UK"
    )
    providers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROVIDER_COLUMNS), init=False)
    problems: list[Problem] = field(default_factory=list, init=False)  # the file's own, found in reading it
    stated: date | None = field(default=None, init=False)  # the date the file states

    def read(self) -> None:
        self.providers, self.problems, self.stated = read_providers(read_file(self.path), self.path.name)

    def check(self, session: Session) -> list[Problem]:
        source, report = self.path.name, self.report
        report.as_at, date_problems = _resolve_as_at(self.stated, self.as_at, source)
        problems = self.problems + date_problems
        if not problems and self.providers.empty:
            # Replacing a year with nothing would wipe it: a file without homes is the wrong file.
            problems.append(Problem(source, None, None, "no children's homes found"))
        if problems or report.as_at is None:  # no date comes with a problem saying so
            return problems
        report.homes = len(self.providers)
        report.places = sum(self.providers["places"].dropna().tolist())  # Python ints: a sum that cannot wrap
        report.authorities = self.providers["local_authority"].nunique()
        if self.replace:
            return []
        return _shrinks_the_year(report, report.as_at, _held_totals(session, report.as_at), source)

    def changes_council(self, session: Session) -> str | None:
        return None  # the national register: every council's market pages read it

    def write(self, session: Session, actor: Actor) -> None:
        """Replace the year's figures and homes (in the one transaction: a failure leaves the year as it was)."""
        as_at = self.report.as_at
        assert as_at is not None  # checked
        figures = aggregate(self.providers)
        session.execute(delete(MarketFigure).where(MarketFigure.as_at == as_at))
        session.execute(insert(MarketFigure), figures.assign(as_at=as_at).to_dict("records"))
        record_bulk_change(session, actor, "market_figure", f"{as_at:%Y-%m-%d}", {"rows": len(figures)})
        homes = home_rows(self.providers, as_at)
        session.execute(delete(OfstedHome).where(OfstedHome.as_at == as_at))
        session.execute(insert(OfstedHome), homes)
        record_bulk_change(session, actor, "ofsted_home", f"{as_at:%Y-%m-%d}", {"rows": len(homes)})


def home_rows(providers: pd.DataFrame, as_at: date) -> list[dict[str, object]]:
    """Each children's home as the store keeps it (models.OfstedHome): places None where the file leaves them blank."""
    homes = providers.astype({"places": object}).assign(as_at=as_at)
    return homes.where(homes.notna(), None).to_dict("records")


def import_ofsted(
    engine: Engine,
    path: Path,
    actor: Actor,
    as_at: date | None = None,
    dry_run: bool = False,
    replace: bool = False,
) -> MarketReport:
    """Read Ofsted's provider-level CSV at `path` and replace that year's market figures with its aggregates (with
    `dry_run`, only report them): `OfstedImport`."""
    return run_import(engine, OfstedImport(path, as_at, replace), actor, dry_run)


# ---------------------------------------------------------------- reading the store


def market_years(engine: Engine) -> list[date]:
    """The years loaded, oldest first."""
    with engine.connect() as connection:
        return list(connection.scalars(select(MarketFigure.as_at).distinct().order_by(MarketFigure.as_at)))


def _total(measure: str, sector: str | None = None) -> ColumnElement[int]:
    """SUM of one measure's values (of one sector), for aggregating several measures in one GROUP BY."""
    condition = MarketFigure.measure == measure
    if sector is not None:
        condition = condition & (MarketFigure.category == sector)
    return func.coalesce(func.sum(case((condition, MarketFigure.value), else_=0)), 0)


def council_market(engine: Engine, local_authority: str) -> pd.DataFrame:
    """One row per year loaded and sector (columns as_at, sector, homes, places), zeros included so a chart shows
    every year; no rows for an authority the data never names (a misspelt name should not look like an empty
    market)."""
    query = (
        select(
            MarketFigure.as_at,
            MarketFigure.category.label("sector"),
            _total(HOMES).label("homes"),
            _total(PLACES).label("places"),
        )
        .where(MarketFigure.local_authority == local_authority, MarketFigure.measure.in_([HOMES, PLACES]))
        .group_by(MarketFigure.as_at, MarketFigure.category)
    )
    with engine.connect() as connection:
        found = pd.DataFrame(connection.execute(query).all(), columns=["as_at", "sector", "homes", "places"])
    if found.empty:
        return found
    grid = pd.MultiIndex.from_product([market_years(engine), SECTOR_ORDER], names=["as_at", "sector"])
    return (
        found.set_index(["as_at", "sector"])
        .reindex(grid, fill_value=0)
        .reset_index()
        .astype({"homes": int, "places": int})
    )


def council_ratings(engine: Engine, local_authority: str) -> pd.DataFrame:
    """The authority's children's homes by latest overall Ofsted rating, one column per year loaded, ratings in
    Ofsted's order."""
    query = select(MarketFigure.as_at, MarketFigure.category, MarketFigure.value).where(
        MarketFigure.local_authority == local_authority, MarketFigure.measure == HOMES_BY_RATING
    )
    with engine.connect() as connection:
        found = pd.DataFrame(connection.execute(query).all(), columns=["as_at", "rating", "homes"])
    if found.empty:
        return pd.DataFrame(columns=["rating"])
    wide = found.pivot_table(index="rating", columns="as_at", values="homes", aggfunc="sum", fill_value=0)
    wide = wide.reindex(RATINGS, fill_value=0).astype(int)
    wide.columns = [f"March {day:%Y}" for day in wide.columns]
    return wide.rename_axis("rating").reset_index()


def council_ranking(engine: Engine, as_at: date | None = None) -> pd.DataFrame:
    """Every local authority in one year (the latest unless `as_at`), ranked by the share of its children's home
    places that are in its own homes: la_homes, total_homes, la_places, total_places, la_share (0..1), rank (1 =
    highest share; ties share a rank)."""
    columns = ["local_authority", "la_homes", "total_homes", "la_places", "total_places"]
    if as_at is None:
        with engine.connect() as connection:
            as_at = connection.scalar(select(func.max(MarketFigure.as_at)))
    query = (
        select(
            MarketFigure.local_authority,
            _total(HOMES, LA_SECTOR),
            _total(HOMES),
            _total(PLACES, LA_SECTOR),
            _total(PLACES),
        )
        .where(MarketFigure.as_at == as_at, MarketFigure.measure.in_([HOMES, PLACES]))
        .group_by(MarketFigure.local_authority)
    )
    with engine.connect() as connection:
        ranking = pd.DataFrame(connection.execute(query).all(), columns=columns)
    places = ranking["total_places"]
    ranking["la_share"] = (ranking["la_places"] / places.where(places > 0)).fillna(0.0)  # no places: no share
    ranking["rank"] = ranking["la_share"].rank(method="min", ascending=False).astype(int)
    return ranking.sort_values(["rank", "local_authority"]).reset_index(drop=True)


def home_ratings(engine: Engine, urns: Iterable[str]) -> pd.DataFrame:
    """The homes of `urns` as Ofsted's latest year held for each gives them: urn, as_at, places (None where Ofsted
    gave none) and rating; a URN Ofsted's data does not hold has no row."""
    wanted = sorted(set(urns))
    columns = ["urn", "as_at", "places", "rating"]
    if not wanted:
        return pd.DataFrame(columns=columns)
    latest = (
        select(OfstedHome.urn, func.max(OfstedHome.as_at).label("as_at"))
        .where(OfstedHome.urn.in_(wanted))
        .group_by(OfstedHome.urn)
        .subquery()
    )
    query = (
        select(OfstedHome.urn, OfstedHome.as_at, OfstedHome.places, OfstedHome.rating)
        .join(latest, (OfstedHome.urn == latest.c.urn) & (OfstedHome.as_at == latest.c.as_at))
        .order_by(OfstedHome.urn)
    )
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(query).all(), columns=columns)
