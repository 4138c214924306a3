"""The front-line search: which services reach this need, for this resident, near here, now.

`search_services` answers a `ServiceQuery` (semantics: `domain.search_model`) in a few catalogue
queries: candidates come from the most selective start (need terms, full text, the point index
plus covering service areas, or all services), then reach, eligibility and opening hours are
decided here in Python from facts fetched for all candidates in one query each — so the number
of database round trips does not grow with the number of results.

The API asks `find_services` (and `find_crisis_responders`) for a page: the ranked hits of the page with
their details rows (queries.directory.service_details) and their eligibility, and the total, in one call.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from domain.eligibility import Population, Residency, ResidentFacts, ServiceFacts, assess, unpublished
from domain.geo import AreaIndex, haversine_km
from domain.opening import is_open
from domain.public_text import public_match
from domain.search_keys import MAX_LOOKUP_KEYS, lookup_keys
from domain.search_model import (
    MAX_RADIUS_KM,
    Eligibility,
    GeoPoint,
    Hit,
    Resident,
    SearchInputError,
    ServiceQuery,
    UnknownNeed,
)
from graph.engine import GraphEngine, Row
from graph.schema.model import (
    ELIGIBILITY_LINK_TYPE,
    NO_MAXIMUM_AGE,
    NO_MINIMUM_AGE,
    NON_NEED_LINK_TYPES,
    SEARCH_INDEX_VERSION,
    SECTOR_LINK_TYPE,
    STAFF_ONLY_RECORD,
    UNLISTED_STATUSES,
)
from queries import directory, run
from services.derived import DERIVED

DEFAULT_TIMEZONE = "America/Toronto"
# The engines' distance() uses an Earth radius of ~6378.14 km and float32 points (up to ~0.15 % longer
# than haversine on the mean sphere): prefilter generously, haversine here decides.
_PREFILTER_SLACK = 1.002
_PREFILTER_PAD_M = 10.0
# The search-site scan asks the engine for the exact band instead: its distance is haversine × ~1.00111
# (measured 1.001106 on FalkorDB; Neo4j's WGS-84 radius 6378.14 km gives 1.001119), give or take
# float32 rounding of the coordinates (well under a metre). Sites nearer than the band's inner edge
# are surely in, those beyond its outer edge surely out; haversine here decides the few between.
_ENGINE_DISTANCE_RATIO = 1.00111
_BAND_RELATIVE = 2e-4
_BAND_PAD_M = 2.0
_MAX_TEXT_WORDS = 12


@dataclass(frozen=True)
class Places:
    locations: tuple[tuple[str, float, float], ...]  # (location id, latitude, longitude)
    areas: frozenset[str]


# ---------------------------------------------------------------- input checks and resolution

def validate(query: ServiceQuery) -> None:
    """Raise SearchInputError naming what to change."""
    if not 0 < query.radius_km <= MAX_RADIUS_KM:
        raise SearchInputError(f"radiusKm must be more than 0 and at most {MAX_RADIUS_KM:g}, not {query.radius_km:g}")
    for name, point in (("near", query.near), ("resident.location", query.resident and query.resident.location)):
        if point and not (-90 <= point.latitude <= 90 and -180 <= point.longitude <= 180):
            raise SearchInputError(f"{name}: latitude must be in [-90, 90] and longitude in [-180, 180]")
    if query.resident and query.resident.age is not None and not 0 <= query.resident.age <= 130:
        raise SearchInputError(f"resident.age must be between 0 and 130, not {query.resident.age}")
    if query.open_at is not None and query.open_at.tzinfo is None:
        raise SearchInputError("openAt needs a timezone offset, e.g. 2026-11-26T21:30:00-05:00")
    if query.text is not None and not search_words(query.text):
        raise SearchInputError("text has no words to search for: send letters or digits (common words such as "
                               "'the' or 'and' are not searched)")


def _closures(db: GraphEngine) -> dict[str, frozenset[str]]:
    """Each term id and code → the ids of the term and every term below it (cached until the next load)."""
    def compute() -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}
        for r in run.read(db, "search/term_closures"):
            ids = frozenset([r["id"], *r["below"]])
            out[r["id"]] = ids
            if r["code"]:
                out[r["code"]] = out.get(r["code"], frozenset()) | ids  # codes may repeat across taxonomies
        return out
    closures: dict[str, frozenset[str]] = DERIVED.get(db, "term-closures", compute)
    return closures


def need_terms(db: GraphEngine, refs: Sequence[str]) -> frozenset[str]:
    """Ids of the named terms (ids or codes) and of every term below them; UnknownNeed if one is unknown."""
    closures = _closures(db)
    unknown = [ref for ref in refs if ref not in closures]
    if unknown:
        raise UnknownNeed(f"unknown need: {', '.join(map(repr, unknown))} "
                          "(use taxonomyTerms to find term ids or codes)")
    return frozenset().union(*(closures[ref] for ref in refs))


def resident_facts(db: GraphEngine, resident: Resident | None) -> ResidentFacts | None:
    """The resident's facts, populations widened to every broader term they belong to."""
    if resident is None:
        return None
    populations: frozenset[str] | None = None
    if resident.populations:
        rows = run.read(db, "search/term_ancestors", refs=list(resident.populations))
        known = {r["id"] for r in rows} | {r["code"] for r in rows if r["code"]}
        unknown = [ref for ref in resident.populations if ref not in known]
        if unknown:
            raise SearchInputError(f"unknown population: {', '.join(map(repr, unknown))} "
                                   "(use taxonomyTerms to find term ids or codes)")
        populations = frozenset(
            x for r in rows for x in (r["id"], r["code"], *r["aboveIds"], *r["aboveCodes"]) if x
        )
    return ResidentFacts(age=resident.age, languages=tuple(resident.languages), populations=populations,
                         location=resident.location)


# English stop words: the full-text indexes of both engines leave (most of) them out, so a search keeps
# none, and both engines answer alike ("not beds" finds what "beds" finds on either).
_STOP_WORDS: Final = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
})


def search_words(text: str) -> list[str]:
    """The words of a text search, as the full-text query uses them (at most a few, no stop words)."""
    words = (word for word in re.findall(r"[^\W_]+", text) if word.casefold() not in _STOP_WORDS)
    return list(words)[:_MAX_TEXT_WORDS]


def fulltext_query(db: GraphEngine, text: str) -> str:
    """The user's words as the engine's full-text syntax (all words must match); never raw input. Words are
    letters and digits only, and lower-cased for Lucene (Neo4j), where AND, OR and NOT are operators."""
    words = search_words(text)
    return " ".join(words) if db.dialect == "falkordb" else " AND ".join(word.lower() for word in words)


# ---------------------------------------------------------------- service areas



def area_index(db: GraphEngine) -> AreaIndex:
    """The graph's service areas by extent (cached until the next load)."""
    index: AreaIndex = DERIVED.get(db, "areas", lambda: AreaIndex(
        (r["id"], r["extent"]) for r in run.read(db, "search/area_extents")))
    return index




# ---------------------------------------------------------------- the search

def _places(rows: Iterable[dict[str, Any]], confidential: bool) -> dict[str, Places]:
    """Places per service from rows of kind service / location / area (see search/need_candidates);
    confidential locations only when `confidential` (staff)."""
    locations: dict[str, list[tuple[str, float, float]]] = {}
    areas: dict[str, set[str]] = {}
    for r in rows:
        sid, kind, value = r["id"], r["kind"], r["value"]
        if kind == "service":
            locations.setdefault(sid, [])
            areas.setdefault(sid, set())
        elif kind == "location":
            located = locations.setdefault(sid, [])
            if confidential or not value[3]:
                located.append((value[0], float(value[1]), float(value[2])))
        else:
            areas.setdefault(sid, set()).add(value[0])
    return {sid: Places(tuple(sorted(set(locations.get(sid, ())))), frozenset(areas.get(sid, ())))
            for sid in locations.keys() | areas.keys()}


def _fetch_places(db: GraphEngine, ids: Iterable[str], confidential: bool) -> dict[str, Places]:
    return _places(run.read(db, "search/service_places", ids=sorted(ids)), confidential)


def _nearest(places: Places, point: GeoPoint) -> tuple[float, str] | None:
    """(distance km, location id) of the service's nearest located location."""
    return min(((haversine_km(point, GeoPoint(lat, lon)), location_id) for location_id, lat, lon in places.locations),
               default=None)


def _reach(service_id: str, places: Places, point: GeoPoint, radius_km: float,
           covering: frozenset[str]) -> Hit | None:
    nearest = _nearest(places, point)
    if nearest is not None and nearest[0] <= radius_km:
        return Hit(service_id, "LOCATION", nearest[0], nearest[1])
    if places.areas & covering:
        return Hit(service_id, "SERVICE_AREA", nearest[0] if nearest else None, nearest[1] if nearest else None)
    return None


def service_facts(service: Mapping[str, Any], *, languages: Iterable[str | None],
                  populations: Iterable[Mapping[str, Any]], residency: Iterable[Sequence[Any]],
                  staff: bool) -> ServiceFacts:
    """What eligibility is judged from, made from a service's properties (minimumAge, maximumAge,
    eligibilityDescription, interpretationServices, staffOnly, derivedFields), its language codes, its
    eligibility-tagged population terms (id, code, name) and the areas it serves residents of ([id, name,
    extent]). The one place facts are made: from `search/service_facts` rows and from a page's details alike."""
    by_id = {t["id"]: Population(t["id"], t.get("code"), t.get("name") or t.get("code") or t["id"])
             for t in populations if t and t.get("id") is not None}
    areas = {a[0]: Residency(a[0], a[1] or a[0], a[2]) for a in residency if a[0] is not None}
    return ServiceFacts(
        minimum_age=service.get("minimumAge"), maximum_age=service.get("maximumAge"),
        eligibility_description=service.get("eligibilityDescription"),
        interpretation_services=service.get("interpretationServices"),
        derived=bool(service.get("derivedFields")),
        unpublished=unpublished(service.get("staffOnly"), service.get("derivedFields"), staff=staff),
        languages=tuple(sorted({code for code in languages if code})),
        residency=tuple(a for _, a in sorted(areas.items())),
        populations=tuple(p for _, p in sorted(by_id.items())),
    )


_FACT_KEYS: Final = ("minimumAge", "maximumAge", "eligibilityDescription", "interpretationServices", "derived",
                     "staffOnly", "derivedFields")


def _facts(db: GraphEngine, ids: Sequence[str], staff: bool) -> dict[str, ServiceFacts]:
    """The facts of these services, from one query (search/service_facts; a row's facts as [kind, value])."""
    rows = run.read(db, "search/service_facts", ids=list(ids), eligibilityLinkType=ELIGIBILITY_LINK_TYPE)
    service: dict[str, dict[str, Any]] = {}
    languages: dict[str, list[str]] = {}
    populations: dict[str, list[dict[str, Any]]] = {}
    residency: dict[str, list[list[Any]]] = {}
    for r in rows:
        sid = r["id"]
        for kind, value in r["facts"]:
            if kind == "service":
                service[sid] = dict(zip(_FACT_KEYS, value, strict=True))
            elif kind == "language":
                languages.setdefault(sid, []).append(value[0])
            elif kind == "population":
                populations.setdefault(sid, []).append({"id": value[0], "code": value[1], "name": value[2]})
            elif kind == "residency":
                residency.setdefault(sid, []).append(value)
    return {sid: service_facts(props, languages=languages.get(sid, ()), populations=populations.get(sid, ()),
                               residency=residency.get(sid, ()), staff=staff)
            for sid, props in service.items()}


def facts_of_details(details: Mapping[str, Any], *, staff: bool) -> ServiceFacts:
    """What eligibility is judged from, out of a service's page details (queries.directory.service_details):
    the same facts `search/service_facts` fetches, so a page needs no second query for them."""
    return service_facts(details["service"], languages=details["languages"],
                         populations=[t for link_type, t in details["terms"] if link_type == ELIGIBILITY_LINK_TYPE],
                         residency=details.get("residency", []), staff=staff)


def assess_hits(db: GraphEngine | None, hits: Sequence[Hit], resident: ResidentFacts | None,
                details: Mapping[str, Mapping[str, Any]] | None = None, *, staff: bool) -> list[Hit]:
    """The hits with their eligibility for the resident: from the page `details` when given (no query),
    else from one query for all of them. The reasons state only what `staff` (or not) may be told."""
    if details is not None:
        facts = {h.service_id: facts_of_details(details[h.service_id], staff=staff) for h in hits}
    else:
        assert db is not None, "without details, the facts are read from the database"
        facts = _facts(db, [h.service_id for h in hits], staff)
    return [replace(h, eligibility=assess(facts[h.service_id], resident)) for h in hits]


def _open(db: GraphEngine, hits: list[Hit], query: ServiceQuery, timezone: str) -> list[Hit]:
    assert query.open_at is not None
    direct: dict[str, list[dict[str, Any]]] = {}
    at_locations: dict[str, list[dict[str, Any]]] = {}
    for r in run.read(db, "search/service_schedules", ids=[h.service_id for h in hits]):
        (at_locations if r["kind"] == "location" else direct).setdefault(r["id"], []).append(r["schedule"])
    schedules = {sid: direct.get(sid) or at_locations.get(sid, []) for sid in direct.keys() | at_locations.keys()}
    return [h for h in hits if is_open(schedules.get(h.service_id, []), query.open_at, timezone)]


@dataclass(frozen=True)
class Ranked:
    """The matching services in answer order: all of them, or at least the first `prefix` asked
    for (`total` counts them all). `assessed` tells whether eligibility is filled in (it is when it
    had to be, to leave out ineligible services); else call `assess_hits` on a page."""

    hits: list[Hit]
    resident: ResidentFacts | None
    assessed: bool
    total: int = -1

    def __post_init__(self) -> None:
        if self.total < 0:
            object.__setattr__(self, "total", len(self.hits))


def search_index_ready(db: GraphEngine) -> bool:
    """Whether every dataset built search sites of this version (cached until the next load)."""
    def compute() -> bool:
        row = run.read(db, "search/index_ready", version=SEARCH_INDEX_VERSION)[0]
        return int(row["datasets"]) == int(row["ready"])
    ready: bool = DERIVED.get(db, "search-index-ready", compute)
    return ready


def listed(db: GraphEngine, hits: list[Hit], *, staff: bool) -> list[Hit]:
    """The hits the search may offer (search/listed_services): no inactive or defunct service, and
    a staff-only record only to staff. (Search sites are built without the former and marked for
    the latter, so the scan needs no such check.)"""
    if not hits:
        return hits
    ids = {r["id"] for r in run.read(db, "search/listed_services", ids=[h.service_id for h in hits],
                                     unlisted=list(UNLISTED_STATUSES), staffOnlyMark=STAFF_ONLY_RECORD, staff=staff)}
    return [h for h in hits if h.service_id in ids]


def _scan_applies(db: GraphEngine, query: ServiceQuery) -> bool:
    """The search-site scan answers need + point (+ age): not text, opening hours, populations or
    the resident's location (residency), which need facts the sites do not carry."""
    populations = query.resident is not None and bool(query.resident.populations) and not query.include_ineligible
    # where the resident lives can make a service with a residency rule ineligible: the sites cannot tell
    residency = query.resident is not None and query.resident.location is not None and not query.include_ineligible
    return (bool(query.need) and query.point is not None and query.text is None and query.open_at is None
            and not populations and not residency and search_index_ready(db))


def _scan_need_near(db: GraphEngine, query: ServiceQuery, terms: frozenset[str], age: int | None,
                    prefix: int | None, max_keys: int = MAX_LOOKUP_KEYS) -> tuple[list[Hit], int] | None:
    """(the first hits — all of them when `prefix` is None —, their total) from one pass over
    search sites; None in the rare case its first rows cannot settle the order (ties within a metre)."""
    point = query.point
    assert point is not None
    meters = query.radius_km * 1000 * _ENGINE_DISTANCE_RATIO
    outer = meters * (1 + _BAND_RELATIVE) + _BAND_PAD_M
    limit = 2 * prefix + 16 if prefix is not None else None
    area_keys = area_index(db).covering_keys(point)
    keys = lookup_keys(terms, point, outer / 1000 / _ENGINE_DISTANCE_RATIO, area_keys, max_keys)
    if not keys:
        return [], 0  # no need term: no site (and Neo4j's full-text lookup takes no empty query)
    row = run.read(db, "search/need_near", keys=keys, latitude=point.latitude, longitude=point.longitude,
                   outer=outer, inner=meters * (1 - _BAND_RELATIVE) - _BAND_PAD_M, areaKeys=area_keys,
                   confidential=query.confidential,
                   youngest=NO_MINIMUM_AGE if age is None else age, oldest=NO_MAXIMUM_AGE if age is None else age,
                   limit=limit if limit is not None else 2**31 - 1)[0]

    def km(r: list[Any]) -> float | None:
        return None if r[3] is None else haversine_km(point, GeoPoint(float(r[3]), float(r[4])))

    # Band sites (not covered, nearly at the radius): in only when haversine says so.
    out_of_band = {r[0] for r in row["band"]} - set(row["sureInBand"])
    band_in = {r[0] for r in row["band"] if (d := km(r)) is not None and d <= query.radius_km}
    total = int(row["sureServices"]) + len(band_in & out_of_band)

    nearest: dict[str, tuple[float | None, str | None]] = {}
    for r in row["top"]:
        service, sure = r[0], r[5]
        d = km(r)
        if not sure and (d is None or d > query.radius_km):
            continue  # a band site outside the radius
        best = nearest.get(service)
        if best is None or (d is not None and (best[0] is None or d < best[0])):
            nearest[service] = (d, r[2])
    hits = [Hit(service, "LOCATION" if d is not None and d <= query.radius_km else "SERVICE_AREA", d, location)
            for service, (d, location) in nearest.items()]
    hits.sort(key=lambda h: (h.distance_km is None, h.distance_km or 0.0, h.service_id))
    top = row["top"]
    if limit is not None and int(row["siteCount"]) > len(top) and top:
        # Sites beyond the slice come later in the engine's order; keep only the hits that no later
        # site can precede, even with the engine's rounding.
        last = top[-1][1]
        if last is not None:
            cutoff = last / _ENGINE_DISTANCE_RATIO / 1000 - 2 * _BAND_PAD_M / 1000
            hits = [h for h in hits if h.distance_km is not None and h.distance_km < cutoff]
        else:
            last_service = top[-1][0]
            hits = [h for h in hits if h.distance_km is not None or h.service_id <= last_service]
        if len(hits) < (prefix or 0):
            return None
    return hits, total


def rank(db: GraphEngine, query: ServiceQuery, *, timezone: str = DEFAULT_TIMEZONE,
         prefix: int | None = None, scan: bool = True) -> Ranked:
    """The services that answer the query, in order: all, or at least the first `prefix` of them.
    `scan=False` keeps to the general path (for tests that compare the two)."""
    validate(query)
    point = query.point
    resident = resident_facts(db, query.resident)
    # Services whose age limits exclude the resident cannot be in the answer: where a query can,
    # it leaves them out in the database already (the eligibility check below would anyway).
    age = query.resident.age if query.resident and not query.include_ineligible else None
    if scan and _scan_applies(db, query):
        scanned = _scan_need_near(db, query, need_terms(db, query.need), age, prefix)
        if scanned is not None:
            hits, total = scanned
            return Ranked(hits, resident, assessed=False, total=total)
    places: dict[str, Places] | None = None
    ids: set[str] | None = None
    if query.need:
        rows = run.read(db, "search/need_candidates", terms=sorted(need_terms(db, query.need)),
                        excluded=list(NON_NEED_LINK_TYPES), age=age)
        places = _places(rows, query.confidential)
        ids = set(places)
    relevance: dict[str, float] = {}
    if query.text is not None:
        words = search_words(query.text)
        for r in run.read(db, "search/text_candidates", text=fulltext_query(db, query.text),
                          excluded=list(NON_NEED_LINK_TYPES)):
            if query.confidential or public_match(words, r["staffOnly"], r["texts"]):
                relevance[r["id"]] = max(relevance.get(r["id"], 0.0), float(r["score"]))
        ids = set(relevance) if ids is None else ids & set(relevance)
    covering = area_index(db).covering(point) if point else frozenset()
    if ids is None and point is not None:
        near = run.read(db, "search/near_candidates", latitude=point.latitude, longitude=point.longitude,
                        meters=query.radius_km * 1000 * _PREFILTER_SLACK + _PREFILTER_PAD_M, age=age)
        by_area = run.read(db, "search/area_candidates", areas=sorted(covering), age=age) if covering else []
        ids = {r["id"] for r in near} | {r["id"] for r in by_area}
    if ids is None:
        ids = {r["id"] for r in run.read(db, "search/all_candidates", age=age)}

    if point is not None:
        if places is None or not ids <= places.keys():
            places = _fetch_places(db, ids, query.confidential)
        reached = (_reach(sid, places[sid], point, query.radius_km, covering) for sid in ids if sid in places)
        hits = [h for h in reached if h is not None]
        hits.sort(key=lambda h: (h.distance_km is None, h.distance_km or 0.0, h.service_id))
    elif query.text is not None:
        hits = [Hit(sid, relevance=relevance[sid]) for sid in ids]
        hits.sort(key=lambda h: (-(h.relevance or 0.0), h.service_id))
    else:
        hits = sorted((Hit(sid) for sid in ids), key=lambda h: h.service_id)
    if query.text is not None:
        hits = [replace(h, relevance=relevance.get(h.service_id)) for h in hits]

    hits = listed(db, hits, staff=query.confidential)
    assessed = False
    if resident is not None and not query.include_ineligible and hits:
        hits = [h for h in assess_hits(db, hits, resident, staff=query.confidential)
                if h.eligibility.status != "INELIGIBLE"]
        assessed = True
    if query.open_at is not None and hits:
        hits = _open(db, hits, query, timezone)
    return Ranked(hits, resident, assessed)


# Crisis diversion: which needs count as crisis response, and which sectors are not an alternative to police.
CRISIS_NEEDS = ("need-crisis", "need-mental-health-crisis-counselling")
POLICE_SECTORS = ("sector-police",)


def crisis_responders(
    db: GraphEngine, at: GeoPoint, when: datetime, *, needs: Sequence[str] = CRISIS_NEEDS,
    excluded_sectors: Sequence[str] = POLICE_SECTORS, timezone: str = DEFAULT_TIMEZONE,
) -> list[Hit]:
    """Non-police crisis and mental-health response services whose service area covers `at` and
    that are open at `when` (24/7 included), nearest first (those without a location last)."""
    validate(ServiceQuery(near=at, open_at=when))
    closures = _closures(db)
    terms = sorted(frozenset().union(*(closures[n] for n in needs if n in closures)))
    if not terms:
        return []
    places = _places(run.read(db, "search/need_candidates", terms=terms, excluded=list(NON_NEED_LINK_TYPES),
                              age=None), confidential=True)  # crisis responders are for staff
    covering = area_index(db).covering(at)
    hits = []
    for sid, where in places.items():
        if where.areas & covering:
            nearest = _nearest(where, at)
            hits.append(Hit(sid, "SERVICE_AREA", nearest[0] if nearest else None, nearest[1] if nearest else None))
    if hits and excluded_sectors:
        police = {r["id"] for r in run.read(db, "search/sector_services", ids=[h.service_id for h in hits],
                                            sectors=list(excluded_sectors), sectorLinkType=SECTOR_LINK_TYPE)}
        hits = [h for h in hits if h.service_id not in police]
    hits = listed(db, hits, staff=True)  # call takers are staff
    if hits:
        hits = _open(db, hits, ServiceQuery(open_at=when), timezone)
    hits.sort(key=lambda h: (h.distance_km is None, h.distance_km or 0.0, h.service_id))
    return assess_hits(db, hits, None, staff=True) if hits else hits


# ---------------------------------------------------------------- pages of results

@dataclass(frozen=True)
class PagedService:
    """One service of a page: how it answers the question (its hit, eligibility filled in) and its
    details row (queries.directory.service_details: what the page shows of it)."""

    hit: Hit
    details: Row


@dataclass(frozen=True)
class ServicePage:
    """`services` from offset `start` of the `total` that answer a question, in answer order."""

    start: int
    total: int
    services: list[PagedService]


def page_of(hits: Sequence[Hit], details: Mapping[str, Row], *, start: int, total: int,
            resident: ResidentFacts | None, assessed: bool, staff: bool) -> ServicePage:
    """A page of `hits` (already cut to the page) with their `details`; a hit whose service has none (a
    load removed it meanwhile) is left out. Eligibility is judged from the details unless `assessed`."""
    page = [h for h in hits if h.service_id in details]
    if page and not assessed:
        page = assess_hits(None, page, resident, details, staff=staff)
    return ServicePage(start, total, [PagedService(h, details[h.service_id]) for h in page])


def listed_page(service_ids: Sequence[str], details: Mapping[str, Row], *, start: int, total: int,
                staff: bool) -> ServicePage:
    """A page of a plain list of services (an organization's, cut to the page), with their details: no resident,
    no point, so each one's eligibility is what its details say of it."""
    return page_of([Hit(sid) for sid in service_ids], details, start=start, total=total, resident=None,
                   assessed=False, staff=staff)


def _page(db: GraphEngine, hits: Sequence[Hit], *, start: int, first: int, total: int,
          resident: ResidentFacts | None, assessed: bool, staff: bool, detail_kinds: Collection[str],
          detail_keys: Mapping[str, Sequence[str]] | None) -> ServicePage:
    page = hits[start:start + first]
    details = directory.service_details(db, [h.service_id for h in page], detail_kinds, detail_keys)
    return page_of(page, details, start=start, total=total, resident=resident, assessed=assessed, staff=staff)


def find_services(db: GraphEngine, query: ServiceQuery, *, first: int, after_offset: int = 0,
                  detail_kinds: Collection[str] = directory.DETAIL_KINDS,
                  detail_keys: Mapping[str, Sequence[str]] | None = None,
                  timezone: str = DEFAULT_TIMEZONE) -> ServicePage:
    """The page of `first` services from offset `after_offset` that answer the query, each with its
    eligibility for the resident and its details (only the `detail_kinds` and `detail_keys` a page shows:
    queries.directory.service_details), and how many answer it in all. What the caller may see is
    `query.confidential` (staff)."""
    ranked = rank(db, query, timezone=timezone, prefix=after_offset + first)
    return _page(db, ranked.hits, start=after_offset, first=first, total=ranked.total, resident=ranked.resident,
                 assessed=ranked.assessed, staff=query.confidential, detail_kinds=detail_kinds,
                 detail_keys=detail_keys)


def find_crisis_responders(db: GraphEngine, at: GeoPoint, when: datetime, *, first: int, after_offset: int = 0,
                           detail_kinds: Collection[str] = directory.DETAIL_KINDS,
                           detail_keys: Mapping[str, Sequence[str]] | None = None,
                           timezone: str = DEFAULT_TIMEZONE) -> ServicePage:
    """A page of `crisis_responders` (for staff), with their details as `find_services` gives them."""
    hits = crisis_responders(db, at, when, timezone=timezone)
    return _page(db, hits, start=after_offset, first=first, total=len(hits), resident=None, assessed=True,
                 staff=True, detail_kinds=detail_kinds, detail_keys=detail_keys)


def search_services(db: GraphEngine, query: ServiceQuery, *, timezone: str = DEFAULT_TIMEZONE) -> list[Hit]:
    """Every service that answers the query, in order, each with its eligibility for the resident."""
    ranked = rank(db, query, timezone=timezone)
    if ranked.assessed or not ranked.hits:
        return ranked.hits
    return assess_hits(db, ranked.hits, ranked.resident, staff=query.confidential)


__all__ = ["Eligibility", "Hit", "PagedService", "Ranked", "ServicePage", "assess_hits", "crisis_responders",
           "find_crisis_responders", "find_services", "listed_page", "page_of", "rank", "search_services"]
