"""One name per district everywhere: the district's official name on every page's table, every CSV, the maps'
labels and the filters; the shorter name people also write only in the maps' tooltips. And links that name a district
or provision model as people write it ("North Herts", an ONS code, "in-house") still filter."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from dashboard import charts, metrics, queries, tables
from dashboard.boundaries import validate_boundaries
from dashboard.exporting import table_file
from dashboard.layout import PROPERTIES
from dashboard.reference import DistrictLookup
from dashboard.roles import SYSTEM, Actor, Role
from dashboard_ui.filters import LinkReading, model_resolver, read_link
from tests.apptest import assert_page_ok, open_app
from tests.conftest import SHARED_DATA, plain_sql
from tests.plotly_json import figure_json
from tests.test_seed import HERTFORDSHIRE_DISTRICTS

AS_AT = date(2026, 11, 30)
SHORT_NAMES = {"E07000099": "North Herts", "E07000242": "East Herts"}  # as data/reference/hertfordshire.toml has them


@pytest.fixture(scope="module")
def status(shared_engine) -> pd.DataFrame:
    return queries.property_status(shared_engine, SYSTEM, queries.Filters(as_at=AS_AT), AS_AT)


@pytest.fixture(scope="module")
def by_district(shared_engine, status) -> pd.DataFrame:
    return metrics.by_district(status, queries.districts(shared_engine), 70)


def _store_districts(engine) -> dict[str, str]:
    """Each property's district as the store names it, read with plain SQL."""
    return dict(
        plain_sql(
            engine.url.render_as_string(hide_password=False),
            "SELECT p.reference, d.name FROM property p JOIN district d ON d.id = p.district_id",
        )
    )


def _shown_districts(engine, status: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every table a page shows or offers as a CSV that names a property's district, keyed by where it is seen."""
    milestones = queries.milestones(engine, SYSTEM, queries.Filters(as_at=AS_AT), None, AS_AT)
    export = table_file(engine, PROPERTIES, Actor("analyst", "test", Role.ANALYST)).decode("utf-8-sig")
    return {
        "Overview's late list": tables.late_table(status, AS_AT),
        "Properties' register": tables.register_table(status, AS_AT),
        "Properties' milestones and the Timeline": milestones,
        "Decisions' councillors informed": tables.councillors_table(metrics.councillors_informed(status, AS_AT)),
        "Export's properties CSV": pd.read_csv(io.StringIO(export)),
    }


def test_every_table_and_csv_names_a_propertys_district_as_the_store_does(shared_engine, status):
    store = _store_districts(shared_engine)
    official = set(HERTFORDSHIRE_DISTRICTS.values())
    assert {"North Hertfordshire", "East Hertfordshire"} <= set(store.values()) <= official
    for seen, table in _shown_districts(shared_engine, status).items():
        key = next(column for column in ("Property", "Reference", "reference") if column in table)
        pairs = dict(zip(table[key], table["District" if "District" in table else "district"], strict=False))
        assert pairs, seen
        assert pairs == {reference: store[reference] for reference in pairs}, seen
        assert not set(pairs.values()) & set(SHORT_NAMES.values()), seen


def test_the_districts_table_and_its_csv_name_each_district_once_officially(shared_engine, by_district):
    table = tables.district_table(by_district)
    assert dict(zip(table["ONS code"], table["District"], strict=True)) == HERTFORDSHIRE_DISTRICTS
    written = csv.DictReader(io.StringIO(tables.district_table(by_district).to_csv(index=False)))
    assert {row["District"] for row in written} == set(HERTFORDSHIRE_DISTRICTS.values())
    # The filter offers the same names, for the same codes.
    assert queries.filter_options(shared_engine).districts == HERTFORDSHIRE_DISTRICTS


def _label_names(texts: list[str]) -> list[str]:
    """The name a map label shows, its lines joined again: "North<br>Hertfordshire<br><b>3</b>" -> "North
    Hertfordshire"."""
    return [text.rsplit("<br><b>", 1)[0].replace("<br>", " ") for text in texts]


def test_the_tile_map_labels_each_district_by_its_official_name_and_tooltips_the_short_one(by_district):
    fig = figure_json(charts.district_tile_map(by_district, "open", "Beds open").to_json())
    annotations = fig["layout"]["annotations"]
    assert sorted(_label_names([a["text"] for a in annotations])) == sorted(HERTFORDSHIRE_DISTRICTS.values())
    north = next(a for a in annotations if a["text"].startswith("North<br>"))
    assert north["text"].startswith("North<br>Hertfordshire<br><b>")  # on two lines, to fit its hexagon
    beds = int(by_district.set_index("ons_code").loc["E07000099", "open"])
    assert north["hovertext"] == f"North Hertfordshire (North Herts): {beds} (beds open)"
    tooltips = [trace["hovertext"] for trace in fig["data"]]
    assert f"North Hertfordshire (North Herts): {beds} (beds open)" in tooltips
    assert any(t.startswith("Dacorum: ") for t in tooltips)  # no short name, none in brackets
    # The title names the district as the tables do.
    assert "Herts " not in fig["layout"]["title"]["text"] + " "


def test_the_boundary_map_labels_each_district_by_its_official_name(by_district):
    raw = json.loads((SHARED_DATA / "hertfordshire_districts.geojson").read_text())
    boundaries = validate_boundaries(raw, HERTFORDSHIRE_DISTRICTS, {})
    fig = figure_json(charts.district_choropleth(by_district, boundaries, "secured", "Beds secured").to_json())
    choropleth, labels = fig["data"]
    assert sorted(_label_names(labels["text"])) == sorted(HERTFORDSHIRE_DISTRICTS.values())
    tooltips = dict(zip(choropleth["locations"], choropleth["hovertext"], strict=True))
    assert tooltips["E07000242"].startswith("East Hertfordshire (East Herts): ")
    assert tooltips["E07000103"].startswith("Watford: ")


# ---------------------------------------------------------------- links


@pytest.fixture(scope="module")
def lookup(shared_engine) -> DistrictLookup:
    with Session(shared_engine) as session:
        return DistrictLookup.from_session(session)


@pytest.mark.parametrize(
    "written, code",
    [
        ("North Herts", "E07000099"),  # the short name, an alias
        ("north hertfordshire", "E07000099"),
        ("E07000099", "E07000099"),
        ("E07000101", "E07000243"),  # Stevenage's code before 2019-20
        ("St. Albans", "E07000240"),
        ("Narnia", None),
        ("", None),
    ],
)
def test_a_district_written_as_people_write_it_resolves_to_its_code(lookup, written, code):
    assert lookup.resolve_code(written) == code


def test_a_links_values_are_read_through_the_same_lookup(lookup):
    def district(written: str) -> str | None:
        return HERTFORDSHIRE_DISTRICTS.get(lookup.resolve_code(written) or "")

    assert read_link(["North Hertfordshire"], district) is None  # as the page names it: the widget reads it itself
    assert read_link([], district) is None
    assert read_link(["North Herts", "Watford", "N Herts", "Narnia"], district) == (
        ["North Hertfordshire", "Watford"],
        ["Narnia"],
    )
    models = model_resolver(["commissioned", "in-house"])
    assert [models(w) for w in ("in-house", "In-house", "COMMISSIONED", "Commissioned", "council")] == [
        "in-house",
        "in-house",
        "commissioned",
        "commissioned",
        None,
    ]


def test_the_notice_names_what_a_link_asked_for_that_is_unknown():
    assert LinkReading(shown={"district": ["North Hertfordshire"]}, unknown={"district": []}).notice() is None
    notice = LinkReading(unknown={"district": ["Narnia"], "model": ["council"]}).notice()
    assert notice is not None and "district “Narnia”" in notice and "provision model “council”" in notice


@pytest.mark.parametrize(
    "district",
    [["North Herts"], ["North Hertfordshire"], ["E07000099"], ["north herts"]],
)
def test_a_link_naming_a_district_any_way_filters_to_it(monkeypatch, store_url, engine, district):
    app = open_app(monkeypatch, store_url, district=district)
    assert_page_ok(app)
    assert app.multiselect(key="district").value == ["E07000099"]
    assert app.title[0].value.startswith("North Hertfordshire: ")
    assert not [i for i in app.info if "link" in i.value]
    assert app.query_params["district"] == "North Hertfordshire"  # the address a person copies names it as the page


def test_a_link_mixing_names_keeps_every_district_it_names(monkeypatch, store_url, engine):
    app = open_app(monkeypatch, store_url, district=["North Herts", "Watford"])
    assert_page_ok(app)
    assert app.multiselect(key="district").value == ["E07000099", "E07000103"]
    assert app.title[0].value.startswith("North Hertfordshire, Watford: ")
    assert app.query_params["district"] == ["North Hertfordshire", "Watford"]


@pytest.mark.parametrize("model", ["commissioned", "Commissioned"])
def test_an_old_link_naming_a_provision_model_filters_to_it(monkeypatch, store_url, engine, model):
    app = open_app(monkeypatch, store_url, model=[model])
    assert app.title[0].value.startswith("Commissioned: ")  # the Overview names the part as its filter does
    app.switch_page("pages/properties.py").run()
    assert_page_ok(app)
    assert app.multiselect(key="model").value == ["commissioned"]
    assert app.query_params["model"] == "Commissioned"
    [(commissioned,)] = plain_sql(store_url, "SELECT COUNT(*) FROM property WHERE provision_model = 'commissioned'")
    assert app.title[0].value == f"{commissioned} properties"


def test_a_link_naming_an_unknown_district_says_so_and_shows_everything(monkeypatch, store_url, engine):
    app = open_app(monkeypatch, store_url, district=["Narnia"])
    assert_page_ok(app)
    assert app.multiselect(key="district").value == []
    assert not [e for e in app.error if "Narnia" in e.value]  # a notice, not an error
    (notice,) = [i.value for i in app.info if "link" in i.value]
    assert "“Narnia”" in notice
    assert "district" not in app.query_params
    assert app.title[0].value.endswith("of 70 beds open")  # the whole programme
