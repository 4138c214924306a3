"""The app's dependencies, shared by every route (GraphQL's context, the HSDS REST routes, /metrics): the app's
settings, database and key store (`create_app` and its lifespan put them on `app.state`), and who asks.

Each is a typed alias to declare a route's parameter with (`who: CallerDep`), as FastAPI's full-stack template
does; nothing here reads global settings. They are `async def` although none awaits: FastAPI runs a plain `def`
dependency in a worker thread, and four thread hops cost every request about a millisecond (measured)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import AuthError, Caller, RequestRefused, authenticate
from api.settings import ApiSettings
from graph.engine import GraphEngine
from services.keys import KeyStore


async def settings_of(request: Request) -> ApiSettings:
    """The settings the app was made with."""
    settings: ApiSettings = request.app.state.settings
    return settings


async def database_of(request: Request) -> GraphEngine:
    """The app's engine (opened in its lifespan, or the one it was given)."""
    db: GraphEngine = request.app.state.db
    return db


async def key_store_of(request: Request) -> KeyStore:
    """The app's key store (made in its lifespan from its settings, or the one it was given)."""
    store: KeyStore = request.app.state.key_store
    return store


SettingsDep = Annotated[ApiSettings, Depends(settings_of)]
DatabaseDep = Annotated[GraphEngine, Depends(database_of)]
KeyStoreDep = Annotated[KeyStore, Depends(key_store_of)]


async def caller_of(request: Request, keys: KeyStoreDep) -> Caller:
    """Who asks: public without an Authorization header, else the role of a valid key (api/auth.py). A bad key
    raises RequestRefused (401, or 503 when the key store is unreadable) before the route runs."""
    try:
        return authenticate(request.headers.getlist("authorization"), keys)
    except AuthError as exc:
        raise RequestRefused(exc) from None


CallerDep = Annotated[Caller, Depends(caller_of)]

__all__ = ["CallerDep", "DatabaseDep", "KeyStoreDep", "SettingsDep", "caller_of", "database_of", "key_store_of",
           "settings_of"]
