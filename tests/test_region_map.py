"""The region's district map: each council's districts with their beds secured (the figure its Districts page
shows), drawn on the installed boundaries of the councils that have them, each council outlined and named; a
caption names the councils without. Programme-level figures only: no property is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard import charts, metrics, queries, region
from dashboard.boundaries import install_boundaries, load_boundaries
from dashboard.roles import SYSTEM
from tests.apptest import assert_page_ok, open_app
from tests.conftest import SEED_TODAY, new_store, plain_sql
from tests.plotly_json import figure_json
from tests.test_boundaries import CURRENT_CODES, SHARED_BOUNDARIES, hexagon_boundaries, write_geojson
from tests.test_council_access import RITA, region_store, shown  # noqa: F401 (a fixture)
from tests.test_councils import northmarsh_programme, two_councils  # noqa: F401 (fixtures)

HERTS, NORTH = "E10000015", "E10000901"
# Beds secured per district, by hand: a property's registered places once registered (where recorded), else its
# planned beds, counted once it has reached completion by the as-at date.
SECURED_BY_DISTRICT = """
WITH reached AS (
    SELECT m.property_id, MAX(s.position) AS position
    FROM milestone m JOIN stage s ON s.key = m.stage_key
    WHERE m.actual_on <= ?
    GROUP BY m.property_id
)
SELECT d.ons_code,
    SUM(CASE WHEN COALESCE(r.position, 0) >= (SELECT position FROM stage WHERE key = 'completion') THEN
        CASE WHEN COALESCE(r.position, 0) >= (SELECT position FROM stage WHERE key = 'ofsted_registration')
            AND p.registered_beds IS NOT NULL THEN p.registered_beds ELSE p.planned_beds END
    ELSE 0 END)
FROM property p
JOIN district d ON p.district_id = d.id
LEFT JOIN reached r ON r.property_id = p.id
GROUP BY d.ons_code
"""


@pytest.fixture
def demo_region(tmp_path: Path, empty_template: str):
    """A synthetic region of three councils (Hertfordshire's districts and two invented councils'), 12 properties
    each, as at SEED_TODAY: its engine and URL."""
    from dashboard.bootstrap import ensure_store
    from dashboard.db import make_engine
    from dashboard.demo import build_demo

    with new_store(tmp_path, "region", empty_template) as url:
        engine = make_engine(url)
        ensure_store(engine, seed=False)
        build_demo(engine, 12, seed=7, today=SEED_TODAY, councils=3)
        yield engine, url
        engine.dispose()


def invented_places(engine: Engine) -> dict[str, tuple[float, float]]:
    """Where the invented councils' hexagons go: Lincolnshire and Norfolk."""
    codes = [code for code in queries.councils(engine) if code != HERTS]
    return dict(zip(codes, [(-0.4, 53.2), (1.0, 52.7)], strict=False))


def test_each_councils_district_beds_add_up_to_its_secured_beds_and_equal_independent_sql(demo_region):
    engine, url = demo_region
    figures = region.region_figures(engine, SYSTEM, SEED_TODAY, SEED_TODAY)
    districts = figures.districts

    assert list(districts.columns) == region.DISTRICT_COLUMNS  # programme-level: no property column of any kind
    by_council = districts.groupby("council", sort=False)["secured"].sum()
    assert by_council.to_dict() == figures.side_by_side.set_index("council")["secured"].to_dict()
    assert by_council.gt(0).all()  # the check is not of zeros
    independent = dict(plain_sql(url, SECURED_BY_DISTRICT, (SEED_TODAY,)))
    for row in districts.itertuples():
        assert row.secured == independent.get(row.ons_code, 0), row.name
    for code, name in queries.councils(engine).items():  # every district of every council, once
        assert sorted(districts.loc[districts["council"] == name, "ons_code"]) == sorted(
            queries.districts(engine, code)["ons_code"]
        )


def test_a_councils_district_beds_are_its_districts_pages(demo_region):
    """One definition: the region's districts are metrics.by_district over the council's programme, as its
    Districts page counts them."""
    engine, _ = demo_region
    code = list(queries.councils(engine))[1]
    figures = region.region_figures(engine, SYSTEM, SEED_TODAY, SEED_TODAY)
    status = queries.property_status(engine, SYSTEM, queries.Filters(as_at=SEED_TODAY, council=code), SEED_TODAY)
    page = metrics.by_district(status, queries.districts(engine, code), queries.strategy_info(engine, code).bed_target)
    shown_here = figures.districts[figures.districts["council_code"] == code]
    assert shown_here.set_index("ons_code")["secured"].to_dict() == page.set_index("ons_code")["secured"].to_dict()


def test_the_map_draws_the_councils_with_boundaries_and_names_the_rest(demo_region, tmp_path: Path):
    engine, _ = demo_region
    names = queries.councils(engine)
    invented = [names[code] for code in names if code != HERTS]
    districts = region.region_figures(engine, SYSTEM, SEED_TODAY, SEED_TODAY).districts

    nothing = region.district_map(districts, None)
    assert (nothing.boundaries, nothing.without, len(nothing.districts)) == (None, list(names.values()), 0)
    caption = region.boundaries_caption(nothing.without, len(names))
    assert caption is not None and "No council's district boundaries are installed" in caption

    destination = tmp_path / "districts.geojson"
    install_boundaries(SHARED_BOUNDARIES, engine, destination)
    herts = region.district_map(districts, load_boundaries(destination))
    assert herts.without == invented and sorted(herts.districts["ons_code"]) == CURRENT_CODES
    caption = region.boundaries_caption(herts.without, len(names))
    assert caption == (
        f"Not on the map: {', '.join(invented)}, whose district boundaries are not installed: "
        "`python -m dashboard boundaries --from FILE` installs a council's (a GeoJSON file of its districts)."
    )
    assert region.boundaries_caption(herts.without, len(names), hint=False) == (
        f"Not on the map: {', '.join(invented)}, whose district boundaries are not installed."
    )

    hexagons = write_geojson(tmp_path / "invented.geojson", hexagon_boundaries(engine, invented_places(engine)))
    install_boundaries(hexagons, engine, destination)
    every = region.district_map(districts, load_boundaries(destination))
    assert every.without == [] and region.boundaries_caption(every.without, len(names)) is None
    assert len(every.districts) == len(districts) == len(every.boundaries["features"])

    fig = figure_json(charts.region_choropleth(every.districts, every.boundaries).to_json())
    [shapes] = [trace for trace in fig["data"] if trace["type"] == "choropleth"]
    assert sorted(shapes["locations"]) == sorted(districts["ons_code"])
    outlines = [trace for trace in fig["data"] if trace.get("mode") == "lines"]
    assert len(outlines) == 3 and all(o["line"]["width"] > shapes["marker"]["line"]["width"] for o in outlines)
    labels = [trace["text"][0] for trace in fig["data"] if trace.get("textposition") == "top center"]
    secured = districts.groupby("council", sort=False)["secured"].sum()
    assert labels == [f"<b>{council}</b>: {beds}" for council, beds in secured.items()]
    top = districts.sort_values(["secured", "name"], ascending=[False, True]).iloc[0]
    assert fig["layout"]["title"]["text"].replace("<br>", " ") == (
        f"Where the region's secured beds are: most in {top['name']} ({top['council']}, {top['secured']})"
    )
    hover = dict(zip(shapes["locations"], shapes["hovertext"], strict=True))
    assert hover[top["ons_code"]] == f"{top['name']} ({top['council']}): {top['secured']} beds secured"


def test_a_regional_viewers_region_page_shows_the_map_and_no_property(
    monkeypatch,
    store_url: str,
    region_store: Engine,  # noqa: F811 (the fixture imported)
    tmp_path: Path,
) -> None:
    destination = tmp_path / "districts.geojson"
    monkeypatch.setenv("DASHBOARD_BOUNDARIES", str(destination))
    at = open_app(monkeypatch, store_url, account=RITA)
    assert_page_ok(at)  # the Region page, a regional viewer's first
    assert "Districts across the region" in [header.value for header in at.header]
    assert not [c for c in at.get("plotly_chart") if '"choropleth"' in c.proto.spec]
    assert any("No council's district boundaries are installed" in caption.value for caption in at.caption)

    install_boundaries(SHARED_BOUNDARIES, region_store, destination)
    north = hexagon_boundaries(region_store, {NORTH: (-0.4, 53.2)})
    install_boundaries(write_geojson(tmp_path / "north.geojson", north), region_store, destination)
    at.run()
    assert_page_ok(at)

    [drawn] = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"choropleth"' in c.proto.spec]
    [shapes] = [trace for trace in drawn["data"] if trace["type"] == "choropleth"]
    assert len(shapes["locations"]) == 12  # Hertfordshire's ten districts and Northmarsh's two
    assert not any("district boundaries are not installed" in caption.value for caption in at.caption)
    text = shown(at)
    assert "RS-" not in text and "NM-0" not in text  # no property of either council, on the map or off it
    assert "Fenwick Vale (Northmarsh): 3 beds secured" in text  # its open home's three beds


def test_the_region_page_names_the_councils_whose_boundaries_are_not_installed(
    monkeypatch,
    store_url: str,
    northmarsh_programme: Engine,  # noqa: F811 (the fixture imported)
    tmp_path: Path,
) -> None:
    destination = tmp_path / "districts.geojson"
    install_boundaries(SHARED_BOUNDARIES, northmarsh_programme, destination)
    monkeypatch.setenv("DASHBOARD_BOUNDARIES", str(destination))
    at = open_app(monkeypatch, store_url)
    at.switch_page("pages/region.py").run()
    assert_page_ok(at)
    [drawn] = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"choropleth"' in c.proto.spec]
    assert sorted(next(t for t in drawn["data"] if t["type"] == "choropleth")["locations"]) == CURRENT_CODES
    assert any(
        caption.value.startswith("Not on the map: Northmarsh, whose district boundaries are not installed")
        for caption in at.caption
    )
