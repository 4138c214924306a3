"""Per-request GraphQL context: the process's engine and who is asking."""

from __future__ import annotations

from fastapi import Request
from strawberry.fastapi import BaseContext

from api.auth import Role
from graph.engine import GraphEngine


class Context(BaseContext):
    def __init__(self, db: GraphEngine, role: Role = Role.PUBLIC, request_id: str = "") -> None:
        super().__init__()
        self.db = db
        self.role = role
        self.request_id = request_id


async def build_context(request: Request) -> Context:
    """The context of one GraphQL request."""
    return Context(request.app.state.db, role=Role.PUBLIC, request_id=getattr(request.state, "request_id", ""))
