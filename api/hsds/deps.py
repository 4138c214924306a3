"""The HSDS routes' dependencies as typed aliases: who asks and the database (api/deps.py, shared with GraphQL),
and the app's store of ready-made service documents (made in the app's lifespan: api/app.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.deps import CallerDep, DatabaseDep
from services.hsds.snapshots import SnapshotStore


async def snapshots_of(request: Request) -> SnapshotStore:
    """The app's store of ready-made service documents (services/hsds/snapshots.py)."""
    store: SnapshotStore = request.app.state.snapshots
    return store


SnapshotsDep = Annotated[SnapshotStore, Depends(snapshots_of)]

__all__ = ["CallerDep", "DatabaseDep", "SnapshotsDep", "snapshots_of"]
