"""A brute-force front-line search computed straight from an HSDS 3.0 CSV package.

It answers the question of `domain.search_model.ServiceQuery` the slow, obvious way, to check
`services.search.search_services` against: it reads the CSV files with the `csv` module and never
touches the graph, the catalogue queries, `services.search` or `domain.geo`.

- **listed**: services whose `status` is "inactive" or "defunct" are never offered (the demo has
  no staff-only records).
- **need**: term ids or codes from `taxonomy_terms.csv`; the closure walks `parent_id` downwards
  (a term matches itself and every descendant). A service matches when an `attributes.csv` row
  with `link_entity` "service" and a `link_type` other than "eligibility" or "sector" tags it with
  a matching term (the demo writes "need" for what a service meets, "eligibility" for who it is
  for, and "sector" only on organizations). Several needs: any of them. Unknown: `KeyError`.
- **reach**: every location of the service (`service_at_location.csv` -> `locations.csv` rows
  with a latitude and longitude) is measured with the haversine formula, R = 6371.0088 km.
  `LOCATION` when the nearest is within the radius (<=); else `SERVICE_AREA` when one of its
  `service_areas.csv` GeoJSON Polygon / MultiPolygon extents covers the point (own even-odd ray
  casting, holes subtracted), with the nearest location's distance or None; else left out.
- **order**: with a point by (distance, None last, service id); without one by service id.
- **eligibility**: ONLY the age rule — a resident with an age outside
  `minimum_age <= age <= maximum_age` (either limit may be blank) is INELIGIBLE and left out
  unless `include_ineligible`. Population and language rules are NOT modelled: callers must ask
  only with a resident age (no languages, no populations), for which those rules can never make
  a service INELIGIBLE; they are unit-tested with `domain.eligibility` elsewhere.
- **open_at** and **text** are not modelled (opening hours are unit-tested elsewhere);
  `daytime_only` is the one schedule helper, for a single 3 a.m. check.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EARTH_RADIUS_KM = 6371.0088
NOT_NEEDS = frozenset({"eligibility", "sector"})

Ring = list[tuple[float, float]]  # (longitude, latitude)
Polygon = list[Ring]  # exterior ring, then holes


@dataclass(frozen=True)
class Place:
    location_id: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class RefHit:
    service_id: str
    reach: str | None  # "LOCATION" | "SERVICE_AREA" | None (no point asked)
    distance_km: float | None
    nearest_location_ids: frozenset[str]  # every location at exactly the nearest distance
    ineligible: bool  # by age


def rows(folder: Path, stem: str) -> Iterator[dict[str, str]]:
    """The rows of `folder/stem.csv` as dicts (absent file: no rows)."""
    path = folder / f"{stem}.csv"
    if not path.exists():
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting towards +longitude (the closing vertex may or may not repeat the first)."""
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def in_polygon(lon: float, lat: float, polygon: Polygon) -> bool:
    exterior, *holes = polygon
    return in_ring(lon, lat, exterior) and not any(in_ring(lon, lat, hole) for hole in holes)


def polygons_of(geojson: Any) -> list[Polygon]:
    """The polygons of a GeoJSON Polygon or MultiPolygon (also inside a Feature); anything else: none."""
    if not isinstance(geojson, dict):
        return []
    kind = geojson.get("type")
    if kind == "Feature":
        return polygons_of(geojson.get("geometry"))
    if kind == "Polygon":
        return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in geojson["coordinates"]]]
    if kind == "MultiPolygon":
        return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in poly] for poly in geojson["coordinates"]]
    return []


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def _age(text: str) -> int | None:
    value = _number(text)
    return None if value is None else int(value)


class BruteForce:
    """Everything the search needs from one HSDS CSV package, in plain dicts."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.service_ids: list[str] = []
        self.ages: dict[str, tuple[int | None, int | None]] = {}
        for r in rows(self.folder, "services"):
            if r.get("status", "").strip().lower() in ("inactive", "defunct"):
                continue  # the search never offers these
            self.service_ids.append(r["id"])
            self.ages[r["id"]] = (_age(r.get("minimum_age", "")), _age(r.get("maximum_age", "")))

        self.term_codes: dict[str, str] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        for r in rows(self.folder, "taxonomy_terms"):
            self.term_codes[r["id"]] = r.get("code", "")
            if r.get("parent_id"):
                self.children[r["parent_id"]].append(r["id"])
        self.by_code = {code: tid for tid, code in self.term_codes.items() if code}

        self.tags: dict[str, set[str]] = defaultdict(set)  # service id -> need term ids
        for r in rows(self.folder, "attributes"):
            if r["link_entity"] == "service" and r["link_type"] not in NOT_NEEDS:
                self.tags[r["link_id"]].add(r["taxonomy_term_id"])

        located: dict[str, Place] = {}
        for r in rows(self.folder, "locations"):
            lat, lon = _number(r.get("latitude", "")), _number(r.get("longitude", ""))
            if lat is not None and lon is not None:
                located[r["id"]] = Place(r["id"], lat, lon)
        self.places: dict[str, list[Place]] = defaultdict(list)
        self.sal_locations: dict[str, str] = {}  # service_at_location id -> location id
        self.sals: dict[str, list[str]] = defaultdict(list)  # service id -> service_at_location ids
        for r in rows(self.folder, "service_at_location"):
            self.sal_locations[r["id"]] = r["location_id"]
            self.sals[r["service_id"]].append(r["id"])
            if r["location_id"] in located:
                self.places[r["service_id"]].append(located[r["location_id"]])

        self.areas: dict[str, list[Polygon]] = defaultdict(list)
        for r in rows(self.folder, "service_areas"):
            extent = r.get("extent", "").strip()
            if extent and r.get("extent_type", "geojson").strip().lower() in ("geojson", ""):
                self.areas[r["service_id"]].extend(polygons_of(json.loads(extent)))

        self.schedules = list(rows(self.folder, "schedules"))

    # -- need ----------------------------------------------------------------------------------------

    def term_id(self, ref: str) -> str:
        """The id of a term given its id or code (KeyError when neither)."""
        if ref in self.term_codes:
            return ref
        return self.by_code[ref]

    def closure(self, refs: Iterable[str]) -> set[str]:
        """The terms `refs` name and all their descendants."""
        out: set[str] = set()
        todo = [self.term_id(ref) for ref in refs]
        while todo:
            term = todo.pop()
            if term not in out:
                out.add(term)
                todo.extend(self.children.get(term, ()))
        return out

    def services_for(self, need: Sequence[str]) -> list[str]:
        if not need:
            return list(self.service_ids)
        terms = self.closure(need)
        return [sid for sid in self.service_ids if self.tags.get(sid, set()) & terms]

    # -- the search ----------------------------------------------------------------------------------

    def ineligible(self, service_id: str, age: int | None) -> bool:
        if age is None:
            return False
        low, high = self.ages[service_id]
        return (low is not None and age < low) or (high is not None and age > high)

    def covers(self, service_id: str, latitude: float, longitude: float) -> bool:
        return any(in_polygon(longitude, latitude, poly) for poly in self.areas.get(service_id, ()))

    def search(
        self, *, need: Sequence[str] = (), point: tuple[float, float] | None = None, radius_km: float = 10.0,
        age: int | None = None, include_ineligible: bool = False,
    ) -> list[RefHit]:
        """Every matching service, in order. `point` is (latitude, longitude)."""
        hits: list[RefHit] = []
        for sid in self.services_for(need):
            bad = self.ineligible(sid, age)
            if bad and not include_ineligible:
                continue
            if point is None:
                hits.append(RefHit(sid, None, None, frozenset(), bad))
                continue
            lat, lon = point
            measured = [(haversine_km(lat, lon, p.latitude, p.longitude), p.location_id) for p in self.places[sid]]
            nearest = min((d for d, _ in measured), default=None)
            ties = frozenset(loc for d, loc in measured if d == nearest)
            if nearest is not None and nearest <= radius_km:
                hits.append(RefHit(sid, "LOCATION", nearest, ties, bad))
            elif self.covers(sid, lat, lon):
                hits.append(RefHit(sid, "SERVICE_AREA", nearest, ties, bad))
        if point is None:
            return sorted(hits, key=lambda h: h.service_id)
        return sorted(hits, key=lambda h: (h.distance_km is None, h.distance_km or 0.0, h.service_id))

    # -- schedules (one 3 a.m. check only) -------------------------------------------------------------

    def schedules_of(self, service_id: str) -> list[dict[str, str]]:
        """The service's own and its service-at-locations' schedules; if none, its locations'."""
        sals = set(self.sals.get(service_id, ()))
        own = [r for r in self.schedules if r["service_id"] == service_id or r["service_at_location_id"] in sals]
        if own:
            return own
        locations = {self.sal_locations[s] for s in sals}
        return [r for r in self.schedules if r["location_id"] and r["location_id"] in locations]


def always_open(schedule: dict[str, str]) -> bool:
    """Every day, 00:00 to 23:59, with no date limits: the demo's 24/7 pattern."""
    return (
        schedule["freq"] == "WEEKLY" and schedule["byday"] == "MO,TU,WE,TH,FR,SA,SU"
        and schedule["opens_at"] == "00:00" and schedule["closes_at"] == "23:59"
        and not schedule["valid_from"] and not schedule["valid_to"]
    )


def daytime_only(schedules: Sequence[dict[str, str]]) -> bool:
    """Every schedule opens after 3 a.m. and closes later the same day: closed at 03:00 on any day."""
    return all("03:00" < s["opens_at"] < s["closes_at"] for s in schedules)
