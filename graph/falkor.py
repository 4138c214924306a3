"""FalkorDB engine (embedded or remote), through the `falkordb` client."""

from __future__ import annotations

import contextlib
import queue
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import redis
from falkordb import FalkorDB

from graph.engine import Dialect, Row, Statement
from graph.errors import Conflict, DatabaseUnavailable, InvalidValue
from graph.schema import falkordb as falkordb_schema

LOAD_LOCK_TTL_S = 6 * 3600  # a crashed loader's lock expires


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _nul_in(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_nul_in(v) for v in value)
    return False


def _checked_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The parameters, unless text in one holds a NUL character: FalkorDB reads parameters as text
    that would end there (a different query, or a syntax error), so such a value is refused."""
    if not params:
        return None
    for name, value in params.items():
        if _nul_in(value):
            raise InvalidValue(f"{name}: text with a NUL character (\\u0000) cannot be searched for or stored; "
                               "remove it")
    return dict(params)


class FalkorEngine:
    dialect: Dialect = "falkordb"
    serialises_loads = True  # a lock key per graph; see write_atomic

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
            return self._rows(self._graph.ro_query(query, _checked_params(params)))
        except redis.ConnectionError as exc:
            raise self._unavailable(exc) from exc

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        try:
            return self._rows(self._graph.query(query, _checked_params(params)))
        except redis.ConnectionError as exc:
            raise self._unavailable(exc) from exc

    def write_atomic(self, statements: Iterable[Statement]) -> None:
        """Write into a private copy of the graph, then swap it in with one atomic RENAME.

        Readers keep seeing the previous graph until the swap, and a failure at any statement
        drops the copy: the live graph is exactly as it was. Loads into one graph are serialised
        by a lock key, so two loads never swap over each other.
        """
        conn = self._db.connection
        token = uuid.uuid4().hex
        lock_key = f"safetynet:load-lock:{self._graph_name}"
        try:
            if not conn.set(lock_key, token, nx=True, ex=LOAD_LOCK_TTL_S):
                raise Conflict(f"another load into graph {self._graph_name!r} at {self.uri} is running; "
                               "wait for it to finish, then load again")
            staging = f"{self._graph_name}.loading-{token[:12]}"
            try:
                if conn.exists(self._graph_name):
                    conn.execute_command("GRAPH.COPY", self._graph_name, staging)
                else:
                    falkordb_schema.apply(self._db.select_graph(staging), conn, staging)
                self._stream(staging, statements)
                conn.rename(staging, self._graph_name)
            except BaseException:
                with contextlib.suppress(redis.RedisError):
                    conn.delete(staging)
                raise
            finally:
                if conn.get(lock_key) in (token, token.encode()):
                    conn.delete(lock_key)
        except redis.ConnectionError as exc:
            raise self._unavailable(exc) from exc

    def _stream(self, graph: str, statements: Iterable[Statement]) -> None:
        """Send statements in order; a sender thread overlaps the server's work with building the
        next statement's parameters here."""
        conn = self._db.connection
        pending: queue.Queue[str | None] = queue.Queue(maxsize=2)
        failures: list[BaseException] = []

        def send() -> None:
            while (command := pending.get()) is not None:
                if failures:
                    continue  # drain after a failure
                try:
                    conn.execute_command("GRAPH.QUERY", graph, command, "--compact")
                except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                    failures.append(exc)

        sender = threading.Thread(target=send, name="falkordb-load-sender", daemon=True)
        sender.start()
        try:
            for query, params in statements:
                if failures:
                    break
                checked = _checked_params(params)
                header = self._graph._build_params_header(checked) if checked else ""
                pending.put(header + query)
        finally:
            pending.put(None)
            sender.join()
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
