"""Each council's SSDA903 return, objectives' settings and demand forecast (T9): imported as its own, read as its
own, kept from every other council's; and what a store held before is the first council's, moved without loss."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine

from dashboard import demand, exporting, objectives, placements, region, uploads
from dashboard.db import _alembic_config, upgrade_to_head
from dashboard.roles import SYSTEM, AccessDenied, Actor, Role
from dashboard.uploads import KIND_BY_LABEL
from tests.apptest import assert_page_ok, open_app
from tests.conftest import dump, plain_sql
from tests.test_councils import two_councils  # noqa: F401 (a fixture)

HERTS, NORTH = "E10000015", "E10000901"
TODAY = date(2026, 11, 26)
RETURNS = Path("../shared/data/ssda903")
YEAR_2021 = [RETURNS / "demandmodel_2021-episodes.csv", RETURNS / "demandmodel_2021-header.csv"]
YEAR_2019 = [RETURNS / "demandmodel_2019-episodes.csv", RETURNS / "demandmodel_2019-header.csv"]
NED = Actor("ned@northmarsh.gov.uk", "app", Role.EDITOR, councils=((NORTH, Role.EDITOR),))
SSDA903_TABLES = ("objective_measure", "forecast_basis", "forecast_backtest", "forecast_run", "objective_setting")


def rows_of(store_url: str, table: str, council: str) -> int:
    sql = f"SELECT COUNT(*) FROM {table} t JOIN council c ON c.id = t.council_id WHERE c.ons_code = ?"
    return plain_sql(store_url, sql, (council,))[0][0]


@pytest.fixture
def northmarsh_return(two_councils: Engine) -> Engine:  # noqa: F811 (the fixture imported above)
    """Hertfordshire's seed and Northmarsh, with the 2021 return imported as Northmarsh's."""
    report = placements.import_episodes(two_councils, YEAR_2021, SYSTEM, today=TODAY, council="Northmarsh")
    assert report.written, report.summary()
    return two_councils


def test_a_return_imported_for_a_council_is_its_alone(northmarsh_return, store_url):
    north = placements.stored_measures(northmarsh_return, NORTH)
    assert len(north) == rows_of(store_url, "objective_measure", NORTH) > 0
    assert placements.stored_measures(northmarsh_return, HERTS).empty
    assert placements.stored_measures(northmarsh_return).empty, "the store's first council's: Hertfordshire's"
    assert demand.held_basis(northmarsh_return, NORTH) is not None
    assert demand.held_basis(northmarsh_return, HERTS) is None
    assert set(demand.forecasts(northmarsh_return, NORTH)["scenario"]) == {demand.CENTRAL}
    assert demand.forecasts(northmarsh_return, HERTS).empty and demand.runs(northmarsh_return, HERTS).empty
    [(council,)] = plain_sql(
        store_url,
        "SELECT c.ons_code FROM audit_log a JOIN council c ON c.id = a.council_id WHERE a.entity = 'objective_measure'",
    )
    assert council == NORTH, "the import is logged as Northmarsh's change"


def test_another_councils_import_leaves_the_first_as_it_was(northmarsh_return, store_url):
    before = {table: rows_of(store_url, table, NORTH) for table in SSDA903_TABLES}
    north_measures = placements.stored_measures(northmarsh_return, NORTH)
    report = placements.import_episodes(northmarsh_return, YEAR_2019, SYSTEM, today=TODAY, council=HERTS)
    assert report.written, report.summary()

    assert {table: rows_of(store_url, table, NORTH) for table in SSDA903_TABLES} == before
    assert placements.stored_measures(northmarsh_return, NORTH).equals(north_measures)
    herts = placements.stored_measures(northmarsh_return, HERTS)
    assert not herts.empty and herts["period_end"].max() < north_measures["period_end"].min()
    assert demand.held_basis(northmarsh_return, HERTS).data != demand.held_basis(northmarsh_return, NORTH).data


def test_a_return_naming_no_council_is_refused_where_the_store_holds_several(two_councils):  # noqa: F811
    before = dump(two_councils)
    report = placements.import_episodes(two_councils, YEAR_2021, SYSTEM, today=TODAY)
    assert not report.written
    assert "the store holds 2 councils" in report.summary() and "name the one this is for" in report.summary()
    assert dump(two_councils) == before


def test_a_councils_editor_imports_and_sets_its_own_and_no_other_councils(two_councils):  # noqa: F811
    before = dump(two_councils)
    with pytest.raises(AccessDenied):
        placements.import_episodes(two_councils, YEAR_2021, NED, today=TODAY, council="Hertfordshire")
    with pytest.raises(AccessDenied):
        objectives.save_settings(two_councils, NED, {"own_share_target": 50.0}, council=HERTS)
    with pytest.raises(AccessDenied):
        demand.save_scenario(two_councils, demand.Scenario("Fewer entries", entry_change=-10), NED, HERTS)
    assert dump(two_councils) == before

    assert placements.import_episodes(two_councils, YEAR_2021, NED, today=TODAY, council="Northmarsh").written
    assert objectives.save_settings(two_councils, NED, {"own_share_target": 50.0}, council=NORTH).startswith("Saved")
    assert objectives.settings(two_councils, NORTH)["own_share_target"] == 50.0
    assert objectives.settings(two_councils, HERTS)["own_share_target"] is None
    # The aim is the forecast's default share of children to meet in its own homes: Northmarsh's is forecast again.
    assert demand.runs(two_councils, NORTH)["own_share"].tolist() == [0.5]


def test_scenarios_of_the_same_name_are_each_councils_own(northmarsh_return):
    for council in (HERTS, NORTH):
        demand.save_scenario(northmarsh_return, demand.Scenario("Fewer entries", entry_change=-10), SYSTEM, council)
    demand.delete_scenario(northmarsh_return, "Fewer entries", SYSTEM, HERTS)
    assert [s.name for s in demand.saved_scenarios(northmarsh_return, NORTH)] == ["Fewer entries"]
    assert demand.saved_scenarios(northmarsh_return, HERTS) == []
    assert set(demand.runs(northmarsh_return, NORTH)["scenario"]) == {demand.CENTRAL, "Fewer entries"}


def test_the_region_shows_each_councils_forecast_need_from_its_own_return(northmarsh_return):
    side = region.region_figures(northmarsh_return, SYSTEM, TODAY, TODAY).side_by_side.set_index("council")
    assert pd_isna(side.loc["Hertfordshire", "need_at_end"]) and not pd_isna(side.loc["Northmarsh", "need_at_end"])
    central = demand.forecasts(northmarsh_return, NORTH)
    needed = central[(central["measure"] == demand.BEDS_NEEDED) & (central["scenario"] == demand.CENTRAL)]
    assert side.loc["Northmarsh", "need_by"] == needed["period_end"].max()
    note = region.need_note(side.reset_index())
    assert note is not None and "(held for Northmarsh; blank for 1 council with no return imported)" in note


def pd_isna(value: object) -> bool:
    return value is None or value != value  # None, NaN or NaT


def test_a_councils_export_holds_its_own_return(northmarsh_return, tmp_path):
    north = exporting.export_all(northmarsh_return, tmp_path / "north", SYSTEM, council=NORTH)
    herts = exporting.export_all(northmarsh_return, tmp_path / "herts", SYSTEM, council=HERTS)
    assert north["objective_measures.csv"] == len(placements.stored_measures(northmarsh_return, NORTH)) > 0
    assert north["forecast_runs.csv"] == 1
    assert herts["objective_measures.csv"] == herts["forecast_runs.csv"] == 0
    written = (tmp_path / "north" / "objective_measures.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(written) - 1 == north["objective_measures.csv"]


def test_a_councils_objectives_and_forecast_pages_show_its_own(monkeypatch, store_url, northmarsh_return):
    at = open_app(monkeypatch, store_url, council=NORTH)
    at.switch_page("pages/objectives.py").run()
    assert_page_ok(at)
    assert at.metric, "Northmarsh's measures"
    at.switch_page("pages/forecast.py").run()
    assert_page_ok(at)
    assert at.get("plotly_chart") and not any("No forecast yet" in info.value for info in at.info)

    herts = open_app(monkeypatch, store_url, council=HERTS)
    herts.switch_page("pages/objectives.py").run()
    assert_page_ok(herts)
    assert any("No measures yet" in info.value for info in herts.info)
    herts.switch_page("pages/forecast.py").run()
    assert any("No forecast yet" in info.value for info in herts.info)


def test_the_upgrade_keeps_the_stores_return_as_its_first_councils(engine, store_url):
    assert placements.import_episodes(engine, YEAR_2021, SYSTEM, today=TODAY).written
    objectives.save_settings(engine, SYSTEM, {"own_share_target": 40.0})
    demand.save_scenario(engine, demand.Scenario("Fewer entries", entry_change=-10), SYSTEM)
    held = {table: rows_of(store_url, table, HERTS) for table in (*SSDA903_TABLES, "forecast_scenario")}
    measures, forecast = placements.stored_measures(engine), demand.forecasts(engine)

    command.downgrade(_alembic_config(engine), "0016")  # as the store was before its returns were councils'
    assert plain_sql(store_url, "SELECT COUNT(*) FROM objective_measure")[0][0] == held["objective_measure"]
    upgrade_to_head(engine)

    assert {table: rows_of(store_url, table, HERTS) for table in held} == held
    assert placements.stored_measures(engine, HERTS).equals(measures)
    assert demand.forecasts(engine, HERTS).equals(forecast)
    assert objectives.settings(engine, HERTS)["own_share_target"] == 40.0


def test_every_councils_export_says_whose_each_returns_row_is(northmarsh_return, store_url, tmp_path):
    assert placements.import_episodes(northmarsh_return, YEAR_2019, SYSTEM, today=TODAY, council=HERTS).written
    written = exporting.export_all(northmarsh_return, tmp_path, SYSTEM)
    for name, table in (("objective_measures.csv", "objective_measure"), ("forecast_runs.csv", "forecast_run")):
        with (tmp_path / name).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == written[name]
        by_council = Counter(row["Council ONS code"] for row in rows)
        assert by_council == {council: rows_of(store_url, table, council) for council in (HERTS, NORTH)}
        assert {row["Council"] for row in rows} == {"Hertfordshire", "Northmarsh"}


def test_the_import_page_imports_a_return_as_the_sidebars_councils(two_councils):  # noqa: F811
    kind = KIND_BY_LABEL["SSDA903 return"]
    files = [(path.name, path.read_bytes()) for path in YEAR_2021]
    report = uploads.run_uploads(kind, two_councils, files, SYSTEM, dry_run=False, today=TODAY, council=NORTH)
    assert report.ok, report.summary()
    assert not placements.stored_measures(two_councils, NORTH).empty
    assert placements.stored_measures(two_councils, HERTS).empty
