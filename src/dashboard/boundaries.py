"""Real district boundaries for the Districts and Region maps: checked against the store's councils and installed by
the user, a council's districts whole.

The project ships no boundary file; `python -m dashboard boundaries --from FILE_OR_URL` installs one (GeoJSON in WGS84)
of one or more councils' districts under data/boundaries/, beside those of councils installed before, and a council's
map falls back to its tile map while its districts are not installed. shapely loads only to check a file being
installed or to draw councils' outlines: the pages that read installed boundaries start without it."""

from __future__ import annotations

import json
import math
import os
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.config import boundaries_file
from dashboard.models import Council, District, DistrictAlias
from dashboard.queries import council_id

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

DOWNLOAD_TIMEOUT_SECONDS = 60
DECIMALS = 5  # about 1 m: plenty for a county map, and keeps the file small
# Roughly Great Britain, in WGS84 longitude and latitude.
GB_LON = (-9.0, 3.0)
GB_LAT = (49.0, 61.0)
# What an ONS (GSS) code looks like, to tell an unknown district from a property that is not a code at all.
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")


class BoundaryError(ValueError):
    """A boundary file that cannot be used; the message says every reason, in words a user can act on."""

    def __init__(self, problems: str | list[str], source: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        where = f"{source}: " if source else ""
        if len(self.problems) == 1:
            message = f"{where}{self.problems[0]}"
        else:
            message = f"{where}the boundaries were refused:\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


def validate_boundaries(
    geojson: dict, districts: dict[str, str], former_codes: dict[str, str], councils: dict[str, str] | None = None
) -> dict:
    """Check a GeoJSON FeatureCollection holds whole councils' districts, each once, as valid WGS84 polygons; return
    a new, normalised FeatureCollection of them or raise BoundaryError naming every problem.

    `districts` maps every current ONS code in the store to its name, `councils` each to its council's name (None:
    all of them one council's). A council with any district in the file must have them all; a council with none is
    left out, unless it is the store's only one. A feature is matched by any property whose value is a current code
    or a former one (mapped by `former_codes`)."""
    from shapely import orient_polygons, transform  # see the module's note: loaded to check a file alone

    councils = councils if councils is not None else dict.fromkeys(districts, "")
    _check_collection(geojson)
    problems: list[str] = []
    found: dict[str, list[int]] = {}  # current code -> feature numbers (1-based, as a person counts)
    geometries: dict[str, BaseGeometry] = {}
    unknown: list[str] = []

    for number, feature in enumerate(geojson["features"], start=1):
        code = _feature_code(number, feature, districts, former_codes, problems, unknown)
        if code is None:
            continue
        found.setdefault(code, []).append(number)
        geometry = _feature_geometry(f"{districts[code]} ({code})", feature, problems)
        if geometry is not None:
            geometries.setdefault(code, geometry)
    problems += _collection_problems(districts, councils, found, unknown, geometries)
    if problems:
        raise BoundaryError(problems)

    features = []
    for code, geometry in sorted(geometries.items()):
        rounded = transform(geometry, lambda xy: np.round(xy, DECIMALS))
        if not rounded.is_valid:
            raise BoundaryError(
                f"{districts[code]} ({code}): the boundary is only valid with more than {DECIMALS} decimal places "
                "(about 1 m); simplify it first"
            )
        # Plotly's geo maps (d3-geo) read clockwise exterior rings as the inside; the other way round fills the globe.
        rounded = orient_polygons(rounded, exterior_cw=True)
        lon, lat = _label_point(rounded)
        features.append(
            {
                "type": "Feature",
                "properties": {"ons_code": code, "name": districts[code], "label_lon": lon, "label_lat": lat},
                "geometry": {"type": rounded.geom_type, "coordinates": _as_lists(rounded.__geo_interface__)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class Installed:
    """What an install wrote: where, and whose districts it holds now, each council's by name with its count."""

    path: Path
    councils: dict[str, int]  # the councils this file installed, in the store's order
    kept: dict[str, int]  # councils installed before and kept as they were


def install_boundaries(source: str | Path, engine: Engine, destination: Path | None = None) -> Installed:
    """Read a GeoJSON file or http(s) URL of one or more councils' districts, check it against the store's councils
    and install it at `destination`: those councils' districts replace any installed before, and other councils'
    already installed are kept, so councils can be installed one at a time.

    Written atomically: a refused or failed install leaves any earlier file as it was."""
    destination = destination or boundaries_file()
    source = str(source)
    geojson = _parse(_read(source), source)
    districts, former_codes, councils = _store_districts(engine)
    try:
        normalised = validate_boundaries(geojson, districts, former_codes, councils)
    except BoundaryError as error:
        raise BoundaryError(error.problems, source) from None
    installed = {_installed_code(feature) for feature in normalised["features"]}
    covered = {councils[code] for code in installed}
    replaced = {code for code, council in councils.items() if council in covered}
    # The file installed before, less the councils this one replaces (an unreadable one holds nothing to keep).
    before = load_boundaries(destination) or {"features": []}
    kept = [f for f in before["features"] if _installed_code(f) and _installed_code(f) not in replaced]
    merged = sorted([*kept, *normalised["features"]], key=_installed_code)
    _write(destination, {"type": "FeatureCollection", "features": merged})
    return Installed(
        destination, _per_council(councils, installed), _per_council(councils, {_installed_code(f) for f in kept})
    )


def load_boundaries(path: Path | None = None) -> dict | None:
    """The installed boundaries; None when none are installed or the file cannot be read (the map then falls back)."""
    path = path or boundaries_file()
    try:
        geojson = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(geojson, dict) or not isinstance(geojson.get("features"), list):
        return None
    return geojson


def council_boundaries(installed: dict | None, districts: Iterable[str]) -> dict | None:
    """The installed boundaries of one council's `districts` (their ONS codes), as a FeatureCollection of those
    alone; None unless every one is installed: a council is drawn whole, or from its tiles, never in part."""
    wanted = set(districts)
    if installed is None or not wanted:
        return None
    features = [feature for feature in installed["features"] if _installed_code(feature) in wanted]
    if {_installed_code(feature) for feature in features} != wanted:
        return None
    return {"type": "FeatureCollection", "features": features}


def installed_boundaries(engine: Engine, council: str | None = None, path: Path | None = None) -> dict | None:
    """The installed boundaries of the council's districts (None: the store's first council's), or None while they
    are not installed."""
    with engine.connect() as connection:
        codes = connection.scalars(select(District.ons_code).where(District.council_id == council_id(council)))
        return council_boundaries(load_boundaries(path), list(codes))


class Outline(NamedTuple):
    """Districts' outer edge together (a council's outline), drawn as one line on a map."""

    lon: list[float | None]  # the rings' longitudes, None between rings
    lat: list[float | None]
    top: tuple[float, float]  # the middle of its northern edge, where its name goes


OUTLINE_TOLERANCE = 0.0005  # degrees, about 50 m: a heavy line drawn over the districts' own edges hides the rest


def outline(features: list[dict]) -> Outline:
    """The outline of installed districts together: their union, with the slivers between districts whose edges do
    not quite meet left out."""
    from shapely import union_all
    from shapely.geometry import shape

    union = union_all([shape(feature["geometry"]) for feature in features], grid_size=10**-DECIMALS)
    lon: list[float | None] = []
    lat: list[float | None] = []
    for part in getattr(union, "geoms", [union]):
        if part.geom_type != "Polygon" or part.area < SLIVER:
            continue
        simple = part.simplify(OUTLINE_TOLERANCE)
        rings = [simple.exterior, *(ring for ring in simple.interiors if _ring_area(ring) >= SLIVER)]
        for ring in rings:
            xs, ys = ring.xy
            lon += [*map(float, xs), None]
            lat += [*map(float, ys), None]
    west, _, east, north = union.bounds
    return Outline(lon, lat, ((west + east) / 2, north))


SLIVER = 1e-6  # square degrees, under 0.01 km²: a gap between two districts' edges, not a place


def _ring_area(ring: Any) -> float:
    from shapely import Polygon

    return Polygon(ring).area


def _installed_code(feature: Any) -> str:
    """An installed feature's ONS code ("" for anything else)."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    code = properties.get("ons_code") if isinstance(properties, dict) else None
    return code if isinstance(code, str) else ""


def _per_council(councils: dict[str, str], codes: set[str]) -> dict[str, int]:
    """How many of `codes` each council has, in the store's order; councils with none left out."""
    counts: dict[str, int] = {}
    for code, council in councils.items():
        if code in codes:
            counts[council] = counts.get(council, 0) + 1
    return counts


def _store_districts(engine: Engine) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The store's districts (current code -> name), former codes (-> current), and each district's council's name,
    in the store's order of councils."""
    with Session(engine) as session:
        rows = session.execute(
            select(District.ons_code, District.name, Council.name)
            .join(Council, District.council_id == Council.id)
            .order_by(Council.id, District.name)
        ).all()
        former_codes = dict(
            session.execute(
                select(DistrictAlias.alias, District.ons_code)
                .join(District, DistrictAlias.district_id == District.id)
                .where(DistrictAlias.kind == "former_code")
            ).all()
        )
    return {code: name for code, name, _ in rows}, former_codes, {code: council for code, _, council in rows}


def _write(destination: Path, geojson: dict) -> None:
    """A new name beside the destination, then one rename: a reader never sees half a file. (Opened with "x", not
    tempfile, so the file gets the user's usual permissions and the app running as another user can read it.)"""
    temporary = destination.parent / f".{destination.name}.{uuid.uuid4().hex}.tmp"
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("x", encoding="utf-8") as handle:
            json.dump(geojson, handle, ensure_ascii=False, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, destination)
    except OSError as error:
        raise BoundaryError(f"cannot write {destination}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


def _feature_code(
    number: int,
    feature: Any,
    districts: dict[str, str],
    former_codes: dict[str, str],
    problems: list[str],
    unknown: list[str],
) -> str | None:
    """The current code of the one district the feature names, or None with the reason added to `problems` (or to
    `unknown`, for codes that are no district of the council's, reported together)."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(f"feature {number} is not a GeoJSON Feature")
        return None
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    codes = _district_codes(properties, districts, former_codes)
    if not codes:
        written = sorted({str(v).strip() for v in properties.values() if GSS_CODE.match(str(v).strip().upper())})
        if written:
            unknown.append(f"{', '.join(written)} (feature {number})")
        else:
            keys = ", ".join(sorted(map(str, properties))) or "none"
            problems.append(f"feature {number} has no property holding a district's ONS code (its properties: {keys})")
        return None
    if len(codes) > 1:
        problems.append(f"feature {number} names more than one district: {', '.join(sorted(codes))}")
        return None
    return codes.pop()


def _feature_geometry(label: str, feature: dict, problems: list[str]) -> BaseGeometry | None:
    """The feature's polygon or multipolygon, or None with the reason added to `problems`."""
    from shapely.geometry import shape

    try:
        geometry = shape(feature["geometry"])
    except Exception:  # shapely raises several types for malformed geometry; all mean the same to a user
        problems.append(f"{label}: its geometry cannot be read as GeoJSON")
        return None
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        problems.append(f"{label}: its geometry is a {geometry.geom_type}, not a Polygon or MultiPolygon")
        return None
    return geometry


def _collection_problems(
    districts: dict[str, str],
    councils: dict[str, str],
    found: dict[str, list[int]],
    unknown: list[str],
    geometries: dict[str, BaseGeometry],
) -> list[str]:
    """What is wrong with the features taken together: councils not whole, codes of no district, districts
    repeated, the coordinate system, and boundaries that are not valid."""
    from shapely.validation import explain_validity

    problems = _council_problems(districts, councils, found)
    if unknown:
        whose = (
            "the council's districts" if len(set(councils.values())) == 1 else "the districts of the store's councils"
        )
        problems.append(f"not one of {whose}: {'; '.join(unknown)}")
    for code, numbers in sorted(found.items()):
        if len(numbers) > 1:
            problems.append(
                f"{districts[code]} ({code}) appears {len(numbers)} times (features {', '.join(map(str, numbers))})"
            )
    # Checked over the whole file: a file in the wrong coordinate system is one problem, not ten.
    crs_problem = _coordinate_problem(list(geometries.values()))
    if crs_problem:
        problems.append(crs_problem)
    for code, geometry in sorted(geometries.items()):
        if not geometry.is_valid:
            problems.append(f"{districts[code]} ({code}): the boundary is not valid: {explain_validity(geometry)}")
    return problems


def _council_problems(districts: dict[str, str], councils: dict[str, str], found: dict[str, list[int]]) -> list[str]:
    """Each council with some districts in the file but not all (the store's only council must be whole), and a file
    with no district of any council."""
    names = list(dict.fromkeys(councils.values()))
    if not found and len(names) > 1:
        return [f"no feature is a district of the store's councils ({', '.join(names)})"]
    problems = []
    for council in names if len(names) == 1 else dict.fromkeys(councils[code] for code in sorted(found)):
        missing = [f"{districts[c]} ({c})" for c in sorted(districts) if councils[c] == council and c not in found]
        if missing:
            whose = f"{council}: " if council else ""
            problems.append(
                f"{whose}missing district{'s' if len(missing) > 1 else ''}: {', '.join(missing)} (a council's "
                "boundaries are installed whole: every one of its districts in the one file)"
            )
    return problems


def _read(source: str) -> bytes:
    if source.lower().startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            answer = f"could not download it: the server answered {error.code} {error.reason}"
            raise BoundaryError(answer, source) from error
        except urllib.error.URLError as error:
            raise BoundaryError(f"could not download it: {error.reason}", source) from error
        except (TimeoutError, OSError) as error:
            raise BoundaryError(f"could not download it: {error}", source) from error
    path = Path(source)
    if not path.is_file():
        raise BoundaryError("there is no such file", source)
    try:
        return path.read_bytes()
    except OSError as error:
        raise BoundaryError(f"the file cannot be read: {error.strerror or error}", source) from error


def _parse(raw: bytes, source: str) -> Any:
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise BoundaryError("the file is not text; boundaries must be a GeoJSON file", source) from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise BoundaryError(f"the file is not valid JSON ({where}); it must be a GeoJSON file", source) from None


def _check_collection(geojson: Any) -> None:
    kind = geojson.get("type") if isinstance(geojson, dict) else None
    if kind == "FeatureCollection" and isinstance(geojson.get("features"), list):
        return
    if kind == "Topology":
        raise BoundaryError(
            "the file is TopoJSON; convert it to GeoJSON first (for example with mapshaper: -o format=geojson)"
        )
    if kind in ("Feature", "Polygon", "MultiPolygon", "GeometryCollection"):
        raise BoundaryError(
            f"the file is a single GeoJSON {kind}; it needs a FeatureCollection with one feature per district"
        )
    raise BoundaryError("the file is not a GeoJSON FeatureCollection")


def _district_codes(properties: dict, districts: dict[str, str], former_codes: dict[str, str]) -> set[str]:
    """The current codes named by any property value (LAD13CD, LAD23CD, lad_code, code: whatever the file calls it)."""
    codes = set()
    for value in properties.values():
        if not isinstance(value, str):
            continue
        written = value.strip().upper()
        if written in districts:
            codes.add(written)
        elif written in former_codes:
            codes.add(former_codes[written])
    return codes


def _coordinate_problem(geometries: list[BaseGeometry]) -> str | None:
    from shapely import total_bounds

    if not geometries:
        return None
    min_lon, min_lat, max_lon, max_lat = total_bounds(geometries)
    if min_lon < -180 or max_lon > 180 or min_lat < -90 or max_lat > 90:
        return (
            f"the coordinates (x {min_lon:,.0f} to {max_lon:,.0f}, y {min_lat:,.0f} to {max_lat:,.0f}) are not "
            "longitude and latitude; they look like another coordinate system such as British National Grid "
            "(EPSG:27700). Boundaries must be in WGS84 (EPSG:4326, longitude then latitude)"
        )
    if min_lon < GB_LON[0] or max_lon > GB_LON[1] or min_lat < GB_LAT[0] or max_lat > GB_LAT[1]:
        return (
            f"the coordinates (x {min_lon:.3f} to {max_lon:.3f}, y {min_lat:.3f} to {max_lat:.3f}) are not in "
            "Great Britain; longitude and latitude may be swapped, or the file is in another coordinate system. "
            "Boundaries must be in WGS84 (EPSG:4326, longitude then latitude)"
        )
    return None


# A label (a name on two lines over its value) is about twice as wide as it is tall.
LABEL_ASPECT = 2.0


def _label_point(geometry: BaseGeometry) -> tuple[float, float]:
    """Where a district's name goes: the pole of inaccessibility of its largest part, which (unlike a centroid) is
    always inside and away from the edges; any inside point if rounding nudges it out. Found on the part drawn to
    scale (a degree of longitude is shorter than one of latitude) and stretched upright by the label's aspect, so the
    point is the middle of the widest room rather than of the roundest: "North Hertfordshire" goes where it fits."""
    from shapely import Point, affinity
    from shapely.ops import polylabel

    largest = max(getattr(geometry, "geoms", [geometry]), key=lambda part: part.area)
    across = math.cos(math.radians(largest.centroid.y))
    scaled = affinity.scale(largest, xfact=across, yfact=LABEL_ASPECT, origin=(0, 0))
    point = polylabel(scaled, tolerance=10 ** -(DECIMALS - 1))
    lon, lat = round(point.x / across, DECIMALS), round(point.y / LABEL_ASPECT, DECIMALS)
    if not geometry.contains(Point(lon, lat)):
        inside = geometry.representative_point()
        lon, lat = round(inside.x, DECIMALS), round(inside.y, DECIMALS)
    return lon, lat


def _as_lists(interface: dict) -> list:
    """GeoJSON coordinates as nested lists (shapely gives tuples), so a validated file equals the one loaded back."""

    def convert(value: Any) -> Any:
        return [convert(item) for item in value] if isinstance(value, (list, tuple)) else round(float(value), DECIMALS)

    return convert(interface["coordinates"])
