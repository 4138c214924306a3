"""Live servers for the HTTP end-to-end tests: an ASGI app under uvicorn on a free local port (in a thread
of the test process, so its logs reach pytest), and the real app over the small demo city, on each engine
in turn (the module's graph is `module_engine`, tests/e2e/conftest.py).

Test modules import the fixtures they use (`demo_api` needs `demo_engine` too):
`from tests.e2e.server import demo_api_fixture, demo_engine_fixture  # noqa: F401`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from api.app import create_app
from api.serving import uvicorn_config
from api.settings import ApiSettings
from demo.generator import generate_demo
from domain.roles import Role
from graph.connect import connect
from graph.engine import GraphEngine
from loaders.hsds import parse_hsds
from loaders.load import load_parsed
from services.keys import KeyStore

DEMO_SERVICES = 50
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:PORT

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


def bound_socket() -> socket.socket:
    """A socket bound to a free port on 127.0.0.1 (uvicorn listens on it: no race for the port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Connections accepted from a socket handed to uvicorn do not get TCP_NODELAY (uvicorn's own bind
    # sets it), so a response written as headers then body waited ~40 ms for the client's delayed ACK
    # on every keep-alive request after the first. Accepted sockets inherit it from here.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serving(app: ASGIApp, *, settings: ApiSettings | None = None) -> Iterator[LiveServer]:
    """Serve `app` with uvicorn on a free local port until the block ends (then shut it down gracefully).
    With `settings`, uvicorn is configured as `safetynet serve` configures it (`api.serving.uvicorn_config`:
    its HTTP protocol, timeouts and limits); without, with uvicorn's defaults."""
    sock = bound_socket()
    port = int(sock.getsockname()[1])
    # log_config=None: leave the test process's logging alone (records reach pytest's capture). uvicorn's
    # access log stays on, as under `safetynet serve`: the app must keep it out of the logs.
    config = (uvicorn.Config(app, log_config=None, lifespan="on") if settings is None else
              uvicorn_config(app, settings, "127.0.0.1", port, log_config=None, lifespan="on"))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise AssertionError(f"uvicorn did not start on 127.0.0.1:{port} within {START_TIMEOUT_S} s")
            time.sleep(0.02)
        yield LiveServer(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def staff_keys(root: Path) -> tuple[KeyStore, str]:
    """A key store in `root` holding one staff key, and that key."""
    store = KeyStore(root / "keys.json")
    key, _ = store.add(name="front-desk", role=Role.STAFF)
    return store, key


def load_demo(engine: GraphEngine, data: Path, *, services: int = DEMO_SERVICES) -> GraphEngine:
    """Generate the demo city into the folder `data` and load it into `engine` (returned)."""
    generate_demo(data, services=services)
    load_parsed(engine, parse_hsds(data), dataset_id="demo", path=data)
    return engine


@contextmanager
def demo_database(root: Path, *, services: int = DEMO_SERVICES) -> Iterator[GraphEngine]:
    """An embedded FalkorDB of its own under `root` holding the generated demo city; stopped at the end."""
    engine = connect(ApiSettings(db=f"embedded://{root / 'db'}"))  # starts the server; close() stops it
    try:
        yield load_demo(engine, root / "demo-data", services=services)
    finally:
        engine.close()


@pytest.fixture(scope="module", name="demo_engine")
def demo_engine_fixture(module_engine: GraphEngine, tmp_path_factory: pytest.TempPathFactory) -> GraphEngine:
    """The module's graph (`module_engine`: on each engine in turn) holding the demo city."""
    return load_demo(module_engine, tmp_path_factory.mktemp("demo-data"))


@pytest.fixture(scope="module", name="demo_api")
def demo_api_fixture(demo_engine: GraphEngine) -> Iterator[LiveServer]:
    """The real app (`api.app.create_app`) served over HTTP on the demo city."""
    with serving(create_app(engine=demo_engine)) as live:
        yield live
