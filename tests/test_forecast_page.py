"""The Forecast page through AppTest: without a forecast it says how to get one; with the SSDA903 samples imported
(tests.test_objectives_page.load) its sentence is dashboard.need's, its charts draw exactly the stored forecast of the
scenario picked, an editor saves a scenario that is then compared, an invalid one is refused field by field with
nothing written, and a viewer has no form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, update

from dashboard import demand, need, objectives, placements, queries
from dashboard.db import make_engine
from dashboard.models import ForecastBacktest, ForecastBasis
from dashboard.roles import SYSTEM
from tests.apptest import assert_charts_described, assert_page_ok, open_app, open_data_tables
from tests.conftest import dump, new_store
from tests.plotly_json import figure_json
from tests.test_objectives_page import load

PAGE = "pages/forecast.py"


@pytest.fixture(scope="module")
def loaded_template(tmp_path_factory: pytest.TempPathFactory, seeded_template: str) -> Iterator[str]:
    """A store with the samples imported, built once for the module; each test gets a copy (loaded_url)."""
    folder = tmp_path_factory.mktemp("forecast")
    with new_store(folder, "loaded", template=seeded_template) as url:
        engine = make_engine(url)
        load(engine, folder)
        engine.dispose()
        yield url


@pytest.fixture
def loaded_url(tmp_path, loaded_template: str) -> Iterator[str]:
    with new_store(tmp_path, "store", template=loaded_template) as url:
        yield url


@pytest.fixture
def loaded_engine(loaded_url: str) -> Iterator[Engine]:
    engine = make_engine(loaded_url)
    yield engine
    engine.dispose()


def _page(monkeypatch, url: str, role: str | None = None, **query: str):
    at = open_app(monkeypatch, url, role=role, **query)
    at.switch_page(PAGE).run()
    assert_page_ok(at)
    return at


def _figures(at) -> list[dict]:
    return [figure_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def _trace(fig: dict, name: str) -> dict:
    return next(trace for trace in fig["data"] if trace.get("name") == name)


def _expected(engine: Engine, scenario: str) -> tuple[pd.DataFrame, need.Crossing]:
    """The forecast of `scenario` and its crossing, as the domain gives them for the whole programme today."""
    today = date.today()
    points = demand.forecasts(engine)
    status = queries.property_status(engine, SYSTEM, queries.Filters(as_at=today), today)
    points = points[points["scenario"] == scenario]
    needed = points[points["measure"] == demand.BEDS_NEEDED]
    return points, need.crossing(need.comparison(needed, status, today, queries.strategy_info(engine).bed_target))


def test_without_a_forecast_the_page_says_how_to_get_one(app):
    app.switch_page(PAGE).run()
    assert_page_ok(app)
    assert any("import-903" in info.value and "header" in info.value for info in app.info)
    assert not app.get("plotly_chart")


def test_the_page_says_and_draws_the_stored_forecast(monkeypatch, loaded_url, loaded_engine):
    engine = loaded_engine
    at = _page(monkeypatch, loaded_url, role="viewer")
    points, crossing = _expected(engine, demand.CENTRAL)
    said = " ".join(md.value for md in at.markdown)
    assert crossing.sentence() in said and crossing.against_target() in said
    beds, homes, _, tested = _figures(at)
    needed = points[points["measure"] == demand.BEDS_NEEDED]
    assert _trace(beds, "Beds needed (expected)")["y"] == pytest.approx(needed["expected"].tolist())
    assert _trace(beds, "Target (70 beds)")["y"] == [70] * len(needed)
    in_homes = points[points["measure"] == "childrens_home"]
    line = _trace(homes, "Forecast (expected)")["y"]
    assert line[1:] == pytest.approx(in_homes["expected"].tolist())  # after the last month seen, where it starts
    # The history is the stored objective measure's month-end counts, and the forecast carries on from its last.
    stored = objectives.trend(objectives.with_values(placements.stored_measures(engine)), "in_childrens_homes")
    held = demand.held_basis(engine)
    assert _trace(homes, "Month end, as it was")["y"] == stored["numerator"].tolist()
    assert line[0] == stored["numerator"].iloc[-1]
    # How far to trust it: the backtest held, its error in words.
    assert held is not None and held.backtest_mape is not None
    assert _trace(tested, "What happened")["y"] == held.backtest["actual"].tolist()
    assert f"was off by **{held.backtest_mape:.1f}%** on average" in said
    assert assert_charts_described(at) == 4
    # The data behind each chart opens without a fault; the scenario table has the central scenario.
    at = open_data_tables(at)
    assert_page_ok(at)
    scenarios = next(frame.value for frame in at.dataframe if "Scenario" in frame.value.columns)
    assert scenarios["Scenario"].tolist() == [demand.CENTRAL]
    assert scenarios["Against the programme's beds"].tolist() == [crossing.sentence()]
    # Need by home district: need.need_by_district's shares of the beds needed at the end, beside the beds.
    districts = next(frame.value for frame in at.dataframe if "District" in frame.value.columns)
    run = demand.runs(engine).iloc[0]
    shared = need.need_by_district(
        held.basis,
        (run["reference_first"], run["reference_last"]),
        needed["expected"].iloc[-1],
        queries.districts(engine),
    )
    assert districts["District"].tolist() == shared["name"].tolist()
    assert districts[f"Beds needed, {crossing.last:%B %Y}"].tolist() == shared["need"].round(1).tolist()
    assert shared["share"].iloc[:-1].sum() > 0  # the samples' lookup places children in the council's districts
    # A viewer sees no form.
    assert not [button for button in at.button if "scenario" in button.label.lower()]
    assert not at.text_input


def test_an_editor_saves_a_scenario_that_is_then_compared_and_can_be_shown(monkeypatch, loaded_url, loaded_engine):
    at = _page(monkeypatch, loaded_url, role="editor")
    at.text_input(key="scenario-name").set_value("Fewer entries")
    at.number_input(key="scenario-entry").set_value(-20.0)
    at.number_input(key="scenario-occupancy").set_value(90.0)
    next(button for button in at.button if button.label == "Save and forecast the scenario").click().run()
    assert_page_ok(at)
    assert [success.value for success in at.success] == ["Saved scenario Fewer entries."]
    scenarios = next(frame.value for frame in at.dataframe if "Scenario" in frame.value.columns)
    saved = scenarios.set_index("Scenario").loc["Fewer entries"]
    assert (saved["Entries into care (change, %)"], saved["Occupancy (%)"]) == (-20.0, 90.0)
    assert saved["Reference window"] == "April 2018 to March 2020"  # the default: the last two years
    points, crossing = _expected(loaded_engine, "Fewer entries")
    assert saved["Against the programme's beds"] == crossing.sentence()
    # Picked, the scenario drives the charts and the sentence.
    at.selectbox(key="scenario").set_value("Fewer entries").run()
    assert_page_ok(at)
    beds = _figures(at)[0]
    needed = points[points["measure"] == demand.BEDS_NEEDED]
    assert _trace(beds, "Beds needed (expected)")["y"] == pytest.approx(needed["expected"].tolist())
    assert any(crossing.against_target() in md.value for md in at.markdown)
    # And it can be deleted.
    at.selectbox(key="scenario").set_value(demand.CENTRAL).run()
    at.selectbox(key="scenario-delete").set_value("Fewer entries")
    next(button for button in at.button if button.label == "Delete the scenario").click().run()
    assert_page_ok(at)
    assert [success.value for success in at.success] == ["Deleted scenario Fewer entries."]
    assert at.selectbox(key="scenario").options == [demand.CENTRAL]


def test_an_invalid_scenario_names_each_field_at_fault_and_writes_nothing(monkeypatch, loaded_url, loaded_engine):
    at = _page(monkeypatch, loaded_url, role="editor")
    before = dump(loaded_engine)
    at.text_input(key="scenario-name").set_value("Central")
    at.number_input(key="scenario-entry").set_value(500.0)
    at.number_input(key="scenario-occupancy").set_value(5.0)
    next(button for button in at.button if button.label == "Save and forecast the scenario").click().run()
    assert_page_ok(at)
    [error] = [error.value for error in at.error]
    assert error.startswith("Nothing was saved. Please correct:")
    for field in ("**Name**", "**Entries into care**: a change between -50% and +100%", "**Occupancy**"):
        assert field in error
    assert "Traceback" not in error and "InvalidScenario" not in error
    assert dump(loaded_engine) == before


def test_without_a_backtest_the_page_says_so_and_still_forecasts(monkeypatch, loaded_url, loaded_engine):
    """Data too short for a backtest (held as an import of under fourteen months would hold it)."""
    with loaded_engine.begin() as connection:
        connection.execute(update(ForecastBasis).values(backtest_first=None, backtest_last=None, backtest_mape=None))
        connection.execute(delete(ForecastBacktest))
    at = _page(monkeypatch, loaded_url, role="viewer")
    assert any(info.value.startswith("No backtest") for info in at.info)
    titles = [chart.proto.alt for chart in at.get("plotly_chart")]
    assert len(titles) == 3 and not [title for title in titles if "A year ahead" in title]
    assert not [md.value for md in at.markdown if "was off by" in md.value]


def test_a_view_of_a_date_before_the_forecast_was_made_says_so(monkeypatch, loaded_url, loaded_engine):
    held = demand.held_basis(loaded_engine)
    assert held is not None
    past = date(2025, 6, 30)
    at = _page(monkeypatch, loaded_url, role="viewer", as_at=past.isoformat())
    (warning,) = at.warning
    assert "after the view's date (30/06/2025)" in warning.value and "earlier forecasts are not kept" in warning.value
    # Today's view carries no such warning.
    assert not _page(monkeypatch, loaded_url, role="viewer").warning
