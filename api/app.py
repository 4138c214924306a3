"""FastAPI app factory: GraphQL (with GraphiQL) at /graphql, /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter

from api.context import build_context
from api.schema import schema
from graph.connect import connect
from graph.engine import GraphEngine
from graph.errors import DatabaseUnavailable
from graph.settings import Settings, get_settings


def create_app(settings: Settings | None = None, *, engine: GraphEngine | None = None) -> FastAPI:
    """The app. Pass `engine` to share one the caller owns; otherwise the app opens (and closes)
    its own from `settings` in its lifespan."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = engine is None
        app.state.db = engine or connect(settings)
        try:
            yield
        finally:
            if own:
                app.state.db.close()

    app = FastAPI(title="Safety Net Graph", version="0.1.0", lifespan=lifespan)

    app.include_router(GraphQLRouter(schema, context_getter=build_context, graphql_ide="graphiql"), prefix="/graphql")

    @app.get("/healthz", tags=["ops"], summary="Liveness and database check")
    def healthz(request: Request) -> JSONResponse:
        db: GraphEngine = request.app.state.db
        try:
            db.ping()
        except DatabaseUnavailable as exc:
            return JSONResponse({"status": "unavailable", "database": db.dialect, "detail": exc.reason},
                                status_code=503)
        return JSONResponse({"status": "ok", "database": db.dialect})

    return app
