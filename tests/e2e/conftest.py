"""End-to-end fixtures, on each engine in turn (ENGINES): `module_engine`, an empty graph for a module's live
servers (tests/e2e/server.py loads the demo city into it), and `cli_env`, the environment of a test's `safetynet`
runs, naming an empty embedded database.

FalkorDB: an embedded server of the module's (or the test's) own, in a temporary directory. Neo4j: the session's
shared server (tests/conftest.py `module_neo4j`), emptied for each module or test that takes it; starting a server
per module would cost ~10 s each. The tests on it leave it running: none runs `safetynet db stop` there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings
from tests.conftest import SharedNeo4j, engine_fixture
from tests.e2e.cli import run_cli


@engine_fixture(scope="module")
def module_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphEngine]:
    """An empty graph with the schema applied, for one module: a new embedded FalkorDB (stopped at the end),
    or the emptied shared Neo4j server. What the project keeps beside the database (snapshots, keys) lives in
    the database's directory, as in production (`graph.uri.beside_database(engine.uri, …)`)."""
    if request.param == "neo4j":
        shared: SharedNeo4j = request.getfixturevalue("module_neo4j")
        with shared.hold(f"module_engine of {request.node.nodeid}") as engine:
            yield engine
        return
    engine = connect(DatabaseSettings(db=f"embedded://{tmp_path_factory.mktemp('e2e') / 'db'}"))  # close() stops it
    try:
        yield engine
    finally:
        engine.close()


@engine_fixture()
def cli_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a test's `safetynet` runs: SAFETYNET_DB names an empty embedded database, private to
    the test (FalkorDB: `embedded://TMP/db`, stopped at the end if a command left it running; Neo4j: the shared
    server, `embedded-neo4j://DIR`, which the commands find running and leave so)."""
    base = {**os.environ, "NO_COLOR": "1"}
    if request.param == "neo4j":
        shared: SharedNeo4j = request.getfixturevalue("module_neo4j")
        with shared.hold(f"cli_env of {request.node.nodeid}"):
            yield {**base, "SAFETYNET_DB": shared.uri}
        return
    env = {**base, "SAFETYNET_DB": f"embedded://{tmp_path / 'db'}"}
    yield env
    run_cli(env, "db", "stop", check=False)  # whatever a failed test left running
