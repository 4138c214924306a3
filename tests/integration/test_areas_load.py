"""Loading planning areas into a real embedded FalkorDB the way the CLI does: read the located
locations already in the graph (`located_locations`), `parse_areas`, then `load_parsed`.

Real data: the City of Toronto's 158 neighbourhoods (with its library branches as locations) and
the demo city (Kingston, Ontario) with a synthetic grid of areas over it. Expectations are
computed independently, with shapely, from the raw files."""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, shape

from graph.engine import GraphEngine
from loaders.areas import parse_areas
from loaders.areas_links import existing_area_ids, located_locations
from loaders.hsds import parse_hsds
from loaders.load import LoadResult, load_parsed
from loaders.plan import GraphPlan
from loaders.report import LoadRejected, Report
from tests.graph_snapshot import counts, snapshot

KNOWN_CODE, KNOWN_NAME = "174", "South Eglinton-Davisville"
# The demo city's bounding box (generator: demo.city)
SOUTH, NORTH, WEST, EAST = 44.20, 44.38, -76.65, -76.32


@dataclass
class _Locations:
    """Located Location nodes and nothing else (satisfies loaders.load.Parsed): stands in for the
    HSDS or 211 load that brings a city's sites, here the Toronto library branches."""

    plan: GraphPlan = field(default_factory=GraphPlan)
    report: Report = field(default_factory=Report)
    format: str = "test-locations"
    records: int = 0


def _load_areas(db: GraphEngine, path: Path, dataset_id: str, *, replace: bool = False, **options: Any) -> LoadResult:
    """As the CLI would: link the locations already in the graph; parents may be areas already there."""
    parsed = parse_areas(path, locations=located_locations(db), known_areas=existing_area_ids(db),
                         **{"namespace": dataset_id, **options})
    return load_parsed(db, parsed, dataset_id=dataset_id, path=path, replace=replace)


def _in_area(db: GraphEngine) -> set[tuple[str, str]]:
    rows = db.read("MATCH (l:Location)-[r:IN_AREA]->(a:Area) RETURN l.id AS location, a.id AS area")
    return {(row["location"], row["area"]) for row in rows}


def _neighbourhoods(shared_data: Path) -> Path:
    return shared_data / "toronto" / "toronto_neighbourhoods.geojson"


def _libraries(shared_data: Path, extra: dict[str, tuple[float, float]] | None = None) -> _Locations:
    """The Toronto Public Library branches with a point (one has none), plus `extra` (id: (lat, lon))."""
    raw = json.loads((shared_data / "toronto" / "libraries.geojson").read_text(encoding="utf-8"))
    parsed = _Locations()
    points = {f"tpl:{f['properties']['BranchCode']}": (f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0])
              for f in raw["features"] if f["geometry"]}
    for location_id, (latitude, longitude) in {**points, **(extra or {})}.items():
        parsed.plan.add_node("Location", location_id, {"name": location_id, "latitude": latitude,
                                                       "longitude": longitude})
        parsed.records += 1
    return parsed


def _expected_links(features: list[dict[str, Any]], id_of: Any, namespace: str,
                    locations: list[tuple[str, float, float]]) -> set[tuple[str, str]]:
    """(location, area) pairs by brute force: each raw polygon against each point, with shapely."""
    shapes = {f"{namespace}:{id_of(f)}": shape(f["geometry"]) for f in features}
    return {(location, area) for location, lat, lon in locations for area, polygon in shapes.items()
            if polygon.covers(Point(lon, lat))}


# --- Toronto ----------------------------------------------------------------------------------------------------

def test_the_toronto_neighbourhoods_load_as_one_area_per_feature_with_names_and_shapes(
    db: GraphEngine, shared_data: Path,
) -> None:
    path = _neighbourhoods(shared_data)
    raw = json.loads(path.read_text(encoding="utf-8"))
    started = time.perf_counter()
    result = _load_areas(db, path, "toronto")
    seconds = time.perf_counter() - started
    print(f"\nToronto: {result.records} neighbourhoods parsed and loaded in {seconds:.2f} s")
    assert result.records == len(raw["features"]) == 158
    assert result.warnings == []
    assert counts(db) == ({"Area": 158, "Dataset": 1}, {})
    (known,) = [f for f in raw["features"] if f["properties"]["AREA_SHORT_CODE"] == KNOWN_CODE]
    (row,) = db.read("MATCH (a:Area {id: $id}) RETURN a.name AS name, a.kind AS kind, a.extent AS extent, "
                     "a.dataset AS dataset", {"id": f"toronto:{KNOWN_CODE}"})
    assert (row["name"], row["kind"], row["dataset"]) == (KNOWN_NAME, "neighbourhood", "toronto")
    assert json.loads(row["extent"]) == known["geometry"]


def test_a_point_inside_a_toronto_neighbourhood_lands_in_it_and_every_branch_where_shapely_says(
    db: GraphEngine, shared_data: Path,
) -> None:
    path = _neighbourhoods(shared_data)
    raw = json.loads(path.read_text(encoding="utf-8"))
    (known,) = [f for f in raw["features"] if f["properties"]["AREA_SHORT_CODE"] == KNOWN_CODE]
    inside = shape(known["geometry"]).representative_point()
    libraries = _libraries(shared_data, {"probe": (inside.y, inside.x)})
    load_parsed(db, libraries, dataset_id="libraries", path=path)
    located = located_locations(db)
    assert len(located) == libraries.records == 101

    result = _load_areas(db, path, "toronto")
    links = _in_area(db)
    assert {area for location, area in links if location == "probe"} == {f"toronto:{KNOWN_CODE}"}
    expected = _expected_links(raw["features"], lambda f: f["properties"]["AREA_SHORT_CODE"], "toronto", located)
    assert links == expected and len(links) == 101  # each branch lies in exactly one neighbourhood
    assert result.counts["IN_AREA"] == 101
    assert db.read("MATCH ()-[r:IN_AREA]->() RETURN DISTINCT r.dataset AS dataset") == [{"dataset": "toronto"}]


def test_a_malformed_copy_is_rejected_with_precise_errors_and_the_graph_is_unchanged(
    db: GraphEngine, shared_data: Path, tmp_path: Path,
) -> None:
    path = _neighbourhoods(shared_data)
    load_parsed(db, _libraries(shared_data), dataset_id="libraries", path=path)
    _load_areas(db, path, "toronto")
    before = snapshot(db)
    raw = json.loads(path.read_text(encoding="utf-8"))
    broken = copy.deepcopy(raw)
    flat = [[-79.40, 43.70], [-79.39, 43.71], [-79.38, 43.72], [-79.40, 43.70]]  # collinear: no area to keep
    broken["features"][4]["geometry"] = {"type": "MultiPolygon", "coordinates": [[flat]]}
    del broken["features"][8]["properties"]["AREA_SHORT_CODE"]
    broken["features"][11]["geometry"]["coordinates"][0][0][3] = [-279.4, 43.7]
    copy_path = tmp_path / "toronto_neighbourhoods.geojson"
    copy_path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(LoadRejected) as rejected:
        _load_areas(db, copy_path, "toronto")
    assert [str(p) for p in rejected.value.report.errors] == [
        "toronto_neighbourhoods.geojson:5:geometry: not a valid polygon (Self-intersection[-79.39 43.71]) and "
        "repairing it leaves no area; fix the geometry",
        "toronto_neighbourhoods.geojson:9:AREA_SHORT_CODE: missing; every area needs an id (a string or whole number)",
        "toronto_neighbourhoods.geojson:12:geometry: polygon 1, ring 1, position 4: [-279.4, 43.7] is outside "
        "longitude −180…180, latitude −90…90; coordinates must be WGS 84 longitude/latitude (reproject the file)",
    ]
    assert snapshot(db) == before


def test_reloading_the_toronto_areas_is_idempotent_with_or_without_replace(db: GraphEngine, shared_data: Path) -> None:
    path = _neighbourhoods(shared_data)
    load_parsed(db, _libraries(shared_data), dataset_id="libraries", path=path)
    _load_areas(db, path, "toronto")
    first = snapshot(db)
    _load_areas(db, path, "toronto")
    assert snapshot(db) == first
    _load_areas(db, path, "toronto", replace=True)
    assert snapshot(db) == first
    assert counts(db) == ({"Area": 158, "Dataset": 2, "Location": 100}, {"IN_AREA": 100})


# --- the demo city (Kingston) -----------------------------------------------------------------------------------

def _demo_grid(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """The demo city's box as a city area and a 3 × 3 grid of wards within it, without the north-east
    ward (a gap) and with a hole in the middle ward (which a separate area fills)."""
    dlat, dlon = (NORTH - SOUTH) / 3, (EAST - WEST) / 3

    def box(south: float, west: float, north: float, east: float) -> list[list[float]]:
        return [[west, south], [east, south], [east, north], [west, north], [west, south]]

    features: list[dict[str, Any]] = [{"type": "Feature", "properties": {"code": "city", "name": "Kingston"},
                                       "geometry": {"type": "Polygon", "coordinates": [box(SOUTH, WEST, NORTH, EAST)]}}]
    hole = box(SOUTH + 1.25 * dlat, WEST + 1.25 * dlon, SOUTH + 1.75 * dlat, WEST + 1.75 * dlon)
    for row in range(3):
        for col in range(3):
            if (row, col) == (2, 2):
                continue
            rings = [box(SOUTH + row * dlat, WEST + col * dlon, SOUTH + (row + 1) * dlat, WEST + (col + 1) * dlon)]
            if (row, col) == (1, 1):
                rings.append(hole)
            features.append({"type": "Feature", "properties": {"code": f"w{row}{col}", "name": f"Ward {row}{col}",
                                                               "population": 1000 * (row * 3 + col), "in": "city"},
                             "geometry": {"type": "Polygon", "coordinates": rings}})
    features.append({"type": "Feature", "properties": {"code": "core", "name": "Core", "in": "w11"},
                     "geometry": {"type": "Polygon", "coordinates": [hole]}})
    path = tmp_path / "kingston_wards.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path, features


def test_every_demo_location_is_linked_to_exactly_the_areas_shapely_says_cover_it(
    db: GraphEngine, demo_source: Path, tmp_path: Path,
) -> None:
    load_parsed(db, parse_hsds(demo_source), dataset_id="demo", path=demo_source)
    located = located_locations(db)
    (row,) = db.read("MATCH (l:Location) WHERE l.latitude IS NOT NULL RETURN count(l) AS n")
    assert len(located) == row["n"] > 100 and located == sorted(located)
    path, features = _demo_grid(tmp_path)
    result = _load_areas(db, path, "kingston", parent_prop="in")
    assert result.warnings == [] and result.counts["Area"] == 10 and result.counts["WITHIN"] == 9
    expected = _expected_links(features, lambda f: f["properties"]["code"], "kingston", located)
    links = _in_area(db)
    assert links == expected
    linked = {location for location, _ in links}
    in_wards = {location for location, area in links if area not in ("kingston:city", "kingston:core")}
    assert len(linked) == len(located)  # the city area covers every demo site
    assert 0 < len(in_wards) < len(located)  # the gap in the north-east leaves some sites in no ward
    assert db.read("MATCH (a:Area {id: 'kingston:core'})-[:WITHIN]->(w:Area)-[:WITHIN]->(c:Area) "
                   "RETURN w.id AS ward, c.name AS city") == [{"ward": "kingston:w11", "city": "Kingston"}]
    assert db.read("MATCH (a:Area {id: 'kingston:w12'}) RETURN a.population AS population") == [{"population": 5000}]


def test_reloading_the_areas_relinks_locations_that_a_replace_of_their_dataset_re_created(
    db: GraphEngine, demo_source: Path, tmp_path: Path,
) -> None:
    load_parsed(db, parse_hsds(demo_source), dataset_id="demo", path=demo_source)
    path, _ = _demo_grid(tmp_path)
    _load_areas(db, path, "kingston", parent_prop="in")
    linked = _in_area(db)
    load_parsed(db, parse_hsds(demo_source), dataset_id="demo", path=demo_source, replace=True)
    _load_areas(db, path, "kingston", parent_prop="in")
    assert _in_area(db) == linked


def test_replacing_the_areas_with_a_new_version_drops_the_links_that_no_longer_hold(
    db: GraphEngine, demo_source: Path, tmp_path: Path,
) -> None:
    load_parsed(db, parse_hsds(demo_source), dataset_id="demo", path=demo_source)
    path, features = _demo_grid(tmp_path)
    _load_areas(db, path, "kingston", parent_prop="in")
    smaller = [f for f in features if f["properties"]["code"] not in ("city", "w00")]
    for feature in smaller:
        feature["properties"].pop("in", None)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": smaller}), encoding="utf-8")
    _load_areas(db, path, "kingston", replace=True)
    expected = _expected_links(smaller, lambda f: f["properties"]["code"], "kingston", located_locations(db))
    assert _in_area(db) == expected
    assert counts(db)[0]["Area"] == len(smaller) and "WITHIN" not in counts(db)[1]


def test_areas_can_lie_within_an_area_another_load_brought(db: GraphEngine, shared_data: Path, tmp_path: Path) -> None:
    city = tmp_path / "city.geojson"
    box = [[-79.7, 43.5], [-79.0, 43.5], [-79.0, 43.9], [-79.7, 43.9], [-79.7, 43.5]]
    city.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "toronto", "properties": {"name": "Toronto"},
         "geometry": {"type": "Polygon", "coordinates": [box]}}]}), encoding="utf-8")
    _load_areas(db, city, "ontario", kind="city")
    result = _load_areas(db, _neighbourhoods(shared_data), "toronto", parent_id="ontario:toronto")
    assert result.counts["WITHIN"] == 158
    assert db.read("MATCH (n:Area)-[:WITHIN]->(c:Area {kind: 'city'}) RETURN c.name AS city, count(n) AS n") == [
        {"city": "Toronto", "n": 158}]
