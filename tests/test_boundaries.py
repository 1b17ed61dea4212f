"""Installing real district boundaries: the shared ONS file is accepted and normalised; anything else is refused
with a reason, leaving an installed file as it was. Every test installs into tmp_path, never the repo's data/."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import Engine

from dashboard.boundaries import BoundaryError, install_boundaries, load_boundaries, validate_boundaries
from tests.conftest import SHARED_DATA

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

    assert written == destination
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
    assert done.stdout.strip() == f"Installed boundaries of the 10 districts to {destination}"
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
