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
from dashboard.db import session_scope
from dashboard.models import PlacementFigure
from dashboard.roles import AccessDenied, Actor, Role
from dashboard.validation import looks_like_postcode
from tests.conftest import SHARED_DATA, dump

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


def figures(engine) -> dict[tuple[str, str, str], int]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(PlacementFigure.month_end, PlacementFigure.measure, PlacementFigure.category, PlacementFigure.value)
        ).all()
    return {(f"{month:%Y-%m}", measure, category): value for month, measure, category, value in rows}


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
    # 31 January: child 1 in own home (child 2's episode ended that day); 4 children looked after minus child 2.
    assert got[("2024-01", "children_in_homes", "PR1")] == 1
    assert got[("2024-01", "children_looked_after", "all")] == 3
    assert got[("2024-01", "homes_location", "inside")] == 1
    # 29 February: child 1 private in London (outside), child 3 voluntary with no postcode (unknown).
    assert [got[("2024-02", "children_in_homes", c)] for c in ("PR1", "PR4", "PR5", "PR2", "other")] == [0, 1, 1, 0, 0]
    assert [got[("2024-02", "homes_location", w)] for w in ("inside", "outside", "unknown")] == [0, 1, 1]
    assert got[("2024-02", "placement_changes", "all")] == 2  # child 1 (P) and child 3 (T)
    assert got[("2024-03", "placement_changes", "all")] == 0  # child 4's L is not a move
    assert got[("2024-01", "placement_changes", "all")] == 0  # child 1 started (S), not moved


def test_without_the_lookup_location_is_not_counted_and_the_report_says_why(engine, tmp_path):
    path = write_episodes(tmp_path / "episodes.csv", HAND_MADE)
    report = placements.import_episodes(engine, path, ANN, months=MONTHS, today=date(2024, 6, 1))
    assert report.written and not report.located
    assert "needs the postcode-district lookup" in report.summary()
    assert not [key for key in figures(engine) if key[1] == "homes_location"]


def test_the_synthetic_extract_read_in_place_matches_an_independent_count(engine):
    report = placements.import_episodes(engine, EPISODES, ANN, today=date(2026, 11, 26))
    assert report.ok and report.written, report.summary()
    assert len(report.months) == 12
    with EPISODES.open(newline="") as handle:
        rows = list(csv.DictReader(handle))

    def day(text: str) -> date:
        d, m, y = map(int, text.split("/"))
        return date(y, m, d)

    got = figures(engine)
    for month_end in report.months:
        open_rows = [r for r in rows if day(r["DECOM"]) <= month_end and (not r["DEC"] or day(r["DEC"]) > month_end)]
        own_homes = {r["CHILD"] for r in open_rows if r["PLACE"] == "K2" and r["PLACE_PROVIDER"] == "PR1"}
        key = f"{month_end:%Y-%m}"
        assert got[(key, "children_in_homes", "PR1")] == len(own_homes)
        assert got[(key, "children_looked_after", "all")] == len({r["CHILD"] for r in open_rows})
    assert sum(got[(f"{m:%Y-%m}", "children_looked_after", "all")] for m in report.months) > 0


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({"PLACE": "Q9"}, "PLACE", "'Q9' is not an SSDA903 PLACE code"),
        ({"PLACE_PROVIDER": "PR9"}, "PLACE_PROVIDER", "'PR9' is not an SSDA903 PLACE_PROVIDER code"),
        ({"RNE": "X"}, "RNE", "'X' is not an SSDA903 RNE code"),
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
    headers = ["URN", "PL_POST", "DEC", "PLACE_PROVIDER", "PLACE", "EXTRA_NOTE", "RNE", "DECOM", "CHILD"]
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
    assert figures(engine)[("2024-02", "children_in_homes", "PR4")] == 1


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
    placement_cells = {str(cell) for row in stored["placement_figure"] for cell in row[2:4]}
    assert not placement_cells & children
    assert "SC123456" not in str(stored)


def test_the_import_is_refused_without_the_editor_role(engine):
    before = dump(engine)
    with pytest.raises(AccessDenied):
        placements.import_episodes(engine, EPISODES, Actor("ann@herts.gov.uk", "app", Role.ANALYST))
    assert dump(engine) == before
