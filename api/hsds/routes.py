"""The HSDS 3.0 REST API (Open Referral's openapi.json), read-only, under `/hsds`.

Routes: `/` (version, profile, openapi_url), `/services`, `/services/{id}`, `/organizations`,
`/organizations/{id}`, `/taxonomies`, `/taxonomies/{id}`, `/taxonomy_terms`, `/taxonomy_terms/{id}`,
`/service_at_locations`, `/service_at_locations/{id}`. Lists come in the HSDS `Page` wrapper, by id
(a stable order for clients that page through everything), or with `format=ndjson` as one object a
line, every match, no wrapper. Query parameters combine with AND; what each filter means is in
queries/hsds_api.py and in each parameter's description below.

Roles are the GraphQL API's (`Authorization: Bearer <key>`, api/auth.py): the public sees published
information only (api/hsds/serialize.py applies api/privacy.py); staff see staff-only records and
fields. Responses to the public carry `Access-Control-Allow-Origin: *` (`HsdsCors`); a browser may not
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

import math
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Annotated, Any, Final, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import PUBLIC_CALLER, AuthError, Caller, authenticate
from api.context import key_store_of
from domain.privacy import visible
from domain.roles import Role
from domain.search_model import MAX_RADIUS_KM, GeoPoint
from graph.engine import GraphEngine
from graph.settings import Settings
from queries import hsds_out, reads
from services.hsds import listing as hsds_api
from services.hsds import serialize
from services.hsds.listing import HsdsFilterError, IdPage, Proximity, ServiceAtLocationFilters, ServiceFilters, Window
from services.hsds.snapshots import BATCH, SnapshotStore, SnapshotWriter, dumps, service_documents, teed
from services.hsds.snapshots import Role as SnapshotRole
from services.hsds.snapshots import Shape as SnapshotShape

PREFIX: Final[str] = "/hsds"
HSDS_VERSION: Final[str] = "3.0"
PROFILE_URL: Final[str] = "https://docs.openreferral.org/en/v3.0/"  # the base specification: no profile
DEFAULT_PER_PAGE: Final[int] = 50
MAX_PER_PAGE: Final[int] = 500
MINIMAL_MAX_PER_PAGE: Final[int] = 100_000
MAX_PROXIMITY_M: Final[float] = MAX_RADIUS_KM * 1000
STREAM_BATCH: Final[int] = BATCH  # records serialized per round of reads while streaming NDJSON
NDJSON: Final[str] = "application/x-ndjson"
SCHEMA_BASE: Final[str] = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"

JsonObject = dict[str, Any]

# ---------------------------------------------------------------- response models (for the OpenAPI document)


class HsdsObject(BaseModel):
    """An HSDS 3.0 object: `id` and the fields HSDS defines for it (any other field is HSDS's)."""

    model_config = ConfigDict(extra="allow")
    id: str


class Service(HsdsObject):
    __doc__ = f"An HSDS service ({SCHEMA_BASE}service.json): flat in a list, fully nested by id or with full=true."


class Organization(HsdsObject):
    __doc__ = f"An HSDS organization ({SCHEMA_BASE}organization.json)."


class Taxonomy(HsdsObject):
    __doc__ = f"An HSDS taxonomy ({SCHEMA_BASE}taxonomy.json)."


class TaxonomyTerm(HsdsObject):
    __doc__ = f"An HSDS taxonomy term ({SCHEMA_BASE}taxonomy_term.json), with its taxonomy_detail."


class ServiceAtLocation(HsdsObject):
    __doc__ = (f"An HSDS service at location ({SCHEMA_BASE}service_at_location.json) with its location and "
               "service nested.")


Item = TypeVar("Item", bound=HsdsObject)


class Page(BaseModel, Generic[Item]):
    """The HSDS Page wrapper around one page of a list."""

    total_items: int = Field(description="How many records match, on every page.")
    total_pages: int = Field(description="How many pages of this size they fill (0 when none match).")
    page_number: int = Field(description="This page's number (from 1).")
    size: int = Field(description="How many records this page holds.")
    first_page: bool = Field(description="Whether this is page 1.")
    last_page: bool = Field(description="Whether no page follows this one.")
    empty: bool = Field(description="Whether this page holds no records.")
    contents: list[Item]


class ApiInfo(BaseModel):
    version: str = Field(description="HSDS version of this API.")
    profile: str = Field(description="URL of the HSDS profile of this API (the base specification: no profile).")
    openapi_url: str = Field(description="URL of the OpenAPI document of this API.")


class ErrorBody(BaseModel):
    detail: str = Field(description="What went wrong, and what to do about it.")


def page_body(ids: IdPage, contents: list[JsonObject], *, page: int, per_page: int) -> JsonObject:
    """The HSDS Page wrapper (`ids` is the page asked for; `contents` its records, in order)."""
    total_pages = math.ceil(ids.total / per_page) if per_page else 0
    return {
        "total_items": ids.total, "total_pages": total_pages, "page_number": page, "size": len(contents),
        "first_page": page == 1, "last_page": page >= total_pages, "empty": not contents, "contents": contents,
    }


# ---------------------------------------------------------------- CORS


class HsdsCors:
    """ASGI middleware for the paths under `prefix`: `Access-Control-Allow-Origin: *` on every response to a
    request without an Authorization header (public data, as Open Referral recommends), and an answer to
    CORS preflights that allows GET and HEAD without credentials or an Authorization header (so a web page
    elsewhere cannot send a staff key). HEAD is answered as GET is, without the body. Elsewhere it does nothing."""

    def __init__(self, app: ASGIApp, prefix: str = PREFIX) -> None:
        self.app, self.prefix = app, prefix

    def _ours(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._ours(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            allowed = headers["access-control-request-method"].upper() in ("GET", "HEAD")
            await Response(status_code=204 if allowed else 400, headers={
                "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD",
                "Access-Control-Max-Age": "600"})(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            scope, send = {**scope, "method": "GET"}, _without_body(send)
        if "authorization" in headers:
            await self.app(scope, receive, send)
            return

        async def public(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Access-Control-Allow-Origin"] = "*"
            await send(message)

        await self.app(scope, receive, public)


def _without_body(send: Send) -> Send:
    """`send` for a HEAD request answered as GET: the response's status and headers, an empty body."""
    ended = False

    async def head(message: Message) -> None:
        nonlocal ended
        if message["type"] == "http.response.body":
            if ended:
                return
            ended, message = True, {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return head


# ---------------------------------------------------------------- dependencies and parameters


def caller(request: Request) -> Caller:
    """Who asks: public without an Authorization header; a bad key is refused (401, or 503 when the key
    store is unreadable) with `{"detail": …}`."""
    authorization = request.headers.getlist("authorization")
    if not authorization:
        return PUBLIC_CALLER
    try:
        return authenticate(authorization, key_store_of(request.app))
    except AuthError as exc:
        raise HTTPException(exc.status_code, detail=exc.message, headers=exc.headers) from None


def database(request: Request) -> GraphEngine:
    db: GraphEngine = request.app.state.db
    return db


_STORE_LOCK = threading.Lock()


def snapshots(request: Request) -> SnapshotStore:
    """The app's store of ready-made service documents (api/hsds/snapshots.py), made on first use from its
    settings and database (one per app: it knows which builds the process runs)."""
    state = request.app.state
    with _STORE_LOCK:
        store = getattr(state, "snapshots", None)
        if not isinstance(store, SnapshotStore):
            settings = getattr(state, "settings", None)
            store = SnapshotStore.of(settings, state.db) if isinstance(settings, Settings) else SnapshotStore(None, "")
            state.snapshots = store
    return store


CallerDep = Annotated[Caller, Depends(caller)]
DbDep = Annotated[GraphEngine, Depends(database)]
SnapshotsDep = Annotated[SnapshotStore, Depends(snapshots)]


def bad_parameter(name: str, value: Any, message: str) -> RequestValidationError:
    """A 422 in FastAPI's own validation shape, naming the parameter and what to send."""
    return RequestValidationError([{"type": "value_error", "loc": ("query", name), "msg": message, "input": value}])


def _staff(who: Caller) -> bool:
    return who.role >= Role.STAFF


def _snapshot_role(who: Caller) -> SnapshotRole:
    return "staff" if _staff(who) else "public"


# Ids and codes never hold a NUL character (the graph refuses to store or look one up): refused here, so
# the answer is a 422 naming the parameter, and the OpenAPI document says so.
NO_NUL: Final[str] = r"^[^\x00]*$"



def id_of(kind: str) -> Any:
    """The `{id}` of a by-id route."""
    return Path(pattern=NO_NUL, description=f"The id of the {kind}.")


PageParam = Annotated[int, Query(ge=1, description="Page number of paginated result (from 1).")]
PerPageParam = Annotated[int | None, Query(ge=1, description=(
    f"Number of results requested in a single page: 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}; with "
    f"minimal=true up to {MINIMAL_MAX_PER_PAGE}, default {MINIMAL_MAX_PER_PAGE})."))]
FormatParam = Annotated[Literal["json", "ndjson"], Query(description=(
    "`json` (default): one page in the Page wrapper. `ndjson`: every result, one JSON object a line "
    f"({NDJSON}), no pagination."))]
SearchParam = Annotated[str | None, Query(
    min_length=1, pattern=NO_NUL,
    description="Full text search: every word must appear in the name or description (stemmed).")]
TermParam = Annotated[str | None, Query(
    min_length=1, pattern=NO_NUL,
    description="Only records tagged with this taxonomy term, or with any term narrower than it.")]
TaxonomyParam = Annotated[str | None, Query(
    min_length=1, pattern=NO_NUL, description="Only records tagged with any term of this taxonomy.")]
OrganizationParam = Annotated[str | None, Query(
    min_length=1, pattern=NO_NUL, description="Only services (or their sites) this organization provides.")]
ModifiedParam = Annotated[str | None, Query(description=(
    "Only services modified on or after this date-time (ISO 8601, e.g. 2026-05-01T00:00:00Z; a date means its "
    "midnight; no offset means UTC). A service without last_modified does not match."))]
FullParam = Annotated[bool, Query(description="Return fully nested records.")]
FullServiceParam = Annotated[bool, Query(description="Nest each organization's services in full.")]


def per_page_of(per_page: int | None, *, minimal: bool = False) -> int:
    most = MINIMAL_MAX_PER_PAGE if minimal else MAX_PER_PAGE
    if per_page is None:
        return MINIMAL_MAX_PER_PAGE if minimal else DEFAULT_PER_PAGE
    if per_page > most:
        raise bad_parameter("per_page", per_page, f"per_page must be between 1 and {most}"
                            + ("" if minimal else f" ({MINIMAL_MAX_PER_PAGE} with minimal=true)")
                            + "; page through the rest with page, or use format=ndjson for everything")
    return per_page


def window_of(page: int, per_page: int, fmt: str) -> Window:
    return Window() if fmt == "ndjson" else Window(offset=(page - 1) * per_page, limit=per_page)


def modified_after_of(value: str | None) -> Any:
    if value is None:
        return None
    moment = hsds_api.parse_instant(value)
    if moment is None:
        raise bad_parameter("modified_after", value, "modified_after must be an ISO 8601 date-time such as "
                            "2026-05-01T00:00:00Z (or a date such as 2026-05-01)")
    return moment


_POINT = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*")


def place_of(db: GraphEngine, postcode: str | None, proximity: str | None, *,
             staff: bool) -> tuple[str | None, Proximity | None]:
    """The place filters: (postcode to match, or None; proximity, or None)."""
    meters: float | None = None
    if proximity is not None:
        try:
            meters = float(proximity)
        except ValueError:
            meters = None
        if meters is None or not math.isfinite(meters) or not 0 < meters <= MAX_PROXIMITY_M:
            raise bad_parameter("proximity", proximity,
                                f"proximity must be a distance in metres, > 0 and <= {MAX_PROXIMITY_M:.0f}")
        if postcode is None:
            raise bad_parameter("proximity", proximity, "proximity needs postcode: a postcode (distance from its "
                                "centroid) or a point as lat,lng, e.g. postcode=44.2312,-76.4860")
    if postcode is None:
        return None, None
    point = _POINT.fullmatch(postcode)
    if point is not None:
        latitude, longitude = float(point.group(1)), float(point.group(2))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_parameter("postcode", postcode, "a point must be lat,lng with latitude in [-90, 90] and "
                                "longitude in [-180, 180]")
        if meters is None:
            raise bad_parameter("proximity", None, "a point (postcode=lat,lng) needs proximity: the distance "
                                "in metres, e.g. proximity=2000")
        return None, Proximity(GeoPoint(latitude, longitude), meters)
    if not hsds_api.normal_postcode(postcode):
        raise bad_parameter("postcode", postcode, "postcode is blank: send a postcode, a point as lat,lng, "
                            "or leave it out")
    if meters is None:
        return postcode, None
    centre = hsds_api.postcode_centroid(db, postcode=postcode, staff=staff)
    if centre is None:
        raise bad_parameter("postcode", postcode, f"no location has postcode {postcode!r}, so its centroid is "
                            "unknown: send the point as lat,lng instead")
    return None, Proximity(centre, meters)


def _filters_failed(exc: HsdsFilterError) -> RequestValidationError:
    return bad_parameter("search", None, str(exc))


# ---------------------------------------------------------------- list plumbing


def _no_snapshot() -> SnapshotWriter | None:
    return None


def _listing(ids: IdPage, fetch: Callable[[Sequence[str]], list[JsonObject]], *, page: int, per_page: int,
             fmt: str, snapshot: Callable[[], SnapshotWriter | None] = _no_snapshot,
             version_now: Callable[[], str] = lambda: "") -> JSONResponse | StreamingResponse:
    """A Page of the records of `ids`, or (ndjson) every record a line, fetched STREAM_BATCH at a time
    (and written to the snapshot `snapshot` opens as well, kept if the graph is still at its version at
    the end)."""
    if fmt == "ndjson":
        def batches() -> Iterator[list[tuple[str, bytes]]]:
            # One chunk per batch, not per record: Starlette runs the stream in a worker thread, a hop
            # per chunk.
            for start in range(0, len(ids.ids), STREAM_BATCH):
                yield [(str(record["id"]), dumps(record)) for record in fetch(ids.ids[start:start + STREAM_BATCH])]
        return StreamingResponse(teed(batches(), snapshot, version_now), media_type=NDJSON)
    return JSONResponse(page_body(ids, fetch(ids.ids), page=page, per_page=per_page))


def _present(records: Sequence[JsonObject | None]) -> list[JsonObject]:
    """The records the caller may see (a serializer answers None for one they may not)."""
    return [r for r in records if r is not None]


def _not_found(kind: str, id: str) -> HTTPException:
    return HTTPException(404, detail=f"no {kind} with id {id!r}")


def _list_responses(model: Any) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"model": model, "content": {NDJSON: {"schema": {
            "type": "string", "description": "format=ndjson: every result, one JSON object a line"}}}},
        401: {"model": ErrorBody, "description": "The API key is malformed, unknown or revoked."},
    }


def _one_responses(kind: str) -> dict[int | str, dict[str, Any]]:
    return {404: {"model": ErrorBody, "description": f"No {kind} with this id (that the caller may see)."},
            401: {"model": ErrorBody, "description": "The API key is malformed, unknown or revoked."}}


# ---------------------------------------------------------------- routes

router = APIRouter(prefix=PREFIX, tags=["HSDS 3.0"])


@router.get("/", summary="Retrieve information about this API and its relationship with HSDS.",
            operation_id="getAPIMetaInformation", response_model=ApiInfo)
def api_info(request: Request) -> ApiInfo:
    return ApiInfo(version=HSDS_VERSION, profile=PROFILE_URL, openapi_url=str(request.url_for("openapi")))


@router.get("/services", summary="Paginated list of services (one-to-one fields, organization and program).",
            operation_id="getPaginatedListOfServices", response_model=Page[Service],
            responses=_list_responses(Page[Service]))
def list_services(
    db: DbDep, who: CallerDep, store: SnapshotsDep, search: SearchParam = None, taxonomy_term_id: TermParam = None,
    taxonomy_id: TaxonomyParam = None, organization_id: OrganizationParam = None,
    modified_after: ModifiedParam = None,
    minimal: Annotated[bool, Query(description=(
        "Return just each service's id and modified_date (its last_modified), every service in one page "
        f"by default (per_page up to {MINIMAL_MAX_PER_PAGE})."))] = False,
    full: FullParam = False, page: PageParam = 1, per_page: PerPageParam = None, format: FormatParam = "json",
) -> Any:
    staff = _staff(who)
    size = per_page_of(per_page, minimal=minimal)
    filters = ServiceFilters(search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id,
                             organization_id=organization_id, modified_after=modified_after_of(modified_after))
    snapshot: Callable[[], SnapshotWriter | None] = _no_snapshot
    if format == "ndjson" and not minimal and filters == ServiceFilters() and store.enabled:
        # every service the caller may see: streamed from this graph version's snapshot, or built into one
        version, role = reads.graph_version(db), _snapshot_role(who)
        shape: SnapshotShape = "full" if full else "summary"
        ready = store.at(version, role, shape)
        if ready is not None:
            return StreamingResponse(ready.chunks(), media_type=NDJSON)
        snapshot = partial(store.writer, version, role, shape)
    try:
        ids = hsds_api.service_ids(db, filters=filters, staff=staff, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise _filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        if minimal:
            rows = hsds_api.service_modified(db, ids=chunk)
            out = []
            for sid in chunk:
                row = rows.get(sid)
                if row is not None:
                    shown = visible({"lastModified": row["lastModified"], "staffOnly": row["staffOnly"]}, staff=staff)
                    out.append({"id": sid, **({"modified_date": shown["lastModified"]}
                                              if shown.get("lastModified") is not None else {})})
            return out
        return service_documents(db, chunk, full=full, staff=staff)

    return _listing(ids, fetch, page=page, per_page=size, fmt=format, snapshot=snapshot,
                    version_now=lambda: reads.graph_version(db))


@router.get("/services/{id}", summary="A fully nested service with all related data.",
            operation_id="getFullyNestedServiceById", response_model=Service, responses=_one_responses("service"))
def get_service(db: DbDep, who: CallerDep, store: SnapshotsDep,
                id: Annotated[str, id_of("service")]) -> Any:
    ready = store.current(db, _snapshot_role(who), "full")
    if ready is not None:  # this graph version's documents are built: one line of the file, no graph walk
        document = ready.document(id)
        if document is None:
            raise _not_found("service", id)
        return Response(document, media_type="application/json")
    graph = hsds_out.service_graphs(db, ids=[id]).get(id)
    body = serialize.service_full(graph, staff=_staff(who)) if graph is not None else None
    if body is None:
        raise _not_found("service", id)
    return JSONResponse(body)


@router.get("/organizations", summary="Paginated list of organizations (their own fields; full=true: nested).",
            operation_id="getPaginatedListOfOrganizations", response_model=Page[Organization],
            responses=_list_responses(Page[Organization]))
def list_organizations(db: DbDep, who: CallerDep, search: SearchParam = None,
                       full_service: FullServiceParam = False, full: FullParam = False, page: PageParam = 1,
                       per_page: PerPageParam = None, format: FormatParam = "json") -> Any:
    staff = _staff(who)
    size = per_page_of(per_page)
    try:
        ids = hsds_api.organization_ids(db, search=search, staff=staff, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise _filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        if full or full_service:
            graphs = hsds_out.organization_graphs(db, ids=chunk, full_service=full_service)
            return _present([serialize.organization_full(graphs[oid], staff=staff, full_service=full_service)
                             for oid in chunk if oid in graphs])
        records = hsds_api.organization_records(db, ids=chunk)
        return _present([serialize.organization_basic(records[oid], staff=staff) for oid in chunk if oid in records])

    return _listing(ids, fetch, page=page, per_page=size, fmt=format)


@router.get("/organizations/{id}", summary="A fully nested organization; its services flat, or in full.",
            operation_id="getOrganizationById", response_model=Organization,
            responses=_one_responses("organization"))
def get_organization(db: DbDep, who: CallerDep, id: Annotated[str, id_of("organization")],
                     full_service: FullServiceParam = False) -> Any:
    graph = hsds_out.organization_graphs(db, ids=[id], full_service=full_service).get(id)
    body = (serialize.organization_full(graph, staff=_staff(who), full_service=full_service)
            if graph is not None else None)
    if body is None:
        raise _not_found("organization", id)
    return JSONResponse(body)


@router.get("/taxonomies", summary="Paginated list of taxonomies.", operation_id="getPaginatedListOfTaxonomies",
            response_model=Page[Taxonomy], responses=_list_responses(Page[Taxonomy]))
def list_taxonomies(db: DbDep, who: CallerDep, search: Annotated[str | None, Query(
        min_length=1, pattern=NO_NUL,
        description="Every word (case-insensitive) in the taxonomy's name or description.")] = None,
                    page: PageParam = 1, per_page: PerPageParam = None, format: FormatParam = "json") -> Any:
    del who  # taxonomies are public
    size = per_page_of(per_page)
    try:
        ids = hsds_api.taxonomy_ids(db, search=search, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise _filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        found = {str(p["id"]): p for p in hsds_out.taxonomies(db, ids=chunk)}
        return [serialize.taxonomy(tid, found[tid]) for tid in chunk if tid in found]

    return _listing(ids, fetch, page=page, per_page=size, fmt=format)


@router.get("/taxonomies/{id}", summary="A taxonomy.", operation_id="getTaxonomyById", response_model=Taxonomy,
            responses=_one_responses("taxonomy"))
def get_taxonomy(db: DbDep, who: CallerDep, id: Annotated[str, id_of("taxonomy")]) -> Any:
    del who
    found = hsds_out.taxonomies(db, ids=[id])
    if not found:
        raise _not_found("taxonomy", id)
    return JSONResponse(serialize.taxonomy(id, found[0]))


@router.get("/taxonomy_terms", summary="Paginated list of taxonomy terms.",
            operation_id="getPaginatedListOfTaxonomyTerms", response_model=Page[TaxonomyTerm],
            responses=_list_responses(Page[TaxonomyTerm]))
def list_taxonomy_terms(
    db: DbDep, who: CallerDep, search: SearchParam = None,
    taxonomy_id: Annotated[str | None, Query(
        min_length=1, pattern=NO_NUL, description="Only terms of this taxonomy.")] = None,
    top_only: Annotated[bool, Query(description=(
        "Only top-level terms (without a parent). The HSDS text says \"terms that have not child terms\"; "
        "the parameter's name is followed."))] = False,
    parent_id: Annotated[str | None, Query(
        min_length=1, pattern=NO_NUL, description="Only the children of this term.")] = None,
    page: PageParam = 1, per_page: PerPageParam = None, format: FormatParam = "json",
) -> Any:
    staff = _staff(who)
    size = per_page_of(per_page)
    try:
        ids = hsds_api.taxonomy_term_ids(db, search=search, taxonomy_id=taxonomy_id, parent_id=parent_id,
                                         top_only=top_only, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise _filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        terms = hsds_out.taxonomy_terms(db, ids=chunk)
        return [serialize.taxonomy_term(terms[tid], staff=staff) for tid in chunk if tid in terms]

    return _listing(ids, fetch, page=page, per_page=size, fmt=format)


@router.get("/taxonomy_terms/{id}", summary="A taxonomy term.", operation_id="getTaxonomyTermById",
            response_model=TaxonomyTerm, responses=_one_responses("taxonomy term"))
def get_taxonomy_term(db: DbDep, who: CallerDep,
                      id: Annotated[str, id_of("taxonomy term")]) -> Any:
    term = hsds_out.taxonomy_terms(db, ids=[id]).get(id)
    if term is None:
        raise _not_found("taxonomy term", id)
    return JSONResponse(serialize.taxonomy_term(term, staff=_staff(who)))


@router.get("/service_at_locations", summary="Paginated list of services at locations.",
            operation_id="getPaginatedListOfServiceAtLocation", response_model=Page[ServiceAtLocation],
            responses=_list_responses(Page[ServiceAtLocation]))
def list_service_at_locations(
    db: DbDep, who: CallerDep, search: SearchParam = None, taxonomy_term_id: TermParam = None,
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
    staff = _staff(who)
    size = per_page_of(per_page)
    code, near = place_of(db, postcode, proximity, staff=staff)
    filters = ServiceAtLocationFilters(
        search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id, organization_id=organization_id,
        modified_after=modified_after_of(modified_after), postcode=code, proximity=near)
    try:
        ids = hsds_api.service_at_location_ids(db, filters=filters, staff=staff, window=window_of(page, size, format))
    except HsdsFilterError as exc:
        raise _filters_failed(exc) from None

    def fetch(chunk: Sequence[str]) -> list[JsonObject]:
        graphs = hsds_out.service_at_location_graphs(db, ids=chunk)
        return _present([serialize.service_at_location_full(graphs[xid], staff=staff)
                         for xid in chunk if xid in graphs])

    return _listing(ids, fetch, page=page, per_page=size, fmt=format)


@router.get("/service_at_locations/{id}", summary="A fully nested service at location.",
            operation_id="getServiceAtLocationWithNestedDataById", response_model=ServiceAtLocation,
            responses=_one_responses("service at location"))
def get_service_at_location(db: DbDep, who: CallerDep,
                            id: Annotated[str, id_of("service at location")]) -> Any:
    graph = hsds_out.service_at_location_graphs(db, ids=[id]).get(id)
    body = serialize.service_at_location_full(graph, staff=_staff(who)) if graph is not None else None
    if body is None:
        raise _not_found("service at location", id)
    return JSONResponse(body)


__all__ = ["PREFIX", "HsdsCors", "Page", "page_body", "router"]
