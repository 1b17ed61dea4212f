"""Installing real district boundaries: the shared ONS file is accepted and normalised; anything else is refused
with a reason, leaving an installed file as it was. Every test installs into tmp_path, never the repo's data/."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point, shape
from sqlalchemy import Engine

from dashboard.boundaries import (
    BoundaryError,
    council_boundaries,
    install_boundaries,
    installed_boundaries,
    load_boundaries,
    validate_boundaries,
)
from dashboard.councils import add_council
from dashboard.roles import SYSTEM
from tests.conftest import SHARED_DATA
from tests.test_councils import council_file, two_councils  # noqa: F401 (a fixture)

SHARED_BOUNDARIES = SHARED_DATA / "hertfordshire_districts.geojson"
CURRENT_CODES = [
    "E07000095",
    "E07000096",
    "E07000098",
    "E07000099",
    "E07000102",
    "E07000103",
    "E07000240",
    "E07000241",
    "E07000242",
    "E07000243",
]
ST_ALBANS = "E07000240"


@pytest.fixture
def shared() -> dict:
    """A fresh copy of the shared file's GeoJSON, for a test to spoil."""
    return json.loads(SHARED_BOUNDARIES.read_text(encoding="utf-8"))


def write_geojson(path: Path, geojson: dict) -> Path:
    path.write_text(json.dumps(geojson), encoding="utf-8")
    return path


def feature_of(geojson: dict, code: str) -> dict:
    return next(f for f in geojson["features"] if f["properties"]["lad_code"] == code)


def refusal(engine: Engine, source: Path, destination: Path) -> str:
    with pytest.raises(BoundaryError) as raised:
        install_boundaries(source, engine, destination)
    return str(raised.value)


def test_installs_the_shared_ons_boundaries(empty_engine: Engine, tmp_path: Path) -> None:
    destination = tmp_path / "nested" / "districts.geojson"
    written = install_boundaries(str(SHARED_BOUNDARIES), empty_engine, destination)

    assert (written.path, written.councils, written.kept) == (destination, {"Hertfordshire": 10}, {})
    installed = load_boundaries(destination)
    assert installed is not None and installed["type"] == "FeatureCollection"
    assert [f["properties"]["ons_code"] for f in installed["features"]] == CURRENT_CODES
    for feature in installed["features"]:
        properties = feature["properties"]
        assert set(properties) == {"ons_code", "name", "label_lon", "label_lat"}
        polygon = shape(feature["geometry"])
        assert polygon.is_valid and feature["geometry"]["type"] == "MultiPolygon"
        assert polygon.contains(Point(properties["label_lon"], properties["label_lat"])), properties["name"]
    names = {f["properties"]["ons_code"]: f["properties"]["name"] for f in installed["features"]}
    assert names[ST_ALBANS] == "St Albans" and names["E07000242"] == "East Hertfordshire"
    assert list(tmp_path.joinpath("nested").iterdir()) == [destination]  # no temporary file left behind


def test_normalised_geometry_is_rounded_and_wound_for_plotly(shared: dict) -> None:
    districts = {code: code for code in CURRENT_CODES}
    ring = feature_of(shared, ST_ALBANS)["geometry"]["coordinates"][0][0]
    ring.reverse()  # counter-clockwise, as RFC 7946 writes it
    ring[1] = [ring[1][0] + 0.0000012, ring[1][1]]

    normalised = validate_boundaries(shared, districts, {})

    st_albans = next(f for f in normalised["features"] if f["properties"]["ons_code"] == ST_ALBANS)
    exterior = shape(st_albans["geometry"]).geoms[0].exterior
    assert not exterior.is_ccw  # d3-geo (Plotly's geo maps) fills clockwise rings; the other way fills the globe
    assert all(round(x, 5) == x and round(y, 5) == y for x, y in exterior.coords)


def test_a_missing_district_is_refused_and_the_installed_file_is_kept(
    empty_engine: Engine, tmp_path: Path, shared: dict
) -> None:
    destination = tmp_path / "boundaries" / "districts.geojson"
    install_boundaries(SHARED_BOUNDARIES, empty_engine, destination)
    before = destination.read_bytes()
    shared["features"] = [f for f in shared["features"] if f["properties"]["lad_code"] != "E07000243"]

    message = refusal(empty_engine, write_geojson(tmp_path / "nine.geojson", shared), destination)

    assert "missing district: Stevenage (E07000243)" in message
    assert destination.read_bytes() == before
    assert list(destination.parent.iterdir()) == [destination]  # nothing partial left beside it


def test_an_unknown_extra_district_is_refused(empty_engine: Engine, tmp_path: Path, shared: dict) -> None:
    extra = copy.deepcopy(feature_of(shared, "E07000103"))
    extra["properties"] = {"lad_code": "E07000117", "lad_name": "Burnley"}
    shared["features"].append(extra)

    message = refusal(empty_engine, write_geojson(tmp_path / "eleven.geojson", shared), tmp_path / "out.geojson")

    assert "not one of the council's districts: E07000117 (feature 11)" in message
    assert not (tmp_path / "out.geojson").exists()


def test_a_repeated_district_is_refused(empty_engine: Engine, tmp_path: Path, shared: dict) -> None:
    shared["features"].append(copy.deepcopy(feature_of(shared, "E07000103")))

    message = refusal(empty_engine, write_geojson(tmp_path / "twice.geojson", shared), tmp_path / "out.geojson")

    assert "Watford (E07000103) appears 2 times (features 9, 11)" in message


def test_former_codes_are_accepted_and_mapped_to_current_ones(
    empty_engine: Engine, tmp_path: Path, shared: dict
) -> None:
    feature_of(shared, ST_ALBANS)["properties"] = {"LAD13CD": "E07000100", "LAD13NM": "St Albans"}
    destination = tmp_path / "districts.geojson"

    install_boundaries(write_geojson(tmp_path / "lad13.geojson", shared), empty_engine, destination)

    installed = load_boundaries(destination)
    assert installed is not None
    codes = [f["properties"]["ons_code"] for f in installed["features"]]
    assert codes == CURRENT_CODES and "E07000100" not in json.dumps(installed)


def test_an_invalid_polygon_is_refused_naming_the_district(empty_engine: Engine, tmp_path: Path, shared: dict) -> None:
    bow_tie = [[[-0.35, 51.75], [-0.30, 51.80], [-0.30, 51.75], [-0.35, 51.80], [-0.35, 51.75]]]
    feature_of(shared, "E07000096")["geometry"] = {"type": "Polygon", "coordinates": bow_tie}

    message = refusal(empty_engine, write_geojson(tmp_path / "bowtie.geojson", shared), tmp_path / "out.geojson")

    assert "Dacorum (E07000096): the boundary is not valid: Self-intersection" in message


def test_projected_coordinates_are_refused(empty_engine: Engine, tmp_path: Path, shared: dict) -> None:
    def to_metres(value: list) -> list:
        if isinstance(value[0], list):
            return [to_metres(item) for item in value]
        lon, lat = value
        return [520_000 + lon * 70_000, lat * 4_000]  # the size of British National Grid eastings and northings

    for feature in shared["features"]:
        feature["geometry"]["coordinates"] = to_metres(feature["geometry"]["coordinates"])

    message = refusal(empty_engine, write_geojson(tmp_path / "bng.geojson", shared), tmp_path / "out.geojson")

    assert "British National Grid" in message and "must be in WGS84" in message
    assert message.count("British National Grid") == 1  # one problem, not one per district


def test_swapped_longitude_and_latitude_are_refused(shared: dict) -> None:
    for feature in shared["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                ring[:] = [[lat, lon] for lon, lat in ring]

    with pytest.raises(BoundaryError, match="not in Great Britain; longitude and latitude may be swapped"):
        validate_boundaries(shared, {code: code for code in CURRENT_CODES}, {})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "LAD13CD,geometry\nE07000240,POLYGON(...)\n",
            "the file is not valid JSON (line 1, column 1); it must be a GeoJSON file",
        ),
        ('{"type": "Topology", "objects": {}, "arcs": []}', "the file is TopoJSON; convert it to GeoJSON"),
        ('{"type": "Feature", "properties": {}, "geometry": null}', "a single GeoJSON Feature"),
        ("[1, 2, 3]", "the file is not a GeoJSON FeatureCollection"),
    ],
)
def test_files_that_are_not_geojson_are_refused(
    empty_engine: Engine, tmp_path: Path, content: str, expected: str
) -> None:
    source = tmp_path / "boundaries.json"
    source.write_text(content, encoding="utf-8")

    message = refusal(empty_engine, source, tmp_path / "out.geojson")

    assert message.startswith(f"{source}: ") and expected in message
    assert not (tmp_path / "out.geojson").exists()


def test_a_missing_source_file_is_refused(empty_engine: Engine, tmp_path: Path) -> None:
    assert "there is no such file" in refusal(empty_engine, tmp_path / "nowhere.geojson", tmp_path / "out.geojson")


def test_every_problem_is_reported_at_once(empty_engine: Engine, tmp_path: Path, shared: dict) -> None:
    shared["features"] = [f for f in shared["features"] if f["properties"]["lad_code"] != "E07000095"]
    feature_of(shared, "E07000098")["geometry"] = {"type": "Point", "coordinates": [-0.27, 51.68]}
    feature_of(shared, "E07000099")["properties"] = {"name": "North Herts"}

    message = refusal(empty_engine, write_geojson(tmp_path / "bad.geojson", shared), tmp_path / "out.geojson")

    assert "Broxbourne (E07000095)" in message and "North Hertfordshire (E07000099)" in message  # both missing
    assert "Hertsmere (E07000098): its geometry is a Point, not a Polygon or MultiPolygon" in message
    assert "has no property holding a district's ONS code (its properties: name)" in message


def test_load_boundaries_without_an_installed_file(tmp_path: Path) -> None:
    assert load_boundaries(tmp_path / "districts.geojson") is None
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "feat', encoding="utf-8")
    assert load_boundaries(broken) is None


def test_the_boundaries_command(run_cli, tmp_path: Path, shared: dict) -> None:
    destination = tmp_path / "installed" / "districts.geojson"
    database = f"sqlite:///{tmp_path / 's.sqlite'}"

    done = run_cli("--database-url", database, "boundaries", "--from", SHARED_BOUNDARIES, "--to", destination)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Installed boundaries of Hertfordshire's 10 districts to {destination}"
    installed = load_boundaries(destination)
    assert installed is not None and len(installed["features"]) == 10

    before = destination.read_bytes()
    shared["features"] = shared["features"][:9]
    bad = write_geojson(tmp_path / "nine.geojson", shared)
    refused = run_cli("--database-url", database, "boundaries", "--from", bad, "--to", destination)

    assert refused.returncode == 1
    assert "Error:" in refused.stderr and "Welwyn Hatfield (E07000241)" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert destination.read_bytes() == before


# ---------------------------------------------------------------- councils' boundaries, one council at a time

HERTS, NORTH, EAST = "E10000015", "E10000901", "E10000902"
# A second invented council, every district with a tile (Northmarsh's Saltmere has none).
EASTWOLD = """
[council]
ons_code = "E10000902"
name = "Eastwold"
synthetic = true

[strategy]
name = "Eastwold Homes Programme"
bed_target = 12
provenance = "synthetic"

[[districts]]
ons_code = "E07000911"
name = "Ashby Heath"
tile = [0, 0]

[[districts]]
ons_code = "E07000912"
name = "Corran Water"
tile = [1, 0]

[[districts]]
ons_code = "E07000913"
name = "Dunmere Cross"
tile = [0.5, 1]
"""
HEX_DEGREES = 0.06  # a hexagon's radius, in degrees of latitude: a district about 13 km across


def hexagon_boundaries(engine: Engine, councils: dict[str, tuple[float, float]]) -> dict:
    """GeoJSON of hexagons for each council's districts, from their tile positions (a district with none goes in a
    row below), around the (longitude, latitude) given per council: invented councils' boundaries, somewhere in
    England away from Hertfordshire."""
    from dashboard.queries import districts

    features = []
    for council, (lon0, lat0) in councils.items():
        frame = districts(engine, council)
        across = math.cos(math.radians(lat0))
        bottom = int(frame["tile_row"].max()) + 1 if frame["tile_row"].notna().any() else 0
        for number, row in enumerate(frame.itertuples()):
            x, y = (row.tile_x, row.tile_row) if pd.notna(row.tile_x) and pd.notna(row.tile_row) else (number, bottom)
            # Pointy-topped hexagons: neighbours in a row sqrt(3) radii apart, rows 1.5 radii apart.
            cx = lon0 + x * math.sqrt(3) * HEX_DEGREES / across
            cy = lat0 - y * 1.5 * HEX_DEGREES
            ring = [
                [cx + HEX_DEGREES * math.cos(math.radians(90 + 60 * k)) / across,
                 cy + HEX_DEGREES * math.sin(math.radians(90 + 60 * k))]
                for k in range(7)
            ]  # fmt: skip
            features.append(
                {
                    "type": "Feature",
                    "properties": {"LAD24CD": row.ons_code, "LAD24NM": row.name},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    return {"type": "FeatureCollection", "features": features}


# Lincolnshire and Norfolk, well away from Hertfordshire and from each other.
PLACES = {NORTH: (-0.4, 53.2), EAST: (1.0, 52.7)}


@pytest.fixture
def three_councils(two_councils: Engine, tmp_path: Path) -> Engine:  # noqa: F811 (the fixture imported)
    """Hertfordshire's seed, Northmarsh (two districts) and Eastwold (three)."""
    add_council(two_councils, SYSTEM, council_file(tmp_path, EASTWOLD, "eastwold.toml"))
    return two_councils


def installed_features(path: Path) -> dict[str, dict]:
    installed = load_boundaries(path)
    assert installed is not None
    return {feature["properties"]["ons_code"]: feature for feature in installed["features"]}


def test_councils_are_installed_one_at_a_time_and_kept(three_councils: Engine, tmp_path: Path) -> None:
    destination = tmp_path / "districts.geojson"

    first = install_boundaries(SHARED_BOUNDARIES, three_councils, destination)

    assert (first.councils, first.kept) == ({"Hertfordshire": 10}, {})  # the invented councils have none: accepted
    assert sorted(installed_features(destination)) == CURRENT_CODES
    herts = installed_features(destination)
    assert installed_boundaries(three_councils, NORTH, destination) is None
    assert installed_boundaries(three_councils, EAST, destination) is None

    hexagons = write_geojson(tmp_path / "invented.geojson", hexagon_boundaries(three_councils, PLACES))
    second = install_boundaries(hexagons, three_councils, destination)

    assert (second.councils, second.kept) == ({"Northmarsh": 2, "Eastwold": 3}, {"Hertfordshire": 10})
    merged = installed_features(destination)
    assert sorted(merged) == sorted([*CURRENT_CODES, "E07000901", "E07000902", "E07000911", "E07000912", "E07000913"])
    assert {code: merged[code] for code in CURRENT_CODES} == herts  # Hertfordshire's exactly as installed
    assert merged["E07000902"]["properties"]["name"] == "Saltmere"
    for council, count in ((HERTS, 10), (NORTH, 2), (EAST, 3)):
        found = installed_boundaries(three_councils, council, destination)
        assert found is not None and len(found["features"]) == count, council
    assert list(tmp_path.glob(".districts.geojson.*")) == []  # no temporary file left behind


def test_part_of_a_council_is_refused_naming_its_missing_districts(three_councils: Engine, tmp_path: Path) -> None:
    destination = tmp_path / "districts.geojson"
    install_boundaries(SHARED_BOUNDARIES, three_councils, destination)
    before = destination.read_bytes()
    hexagons = hexagon_boundaries(three_councils, PLACES)
    hexagons["features"] = [
        f for f in hexagons["features"] if f["properties"]["LAD24CD"] not in ("E07000902", "E07000913")
    ]

    message = refusal(three_councils, write_geojson(tmp_path / "part.geojson", hexagons), destination)

    assert "Northmarsh: missing district: Saltmere (E07000902)" in message
    assert "Eastwold: missing district: Dunmere Cross (E07000913)" in message
    assert "installed whole" in message
    assert destination.read_bytes() == before
    assert list(tmp_path.glob(".districts.geojson.*")) == []


def test_a_file_of_no_council_of_the_store_is_refused(three_councils: Engine, tmp_path: Path, shared: dict) -> None:
    for number, feature in enumerate(shared["features"]):
        feature["properties"] = {"lad_code": f"E0700099{number}"}

    message = refusal(three_councils, write_geojson(tmp_path / "other.geojson", shared), tmp_path / "out.geojson")

    assert "no feature is a district of the store's councils (Hertfordshire, Northmarsh, Eastwold)" in message
    assert "not one of the districts of the store's councils: E07000990 (feature 1)" in message
    assert not (tmp_path / "out.geojson").exists()


def test_reinstalling_a_council_replaces_that_council_alone(three_councils: Engine, tmp_path: Path) -> None:
    destination = tmp_path / "districts.geojson"
    install_boundaries(SHARED_BOUNDARIES, three_councils, destination)
    install_boundaries(
        write_geojson(tmp_path / "invented.geojson", hexagon_boundaries(three_councils, PLACES)),
        three_councils,
        destination,
    )
    before = installed_features(destination)

    moved = hexagon_boundaries(three_councils, {NORTH: (-1.2, 53.6)})  # Northmarsh alone, further north
    again = install_boundaries(write_geojson(tmp_path / "north.geojson", moved), three_councils, destination)

    assert (again.councils, again.kept) == ({"Northmarsh": 2}, {"Hertfordshire": 10, "Eastwold": 3})
    after = installed_features(destination)
    assert sorted(after) == sorted(before)
    northmarsh = {"E07000901", "E07000902"}
    assert {c: f for c, f in after.items() if c not in northmarsh} == {
        c: f for c, f in before.items() if c not in northmarsh
    }
    for code in northmarsh:
        assert after[code] != before[code]
        assert shape(after[code]["geometry"]).centroid.y > 53.4


def test_a_councils_boundaries_are_all_its_districts_or_none() -> None:
    installed = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"ons_code": code}, "geometry": None} for code in "ABC"],
    }
    whole = council_boundaries(installed, ["A", "B"])
    assert whole is not None and [f["properties"]["ons_code"] for f in whole["features"]] == ["A", "B"]
    assert council_boundaries(installed, ["A", "D"]) is None  # D not installed: the council is not drawn in part
    assert council_boundaries(installed, []) is None
    assert council_boundaries(None, ["A"]) is None


def test_the_boundaries_command_says_whose_districts_it_installed(run_cli, three_councils: Engine, tmp_path: Path):
    destination = tmp_path / "installed" / "districts.geojson"
    herts = run_cli("boundaries", "--from", SHARED_BOUNDARIES, "--to", destination)
    assert herts.stdout.strip() == f"Installed boundaries of Hertfordshire's 10 districts to {destination}"

    hexagons = write_geojson(tmp_path / "invented.geojson", hexagon_boundaries(three_councils, PLACES))
    done = run_cli("boundaries", "--from", hexagons, "--to", destination)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"Installed boundaries of Northmarsh's 2 districts and Eastwold's 3 districts to {destination}",
        "Kept those installed before of Hertfordshire's 10 districts",
    ]


def test_another_councils_districts_map_is_its_own_boundaries_or_its_tiles(
    monkeypatch, store_url: str, three_councils: Engine, tmp_path: Path
) -> None:
    from tests.apptest import assert_page_ok, open_app
    from tests.plotly_json import figure_json

    destination = tmp_path / "districts.geojson"
    install_boundaries(SHARED_BOUNDARIES, three_councils, destination)  # Hertfordshire's alone
    monkeypatch.setenv("DASHBOARD_BOUNDARIES", str(destination))
    at = open_app(monkeypatch, store_url, council=NORTH)
    at.switch_page("pages/districts.py").run()
    assert_page_ok(at)

    drawn = figure_json(at.get("plotly_chart")[0].proto.spec)
    assert not [trace for trace in drawn["data"] if trace["type"] == "choropleth"]  # not Hertfordshire's shapes
    assert len([trace for trace in drawn["data"] if trace.get("fill") == "toself"]) == 1  # Saltmere has no tile
    assert any("Each hexagon is a district" in caption.value for caption in at.caption)

    install_boundaries(
        write_geojson(tmp_path / "north.geojson", hexagon_boundaries(three_councils, {NORTH: PLACES[NORTH]})),
        three_councils,
        destination,
    )
    at.run()
    assert_page_ok(at)
    [choropleth] = [t for t in figure_json(at.get("plotly_chart")[0].proto.spec)["data"] if t["type"] == "choropleth"]
    assert sorted(choropleth["locations"]) == ["E07000901", "E07000902"]
    assert not any("Each hexagon is a district" in caption.value for caption in at.caption)


def test_a_councils_briefing_pack_maps_its_own_boundaries(monkeypatch, three_councils: Engine, tmp_path: Path) -> None:
    from datetime import timedelta

    from dashboard.briefing.content import gather
    from tests.conftest import SEED_TODAY

    destination = tmp_path / "districts.geojson"
    monkeypatch.setenv("DASHBOARD_BOUNDARIES", str(destination))
    install_boundaries(SHARED_BOUNDARIES, three_councils, destination)

    def pack_boundaries(council: str | None) -> dict | None:
        return gather(three_councils, SYSTEM, SEED_TODAY, SEED_TODAY - timedelta(days=28), council=council).boundaries

    herts = pack_boundaries(None)
    assert herts is not None and len(herts["features"]) == 10
    assert pack_boundaries(NORTH) is None  # its districts' tiles, not Hertfordshire's boundaries
    install_boundaries(
        write_geojson(tmp_path / "invented.geojson", hexagon_boundaries(three_councils, PLACES)),
        three_councils,
        destination,
    )
    north = pack_boundaries(NORTH)
    assert north is not None and {f["properties"]["name"] for f in north["features"]} == {"Fenwick Vale", "Saltmere"}
