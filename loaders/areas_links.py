"""Which planning areas each location lies in (`Location -IN_AREA-> Area`), decided in Python.

Neither engine tests a point against a polygon, so an areas load computes the links itself: one
shapely STRtree over the areas' polygons, queried once with every location's point. A point on
a boundary is in every area whose polygon covers it (`covered_by`: interior or boundary): IN_AREA
is many-valued anyway (a neighbourhood and the ward it lies within both hold a site), breaking the
tie by id would be arbitrary, and a site on a boundary street does serve both sides. Exact
boundary hits are rare for geocoded points, so counts per area are barely affected.

`located_locations` reads the locations already in the graph, so that loading areas (re)links
every one of them, whatever dataset brought it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import shapely
from shapely.strtree import STRtree

from graph.engine import GraphEngine
from queries import run

LocatedLocation = tuple[str, float, float]  # (location id, latitude, longitude)


def located_locations(db: GraphEngine) -> list[LocatedLocation]:
    """Every Location of the graph with coordinates, as (id, latitude, longitude), by id."""
    found: list[LocatedLocation] = []
    for row in run.read(db, "load/located_locations"):
        point = _point(row["latitude"], row["longitude"])
        if point is not None:
            found.append((str(row["id"]), *point))
    return found


def existing_area_ids(db: GraphEngine) -> set[str]:
    """Ids of the planning areas already in the graph, which an areas file may name as parents."""
    return {str(row["id"]) for row in run.read(db, "load/area_ids")}


def _point(latitude: Any, longitude: Any) -> tuple[float, float] | None:
    """(latitude, longitude) as floats, or None when not a point on Earth (such a location is in no area)."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def covering_areas(areas: Mapping[str, Any], locations: Iterable[LocatedLocation]) -> list[tuple[str, str]]:
    """(location id, area id) for every area whose polygon covers the location's point, sorted.

    `areas` maps area ids to shapely (Multi)Polygons. Locations without a usable point are skipped."""
    ids = list(areas)
    points: list[tuple[str, float, float]] = []
    for location_id, latitude, longitude in locations:
        point = _point(latitude, longitude)
        if point is not None:
            points.append((location_id, *point))
    if not ids or not points:
        return []
    tree = STRtree([areas[area_id] for area_id in ids])
    geometries = shapely.points([lon for _, _, lon in points], [lat for _, lat, _ in points])
    hits = tree.query(geometries, predicate="covered_by")  # [[point index…], [area index…]]
    return sorted({(points[int(p)][0], ids[int(a)]) for p, a in zip(hits[0], hits[1], strict=True)})
