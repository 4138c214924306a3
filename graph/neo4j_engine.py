"""Neo4j 5 engine, through the official `neo4j` driver."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable
from neo4j.spatial import Point

from graph.engine import Dialect, Row, Statement
from graph.errors import DatabaseUnavailable
from graph.schema import neo4j as neo4j_schema


def _plain(value: Any) -> Any:
    if isinstance(value, Point):
        return {"latitude": value.y, "longitude": value.x}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Neo4jEngine:
    dialect: Dialect = "neo4j"
    serialises_loads = False  # concurrent transactions may both see a label empty

    def __init__(self, *, uri: str, user: str, password: str, database: str | None, address: str | None = None,
                 on_close: Callable[[], None] | None = None, hint: str = "") -> None:
        """`address`: the Bolt URI to connect to when `uri` (shown in errors) names no server, as
        `embedded-neo4j://PATH` does; `on_close` runs after the driver is closed (it stops an embedded server)."""
        self.uri = uri
        self._database = database
        self._hint = hint
        self._on_close = on_close
        self._driver = GraphDatabase.driver(address or uri, auth=(user, password))
        self.ping()

    def _unavailable(self, exc: Exception) -> DatabaseUnavailable:
        if self._hint:
            hint = self._hint
        elif isinstance(exc, AuthError):
            hint = "check SAFETYNET_DB_USER and SAFETYNET_DB_PASSWORD"
        else:
            hint = "is Neo4j 5 running there (docker compose up neo4j)? Or use SAFETYNET_DB=embedded://.safetynet"
        return DatabaseUnavailable(self.uri, str(exc) or type(exc).__name__, hint)

    def _run(self, query: str, params: Mapping[str, Any] | None, routing: RoutingControl) -> list[Row]:
        try:
            records, _, _ = self._driver.execute_query(
                neo4j.Query(query), dict(params or {}), routing_=routing, database_=self._database
            )
        except (ServiceUnavailable, AuthError) as exc:
            raise self._unavailable(exc) from exc
        return [_plain(record.data()) for record in records]

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, RoutingControl.READ)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, RoutingControl.WRITE)

    def write_atomic(self, statements: Iterable[Statement]) -> None:
        """One transaction, fed statement by statement: commit all or roll back all."""
        try:
            with self._driver.session(database=self._database) as session, session.begin_transaction() as tx:
                for query, params in statements:
                    tx.run(query, dict(params)).consume()
                tx.commit()
        except (ServiceUnavailable, AuthError) as exc:
            raise self._unavailable(exc) from exc

    def ensure_schema(self) -> None:
        for statement in neo4j_schema.statements():
            self.write(statement)

    def ping(self) -> None:
        try:
            self._driver.verify_connectivity()
        except (DriverError, Neo4jError, OSError, ValueError) as exc:
            raise self._unavailable(exc) from exc

    def close(self) -> None:
        try:
            self._driver.close()
        finally:
            if self._on_close:
                self._on_close()
                self._on_close = None
