"""FalkorDB engine (embedded or remote), through the `falkordb` client."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import redis
from falkordb import FalkorDB

from graph.engine import Dialect, Row, Statement
from graph.errors import DatabaseUnavailable
from graph.schema import falkordb as falkordb_schema


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class FalkorEngine:
    dialect: Dialect = "falkordb"

    def __init__(self, *, host: str, port: int, graph: str, uri: str,
                 on_close: Callable[[], None] | None = None, hint: str = "") -> None:
        self.uri = uri
        self._hint = hint or f"is a FalkorDB server running at {host}:{port}? Or use SAFETYNET_DB=embedded://.safetynet"
        self._on_close = on_close
        try:
            self._db = FalkorDB(host=host, port=port, socket_timeout=None)
            self._db.connection.ping()
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc
        self._graph_name = graph
        self._graph = self._db.select_graph(graph)

    def _unavailable(self, exc: Exception) -> DatabaseUnavailable:
        return DatabaseUnavailable(self.uri, str(exc) or type(exc).__name__, self._hint)

    def _rows(self, result: Any) -> list[Row]:
        names = [column[1] for column in result.header]
        return [dict(zip(names, map(_plain, row), strict=True)) for row in result.result_set]

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        try:
            return self._rows(self._graph.ro_query(query, dict(params) if params else None))
        except redis.ConnectionError as exc:
            raise self._unavailable(exc) from exc

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        try:
            return self._rows(self._graph.query(query, dict(params) if params else None))
        except redis.ConnectionError as exc:
            raise self._unavailable(exc) from exc

    def write_atomic(self, statements: Iterable[Statement]) -> None:
        """MULTI/EXEC: the server runs the queries back to back, and no reader sees a partial state."""
        pipe = self._db.connection.pipeline(transaction=True)
        for query, params in statements:
            header = self._graph._build_params_header(dict(params)) if params else ""
            pipe.execute_command("GRAPH.QUERY", self._graph_name, header + query, "--compact")
        try:
            results = pipe.execute(raise_on_error=False)
        except redis.ConnectionError as exc:
            raise self._unavailable(exc) from exc
        failures = [r for r in results if isinstance(r, Exception)]
        if failures:
            raise failures[0]

    def ensure_schema(self) -> None:
        falkordb_schema.apply(self._graph, self._db.connection, self._graph_name)

    def ping(self) -> None:
        try:
            self._db.connection.ping()
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc

    def close(self) -> None:
        try:
            self._db.connection.close()
        finally:
            if self._on_close:
                self._on_close()
                self._on_close = None
