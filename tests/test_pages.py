"""Every page through Streamlit's AppTest, started from app.py: no exception, and the headline figures equal those
computed independently (plain SQL on the store) for the filters and as-at date in force."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard_ui.view import forget_builds
from tests.apptest import (
    FRIENDLY_ERROR,
    assert_charts_described,
    open_data_tables,
)
from tests.apptest import (
    assert_page_ok as _ok,
)
from tests.apptest import (
    open_app as _app,
)
from tests.conftest import beds_by_sql as _beds
from tests.conftest import plain_sql
from tests.plotly_json import figure_json

PAGES = ["pages/overview.py", "pages/progress.py", "pages/districts.py", "pages/timeline.py", "pages/properties.py"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_error(app, page):
    app.switch_page(page).run()
    _ok(app)
    assert app.title, f"{page} has no title"
    assert "Data as at" in app.caption[0].value
    assert any("Illustrative figures" in w.value for w in app.warning), "the illustrative banner is missing"


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_text_alternative_and_its_data_as_a_table(app, page):
    app.switch_page(page).run()
    assert assert_charts_described(app) >= (0 if page == "pages/properties.py" else 1)


def test_a_charts_table_is_made_only_while_it_is_open(app):
    """Closed, the expander holds nothing (at scale the table runs to thousands of rows, serialised on every rerun
    unseen); opened, it holds the chart's data."""
    app.switch_page("pages/progress.py").run()
    data = [e for e in app.expander if e.label == "Data: Beds over time"]
    assert len(data) == 1 and not data[0].dataframe

    open_data_tables(app)
    _ok(app)
    (table,) = [e.dataframe for e in app.expander if e.label == "Data: Beds over time"]
    assert len(table) == 1 and len(table[0].value) > 0
    assert table[0].value.columns.tolist() == ["Level", "Actual or forecast", "Date", "Beds"]


def test_overview_headline_equals_store(app, store_url):
    today = date.today()
    _ok(app)
    open_beds = _beds(store_url, "opened", today)
    secured = _beds(store_url, "completion", today)
    assert app.title[0].value == f"{open_beds} of 70 beds open"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Open"] == f"{open_beds} beds"
    assert metrics["Secured"] == f"{secured} beds"
    assert metrics["Registered"] == f"{_beds(store_url, 'ofsted_registration', today)} beds"


def test_past_as_at_reproduces_the_past(monkeypatch, store_url, engine):
    past = date(2022, 1, 1)
    app = _app(monkeypatch, store_url, as_at=past.isoformat())
    _ok(app)
    open_then = _beds(store_url, "opened", past)
    assert app.title[0].value == f"{open_then} of 70 beds open"
    assert {m.label: m.value for m in app.metric}["Secured"] == f"{_beds(store_url, 'completion', past)} beds"
    assert open_then < _beds(store_url, "opened", date.today())


def test_district_filter_narrows_the_figures(monkeypatch, store_url, engine):
    north_herts = "E07000099"
    app = _app(monkeypatch, store_url, district=["North Hertfordshire"])  # links carry the name people read
    _ok(app)
    secured = _beds(store_url, "completion", date.today(), "AND d.ons_code = ?", (north_herts,))
    tiles = {m.label: m.value for m in app.metric}
    assert tiles["Secured"] == f"{secured} beds"
    # The decision record's four North Herts properties: 4 + 3 + 2 + 4 planned beds, of which RS-P2-03's 4 became
    # 3 registered places.
    assert secured == 12
    # A part of the programme is measured against its own beds, and never said to be short of the whole's target.
    opened = _beds(store_url, "opened", date.today(), "AND d.ons_code = ?", (north_herts,))
    assert app.title[0].value == f"North Hertfordshire: {opened} of 12 planned beds open"
    assert "Still to find" not in tiles
    assert not [e for e in app.error if "short" in e.value]
    (note,) = [i.value for i in app.info if "whole programme" in i.value]
    assert f"{_beds(store_url, 'opened', date.today())} of 70 beds are open across the programme" in note


def test_phase_filter_persists_to_another_page(monkeypatch, store_url, engine):
    app = _app(monkeypatch, store_url, phase=["Phase 2"])
    app.switch_page("pages/properties.py").run()
    _ok(app)
    assert app.title[0].value == "10 properties"
    assert app.multiselect(key="phase").value == ["Phase 2"]


def test_provision_model_filter(monkeypatch, store_url, engine):
    app = _app(monkeypatch, store_url, model=["Commissioned"])  # a link names the option as the page shows it
    app.switch_page("pages/properties.py").run()
    [(commissioned,)] = plain_sql(store_url, "SELECT COUNT(*) FROM property WHERE provision_model = 'commissioned'")
    assert app.title[0].value == f"{commissioned} properties"


def test_progress_chart_ends_at_the_store_figures(app, store_url):
    app.switch_page("pages/progress.py").run()
    _ok(app)
    figure = figure_json(app.get("plotly_chart")[0].proto.spec)
    open_actual = next(trace for trace in figure["data"] if trace.get("name") == "Open (actual)")
    assert open_actual["y"][-1] == _beds(store_url, "opened", date.today())
    assert any(trace.get("line", {}).get("dash") == "dash" for trace in figure["data"]), "no dashed forecast"
    assert any(shape.get("y0") == 70 and shape.get("y1") == 70 for shape in figure["layout"]["shapes"]), "no target"


def test_properties_page_search(app):
    app.switch_page("pages/properties.py").run()
    app.text_input(key="search").set_value("RS-P2-0").run()
    _ok(app)
    frame = app.dataframe[0].value
    assert len(frame) == 9 and frame["Property"].str.startswith("RS-P2-0").all()


@pytest.mark.parametrize("written", ["North Herts", "north herts ", "E07000099"])
def test_searching_the_register_for_a_district_as_people_write_it_finds_it(app, store_url, written):
    app.switch_page("pages/properties.py").run()
    app.text_input(key="search").set_value(written).run()
    _ok(app)
    frame = app.dataframe[0].value
    sql = "SELECT count(*) FROM property JOIN district ON district.id = property.district_id WHERE district.name = ?"
    [(expected,)] = plain_sql(store_url, sql, ["North Hertfordshire"])
    assert expected and len(frame) == expected and (frame["District"] == "North Hertfordshire").all()


def test_choosing_a_property_shows_its_milestones_costs_and_history(app):
    app.switch_page("pages/properties.py").run()
    app.selectbox(key="property").select("RS-P2-04").run()
    _ok(app)
    headers = [h.value for h in app.main.header]
    assert headers == ["RS-P2-04: milestones", "RS-P2-04: costs and notes", "RS-P2-04: history"]
    milestones, costs, history = app.dataframe[1].value, app.dataframe[2].value, app.dataframe[3].value
    assert len(milestones) == 12 and milestones["Stage"].iloc[0] == "Property identified"
    assert costs["Item"].tolist() == ["Purchase", "Refurbishment"]
    assert (
        history["What"].str.startswith("Property RS-P2-04") | history["What"].str.startswith("Milestone RS-P2-04:")
    ).all()
    assert history["Change"].str.startswith("Added").any()


def test_a_failing_page_shows_a_plain_message_not_a_traceback(app, monkeypatch):
    from dashboard import metrics

    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(metrics, "bed_totals", broken)
    forget_builds()  # what pages build is kept per view: build it again, with the broken function
    app.run()
    assert not app.exception
    assert [e.value for e in app.error if FRIENDLY_ERROR in e.value], "no friendly message"
    assert "database went away" not in str([e.value for e in app.error])


def test_a_change_to_the_store_shows_on_the_next_rerun(app, engine, tmp_path):
    from dashboard.importing import import_path
    from dashboard.roles import Actor, Role
    from tests.conftest import write_csv

    before = app.title[0].value
    registered = {
        "Reference": "RS-P2-09",
        "Phase": "Phase 2",
        "District": "Hertsmere",
        "Provision model": "commissioned",
        "Planned beds": "3",
        "Registered beds": "3",
        "Identified actual": "2024-05-13",
        "Ofsted registration actual": "2026-08-08",
        "Opened actual": "2026-11-01",
    }
    report = import_path(
        engine, write_csv(tmp_path / "opened.csv", [registered]), Actor("analyst", "test", Role.EDITOR)
    )
    assert report.ok, report.summary()
    app.run()
    opened_before = int(before.split()[0])
    assert app.title[0].value == f"{opened_before + 3} of 70 beds open"


def test_filters_set_in_the_sidebar_apply_and_follow_to_other_pages(app, store_url):
    past = date(2022, 1, 1)
    app.date_input(key="as_at").set_value(past).run()
    app.multiselect(key="phase").set_value(["Phase 1"]).run()
    _ok(app)
    open_then = _beds(store_url, "opened", past, "AND ph.name = ?", ("Phase 1",))
    assert app.title[0].value.startswith(f"Phase 1: {open_then} of ")
    app.switch_page("pages/properties.py").run()
    assert app.title[0].value == "8 properties"
    assert app.date_input(key="as_at").value == past


def test_districts_page_draws_installed_boundaries(monkeypatch, store_url, engine, tmp_path):
    from dashboard.boundaries import install_boundaries
    from tests.conftest import SHARED_DATA

    installed = install_boundaries(SHARED_DATA / "hertfordshire_districts.geojson", engine, tmp_path / "b.geojson")
    monkeypatch.setenv("DASHBOARD_BOUNDARIES", str(installed.path))
    app = _app(monkeypatch, store_url)
    app.switch_page("pages/districts.py").run()
    _ok(app)
    figure = figure_json(app.get("plotly_chart")[0].proto.spec)
    assert figure["data"][0]["type"] == "choropleth" and len(figure["data"][0]["locations"]) == 10


def test_districts_page_falls_back_to_the_tile_map(app, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_BOUNDARIES", str(tmp_path / "none.geojson"))
    app.switch_page("pages/districts.py").run()
    _ok(app)
    figure = figure_json(app.get("plotly_chart")[0].proto.spec)
    tiles = [trace for trace in figure["data"] if trace.get("fill") == "toself"]
    assert len(tiles) == 10
    open_beds = {a["text"] for a in figure["layout"]["annotations"]}
    assert "East<br>Hertfordshire<br><b>7</b>" in open_beds  # two open homes there: 4 + 3 registered places


# Trust and help: when the data last changed, and the Help page ----------------------------------------------------


def _newest_audit_row(store_url: str) -> tuple[str, str]:
    """The newest audit row's time (UTC) and source, by hand-written SQL."""
    [(at, source)] = plain_sql(store_url, "SELECT at, source FROM audit_log ORDER BY id DESC LIMIT 1")
    return str(at), source


def test_every_page_says_when_the_data_last_changed_and_through_what(app, store_url, engine, tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dashboard.importing import import_path
    from dashboard.roles import Actor, Role
    from tests.conftest import write_csv

    at, source = _newest_audit_row(store_url)
    seeded = datetime.fromisoformat(at).replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/London"))
    assert source == "seed"
    expected = f"Data last updated {seeded:%d/%m/%Y %H:%M}, the initial load of the programme's data."
    assert app.main.caption[0].value.endswith(f"  \n{expected}")  # the line under the page's as-at line
    assert expected in [c.value for c in app.sidebar.caption]  # every page's sidebar, data pages too

    row = {
        "Reference": "RS-P2-09",
        "Phase": "Phase 2",
        "District": "Hertsmere",
        "Provision model": "commissioned",
        "Planned beds": "3",
        "Identified actual": "2024-05-13",
    }
    report = import_path(
        engine, write_csv(tmp_path / "tracker.csv", [row]), Actor("ann", "import tracker.csv", Role.EDITOR)
    )
    assert report.ok, report.summary()
    for page in ("pages/overview.py", "pages/help.py"):
        app.switch_page(page).run()
        _ok(app)
        shown = [c.value for c in app.caption if "Data last updated" in c.value]  # the page's and the sidebar's
        assert len(shown) == 2 and all(text.endswith(", import of tracker.csv.") for text in shown), shown


def test_the_last_change_is_told_in_the_councils_local_time():
    from datetime import datetime

    from dashboard.audit import LastChange

    summer = LastChange(datetime(2026, 6, 1, 23, 30), "app")  # UTC; 00:30 the next day in British Summer Time
    assert summer.words() == "Data last updated 02/06/2026 00:30, a change in the app"
    winter = LastChange(datetime(2026, 11, 30, 14, 2), "import tracker.xlsx")
    assert winter.words() == "Data last updated 30/11/2026 14:02, import of tracker.xlsx"
    assert LastChange(datetime(2026, 11, 30, 14, 2), "cli").through() == "a change from the command line"


def test_the_help_page_explains_the_figures_from_their_definitions(monkeypatch, store_url, engine):
    from dashboard.glossary import accessibility_statement, help_link
    from dashboard.metrics import LEVEL_LABELS
    from dashboard.stages import STAGES, stage_reaching

    monkeypatch.setenv("DASHBOARD_CONTACT", "Residential programme team, rs.dashboard@herts.gov.uk")
    app = _app(monkeypatch, store_url, role="viewer")
    app.switch_page("pages/help.py").run()
    _ok(app)
    assert [t.value for t in app.title] == ["Help"]
    assert [h.value for h in app.header] == [
        "What the bed figures mean",
        "The stages",
        "Late, forecasts and “as at”",
        "The objectives' measures",
        "The demand forecast",
        "Where the figures come from",
        "Accessibility statement",
        "Contact and feedback",
    ]
    # Tooltips elsewhere link to these sections by their anchors
    assert [h.proto.anchor for h in app.header] == [
        "figures",
        "stages",
        "working",
        "dfe-measures",
        "demand-forecast",
        "sources",
        "accessibility",
        "contact",
    ]
    assert help_link("working") == "[More on the Help page](help#working)"
    text = "\n".join(m.value for m in app.markdown)
    # Every objective measure, defined as the import computes it, and the DfE methodology cited.
    from dashboard.measures import DFE_METHODOLOGY_URL, MEASURES

    assert all(f"**{measure.label}**: {measure.definition}" in text for measure in MEASURES)
    assert DFE_METHODOLOGY_URL in text
    for level, label in LEVEL_LABELS.items():
        assert f"**{label}**: " in text
        assert stage_reaching(level).label in text  # each figure named by the stage that moves beds into it
    assert "**Still to find**: " in text and "target of 70 " in text  # the strategy's target, read from the store
    assert all(f"| {position} | {stage.label} |" in text for position, stage in enumerate(STAGES, start=1))
    assert "**Late**: " in text and "**Forecast**: " in text and "**As at**: " in text
    assert accessibility_statement() in text and "WCAG 2.2 AA" in text
    assert "Residential programme team, rs.dashboard@herts.gov.uk." in text
    assert not app.get("plotly_chart") and not app.dataframe  # the sidebar's programme filters are not on it
    assert not app.sidebar.multiselect


def test_the_help_page_gives_the_forecasts_method_in_the_numbers_the_model_uses(app):
    from dashboard import demand
    from dashboard import forecast as f
    from dashboard.glossary import forecast_terms

    app.switch_page("pages/help.py").run()
    _ok(app)
    text = "\n".join(m.value for m in app.markdown)
    assert all(f"**{term.name}**: {term.meaning}" in text for term in forecast_terms())
    method = {term.name: term.meaning for term in forecast_terms()}
    assert f"{demand.DEFAULT_OCCUPANCY:.0%}" in method["Beds needed"] and "strategy's aim" in method["Beds needed"]
    simulation = method["The simulation"]
    assert f"mean of the {demand.RUNS} runs" in simulation
    assert f"{f.LOWER_PERCENTILE}th to their {f.UPPER_PERCENTILE}th percentile" in simulation
    assert f"{demand.HORIZON_MONTHS} months" in simulation
    assert "last two years" in method["The model"] and f.REFERENCE_YEARS == 2
    assert all(band in method["The model"] for band in f.BAND_NAMES)
    assert "V3 or V4" in method["What goes in"] and "date of birth" in method["What goes in"]
    assert "MAPE" in method["The backtest"] and "Markov" in method["Its limits"]


def test_the_tooltips_of_the_overview_tiles_and_the_as_at_date_link_to_the_help_page(app):
    from dashboard.glossary import FIGURES, WORKING, bed_terms, help_link

    meanings = {term.name: term.meaning for term in bed_terms(70)}
    tiles = {m.label: m.proto.help for m in app.metric}
    assert set(tiles) == {"Open", "Registered", "Secured", "In the pipeline", "Still to find"}
    for label, tooltip in tiles.items():
        assert tooltip.startswith(meanings[label]) and tooltip.endswith(help_link(FIGURES)), label
    (as_at,) = [box for box in app.sidebar.date_input if box.label == "As at"]
    assert as_at.help.endswith(help_link(WORKING))  # what "as at" does, on the Help page


def test_the_accessibility_statement_is_the_readmes():
    from dashboard.glossary import accessibility_statement
    from tests.conftest import REPO_ROOT

    statement = accessibility_statement()
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert statement.startswith("The dashboard aims to meet WCAG 2.2 AA") and statement in readme
    assert "\n## " not in statement and "How the code is laid out" not in statement


def test_the_register_heading_counts_what_the_search_shows(app):
    app.switch_page("pages/properties.py").run()
    total = len(app.dataframe[0].value)
    app.text_input(key="search").set_value("RS-P2-0").run()
    _ok(app)
    assert app.title[0].value == f"9 of {total} properties" and len(app.dataframe[0].value) == 9


def test_a_link_carries_the_registers_search_and_chosen_property(monkeypatch, store_url, engine):
    """The search and the property shown are in the page's address: the same link opens the same view."""
    app = _app(monkeypatch, store_url, search="RS-P2-0", property="RS-P2-04")
    app.switch_page("pages/properties.py").run()
    _ok(app)
    assert app.text_input(key="search").value == "RS-P2-0" and len(app.dataframe[0].value) == 9
    assert app.selectbox(key="property").value == "RS-P2-04"
    assert [h.value for h in app.main.header][0] == "RS-P2-04: milestones"
    assert (app.query_params["search"], app.query_params["property"]) == ("RS-P2-0", "RS-P2-04")


def test_the_register_shows_blank_for_nothing_and_provision_in_words(app):
    app.switch_page("pages/properties.py").run()
    frame = app.dataframe[0].value
    text = [name for name in frame.columns if all(isinstance(v, str) for v in frame[name].dropna())]
    assert {"Specialism", "Waiting on", "Provision"} <= set(text)
    assert not frame[text].isna().any().any() and "None" not in frame[text].to_numpy()
    assert set(frame["Provision"]) <= {"In-house", "Commissioned"} and len(set(frame["Provision"])) == 2


def test_a_tables_missing_text_is_blank_and_its_missing_dates_and_numbers_stay_missing():
    import pandas as pd

    from dashboard import tables

    frame = tables.phase_table(
        pd.DataFrame(
            {
                "phase": ["Phase 1", None],
                "planned_start": pd.to_datetime(["2025-01-01", None]),
                "planned_end": [None, None],
                "actual_start": pd.to_datetime([None, "2025-02-01"]),
                "actual_end": [None, None],
                "properties": [3, None],
            }
        )
    )
    assert frame["Phase"].tolist() == ["Phase 1", ""]  # a table shows a missing text as "None"
    assert frame["Planned start"].iloc[1] is pd.NaT or pd.isna(frame["Planned start"].iloc[1])
    assert pd.isna(frame["Properties"].iloc[1]) and frame["Planned end"].isna().all()
