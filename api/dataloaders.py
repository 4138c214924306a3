"""Per-request DataLoaders: a nested list read for many parents in one query, not one per parent.

`organizations { nodes { services { … } locations { … } } }` asks, per organization, for its services (their
ids, then their details) and its locations. Each of those fields loads through a DataLoader kept in the
request's context (`info.context.loaders`, made empty per request, filled on first use by `loader`): the
fields of all organizations of a page ask in the same tick of the event loop, and one query answers them all.

The GraphQL resolvers are synchronous (api.offload): a nested field that loads returns an awaitable when an
event loop runs (the HTTP API) and strawberry awaits it; the batch function runs its blocking query in a
worker thread, so the loop stays free. Without an event loop (`schema.execute_sync`, as tests and scripts
use it) `resolve` runs the same coroutine to its end at once, with fresh loaders (no batching there: a
DataLoader belongs to one event loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Coroutine, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.context import Context
from api.permissions import is_staff
from graph.engine import Row
from services import directory

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

Loaders = dict[str, Any]


def _running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def resolve(make: Callable[[Loaders], Coroutine[Any, Any, T]], info: Info[Context, None]) -> Any:
    """What a synchronous resolver returns for a value it loads: the awaitable `make(loaders)` with this
    request's loaders when an event loop runs, else its value (run to its end now, with fresh loaders).
    Typed Any: strawberry takes either."""
    if _running_loop():
        return make(info.context.loaders)
    return asyncio.run(make({}))


def loader(loaders: Loaders, name: str, fetch: Callable[[list[K]], Mapping[K, V]], default: V) -> DataLoader[K, V]:
    """The loader `name` of this request, made on first use: it answers a batch of keys by `fetch` (a blocking
    read, run in a worker thread), `default` for a key `fetch` leaves out."""
    found = loaders.get(name)
    if found is None:
        async def batch(keys: list[K]) -> list[V]:
            values = await asyncio.to_thread(fetch, keys)
            return [values.get(key, default) for key in keys]
        found = loaders[name] = DataLoader(batch)
    made: DataLoader[K, V] = found
    return made


def organization_services(loaders: Loaders, info: Info[Context, None]) -> DataLoader[str, list[str]]:
    """Organization id → the ids of its services the caller may know of, by name."""
    db, staff = info.context.db, is_staff(info)
    empty: list[str] = []
    return loader(loaders, "organization-services",
                  lambda ids: directory.organization_services(db, ids, staff=staff), empty)


def organization_locations(loaders: Loaders,
                           info: Info[Context, None]) -> DataLoader[str, list[directory.Located]]:
    """Organization id → its locations the caller may know of, by name, with their addresses."""
    db, staff = info.context.db, is_staff(info)
    empty: list[directory.Located] = []
    return loader(loaders, "organization-locations",
                  lambda ids: directory.organization_locations(db, ids, staff=staff), empty)


def service_details(loaders: Loaders, info: Info[Context, None], kinds: Collection[str],
                    keys: Mapping[str, Sequence[str]]) -> DataLoader[str, Row | None]:
    """Service id → its details row as a page shows it (these kinds and properties), or None if it is gone.
    One loader per selection: the services of many organizations selected alike come in one query."""
    db = info.context.db
    name = f"service-details:{sorted(kinds)}:{sorted(keys.items())}"
    return loader(loaders, name, lambda ids: directory.service_details(db, ids, kinds, keys), None)


__all__ = ["Loaders", "loader", "organization_locations", "organization_services", "resolve", "service_details"]
