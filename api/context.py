"""Per-request GraphQL context: the process's engine and who is asking.

Who is asking comes from the `Authorization: Bearer <key>` header (`api.auth.authenticate`); without one the
caller is public. A bad key stops the request before any GraphQL runs: `build_context` (strawberry's
GraphQLRouter runs it as a FastAPI dependency of every GraphQL request) raises `RequestRefused`, which the app
answers GraphQL-style once it registers the handler:

    app.add_exception_handler(RequestRefused, refused_response)

→ status 401, `WWW-Authenticate: Bearer error="invalid_token"`, body
`{"errors": [{"message": "invalid API key: … (ask an administrator …)", "extensions": {"code": "UNAUTHENTICATED"}}]}`.
(Without the handler FastAPI answers `{"detail": "invalid API key: …"}`, with the same status and headers.)
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from strawberry.fastapi import BaseContext

from analytics.suppression import DEFAULT_THRESHOLD
from api.auth import PUBLIC_CALLER, AuthError, authenticate
from domain.roles import Role
from graph.engine import GraphEngine
from services.keys import KeyStore, default_key_store


class Context(BaseContext):
    def __init__(self, db: GraphEngine, role: Role = Role.PUBLIC, request_id: str = "",
                 key_name: str | None = None, suppress_below: int = DEFAULT_THRESHOLD) -> None:
        super().__init__()
        self.db = db
        self.role = role
        self.request_id = request_id
        self.key_name = key_name  # the name of the caller's API key (never the key itself); None without one
        self.suppress_below = suppress_below  # planner aggregates: counts 1 … this − 1 are suppressed
        self.loaders: dict[str, Any] = {}  # this request's DataLoaders (api/dataloaders.py), made on first use


class RequestRefused(HTTPException):
    """An AuthError as FastAPI's HTTPException (so that, raised in a dependency, it becomes the answer)."""

    def __init__(self, error: AuthError) -> None:
        super().__init__(error.status_code, detail=error.message, headers=error.headers)
        self.error = error


async def refused_response(request: Request, exc: Exception) -> JSONResponse:
    """The app's handler of RequestRefused: a GraphQL-style error body, the error's status and headers."""
    assert isinstance(exc, RequestRefused)
    error = exc.error
    body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


def key_store_of(app: FastAPI) -> KeyStore:
    """The app's key store: `app.state.key_store` when the app set one, else the one the settings name."""
    store = getattr(app.state, "key_store", None)
    return store if isinstance(store, KeyStore) else default_key_store()


async def build_context(request: Request) -> Context:
    """The context of one GraphQL request, with the caller's role; raises RequestRefused for a bad key."""
    authorization = request.headers.getlist("authorization")
    try:
        caller = authenticate(authorization, key_store_of(request.app)) if authorization else PUBLIC_CALLER
    except AuthError as exc:
        raise RequestRefused(exc) from None
    settings = getattr(request.app.state, "settings", None)
    threshold = settings.suppression_threshold if settings is not None else DEFAULT_THRESHOLD
    return Context(request.app.state.db, role=caller.role, request_id=getattr(request.state, "request_id", ""),
                   key_name=caller.key_name, suppress_below=threshold)
