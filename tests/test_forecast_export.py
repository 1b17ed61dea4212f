"""The forecast's files in the export: forecast.csv is the store's forecast points exactly (read here by plain SQL,
not by the code that writes them), its companions hold each run's inputs, the backtest and the saved scenarios, and
the data dictionary says what the figures are in the numbers the model uses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from dashboard import demand
from dashboard import forecast as f
from dashboard.exporting import export_all
from dashboard.layout import FORECAST, FORECAST_BACKTEST, FORECAST_RUNS, FORECAST_SCENARIOS
from dashboard.roles import SYSTEM
from tests.conftest import new_store
from tests.test_objectives_page import load

SCENARIO = "Fewer entries"


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def loaded_engine(tmp_path_factory, seeded_template) -> Engine:
    """The samples imported as a council would (a central forecast made), and one scenario saved after."""
    from dashboard.db import make_engine

    folder = tmp_path_factory.mktemp("forecast")
    with new_store(folder, "store", template=seeded_template) as url:
        engine = make_engine(url)
        load(engine, folder)
        demand.save_scenario(engine, demand.Scenario(SCENARIO, entry_change=-20.0, occupancy=0.9), SYSTEM)
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def exported(loaded_engine, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    export_all(loaded_engine, folder, SYSTEM)
    return folder


def stored(engine: Engine, sql: str) -> list[list[str]]:
    """Rows as the CSV reader gives them back: text, a float by its shortest exact form, a blank for NULL."""
    with engine.connect() as connection:
        found = connection.execute(text(sql)).all()
    return [
        ["" if value is None else repr(value) if isinstance(value, float) else str(value) for value in row]
        for row in found
    ]


def test_forecast_csv_is_the_stored_points_exactly_the_central_scenario_first(loaded_engine, exported):
    header, *written = rows(exported / "forecast.csv")
    assert header == ["scenario", "period_end", "measure", "expected", "lower", "upper"] == demand.EXPORT_COLUMNS
    expected = stored(
        loaded_engine,
        "SELECT r.scenario, p.period_end, p.measure, p.expected, p.lower, p.upper "
        "FROM forecast_point p JOIN forecast_run r ON r.id = p.run_id "
        f"ORDER BY r.scenario <> '{demand.CENTRAL}', r.scenario, p.period_end, p.measure",
    )
    assert written == expected
    scenarios = [row[0] for row in written]
    assert scenarios[0] == demand.CENTRAL and set(scenarios) == {demand.CENTRAL, SCENARIO}
    # Every measure the model makes, for the horizon's months, and the beds needed.
    measures = {row[2] for row in written}
    by_band = {f"{group}:{band}" for group in f.GROUPS for band in f.BAND_NAMES}
    assert measures == {"looked_after", *f.GROUPS, *by_band, demand.BEDS_NEEDED}
    assert len({row[1] for row in written}) == demand.HORIZON_MONTHS
    # (A skewed count's mean may lie outside its 5th-95th percentiles: 0 to 0 with a mean of 0.1.)
    assert all(0 <= float(low) <= float(high) for *_, low, high in written)


def test_forecast_csv_is_what_the_forecast_page_reads(loaded_engine, exported):
    header, *written = rows(exported / "forecast.csv")
    frame = demand.forecasts(loaded_engine)
    assert written == [
        [str(row[0]), str(row[1]), row[2], *(repr(v) for v in row[3:])] for row in frame.itertuples(False)
    ]


def test_the_runs_backtest_and_scenarios_are_the_stored_rows(loaded_engine, exported):
    runs = rows(exported / "forecast_runs.csv")
    assert runs[0] == demand.RUN_COLUMNS == FORECAST_RUNS.headers
    columns = ", ".join(demand.RUN_COLUMNS)
    made = stored(loaded_engine, f"SELECT {columns} FROM forecast_run ORDER BY scenario <> 'Central', scenario")
    for row in made:  # a time to whole seconds, as every export writes it
        row[1] = row[1][:19]
    assert runs[1:] == made and [row[0] for row in made] == [demand.CENTRAL, SCENARIO]

    backtest = rows(exported / "forecast_backtest.csv")
    assert backtest[0] == f.BACKTEST_COLUMNS == FORECAST_BACKTEST.headers
    assert backtest[1:] == stored(
        loaded_engine, "SELECT period_end, actual, expected, lower, upper FROM forecast_backtest ORDER BY period_end"
    )
    assert len(backtest) - 1 == 12  # the samples' last year, month by month

    scenarios = rows(exported / "forecast_scenarios.csv")
    assert scenarios[0] == FORECAST_SCENARIOS.headers
    assert [row[:6] for row in scenarios[1:]] == [[SCENARIO, "-20.0", "", "0.9", "", ""]]


def test_the_data_dictionary_gives_the_models_numbers_and_every_measure():
    described = {column.header: column.description for column in FORECAST.columns}
    assert f"mean of the {demand.RUNS} simulations" in described["expected"]
    assert f"{f.LOWER_PERCENTILE}th percentile of the {demand.RUNS}" in described["lower"]
    assert f"{f.UPPER_PERCENTILE}th percentile of the {demand.RUNS}" in described["upper"]
    for name in ("looked_after", *f.GROUPS, *f.BAND_NAMES, demand.BEDS_NEEDED):
        assert name in described["measure"], name
    scenarios = {column.header: column.description for column in FORECAST_SCENARIOS.columns}
    assert f"{demand.DEFAULT_OCCUPANCY:.0%}" in scenarios["occupancy"]
    assert f"last {'two' if f.REFERENCE_YEARS == 2 else f.REFERENCE_YEARS} years" in scenarios["reference_first"]
