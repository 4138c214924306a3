"""The GraphQL schema: the front-line search and the directory, thin over `services`.

A resolver parses its arguments, makes one service call (services.search, services.directory; nested lists
through the request's DataLoaders, api/dataloaders) and maps the answer to types. Every list is a Relay
connection (`edges { cursor node }`, `pageInfo`, `totalCount`, and `nodes` as a convenience) with a hard cap
on `first`. Resident input is used for the one query and never stored or logged. Staff-only fields resolve
to null for the public.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api import dataloaders
from api.context import Context
from api.limits import MAX_PAGE_SIZE, schema_extensions
from api.offload import in_worker_threads
from api.paging import PageInfo, page_info
from api.permissions import is_staff, staff_only
from api.planning_schema import PlanningQuery
from api.selection import page_detail_keys, page_detail_kinds
from api.types import (
    Contact,
    Eligibility,
    GeoPointInput,
    Location,
    Phone,
    PhoneSource,
    Reach,
    ResidentInput,
    Schedule,
    ServiceArea,
    TaxonomyTerm,
    aware,
    eligibility_of,
    location_of,
    phone_of,
    schedule_of,
    term_of,
    text,
)
from domain.contact_points import SourcedPhone, callable_phones
from domain.eligibility import unpublished
from domain.paging import check_first, cursor_at, offset_after
from domain.privacy import visible, visible_locations, visible_phones
from domain.search_model import DEFAULT_RADIUS_KM, SearchInputError, ServiceQuery
from graph.errors import NotFound
from graph.schema.model import ELIGIBILITY_LINK_TYPE, NON_NEED_LINK_TYPES, is_staff_only_record
from services import directory
from services import search as search_q
from services.search import ServicePage

DEFAULT_PAGE_SIZE = 20


@strawberry.type(description="An organization that provides services.")
class Organization:
    id: strawberry.ID = strawberry.field(description="The HSDS id, stable and shared with the HSDS API.")
    name: str
    alternate_name: str | None
    description: str | None
    email: str | None
    website: str | None
    sector: TaxonomyTerm | None

    @strawberry.field(description="The services it provides, by name.")
    def services(self, info: Info[Context, None], first: int = DEFAULT_PAGE_SIZE,
                 after: str | None = None) -> ServiceConnection:
        check_first(first, MAX_PAGE_SIZE)
        start, staff = offset_after(after), is_staff(info)
        kinds, keys = page_detail_kinds(info.selected_fields), page_detail_keys(info.selected_fields)

        async def load(loaders: dataloaders.Loaders) -> ServiceConnection:
            ids = await dataloaders.organization_services(loaders, info).load(str(self.id))
            page = ids[start:start + first]
            rows = await dataloaders.service_details(loaders, info, kinds, keys).load_many(page)
            details = {sid: row for sid, row in zip(page, rows, strict=True) if row is not None}
            return _connection(search_q.listed_page(page, details, start=start, total=len(ids), staff=staff),
                               staff=staff)
        return dataloaders.resolve(load, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Its locations: its own and those where its services are delivered.")
    def locations(self, info: Info[Context, None]) -> list[Location]:
        async def load(loaders: dataloaders.Loaders) -> list[Location]:
            rows = await dataloaders.organization_locations(loaders, info).load(str(self.id))
            return [location_of(loc, addresses) for loc, addresses in rows]
        return dataloaders.resolve(load, info)  # type: ignore[no-any-return]


# (Its services and locations load through the request's DataLoaders, api/dataloaders: one query for the
# organizations of a whole page, awaited on the event loop, the query itself in a worker thread.)


def organization_of(props: dict[str, Any], sectors: list[dict[str, Any]] | None = None, *,
                    staff: bool) -> Organization:
    """An organization as much of it as the caller may see (domain.privacy): values its source marked
    private are left out for the public, as everywhere else."""
    props = visible(props, staff=staff)
    sector = next((term_of(s) for s in sectors or [] if s), None)
    return Organization(id=strawberry.ID(props["id"]), name=str(props.get("name") or ""),
                        alternate_name=text(props, "alternateName"), description=text(props, "description"),
                        email=text(props, "email"), website=text(props, "website"), sector=sector)


@strawberry.type(description="A service: what an organization offers to residents (HSDS `service`).")
class Service:
    id: strawberry.ID = strawberry.field(description="The HSDS id, stable and shared with the HSDS API.")
    name: str
    alternate_name: str | None
    description: str | None
    url: str | None
    email: str | None
    status: str | None
    application_process: str | None
    fees_description: str | None
    wait_time: str | None
    eligibility_description: str | None
    minimum_age: int | None
    maximum_age: int | None
    interpretation_services: str | None
    alert: str | None
    last_modified: str | None
    organization: Organization | None
    locations: list[Location]
    needs: list[TaxonomyTerm] = strawberry.field(description="Need terms it is tagged with.")
    populations: list[TaxonomyTerm] = strawberry.field(description="Populations it is for (eligibility terms).")
    languages: list[str] = strawberry.field(description="Codes of the languages it is offered in.")
    phones: list[Phone] = strawberry.field(description=(
        "The numbers a person can call, nearest first: the service's own, then per location (the answer's "
        "nearest first) the service's there and the location's, then the organization's; each says whose "
        "it is (`source`). A number is listed once."))
    schedules: list[Schedule]
    service_areas: list[ServiceArea]
    contact_list: strawberry.Private[list[Contact]]

    @strawberry.field(description="Contact people and their direct (intake) lines. Staff only: null for the public.",
                      extensions=[staff_only(silently=True)])
    def contacts(self) -> list[Contact] | None:
        return self.contact_list


def _service_of(row: dict[str, Any], *, staff: bool, nearest_location_id: str | None = None) -> Service:
    """A service from its details row, as much of it as the caller may see (domain.privacy); its phones
    nearest first, those of `nearest_location_id` (the answer's nearest location) before other locations'."""
    raw = row["service"]
    # what was read from a private eligibility text is as private as the text (domain.eligibility)
    hidden = unpublished(raw.get("staffOnly"), raw.get("derivedFields"), staff=staff)
    props = {k: v for k, v in visible(raw, staff=staff).items() if k not in hidden}
    # a public service of an agency kept off the public directory shows no organization to the public:
    # not its name, not its id (through which its other services and locations could be walked)
    orgs = [o for o in row["organizations"] if o and (staff or not is_staff_only_record(o))]
    located = visible_locations(((loc, addresses) for lid, loc, addresses in row["locations"] if lid is not None),
                                staff=staff)
    locations = sorted((location_of(loc, addresses) for loc, addresses in located), key=lambda loc: str(loc.id))
    needs, populations = [], []
    for link_type, term in row["terms"]:
        if term is None:
            continue
        if link_type == ELIGIBILITY_LINK_TYPE:
            if "populations" not in hidden:
                populations.append(term_of(term))
        elif link_type not in NON_NEED_LINK_TYPES:
            needs.append(term_of(term))
    contacts: dict[str, tuple[dict[str, Any], list[Phone]]] = {}
    for cid, contact, phone in row["contacts"]:
        if cid is None:
            continue
        entry = contacts.setdefault(cid, (contact, []))
        entry[1].extend(phone_of(p, PhoneSource.CONTACT) for p in visible_phones([phone], staff=staff))
    return Service(
        id=strawberry.ID(props["id"]), name=str(props.get("name") or ""),
        alternate_name=text(props, "alternateName"), description=text(props, "description"), url=text(props, "url"),
        email=text(props, "email"), status=text(props, "status"),
        application_process=text(props, "applicationProcess"), fees_description=text(props, "feesDescription"),
        wait_time=text(props, "waitTime"), eligibility_description=text(props, "eligibilityDescription"),
        minimum_age=props.get("minimumAge"), maximum_age=props.get("maximumAge"),
        interpretation_services=text(props, "interpretationServices"), alert=text(props, "alert"),
        last_modified=text(props, "lastModified"),
        organization=organization_of(orgs[0], staff=staff) if orgs else None,
        locations=locations,
        needs=sorted(needs, key=lambda t: str(t.id)), populations=sorted(populations, key=lambda t: str(t.id)),
        languages=sorted(c for c in row["languages"] if c),
        phones=_phones_of(row["phones"], locations, staff=staff, nearest_location_id=nearest_location_id),
        schedules=[schedule_of(s) for s in sorted((s for s in row["schedules"] if s), key=lambda s: str(s.get("id")))],
        service_areas=[ServiceArea(id=strawberry.ID(a[0]), name=a[1], description=a[2])
                       for a in sorted(row["areas"], key=lambda a: str(a[0])) if a[0] is not None],
        contact_list=[Contact(name=text(c, "name"), title=text(c, "title"), department=text(c, "department"),
                              email=text(c, "email"), phones=phones)
                      for _, (c, phones) in sorted(contacts.items())],
    )


def _phones_of(phones: list[SourcedPhone], locations: list[Location], *, staff: bool,
               nearest_location_id: str | None) -> list[Phone]:
    """The numbers a person can call for the service, nearest first (domain.contact_points), of those
    the caller may see and at the locations it may know of."""
    shown = [SourcedPhone(p.source, p.location_id, seen) for p in phones
             for seen in visible_phones([p.phone], staff=staff)]
    by_id = {str(loc.id): loc for loc in locations}
    return [phone_of(p.phone, PhoneSource(p.source.value), by_id.get(p.location_id or ""))
            for p in callable_phones(shown, list(by_id), nearest_location_id)]


@strawberry.type(description="One result: the service, and how it answers the question.")
class ServiceEdge:
    cursor: str
    node: Service
    reach: Reach | None = strawberry.field(description="How it reaches the point (null without a point).")
    distance_km: float | None = strawberry.field(description="Great-circle km to its nearest location (null if none).")
    nearest_location: Location | None
    eligibility: Eligibility
    relevance: float | None = strawberry.field(description="Full-text score when `text` was given.")


@strawberry.type(description="A page of services (Relay connection).")
class ServiceConnection:
    edges: list[ServiceEdge]
    page_info: PageInfo
    total_count: int

    nodes: list[Service] = strawberry.field(
        description="The services of the page, in order (the edges' nodes): a convenience.")


def _connection(page: ServicePage, *, staff: bool) -> ServiceConnection:
    """A page of services (services.search.ServicePage) as GraphQL types."""
    edges = []
    for i, item in enumerate(page.services):
        hit = item.hit
        service = _service_of(item.details, staff=staff, nearest_location_id=hit.nearest_location_id)
        nearest = next((loc for loc in service.locations if str(loc.id) == hit.nearest_location_id), None)
        edges.append(ServiceEdge(
            cursor=cursor_at(page.start + i), node=service, reach=Reach(hit.reach) if hit.reach else None,
            distance_km=hit.distance_km, nearest_location=nearest, eligibility=eligibility_of(hit.eligibility),
            relevance=hit.relevance,
        ))
    return ServiceConnection(edges=edges, nodes=[edge.node for edge in edges], total_count=page.total,
                             page_info=page_info(page.start, len(edges), page.total))


@strawberry.type(description="An organization and its cursor.")
class OrganizationEdge:
    cursor: str
    node: Organization


@strawberry.type(description="A page of organizations (Relay connection).")
class OrganizationConnection:
    edges: list[OrganizationEdge]
    page_info: PageInfo
    total_count: int

    nodes: list[Organization] = strawberry.field(
        description="The organizations of the page, in order (the edges' nodes): a convenience.")


@strawberry.type(description="A taxonomy term and its cursor.")
class TaxonomyTermEdge:
    cursor: str
    node: TaxonomyTerm


@strawberry.type(description="A page of taxonomy terms (Relay connection).")
class TaxonomyTermConnection:
    edges: list[TaxonomyTermEdge]
    page_info: PageInfo
    total_count: int

    nodes: list[TaxonomyTerm] = strawberry.field(
        description="The terms of the page, in order (the edges' nodes): a convenience.")


@strawberry.type
class Query(PlanningQuery):
    @strawberry.field(description="How many services the graph holds that the caller may see.")
    def service_count(self, info: Info[Context, None]) -> int:
        return directory.service_count(info.context.db, staff=is_staff(info))

    @strawberry.field(description="One service by its HSDS id, or null if there is none.")
    def service(self, info: Info[Context, None], id: strawberry.ID) -> Service | None:
        staff = is_staff(info)
        row = directory.service(info.context.db, str(id), staff=staff)
        return _service_of(row, staff=staff) if row is not None else None

    @strawberry.field(description=(
        "Services that can reach this need, for this resident, near here, now. A service reaches the point "
        "when one of its locations is within radiusKm (reach LOCATION) or one of its service areas covers it "
        "(reach SERVICE_AREA). Ordered by distance (nulls last, ties by id); with text and no point, by "
        "relevance. Ineligible services are left out unless includeIneligible."))
    def services(
        self, info: Info[Context, None],
        need: list[strawberry.ID] | None = None, text: str | None = None, near: GeoPointInput | None = None,
        radius_km: float = DEFAULT_RADIUS_KM, resident: ResidentInput | None = None,
        open_at: datetime | None = None, include_ineligible: bool = False,
        first: int = DEFAULT_PAGE_SIZE, after: str | None = None,
    ) -> ServiceConnection:
        check_first(first, MAX_PAGE_SIZE)
        staff = is_staff(info)
        query = ServiceQuery(
            need=tuple(str(n) for n in need or ()), text=text, near=near.to_model() if near else None,
            radius_km=radius_km, resident=resident.to_model() if resident else None, open_at=aware(open_at, "openAt"),
            include_ineligible=include_ineligible, confidential=staff,
        )
        page = search_q.find_services(info.context.db, query, first=first, after_offset=offset_after(after),
                                      detail_kinds=page_detail_kinds(info.selected_fields),
                                      detail_keys=page_detail_keys(info.selected_fields))
        return _connection(page, staff=staff)

    @strawberry.field(description=(
        "Crisis diversion for 911 and police call takers (staff): non-police crisis and mental-health response "
        "services whose service area covers the point and that are open at that time (24/7 included), "
        "nearest first."), extensions=[staff_only()])
    def crisis_responders(self, info: Info[Context, None], at: GeoPointInput, when: datetime,
                          first: int = DEFAULT_PAGE_SIZE, after: str | None = None) -> ServiceConnection:
        moment = aware(when, "when")
        assert moment is not None
        check_first(first, MAX_PAGE_SIZE)
        page = search_q.find_crisis_responders(info.context.db, at.to_model(), moment, first=first,
                                               after_offset=offset_after(after),
                                               detail_kinds=page_detail_kinds(info.selected_fields),
                                               detail_keys=page_detail_keys(info.selected_fields))
        return _connection(page, staff=is_staff(info))

    @strawberry.field(description="One organization by its HSDS id, with its services and locations; null if none.")
    def organization(self, info: Info[Context, None], id: strawberry.ID) -> Organization | None:
        staff = is_staff(info)
        row = directory.organization(info.context.db, str(id), staff=staff)
        return organization_of(row["organization"], row["sectors"], staff=staff) if row is not None else None

    @strawberry.field(description="Organizations whose name contains `search`, in `sector` (term id or code), by name.")
    def organizations(self, info: Info[Context, None], search: str | None = None, sector: strawberry.ID | None = None,
                      first: int = DEFAULT_PAGE_SIZE, after: str | None = None) -> OrganizationConnection:
        check_first(first, MAX_PAGE_SIZE)
        staff = is_staff(info)
        listing = directory.organizations(info.context.db, search=search, sector=str(sector) if sector else None,
                                          staff=staff, offset=offset_after(after), limit=first)
        edges = [OrganizationEdge(cursor=cursor_at(listing.start + i),
                                  node=organization_of(r["organization"], r["sectors"], staff=staff))
                 for i, r in enumerate(listing.rows)]
        return OrganizationConnection(edges=edges, nodes=[edge.node for edge in edges],
                                      page_info=page_info(listing.start, len(edges), listing.total),
                                      total_count=listing.total)

    @strawberry.field(description=(
        "Taxonomy terms for need pickers: the children of `parent` (top-level terms without it); with `search`, "
        "terms whose name or code contains it, anywhere below `parent`."))
    def taxonomy_terms(self, info: Info[Context, None], parent: strawberry.ID | None = None,
                       search: str | None = None, first: int = 50, after: str | None = None,
                       ) -> TaxonomyTermConnection:
        check_first(first, MAX_PAGE_SIZE)
        listing = directory.taxonomy_terms(info.context.db, parent=str(parent) if parent else None, search=search,
                                           offset=offset_after(after), limit=first)
        edges = [TaxonomyTermEdge(cursor=cursor_at(listing.start + i), node=term_of(r["term"], r["parentId"]))
                 for i, r in enumerate(listing.rows)]
        return TaxonomyTermConnection(edges=edges, nodes=[edge.node for edge in edges],
                                      page_info=page_info(listing.start, len(edges), listing.total),
                                      total_count=listing.total)


__all__ = ["NotFound", "SearchInputError", "schema"]

schema = strawberry.Schema(query=in_worker_threads(Query), extensions=schema_extensions())
