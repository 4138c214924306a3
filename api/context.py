"""Per-request GraphQL context: the process's engine and who is asking.

Who is asking comes from `api.deps.caller_of`, the dependency every route shares (`Authorization: Bearer <key>`;
without one the caller is public). A bad key stops the request before any GraphQL runs: `build_context`
(strawberry's GraphQLRouter runs it as a FastAPI dependency of every GraphQL request) raises `RequestRefused`,
which the app answers GraphQL-style once it registers the handler:

    app.add_exception_handler(RequestRefused, refused_response)

→ status 401, `WWW-Authenticate: Bearer error="invalid_token"`, body
`{"errors": [{"message": "invalid API key: … (ask an administrator …)", "extensions": {"code": "UNAUTHENTICATED"}}]}`.
(Without the handler FastAPI answers `{"detail": "invalid API key: …"}`, with the same status and headers.)
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from strawberry.fastapi import BaseContext

from analytics.suppression import DEFAULT_THRESHOLD
from api.auth import RequestRefused
from api.deps import CallerDep, DatabaseDep, SettingsDep
from domain.roles import Role
from graph.engine import GraphEngine


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


async def refused_response(request: Request, exc: Exception) -> JSONResponse:
    """The app's handler of RequestRefused: a GraphQL-style error body, the error's status and headers."""
    assert isinstance(exc, RequestRefused)
    error = exc.error
    body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


async def build_context(request: Request, who: CallerDep, db: DatabaseDep, settings: SettingsDep) -> Context:
    """The context of one GraphQL request, with the caller's role (a bad key was refused by `caller_of`)."""
    return Context(db, role=who.role, request_id=getattr(request.state, "request_id", ""), key_name=who.key_name,
                   suppress_below=settings.suppression_threshold)


__all__ = ["Context", "RequestRefused", "build_context", "refused_response"]
