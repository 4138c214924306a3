"""Per-request GraphQL context: the process's engine, handed to resolvers."""

from __future__ import annotations

from strawberry.fastapi import BaseContext

from graph.engine import GraphEngine


class Context(BaseContext):
    def __init__(self, db: GraphEngine) -> None:
        super().__init__()
        self.db = db
