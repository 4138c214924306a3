"""The HSDS 3.0 REST API (Open Referral's openapi.json), read-only, under `/hsds`.

Routes: `/` (version, profile, openapi_url), `/services`, `/services/{id}`, `/organizations`,
`/organizations/{id}`, `/taxonomies`, `/taxonomies/{id}`, `/taxonomy_terms`, `/taxonomy_terms/{id}`,
`/service_at_locations`, `/service_at_locations/{id}`. Lists come in the HSDS `Page` wrapper, by id
(a stable order for clients that page through everything), or with `format=ndjson` as one object a
line, every match, no wrapper. Query parameters combine with AND; what each filter means is in
services/hsds/listing.py and in each parameter's description (params.py).

Roles are the GraphQL API's (`Authorization: Bearer <key>`, api/auth.py): the public sees published
information only (services/hsds/serialize.py applies domain/privacy.py); staff see staff-only records and
fields. Responses to the public carry `Access-Control-Allow-Origin: *` (middleware.py); a browser may not
send a key cross-origin (the preflight does not allow the Authorization header). Every route answers HEAD
as GET, without the body.

Errors: 404 `{"detail": "no service with id 'x'"}`; a bad parameter 422 in FastAPI's validation shape
(`{"detail": [{"loc": ["query", "proximity"], "msg": "…what to send…", …}]}`; a NUL character in any text
parameter is one); a bad key 401.

Choices where the HSDS API reference is open (each also in the parameter's description):
- taxonomy_term_id matches the term and every narrower term.
- top_only: the parameter's name says "top", its description "terms that have not child terms";
  the name wins: terms without a parent (the top of each hierarchy).
- postcode: the spec gives no parameter for a point, so `postcode` also takes `lat,lng` (decimal
  degrees); `proximity` (metres) is measured from that point, or from the postcode's centroid.
- minimal: `{id, modified_date}` per service (modified_date is the service's last_modified), up to
  MINIMAL_MAX_PER_PAGE a page (default: that many) so that a client gets every service in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from api.hsds.deps import CallerDep, DatabaseDep, SnapshotsDep
from api.hsds.models import (
    NDJSON,
    ApiInfo,
    Organization,
    Page,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    list_responses,
    one_responses,
)
from api.hsds.pages import JsonObject, listing, no_snapshot, not_found
from api.hsds.params import (
    MAX_PROXIMITY_M,
    MINIMAL_MAX_PER_PAGE,
    NO_NUL,
    FormatParam,
    FullParam,
    FullServiceParam,
    ModifiedParam,
    OrganizationParam,
    PageParam,
    PerPageParam,
    SearchParam,
    TaxonomyParam,
    TermParam,
    filters_failed,
    id_of,
    modified_after_of,
    per_page_of,
    place_of,
    window_of,
)
from domain.roles import Role
from services import inventory
from services.hsds import documents
from services.hsds import listing as hsds_api
from services.hsds.listing import HsdsFilterError, ServiceAtLocationFilters, ServiceFilters
from services.hsds.snapshots import Shape, SnapshotWriter, audience_of, service_documents

PREFIX: Final[str] = "/hsds"
HSDS_VERSION: Final[str] = "3.0"
PROFILE_URL: Final[str] = "https://docs.openreferral.org/en/v3.0/"  # the base specification: no profile

router = APIRouter(prefix=PREFIX, tags=["HSDS 3.0"])


@router.get("/", summary="Retrieve information about this API and its relationship with HSDS.",
            operation_id="getAPIMetaInformation", response_model=ApiInfo)
def api_info(request: Request) -> ApiInfo:
    return ApiInfo(version=HSDS_VERSION, profile=PROFILE_URL, openapi_url=str(request.url_for("openapi")))


@router.get("/services", summary="Paginated list of services (one-to-one fields, organization and program).",
            operation_id="getPaginatedListOfServices", response_model=Page[Service],
            responses=list_responses(Page[Service]))
def list_services(
    db: DatabaseDep, who: CallerDep, store: SnapshotsDep, search: SearchParam = None,
    taxonomy_term_id: TermParam = None, taxonomy_id: TaxonomyParam = None, organization_id: OrganizationParam = None,
    modified_after: ModifiedParam = None,
    minimal: Annotated[bool, Query(description=(
        "Return just each service's id and modified_date (its last_modified), every service in one page "
        f"by default (per_page up to {MINIMAL_MAX_PER_PAGE})."))] = False,
    full: FullParam = False, page: PageParam = 1, per_page: PerPageParam = None, format: FormatParam = "json",
) -> Any:
    staff = who.role >= Role.STAFF
    size = per_page_of(per_page, minimal=minimal)
    filters = ServiceFilters(search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id,
                             organization_id=organization_id, modified_after=modified_after_of(modified_after))
    snapshot: Callable[[], SnapshotWriter | None] = no_snapshot
    if format == "ndjson" and not minimal and filters == ServiceFilters() and store.enabled:
        # every service the caller may see: streamed from this graph version's snapshot, or built into one
        version, audience = inventory.graph_version(db), audience_of(who.role)
        shape: Shape = "full" if full else "summary"
        ready = store.at(version, audience, shape)
        if ready is not None:
            return StreamingResponse(ready.chunks(), media_type=NDJSON)
        snapshot = partial(store.writer, version, audience, shape)
    try:
        ids = hsds_api.service_ids(db, filters=filters, staff=staff, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        if minimal:
            return documents.services_modified(db, chunk, staff=staff)
        return service_documents(db, chunk, full=full, staff=staff)

    return listing(ids, fetch, page=page, per_page=size, fmt=format, snapshot=snapshot,
                    version_now=lambda: inventory.graph_version(db))


@router.get("/services/{id}", summary="A fully nested service with all related data.",
            operation_id="getFullyNestedServiceById", response_model=Service, responses=one_responses("service"))
def get_service(db: DatabaseDep, who: CallerDep, store: SnapshotsDep,
                id: Annotated[str, id_of("service")]) -> Any:
    ready = store.current(db, audience_of(who.role), "full")
    if ready is not None:  # this graph version's documents are built: one line of the file, no graph walk
        document = ready.document(id)
        if document is None:
            raise not_found("service", id)
        return Response(document, media_type="application/json")
    body = documents.service_by_id(db, id, staff=who.role >= Role.STAFF)
    if body is None:
        raise not_found("service", id)
    return JSONResponse(body)


@router.get("/organizations", summary="Paginated list of organizations (their own fields; full=true: nested).",
            operation_id="getPaginatedListOfOrganizations", response_model=Page[Organization],
            responses=list_responses(Page[Organization]))
def list_organizations(db: DatabaseDep, who: CallerDep, search: SearchParam = None,
                       full_service: FullServiceParam = False, full: FullParam = False, page: PageParam = 1,
                       per_page: PerPageParam = None, format: FormatParam = "json") -> Any:
    staff = who.role >= Role.STAFF
    size = per_page_of(per_page)
    try:
        ids = hsds_api.organization_ids(db, search=search, staff=staff, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        return documents.organizations(db, chunk, staff=staff, full=full, full_service=full_service)

    return listing(ids, fetch, page=page, per_page=size, fmt=format)


@router.get("/organizations/{id}", summary="A fully nested organization; its services flat, or in full.",
            operation_id="getOrganizationById", response_model=Organization,
            responses=one_responses("organization"))
def get_organization(db: DatabaseDep, who: CallerDep, id: Annotated[str, id_of("organization")],
                     full_service: FullServiceParam = False) -> Any:
    body = documents.organization_by_id(db, id, staff=who.role >= Role.STAFF, full_service=full_service)
    if body is None:
        raise not_found("organization", id)
    return JSONResponse(body)


@router.get("/taxonomies", summary="Paginated list of taxonomies.", operation_id="getPaginatedListOfTaxonomies",
            response_model=Page[Taxonomy], responses=list_responses(Page[Taxonomy]))
def list_taxonomies(db: DatabaseDep, who: CallerDep, search: Annotated[str | None, Query(
        min_length=1, pattern=NO_NUL,
        description="Every word (case-insensitive) in the taxonomy's name or description.")] = None,
                    page: PageParam = 1, per_page: PerPageParam = None, format: FormatParam = "json") -> Any:
    del who  # taxonomies are public
    size = per_page_of(per_page)
    try:
        ids = hsds_api.taxonomy_ids(db, search=search, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        return documents.taxonomies(db, chunk)

    return listing(ids, fetch, page=page, per_page=size, fmt=format)


@router.get("/taxonomies/{id}", summary="A taxonomy.", operation_id="getTaxonomyById", response_model=Taxonomy,
            responses=one_responses("taxonomy"))
def get_taxonomy(db: DatabaseDep, who: CallerDep, id: Annotated[str, id_of("taxonomy")]) -> Any:
    del who
    body = documents.taxonomy_by_id(db, id)
    if body is None:
        raise not_found("taxonomy", id)
    return JSONResponse(body)


@router.get("/taxonomy_terms", summary="Paginated list of taxonomy terms.",
            operation_id="getPaginatedListOfTaxonomyTerms", response_model=Page[TaxonomyTerm],
            responses=list_responses(Page[TaxonomyTerm]))
def list_taxonomy_terms(
    db: DatabaseDep, who: CallerDep, search: SearchParam = None,
    taxonomy_id: Annotated[str | None, Query(
        min_length=1, pattern=NO_NUL, description="Only terms of this taxonomy.")] = None,
    top_only: Annotated[bool, Query(description=(
        "Only top-level terms (without a parent). The HSDS text says \"terms that have not child terms\"; "
        "the parameter's name is followed."))] = False,
    parent_id: Annotated[str | None, Query(
        min_length=1, pattern=NO_NUL, description="Only the children of this term.")] = None,
    page: PageParam = 1, per_page: PerPageParam = None, format: FormatParam = "json",
) -> Any:
    staff = who.role >= Role.STAFF
    size = per_page_of(per_page)
    try:
        ids = hsds_api.taxonomy_term_ids(db, search=search, taxonomy_id=taxonomy_id, parent_id=parent_id,
                                         top_only=top_only, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        return documents.taxonomy_terms(db, chunk, staff=staff)

    return listing(ids, fetch, page=page, per_page=size, fmt=format)


@router.get("/taxonomy_terms/{id}", summary="A taxonomy term.", operation_id="getTaxonomyTermById",
            response_model=TaxonomyTerm, responses=one_responses("taxonomy term"))
def get_taxonomy_term(db: DatabaseDep, who: CallerDep,
                      id: Annotated[str, id_of("taxonomy term")]) -> Any:
    body = documents.taxonomy_term_by_id(db, id, staff=who.role >= Role.STAFF)
    if body is None:
        raise not_found("taxonomy term", id)
    return JSONResponse(body)


@router.get("/service_at_locations", summary="Paginated list of services at locations.",
            operation_id="getPaginatedListOfServiceAtLocation", response_model=Page[ServiceAtLocation],
            responses=list_responses(Page[ServiceAtLocation]))
def list_service_at_locations(
    db: DatabaseDep, who: CallerDep, search: SearchParam = None, taxonomy_term_id: TermParam = None,
    taxonomy_id: TaxonomyParam = None, organization_id: OrganizationParam = None,
    modified_after: ModifiedParam = None, full: FullParam = False, page: PageParam = 1,
    per_page: PerPageParam = None, format: FormatParam = "json",
    postcode: Annotated[str | None, Query(pattern=NO_NUL, description=(
        "A postcode (case and spaces ignored; a ZIP+4 matches its ZIP): without proximity, only sites at a "
        "location whose physical address has it; with proximity, distance from its centroid (the mean point of "
        "the locations that have it). Or a point as lat,lng in decimal degrees (then proximity is required)."))] = None,
    proximity: Annotated[str | None, Query(description=(
        f"Only sites within this many metres (great-circle) of the postcode's centroid or point: > 0 and "
        f"<= {MAX_PROXIMITY_M:.0f}."))] = None,
) -> Any:
    del full  # a page of sites is always nested in full: the serializer has no lighter form of a site (yet)
    staff = who.role >= Role.STAFF
    size = per_page_of(per_page)
    code, near = place_of(db, postcode, proximity, staff=staff)
    filters = ServiceAtLocationFilters(
        search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id, organization_id=organization_id,
        modified_after=modified_after_of(modified_after), postcode=code, proximity=near)
    try:
        ids = hsds_api.service_at_location_ids(db, filters=filters, staff=staff, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        return documents.service_at_locations(db, chunk, staff=staff)

    return listing(ids, fetch, page=page, per_page=size, fmt=format)


@router.get("/service_at_locations/{id}", summary="A fully nested service at location.",
            operation_id="getServiceAtLocationWithNestedDataById", response_model=ServiceAtLocation,
            responses=one_responses("service at location"))
def get_service_at_location(db: DatabaseDep, who: CallerDep,
                            id: Annotated[str, id_of("service at location")]) -> Any:
    body = documents.service_at_location_by_id(db, id, staff=who.role >= Role.STAFF)
    if body is None:
        raise not_found("service at location", id)
    return JSONResponse(body)


__all__ = ["PREFIX", "router"]
