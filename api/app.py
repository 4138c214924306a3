"""FastAPI app factory: GraphQL (with GraphiQL) at /graphql, the HSDS REST API under /hsds, /healthz, /metrics
(admin keys only), and the REST API's documentation at /docs (Swagger UI, served by the app: api/swagger_ui.py).

Every response says `X-Content-Type-Options: nosniff` and may not be framed (`X-Frame-Options: DENY`, and
`Content-Security-Policy: frame-ancestors 'none'` unless the page sends a policy of its own); responses that
depend on the caller's key (/graphql, /hsds, /metrics) are `Cache-Control: no-store` and `Vary: Authorization`.
A request body over `SAFETYNET_MAX_BODY_BYTES` is refused with 413 before it is read, and one that does not
arrive within `SAFETYNET_BODY_TIMEOUT_S` with 408 (api/inputs.py); a GraphQL request whose client disconnects is
cancelled (api/disconnect.py); a GraphQL response over `SAFETYNET_MAX_RESPONSE_BYTES` is replaced by an error
asking for less. (The deadline on request heads is uvicorn's side: api/serving.py.)

/graphql follows the GraphQL-over-HTTP spec (checked by tests/e2e/test_graphql_http.py with graphql-http's
audit). Strawberry answers every GraphQL result as `application/json` with status 200; a client that asks
for `application/graphql-response+json` gets that media type, and a request that fails before execution
(syntax, validation, limits, variable values) then gets status 400 and no `data` entry, as the spec says.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http import GraphQLRequestData
from strawberry.schema import BaseSchema

from api.auth import Caller, RequestRefused
from api.context import build_context, refused_response
from api.deps import CallerDep, DatabaseDep
from api.disconnect import CancelOnDisconnect
from api.graphiql import GraphQLRouterWithLocalGraphiQL, graphiql_dir
from api.hsds.middleware import HsdsCors
from api.hsds.routes import PREFIX as HSDS_PREFIX
from api.hsds.routes import router as hsds_router
from api.inputs import RequestBodyLimit, check_operation_name, decode_request_json
from api.observability import (
    DATABASE_UNAVAILABLE,
    INTERNAL_ERROR_CODES,
    OperationLabels,
    RequestObservability,
    configure_logging,
    metrics_body,
)
from api.schema import schema
from api.settings import ApiSettings, get_api_settings
from api.swagger_ui import docs_router, swagger_ui_dir
from domain.roles import Role
from graph.connect import connect
from graph.engine import GraphEngine
from graph.errors import DatabaseUnavailable
from services.hsds.snapshots import SnapshotStore
from services.keys import KeyStore, configured_key_store
from services.planning import Warmer

GRAPHQL_PATH = "/graphql"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"

log = logging.getLogger("safetynet.api")


def create_app(settings: ApiSettings | None = None, *, engine: GraphEngine | None = None,
               key_store: KeyStore | None = None, graphql_schema: BaseSchema = schema) -> FastAPI:
    """The app, with `settings` (default: the API's settings from the environment, `get_api_settings()`). Pass
    `engine` to share one the caller owns; otherwise the app opens (and closes) its own from `settings` in its
    lifespan. `key_store`: the API keys (default: the file the settings name). `graphql_schema` is served at
    /graphql (tests pass their own, built with `api.limits.schema_extensions()`, to exercise what the real schema
    cannot).

    What the routes use is on `app.state` (read through api/deps.py and api/hsds/deps.py): `settings`, and, made in
    the lifespan, `db`, `key_store` and `snapshots` (the HSDS ready-made documents). None of them reaches the
    database as the app starts: an app whose database is down (or never asked) starts."""
    settings = settings or get_api_settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = engine is None
        app.state.db = engine or connect(settings)
        app.state.key_store = key_store if key_store is not None else configured_key_store(settings)
        app.state.snapshots = SnapshotStore.of(settings, app.state.db)  # located on first use, not now
        warmer = Warmer(app.state.db).start() if settings.warm_planner_caches else None
        try:
            yield
        finally:
            if warmer is not None:
                warmer.stop()
            if own:
                app.state.db.close()

    # /docs is added below with Swagger UI's files from the app itself; ReDoc (another CDN page) is left out
    app = FastAPI(title="Safety Net Graph", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings  # the routes' settings (api.deps.SettingsDep)
    app.state.operation_labels = OperationLabels(settings.metrics_operations)  # /metrics' operation labels
    app.add_middleware(GraphQLResponseMediaType, path=GRAPHQL_PATH)
    app.add_middleware(HsdsCors, prefix=HSDS_PREFIX)  # HSDS: Access-Control-Allow-Origin: * for the public role
    # a GraphQL request whose client disconnects is cancelled (api/disconnect.py); inside the body limit, which
    # has read the body already (and answers 408 to one that is too slow: SAFETYNET_BODY_TIMEOUT_S)
    app.add_middleware(CancelOnDisconnect, paths=(GRAPHQL_PATH,))
    app.add_middleware(RequestBodyLimit, limit=settings.max_body_bytes, graphql_path=GRAPHQL_PATH,
                       timeout_s=settings.body_timeout_s)
    # outside those, so that it sees every response they send (its request id, status and metrics)
    app.add_middleware(RequestObservability, graphql_path=GRAPHQL_PATH)
    app.add_middleware(SecurityHeaders, keyed=(GRAPHQL_PATH, "/metrics", HSDS_PREFIX + "/"))  # last: outermost
    app.add_exception_handler(RequestRefused, refused)  # a bad API key: 401 (GraphQL-style on /graphql)
    app.add_exception_handler(DatabaseUnavailable, database_unavailable_response)  # REST routes: 503, not 500

    # the path on the router's own routes (not a prefix), so that the route the app matches, which the
    # HTTP metrics label requests with, is "/graphql"
    # GraphiQL's page and files come from the app itself (api/graphiql.py), not from a CDN
    app.include_router(GraphQLRouter(graphql_schema, path=GRAPHQL_PATH, context_getter=build_context,
                                     graphiql_dir=graphiql_dir(settings),
                                     max_response_bytes=settings.max_response_bytes))
    app.include_router(hsds_router)  # the HSDS 3.0 REST API under /hsds (api/hsds/routes.py)
    app.include_router(docs_router(swagger_ui_dir(settings), openapi_url=app.openapi_url or "/openapi.json",
                                   title=app.title))

    @app.get("/healthz", tags=["ops"], summary="Liveness and database check")
    def healthz(db: DatabaseDep) -> JSONResponse:
        try:
            db.ping()
        except DatabaseUnavailable as exc:
            return JSONResponse({"status": "unavailable", "database": db.dialect, "detail": exc.reason},
                                status_code=503)
        return JSONResponse({"status": "ok", "database": db.dialect})

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics (text exposition format); admin keys only")
    def metrics(who: CallerDep) -> Response:
        require_admin(who)
        body, content_type = metrics_body()
        return Response(body, media_type=content_type)

    return app


METRICS_KEY_HINT = "create one with `safetynet keys add --role admin --name NAME`"


async def refused(request: Request, exc: Exception) -> Response:
    """The answer to a refused key (api.deps.caller_of): GraphQL-style on /graphql (api.context.refused_response),
    FastAPI's `{"detail": …}` elsewhere (HSDS, /metrics); the error's status and headers either way."""
    if request.url.path.rstrip("/") == GRAPHQL_PATH:
        return await refused_response(request, exc)
    assert isinstance(exc, RequestRefused)
    return await http_exception_handler(request, exc)


def require_admin(caller: Caller) -> None:
    """Refuses a caller without an admin key: 401 without a key (a bad one was refused already: 401), 403 with a
    lesser one."""
    if caller.role == Role.PUBLIC:
        raise HTTPException(401, f"/metrics needs an admin API key: send `Authorization: Bearer <key>` "
                            f"({METRICS_KEY_HINT})", headers={"WWW-Authenticate": "Bearer"})
    if caller.role < Role.ADMIN:
        raise HTTPException(403, f"/metrics is for admin keys; this key's role is {caller.role.label} "
                            f"({METRICS_KEY_HINT})")


class GraphQLRouter(GraphQLRouterWithLocalGraphiQL):
    """The GraphQL router, whose requests are read by `api.inputs.decode_request_json` and
    `check_operation_name` (a body that is not UTF-8, JSON nested too deeply, an operationName that is not text
    are a 400 saying so) and whose responses over `max_response_bytes` are replaced by an error asking for less."""

    def __init__(self, schema: BaseSchema, *, path: str, graphiql_dir: Path, max_response_bytes: int,
                 **options: Any) -> None:
        super().__init__(schema, path=path, graphiql_dir=graphiql_dir, **options)
        self.max_response_bytes = max_response_bytes

    def decode_json(self, data: str | bytes) -> object:
        return decode_request_json(data)

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        for item in data if isinstance(data, list) else [data]:
            check_operation_name(item.operation_name)
        return data

    def encode_json(self, data: object) -> str:
        # ASCII (json's default escapes everything else), so its length is its size in bytes
        body = json.dumps(data, separators=(",", ":"))
        if len(body) <= self.max_response_bytes:
            return body
        log.warning("a GraphQL response of %d bytes was replaced by an error (the limit is %d)", len(body),
                    self.max_response_bytes)
        message = (f"The response is too large: {len(body):,} bytes (the limit is {self.max_response_bytes:,}). "
                   "Ask for fewer fields or smaller pages (`first`), and page on with `after`.")
        return json.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": RESPONSE_TOO_LARGE}}]},
                          separators=(",", ":"))


class SecurityHeaders:
    """ASGI middleware: on every response `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and (when
    the response has no policy of its own) `Content-Security-Policy: frame-ancestors 'none'`; on the responses
    of the `keyed` paths (what they answer depends on the caller's key; one ending in `/` stands for itself and
    every path below it) `Vary: Authorization` and, unless the route chose its own, `Cache-Control: no-store`."""

    def __init__(self, app: ASGIApp, keyed: tuple[str, ...]) -> None:
        self.app = app
        self.paths = {path.rstrip("/") for path in keyed}
        self.prefixes = tuple(path for path in keyed if path.endswith("/"))

    def _keyed(self, path: str) -> bool:
        return path.rstrip("/") in self.paths or path.startswith(self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        keyed = self._keyed(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
                if keyed:
                    headers.setdefault("Cache-Control", "no-store")
                    headers.add_vary_header("Authorization")
            await send(message)

        await self.app(scope, receive, with_headers)


class GraphQLResponseMediaType:
    """ASGI middleware for `path`: when the request's Accept prefers `application/graphql-response+json`,
    the JSON GraphQL response is sent with that media type, and a request error (no data, no error located
    in the result: the document or the variables were refused before execution) gets status 400 (500/503
    when the error was an internal one) and loses its `data: null` entry."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["path"].rstrip("/") != self.path
                or not prefers_graphql_response_json(Headers(scope=scope).get("accept", ""))):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if Headers(raw=message["headers"]).get("content-type", "").startswith("application/json"):
                    start = message  # a GraphQL result: held until its body is complete
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                status, body = graphql_response(start["status"], b"".join(chunks))
                headers = MutableHeaders(raw=list(start["headers"]))
                headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
                headers["content-length"] = str(len(body))
                await send({**start, "status": status, "headers": headers.raw})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, rewrite)


def prefers_graphql_response_json(accept: str) -> bool:
    """Whether an Accept header ranks `application/graphql-response+json` at least as high as
    `application/json` (an absent header or `*/*` alone means `application/json`, the legacy default)."""
    quality: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
        quality[media] = max(q, quality.get(media, 0.0))
    preferred = quality.get(GRAPHQL_RESPONSE_JSON, 0.0)
    legacy = max(quality.get("application/json", 0.0), quality.get("application/*", 0.0), quality.get("*/*", 0.0))
    return preferred > 0 and preferred >= legacy


async def database_unavailable_response(request: Request, exc: Exception) -> JSONResponse:
    """A REST route (HSDS) that could not reach the database: 503 with Retry-After, as /healthz says it, instead
    of an internal error (GraphQL says DATABASE_UNAVAILABLE in its errors). The reason stays in the server's log:
    it names the server's address and data directory."""
    log.warning("%s %s: database unavailable: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": "the database is unavailable (restarting, or too slow to answer): try again "
                                   "in a few seconds"}, status_code=503, headers={"Retry-After": "5"})


def graphql_response(status: int, body: bytes) -> tuple[int, bytes]:
    """The status and body of an `application/graphql-response+json` answer to a result strawberry
    answered with `status` and the JSON `body`."""
    try:
        result = json.loads(body)
    except ValueError:
        return status, body
    if not isinstance(result, dict) or result.get("data") is not None or not result.get("errors"):
        return status, body
    errors = [error for error in result["errors"] if isinstance(error, dict)]
    if any(error.get("path") for error in errors):
        return status, body  # execution began: a field error that nulled the whole result
    codes = {str((error.get("extensions") or {}).get("code")) for error in errors}
    if status == 200:
        status = 503 if DATABASE_UNAVAILABLE in codes else 500 if codes & INTERNAL_ERROR_CODES else 400
    result.pop("data", None)
    return status, json.dumps(result, separators=(",", ":")).encode()
