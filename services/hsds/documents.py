"""HSDS documents by id, as the REST API sends them: the records the caller may see, walked from the graph
(queries/hsds_out.py) and serialized (services/hsds/serialize.py). Each function keeps the order of `ids` and
leaves out what does not exist or the caller may not see; the `…_by_id` ones answer None for that."""

from __future__ import annotations

from collections.abc import Sequence

from domain.privacy import visible
from graph.engine import GraphEngine
from queries import hsds_out
from services.hsds import listing, serialize
from services.hsds.serialize import JsonObject


def service_by_id(db: GraphEngine, id: str, *, staff: bool) -> JsonObject | None:
    """A service fully nested (`/services/{id}`)."""
    graph = hsds_out.service_graphs(db, ids=[id]).get(id)
    return serialize.service_full(graph, staff=staff) if graph is not None else None


def services_modified(db: GraphEngine, ids: Sequence[str], *, staff: bool) -> list[JsonObject]:
    """`{id, modified_date}` per service (modified_date left out when its last_modified is unknown or hidden)."""
    rows = listing.service_modified(db, ids=ids)
    out: list[JsonObject] = []
    for sid in ids:
        row = rows.get(sid)
        if row is not None:
            shown = visible({"lastModified": row["lastModified"], "staffOnly": row["staffOnly"]}, staff=staff)
            out.append({"id": sid, **({"modified_date": shown["lastModified"]}
                                      if shown.get("lastModified") is not None else {})})
    return out


def organizations(db: GraphEngine, ids: Sequence[str], *, staff: bool, full: bool,
                  full_service: bool) -> list[JsonObject]:
    """Organizations: their own fields, or (full or full_service) nested, their services flat or in full."""
    if full or full_service:
        graphs = hsds_out.organization_graphs(db, ids=ids, full_service=full_service)
        return _present([serialize.organization_full(graphs[oid], staff=staff, full_service=full_service)
                         for oid in ids if oid in graphs])
    records = listing.organization_records(db, ids=ids)
    return _present([serialize.organization_basic(records[oid], staff=staff) for oid in ids if oid in records])


def organization_by_id(db: GraphEngine, id: str, *, staff: bool, full_service: bool) -> JsonObject | None:
    graph = hsds_out.organization_graphs(db, ids=[id], full_service=full_service).get(id)
    return serialize.organization_full(graph, staff=staff, full_service=full_service) if graph is not None else None


def taxonomies(db: GraphEngine, ids: Sequence[str]) -> list[JsonObject]:
    """Taxonomies (public: every caller sees them all)."""
    found = {str(p["id"]): p for p in hsds_out.taxonomies(db, ids=ids)}
    return [serialize.taxonomy(tid, found[tid]) for tid in ids if tid in found]


def taxonomy_by_id(db: GraphEngine, id: str) -> JsonObject | None:
    found = hsds_out.taxonomies(db, ids=[id])
    return serialize.taxonomy(id, found[0]) if found else None


def taxonomy_terms(db: GraphEngine, ids: Sequence[str], *, staff: bool) -> list[JsonObject]:
    terms = hsds_out.taxonomy_terms(db, ids=ids)
    return [serialize.taxonomy_term(terms[tid], staff=staff) for tid in ids if tid in terms]


def taxonomy_term_by_id(db: GraphEngine, id: str, *, staff: bool) -> JsonObject | None:
    term = hsds_out.taxonomy_terms(db, ids=[id]).get(id)
    return serialize.taxonomy_term(term, staff=staff) if term is not None else None


def service_at_locations(db: GraphEngine, ids: Sequence[str], *, staff: bool) -> list[JsonObject]:
    """Services at locations, each with its location and service nested."""
    graphs = hsds_out.service_at_location_graphs(db, ids=ids)
    return _present([serialize.service_at_location_full(graphs[xid], staff=staff) for xid in ids if xid in graphs])


def service_at_location_by_id(db: GraphEngine, id: str, *, staff: bool) -> JsonObject | None:
    graph = hsds_out.service_at_location_graphs(db, ids=[id]).get(id)
    return serialize.service_at_location_full(graph, staff=staff) if graph is not None else None


def _present(records: Sequence[JsonObject | None]) -> list[JsonObject]:
    """The records the caller may see (a serializer answers None for one they may not)."""
    return [r for r in records if r is not None]
