"""Directory reads behind the GraphQL API: service pages, organizations, taxonomy terms (plain rows)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final

from domain.contact_points import PhoneSource, SourcedPhone
from graph.engine import GraphEngine, Row
from graph.schema.model import NODE_PROPERTIES, SECTOR_LINK_TYPE, STAFF_ONLY_RECORD
from queries import run

_DETAIL_LISTS = {  # row kind -> the key of the list it goes to
    "organization": "organizations", "location": "locations", "term": "terms", "language": "languages",
    "phone": "phones", "contact": "contacts", "schedule": "schedules", "area": "areas", "residency": "residency",
}


DETAIL_KINDS: frozenset[str] = frozenset(_DETAIL_LISTS)


# The kinds of records whose properties a page reads by name (the others come whole), with their labels.
_PROJECTED: Final[dict[str, str]] = {
    "service": "Service", "organization": "Organization", "location": "Location", "address": "Address",
    "term": "TaxonomyTerm",
}
ALL_KEYS: Final[dict[str, tuple[str, ...]]] = {
    kind: ("id", *(p for p in NODE_PROPERTIES[label] if p != "point")) for kind, label in _PROJECTED.items()
}
"""Per projected kind, every property a page may read (the model's, less the spatial point: latitude and
longitude are read): the default, for a caller that does not know what it will show."""
_KEYED: Final[frozenset[str]] = frozenset({"service", "organization", "location", "term"})  # their `id` is read


def _props(keys: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    """A record's properties from the values of `keys`, as `properties()` gives them (no nulls)."""
    return {key: value for key, value in zip(keys, values, strict=True) if value is not None}


def _checked_keys(keys: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    chosen = {kind: tuple(keys.get(kind, ALL_KEYS[kind])) if keys else ALL_KEYS[kind] for kind in ALL_KEYS}
    for kind, names in chosen.items():
        unknown = set(names) - set(ALL_KEYS[kind])
        if unknown:
            raise ValueError(f"unknown {kind} properties {sorted(unknown)}; known: {sorted(ALL_KEYS[kind])}")
        if kind in _KEYED and "id" not in names:
            raise ValueError(f"the {kind} properties to read must include id")
    return chosen


def service_details(db: GraphEngine, ids: Sequence[str], kinds: Collection[str] = DETAIL_KINDS,
                    keys: Mapping[str, Sequence[str]] | None = None) -> dict[str, Row]:
    """Everything a result page shows of each service, in one round trip, by service id:
    {"id", "service": properties, "organizations", "locations", "terms", "languages", "phones",
    "contacts", "schedules", "areas", "residency"} (see search/service_details for each list's items).
    Only the lists of `kinds` (of DETAIL_KINDS) are read; the others are left empty. Of services,
    organizations, locations ([id, properties, [properties of each address]]) and terms ([link type,
    properties]), only the properties `keys` names per kind are read (ALL_KEYS for a kind it leaves out).
    Phones are `SourcedPhone`s: the service's own, its locations' and its organization's (contact_points)."""
    unknown = set(kinds) - DETAIL_KINDS
    if unknown:
        raise ValueError(f"unknown detail kinds {sorted(unknown)}; known: {sorted(DETAIL_KINDS)}")
    chosen = _checked_keys(keys)
    if not ids:
        return {}
    rows = run.read(db, "search/service_details", ids=list(ids), kinds=sorted(kinds),
                    **{f"{kind}Keys": list(names) for kind, names in chosen.items()})
    service_keys, organization_keys, term_keys = chosen["service"], chosen["organization"], chosen["term"]
    location_keys, address_keys = chosen["location"], chosen["address"]
    details: dict[str, Row] = {
        r["id"]: {"id": r["id"], "service": _props(service_keys, r["value"]),
                  **{key: [] for key in _DETAIL_LISTS.values()}}
        for r in rows if r["kind"] == "service"
    }
    for r in rows:
        kind, value = r["kind"], r["value"]
        if kind == "service" or r["id"] not in details:
            continue
        if kind == "organization":
            value = _props(organization_keys, value)
        elif kind == "location":
            lid, location, addresses = value
            value = [lid, _props(location_keys, location), [_props(address_keys, a) for a in addresses]]
        elif kind == "phone":
            source, location_id, phone = value
            value = SourcedPhone(PhoneSource(source), location_id, phone)
        elif kind == "term":
            value = [value[0], _props(term_keys, value[1])]
        details[r["id"]][_DETAIL_LISTS[kind]].append(value)
    return details


def organization(db: GraphEngine, id: str) -> Row | None:
    """One organization's properties (`organization`) and sector terms (`sectors`), whoever may see it."""
    rows = run.read(db, "directory/organization_by_id", id=id, sectorLinkType=SECTOR_LINK_TYPE)
    return rows[0] if rows else None


def organizations(db: GraphEngine, *, search: str | None, sector: str | None, staff: bool, offset: int,
                  limit: int) -> list[Row]:
    """A page of the organizations `staff` (or the public) may find by this name and sector, by name
    (rows of `organization` properties and `sectors`); see directory/organizations for the rules."""
    return run.read(db, "directory/organizations", search=search or None, sector=sector or None,
                    sectorLinkType=SECTOR_LINK_TYPE, staff=staff, staffOnlyMark=STAFF_ONLY_RECORD,
                    offset=offset, limit=limit)


def organization_count(db: GraphEngine, *, search: str | None, sector: str | None, staff: bool) -> int:
    """How many organizations `organizations` lists for these arguments, on all its pages."""
    rows = run.read(db, "directory/organization_count", search=search or None, sector=sector or None,
                    sectorLinkType=SECTOR_LINK_TYPE, staff=staff, staffOnlyMark=STAFF_ONLY_RECORD)
    return int(rows[0]["total"])


def organizations_service_ids(db: GraphEngine, ids: Sequence[str], *, staff: bool) -> dict[str, list[str]]:
    """The ids of the services each organization provides that `staff` (or the public) may know of, by name."""
    out: dict[str, list[str]] = {id: [] for id in ids}
    if ids:
        for r in run.read(db, "directory/organizations_services", ids=list(ids), staff=staff,
                          staffOnlyMark=STAFF_ONLY_RECORD):
            out[r["organizationId"]].append(r["id"])
    return out


Located = tuple[dict[str, Any], list[dict[str, Any]]]


def organizations_locations(db: GraphEngine, ids: Sequence[str]) -> dict[str, list[Located]]:
    """Each organization's locations, each once with all its addresses, by name then id."""
    found: dict[str, dict[str, Located]] = {id: {} for id in ids}
    if ids:
        for r in run.read(db, "directory/organizations_locations", ids=list(ids)):
            if r["location"] is not None:
                found[r["organizationId"]][r["location"]["id"]] = (r["location"], r["addresses"])
    return {id: sorted(located.values(), key=lambda pair: (str(pair[0].get("name") or ""), str(pair[0]["id"])))
            for id, located in found.items()}


def taxonomy_terms(db: GraphEngine, *, parent: str | None, search: str | None, offset: int, limit: int) -> list[Row]:
    """A page of taxonomy terms (`term` properties, `parentId`) for a need picker; see directory/taxonomy_terms."""
    return run.read(db, "directory/taxonomy_terms", parent=parent or None, search=search or None,
                    offset=offset, limit=limit)


def taxonomy_term_count(db: GraphEngine, *, parent: str | None, search: str | None) -> int:
    """How many rows `taxonomy_terms` lists for these arguments, on all its pages."""
    rows = run.read(db, "directory/taxonomy_term_count", parent=parent or None, search=search or None)
    return int(rows[0]["total"])
