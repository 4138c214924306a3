"""The directory: one service, organizations, taxonomy terms, and an organization's services and locations,
as much of each as the caller may see.

What the public may not see is decided here (domain.privacy): a staff-only record is invisible, a
confidential location is not disclosed, and a public search of organizations does not match a name its
source marked private (no oracle). Lists are read a page at a time (the queries page with SKIP/LIMIT and
count apart); the nested lists of many organizations are read for all of them at once (api/dataloaders).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.privacy import visible_locations
from graph.engine import GraphEngine, Row
from graph.schema.model import is_staff_only_record
from queries import directory as q
from queries import reads
from queries.directory import ALL_KEYS, DETAIL_KINDS

__all__ = ["ALL_KEYS", "DETAIL_KINDS", "Listing", "organization", "organization_locations", "organization_services",
           "organizations", "service", "service_count", "service_details", "taxonomy_terms"]

Located = tuple[dict[str, Any], list[dict[str, Any]]]


@dataclass(frozen=True)
class Listing:
    """`rows` from offset `start` of the `total` a list holds."""

    start: int
    total: int
    rows: list[Row]


def service_count(db: GraphEngine, *, staff: bool) -> int:
    """How many services the graph holds that the caller may know of."""
    return reads.visible_service_count(db, staff=staff)


def service(db: GraphEngine, id: str, *, staff: bool) -> Row | None:
    """One service's details row (queries.directory.service_details, every kind), or None if there is
    none or the caller may not know of it (a staff-only record, for the public)."""
    row = q.service_details(db, [id]).get(id)
    if row is None or (is_staff_only_record(row["service"]) and not staff):
        return None
    return row


def service_details(db: GraphEngine, ids: Sequence[str], kinds: Collection[str] = DETAIL_KINDS,
                    keys: Mapping[str, Sequence[str]] | None = None) -> dict[str, Row]:
    """The details rows of these services, by id (queries.directory.service_details): for services whose
    ids came from a list the caller may see."""
    return q.service_details(db, ids, kinds, keys)


def organization(db: GraphEngine, id: str, *, staff: bool) -> Row | None:
    """One organization (`organization` properties, `sectors`), or None if there is none or the caller may
    not know of it."""
    row = q.organization(db, id)
    if row is None or (is_staff_only_record(row["organization"]) and not staff):
        return None
    return row


def organizations(db: GraphEngine, *, search: str | None, sector: str | None, staff: bool, offset: int,
                  limit: int) -> Listing:
    """A page of the organizations whose name contains `search`, in `sector`, by name: for the public
    none kept off the public directory, and with `search` none whose name is private (no oracle)."""
    total = q.organization_count(db, search=search, sector=sector, staff=staff)
    rows = q.organizations(db, search=search, sector=sector, staff=staff, offset=offset, limit=limit) \
        if limit and offset < total else []
    return Listing(offset, total, rows)


def taxonomy_terms(db: GraphEngine, *, parent: str | None, search: str | None, offset: int, limit: int) -> Listing:
    """A page of taxonomy terms for a need picker (`term` properties, `parentId`), by name."""
    total = q.taxonomy_term_count(db, parent=parent, search=search)
    rows = q.taxonomy_terms(db, parent=parent, search=search, offset=offset, limit=limit) \
        if limit and offset < total else []
    return Listing(offset, total, rows)


def organization_services(db: GraphEngine, ids: Sequence[str], *, staff: bool) -> dict[str, list[str]]:
    """Per organization of `ids`, the ids of the services it provides that the caller may know of, by name."""
    return q.organizations_service_ids(db, ids, staff=staff)


def organization_locations(db: GraphEngine, ids: Sequence[str], *, staff: bool) -> dict[str, list[Located]]:
    """Per organization of `ids`, its locations (its own and where its services are delivered) the caller may
    know of, by name, each with its addresses, as much of them as the caller may see."""
    return {id: visible_locations(rows, staff=staff) for id, rows in q.organizations_locations(db, ids).items()}
