"""Councils as data: a council's reference file checked whole and added (`council add`), each programme row under
one council, imports into a named council that refuse another council's districts and references, and the upgrade
that puts today's programme under Hertfordshire without loss."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from dashboard.council_files import ReferenceFileError, read_council_file
from dashboard.councils import CouncilRefused, add_council, council_list
from dashboard.db import _alembic_config, upgrade_to_head
from dashboard.importing import import_path
from dashboard.layout import DECISIONS, PHASES
from dashboard.models import Council, Decision, District, Phase, Property, Strategy
from dashboard.roles import SYSTEM, AccessDenied, Actor, Role
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, on_postgres, plain_sql, write_csv

HERTFORDSHIRE = "E10000015"
EDITOR = Actor(user="analyst", source="test", role=Role.EDITOR)

# An invented council: its code is in no ONS series in use (E10000901), its districts' names are made up.
NORTHMARSH = """
[council]
ons_code = "E10000901"
name = "Northmarsh"
synthetic = true

[strategy]
name = "Northmarsh Homes Programme"
bed_target = 24
provenance = "synthetic"

[[districts]]
ons_code = "E07000901"
name = "Fenwick Vale"
short_name = "Fenwick"
aliases = ["Fenwick"]
tile = [0, 0]

[[districts]]
ons_code = "E07000902"
name = "Saltmere"
former_codes = ["E07000903"]
"""


def council_file(folder: Path, text_: str = NORTHMARSH, name: str = "northmarsh.toml") -> Path:
    path = folder / name
    path.write_text(text_, encoding="utf-8")
    return path


def councils(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Council.ons_code).order_by(Council.id)))


@pytest.fixture
def two_councils(engine: Engine, tmp_path: Path) -> Engine:
    add_council(engine, SYSTEM, council_file(tmp_path))
    return engine


# ---------------------------------------------------------------- the reference file


def test_a_council_is_added_with_its_districts_and_strategy_and_audited(engine, tmp_path):
    message = add_council(engine, SYSTEM, council_file(tmp_path))

    assert message == (
        "Added Northmarsh (E10000901): 2 districts, and its strategy Northmarsh Homes Programme "
        "with a target of 24 beds."
    )
    listed = council_list(engine)
    assert listed["Council"].tolist() == ["Hertfordshire", "Northmarsh"]
    assert listed.iloc[1].to_dict() == {
        "ONS code": "E10000901",
        "Council": "Northmarsh",
        "Synthetic": True,
        "Districts": 2,
        "Strategy": "Northmarsh Homes Programme",
        "Bed target": 24,
    }
    with Session(engine) as session:
        saltmere = session.scalar(select(District).where(District.ons_code == "E07000902"))
        assert [alias.alias for alias in saltmere.aliases] == ["E07000903"]
        entities = session.execute(text("SELECT entity, entity_ref FROM audit_log WHERE action = 'create'")).all()
    assert ("council", "E10000901") in entities and ("strategy", "Northmarsh Homes Programme") in entities


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('ons_code = "E07000901"', 'ons_code = "Fenwick"'), "districts[0].ons_code: String should match pattern"),
        (("bed_target = 24", "bed_target = 0"), "strategy.bed_target: Input should be greater than or equal to 1"),
        (
            ('name = "Saltmere"', 'name = "Fenwick Vale"'),
            "'Fenwick Vale' names both districts[0] (Fenwick Vale) and districts[1] (Fenwick Vale)",
        ),
        (
            ('former_codes = ["E07000903"]', 'aliases = ["Fenwick"]'),
            "'Fenwick' names both districts[0] (Fenwick Vale) and districts[1] (Saltmere)",
        ),
        (("synthetic = true", 'synthetic = true\nmotto = "x"'), "council.motto: Extra inputs are not permitted"),
        (("[strategy]", "[strategy\n"), "northmarsh.toml is not TOML"),
    ],
)
def test_a_faulty_file_is_refused_naming_the_place_and_nothing_is_written(engine, tmp_path, change, named):
    before = dump(engine)
    path = council_file(tmp_path, NORTHMARSH.replace(*change))
    with pytest.raises(ReferenceFileError, match="^northmarsh.toml") as refused:
        add_council(engine, SYSTEM, path)
    assert named in str(refused.value)
    assert dump(engine) == before


def test_a_council_held_already_or_writing_a_district_as_another_councils_is_refused(two_councils, tmp_path):
    before = dump(two_councils)
    with pytest.raises(CouncilRefused, match=r"^Northmarsh \(E10000901\) is already in the store"):
        add_council(two_councils, SYSTEM, council_file(tmp_path))
    clash = NORTHMARSH.replace("E10000901", "E10000902").replace('aliases = ["Fenwick"]', 'aliases = ["Watford"]')
    clash = clash.replace("E07000901", "E07000904").replace("E07000902", "E07000905").replace("E07000903", "E07000906")
    with pytest.raises(CouncilRefused, match="'Watford' \\(Fenwick Vale\\) already names Watford, a district of "):
        add_council(two_councils, SYSTEM, council_file(tmp_path, clash, "other.toml"))
    assert dump(two_councils) == before


def test_only_an_administrator_adds_a_council(engine, tmp_path):
    with pytest.raises(AccessDenied):
        add_council(engine, EDITOR, council_file(tmp_path))
    assert councils(engine) == [HERTFORDSHIRE]


def test_the_shipped_reference_file_reads(engine):
    from dashboard.config import DEFAULT_COUNCIL_FILE

    reference = read_council_file(DEFAULT_COUNCIL_FILE)
    assert (reference.council.ons_code, reference.strategy.bed_target, len(reference.districts)) == (
        HERTFORDSHIRE,
        70,
        10,
    )


# ---------------------------------------------------------------- imports name their council


def test_an_import_into_a_store_of_several_councils_must_name_one(two_councils, tmp_path):
    before = dump(two_councils)
    report = import_path(two_councils, write_csv(tmp_path / "properties.csv", [NEW_PROPERTY]), EDITOR, today=SEED_TODAY)
    assert not report.ok and "the store holds 2 councils (Hertfordshire (E10000015), Northmarsh (E10000901))" in (
        report.summary()
    )
    unknown = import_path(two_councils, tmp_path / "properties.csv", EDITOR, today=SEED_TODAY, council="Southmarsh")
    assert "no council 'Southmarsh' in the store" in unknown.summary()
    assert dump(two_councils) == before


def test_a_row_naming_another_councils_district_or_reference_is_refused_naming_row_and_column(two_councils, tmp_path):
    before = dump(two_councils)
    phases = write_csv(tmp_path / "phases.csv", [{"Name": "Phase 1", "Starts": "2025-04-01"}], PHASES.headers)
    rows = [
        {**NEW_PROPERTY, "Reference": "NM-01", "Phase": "Phase 1", "District": "Watford"},
        {**NEW_PROPERTY, "Reference": "RS-P1-01", "Phase": "Phase 1", "District": "Saltmere"},
    ]
    folder = tmp_path / "file"
    folder.mkdir()
    phases.rename(folder / "phases.csv")
    write_csv(folder / "properties.csv", rows)

    report = import_path(two_councils, folder, EDITOR, today=SEED_TODAY, council="Northmarsh")

    summary = report.summary()
    assert not report.ok
    assert "row 2, District: a district of Hertfordshire, not of Northmarsh 'Watford'" in summary
    assert "row 3, Reference: 'RS-P1-01' is Hertfordshire's" in summary
    assert dump(two_councils) == before


def test_an_import_goes_into_the_named_councils_programme_beside_the_others(two_councils, tmp_path):
    folder = tmp_path / "northmarsh"
    folder.mkdir()
    decision = {"Reference": "NM/1", "Title": "Buy homes", "Type": "Executive", "Key decision": "Yes"}
    write_csv(folder / "decisions.csv", [decision], DECISIONS.headers)
    phase = {"Name": "Phase 1", "Starts": "2025-04-01", "Decision reference": "NM/1"}
    write_csv(folder / "phases.csv", [phase], PHASES.headers)
    prop = {**NEW_PROPERTY, "Reference": "NM-01", "Phase": "Phase 1", "District": "fenwick"}
    write_csv(folder / "properties.csv", [prop])
    herts_before = {k: v for k, v in dump(two_councils).items() if k in ("phase",)}

    report = import_path(two_councils, folder, EDITOR, today=SEED_TODAY, council="e10000901")

    assert report.ok, report.summary()
    with Session(two_councils) as session:
        prop = session.scalar(select(Property).where(Property.reference == "NM-01"))
        assert (prop.district.name, prop.district.council.name, prop.phase.strategy.council.name) == (
            "Fenwick Vale",
            "Northmarsh",
            "Northmarsh",
        )
        decision = session.scalar(select(Decision).where(Decision.reference == "NM/1"))
        assert decision.council.name == "Northmarsh"
        phase_councils = session.execute(
            select(Phase.name, Council.name).join(Phase.strategy).join(Strategy.council).where(Phase.name == "Phase 1")
        ).all()
    assert sorted(phase_councils) == [("Phase 1", "Hertfordshire"), ("Phase 1", "Northmarsh")]
    assert {k: v for k, v in dump(two_councils).items() if k == "phase"}["phase"][: len(herts_before["phase"])] == (
        herts_before["phase"]
    )


def test_the_command_line_adds_lists_and_imports_into_a_council(run_cli, engine, tmp_path):
    added = run_cli("council", "add", council_file(tmp_path))
    assert added.returncode == 0 and added.stdout.startswith("Added Northmarsh (E10000901)")
    listed = run_cli("council", "list")
    assert listed.stdout.splitlines()[1].split("\t")[:2] == ["E10000901", "Northmarsh (synthetic)"]
    refused = run_cli("council", "add", council_file(tmp_path, "[council]\n", "bad.toml"))
    assert refused.returncode == 1 and "bad.toml: council.ons_code: Field required" in refused.stderr
    unnamed = run_cli("import", write_csv(tmp_path / "properties.csv", [NEW_PROPERTY]))
    assert unnamed.returncode == 1 and "name the one this is for" in unnamed.stdout + unnamed.stderr


# ---------------------------------------------------------------- the upgrade


def rows_by_table(engine: Engine) -> dict[str, int]:
    """Each table's rows, as the store's own schema has it (read from the database, not the models)."""
    with engine.connect() as connection:
        names = inspect(connection).get_table_names()
        return {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in names}


def test_the_upgrade_puts_todays_programme_under_hertfordshire_without_loss(engine):
    command.downgrade(_alembic_config(engine), "0012")  # the store as it stood before councils were data
    with engine.connect() as connection:
        assert "council_id" not in {column["name"] for column in inspect(connection).get_columns("decision")}
        decisions_before = connection.execute(text("SELECT id, reference, title FROM decision ORDER BY id")).all()
    before = rows_by_table(engine)

    upgrade_to_head(engine)

    after = rows_by_table(engine)
    assert {table: rows for table, rows in after.items() if table in before} == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, reference, title FROM decision ORDER BY id")).all() == (
            decisions_before
        )
    with Session(engine) as session:
        held_by = session.execute(
            select(Council.ons_code, func.count()).join(Decision.council).group_by(Council.ons_code)
        )
        assert dict(held_by.all()) == {HERTFORDSHIRE: len(decisions_before)}
    if not on_postgres:
        with engine.connect() as connection:  # the upgrade turned foreign keys off for its rebuild, and on again
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# ---------------------------------------------------------------- the pages, one council at a time


@pytest.fixture
def northmarsh_programme(two_councils: Engine, tmp_path: Path) -> Engine:
    """Northmarsh with two properties: one open (3 beds), one identified (2 beds)."""
    return add_northmarsh_programme(two_councils, tmp_path)


def add_northmarsh_programme(engine: Engine, folder: Path) -> Engine:
    """Northmarsh's two properties imported into a store that holds Northmarsh (`folder`: where to write the file)."""
    folder = folder / "northmarsh-programme"
    folder.mkdir()
    write_csv(folder / "phases.csv", [{"Name": "Phase 1", "Starts": "2024-04-01"}], PHASES.headers)
    opened = {
        "Opened actual": "2025-09-01",
        "Ofsted registration actual": "2025-08-01",
        "Completion actual": "2025-03-10",
    }
    rows = [
        {
            **NEW_PROPERTY,
            "Reference": "NM-01",
            "Phase": "Phase 1",
            "District": "Fenwick",
            "Planned beds": "3",
            **opened,
        },
        {**NEW_PROPERTY, "Reference": "NM-02", "Phase": "Phase 1", "District": "Saltmere", "Planned beds": "2"},
    ]
    write_csv(folder / "properties.csv", rows)
    report = import_path(engine, folder, EDITOR, today=SEED_TODAY, council="Northmarsh")
    assert report.ok, report.summary()
    return engine


def test_every_read_is_one_councils_programme(northmarsh_programme, store_url):
    from dashboard import queries

    today = SEED_TODAY
    herts = queries.property_status(northmarsh_programme, SYSTEM, queries.Filters(as_at=today), today)
    north = queries.property_status(
        northmarsh_programme, SYSTEM, queries.Filters(as_at=today, council="E10000901"), today
    )
    assert sorted(north["reference"]) == ["NM-01", "NM-02"]
    independent = plain_sql(
        store_url,
        "SELECT COUNT(*) FROM property p JOIN district d ON p.district_id = d.id "
        "JOIN council c ON d.council_id = c.id WHERE c.ons_code = 'E10000015'",
    )
    assert len(herts) == independent[0][0] and not herts["reference"].str.startswith("NM-").any()
    assert queries.strategy_info(northmarsh_programme, "E10000901").bed_target == 24
    assert list(queries.filter_options(northmarsh_programme, "E10000901").districts.values()) == [
        "Fenwick Vale",
        "Saltmere",
    ]
    assert queries.phases(northmarsh_programme, "E10000901")["name"].tolist() == ["Phase 1"]
    assert queries.decisions(northmarsh_programme, SYSTEM, "E10000901").empty
    assert queries.property_references(northmarsh_programme, SYSTEM, "E10000901") == ["NM-01", "NM-02"]
    assert "NM-01" not in queries.property_references(northmarsh_programme, SYSTEM)


def test_the_sidebar_offers_the_councils_and_every_page_shows_the_one_chosen(
    monkeypatch, store_url, northmarsh_programme
):
    from tests.apptest import assert_page_ok, open_app

    at = open_app(monkeypatch, store_url)
    assert_page_ok(at)
    choice = at.sidebar.selectbox(key="council")
    assert [choice.format_func(option) for option in choice.options] == ["Hertfordshire", "Northmarsh"]
    assert at.title[0].value.endswith("of 70 beds open")

    choice.select("E10000901").run()
    assert_page_ok(at)
    assert at.title[0].value == "3 of 24 beds open"
    at.switch_page("pages/properties.py").run()
    assert_page_ok(at)
    register = at.dataframe[0].value
    assert sorted(register["Property"]) == ["NM-01", "NM-02"]


def test_a_store_of_one_council_offers_no_choice(monkeypatch, store_url, engine):
    from tests.apptest import open_app

    at = open_app(monkeypatch, store_url)
    assert not [box for box in at.sidebar.selectbox if box.key == "council"]


def test_the_region_page_sets_the_councils_side_by_side_and_adds_them_up(monkeypatch, store_url, northmarsh_programme):
    from tests.apptest import assert_page_ok, open_app, page_titles

    at = open_app(monkeypatch, store_url)
    assert page_titles(at)[0] == "Region"
    herts_open = int(at.title[0].value.split(" of ")[0])
    at.switch_page("pages/region.py").run()
    assert_page_ok(at)
    table = at.dataframe[-1].value
    assert table[["Council", "Target", "Open"]].values.tolist() == [
        ["Hertfordshire", 70, herts_open],
        ["Northmarsh", 24, 3],
    ]
    assert table.loc[1, "Open, % of target"] == round(3 / 24 * 100)
    assert table.loc[1, "In-house, % of beds"] == 100  # both of Northmarsh's homes are in-house
    assert any("Northmarsh: an invented council" in warning.value for warning in at.warning)
    # No property of any council is named on the region page.
    shown = " ".join(str(element.value) for element in at.markdown) + table.to_string()
    assert "NM-0" not in shown and "RS-P" not in shown


def test_region_totals_add_up_the_councils_against_the_joint_target_or_their_own():
    import pandas as pd

    from dashboard.region import region_totals

    side = pd.DataFrame(
        {"target": [70, 24], "open": [39, 3], "registered": [42, 3], "secured": [57, 5], "pipeline": [9, 0]}
    )
    assert region_totals(side, None) == region_totals(side, 94)
    joint = region_totals(side, 120)
    assert (joint.target, joint.open, joint.secured, joint.still_to_find) == (120, 42, 62, 120 - 62 - 9)
