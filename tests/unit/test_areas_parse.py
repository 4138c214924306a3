"""Reading planning areas from GeoJSON (loaders.areas) and placing points in them (loaders.areas_links):
synthetic FeatureCollections written to tmp_path, no database."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, shape

from domain.geo import extent_key
from loaders.areas import AreasResult, parse_areas
from loaders.areas_links import covering_areas
from loaders.skipping import skip_invalid

FILE = "areas.geojson"


def _square(x: float, y: float, size: float = 1.0) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def _polygon(*rings: list[list[Any]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def _feature(geometry: Any = None, *, fid: Any = None, **props: Any) -> dict[str, Any]:
    feature: dict[str, Any] = {"type": "Feature", "properties": props,
                               "geometry": _polygon(_square(0, 0)) if geometry is None else geometry}
    if fid is not None:
        feature["id"] = fid
    return feature


def _write(tmp_path: Path, features: list[Any], **extra: Any) -> Path:
    path = tmp_path / FILE
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}), encoding="utf-8")
    return path


def _parse(tmp_path: Path, features: list[Any], **options: Any) -> AreasResult:
    return parse_areas(_write(tmp_path, features), **{"namespace": "city", **options})


def _errors(result: AreasResult) -> list[str]:
    return [str(p) for p in result.report.errors]


def _warnings(result: AreasResult, field: str | None = None) -> list[str]:
    return [str(p) for p in result.report.warnings if field is None or p.field == field]


def _areas(result: AreasResult) -> dict[str, dict[str, Any]]:
    return {area_id: row["props"] for area_id, row in result.plan.nodes.get("Area", {}).items()}


def _links(result: AreasResult, kind: tuple[str, str, str]) -> set[tuple[str, str]]:
    return {(r["from"], r["to"]) for r in result.plan.relationships.get(kind, {}).values()}


# --- areas and their properties ---------------------------------------------------------------------------

def test_each_feature_becomes_a_namespaced_area_with_name_kind_population_and_compact_extent(tmp_path: Path) -> None:
    geometry = _polygon(_square(-76.5, 44.2, 0.1))
    result = _parse(tmp_path, [_feature(geometry, code="W1", name=" Sydenham ", population=12345),
                               _feature(_polygon(_square(-76.4, 44.2, 0.1)), code=2, name="Portsmouth")])
    assert _errors(result) == [] and _warnings(result) == []
    assert (result.format, result.records, result.id_prop, result.name_prop) == ("geojson-areas", 2, "code", "name")
    areas = _areas(result)
    assert sorted(areas) == ["city:2", "city:W1"]
    first = areas["city:W1"]
    assert (first["name"], first["kind"], first["population"]) == ("Sydenham", "neighbourhood", 12345)
    assert " " not in first["extent"] and json.loads(first["extent"]) == geometry
    assert first["extentKey"] == extent_key(first["extent"])
    assert "population" not in areas["city:2"]  # not given: left off, not zero
    assert result.plan.counts() == {"Area": 2}


def test_the_features_own_id_member_is_the_default_id(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(fid=7, code="x", name="A"),
                               _feature(_polygon(_square(1, 0)), fid="b8", code="y", name="B")])
    assert result.id_prop is None
    assert sorted(_areas(result)) == ["city:7", "city:b8"]


def test_toronto_style_properties_are_detected_preferring_the_official_code_to_the_portal_row(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(_id=1, AREA_SHORT_CODE="174", AREA_NAME="South Eglinton-Davisville",
                                        CLASSIFICATION_CODE="NA")])
    assert (result.id_prop, result.name_prop) == ("AREA_SHORT_CODE", "AREA_NAME")
    assert _areas(result)["city:174"]["name"] == "South Eglinton-Davisville"


def test_explicit_options_win_over_detection(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(fid=1, id="one", ward="W-9", name="short", long_name="Ward Nine",
                                        pop_2021="900", level="ward")],
                    id_prop="ward", name_prop="long_name", population_prop="pop_2021", kind_prop="level")
    assert _areas(result)["city:W-9"] | {"extent": None, "extentKey": None} == {
        "name": "Ward Nine", "kind": "ward", "population": 900, "extent": None, "extentKey": None}


def test_the_kind_is_one_for_all_unless_a_property_gives_it(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a", name="A", level="district"),
                               _feature(_polygon(_square(1, 0)), code="b", name="B")],
                    kind="ward", kind_prop="level")
    assert {k: v["kind"] for k, v in _areas(result).items()} == {"city:a": "district", "city:b": "ward"}


def test_an_option_that_names_no_property_is_one_error_listing_the_properties(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a", name="A")], name_prop="NAME")
    assert _errors(result) == [
        f"{FILE}:0:name_prop: no feature has a property 'NAME'; their properties are: code, name"]
    assert result.plan.node_count() == 0


def test_a_file_with_no_recognisable_id_asks_for_id_prop(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(label="A")])
    assert len(_errors(result)) == 1
    assert _errors(result)[0].startswith(f"{FILE}:0:id_prop: the features have no `id` member and no property looks "
                                         "like an id")


def test_a_feature_without_its_id_is_an_error_at_its_number_and_the_others_are_still_checked(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a", name="A"), _feature(name="B"), _feature(code=" ", name="C"),
                               _feature(code=["x"], name="D"), _feature({"type": "Point", "coordinates": [0, 0]},
                                                                         code="e", name="E")])
    assert _errors(result) == [
        f"{FILE}:2:code: missing; every area needs an id (a string or whole number)",
        f"{FILE}:3:code: missing; every area needs an id (a string or whole number)",
        f"{FILE}:4:code: ['x'] is not an id; every area needs an id (a string or whole number)",
        f"{FILE}:5:geometry: a Point; an area needs a Polygon or MultiPolygon",
    ]
    assert set(_areas(result)) == {"city:a"}  # the plan holds the valid areas only (load refuses it, or skips)


def test_duplicate_ids_are_errors_naming_the_feature_that_has_it_first(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a"), _feature(code="b"), _feature(code="a")])
    assert _errors(result) == [f"{FILE}:3:code: duplicate id 'a' (feature 1 has it too); each area needs its own id"]


def test_a_missing_name_is_a_warning_and_the_area_is_named_by_its_id(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a", name="A"), _feature(code="b", name="")])
    assert _warnings(result) == [f"{FILE}:2:name: no name; the area is named by its id"]
    assert _areas(result)["city:b"]["name"] == "b"
    nameless = _parse(tmp_path, [_feature(code="a")])
    assert [p.field for p in nameless.report.warnings] == ["name_prop"]
    assert _areas(nameless)["city:a"]["name"] == "a"


@pytest.mark.parametrize(("value", "expected"), [(0, 0), (1234, 1234), (1234.0, 1234), ("1,234", 1234),
                                                 (" 98 ", 98), (None, None), ("", None)])
def test_populations_are_whole_numbers_or_absent(tmp_path: Path, value: Any, expected: int | None) -> None:
    result = _parse(tmp_path, [_feature(code="a", population=value)])
    assert _errors(result) == []
    assert _areas(result)["city:a"].get("population") == expected


@pytest.mark.parametrize("value", [-1, 12.5, "many", "1.234,5", True, [3]])
def test_a_population_that_is_not_a_whole_number_of_at_least_zero_is_an_error(tmp_path: Path, value: Any) -> None:
    result = _parse(tmp_path, [_feature(code="a"), _feature(code="b", population=value)])
    assert _errors(result) == [f"{FILE}:2:population: {value!r} is not a population; give a whole number ≥ 0 "
                               "(or leave it empty)"]


# --- the file -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ('{"type": "FeatureCollection", "features": [', "not valid JSON: Expecting value at line 1 column 44"),
    ('{"type": "Feature", "properties": {}, "geometry": null}',
     'type: a GeoJSON Feature, not a FeatureCollection; give {"type": "FeatureCollection", "features": '
     "[one Feature per area]}"),
    ("[1, 2]", 'type: a JSON list, not a FeatureCollection; give {"type": "FeatureCollection", "features": '
     "[one Feature per area]}"),
    ('{"type": "FeatureCollection", "features": []}',
     "features: no features; give one Feature per area in a `features` list"),
])
def test_a_file_that_is_no_feature_collection_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / FILE
    path.write_text(text, encoding="utf-8")
    result = parse_areas(path, namespace="city")
    prefix = f"{FILE}:0:" if message.startswith(("type", "features")) else f"{FILE}:0:: "
    assert _errors(result) == [prefix + message]


def test_a_projected_crs_is_refused_and_crs84_is_accepted(tmp_path: Path) -> None:
    for name, ok in (("urn:ogc:def:crs:OGC:1.3:CRS84", True), ("urn:ogc:def:crs:EPSG::4326", True),
                     ("urn:ogc:def:crs:EPSG::26917", False)):
        path = _write(tmp_path, [_feature(code="a")], crs={"type": "name", "properties": {"name": name}})
        errors = _errors(parse_areas(path, namespace="city"))
        assert errors == ([] if ok else [f"{FILE}:0:crs: '{name}' is not WGS 84 longitude/latitude; reproject the "
                                         "file (e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`)"])


def test_an_entry_that_is_not_a_feature_is_an_error_at_its_number(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a"), {"type": "Polygon"}, _feature(code="c")])
    assert [(p.row, p.field) for p in result.report.errors] == [(2, "")]


def test_a_namespace_is_required_and_parent_options_exclude_each_other(tmp_path: Path) -> None:
    path = _write(tmp_path, [_feature(code="a")])
    with pytest.raises(ValueError, match="namespace"):
        parse_areas(path, namespace=" ")
    with pytest.raises(ValueError, match="not both"):
        parse_areas(path, namespace="city", parent_prop="p", parent_id="x")


# --- geometry -------------------------------------------------------------------------------------------------

BOW_TIE = [[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]


def test_a_bow_tie_is_repaired_into_its_two_triangles_with_a_warning(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a"), _feature(_polygon(BOW_TIE), code="tie")])
    assert _errors(result) == []
    assert _warnings(result, "geometry") == [
        f"{FILE}:2:geometry: not a valid polygon (Self-intersection[1 1]); repaired with make_valid, keeping its "
        "polygonal parts"]
    extent = json.loads(_areas(result)["city:tie"]["extent"])
    repaired = shape(extent)
    assert extent["type"] == "MultiPolygon" and len(extent["coordinates"]) == 2
    assert repaired.is_valid and repaired.area == pytest.approx(2.0)
    assert repaired.covers(Point(0.2, 1.0)) and not repaired.covers(Point(1.0, 0.2))
    assert _areas(result)["city:tie"]["extentKey"] == extent_key(_areas(result)["city:tie"]["extent"])


def test_an_unclosed_ring_is_closed_with_a_warning(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(_polygon(_square(0, 0)[:-1]), code="a")])
    assert _warnings(result, "geometry") == [
        f"{FILE}:1:geometry: ring 1 was not closed (a GeoJSON ring ends where it starts); closed it"]
    assert json.loads(_areas(result)["city:a"]["extent"]) == _polygon(_square(0, 0))


def test_a_hole_outside_its_shell_is_repaired_to_a_valid_multipolygon(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(_polygon(_square(0, 0), _square(5, 5)), code="a")])
    warnings = _warnings(result, "geometry")
    assert len(warnings) == 1 and "not a valid polygon (Hole lies outside shell[5 5])" in warnings[0]
    assert shape(json.loads(_areas(result)["city:a"]["extent"])).is_valid


def test_a_valid_multipolygon_is_kept_as_given_in_two_dimensions(tmp_path: Path) -> None:
    three_d = [[x, y, 75.0] for x, y in _square(3, 3)]
    geometry = {"type": "MultiPolygon", "coordinates": [[_square(0, 0), _square(0.25, 0.25, 0.5)], [three_d]]}
    result = _parse(tmp_path, [_feature(geometry, code="a", name="A")])
    assert _warnings(result) == []
    assert json.loads(_areas(result)["city:a"]["extent"]) == {
        "type": "MultiPolygon", "coordinates": [[_square(0, 0), _square(0.25, 0.25, 0.5)], [_square(3, 3)]]}


@pytest.mark.parametrize(("geometry", "message"), [
    (None, "missing; every area needs a Polygon or MultiPolygon"),
    ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "a LineString; an area needs a Polygon or MultiPolygon"),
    ({"coordinates": []}, "not a GeoJSON geometry; an area needs a Polygon or MultiPolygon"),
    (_polygon(), "empty: the geometry has no coordinates"),
    ({"type": "MultiPolygon", "coordinates": []}, "empty: the geometry has no coordinates"),
    ({"type": "MultiPolygon", "coordinates": [[_square(0, 0)], []]}, "polygon 2, empty: a polygon needs an outer ring"),
    ({"type": "Polygon"}, "no coordinates list"),
    (_polygon([[0, 0], [1, 0], [0, 0]]), "ring 1: 3 position(s); a ring needs at least 4 (three corners and the "
     "first again), so this cannot be repaired"),
    (_polygon(_square(0, 0), [[0.2, 0.2], [0.4, 0.4]]), "ring 2: 2 position(s); a ring needs at least 4 (three "
     "corners and the first again), so this cannot be repaired"),
    (_polygon([[0, 0], [1, 1], [2, 2], [0, 0]]), "not a valid polygon (Self-intersection[1 1]) and repairing it "
     "leaves no area; fix the geometry"),
    (_polygon([[0, 0], [1, 0], ["1", 1], [0, 0]]), 'ring 1, position 3: ["1", 1] is not a [longitude, latitude] '
     "pair of numbers"),
    (_polygon([[0, 0], [1, 0], [1], [0, 0]]), "ring 1, position 3: [1] is not a [longitude, latitude] pair of numbers"),
    (_polygon([[0, 0], [200, 0], [1, 1], [0, 0]]), "ring 1, position 2: [200, 0] is outside longitude −180…180, "
     "latitude −90…90; coordinates must be WGS 84 longitude/latitude (reproject the file)"),
    (_polygon([[49.2, -123.1], [49.3, -123.1], [49.3, -123.0], [49.2, -123.1]]),  # Vancouver, latitude first
     "ring 1, position 1: [49.2, -123.1] is outside longitude −180…180, latitude −90…90; GeoJSON puts longitude "
     "first — are they swapped?"),
    (_polygon([[630000.0, 4_840_000.0], [631000.0, 4_840_000.0], [631000.0, 4_841_000.0], [630000.0, 4_840_000.0]]),
     "ring 1, position 1: [630000.0, 4840000.0] is outside longitude −180…180, latitude −90…90; coordinates must "
     "be WGS 84 longitude/latitude (reproject the file)"),
])
def test_a_geometry_that_cannot_be_an_area_is_an_error_naming_the_feature(
    tmp_path: Path, geometry: Any, message: str,
) -> None:
    feature = _feature(code="bad")
    feature["geometry"] = geometry
    result = _parse(tmp_path, [_feature(code="ok"), feature])
    assert _errors(result) == [f"{FILE}:2:geometry: {message}"]
    assert set(_areas(result)) == {"city:ok"}
    assert [(p.record, p.node) for p in result.report.errors] == [(("area", "bad"), ("Area", "city:bad"))]


def test_a_non_finite_coordinate_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / FILE  # json.dumps would refuse NaN only with allow_nan=False; Python's reader accepts it
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "a"}, '
                    '"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [NaN, 1], [0, 0]]]}}]}')
    assert _errors(parse_areas(path, namespace="city")) == [
        f"{FILE}:1:geometry: ring 1, position 3: [NaN, 1] is not a [longitude, latitude] pair of numbers"]


# --- parents --------------------------------------------------------------------------------------------------

def test_a_parent_property_links_areas_within_areas_of_the_file_or_of_the_graph(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="city", name="City"), _feature(code="w1", parent="city"),
                               _feature(code="n1", parent="w1"), _feature(code="n2", parent="region:east")],
                    parent_prop="parent", known_areas={"region:east"})
    assert _errors(result) == []
    assert _links(result, ("Area", "WITHIN", "Area")) == {
        ("city:w1", "city:city"), ("city:n1", "city:w1"), ("city:n2", "region:east")}


def test_unknown_self_and_looping_parents_are_errors(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a", parent="nowhere"), _feature(code="b", parent="b"),
                               _feature(code="c", parent="d"), _feature(code="d", parent="c"),
                               _feature(code="e", parent=4.5)], parent_prop="parent")
    assert _errors(result) == [
        f"{FILE}:1:parent: 'nowhere' is no area of this file or of the graph; name the parent by its id",
        f"{FILE}:2:parent: an area cannot lie within itself",
        f"{FILE}:3:parent: the parents form a loop (feature 3 → feature 4 → feature 3); an area cannot lie within "
        "itself",
        f"{FILE}:4:parent: the parents form a loop (feature 4 → feature 3 → feature 4); an area cannot lie within "
        "itself",
        f"{FILE}:5:parent: 4.5 is not an area id",
    ]


def test_a_parent_whose_own_feature_has_errors_is_not_reported_unknown_but_its_child_says_it_depends_on_it(
    tmp_path: Path,
) -> None:
    result = _parse(tmp_path, [_feature({"type": "Point", "coordinates": [0, 0]}, code="w"),
                               _feature(code="n", parent="w")], parent_prop="parent")
    assert _errors(result) == [
        f"{FILE}:1:geometry: a Point; an area needs a Polygon or MultiPolygon",
        f"{FILE}:2:parent: its parent area 'w' (feature 1) has errors, so this area is not loaded either; fix the "
        "parent",
    ]
    assert _areas(result) == {}


def test_one_parent_id_puts_every_other_area_within_it(tmp_path: Path) -> None:
    features = [_feature(code="all"), _feature(code="a"), _feature(code="b")]
    result = _parse(tmp_path, features, parent_id="all")
    assert _links(result, ("Area", "WITHIN", "Area")) == {("city:a", "city:all"), ("city:b", "city:all")}
    in_graph = _parse(tmp_path, features, parent_id="province:on", known_areas=["province:on"])
    assert len(_links(in_graph, ("Area", "WITHIN", "Area"))) == 3
    unknown = _parse(tmp_path, features, parent_id="province:on")
    assert _errors(unknown) == [f"{FILE}:0:parent_id: 'province:on' is no area of this file or of the graph; load "
                                "the parent area first, or give an area's id"]


# --- locations in areas ---------------------------------------------------------------------------------------

def _grid(tmp_path: Path) -> Path:
    """Four unit squares a (0,0), b (1,0), c (0,1), d (1,1); a has a hole (0.25…0.75)², which e fills."""
    hole = _square(0.25, 0.25, 0.5)
    features = [_feature(_polygon(_square(0, 0), hole), code="a"), _feature(_polygon(_square(1, 0)), code="b"),
                _feature(_polygon(_square(0, 1)), code="c"), _feature(_polygon(_square(1, 1)), code="d"),
                _feature(_polygon(hole), code="e")]
    return _write(tmp_path, features)


def test_locations_are_in_the_areas_covering_them_and_a_hole_is_not_its_shell(tmp_path: Path) -> None:
    locations = [  # (id, latitude, longitude)
        ("in-a", 0.1, 0.1), ("in-b", 0.5, 1.5), ("in-hole", 0.5, 0.5), ("in-d", 1.9, 1.9), ("outside", 5.0, 5.0),
        ("on-a-b-edge", 0.1, 1.0), ("on-corner", 1.0, 1.0), ("on-hole-edge", 0.5, 0.25),
        ("no-point", math.nan, 0.5), ("off-earth", 95.0, 0.5),
    ]
    result = parse_areas(_grid(tmp_path), namespace="city", locations=locations)
    assert _errors(result) == []
    # A point on a boundary is in every area whose polygon covers it (see loaders.areas_links).
    assert _links(result, ("Location", "IN_AREA", "Area")) == {
        ("in-a", "city:a"), ("in-b", "city:b"), ("in-hole", "city:e"), ("in-d", "city:d"),
        ("on-a-b-edge", "city:a"), ("on-a-b-edge", "city:b"),
        ("on-corner", "city:a"), ("on-corner", "city:b"), ("on-corner", "city:c"), ("on-corner", "city:d"),
        ("on-hole-edge", "city:a"), ("on-hole-edge", "city:e"),
    }


def test_the_tree_finds_exactly_the_areas_shapely_says_cover_each_point(tmp_path: Path) -> None:
    result = parse_areas(_grid(tmp_path), namespace="city")
    steps = [i / 8 for i in range(-2, 19)]  # every eighth from -0.25 to 2.25: interiors, edges, corners, outside
    locations = [(f"p{lat},{lon}", lat, lon) for lat, lon in itertools.product(steps, steps)]
    expected = {(loc, area_id) for loc, lat, lon in locations for area_id, polygon in result.shapes.items()
                if polygon.covers(Point(lon, lat))}
    assert len(expected) > len(locations) / 2
    assert set(covering_areas(result.shapes, locations)) == expected


def test_nothing_is_linked_when_the_file_has_errors(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a"), _feature(code="a")], locations=[("x", 0.5, 0.5)])
    assert result.report.errors and result.plan.relationship_count() == 0 and result.plan.node_count() == 0


# --- --skip-invalid: each feature is a record ------------------------------------------------------------------

def test_with_skip_invalid_an_unreadable_feature_is_left_out_and_the_rest_load(tmp_path: Path) -> None:
    point = {"type": "Point", "coordinates": [0, 0]}
    features: list[Any] = [_feature(code="ok"), _feature(code="nogeo"), _feature(point, code="point"),
                           _feature(name="no id"), "not a feature", _feature(code="ok2", population="many")]
    features[1]["geometry"] = None
    result = _parse(tmp_path, features, locations=[("site", 0.5, 0.5)])
    assert [(p.row, p.record, p.node) for p in result.report.errors] == [
        (2, ("area", "nogeo"), ("Area", "city:nogeo")), (3, ("area", "point"), ("Area", "city:point")),
        (4, ("area", "feature 4"), None), (5, ("area", "feature 5"), None),
        (6, ("area", "ok2"), ("Area", "city:ok2")),
    ]
    skipped = skip_invalid(result.plan, result.report.errors, result.origins)
    assert skipped.unattributed == [] and skipped.counts() == {"area": 5}
    assert set(_areas(result)) == {"city:ok"}
    assert _links(result, ("Location", "IN_AREA", "Area")) == {("site", "city:ok")}


def test_areas_within_a_skipped_area_are_skipped_with_it_each_naming_its_parent(tmp_path: Path) -> None:
    features = [_feature({"type": "Point", "coordinates": [0, 0]}, code="ward"), _feature(code="hood", parent="ward"),
                _feature(code="block", parent="hood"), _feature(code="other")]
    result = _parse(tmp_path, features, parent_prop="parent")
    skipped = skip_invalid(result.plan, result.report.errors, result.origins)
    assert {record: [p.message for p in problems] for record, problems in skipped.records().items()} == {
        ("area", "ward"): ["a Point; an area needs a Polygon or MultiPolygon"],
        ("area", "hood"): ["its parent area 'ward' (feature 1) has errors, so this area is not loaded either; "
                           "fix the parent"],
        ("area", "block"): ["its parent area 'hood' (feature 2) has errors, so this area is not loaded either; "
                            "fix the parent"],
    }
    assert set(_areas(result)) == {"city:other"} and _links(result, ("Area", "WITHIN", "Area")) == set()


def test_two_features_with_one_id_are_one_record_and_neither_loads(tmp_path: Path) -> None:
    result = _parse(tmp_path, [_feature(code="a"), _feature(code="b"), _feature(code="a")])
    skipped = skip_invalid(result.plan, result.report.errors, result.origins)
    assert list(skipped.records()) == [("area", "a")]
    assert set(_areas(result)) == {"city:b"}


def test_an_option_naming_no_property_or_area_names_no_record_so_a_skipping_load_stops(tmp_path: Path) -> None:
    for options in ({"id_prop": "nope"}, {"name_prop": "nope"}, {"parent_id": "nowhere"}):
        result = _parse(tmp_path, [_feature(code="a"), _feature(code="b")], **options)
        assert result.report.errors and all(p.record is None for p in result.report.errors), options
        assert skip_invalid(result.plan, result.report.errors).unattributed == result.report.errors


def test_a_warning_names_its_area_so_strict_skipping_leaves_that_area_out(tmp_path: Path) -> None:
    open_ring = _polygon(_square(0, 0)[:-1])
    result = _parse(tmp_path, [_feature(open_ring, code="open", name="Open"),
                               _feature(_polygon(_square(2, 2)), code="fine", name="Fine")],
                    locations=[("site", 0.5, 0.5)])
    assert [p.record for p in result.report.warnings] == [("area", "open")]
    skip_invalid(result.plan, result.report.strict().errors, result.origins)
    assert set(_areas(result)) == {"city:fine"} and _links(result, ("Location", "IN_AREA", "Area")) == set()
