"""Neo4j 5 engine, through the official `neo4j` driver."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ConstraintError, DriverError, Neo4jError, ServiceUnavailable
from neo4j.spatial import Point

from graph.engine import Dialect, Row, Statement
from graph.errors import Conflict, DatabaseUnavailable, unique_conflict
from graph.schema import neo4j as neo4j_schema


def _plain(value: Any) -> Any:
    if isinstance(value, Point):
        return {"latitude": value.y, "longitude": value.x}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


LOAD_LOCK_TTL_S = 6 * 3600  # a crashed loader's lock expires (as on FalkorDB)
LOCK_LABEL = "SafetynetLoadLock"  # the project's own bookkeeping, not a record: in no query of the catalogue
_LOCK_CONSTRAINT = f"CREATE CONSTRAINT safetynet_load_lock IF NOT EXISTS FOR (l:{LOCK_LABEL}) REQUIRE l.id IS UNIQUE"
# One statement: the lock node is written first (MERGE, made safe under concurrency by the constraint), so the
# token is read under its write lock; the lock is free when it holds no token or an expired one.
_ACQUIRE = (f"MERGE (l:{LOCK_LABEL} {{id: 'load'}}) SET l.claimed = timestamp() "
            "WITH l, l.token IS NULL OR l.expires < timestamp() AS free "
            "SET l.token = CASE WHEN free THEN $token ELSE l.token END, "
            "l.expires = CASE WHEN free THEN timestamp() + $ttl ELSE l.expires END "
            "RETURN l.token = $token AS acquired")
_RELEASE = f"MATCH (l:{LOCK_LABEL} {{id: 'load'}}) WHERE l.token = $token DELETE l"


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
        # no server notifications: Neo4j warns of every property or type the graph has none of yet (a staffOnly
        # no record carries, say), and the driver would log each, query text and all, on every request
        self._driver = GraphDatabase.driver(address or uri, auth=(user, password), notifications_min_severity="OFF")
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
        except ConstraintError as exc:
            raise unique_conflict(exc.message or str(exc)) from exc
        return [_plain(record.data()) for record in records]

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, RoutingControl.READ)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, RoutingControl.WRITE)

    def write_atomic(self, statements: Iterable[Statement]) -> None:
        """One transaction: commit all or roll back all. Loads take turns as on FalkorDB: a second load while
        one runs is refused with Conflict (a lock node, LOCK_LABEL, held for the load's duration). Under the
        lock the statements are all built first (a loader's are built while it still parses the source),
        so the transaction is not held open meanwhile, and a source found invalid half-way opens none."""
        token = uuid.uuid4().hex
        try:
            if not self._run(_ACQUIRE, {"token": token, "ttl": LOAD_LOCK_TTL_S * 1000}, RoutingControl.WRITE)[0][
                    "acquired"]:
                raise Conflict(f"another load into the Neo4j database at {self.uri} is running; wait for it to "
                               "finish, then load again")
            try:
                built = [(query, dict(params)) for query, params in statements]
                with self._driver.session(database=self._database) as session, session.begin_transaction() as tx:
                    for query, params in built:
                        tx.run(query, params).consume()
                    tx.commit()
            finally:
                self._run(_RELEASE, {"token": token}, RoutingControl.WRITE)
        except (ServiceUnavailable, AuthError) as exc:
            raise self._unavailable(exc) from exc
        except ConstraintError as exc:
            raise unique_conflict(exc.message or str(exc)) from exc

    def ensure_schema(self) -> None:
        for statement in (*neo4j_schema.statements(), _LOCK_CONSTRAINT):
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
