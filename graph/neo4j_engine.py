"""Neo4j 5 engine, through the official `neo4j` driver."""

from __future__ import annotations

import concurrent.futures
import contextlib
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import (
    AuthError,
    ConstraintError,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
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


# Neo4j's words for a write that breaks a uniqueness constraint (Neo.ClientError.Schema.ConstraintValidationFailed):
# "Node(12) already exists with label `Service` and property `id` = 'svc-1'" ("… and properties …" for a composite
# key: the label alone is named then). The same error code also says "Cannot delete node<12>, because it still has
# relationships": no unique violation, so not a Conflict (a query of ours that should have said DETACH DELETE).
# A constraint made over a graph that already breaks it (Neo.DatabaseError.Schema.ConstraintCreationFailed) says
# "Both Node(2) and Node(3) have the label `Service` and property `id` = 'x'. Note that only the first …".
_UNIQUE_VIOLATION = re.compile(r"already exists with (?:label|type) `(?P<label>[^`]+)` and "
                               r"(?:property `(?P<property>[^`]+)` = (?P<value>.*)|properties )", re.DOTALL)
_UNIQUE_HELD = re.compile(r"Both \w+\(\d+\) and \w+\(\d+\) have the (?:label|type) `(?P<label>[^`]+)` and "
                          r"(?:property `(?P<property>[^`]+)` = (?P<value>.*?)(?:\. Note that|$)|properties )",
                          re.DOTALL)


def _unique_conflict(exc: Neo4jError) -> Conflict | None:
    """The project's Conflict (graph.errors.unique_conflict) for a uniqueness violation; None for another error."""
    text = exc.message or str(exc)
    held = _UNIQUE_HELD.search(text) if exc.code == "Neo.DatabaseError.Schema.ConstraintCreationFailed" else None
    found = held or (_UNIQUE_VIOLATION.search(text) if isinstance(exc, ConstraintError) else None)
    if not found:
        return None
    value: object = found["value"]
    if isinstance(value, str):
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":  # a string, as Neo4j writes one
            value = value[1:-1]
        elif re.fullmatch(r"-?\d+", value):
            value = int(value)
    return unique_conflict(found["label"], found["property"], value, held=held is not None)


READ_THREADS = 32  # reads waited on at once; more wait their turn (a hung server holds each until it is restarted)
RETRY_S = 5.0  # how long the driver retries a transient failure (a lost connection, a leader switch)
LOAD_LOCK_TTL_S = 6 * 3600  # a crashed loader's lock expires (as on FalkorDB)
LOCK_LABEL = "SafetynetLoadLock"  # the project's own bookkeeping, not a record: in no query of the catalogue
LOAD_METADATA = "safetynet"  # a load's transaction carries {LOAD_METADATA: "load"} (SHOW TRANSACTIONS shows it)
_LOCK_CONSTRAINT = f"CREATE CONSTRAINT safetynet_load_lock IF NOT EXISTS FOR (l:{LOCK_LABEL}) REQUIRE l.id IS UNIQUE"
# Who holds the lock, read without locking anything: a load refused at once does not wait for the lock node's
# write lock, which the running load's transaction holds (_CHECK) until it ends.
_HOLDER = (f"OPTIONAL MATCH (l:{LOCK_LABEL} {{id: 'load'}}) "
           "RETURN l.token IS NOT NULL AND coalesce(l.expires, 0) >= timestamp() AS held, l.expires AS expires")
# One statement: the lock node is written first (MERGE, made safe under concurrency by the constraint), so the
# token is read under its write lock; the lock is free when it holds no token or an expired one.
_ACQUIRE = (f"MERGE (l:{LOCK_LABEL} {{id: 'load'}}) SET l.claimed = timestamp() "
            "WITH l, l.token IS NULL OR coalesce(l.expires, 0) < timestamp() AS free "
            "SET l.token = CASE WHEN free THEN $token ELSE l.token END, "
            "l.expires = CASE WHEN free THEN timestamp() + $ttl ELSE l.expires END "
            "RETURN l.token = $token AS acquired, l.expires AS expires")
# The load's transaction's first statement: the lock node's write lock first (SET), then its token, so the
# lock stays this load's until the transaction ends. A load whose lock was removed meanwhile (its server
# restarted: graph.neo4j_embedded clears a lock left behind) or taken (expired, then another load's) finds
# another token or none, and stops before it writes anything.
_CHECK = (f"OPTIONAL MATCH (l:{LOCK_LABEL} {{id: 'load'}}) SET l.writing = timestamp() "
          "RETURN coalesce(l.token = $token, false) AS held")
_RELEASE = f"MATCH (l:{LOCK_LABEL} {{id: 'load'}}) WHERE l.token = $token DELETE l"
# Only when no load can be running (a server just started): what a load cut short left behind.
CLEAR_LOAD_LOCKS = f"MATCH (l:{LOCK_LABEL}) DELETE l"


def _utc(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


class Neo4jEngine:
    dialect: Dialect = "neo4j"
    serialises_loads = True  # loads take turns: the lock node is held for the whole transaction (write_atomic)

    def __init__(self, *, uri: str, user: str, password: str, database: str | None, address: str | None = None,
                 on_close: Callable[[], None] | None = None, hint: str = "", read_deadline_s: float | None = None
                 ) -> None:
        """`address`: the Bolt URI to connect to when `uri` (shown in errors) names no server, as
        `embedded-neo4j://PATH` does; `on_close` runs after the driver is closed (it stops an embedded server);
        `read_deadline_s`: every read's deadline (None: none)."""
        self.uri = uri
        self.read_deadline_s = read_deadline_s
        self._readers = (concurrent.futures.ThreadPoolExecutor(max_workers=READ_THREADS,
                                                               thread_name_prefix="neo4j-read")
                         if read_deadline_s else None)
        self._database = database
        self._hint = hint
        self._on_close = on_close
        # no server notifications: Neo4j warns of every property or type the graph has none of yet (a staffOnly
        # no record carries, say), and the driver would log each, query text and all, on every request
        # retries of a transient failure give up after RETRY_S: a dead server is said to be one in seconds, not the
        # driver's default 30 s (a request would wait that long before the API says the database is unavailable)
        self._driver = GraphDatabase.driver(address or uri, auth=(user, password), notifications_min_severity="OFF",
                                            max_transaction_retry_time=RETRY_S)
        self.ping()

    def _unavailable(self, exc: Exception, reason: str = "") -> DatabaseUnavailable:
        if self._hint:
            hint = self._hint
        elif isinstance(exc, AuthError):
            hint = "check SAFETYNET_DB_USER and SAFETYNET_DB_PASSWORD"
        else:
            hint = "is Neo4j 5 running there (docker compose up neo4j)? Or use SAFETYNET_DB=embedded://.safetynet"
        return DatabaseUnavailable(self.uri, reason or str(exc) or type(exc).__name__, hint)

    def _run(self, query: str, params: Mapping[str, Any] | None, routing: RoutingControl) -> list[Row]:
        try:
            records, _, _ = self._driver.execute_query(
                neo4j.Query(query), dict(params or {}), routing_=routing, database_=self._database
            )
        except (ServiceUnavailable, SessionExpired, AuthError) as exc:
            raise self._unavailable(exc) from exc
        except ConstraintError as exc:
            if (conflict := _unique_conflict(exc)) is None:
                raise
            raise conflict from exc
        return [_plain(record.data()) for record in records]

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """One auto-commit query: measured ~0.5 ms less per read than execute_query, whose managed transaction
        costs a second round trip (COMMIT) and more driver work; reads are the API's every request. Being
        idempotent, a read lost with its connection (a pooled one the server closed) is tried once more.

        With a deadline, the server gives the read up past it (a transaction timeout), and the caller does too:
        the read runs on a thread of `_readers` and is waited for until the deadline and a second, so a server
        that does not answer at all (a stopped or wedged JVM, which the driver would wait on for ever) gives
        DATABASE_UNAVAILABLE. That thread is freed when the server answers or is restarted (graph.supervisor)."""
        if self._readers is None:
            return self._read(query, params)
        waiting = self._readers.submit(self._read, query, params)
        try:
            return waiting.result(timeout=self.read_deadline_s + 1.0 if self.read_deadline_s else None)
        except concurrent.futures.TimeoutError:
            raise DatabaseUnavailable(self.uri, f"the database did not answer within the read deadline "
                                      f"({self.read_deadline_s:g} s)", "try again shortly; if it persists, see the "
                                      "server's log (SAFETYNET_READ_DEADLINE_S sets the deadline)") from None

    def _read(self, query: str, params: Mapping[str, Any] | None) -> list[Row]:
        for attempt in (1, 2):
            try:
                with self._driver.session(database=self._database, default_access_mode=neo4j.READ_ACCESS,
                                          bookmark_manager=self._driver.execute_query_bookmark_manager) as session:
                    result = session.run(neo4j.Query(query, timeout=self.read_deadline_s), dict(params or {}))
                    return [_plain(record.data()) for record in result]
            except (ServiceUnavailable, SessionExpired) as exc:
                if attempt == 2:
                    raise self._unavailable(exc) from exc
            except AuthError as exc:
                raise self._unavailable(exc) from exc
            except neo4j.exceptions.ClientError as exc:
                if self.read_deadline_s and "TransactionTimedOut" in (exc.code or ""):
                    raise DatabaseUnavailable(self.uri, f"the read took longer than the read deadline "
                                              f"({self.read_deadline_s:g} s)", "try again shortly (SAFETYNET_READ_"
                                              "DEADLINE_S sets the deadline)") from exc
                raise
        raise AssertionError("unreachable")

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(query, params, RoutingControl.WRITE)

    def write_atomic(self, statements: Iterable[Statement]) -> None:
        """One transaction: commit all or roll back all. Loads take turns as on FalkorDB: a second load while
        one runs is refused with Conflict (a lock node, LOCK_LABEL, held for the load's duration). Under the
        lock the statements are all built first (a loader's are built while it still parses the source),
        so the transaction is not held open meanwhile, and a source found invalid half-way opens none.
        The transaction first makes sure the lock is still this load's (_CHECK): if not, Conflict."""
        token = uuid.uuid4().hex
        try:
            self._acquire(token)
            try:
                built = [(query, dict(params)) for query, params in statements]
                self._transaction(token, built)
            except BaseException:
                with contextlib.suppress(DriverError, Neo4jError, OSError):  # the error says more than this would
                    self._release_once(token)
                raise
            self._run(_RELEASE, {"token": token}, RoutingControl.WRITE)
        except (ServiceUnavailable, SessionExpired, AuthError) as exc:
            raise self._unavailable(exc) from exc
        except ConstraintError as exc:
            if (conflict := _unique_conflict(exc)) is None:
                raise
            raise conflict from exc

    def _acquire(self, token: str) -> None:
        (holder,) = self._run(_HOLDER, None, RoutingControl.WRITE)
        if holder["held"]:
            raise self._held(holder["expires"])
        (claim,) = self._run(_ACQUIRE, {"token": token, "ttl": LOAD_LOCK_TTL_S * 1000}, RoutingControl.WRITE)
        if not claim["acquired"]:
            raise self._held(claim["expires"])

    def _held(self, expires: int) -> Conflict:
        """The Conflict of a load refused because another holds the lock: when that lock expires, and what to do
        if no load is running any more (its process or its server was killed)."""
        if self.uri.startswith("embedded-neo4j://"):
            sooner = ("restarting the embedded server frees it at once (`safetynet db stop`, then `safetynet db "
                      "start`, with the same SAFETYNET_DB)")
        else:
            sooner = f"to free it sooner, make sure no load is running, then run `MATCH (l:{LOCK_LABEL}) DELETE l`"
        return Conflict(f"another load into the Neo4j database at {self.uri} is running; wait for it to finish, "
                        f"then load again. If no load is running (one whose process or server was killed leaves its "
                        f"lock behind), the lock expires at {_utc(expires)}; {sooner}")

    def _transaction(self, token: str, built: list[tuple[str, dict[str, Any]]]) -> None:
        committing = False
        try:
            with (self._driver.session(database=self._database) as session,
                  session.begin_transaction(metadata={LOAD_METADATA: "load"}) as tx):
                if not tx.run(_CHECK, {"token": token}).single(strict=True)["held"]:  # one row: OPTIONAL MATCH
                    raise Conflict(f"this load lost its lock on the Neo4j database at {self.uri} before it wrote "
                                   "anything (the server was restarted, or the lock expired and another load "
                                   "took it): nothing was written; load again")
                for query, params in built:
                    tx.run(query, params).consume()
                committing = True
                tx.commit()
        except (ServiceUnavailable, SessionExpired) as exc:
            if isinstance(exc, IncompleteCommit) or committing:
                reason = ("the connection to the server was lost while the load committed, so it may or may not "
                          "have been written: see `safetynet db stats`, and load again (loading again is safe)")
            else:
                reason = "the connection to the server was lost during the load, so none of it was written"
            raise self._unavailable(exc, f"{reason} ({exc})") from exc

    def _release_once(self, token: str) -> None:
        """Release the lock in one attempt (execute_query would retry for half a minute if the server is gone)."""
        with self._driver.session(database=self._database) as session:
            session.run(_RELEASE, {"token": token}).consume()

    def ensure_schema(self) -> None:
        for statement in (*neo4j_schema.statements(), _LOCK_CONSTRAINT):
            try:
                self.write(statement)
            except neo4j.exceptions.DatabaseError as exc:  # a constraint the graph already breaks
                if (conflict := _unique_conflict(exc)) is None:
                    raise
                raise conflict from exc

    def ping(self) -> None:
        try:
            self._driver.verify_connectivity()
        except (DriverError, Neo4jError, OSError, ValueError) as exc:
            raise self._unavailable(exc) from exc

    def close(self) -> None:
        try:
            if self._readers is not None:
                self._readers.shutdown(wait=False, cancel_futures=True)  # a read stuck on a hung server is not waited
            self._driver.close()
        finally:
            if self._on_close:
                self._on_close()
                self._on_close = None
