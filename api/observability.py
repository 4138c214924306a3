"""Request ids, masked internal errors, privacy-safe logs and Prometheus metrics.

- Every HTTP request gets a request id: the caller's `X-Request-ID` when it is a sane token, else a new
  uuid4 hex. It is put on `request.state.request_id` (the GraphQL context carries it) and echoed in the
  `X-Request-ID` response header.
- A resolver's unexpected exception is shown to the client as `internal error (request id …)` and
  logged here with its traceback and the same id; a database outage as `the database is unavailable
  (request id …); try again shortly`. Errors a client can act on pass unmasked: GraphQL syntax and
  validation errors (the limits' among them), the input errors the schema raises on purpose
  (`SearchInputError`, `NotFound`, `Conflict`) and permission errors.
- Resident privacy: request bodies, query strings and variables are never logged. Strawberry's own
  error log (it logs every error, and validation messages quote variable values) and uvicorn's access
  log (it prints the query string, where GET requests carry their variables) are switched off; the
  access log here has method, path, status, duration and request id only.
- Metrics (`/metrics`, Prometheus text format, admin keys only: api/app.py): GraphQL operations by operation
  name and outcome (count and latency), HTTP requests by route and status. No label ever holds a variable's
  value, nor any text a caller chose: an operation name is a label as it is only when the operator listed it
  (`SAFETYNET_METRICS_OPERATIONS`); any other is labelled `op_` and 12 hex digits of its SHA-256 (an
  operator can compute the label of a name they know; nobody can read a resident's details typed into one),
  for at most MAX_HASHED_OPERATIONS distinct names per app (`OperationLabels`, made by `create_app`), later ones
  counting as "other".
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Collection, Iterator
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import MaskErrors, SchemaExtension

from analytics.accessibility import AccessibilityInputError
from domain.search_model import SearchInputError
from graph.errors import Conflict, DatabaseUnavailable, InvalidValue, NotFound
from services.planning import PlanningInputError

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

DELIBERATE_ERRORS: tuple[type[BaseException], ...] = (
    GraphQLError,  # raised on purpose by a resolver, or a strawberry permission class's error
    SearchInputError,
    PlanningInputError,
    AccessibilityInputError,
    NotFound,
    Conflict,
    InvalidValue,
    PermissionError,  # a strawberry permission class may raise its own subclass
)
"""Exceptions the schema raises on purpose: their message is meant for the client and passes unmasked."""

INTERNAL_ERROR, DATABASE_UNAVAILABLE = "INTERNAL_ERROR", "DATABASE_UNAVAILABLE"
INTERNAL_ERROR_CODES = frozenset({INTERNAL_ERROR, DATABASE_UNAVAILABLE})
"""`extensions.code` of the masked errors (with `extensions.requestId`)."""

log = logging.getLogger("safetynet.api")
access_log = logging.getLogger("safetynet.access")

# ---------------------------------------------------------------- metrics (process-wide, as Prometheus expects)

MAX_HASHED_OPERATIONS = 100
ANONYMOUS, OTHER, HASHED = "anonymous", "other", "op_"

GRAPHQL_OPERATIONS = Counter(
    "safetynet_graphql_operations_total", "GraphQL operations, by operation name and outcome (ok/error).",
    ["operation", "outcome"],
)
GRAPHQL_LATENCY = Histogram(
    "safetynet_graphql_operation_seconds", "Time to parse, validate and execute a GraphQL operation.",
    ["operation", "outcome"],
)
HTTP_REQUESTS = Counter(
    "safetynet_http_requests_total", "HTTP requests, by route (the path template) and status code.",
    ["route", "status"],
)

def hashed_label(name: str) -> str:
    """The label of an operation name the operator did not list: `op_` and its SHA-256's first 12 hex digits."""
    return HASHED + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]


class OperationLabels:
    """An app's metric labels of operation names: the `known` names as they are, others hashed, at most
    `budget` distinct hashed labels (then "other")."""

    def __init__(self, known: Collection[str] = (), budget: int = MAX_HASHED_OPERATIONS) -> None:
        self.known, self.budget = frozenset(known), budget
        self._hashed: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        """The label of an operation named `name` (a name its document defines; None when anonymous)."""
        if not name:
            return ANONYMOUS
        if name in self.known:
            return name
        label = hashed_label(name)
        with self._lock:
            if label in self._hashed:
                return label
            if len(self._hashed) >= self.budget:
                return OTHER
            self._hashed.add(label)
            return label


_OUTSIDE_AN_APP = OperationLabels()  # a schema run without an app (tests' execute_sync)


def metrics_body() -> tuple[bytes, str]:
    """The /metrics payload and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST


# ---------------------------------------------------------------- request ids and logging

def request_id_from(header: str | None) -> str:
    """The caller's request id when it is a sane token (≤ 128 letters, digits, `.`, `_`, `:`, `-`), else a new one."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def request_id_of(context: object) -> str:
    """The request id a GraphQL context carries (`Context.request_id`), or "unknown"."""
    return str(getattr(context, "request_id", "") or "unknown")


class _DropAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


_DROP_ALL = _DropAll()
# strawberry.execution: strawberry logs every GraphQL error (validation messages quote variable values);
# uvicorn.access: its line holds the query string (GET requests carry their variables there).
_SILENCED = ("strawberry.execution", "uvicorn.access")


def configure_logging() -> None:
    """Silence the third-party logs that could hold resident facts, and make ours visible: when the
    process has not configured logging (no root handler, as under uvicorn), `safetynet.*` INFO and up
    go to stderr. Idempotent."""
    for name in _SILENCED:
        logger = logging.getLogger(name)
        if _DROP_ALL not in logger.filters:
            logger.addFilter(_DROP_ALL)
    ours = logging.getLogger("safetynet")
    if ours.level == logging.NOTSET:
        ours.setLevel(logging.INFO)
    if not ours.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        ours.addHandler(handler)


def _printable(text: str, limit: int = 200) -> str:
    """`text` safe for one log line: control characters escaped, cut at `limit`."""
    return text[:limit].encode("unicode_escape").decode("ascii")


# ---------------------------------------------------------------- HTTP: request id, access log, HTTP metrics

class RequestObservability:
    """ASGI middleware: request id in and out, one access-log line and one HTTP metric per request; an
    exception that escapes the app is logged with the id and answered with a masked 500, shaped as a
    GraphQL error under `graphql_path` and as the REST routes' `{"detail": …}` elsewhere."""

    def __init__(self, app: ASGIApp, graphql_path: str = "/graphql") -> None:
        self.app = app
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode("latin-1"))
        request_id = request_id_from(raw.decode("latin-1") if raw is not None else None)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error in %s %s (request id %s)", scope["method"], _printable(scope["path"]),
                          request_id)
            if response_started:
                raise
            status = 500
            message = f"internal error (request id {request_id})"
            graphql = scope["path"] == self.graphql_path
            shape = {"errors": [{"message": message}]} if graphql else {"detail": message}
            body = json.dumps(shape).encode()
            await send({"type": "http.response.start", "status": status, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (REQUEST_ID_HEADER.lower().encode(), request_id.encode())]})
            await send({"type": "http.response.body", "body": body})
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            HTTP_REQUESTS.labels(route=_route_of(scope), status=str(status)).inc()
            access_log.info("%s %s %d %.1f ms (request id %s)", _printable(scope["method"], 16),
                            _printable(scope["path"]), status, elapsed_ms, request_id)


def _route_of(scope: Scope) -> str:
    """The path template of the route the app matched (it leaves it in `scope["route"]`), else "unmatched":
    never the raw path, which would make a label per URL."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path.startswith("/") else "unmatched"


# ---------------------------------------------------------------- GraphQL: operation metrics, error masking

class OperationMetrics(SchemaExtension):
    """Counts each GraphQL operation and its latency, by operation name and outcome (ok, or error when
    the response has any error)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        outcome = "error"
        try:
            yield
            result = self.execution_context.result
            outcome = "error" if result is None or getattr(result, "errors", None) else "ok"
        finally:
            label = self._labels().label(self._operation_name())
            GRAPHQL_OPERATIONS.labels(operation=label, outcome=outcome).inc()
            GRAPHQL_LATENCY.labels(operation=label, outcome=outcome).observe(time.perf_counter() - started)

    def _labels(self) -> OperationLabels:
        """The app's operation labels (`app.state.operation_labels`)."""
        request = getattr(self.execution_context.context, "request", None)
        labels = getattr(request.app.state, "operation_labels", None) if isinstance(request, HTTPConnection) else None
        return labels if isinstance(labels, OperationLabels) else _OUTSIDE_AN_APP

    def _operation_name(self) -> str | None:
        """The name of the operation the document defines and the request selected (None when anonymous,
        or when the request names no operation of the document)."""
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            return None
        named = [d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name]
        wanted = context.operation_name
        return wanted if wanted in named else None


class MaskInternalErrors(MaskErrors):
    """Masks what the client cannot act on, logging it with the request id. See the module docstring."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask_error)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = request_id_of(self.execution_context.context)
        original = error.original_error
        where = ".".join(str(key) for key in error.path) if error.path else "(operation)"
        if isinstance(original, DatabaseUnavailable):
            log.error("database unavailable at %s (request id %s): %s", where, request_id, original.reason)
            message = f"the database is unavailable (request id {request_id}); try again shortly"
            code = DATABASE_UNAVAILABLE
        else:
            exc_info: Any = (type(original), original, original.__traceback__) if original else None
            log.error("internal error at %s (request id %s)", where, request_id, exc_info=exc_info)
            message, code = f"internal error (request id {request_id})", INTERNAL_ERROR
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path,
                            extensions={"code": code, "requestId": request_id})


def should_mask_error(error: GraphQLError) -> bool:
    """Mask an error caused by an exception the schema did not raise on purpose. Errors without an
    original exception are GraphQL's own (syntax, validation, limits, variable values) and pass."""
    original = error.original_error
    return original is not None and not isinstance(original, DELIBERATE_ERRORS)
