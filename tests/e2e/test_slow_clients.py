"""Slow clients cannot hold the server, and a client that leaves frees what its request held: over real HTTP,
uvicorn configured as `safetynet serve` configures it (`api.serving.uvicorn_config`), with short timeouts.

- a request head (line and headers) that does not arrive within the header timeout is answered 408 and the
  connection closed (api/serving.py), on a new connection and on a keep-alive one; a connection that sends
  nothing is closed;
- a request body that does not arrive within the body timeout, or pauses too long, is answered 408
  (api/inputs.py);
- a GraphQL request whose client disconnects is cancelled (api/disconnect.py): an async resolver is cancelled,
  and after a resolver in a worker thread nothing more is resolved;
- meanwhile other clients are served.

The slowness is the test app's (resolvers that wait for the test), never the machine's; times are asserted only
as loose bounds around the configured timeouts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import strawberry
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from api.inputs import RequestBodyLimit
from api.limits import schema_extensions
from api.offload import InWorkerThread
from api.serving import HeaderTimeoutH11Protocol, uvicorn_config
from api.settings import ApiSettings
from graph.engine import GraphEngine
from tests.e2e.server import LiveServer, serving

TIMEOUT_S = 1.0  # the header and body timeouts of the server under test
PATIENCE_S = 15.0  # the most a test waits for anything the server should do in about TIMEOUT_S
WAIT_S = 30.0  # the most a resolver here waits for the test


@dataclass
class Probe:
    """What the test app's resolvers did."""

    slow_started: threading.Event = field(default_factory=threading.Event)
    slow_cancelled: int = 0
    slow_finished: int = 0
    blocking_started: threading.Event = field(default_factory=threading.Event)
    blocking_release: threading.Event = field(default_factory=threading.Event)
    blocking_returned: threading.Event = field(default_factory=threading.Event)
    nested_resolved: int = 0
    requests_ended: threading.Event = field(default_factory=threading.Event)


probe = Probe()


@pytest.fixture(autouse=True)
def fresh_probe() -> None:
    probe.__init__()  # type: ignore[misc]


@strawberry.type
class Later:
    @strawberry.field(description="Resolved only after `blocking` has returned: counts each time it runs.")
    def after(self) -> int:
        probe.nested_resolved += 1
        return probe.nested_resolved


@strawberry.type
class SlowQuery:
    @strawberry.field
    def fast(self) -> int:
        return 1

    @strawberry.field(description="Waits (on the event loop) until cancelled, or WAIT_S.")
    async def slow(self) -> int:
        probe.slow_started.set()
        try:
            await asyncio.sleep(WAIT_S)
        except asyncio.CancelledError:
            probe.slow_cancelled += 1
            raise
        probe.slow_finished += 1
        return 1


@strawberry.type
class BlockingQuery(SlowQuery):
    @strawberry.field(description="Holds its worker thread until the test releases it, as a long database read would.",
                      extensions=[InWorkerThread()])
    def blocking(self) -> Later:
        probe.blocking_started.set()
        probe.blocking_release.wait(WAIT_S)
        probe.blocking_returned.set()
        return Later()


class IdleEngine:
    """The app needs a database to start; nothing here reads one."""

    dialect = "none"
    uri = "none://"

    def ping(self) -> None:
        pass

    def close(self) -> None:
        pass


class NoticesEnds:
    """Sets `probe.requests_ended` whenever a /graphql request's app call has returned (or was cancelled)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope["path"] == "/graphql":
                probe.requests_ended.set()


def settings_for(tmp: Path) -> ApiSettings:
    return ApiSettings(db=f"embedded://{tmp / 'db'}", warm_planner_caches=False, hsds_snapshots=False,
                       header_timeout_s=TIMEOUT_S, body_timeout_s=TIMEOUT_S)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = settings_for(tmp_path_factory.mktemp("slow-clients"))
    schema = strawberry.Schema(query=BlockingQuery, extensions=schema_extensions())
    app = create_app(settings, engine=cast(GraphEngine, IdleEngine()), graphql_schema=schema)
    with serving(NoticesEnds(app), settings=settings) as server:
        yield server


# ---------------------------------------------------------------- raw HTTP


def address(live: LiveServer) -> tuple[str, int]:
    host, port = live.url.removeprefix("http://").split(":")
    return host, int(port)


def connect(live: LiveServer) -> socket.socket:
    sock = socket.create_connection(address(live), timeout=PATIENCE_S)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_until_closed(sock: socket.socket) -> tuple[bytes, bool]:
    """What the server sent until it closed the connection, and whether it closed it (not reset it)."""
    data = b""
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data, False
        except TimeoutError:
            break
        if not chunk:
            return data, True
        data += chunk
    raise AssertionError(f"the server kept the connection open for {PATIENCE_S} s; it sent {data!r}")


def dribble(sock: socket.socket, data: bytes, *, every_s: float = 0.2) -> float:
    """Send `data` a byte every `every_s` seconds until the server answers or closes; the seconds it took."""
    started = time.monotonic()
    for byte in data:
        readable, _, _ = select.select([sock], [], [], every_s)
        if readable:
            break
        try:
            sock.sendall(bytes([byte]))
        except OSError:  # the server has closed the connection
            break
    else:
        raise AssertionError(f"the server let {len(data)} bytes dribble in over {time.monotonic() - started:.1f} s")
    return time.monotonic() - started


def ask(live: LiveServer, query: str, timeout: float = PATIENCE_S) -> dict[str, Any]:
    response = httpx.post(live.graphql_url, json={"query": query}, timeout=timeout)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def status_lines(data: bytes) -> list[bytes]:
    """The status lines of the responses in `data` (the bodies here hold none)."""
    return re.findall(rb"HTTP/1\.1 \d{3} [A-Za-z ]+", data)


def assert_cut_after_the_timeout(elapsed: float) -> None:
    assert TIMEOUT_S * 0.8 <= elapsed <= PATIENCE_S, elapsed


def exchange(sock: socket.socket, request: bytes) -> bytes:
    """Send `request` and read its whole response (its body by Content-Length), leaving the connection open."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < content_length(data):
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection after {data!r}"
        data += chunk
    return data


def content_length(response: bytes) -> int:
    head = response.split(b"\r\n\r\n", 1)[0].lower()
    return int(head.split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])


FAST_GET = b"GET /graphql?query=%7Bfast%7D HTTP/1.1\r\nHost: test\r\n\r\n"


SLOW_HEAD = b"GET /graphql?query=%7Bfast%7D HTTP/1.1\r\nHost: test\r\nX-Slow: " + b"a" * 500


# ---------------------------------------------------------------- the request head


def test_a_client_sending_its_headers_a_byte_at_a_time_is_answered_408_and_cut_off_while_others_are_served(
        live: LiveServer) -> None:
    outcome: dict[str, Any] = {}

    def slowloris() -> None:
        with connect(live) as sock:
            outcome["elapsed"] = dribble(sock, SLOW_HEAD)
            outcome["data"], outcome["closed"] = read_until_closed(sock)

    attacker = threading.Thread(target=slowloris)
    attacker.start()
    served = [ask(live, "{ fast }") for _ in range(5)]  # meanwhile
    attacker.join(PATIENCE_S * 2)

    assert served == [{"data": {"fast": 1}}] * 5
    assert_cut_after_the_timeout(outcome["elapsed"])
    # 408 saying why, then the connection closed (or, if a byte crossed the close, reset: cut off all the same)
    assert status_lines(outcome["data"]) == [b"HTTP/1.1 408 Request Timeout"] or not outcome["closed"], outcome
    if outcome["data"]:
        assert b"connection: close" in outcome["data"].lower()
        assert b"did not arrive within 1 s" in outcome["data"]


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout_without_a_response(
        live: LiveServer) -> None:
    with connect(live) as sock:
        started = time.monotonic()
        data, closed = read_until_closed(sock)
    assert_cut_after_the_timeout(time.monotonic() - started)
    assert (data, closed) == (b"", True)


def test_a_keep_alive_connection_whose_next_request_comes_slowly_is_answered_408_after_its_first(
        live: LiveServer) -> None:
    with connect(live) as sock:
        assert status_lines(exchange(sock, FAST_GET)) == [b"HTTP/1.1 200 OK"]
        elapsed = dribble(sock, SLOW_HEAD)  # the second request, slowly
        data, closed = read_until_closed(sock)
    assert_cut_after_the_timeout(elapsed)
    assert status_lines(data) == [b"HTTP/1.1 408 Request Timeout"] or not closed, data


def test_a_request_pipelined_behind_another_whose_head_never_ends_is_answered_408_after_the_first(
        live: LiveServer) -> None:
    with connect(live) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /graphql?query=%7Bfast%7D HTTP/1.1\r\nHost: test\r\n\r\n"
                     b"GET /graphql?query=%7Bfast%7D HTTP/1.1\r\nHost: test\r\nX-Never-Ends: ")
        data, closed = read_until_closed(sock)
    assert_cut_after_the_timeout(time.monotonic() - started)
    assert closed and status_lines(data) == [b"HTTP/1.1 200 OK", b"HTTP/1.1 408 Request Timeout"], data


def test_a_keep_alive_connection_idle_longer_than_the_header_timeout_between_whole_requests_is_served(
        live: LiveServer) -> None:
    """The clock runs only while a head is incomplete: between requests a keep-alive connection is uvicorn's
    keep-alive timeout's (5 s), and a whole head sent after an idle spell longer than the header timeout is served."""
    with connect(live) as sock:
        for _ in range(3):
            assert status_lines(exchange(sock, FAST_GET)) == [b"HTTP/1.1 200 OK"]
            time.sleep(TIMEOUT_S * 1.5)  # longer than the header timeout, shorter than the keep-alive timeout


def test_serve_runs_uvicorn_with_the_header_timeout_protocol_and_the_settings_timeout(tmp_path: Path) -> None:
    settings = ApiSettings(db=f"embedded://{tmp_path / 'db'}", header_timeout_s=3.5)
    config = uvicorn_config(create_app(settings, engine=cast(GraphEngine, IdleEngine())), settings, "127.0.0.1", 0)
    assert config.http is HeaderTimeoutH11Protocol
    assert config.header_timeout_s == 3.5  # type: ignore[attr-defined]
    # serve --workers N hands its worker processes a config of the app by name, pickled
    by_name = uvicorn_config("api.app:create_app", settings, "127.0.0.1", 0, factory=True, workers=2)
    again = pickle.loads(pickle.dumps(by_name))
    assert (again.http, again.header_timeout_s, again.workers) == (HeaderTimeoutH11Protocol, 3.5, 2)
    assert (config.host, config.port, config.timeout_keep_alive) == ("127.0.0.1", 0, 5)


# ---------------------------------------------------------------- the request body


def post_head(length: int) -> bytes:
    return (b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % length)


def test_a_body_that_stops_arriving_is_answered_408_as_a_graphql_error_and_the_connection_closed(
        live: LiveServer) -> None:
    body = json.dumps({"query": "{ fast }"}).encode()
    with connect(live) as sock:
        started = time.monotonic()
        sock.sendall(post_head(len(body)) + body[:5])  # and no more
        data, closed = read_until_closed(sock)
    assert_cut_after_the_timeout(time.monotonic() - started)
    assert closed and status_lines(data) == [b"HTTP/1.1 408 Request Timeout"], data
    message = json.loads(data.split(b"\r\n\r\n", 1)[1])["errors"][0]["message"]
    assert "did not arrive in time" in message and "Send the body at once" in message


def test_a_body_that_dribbles_in_is_answered_408_once_its_whole_time_is_up_while_others_are_served(
        live: LiveServer) -> None:
    body = json.dumps({"query": "{ fast }", "variables": {"padding": "x" * 200}}).encode()
    outcome: dict[str, Any] = {}

    def slow_upload() -> None:
        with connect(live) as sock:
            sock.sendall(post_head(len(body)))
            outcome["elapsed"] = dribble(sock, body)  # a byte every 0.2 s: never a pause over the pause limit
            outcome["data"], outcome["closed"] = read_until_closed(sock)

    uploader = threading.Thread(target=slow_upload)
    uploader.start()
    served = [ask(live, "{ fast }") for _ in range(5)]
    uploader.join(PATIENCE_S * 2)

    assert served == [{"data": {"fast": 1}}] * 5
    assert_cut_after_the_timeout(outcome["elapsed"])
    assert status_lines(outcome["data"]) == [b"HTTP/1.1 408 Request Timeout"] or not outcome["closed"], outcome


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers a request with its body (and takes part in the lifespan protocol)."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    message = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": message.get("body", b"")})


def test_a_body_that_pauses_longer_than_the_pause_limit_is_cut_before_its_whole_time_is_up(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with serving(RequestBodyLimit(echo, limit=1024, timeout_s=30.0, pause_s=TIMEOUT_S), settings=settings) as server:
        with connect(server) as sock:
            started = time.monotonic()
            sock.sendall(b"POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n12345")
            data, closed = read_until_closed(sock)
        assert_cut_after_the_timeout(time.monotonic() - started)
        assert time.monotonic() - started < 30.0 * 0.5  # the pause limit, not the whole body's 30 s
        assert closed and status_lines(data) == [b"HTTP/1.1 408 Request Timeout"], data
        assert b"at most 1 s between its parts" in data
        # a body sent at once is read and handed on whole
        answer = httpx.post(f"{server.url}/echo", content=b"hello", timeout=PATIENCE_S)
        assert (answer.status_code, answer.text) == (200, "hello")
        # and the size limit holds as before, for a chunked body too
        too_large = httpx.post(f"{server.url}/echo", content=iter([b"x" * 600, b"x" * 600]), timeout=PATIENCE_S)
        assert too_large.status_code == 413 and "larger than 1,024 bytes" in too_large.json()["detail"]


# ---------------------------------------------------------------- a client that disconnects


def start_and_leave(live: LiveServer, query: str, started: threading.Event) -> None:
    """POST `query`, wait until its resolver has begun, then close the connection without reading an answer."""
    body = json.dumps({"query": query}).encode()
    probe.requests_ended.clear()
    with connect(live) as sock:
        sock.sendall(post_head(len(body)) + body)
        assert started.wait(PATIENCE_S), "the resolver did not start"


def test_a_request_whose_client_disconnects_is_cancelled_logged_as_499_and_the_server_serves_others(
        live: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="safetynet.access")
    start_and_leave(live, "{ slow }", probe.slow_started)

    assert probe.requests_ended.wait(PATIENCE_S), "the request went on after its client had gone"
    assert (probe.slow_cancelled, probe.slow_finished) == (1, 0)
    assert ask(live, "{ fast }") == {"data": {"fast": 1}}
    access = [r.getMessage() for r in caplog.records if r.name == "safetynet.access"]
    assert access and access[0].split()[:3] == ["POST", "/graphql", "499"], access  # "client closed request"


def test_after_a_disconnect_nothing_more_is_resolved_and_the_worker_thread_is_free_once_its_call_returns(
        live: LiveServer) -> None:
    start_and_leave(live, "{ blocking { after } }", probe.blocking_started)

    # the request ends while its resolver's worker thread is still held (as by a database read) …
    assert probe.requests_ended.wait(PATIENCE_S), "the request went on after its client had gone"
    assert not probe.blocking_returned.is_set()
    assert ask(live, "{ fast }") == {"data": {"fast": 1}}  # others are served meanwhile
    # … and when the thread's call returns (a read returns by its deadline), nothing is resolved after it
    probe.blocking_release.set()
    assert probe.blocking_returned.wait(PATIENCE_S)
    assert ask(live, "{ fast }") == {"data": {"fast": 1}}
    assert probe.nested_resolved == 0


def test_a_request_whose_client_stays_is_answered_in_full(live: LiveServer) -> None:
    probe.blocking_release.set()
    assert ask(live, "{ blocking { after } }") == {"data": {"blocking": {"after": 1}}}
