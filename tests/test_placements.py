"""SSDA903 episodes to monthly aggregates: the real synthetic extract read in place, hand-computed fixtures in the
published layout, refused rows reported with nothing written, and never a child or a postcode in the store."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard import lookup, placements
from dashboard.models import ObjectiveMeasure
from dashboard.roles import AccessDenied, Actor, Role
from dashboard.validation import looks_like_postcode
from tests.conftest import SHARED_DATA, dump

AGE_BANDS = {"0-4", "5-9", "10-15", "16-17"}

EPISODES = SHARED_DATA / "ssda903" / "demandmodel_2021-episodes.csv"
ANN = Actor("ann@herts.gov.uk", "import 903", Role.EDITOR)
HEADERS = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]


def write_episodes(path: Path, rows: list[dict[str, str]], headers: list[str] = HEADERS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers, extrasaction="ignore")
        writer.writeheader()
        writer.writerows([{name: row.get(name, "") for name in headers} for row in rows])
    return path


def episode(child, start, end="", place="K2", provider="PR1", rne="S", postcode="SG1 2AB") -> dict[str, str]:
    return {
        "CHILD": child,
        "DECOM": start,
        "DEC": end,
        "PLACE": place,
        "PLACE_PROVIDER": provider,
        "RNE": rne,
        "PL_POST": postcode,
        "LS": "C2",
        "CIN": "N1",
        "REC": "X1" if end else "",
        "HOME_POST": "AL1 1AA",
        "URN": "SC123456",
    }


# Three months, counted by hand:
#   child 1: own home (PR1) from 15/01; moves (P) on 10/02 to a private home (PR4) in London; still there.
#   child 2: own home from 01/12 (before the window) to 31/01 (ends that day: not open on 31/01).
#   child 3: foster care (U4) all along; moves (T) on 28/02 to a voluntary home (PR5) with no known postcode.
#   child 4: legal status change only (L) on 05/03, still fostered: not a placement change.
HAND_MADE = [
    episode("1", "15/01/2024", "10/02/2024"),
    episode("1", "10/02/2024", provider="PR4", rne="P", postcode="E1 6AN"),
    episode("2", "2023-12-01", "2024-01-31"),
    episode("3", "01/06/2023", "28/02/2024", place="U4", provider="PR4"),
    episode("3", "28/02/2024", place="K2", provider="PR5", rne="T", postcode=""),
    episode("4", "01/01/2023", "05/03/2024", place="U4", provider="PR4"),
    episode("4", "05/03/2024", place="U4", provider="PR4", rne="L"),
]
LOOKUP = [("SG1", "Hertfordshire"), ("E1", "Tower Hamlets")]
MONTHS = (date(2024, 1, 1), date(2024, 3, 31))


def figures(engine) -> dict[tuple[str, str, str], tuple[float, float | None]]:
    """Stored measures by (YYYY-MM, measure, category): (numerator, denominator or None)."""
    stored = placements.stored_measures(engine)
    return {
        (f"{row.period_end:%Y-%m}", row.measure, row.category): (
            row.numerator,
            None if pd.isna(row.denominator) else row.denominator,
        )
        for row in stored.itertuples()
    }


def import_lookup(engine, tmp_path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("Postcode district,Local authority\n" + "\n".join(f"{c},{la}" for c, la in LOOKUP) + "\n")
    assert lookup.import_lookup(engine, path, ANN).written


def test_hand_computed_months(engine, tmp_path):
    import_lookup(engine, tmp_path)
    path = write_episodes(tmp_path / "episodes.csv", HAND_MADE)
    report = placements.import_episodes(engine, path, ANN, months=MONTHS, today=date(2024, 6, 1))
    assert report.ok and report.written and report.located, report.summary()
    got = figures(engine)
    # 31 January: children 1, 3 and 4 looked after (child 2's episode ended that day); child 1 in an own home; all
    # three placed in SG1, inside.
    assert got[("2024-01", "looked_after", "")] == (3, None)
    assert got[("2024-01", "in_childrens_homes", "")] == (1, 3)
    assert got[("2024-01", "homes_own_provision", "")] == (1, 1)
    assert got[("2024-01", "placed_inside", "")] == (3, 3)
    # 29 February: child 1 in a private home in London (outside), child 3 in a voluntary home with no postcode
    # (location not known), child 4 fostered in SG1 (inside).
    homes = [got[("2024-02", f"homes_{key}", "")] for key in ("own_provision", "private", "voluntary")]
    assert homes == [(0, 2), (1, 2), (1, 2)]
    where = [got[("2024-02", f"placed_{key}", "")] for key in ("inside", "outside", "location_unknown")]
    assert where == [(1, 3), (1, 3), (1, 3)]
    # Three months cannot hold a year's placements: the measure is not made up from part of one.
    assert not [key for key in got if key[1] == "three_or_more_placements"]


def test_short_breaks_are_not_children_looked_after(engine, tmp_path):
    rows = [*HAND_MADE, {**episode("5", "01/01/2024", place="U4", provider="PR4"), "LS": "V3"}]
    report = placements.import_episodes(
        engine, write_episodes(tmp_path / "e.csv", rows), ANN, months=MONTHS, today=date(2024, 6, 1)
    )
    assert report.written, report.summary()
    assert figures(engine)[("2024-01", "looked_after", "")] == (3, None)


def test_without_the_lookup_location_is_not_counted_and_the_report_says_why(engine, tmp_path):
    path = write_episodes(tmp_path / "episodes.csv", HAND_MADE)
    report = placements.import_episodes(engine, path, ANN, months=MONTHS, today=date(2024, 6, 1))
    assert report.written and not report.located
    assert "needs the postcode-district lookup" in report.summary()
    assert not [key for key in figures(engine) if key[1].startswith("placed_")]


def test_a_year_whose_last_episode_starts_on_30_march_is_measured_at_31_march(engine, tmp_path):
    rows = [episode("1", "01/05/2023", "30/03/2024"), episode("1", "30/03/2024", provider="PR4", rne="P")]
    report = placements.import_episodes(engine, write_episodes(tmp_path / "e.csv", rows), ANN, today=date(2026, 1, 1))
    assert report.written, report.summary()
    assert (report.months[0], report.months[-1]) == (date(2023, 4, 30), date(2024, 3, 31))
    assert "at 31 March 2024 as DfE measures them" in report.summary()


def test_a_past_years_return_is_measured_to_31_march_whatever_its_last_event(engine, tmp_path):
    """A small council's year may have no event after December: its return still holds every child to 31 March."""
    rows = [episode("1", "01/05/2022"), episode("2", "01/06/2022", "10/12/2022", provider="PR4")]
    report = placements.import_episodes(engine, write_episodes(tmp_path / "e.csv", rows), ANN, today=date(2026, 1, 1))
    assert (report.months[0], report.months[-1]) == (date(2022, 4, 30), date(2023, 3, 31))
    assert figures(engine)[("2023-03", "looked_after", "")] == (1, None)


def test_the_year_in_progress_is_measured_to_the_last_month_end_passed(engine, tmp_path):
    rows = [episode("1", "01/05/2025"), episode("2", "01/06/2025", "10/11/2025", provider="PR4")]
    report = placements.import_episodes(engine, write_episodes(tmp_path / "e.csv", rows), ANN, today=date(2025, 11, 20))
    assert (report.months[0], report.months[-1]) == (date(2025, 4, 30), date(2025, 10, 31))


def test_the_synthetic_extract_read_in_place_matches_an_independent_count(engine):
    report = placements.import_episodes(engine, EPISODES, ANN, today=date(2026, 11, 26))
    assert report.ok and report.written, report.summary()
    assert (report.months[0], report.months[-1]) == (date(2021, 4, 30), date(2022, 3, 31))
    with EPISODES.open(newline="") as handle:
        rows = list(csv.DictReader(handle))

    def day(text: str) -> date:
        d, m, y = map(int, text.split("/"))
        return date(y, m, d)

    got = figures(engine)
    for month_end in report.months:
        open_rows = [r for r in rows if day(r["DECOM"]) <= month_end and (not r["DEC"] or day(r["DEC"]) > month_end)]
        short_breaks = {r["CHILD"] for r in open_rows if r["LS"] in ("V3", "V4")}
        looked_after = {r["CHILD"] for r in open_rows} - short_breaks
        own_homes = {r["CHILD"] for r in open_rows if r["PLACE"] == "K2" and r["PLACE_PROVIDER"] == "PR1"}
        key = f"{month_end:%Y-%m}"
        assert got[(key, "looked_after", "")] == (len(looked_after), None)
        assert got[(key, "homes_own_provision", "")][0] == len(own_homes - short_breaks)
    assert sum(got[(f"{m:%Y-%m}", "looked_after", "")][0] for m in report.months) > 0


def test_three_years_imported_together_are_joined_and_measured_at_each_31_march(engine):
    years = [SHARED_DATA / "ssda903" / f"demandmodel_{year}-episodes.csv" for year in (2017, 2018, 2019)]
    headers = [path.with_name(path.name.replace("episodes", "header")) for path in years]
    report = placements.import_episodes(engine, years, ANN, headers=headers, today=date(2026, 11, 26))
    assert report.written, report.summary()
    assert (len(report.months), report.years, report.births > 0) == (36, 3, True)
    got = figures(engine)
    for year in ("2018-03", "2019-03", "2020-03"):
        assert got[(year, "three_or_more_placements", "")][1] == got[(year, "looked_after", "")][0]
        assert (year, "long_term_stability", "") in got
    # The year's placements need the twelve months before in the files: none before March 2018.
    assert ("2018-02", "three_or_more_placements", "") not in got


def test_a_header_file_at_fault_is_named_by_row_and_column_and_nothing_is_written(engine, tmp_path):
    header = tmp_path / "header.csv"
    header.write_text("CHILD,SEX,DOB\nC1,1,31/02/2010\nC2,2,01/01/2030\nC3,1,01/01/2010\nC3,1,02/01/2010\n")
    before = dump(engine)
    report = placements.import_episodes(engine, [EPISODES, header], ANN, today=date(2026, 11, 26))
    assert [(p.source, p.row, p.column) for p in report.problems] == [
        ("header.csv", 2, "DOB"),
        ("header.csv", 3, "DOB"),
        ("header.csv", 5, "DOB"),
    ]
    assert "is in the future" in report.problems[1].message and "row 4" in report.problems[2].message
    assert dump(engine) == before
    header.write_text("CHILD,SEX,DOB\nC1,1,01/01/2010\n")
    alone = placements.import_episodes(engine, [header], ANN, today=date(2026, 11, 26))
    assert [p.message for p in alone.problems] == ["no SSDA903 episodes file among the files given"]


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({"PLACE": "Q9"}, "PLACE", "'Q9' is not an SSDA903 PLACE code"),
        ({"PLACE_PROVIDER": "PR9"}, "PLACE_PROVIDER", "'PR9' is not an SSDA903 PLACE_PROVIDER code"),
        ({"RNE": "X"}, "RNE", "'X' is not an SSDA903 RNE code"),
        ({"LS": "Z9"}, "LS", "'Z9' is not an SSDA903 LS code"),
        ({"DECOM": "31/02/2024"}, "DECOM", "'31/02/2024' is not a real date"),
        ({"DEC": "01/01/2024"}, "DEC", "is before the episode started (DECOM 15/01/2024)"),
        ({"DECOM": ""}, "DECOM", "is required"),
        ({"DEC": "01/01/2030"}, "DEC", "is in the future"),
    ],
)
def test_a_refused_row_is_reported_with_its_number_and_nothing_is_written(engine, tmp_path, change, column, message):
    rows = [*HAND_MADE]
    rows[0] = {**rows[0], **change}
    path = write_episodes(tmp_path / "episodes.csv", rows)
    before = dump(engine)
    report = placements.import_episodes(engine, path, ANN, months=MONTHS, today=date(2024, 6, 1))
    assert not report.written
    assert [(p.row, p.column) for p in report.problems] == [(2, column)]
    assert message in report.problems[0].message
    assert dump(engine) == before


def test_columns_in_any_order_extra_columns_and_iso_dates_are_read(engine, tmp_path):
    headers = ["URN", "PL_POST", "DEC", "PLACE_PROVIDER", "PLACE", "EXTRA_NOTE", "LS", "RNE", "DECOM", "CHILD"]
    rows = [
        {
            **row,
            "DECOM": pd.Timestamp(placements.parse_date(row["DECOM"])).strftime("%Y-%m-%d"),
            "EXTRA_NOTE": "ignored",
        }
        for row in HAND_MADE
    ]
    path = write_episodes(tmp_path / "episodes.csv", rows, headers)
    report = placements.import_episodes(engine, path, ANN, months=MONTHS, today=date(2024, 6, 1))
    assert report.written, report.summary()
    assert figures(engine)[("2024-02", "homes_private", "")] == (1, 2)


def test_a_missing_column_and_an_empty_file_are_refused(engine, tmp_path):
    path = write_episodes(tmp_path / "episodes.csv", HAND_MADE, [h for h in HEADERS if h != "PLACE"])
    report = placements.import_episodes(engine, path, ANN, today=date(2024, 6, 1))
    assert [(p.row, p.column) for p in report.problems] == [(1, "PLACE")]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert placements.import_episodes(engine, empty, ANN).problems[0].message == "the file is empty"


def test_importing_again_replaces_its_months_and_keeps_others(engine, tmp_path):
    path = write_episodes(tmp_path / "episodes.csv", HAND_MADE)
    placements.import_episodes(engine, path, ANN, months=MONTHS, today=date(2024, 6, 1))
    first = figures(engine)
    placements.import_episodes(engine, path, ANN, months=MONTHS, today=date(2024, 6, 1))
    assert figures(engine) == first
    december = (date(2023, 12, 1), date(2023, 12, 31))
    placements.import_episodes(engine, path, ANN, months=december, today=date(2024, 6, 1))
    assert set(figures(engine)) > set(first)


def test_only_aggregates_are_kept_never_a_child_or_a_postcode(engine, tmp_path):
    import_lookup(engine, tmp_path)
    placements.import_episodes(engine, EPISODES, ANN, today=date(2026, 11, 26))
    placements.import_episodes(
        engine, write_episodes(tmp_path / "e.csv", HAND_MADE), ANN, months=MONTHS, today=date(2024, 6, 1)
    )
    with EPISODES.open(newline="") as handle:
        children = {row["CHILD"] for row in csv.DictReader(handle)} | {"1", "2", "3", "4"}
    stored = dump(engine)
    text_cells = [
        cell
        for table, rows in stored.items()
        if table not in {"audit_log"}
        for row in rows
        for cell in row
        if isinstance(cell, str)
    ]
    assert not [cell for cell in text_cells if looks_like_postcode(cell)]
    with engine.connect() as connection:
        named = connection.execute(select(ObjectiveMeasure.measure, ObjectiveMeasure.category)).all()
    assert not {str(cell) for row in named for cell in row} & children
    # A category is an age band, or the URN of an own home (public) for its occupancy: nothing else.
    categories = [(measure, category) for measure, category in named if category]
    assert categories
    assert all(category in AGE_BANDS or measure.startswith("home_") for measure, category in categories)


def test_the_import_is_refused_without_the_editor_role(engine):
    before = dump(engine)
    with pytest.raises(AccessDenied):
        placements.import_episodes(engine, EPISODES, Actor("ann@herts.gov.uk", "app", Role.ANALYST))
    assert dump(engine) == before
