"""Plane-free geometry the search needs: great-circle distance, GeoJSON polygon coverage, and the
search grid.

Neither engine can test a point against a polygon in Cypher, so service-area coverage is decided
here, against the areas' GeoJSON extents (`AreaIndex`, built once per graph version: a city has
few distinct extents however many service-area records repeat them).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from domain.search_model import EARTH_RADIUS_KM, GeoPoint

Ring = Sequence[Sequence[float]]  # GeoJSON positions: [longitude, latitude]


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance on the mean Earth sphere."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    """Even-odd ray casting."""
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[i - 1][0], ring[i - 1][1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


@dataclass(frozen=True)
class Shape:
    """A GeoJSON Polygon or MultiPolygon as lists of polygons (outer ring, then holes), with its box."""

    polygons: tuple[tuple[Ring, ...], ...]
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    def covers(self, point: GeoPoint) -> bool:
        x, y = point.longitude, point.latitude
        min_x, min_y, max_x, max_y = self.box
        if not (min_x <= x <= max_x and min_y <= y <= max_y):
            return False
        return any(_in_ring(x, y, rings[0]) and not any(_in_ring(x, y, hole) for hole in rings[1:])
                   for rings in self.polygons)


def parse_extent(text: str) -> Shape | None:
    """A Shape from GeoJSON text (a geometry, a Feature or a one-feature FeatureCollection);
    None when it is not a usable (Multi)Polygon."""
    try:
        doc = json.loads(text)
    except (ValueError, TypeError):
        return None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" and len(doc.get("features") or []) == 1:
        doc = doc["features"][0]
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = doc.get("geometry")
    if not isinstance(doc, dict):
        return None
    coords: Any = doc.get("coordinates")
    polygons: tuple[tuple[Ring, ...], ...]
    try:
        if doc.get("type") == "Polygon":
            polygons = (tuple(coords),)
        elif doc.get("type") == "MultiPolygon":
            polygons = tuple(tuple(p) for p in coords)
        else:
            return None
        xs = [float(pt[0]) for rings in polygons for pt in rings[0]]
        ys = [float(pt[1]) for rings in polygons for pt in rings[0]]
    except (TypeError, IndexError, ValueError):
        return None
    if not xs or any(len(rings[0]) < 4 for rings in polygons):
        return None
    return Shape(polygons, (min(xs), min(ys), max(xs), max(ys)))


# The search grid: cells of fixed size in degrees (latitude, longitude) at three nested levels,
# each four times coarser. A search site is keyed by its cell at every level, so a search near a
# point reads only the cells around it: a fine level for small radii, a coarse one for wide ones.
GRID_LEVELS: Final[tuple[tuple[float, float], ...]] = ((0.02, 0.03), (0.08, 0.12), (0.32, 0.48))


def grid_cells(point: GeoPoint) -> list[str]:
    """The point's cell at each grid level, as `level|row|column`."""
    return [f"{level}|{math.floor(point.latitude / dlat)}|{math.floor(point.longitude / dlon)}"
            for level, (dlat, dlon) in enumerate(GRID_LEVELS)]


def grid_cells_within(point: GeoPoint, radius_km: float, level: int, limit: int) -> list[str] | None:
    """The cells of a grid level that hold every point within `radius_km` of `point` (a few more
    at the corners); None where that takes more than `limit` cells or the circle reaches a pole or
    the antimeridian, which the grid does not wrap."""
    delta = math.degrees(radius_km / EARTH_RADIUS_KM) * 1.01 + 1e-9  # 1 % for rounding, never exact
    low_lat, high_lat = point.latitude - delta, point.latitude + delta
    if low_lat <= -90.0 or high_lat >= 90.0:
        return None
    ratio = math.sin(math.radians(delta)) / math.cos(math.radians(point.latitude))
    if ratio >= 1.0:
        return None
    half_width = math.degrees(math.asin(ratio)) * 1.01 + 1e-9
    low_lon, high_lon = point.longitude - half_width, point.longitude + half_width
    if low_lon < -180.0 or high_lon > 180.0:
        return None
    dlat, dlon = GRID_LEVELS[level]
    rows = range(math.floor(low_lat / dlat), math.floor(high_lat / dlat) + 1)
    columns = range(math.floor(low_lon / dlon), math.floor(high_lon / dlon) + 1)
    if len(rows) * len(columns) > limit:
        return None
    return [f"{level}|{row}|{column}" for row in rows for column in columns]


def extent_key(extent: str) -> str:
    """A short digest of a service area's extent (ServiceArea.extentKey): areas of one shape share it."""
    return hashlib.sha256(extent.encode("utf-8")).hexdigest()[:16]


class AreaIndex:
    """Service areas grouped by extent: which service-area ids (or extent keys) cover a point."""

    def __init__(self, areas: Iterable[tuple[str, str]]) -> None:
        by_extent: dict[str, list[str]] = {}
        for area_id, extent in areas:
            by_extent.setdefault(extent, []).append(area_id)
        self._shapes: list[tuple[Shape, frozenset[str], str]] = []
        for extent, ids in by_extent.items():
            shape = parse_extent(extent)
            if shape is not None:
                self._shapes.append((shape, frozenset(ids), extent_key(extent)))

    def covering(self, point: GeoPoint) -> frozenset[str]:
        """Ids of the service areas whose extent covers the point."""
        found: set[str] = set()
        for shape, ids, _ in self._shapes:
            if shape.covers(point):
                found |= ids
        return frozenset(found)

    def covering_keys(self, point: GeoPoint) -> list[str]:
        """Extent keys of the shapes that cover the point, sorted."""
        return sorted(key for shape, _, key in self._shapes if shape.covers(point))

    @property
    def extents(self) -> int:
        return len(self._shapes)
