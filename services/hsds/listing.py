"""Which records an HSDS 3.0 API list returns: the ids matching its filters, in a stable order
(by id), one page of them, and how many match in all. The records themselves are built elsewhere
(queries/hsds_out.py reads them, services/hsds/serialize.py shapes them).

Every filter starts from an index: taxonomy_term_id, taxonomy_id, organization_id and parent_id
from the id index of the record named, search from the full-text index, proximity from the
Location point index. Each gives a set of candidate ids; the filters combine with AND (set
intersection), and what no index serves (modified_after, who may see a record) is checked in
Python on the few facts one query returns for the candidates, or for every record when no
index-backed filter was given. No query tests `$x IS NULL OR …` on an indexed property: one
query per filter, so the planner always starts from the index.

Filter semantics (the HSDS API reference leaves some open; see api/hsds/routes.py for the user-facing text):
- taxonomy_term_id: records tagged (any attribute) with the term or any narrower term (BROADER*),
  as a hierarchical taxonomy is meant to be searched (a "Food Bank" service is a "Food" service).
  For a service at location, its service's tags and its own count.
- taxonomy_id: tagged with any term of the taxonomy.
- modified_after: the service's last_modified on or after the instant (a record without one does
  not match); for a service at location, its service's.
- search: every word in the record's name or description (the engine's full-text index, stemmed);
  for a service at location, its service's. Taxonomies (few, no index) are matched by substring.
- postcode: locations whose physical address has the postcode (case and spaces ignored; a ZIP+4
  matches its ZIP); with proximity, distance from the postcode's centroid (the mean point of the
  located locations that have it) instead. proximity from a point: haversine metres.
- Public callers never see a staff-only record (`*` in staffOnly), nor a service at location at a
  confidential location; a confidential location neither matches a proximity or postcode filter
  nor counts towards a postcode's centroid for them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from domain.geo import haversine_km
from domain.public_text import public_match
from domain.search_model import GeoPoint
from graph.engine import GraphEngine, Row
from graph.schema.model import STAFF_ONLY_RECORD, is_confidential, is_staff_only_record
from queries import run
from services.derived import DERIVED
from services.search import fulltext_query, search_words

# The engine's distance and the stored point (single precision) differ from the exact haversine on
# the latitude/longitude properties by far less than this: the index pass is padded by it, then the
# exact test decides.
_INDEX_PAD_M: Final[float] = 50.0
_INDEX_PAD_RATIO: Final[float] = 1.001
POSTAL_ADDRESS_TYPE: Final[str] = "postal"  # a mailing address says nothing of where a service is


class HsdsFilterError(ValueError):
    """A filter value the API cannot use; the message says what to send instead."""


@dataclass(frozen=True)
class IdPage:
    """One page of matching ids (in order) and how many ids match in all."""

    ids: list[str]
    total: int


@dataclass(frozen=True)
class Window:
    """Which of the ordered matches to return: `limit` None means all from `offset`."""

    offset: int = 0
    limit: int | None = None

    def cut(self, ids: Sequence[str]) -> list[str]:
        end = None if self.limit is None else self.offset + self.limit
        return list(ids[self.offset:end])


@dataclass(frozen=True)
class Proximity:
    """Within `meters` of a point."""

    point: GeoPoint
    meters: float


@dataclass(frozen=True)
class ServiceFilters:
    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None  # aware


@dataclass(frozen=True)
class ServiceAtLocationFilters(ServiceFilters):
    postcode: str | None = None  # without proximity: locations with this postcode
    proximity: Proximity | None = None  # the point is the postcode's centroid or a given point


# ---------------------------------------------------------------- helpers


def normal_postcode(text: str) -> str:
    """A postcode as compared: upper case, no white space."""
    return "".join(text.split()).upper()


def parse_instant(value: Any) -> datetime | None:
    """A stored or given date-time (ISO 8601; a date means its midnight; no offset means UTC), or None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _ids(rows: Iterable[Row]) -> set[str]:
    return {str(r["id"]) for r in rows if r["id"] is not None}


def _text(db: GraphEngine, name: str, search: str, staff: bool) -> set[str]:
    """The ids a full-text search finds, of those found through text the caller may read (public_text)."""
    query = fulltext_query(db, search)
    if not query:
        raise HsdsFilterError("search has no words to search for: send letters or digits (common words such as "
                              "'the' or 'and' are not searched), or leave it out")
    words = search_words(search)
    return _ids(r for r in run.read(db, name, text=query)
                if staff or public_match(words, r.get("staffOnly"), r.get("texts")))


def _intersect(sets: Iterable[set[str] | None]) -> set[str] | None:
    """The ids every given set holds (None: no set given, no constraint)."""
    out: set[str] | None = None
    for found in sets:
        if found is not None:
            out = found if out is None else out & found
    return out


def _page(ids: Iterable[str], window: Window) -> IdPage:
    ordered = sorted(ids)
    return IdPage(window.cut(ordered), len(ordered))


def _modified(value: Any, after: datetime | None) -> bool:
    if after is None:
        return True
    moment = parse_instant(value)
    return moment is not None and moment >= after


# ---------------------------------------------------------------- services


def _service_candidates(db: GraphEngine, filters: ServiceFilters, staff: bool) -> set[str] | None:
    return _intersect([
        _ids(run.read(db, "hsds_api/term_services", id=filters.taxonomy_term_id))
        if filters.taxonomy_term_id is not None else None,
        _ids(run.read(db, "hsds_api/taxonomy_services", id=filters.taxonomy_id))
        if filters.taxonomy_id is not None else None,
        _ids(run.read(db, "hsds_api/organization_services", id=filters.organization_id, staff=staff,
                      staffOnlyMark=STAFF_ONLY_RECORD))
        if filters.organization_id is not None else None,
        _text(db, "hsds_api/service_text", filters.search, staff) if filters.search is not None else None,
    ])


# A list filtered by one of these alone (the directory's everyday "browse a category", page after page)
# is answered from the filter's sorted visible ids, fetched in one round trip (sorted in the engine)
# and kept for the graph version (services.derived.DERIVED: a load starts afresh, within seconds), for
# the RECENT_FILTERS most recently used (filter, role) pairs.
_PAGED_BY_ONE: Final[dict[str, str]] = {
    "taxonomy_term_id": "hsds_api/term_services_visible", "taxonomy_id": "hsds_api/taxonomy_services_visible",
    "organization_id": "hsds_api/organization_services_visible",
}
RECENT_FILTERS: Final[int] = 64


class _Recent:
    """A small least-recently-used map, safe across threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


def _paged_by_one(db: GraphEngine, filters: ServiceFilters, staff: bool, window: Window) -> IdPage | None:
    given = {name: value for name in (*_PAGED_BY_ONE, "search", "modified_after")
             if (value := getattr(filters, name)) is not None}
    if len(given) != 1 or next(iter(given)) not in _PAGED_BY_ONE:
        return None
    (name, value), = given.items()

    def visible_ids() -> tuple[str, ...]:
        rows = run.read(db, _PAGED_BY_ONE[name], id=value, staff=staff, staffOnlyMark=STAFF_ONLY_RECORD)
        return tuple(sorted(str(rid) for rid in rows[0]["ids"])) if rows else ()

    recent: _Recent = DERIVED.get(db, "hsds_api/paged-by-one", lambda: _Recent(RECENT_FILTERS))
    ids: tuple[str, ...] = recent.get((name, value, staff), visible_ids)
    return IdPage(window.cut(ids), len(ids))


def service_ids(db: GraphEngine, *, filters: ServiceFilters, staff: bool, window: Window) -> IdPage:
    """The services matching every filter that the caller may see, by id: one page and the total."""
    paged = _paged_by_one(db, filters, staff, window)
    if paged is not None:
        return paged
    candidates = _service_candidates(db, filters, staff)
    if candidates is None and filters.modified_after is None:
        # nothing to narrow by: page in the engine rather than ship every id
        count = run.read(db, "hsds_api/services_count", staff=staff, staffOnlyMark=STAFF_ONLY_RECORD)
        total = int(count[0]["count"])
        if window.limit == 0 or window.offset >= total:
            return IdPage([], total)
        limit = total - window.offset if window.limit is None else window.limit
        rows = run.read(db, "hsds_api/services_page", staff=staff, staffOnlyMark=STAFF_ONLY_RECORD,
                        skip=window.offset, limit=limit)
        return IdPage([str(r["id"]) for r in rows], total)
    if candidates is None:
        rows = run.read(db, "hsds_api/all_service_facts")
    elif not candidates:
        return IdPage([], 0)
    else:
        rows = run.read(db, "hsds_api/service_facts", ids=sorted(candidates))
    return _page((str(r["id"]) for r in rows
                  if (staff or not is_staff_only_record(r))
                  and _modified(r["lastModified"], filters.modified_after)), window)


# ---------------------------------------------------------------- services at location


def _located(rows: Iterable[Row], *, staff: bool) -> list[Row]:
    """Locations the caller may know the place of."""
    return [r for r in rows if r["latitude"] is not None and r["longitude"] is not None
            and (staff or not (is_confidential(r) or is_staff_only_record(r)))]


def _postcode_locations(db: GraphEngine, postcode: str) -> list[Row]:
    code = normal_postcode(postcode)
    return run.read(db, "hsds_api/postcode_locations", postcode=code, zipPrefix=code + "-", postal=POSTAL_ADDRESS_TYPE)


def postcode_centroid(db: GraphEngine, *, postcode: str, staff: bool) -> GeoPoint | None:
    """The mean point of the located locations with this postcode that the caller may know of (None: none)."""
    rows = _located(_postcode_locations(db, postcode), staff=staff)
    if not rows:
        return None
    return GeoPoint(latitude=sum(float(r["latitude"]) for r in rows) / len(rows),
                    longitude=sum(float(r["longitude"]) for r in rows) / len(rows))


def near_location_ids(db: GraphEngine, *, proximity: Proximity, staff: bool) -> set[str]:
    """Ids of the locations within the proximity (haversine on their latitude and longitude)."""
    centre = proximity.point
    rows = run.read(db, "hsds_api/near_locations", latitude=centre.latitude, longitude=centre.longitude,
                    meters=proximity.meters * _INDEX_PAD_RATIO + _INDEX_PAD_M)
    return {str(r["id"]) for r in _located(rows, staff=staff)
            if haversine_km(centre, GeoPoint(float(r["latitude"]), float(r["longitude"]))) * 1000 <= proximity.meters}


def _place_candidates(db: GraphEngine, filters: ServiceAtLocationFilters, *, staff: bool) -> set[str] | None:
    """Ids of the services at location the place filters allow (None: no place filter)."""
    if filters.proximity is not None:
        locations = near_location_ids(db, proximity=filters.proximity, staff=staff)
    elif filters.postcode is not None:
        rows = _postcode_locations(db, filters.postcode)
        locations = {str(r["id"]) for r in rows if staff or not (is_confidential(r) or is_staff_only_record(r))}
    else:
        return None
    if not locations:
        return set()
    return _ids(run.read(db, "hsds_api/location_service_at_locations", ids=sorted(locations)))


def service_at_location_ids(db: GraphEngine, *, filters: ServiceAtLocationFilters, staff: bool,
                            window: Window) -> IdPage:
    """The services at location matching every filter that the caller may see, by id: a page and the total."""
    by_service = _intersect([
        _ids(run.read(db, "hsds_api/organization_services", id=filters.organization_id, staff=staff,
                      staffOnlyMark=STAFF_ONLY_RECORD))
        if filters.organization_id is not None else None,
        _text(db, "hsds_api/service_text", filters.search, staff) if filters.search is not None else None,
    ])
    candidates = _intersect([
        _ids(run.read(db, "hsds_api/term_service_at_locations", id=filters.taxonomy_term_id))
        if filters.taxonomy_term_id is not None else None,
        _ids(run.read(db, "hsds_api/taxonomy_service_at_locations", id=filters.taxonomy_id))
        if filters.taxonomy_id is not None else None,
        (_ids(run.read(db, "hsds_api/service_service_at_locations", ids=sorted(by_service))) if by_service else set())
        if by_service is not None else None,
        _place_candidates(db, filters, staff=staff),
    ])
    if candidates is None:
        rows = run.read(db, "hsds_api/all_service_at_location_facts")
    elif not candidates:
        return IdPage([], 0)
    else:
        rows = run.read(db, "hsds_api/service_at_location_facts", ids=sorted(candidates))
    return _page((str(r["id"]) for r in rows
                  if (staff or _public_site(r)) and _modified(r["lastModified"], filters.modified_after)), window)


def _public_site(row: Row) -> bool:
    service = {"staffOnly": row["serviceStaffOnly"]}
    location = {"staffOnly": row["locationStaffOnly"]}
    return not (is_staff_only_record(service) or is_staff_only_record(location) or is_confidential(location))


# ---------------------------------------------------------------- organizations


def organization_ids(db: GraphEngine, *, search: str | None, staff: bool, window: Window) -> IdPage:
    """The organizations matching `search` (all when None) that the caller may see, by id."""
    if search is None:
        rows = run.read(db, "hsds_api/organizations")
    else:
        found = _text(db, "hsds_api/organization_text", search, staff)
        rows = run.read(db, "hsds_api/organization_facts", ids=sorted(found)) if found else []
    return _page((str(r["id"]) for r in rows if staff or not is_staff_only_record(r)), window)


def organization_records(db: GraphEngine, *, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """These organizations' stored properties, by id (ids with no organization are absent)."""
    if not ids:
        return {}
    return {str(r["id"]): dict(r["value"]) for r in run.read(db, "hsds_api/organization_records", ids=list(ids))}


def service_modified(db: GraphEngine, *, ids: Sequence[str]) -> dict[str, Row]:
    """These services' id, lastModified and staffOnly, by id (the `minimal` form of a /services page)."""
    if not ids:
        return {}
    return {str(r["id"]): r for r in run.read(db, "hsds_api/service_facts", ids=list(ids))}


def service_organizations(db: GraphEngine) -> dict[str, str | None]:
    """Every service's organization id (None for a service no organization provides), by service id."""
    return {str(r["id"]): None if r["organization"] is None else str(r["organization"])
            for r in run.read(db, "hsds_api/service_organizations")}


# ---------------------------------------------------------------- taxonomies and terms


def _words(text: str) -> list[str]:
    return [w.casefold() for w in text.split()]


def taxonomy_ids(db: GraphEngine, *, search: str | None, window: Window) -> IdPage:
    """The taxonomies whose name or description holds every word of `search` (case-insensitive), by id."""
    rows = run.read(db, "hsds_api/taxonomies")
    words = _words(search) if search is not None else []
    if search is not None and not words:
        raise HsdsFilterError("search has no words to search for: send some, or leave it out")

    def matches(row: Row) -> bool:
        text = f"{row['name'] or ''} {row['description'] or ''}".casefold()
        return all(word in text for word in words)

    return _page((str(r["id"]) for r in rows if matches(r)), window)


def taxonomy_term_ids(db: GraphEngine, *, search: str | None, taxonomy_id: str | None, parent_id: str | None,
                      top_only: bool, window: Window) -> IdPage:
    """The taxonomy terms matching every filter, by id (top_only: terms without a parent)."""
    candidates = _intersect([
        _ids(run.read(db, "hsds_api/taxonomy_terms_of", id=taxonomy_id)) if taxonomy_id is not None else None,
        _ids(run.read(db, "hsds_api/term_children", id=parent_id)) if parent_id is not None else None,
        _text(db, "hsds_api/term_text", search, True) if search is not None else None,
    ])
    if candidates is not None and not candidates:
        return IdPage([], 0)
    if top_only or candidates is None:
        rows = run.read(db, "hsds_api/terms")
        ids = {str(r["id"]) for r in rows if not (top_only and int(r["parents"]) > 0)}
        candidates = ids if candidates is None else candidates & ids
    return _page(candidates, window)


__all__ = [
    "HsdsFilterError", "IdPage", "Proximity", "ServiceAtLocationFilters", "ServiceFilters", "Window",
    "near_location_ids", "normal_postcode", "organization_ids", "parse_instant", "postcode_centroid",
    "organization_records", "service_at_location_ids", "service_ids", "service_modified", "taxonomy_ids",
    "taxonomy_term_ids",
]
