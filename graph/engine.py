"""The one interface both graph engines implement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, Protocol

Dialect = Literal["neo4j", "falkordb"]
Row = dict[str, Any]
Statement = tuple[str, Mapping[str, Any]]


class GraphEngine(Protocol):
    """A connection to one graph. Results are plain rows (column → value): maps are dicts, points
    are `{"latitude", "longitude"}` dicts, whichever engine answered."""

    dialect: Dialect
    uri: str
    serialises_loads: bool
    """True when `write_atomic` holds an exclusive load lock on the graph while it draws statements,
    so a statement generator may trust what it reads: nothing else writes the graph meanwhile."""

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a read-only query."""
        ...

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one write query (atomic on both engines)."""
        ...

    def write_atomic(self, statements: Iterable[Statement]) -> None:
        """Run many write queries as one unit: readers see all of them or none, and a failure at
        any statement leaves the graph as it was. Statements are consumed lazily, in order, after
        the load lock (where the engine has one) is taken."""
        ...

    def ensure_schema(self) -> None:
        """Create missing constraints and indexes (idempotent)."""
        ...

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless the database answers a trivial query."""
        ...

    def close(self) -> None:
        """Release the connection (and stop an embedded server this process started)."""
        ...
