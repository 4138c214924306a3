"""FalkorDB engine (embedded or remote), through the `falkordb` client."""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import redis
from falkordb import FalkorDB
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph import embedded, falkor_reply
from graph.engine import Dialect, Row, Statement
from graph.errors import Conflict, DatabaseUnavailable, InvalidValue, ServerRestarted, unique_conflict
from graph.schema import falkordb as falkordb_schema
from graph.watchdog import HUNG_AFTER_S, Watchdog

LOAD_LOCK_TTL_S = 6 * 3600  # a crashed loader's lock expires
PING_TIMEOUT_S = 5.0  # /healthz: a server this slow to answer PING is as good as down


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


# FalkorDB's reply to a write that breaks a unique constraint names the label, not the property or the value.
_UNIQUE_VIOLATION = re.compile(r"unique constraint violation on (?:node|edge) of type (?P<label>\S+)", re.IGNORECASE)
_UNIQUE_PROPERTY = "id"  # the only property the project's FalkorDB constraints are on (graph.schema.falkordb)


def _conflict_or(exc: redis.ResponseError) -> Exception:
    """The project's Conflict for a unique-constraint violation (graph.errors.unique_conflict), else the server's
    error as it is (one that only mentions a constraint, such as an index a constraint needs, is no violation)."""
    found = _UNIQUE_VIOLATION.search(str(exc))
    return unique_conflict(found["label"], _UNIQUE_PROPERTY) if found else exc


class FalkorEngine:
    dialect: Dialect = "falkordb"
    serialises_loads = True  # a lock key per graph; see write_atomic
    hung_after_s = HUNG_AFTER_S  # see graph.watchdog

    def __init__(self, *, host: str, port: int, graph: str, uri: str, password: str = "",
                 embedded_dir: Path | None = None, on_close: Callable[[], None] | None = None,
                 hint: str = "", read_deadline_s: float | None = None) -> None:
        """`embedded_dir`: the data directory when the server is an embedded one of ours (graph.embedded),
        which is then restarted if it hangs. `read_deadline_s`: every read's deadline (None: none)."""
        self.uri = uri
        self._hint = hint or (f"is a FalkorDB server running at {host}:{port}? If it requires a password, set "
                              "SAFETYNET_DB_PASSWORD. Or use SAFETYNET_DB=embedded://.safetynet")
        self._on_close = on_close
        self._password = password or None
        try:
            self._db = FalkorDB(host=host, port=port, password=self._password, socket_timeout=None)
            self._db.connection.ping()
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc
        self._graph_name = graph
        self._graph = self._db.select_graph(graph)
        # Reads on a pool of their own, with a deadline: the server gives up on a read past it (TIMEOUT), and a
        # server that does not answer at all (hung) is given up on a second later, instead of a request that
        # never returns. A connection lost (the server restarted: graph.supervisor) is tried once more at once;
        # a read past its deadline is not tried again (redis-py would, ten times, with growing pauses).
        self.read_deadline_s = read_deadline_s
        self._read_timeout = ("TIMEOUT", str(max(1, round(read_deadline_s * 1000)))) if read_deadline_s else ()
        reader = FalkorDB(host=host, port=port, password=self._password,
                          socket_timeout=read_deadline_s + 1.0 if read_deadline_s else None,
                          retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)))
        self._read_graph = reader.select_graph(graph)
        self._reader = reader
        self.last_server_ms: float | None = None  # the server's own time for the last query (benchmarks)
        self._host, self._port = host, port
        self._pinger = redis.Redis(host=host, port=port, password=self._password, socket_timeout=PING_TIMEOUT_S,
                                   socket_connect_timeout=PING_TIMEOUT_S, retry=Retry(NoBackoff(), 0))
        self._embedded_dir = embedded_dir

    def _unavailable(self, exc: Exception) -> DatabaseUnavailable:
        return DatabaseUnavailable(self.uri, str(exc) or type(exc).__name__, self._hint)

    def _past_deadline(self) -> DatabaseUnavailable:
        return DatabaseUnavailable(self.uri, f"the database did not answer within the read deadline "
                                   f"({self.read_deadline_s:g} s)", "try again shortly; if it persists, see "
                                   "the server's log (SAFETYNET_READ_DEADLINE_S sets the deadline)")

    def _run(self, command: str, query: str, params: Mapping[str, Any] | None) -> list[Row]:
        """One query, its reply decoded by graph.falkor_reply (a third less time than the client's own parser)."""
        checked = _checked_params(params)
        text = self._graph._build_params_header(checked) + query if checked else query
        reading = command == "GRAPH.RO_QUERY"
        graph = self._read_graph if reading else self._graph
        try:
            response = graph.execute_command(command, self._graph_name, text, "--compact",
                                             *(self._read_timeout if reading else ()))
        except redis.TimeoutError as exc:
            raise self._past_deadline() from exc
        except redis.ConnectionError as exc:
            raise self._unavailable(exc) from exc
        except redis.ResponseError as exc:
            if reading and self._read_timeout and "timed out" in str(exc).lower():
                raise self._past_deadline() from exc
            raise _conflict_or(exc) from exc
        self.last_server_ms = falkor_reply.server_ms(response)
        return falkor_reply.rows(response, self._graph)

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run("GRAPH.RO_QUERY", query, params)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run("GRAPH.QUERY", query, params)

    def write_atomic(self, statements: Iterable[Statement]) -> None:
        """Write into a private copy of the graph, then swap it in with one atomic RENAME.

        Readers keep seeing the previous graph until the swap, and a failure at any statement
        drops the copy: the live graph is exactly as it was. Loads into one graph are serialised
        by a lock key, so two loads never swap over each other. A watchdog turns a server that
        stops answering (see graph.watchdog) into an error instead of a wait without end.
        """
        conn = self._db.connection
        token = uuid.uuid4().hex
        lock_key = f"{embedded.LOAD_LOCK_PREFIX}{self._graph_name}"
        watchdog = Watchdog(self._host, self._port, password=self._password, on_hang=self._on_hang,
                            hung_after_s=self.hung_after_s)
        try:
            if not conn.set(lock_key, token, nx=True, ex=LOAD_LOCK_TTL_S):
                raise Conflict(f"another load into graph {self._graph_name!r} at {self.uri} is running; "
                               "wait for it to finish, then load again")
            staging = f"{self._graph_name}{embedded.STAGING_MARK}{token[:12]}"
            try:
                with watchdog:
                    _wait_for_no_fork(conn)
                    if conn.exists(self._graph_name):
                        self._copy(self._graph_name, staging, watchdog)
                    else:
                        falkordb_schema.apply(self._db.select_graph(staging), conn, staging)
                    self._stream(staging, statements)
                    if watchdog.hung:  # the client may have resent a statement to the restarted server
                        raise DatabaseUnavailable(self.uri, watchdog.reason, "load again")
                    conn.rename(staging, self._graph_name)
                    _compact_append_only_file(conn)
            except BaseException as exc:
                if watchdog.hung and not watchdog.recovered:
                    raise self._still_hung(watchdog.reason) from exc  # nothing more can be said to it
                with contextlib.suppress(redis.RedisError):
                    conn.delete(staging)
                if watchdog.hung:
                    raise ServerRestarted(self.uri, f"{watchdog.reason}, so it was restarted; the load wrote "
                                          "nothing", "load again") from exc
                raise
            finally:
                if not (watchdog.hung and not watchdog.recovered) and conn.get(lock_key) in (token, token.encode()):
                    conn.delete(lock_key)
        except redis.ConnectionError as exc:
            raise self._unavailable(exc) from exc

    def _copy(self, source: str, target: str, watchdog: Watchdog) -> None:
        """GRAPH.COPY, on a connection of its own with a deadline and no retry: the copy forks the
        server, and when another fork gets in first the copy never returns (most often the whole
        server stops answering, which the watchdog sees first)."""
        copier = redis.Redis(host=self._host, port=self._port, password=self._password,  # no retry: the client
                             socket_timeout=COPY_TIMEOUT_S, retry=Retry(NoBackoff(), 0))  # would send it again
        try:
            copier.execute_command("GRAPH.COPY", source, target)
        except redis.TimeoutError:
            watchdog.declare_hung(f"GRAPH.COPY did not finish within {COPY_TIMEOUT_S:.0f} s")
            raise
        finally:
            copier.close()

    def _on_hang(self) -> bool:
        """Called by the watchdog, in its thread: free whatever waits on the hung server; True if
        the server is back (an embedded server of ours, restarted)."""
        if self._embedded_dir is not None:
            embedded.restart_hung(self._embedded_dir)  # killing it closes every waiting connection
            return True
        self._db.connection.connection_pool.disconnect()
        return False

    def _still_hung(self, reason: str) -> DatabaseUnavailable:
        return DatabaseUnavailable(
            self.uri, f"{reason} during the load (FalkorDB 4.16 can deadlock between its index garbage "
            "collector and a query: FalkorDB/FalkorDB#2623)",
            "restart the FalkorDB server, then load again (the live graph was not changed; a leftover "
            "'<graph>.loading-…' key can be deleted)")

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
            failure = failures[0]
            raise (_conflict_or(failure) if isinstance(failure, redis.ResponseError) else failure) from failure

    def ensure_schema(self) -> None:
        falkordb_schema.apply(self._graph, self._db.connection, self._graph_name)

    def ping(self) -> None:
        """Whether the server answers within PING_TIMEOUT_S, on a connection of its own: a health check
        must say "unavailable" of a hung server (see graph.watchdog), not wait with it."""
        try:
            self._pinger.ping()
        except redis.TimeoutError as exc:
            raise DatabaseUnavailable(self.uri, f"the server did not answer PING within {PING_TIMEOUT_S:.0f} s",
                                      self._hint) from exc
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc

    def close(self) -> None:
        try:
            self._pinger.close()
            self._reader.connection.close()
            self._db.connection.close()
        finally:
            if self._on_close:
                self._on_close()
                self._on_close = None


# Forks and GRAPH.COPY. The staging copy forks the server; so do a background save and an AOF
# rewrite. When they meet, FalkorDB logs "Can't fork for module" and GRAPH.COPY never returns. So a
# load starts its copy only once no other fork runs, and (the embedded server does no rewrite of
# its own) compacts the AOF itself after a load, waiting for that fork to end while it still holds
# the load lock. A server configured elsewhere may still fork on its own schedule between the check
# and the copy: disable `save` and `auto-aof-rewrite-percentage` there too.
# The index garbage collector forks too, every few seconds on a server with many indexes, without
# warning: a copy that loses that race hangs the server (seen in CI), which the load's watchdog
# (graph.watchdog) turns into a restart and a second attempt.
FORK_WAIT_S = 600.0
COPY_TIMEOUT_S = 600.0  # a copy of a 100k-service graph takes seconds
AOF_GROWTH_TO_COMPACT = 2.0  # rewrite once the AOF is this many times its last rewritten size


def _persistence(conn: Any) -> dict[str, Any]:
    info: dict[str, Any] = conn.info("persistence")
    return info


def _forking(info: dict[str, Any]) -> bool:
    return any(int(info.get(key, 0) or 0) for key in
               ("rdb_bgsave_in_progress", "aof_rewrite_in_progress", "module_fork_in_progress",
                "aof_rewrite_scheduled"))


def _wait_for_no_fork(conn: Any, timeout_s: float = FORK_WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while _forking(_persistence(conn)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the database server has been saving in the background for over {timeout_s:.0f} s; "
                               "load again once it has finished")
        time.sleep(0.05)


def _compact_append_only_file(conn: Any) -> None:
    """Rewrite the AOF when it has grown well past its last rewrite, and wait for that to finish."""
    info = _persistence(conn)
    if not int(info.get("aof_enabled", 0) or 0):
        return
    base, current = int(info.get("aof_base_size", 0) or 0), int(info.get("aof_current_size", 0) or 0)
    if current <= max(base * AOF_GROWTH_TO_COMPACT, 64 * 1024 * 1024 if base == 0 else 0):
        return
    _wait_for_no_fork(conn)
    conn.bgrewriteaof()
    _wait_for_no_fork(conn)
