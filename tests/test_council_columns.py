"""Files that say whose each row is: a file imported may carry the council (its name or ONS code), and is then one
council's throughout, refused naming row and column otherwise, with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.importing import import_path
from dashboard.layout import COUNCIL_COLUMNS, PROPERTIES
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, plain_sql, write_csv
from tests.test_councils import EDITOR, northmarsh_programme, two_councils  # noqa: F401 (fixtures)

HERTS, NORTH = "E10000015", "E10000901"
WHOSE = [column.header for column in COUNCIL_COLUMNS]  # ["Council", "Council ONS code"]


def northmarsh_row(**cells: str) -> dict[str, str]:
    return {**NEW_PROPERTY, "Reference": "NM-03", "Phase": "Phase 1", "District": "Saltmere", **cells}


def tracker(folder: Path, rows: list[dict[str, str]], whose: list[str] = WHOSE) -> Path:
    return write_csv(folder / "properties.csv", rows, [*whose, *PROPERTIES.headers])


@pytest.mark.parametrize(
    ("council", "rows", "refusals"),
    [
        (
            NORTH,
            [northmarsh_row(Council="Southmarsh")],
            ["row 2, Council: no council 'Southmarsh' in the store; it holds Hertfordshire"],
        ),
        (
            NORTH,
            [northmarsh_row(**{"Council ONS code": "Northmarsh"})],
            ["row 2, Council ONS code: no council's ONS code 'Northmarsh' in the store"],
        ),
        (
            "Northmarsh",
            [northmarsh_row(Council="Hertfordshire")],
            [
                "row 2, Council: 'Hertfordshire' is Hertfordshire (E10000015), not Northmarsh (E10000901), the council "
                "imported into: a file is one council's"
            ],
        ),
        (
            HERTS,
            [northmarsh_row(Council="northmarsh", **{"Council ONS code": NORTH})],
            [
                "row 2, Council: 'northmarsh' is Northmarsh (E10000901), not Hertfordshire (E10000015), the "
                "council imported into",
                "row 2, Council ONS code: 'E10000901' is Northmarsh (E10000901), not Hertfordshire",
            ],
        ),
        (
            None,
            [northmarsh_row(Council="Northmarsh"), northmarsh_row(Reference="RS-P9-01", Council=HERTS)],
            [
                "row 3, Council: 'E10000015' is Hertfordshire (E10000015), not Northmarsh (E10000901), the council "
                "properties.csv row 2 names: a file is one council's, so import each council's rows on their own"
            ],
        ),
        (
            None,
            [northmarsh_row(Council="Northmarsh", District="Watford")],
            ["row 2, District: a district of Hertfordshire, not of Northmarsh 'Watford'"],
        ),
        (
            NORTH,
            [northmarsh_row(Council="Northmarsh"), northmarsh_row(Reference="NM-04", Council=" ")],
            ["row 3, Council: blank: write the council's name or ONS code, as the column is given"],
        ),
    ],
)
def test_a_council_column_naming_another_or_no_council_is_refused_naming_row_and_column(
    northmarsh_programme,  # noqa: F811 (the fixture imported)
    tmp_path,
    council,
    rows,
    refusals,
):
    before = dump(northmarsh_programme)

    report = import_path(northmarsh_programme, tracker(tmp_path, rows), EDITOR, today=SEED_TODAY, council=council)

    summary = report.summary()
    assert not report.ok
    for refusal in refusals:
        assert f"properties.csv, {refusal}" in summary, summary
    assert dump(northmarsh_programme) == before


def test_a_file_naming_its_council_imports_into_it_with_no_council_chosen(
    northmarsh_programme,  # noqa: F811 (the fixture imported)
    tmp_path,
    store_url,
):
    rows = [northmarsh_row(Council="Northmarsh", **{"Council ONS code": NORTH})]
    report = import_path(northmarsh_programme, tracker(tmp_path, rows), EDITOR, today=SEED_TODAY)

    assert report.ok, report.summary()
    assert plain_sql(
        store_url,
        "SELECT c.ons_code FROM property p JOIN district d ON p.district_id = d.id "
        "JOIN council c ON d.council_id = c.id WHERE p.reference = 'NM-03'",
    ) == [(NORTH,)]


def test_a_file_naming_no_council_the_store_holds_and_none_chosen_is_refused_as_before(
    northmarsh_programme,  # noqa: F811 (the fixture imported)
    tmp_path,
):
    report = import_path(
        northmarsh_programme, tracker(tmp_path, [northmarsh_row(Council="Southmarsh")]), EDITOR, today=SEED_TODAY
    )
    assert not report.ok and "the store holds 2 councils" in report.summary()


def test_a_store_of_one_council_reads_the_column_too(engine, tmp_path):
    before = dump(engine)
    row = {**NEW_PROPERTY, "Council": "Northmarsh"}
    report = import_path(engine, tracker(tmp_path, [row], ["Council"]), EDITOR, today=SEED_TODAY)
    assert "row 2, Council: no council 'Northmarsh' in the store; it holds Hertfordshire" in report.summary()
    assert dump(engine) == before

    named = {**NEW_PROPERTY, "Council": "Hertfordshire", "Council ONS code": "e10000015"}  # as people write it
    report = import_path(engine, tracker(tmp_path, [named]), EDITOR, today=SEED_TODAY)
    assert report.ok, report.summary()
