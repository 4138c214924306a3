"""Top-level GraphQL fields resolved in worker threads, so one request's database wait does not stall
every other request.

The resolvers are plain functions that call the database synchronously. Under the async GraphQL
router strawberry runs such a resolver on the event loop itself, and the whole API process would wait
while the database answers one request: with 8 clients it served them one at a time (throughput
exactly 1 / (API time + database time)). Resolving each top-level field in a thread lets the event loop
take other requests meanwhile; the database client releases the GIL while it waits. A nested field
that reads the database (an organization's services and locations) loads through a per-request
DataLoader (api/dataloaders), whose batch query runs in a worker thread; the other nested fields resolve
from the objects their parent returned (plain attributes), so they stay on the loop.

It is a field extension on Query's fields only (`in_worker_threads(Query)`): a schema extension
with a `resolve` hook would be called for every field of every request, which cost more than a third
of the throughput of a trivial query. Where no event loop runs (`schema.execute_sync`, as tests and
scripts use it), nothing changes.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from strawberry.extensions import FieldExtension
from strawberry.types import Info

T = TypeVar("T")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class InWorkerThread(FieldExtension):
    """Runs the field's (synchronous) resolver in a worker thread when an event loop runs."""

    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        if _loop_running():
            return asyncio.to_thread(next_, source, info, **kwargs)
        return next_(source, info, **kwargs)


def in_worker_threads(type_: type[T]) -> type[T]:
    """`type_` (a strawberry type) with every field that has a resolver of its own resolved in a worker
    thread (Query's); a plain attribute is not worth a thread."""
    for field in type_.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if field.base_resolver is None:
            continue
        if not any(isinstance(extension, InWorkerThread) for extension in field.extensions):
            field.extensions.append(InWorkerThread())
    return type_
