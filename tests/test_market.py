"""Ofsted's provider-level data: the real 2024 file read in place and counted against plain csv, the layouts other
years use, all-or-nothing imports that replace a year, and that no provider's details reach the store."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from dashboard.market import (
    MarketReport,
    aggregate,
    council_market,
    council_ranking,
    home_ratings,
    home_rows,
    import_ofsted,
    market_years,
    read_providers,
)
from dashboard.models import MarketFigure, OfstedHome
from dashboard.roles import AccessDenied, Actor, Role
from dashboard.validation import looks_like_postcode
from tests.conftest import SHARED_DATA, dump

EDITOR = Actor("ann@x.uk", "test", Role.EDITOR)
REAL_2024 = SHARED_DATA / "ofsted" / "ofsted_csc_providers_at_31march2024.csv"
AS_AT_2024, AS_AT_2019 = date(2024, 3, 31), date(2019, 3, 31)
URN = re.compile(r"\bSC\d{6}\b", re.IGNORECASE)

# The published layout: title and note rows above the table (the 2024 headers; older years' are below).
TITLE_2024 = "Children's social care data in England 2024 – Provider level as at 31 March 2024"
NOTES = ["This worksheet contains one table, this table begins in cell A4.", "Some cells in this table are empty."]
HEADERS_2024 = [
    "URN",
    "Provision type",
    "Name",
    "Postcode",
    "Local authority",
    "Sector",
    "Places",
    "Overall experiences and progress of children and young people",
]
# 2019: other names for the same columns, with line breaks inside the header cells as Excel writes them.
HEADERS_2019 = [
    "URN",
    "Provision\ntype",
    "Name",
    "Postcode",
    "Local\nAuthority",
    "Sector",
    "Number of\r\nplaces",
    "Overall\neffectiveness",
]


MADE_UP_URNS = (f"SC{number:06d}" for number in itertools.count(100_001))


def home(
    la: str, sector: str, places: str, rating: str = "Good", kind: str = "Children's home", urn: str | None = None
) -> list[str]:
    """One provider row in the fixtures' column order: a made-up URN (each home its own, unless given) and postcode
    stand in for what must not leak."""
    return [next(MADE_UP_URNS) if urn is None else urn, kind, "REDACTED", "SG1 2AB", la, sector, places, rating]


def write_ofsted(
    path: Path,
    rows: Sequence[Sequence[str]],
    title: str = TITLE_2024,
    headers: Sequence[str] = HEADERS_2024,
    encoding: str = "cp1252",
) -> Path:
    """A provider-level file as GOV.UK publishes it: a title, notes, the header (row 4), then the providers."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[title], *([note] for note in NOTES), list(headers), *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def figures(engine: Engine, as_at: date = AS_AT_2024) -> dict[tuple[str, str, str], int]:
    """The store's figures for one year: (local authority, measure, category) -> value."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(MarketFigure.local_authority, MarketFigure.measure, MarketFigure.category, MarketFigure.value).where(
                MarketFigure.as_at == as_at
            )
        )
        return {(la, measure, category): value for la, measure, category, value in rows}


def assert_no_provider_details(engine: Engine) -> None:
    """No name (Ofsted's REDACTED), URN or postcode anywhere in the market figures."""
    with engine.connect() as connection:
        texts = [
            text
            for row in connection.execute(
                select(MarketFigure.local_authority, MarketFigure.measure, MarketFigure.category)
            )
            for text in row
        ]
    assert texts, "nothing was imported to check"
    assert not [text for text in texts if "REDACTED" in text.upper() or URN.search(text) or looks_like_postcode(text)]


def run_import(engine: Engine, path: Path, **options) -> MarketReport:
    report = import_ofsted(engine, path, EDITOR, **options)
    if report.written:
        assert_no_provider_details(engine)
    return report


# ---------------------------------------------------------------- the real 2024 file, read in place


@pytest.fixture(scope="module")
def real_homes() -> list[dict[str, str]]:
    """The 2024 file's children's homes, read independently with plain csv (the file is Windows-1252)."""
    rows = list(csv.reader(io.StringIO(REAL_2024.read_bytes().decode("cp1252"))))
    header = next(index for index, cells in enumerate(rows) if "URN" in cells and "Provision type" in cells)
    providers = [dict(zip(rows[header], cells, strict=True)) for cells in rows[header + 1 :]]
    return [p for p in providers if p["Provision type"] in ("Children's home", "Children's Home")]


def test_real_2024_file_counts_match_plain_csv(engine: Engine, real_homes: list[dict[str, str]]) -> None:
    all_places = sum(int(p["Places"] or 0) for p in real_homes)
    authorities = {p["Local authority"] for p in real_homes}
    herts = [p for p in real_homes if p["Local authority"] == "Hertfordshire"]
    herts_places = Counter()
    for provider in herts:
        herts_places[provider["Sector"]] += int(provider["Places"] or 0)

    report = run_import(engine, REAL_2024)

    assert report.ok and report.written, report.summary()
    assert "Imported: the figures and homes for 31 March 2024 were replaced" in report.summary()
    assert (report.as_at, report.homes, report.places, report.authorities) == (
        AS_AT_2024,
        3151,
        all_places,
        len(authorities),
    )
    assert len(real_homes) == 3151
    assert report.summary().startswith(
        f"Ofsted providers as at 31 March 2024: 3,151 children's homes with {all_places:,} places in "
        f"{len(authorities)} local authorities."
    )
    stored = figures(engine)
    assert sum(v for (_, measure, _), v in stored.items() if measure == "homes") == 3151
    assert sum(v for (_, measure, _), v in stored.items() if measure == "homes_by_rating") == 3151
    assert sum(v for (_, measure, _), v in stored.items() if measure == "places") == all_places

    herts_homes = {
        sector: n for (la, measure, sector), n in stored.items() if (la, measure) == ("Hertfordshire", "homes")
    }
    assert herts_homes == {"Private": 15, "Local authority": 7, "Voluntary": 4}
    market = council_market(engine, "Hertfordshire").set_index("sector")
    assert market["homes"].to_dict() == {"Local authority": 7, "Private": 15, "Voluntary": 4, "Other": 0}
    assert market["places"].to_dict() == {
        "Local authority": herts_places["Local Authority"],
        "Private": herts_places["Private"],
        "Voluntary": herts_places["Voluntary"],
        "Other": 0,
    }
    assert set(market["as_at"]) == {AS_AT_2024}

    ranking = council_ranking(engine)
    assert len(ranking) == len(authorities)
    herts_rank = ranking.set_index("local_authority").loc["Hertfordshire"]
    assert herts_rank["la_places"] == herts_places["Local Authority"]
    assert herts_rank["total_places"] == sum(herts_places.values())
    assert herts_rank["la_share"] == pytest.approx(herts_places["Local Authority"] / sum(herts_places.values()))
    assert (herts_rank["la_homes"], herts_rank["total_homes"]) == (7, 26)
    assert herts_rank["rank"] == 1 + (ranking["la_share"] > herts_rank["la_share"]).sum()
    assert ranking["rank"].iloc[0] == 1 and ranking["la_share"].is_monotonic_decreasing


# ---------------------------------------------------------------- each children's home by its URN

RATING_2024 = "Overall experiences and progress of children and young people"


def stored_homes(engine: Engine, as_at: date = AS_AT_2024) -> dict[str, tuple]:
    """The store's children's homes for one year: URN -> (local authority, sector, places, rating)."""
    h = OfstedHome
    query = select(h.urn, h.local_authority, h.sector, h.places, h.rating).where(h.as_at == as_at)
    with engine.connect() as connection:
        return {urn: tuple(rest) for urn, *rest in connection.execute(query)}


def test_real_2024_file_keeps_each_childrens_home_by_urn_as_plain_csv_reads_it(
    engine: Engine, real_homes: list[dict[str, str]]
) -> None:
    sectors = {"Local Authority": "Local authority", "Private": "Private", "Voluntary": "Voluntary"}
    expected = {
        p["URN"]: (p["Local authority"], sectors.get(p["Sector"], "Other"), int(p["Places"]), p[RATING_2024])
        for p in real_homes
    }
    assert len(expected) == len(real_homes) == 3151  # a URN each: none given twice

    assert run_import(engine, REAL_2024).written

    assert stored_homes(engine) == expected
    herts = {urn for urn, (la, *_) in expected.items() if la == "Hertfordshire"}
    assert len(herts) == 26 and all(URN.fullmatch(urn) or urn.isdigit() for urn in herts)
    # Nothing that names or locates a home: the table has no column for it, and no value reads as one.
    assert {column.name for column in OfstedHome.__table__.columns} == {
        "as_at",
        "urn",
        "local_authority",
        "sector",
        "places",
        "rating",
    }
    texts = [text for row in stored_homes(engine).values() for text in (row[0], row[1], row[3])]
    assert not [text for text in texts if "REDACTED" in text.upper() or looks_like_postcode(text)]


def test_a_year_imported_again_replaces_its_homes_and_the_latest_year_of_each_is_read(
    engine: Engine, tmp_path: Path
) -> None:
    kept, dropped, older_only = "SC000001", "1234567", "SC000002"
    first = [home("Luton", "Private", "3", urn=kept), home("Barnet", "Local Authority", "2", urn=dropped)]
    assert run_import(engine, write_ofsted(tmp_path / "a.csv", first)).written
    again = [home("Luton", "Private", "4", "Inadequate", urn=kept), home("Luton", "Voluntary", "", "", urn="SC000009")]
    assert run_import(engine, write_ofsted(tmp_path / "b.csv", again), replace=True).written
    older = [home("Luton", "Private", "5", "Outstanding", urn=kept), home("Luton", "Private", "6", urn=older_only)]
    old_title = "... as at 31 March 2019"
    assert run_import(engine, write_ofsted(tmp_path / "c.csv", older, title=old_title, headers=HEADERS_2019)).written

    assert stored_homes(engine) == {  # the year replaced: the home no longer in it is gone from it
        kept: ("Luton", "Private", 4, "Inadequate"),
        "SC000009": ("Luton", "Voluntary", None, "Not yet inspected"),
    }
    assert set(stored_homes(engine, AS_AT_2019)) == {kept, older_only}
    ratings = home_ratings(engine, [kept, older_only, dropped, "SC999999", kept])
    assert ratings.to_dict("records") == [
        {"urn": kept, "as_at": AS_AT_2024, "places": 4, "rating": "Inadequate"},  # the latest year
        {"urn": older_only, "as_at": AS_AT_2019, "places": 6, "rating": "Good"},  # the only year that has it
    ]  # a URN Ofsted's data does not hold (any more) has no row
    assert list(home_ratings(engine, []).columns) == ["urn", "as_at", "places", "rating"]


def test_a_dry_run_keeps_no_homes(engine: Engine, tmp_path: Path) -> None:
    dry = import_ofsted(engine, write_ofsted(tmp_path / "a.csv", [home("Luton", "Private", "3")]), EDITOR, dry_run=True)
    assert dry.ok and not dry.written
    assert stored_homes(engine) == {}


@pytest.mark.parametrize(
    ("urn", "message"),
    [
        ("SC000001", "'SC000001' is repeated (first at row 5)"),
        ("sc000002", "'sc000002' is not an Ofsted URN such as SC123456"),  # refused, never upper-cased
        ("SC12345", "'SC12345' is not an Ofsted URN such as SC123456"),
        ("12345678", "'12345678' is not an Ofsted URN such as SC123456"),
        ("", "no URN: every children's home has one"),
    ],
    ids=["repeated", "lower case", "five digits", "eight digits", "blank"],
)
def test_a_urn_repeated_or_not_a_urn_is_refused_naming_row_and_column(
    engine: Engine, tmp_path: Path, urn: str, message: str
) -> None:
    rows = [home("Luton", "Private", "3", urn="SC000001"), home("Luton", "Private", "2", urn=urn)]
    rows.append(home("Luton", "Private", "2", kind="Independent Fostering Agency", urn="SC000001"))  # not a home
    before = dump(engine)

    report = run_import(engine, write_ofsted(tmp_path / "ofsted_2024.csv", rows))

    assert [(p.row, p.column) for p in report.problems] == [(6, "URN")]
    assert report.problems[0].message.startswith(message)
    assert not report.written and dump(engine) == before


# ---------------------------------------------------------------- layouts the real file does not show


def test_older_layout_with_bom_line_breaks_and_other_column_names(engine: Engine, tmp_path: Path) -> None:
    path = write_ofsted(
        tmp_path / "providers.csv",  # no year in the name: the title gives it
        [
            home("Hertfordshire", "Local Authority", "4", "Good", kind="Children's Home", urn="SC000001"),
            home("Hertfordshire", "Private", "", "", kind="Children's Home", urn="1234567"),  # blank places, rating
            home("Hertfordshire", "Health Authority", "2", "requires  improvement to be GOOD", urn="SC000003"),
            home("Luton", "Voluntary", "3", "Outstanding", urn="654321"),
        ],
        title="Children's social care data in England 2019 – Provider level as at 31 March 2019",
        headers=HEADERS_2019,
        encoding="utf-8-sig",
    )
    providers, problems, as_at = read_providers(path.read_bytes(), path.name)
    assert (problems, as_at) == ([], AS_AT_2019)
    assert list(providers.columns) == ["urn", "local_authority", "sector", "places", "rating"]
    la, rated = "Hertfordshire", "Requires improvement to be good"
    rows = home_rows(providers, AS_AT_2019)
    assert {row.pop("as_at") for row in rows} == {AS_AT_2019}
    assert rows[:3] == [
        {"urn": "SC000001", "local_authority": la, "sector": "Local authority", "places": 4, "rating": "Good"},
        # Blank places are no places (None), not 0: the figures count the home with none.
        {"urn": "1234567", "local_authority": la, "sector": "Private", "places": None, "rating": "Not yet inspected"},
        {"urn": "SC000003", "local_authority": la, "sector": "Other", "places": 2, "rating": rated},
    ]

    report = run_import(engine, path)

    assert report.ok and (report.as_at, report.homes, report.places, report.authorities) == (AS_AT_2019, 4, 9, 2)
    assert figures(engine, AS_AT_2019) == {
        ("Hertfordshire", "homes", "Local authority"): 1,
        ("Hertfordshire", "homes", "Private"): 1,  # counted, though its places are blank
        ("Hertfordshire", "homes", "Other"): 1,
        ("Hertfordshire", "places", "Local authority"): 4,
        ("Hertfordshire", "places", "Other"): 2,
        ("Hertfordshire", "homes_by_rating", "Good"): 1,
        ("Hertfordshire", "homes_by_rating", "Not yet inspected"): 1,
        ("Hertfordshire", "homes_by_rating", "Requires improvement to be good"): 1,
        ("Luton", "homes", "Voluntary"): 1,
        ("Luton", "places", "Voluntary"): 3,
        ("Luton", "homes_by_rating", "Outstanding"): 1,
    }


def test_only_childrens_homes_count_whatever_the_apostrophe(tmp_path: Path) -> None:
    path = write_ofsted(
        tmp_path / "ofsted_31march2024.csv",
        [
            home("Luton", "Private", "3", kind="Children\u2019s Home"),  # curly apostrophe, Windows-1252 encoded
            home("Luton", "Private", "2", kind="CHILDREN'S  HOME"),
            home("Luton", "Local Authority", "8", kind="Secure children's home"),
            home("Luton", "Private", "40", kind="Residential special school (registered as a children's home)"),
            home("Luton", "Private", "6", kind="Independent Fostering Agency"),
        ],
    )
    providers, problems, _ = read_providers(path.read_bytes(), path.name)
    assert problems == []
    assert providers["places"].tolist() == [3, 2]


def test_bad_row_is_named_and_nothing_is_written(engine: Engine, tmp_path: Path) -> None:
    good = write_ofsted(tmp_path / "ofsted_2024.csv", [home("Luton", "Private", "3")])
    assert run_import(engine, good).written
    before = dump(engine)
    bad = write_ofsted(
        tmp_path / "ofsted_2024_corrected.csv",
        [home("Luton", "Private", "3"), home("Luton", "Voluntary", "2"), home("Luton", "Private", "lots")],
    )

    report = run_import(engine, bad)

    assert not report.ok and not report.written
    # Rows counted as in a spreadsheet: 3 title and note rows, the header on row 4, providers from row 5.
    assert [(p.source, p.row, p.column) for p in report.problems] == [("ofsted_2024_corrected.csv", 7, "Places")]
    assert "'lots' is not a whole number" in report.summary()
    assert dump(engine) == before  # the earlier import of the year is untouched too


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"Title row only\r\nName,Town,Places\r\nREDACTED,REDACTED,3\r\n", "no table with URN and Provision type"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U0#\xf4\x00\x00\x00", "not CSV text"),
        (
            b"URN,Provision type,Local authority,Sector,Overall effectiveness\r\nSC1,Children's home,Luton,,Good",
            "Places",
        ),
    ],
    ids=["empty", "no header", "not csv", "missing column"],
)
def test_unusable_files_are_reported_not_raised(engine: Engine, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "ofsted_31march2024.csv"
    path.write_bytes(content)
    before = dump(engine)

    report = run_import(engine, path)

    assert not report.written and len(report.problems) == 1
    assert message in str(report.problems[0])
    assert dump(engine) == before


def test_unreadable_paths_are_reported(engine: Engine, tmp_path: Path) -> None:
    workbook = tmp_path / "ofsted_2024.xlsx"
    workbook.write_bytes(b"PK\x03\x04")
    for path in (tmp_path / "missing_2024.csv", workbook):
        report = run_import(engine, path)
        assert not report.written and [p.source for p in report.problems] == [path.name]


def test_as_at_from_title_then_name_then_argument(engine: Engine, tmp_path: Path) -> None:
    rows = [home("Luton", "Private", "3")]
    undated = "Children's social care data in England – Provider level"

    def stated(name: str, title: str = undated) -> date | None:
        path = write_ofsted(tmp_path / name, rows, title=title)
        return read_providers(path.read_bytes(), name)[2]

    assert stated("ofsted_2023.csv", title=TITLE_2024) == AS_AT_2024  # the title wins over the name
    assert stated("providers_at_31march2022.csv") == date(2022, 3, 31)
    assert stated("providers 2021.csv") == date(2021, 3, 31)
    assert stated("providers_2020_2021.csv") is None  # two years: no guess

    path = write_ofsted(tmp_path / "providers.csv", rows, title=undated)
    assert "no 'as at' date" in run_import(engine, path).summary()
    assert run_import(engine, path, as_at=date(2018, 3, 31)).as_at == date(2018, 3, 31)
    contradicted = run_import(engine, write_ofsted(tmp_path / "p.csv", rows), as_at=AS_AT_2019)
    assert not contradicted.written and "but 31 March 2019 was given" in contradicted.summary()
    assert market_years(engine) == [date(2018, 3, 31)]


# ---------------------------------------------------------------- years in the store


def test_importing_a_year_again_replaces_it(engine: Engine, tmp_path: Path) -> None:
    first = write_ofsted(tmp_path / "a.csv", [home("Luton", "Private", "3"), home("Barnet", "Private", "2")])
    run_import(engine, first)
    once = figures(engine)
    run_import(engine, first)
    assert figures(engine) == once

    smaller = write_ofsted(tmp_path / "b.csv", [home("Luton", "Voluntary", "4")])
    refused = run_import(engine, smaller)  # 1 home where 2 are held: refused unless asked for
    assert not refused.written and "count 2 homes with 5 places" in refused.summary()
    assert figures(engine) == once
    assert run_import(engine, smaller, replace=True).written
    assert figures(engine) == {
        ("Luton", "homes", "Voluntary"): 1,
        ("Luton", "places", "Voluntary"): 4,
        ("Luton", "homes_by_rating", "Good"): 1,
    }


def test_years_are_kept_side_by_side(engine: Engine, tmp_path: Path) -> None:
    new = write_ofsted(tmp_path / "a.csv", [home("Luton", "Local Authority", "3"), home("Barnet", "Private", "5")])
    run_import(engine, new)
    old = write_ofsted(
        tmp_path / "b.csv",
        [home("Luton", "Local Authority", "4"), home("Luton", "Private", "4"), home("Barnet", "Local Authority", "1")],
        title="... as at 31 March 2019",
        headers=HEADERS_2019,
    )
    run_import(engine, old)

    assert market_years(engine) == [AS_AT_2019, AS_AT_2024]
    luton = council_market(engine, "Luton")
    assert list(luton.columns) == ["as_at", "sector", "homes", "places"]
    assert len(luton) == 2 * 4  # every year and sector, zeros included
    la = luton[luton["sector"] == "Local authority"].set_index("as_at")["places"].to_dict()
    assert la == {AS_AT_2019: 4, AS_AT_2024: 3}
    assert council_market(engine, "Nowhere").empty

    latest = council_ranking(engine).set_index("local_authority")
    assert latest.loc["Luton", ["la_share", "rank"]].tolist() == [1.0, 1]
    assert latest.loc["Barnet", ["la_share", "rank"]].tolist() == [0.0, 2]
    older = council_ranking(engine, AS_AT_2019).set_index("local_authority")
    assert older.loc["Luton", ["la_places", "total_places", "la_share"]].tolist() == [4, 8, 0.5]
    assert older["rank"].to_dict() == {"Barnet": 1, "Luton": 2}


def test_an_empty_store_has_no_market(engine: Engine) -> None:
    assert market_years(engine) == []
    assert council_ranking(engine).empty
    assert council_market(engine, "Hertfordshire").empty


# ---------------------------------------------------------------- who may import


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_only_editors_may_import(engine: Engine, tmp_path: Path, role: Role) -> None:
    path = write_ofsted(tmp_path / "a.csv", [home("Luton", "Private", "3")])
    actor = Actor("val@x.uk", "test", role)
    before = dump(engine)

    with pytest.raises(AccessDenied):
        import_ofsted(engine, path, actor)
    dry = import_ofsted(engine, path, actor, dry_run=True)

    assert dry.ok and not dry.written and dry.homes == 1
    assert "Dry run: nothing written." in dry.summary()
    assert dump(engine) == before


# ---------------------------------------------------------------- aggregating


def test_aggregate_keeps_counts_and_leaves_out_zeros() -> None:
    providers = pd.DataFrame(
        [
            {"local_authority": "Luton", "sector": "Private", "places": 3, "rating": "Good"},
            {"local_authority": "Luton", "sector": "Private", "places": 2, "rating": "Inadequate"},
            {"local_authority": "Luton", "sector": "Other", "places": 0, "rating": "Good"},
        ]
    )
    assert aggregate(providers).to_dict("records") == [
        {"local_authority": "Luton", "measure": "homes", "category": "Other", "value": 1},
        {"local_authority": "Luton", "measure": "homes", "category": "Private", "value": 2},
        {"local_authority": "Luton", "measure": "homes_by_rating", "category": "Good", "value": 2},
        {"local_authority": "Luton", "measure": "homes_by_rating", "category": "Inadequate", "value": 1},
        {"local_authority": "Luton", "measure": "places", "category": "Private", "value": 5},
    ]


def test_row_problems_name_the_files_own_columns(tmp_path: Path) -> None:
    path = write_ofsted(tmp_path / "a.csv", [home("", "Private", "3"), home("Luton", "Private", "3", rating="Meh")])
    _, problems, _ = read_providers(path.read_bytes(), path.name)
    assert [(p.row, p.column) for p in problems] == [
        (5, "Local authority"),
        (6, "Overall experiences and progress of children and young people"),
    ]

    older = write_ofsted(tmp_path / "b.csv", [home("Luton", "Private", "2.5")], headers=HEADERS_2019)
    _, problems, _ = read_providers(older.read_bytes(), older.name)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (5, "Number of places", "'2.5' is not a whole number: write digits, with commas only between thousands")
    ]
