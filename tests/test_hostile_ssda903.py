"""SSDA903 episodes, hostile: the synthetic extract altered in code (every row twice, one row repeated further down,
a row with several faults, no rows at all) is refused naming its file, row and column, nothing is written, and the
command line exits non-zero."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard import placements
from dashboard.roles import Actor, Role
from tests.conftest import SHARED_DATA, dump

EDITOR = Actor("ann@herts.gov.uk", "test", Role.EDITOR)
EPISODES = SHARED_DATA / "ssda903" / "demandmodel_2021-episodes.csv"
TODAY = date(2026, 11, 26)


def real_rows() -> list[list[str]]:
    """The extract's rows, header first; its records hold no line breaks, so row i is the file's line i+1."""
    return list(csv.reader(io.StringIO(EPISODES.read_text(encoding="utf-8"))))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def run_import(engine: Engine, path: Path) -> placements.PlacementReport:
    return placements.import_episodes(engine, path, EDITOR, today=TODAY)


def test_a_file_holding_every_row_twice_is_refused_naming_both_rows(shared_engine, tmp_path):
    rows = real_rows()
    episodes = rows[1:]
    path = write_rows(tmp_path / "episodes.csv", [rows[0], *episodes, *episodes])
    before = dump(shared_engine)

    report = run_import(shared_engine, path)

    assert not report.written
    first_copy = len(episodes) + 2  # line of the first repeated row: header, the episodes, then the copy
    assert [(p.row, p.column, p.message.split(":")[0]) for p in report.problems] == [
        (first_copy + i, None, f"repeats row {2 + i} exactly") for i in range(len(episodes))
    ]
    assert dump(shared_engine) == before


def test_one_repeated_row_is_named_with_the_row_it_repeats(shared_engine, tmp_path):
    rows = real_rows()[:8]
    rows.insert(8, list(rows[3]))  # line 9 repeats line 4
    path = write_rows(tmp_path / "episodes.csv", rows)
    before = dump(shared_engine)

    report = run_import(shared_engine, path)

    assert [str(p) for p in report.problems] == [
        "episodes.csv, row 9: repeats row 4 exactly: remove one (an episode given twice counts its move twice)"
    ]
    assert dump(shared_engine) == before


def test_a_repeat_written_with_other_spacing_is_still_a_repeat(shared_engine, tmp_path):
    rows = real_rows()[:6]
    rows.append([f" {cell} " if cell else cell for cell in rows[2]] + ["", ""])  # padded cells, trailing commas
    report = run_import(shared_engine, write_rows(tmp_path / "episodes.csv", rows))
    assert [(p.row, p.message.split(":")[0]) for p in report.problems] == [(7, "repeats row 3 exactly")]


def test_rows_alike_but_for_one_cell_are_two_episodes(engine, tmp_path):
    """Two children moved on the same day are two rows alike in all but CHILD: both count."""
    rows = real_rows()
    child = rows[0].index("CHILD")
    twin = list(rows[5])
    twin[child] = "999999"
    path = write_rows(tmp_path / "episodes.csv", [*rows, twin])
    report = run_import(engine, path)
    assert report.ok and report.written, report.summary()
    assert report.episodes == len(rows)  # every episode of the extract and the twin


def test_every_fault_in_a_row_is_named(shared_engine, tmp_path):
    rows = real_rows()
    headers = rows[0]
    bad = dict(zip(headers, rows[4], strict=True)) | {
        "RNE": "X",
        "PLACE": "Q9",
        "PLACE_PROVIDER": "PR9",
        "DECOM": "30/02/2021",
        "DEC": "01/01/2030",
    }
    rows[4] = [bad[header] for header in headers]
    before = dump(shared_engine)

    report = run_import(shared_engine, write_rows(tmp_path / "episodes.csv", rows))

    assert sorted((p.row, p.column) for p in report.problems) == [
        (5, "DEC"),
        (5, "DECOM"),
        (5, "PLACE"),
        (5, "PLACE_PROVIDER"),
        (5, "RNE"),
    ]
    messages = " | ".join(p.message for p in report.problems)
    assert "'30/02/2021' is not a real date" in messages and "01/01/2030 is in the future" in messages
    assert dump(shared_engine) == before


@pytest.mark.parametrize(
    "content", ["", "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,PL_POST\r\n"], ids=["empty", "header only"]
)
def test_a_file_with_no_episodes_never_replaces_months_held(engine, tmp_path, content):
    assert run_import(engine, EPISODES).written
    before = dump(engine)
    path = tmp_path / "episodes.csv"
    path.write_text(content, encoding="utf-8")
    report = run_import(engine, path)
    assert not report.written and len(report.problems) == 1
    assert report.problems[0].message in {"the file is empty", "no episodes in the file"}
    assert dump(engine) == before


def test_the_command_line_refuses_repeated_rows(engine, run_cli, tmp_path):
    rows = real_rows()
    path = write_rows(tmp_path / "episodes.csv", [*rows, rows[1]])
    before = dump(engine)

    result = run_cli("import-903", path)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"episodes.csv, row {len(rows) + 1}: repeats row 2 exactly" in result.stderr
    assert dump(engine) == before


def test_blank_lines_above_the_header_count_as_rows_of_the_file(shared_engine, tmp_path):
    rows = real_rows()[:8]
    rows.insert(8, list(rows[3]))  # a repeat, to see which row a problem names
    path = write_rows(tmp_path / "episodes.csv", [[], [""], *rows])  # two blank rows above the header (row 3)

    report = run_import(shared_engine, path)

    assert [(p.row, p.message.split(":")[0]) for p in report.problems] == [(11, "repeats row 6 exactly")]
