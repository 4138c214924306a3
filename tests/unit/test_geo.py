"""Great-circle distance and GeoJSON coverage (domain.geo)."""

from __future__ import annotations

import json

import pytest

from domain.geo import AreaIndex, haversine_km, parse_extent
from domain.search_model import GeoPoint

SQUARE = [[-76.5, 44.2], [-76.4, 44.2], [-76.4, 44.3], [-76.5, 44.3], [-76.5, 44.2]]
HOLE = [[-76.46, 44.24], [-76.44, 44.24], [-76.44, 44.26], [-76.46, 44.26], [-76.46, 44.24]]


def test_haversine_matches_known_distances() -> None:
    toronto, montreal = GeoPoint(43.6532, -79.3832), GeoPoint(45.5019, -73.5674)
    assert haversine_km(toronto, montreal) == pytest.approx(504.3, abs=0.5)
    assert haversine_km(toronto, toronto) == 0.0
    # one degree of latitude on the mean sphere
    assert haversine_km(GeoPoint(0, 0), GeoPoint(1, 0)) == pytest.approx(111.195, abs=0.001)


def test_a_polygon_with_a_hole_covers_its_ring_but_not_the_hole() -> None:
    shape = parse_extent(json.dumps({"type": "Polygon", "coordinates": [SQUARE, HOLE]}))
    assert shape is not None
    assert shape.covers(GeoPoint(44.21, -76.49))
    assert not shape.covers(GeoPoint(44.25, -76.45))  # in the hole
    assert not shape.covers(GeoPoint(44.35, -76.45))  # outside


def test_multipolygons_features_and_collections_are_understood() -> None:
    far = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], far]}
    for doc in (multi, {"type": "Feature", "geometry": multi},
                {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": multi}]}):
        shape = parse_extent(json.dumps(doc))
        assert shape is not None
        assert shape.covers(GeoPoint(0.5, 0.5)) and shape.covers(GeoPoint(44.25, -76.45))
        assert not shape.covers(GeoPoint(10, 10))


@pytest.mark.parametrize("text", ["", "not json", '{"type": "Point", "coordinates": [0, 0]}',
                                  '{"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}', "[1, 2]"])
def test_extents_that_are_no_polygon_are_ignored(text: str) -> None:
    assert parse_extent(text) is None


def test_the_area_index_returns_every_area_record_sharing_a_covering_extent() -> None:
    square = json.dumps({"type": "Polygon", "coordinates": [SQUARE]})
    elsewhere = json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]})
    index = AreaIndex([("a1", square), ("a2", square), ("b", elsewhere), ("c", "junk")])
    assert index.extents == 2
    assert index.covering(GeoPoint(44.25, -76.45)) == {"a1", "a2"}
    assert index.covering(GeoPoint(50, 50)) == frozenset()
