"""Directory reads behind the GraphQL API: service pages, organizations, taxonomy terms (plain rows)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from graph.engine import GraphEngine, Row
from queries import run

SECTOR_LINK_TYPE = "sector"


_DETAIL_LISTS = {  # row kind -> the key of the list it goes to
    "organization": "organizations", "location": "locations", "term": "terms", "language": "languages",
    "phone": "phones", "contact": "contacts", "schedule": "schedules", "area": "areas", "residency": "residency",
}


DETAIL_KINDS: frozenset[str] = frozenset(_DETAIL_LISTS)


def service_details(db: GraphEngine, ids: Sequence[str], kinds: Collection[str] = DETAIL_KINDS) -> dict[str, Row]:
    """Everything a result page shows of each service, in one round trip, by service id:
    {"id", "service": properties, "organizations", "locations", "terms", "languages", "phones",
    "contacts", "schedules", "areas", "residency"} (see search/service_details for each list's items).
    Only the lists of `kinds` (of DETAIL_KINDS) are read; the others are left empty."""
    unknown = set(kinds) - DETAIL_KINDS
    if unknown:
        raise ValueError(f"unknown detail kinds {sorted(unknown)}; known: {sorted(DETAIL_KINDS)}")
    if not ids:
        return {}
    rows = run.read(db, "search/service_details", ids=list(ids), kinds=sorted(kinds))
    details: dict[str, Row] = {
        r["id"]: {"id": r["id"], "service": r["value"], **{key: [] for key in _DETAIL_LISTS.values()}}
        for r in rows if r["kind"] == "service"
    }
    for r in rows:
        if r["kind"] != "service" and r["id"] in details:
            details[r["id"]][_DETAIL_LISTS[r["kind"]]].append(r["value"])
    return details


def organization(db: GraphEngine, id: str) -> Row | None:
    rows = run.read(db, "directory/organization_by_id", id=id, sectorLinkType=SECTOR_LINK_TYPE)
    return rows[0] if rows else None


def organizations(db: GraphEngine, *, search: str | None, sector: str | None) -> list[Row]:
    return run.read(db, "directory/organizations", search=search or None, sector=sector or None,
                    sectorLinkType=SECTOR_LINK_TYPE)


def organization_service_ids(db: GraphEngine, id: str) -> list[str]:
    return [r["id"] for r in run.read(db, "directory/organization_services", id=id)]


def organization_locations(db: GraphEngine, id: str) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    rows = run.read(db, "directory/organization_locations", id=id)
    return sorted(((r["location"], r["address"]) for r in rows if r["location"] is not None),
                  key=lambda pair: (str(pair[0].get("name") or ""), str(pair[0]["id"])))


def taxonomy_terms(db: GraphEngine, *, parent: str | None, search: str | None) -> list[Row]:
    rows = run.read(db, "directory/taxonomy_terms", parent=parent or None, search=search or None)
    if parent and search:
        within = {r["id"] for r in run.read(db, "directory/term_within", ids=[r["term"]["id"] for r in rows],
                                            parent=parent)}
        rows = [r for r in rows if r["term"]["id"] in within]
    return rows
