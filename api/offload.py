"""Top-level GraphQL fields resolved in worker threads, so one request's database wait does not stall
every other request.

The resolvers are plain functions that call the database synchronously. Under the async GraphQL
router strawberry runs such a resolver on the event loop itself, and the whole API process would wait
while the database answers one request: with 8 clients it served them one at a time (throughput
exactly 1 / (API time + database time)). Resolving each top-level field in a thread lets the event loop
take other requests meanwhile; the database client releases the GIL while it waits. Nested fields
resolve from the objects their top-level field returned (plain attributes), so they stay on the loop.

Where no event loop runs (`schema.execute_sync`, as tests and scripts use it), nothing changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class TopLevelFieldsInThreads(SchemaExtension):
    def resolve(self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], *args: Any,
                **kwargs: Any) -> Any:
        if info.path.prev is None and info.parent_type.name != "Subscription" and _loop_running():
            return asyncio.to_thread(_next, root, info, *args, **kwargs)
        return _next(root, info, *args, **kwargs)
