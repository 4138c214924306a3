"""Fixtures shared by every test layer: the engines the tests run on, the session's Neo4j servers, and the
`engines` marker (a test that holds on some engines only)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import pytest

from graph import local_server, neo4j_embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings

# Servers the tests start are stopped, killed and hung on purpose; a supervisor (graph.supervisor) would bring
# them back. The tests of supervision turn it on for themselves (tests/integration/test_supervisor.py,
# tests/e2e/test_supervised_serve.py); every `safetynet` the tests run inherits this.
os.environ.setdefault("SAFETYNET_SUPERVISE", "false")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def _neo4j_missing() -> str | None:
    """Why the Neo4j half cannot run here (None: it can): its launcher needs a JDK and Maven."""
    if shutil.which("javac") and shutil.which("mvn"):
        return None
    return "no JDK 17 and Maven here: the Neo4j half of the integration and e2e tests is skipped " \
           "(apt-get install openjdk-17-jdk-headless maven)"


def _engines() -> list[str]:
    """The engines the tests run on: both, or as SAFETYNET_TEST_ENGINES says (e.g. `falkordb`); FalkorDB
    alone where Neo4j cannot run, except in CI, which must run both (.ci/run installs Java)."""
    chosen = os.environ.get("SAFETYNET_TEST_ENGINES")
    if chosen:
        return [name.strip() for name in chosen.split(",") if name.strip()]
    if _neo4j_missing() and os.environ.get("CI") != "true":
        return ["falkordb"]
    return ["falkordb", "neo4j"]


ENGINES = _engines()


def pytest_report_header(config: pytest.Config) -> str:
    missing = _neo4j_missing() if "neo4j" not in ENGINES and "SAFETYNET_TEST_ENGINES" not in os.environ else None
    return missing or f"engines: {', '.join(ENGINES)}"


# ---------------------------------------------------------------- engine-parametrized fixtures, `engines`

ENGINE_FIXTURES: set[str] = set()  # the fixtures parametrized over ENGINES (their param is the engine's name)
Fixture = TypeVar("Fixture", bound=Callable[..., Any])


def engine_fixture(*, scope: Literal["function", "module", "session"] = "function",
                   name: str | None = None) -> Callable[[Fixture], Fixture]:
    """A fixture run once per engine in ENGINES (`request.param` is the engine's name: its tests are
    `test_x[falkordb]` and `test_x[neo4j]`), honouring the `engines` marker of the tests that use it."""
    def decorate(function: Fixture) -> Fixture:
        ENGINE_FIXTURES.add(name or function.__name__)
        return cast(Fixture, pytest.fixture(scope=scope, params=ENGINES, name=name)(function))
    return decorate


def _engines_of(item: pytest.Item) -> set[str]:
    params: dict[str, Any] = getattr(getattr(item, "callspec", None), "params", {})
    return {str(value) for fixture, value in params.items() if fixture in ENGINE_FIXTURES}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.engines("falkordb", reason="…")`: the test is skipped on the other engines, with the
    reason. A test taking two engine fixtures runs where both are on the same engine."""
    kept, mixed = [], []
    for item in items:
        engines = _engines_of(item)
        if len(engines) > 1:
            mixed.append(item)
            continue
        kept.append(item)
        marker = item.get_closest_marker("engines")
        if marker is None or not engines:
            continue
        if not marker.kwargs.get("reason"):
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.engines(…) must say why, with reason=…")
        if not engines <= set(marker.args):
            item.add_marker(pytest.mark.skip(reason=f"not on {', '.join(sorted(engines))}: {marker.kwargs['reason']}"))
    if mixed:
        config.hook.pytest_deselected(items=mixed)
        items[:] = kept


@engine_fixture()
def engine_name(request: pytest.FixtureRequest) -> str:
    """The engine a test runs on. A test that can only hold on some engines says which and why:
    `@pytest.mark.engines("falkordb", reason="…")`; on the others it is skipped with that reason."""
    name: str = request.param
    return name


# ---------------------------------------------------------------- the session's Neo4j servers


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[neo4j_embedded.ServerInfo]:
    """A real embedded Neo4j 5.26 server on a free port, stopped at the end (`db` empties it for each test)."""
    data_dir = tmp_path_factory.mktemp("neo4j")
    info, _ = neo4j_embedded.start(data_dir)
    yield info
    neo4j_embedded.stop(data_dir)


@pytest.fixture(scope="session")
def neo4j_module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[neo4j_embedded.ServerInfo]:
    """A second embedded Neo4j server, for the graphs a whole module reads (through `module_neo4j`): `db`
    empties the first one before every test, which would take a module's graph from under it."""
    data_dir = tmp_path_factory.mktemp("neo4j-modules")
    info, _ = neo4j_embedded.start(data_dir)
    yield info
    neo4j_embedded.stop(data_dir)


class SharedNeo4j:
    """The second Neo4j server, lent to one holder at a time: a module's graph (`module_db`, `demo_db`, an
    e2e module's) or one CLI test. Modules run one after another, so holders follow each other; one that
    comes while another holds it is an error (a module must not take two of these graphs at once).

    A holder gets the server emptied: its graph (the schema applied again) and what the project keeps beside
    the database in its directory (ready-made HSDS documents, the key store). A holder that names the content
    it loads (`demo_db`: the demo city, which its tests only read) gets the graph as the previous holder left
    it when that holder loaded the same content. No holder may stop the server (`safetynet db stop`)."""

    def __init__(self, info: neo4j_embedded.ServerInfo) -> None:
        self.info = info
        self.holder: str | None = None
        self.content: str | None = None  # what the graph holds, as its loader named it; None: unknown

    @property
    def uri(self) -> str:
        return self.info.uri

    def _check_running(self, who: str) -> None:
        if neo4j_embedded.status(self.info.data_dir) is None:
            raise RuntimeError(f"the shared Neo4j server ({self.info.data_dir}) is not running after {who}: no test "
                               "may stop it (`safetynet db stop`)")

    def _empty(self, engine: GraphEngine) -> None:
        engine.write("MATCH (n) DETACH DELETE n")
        engine.ensure_schema()
        for entry in self.info.data_dir.iterdir():  # what was kept beside the database: snapshots, keys
            if entry.name not in (*local_server.FILES, neo4j_embedded.STORE):
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()

    @contextmanager
    def hold(self, who: str, *, content: str | None = None,
             load: Callable[[GraphEngine], object] | None = None) -> Iterator[GraphEngine]:
        """An engine on the emptied server (then `load`ed), for `who` until the block ends."""
        if self.holder is not None:
            raise RuntimeError(f"{who} needs the shared Neo4j server while {self.holder} holds it")
        self._check_running(f"the holder before {who}")
        self.holder = who
        engine = connect(DatabaseSettings(db=self.uri), ensure_schema=False)
        try:
            if content is None or content != self.content:
                self.content = None
                self._empty(engine)
                if load is not None:
                    load(engine)
                self.content = content
            yield engine
        except BaseException:
            self.content = None
            raise
        finally:
            engine.close()
            self.holder = None
        self._check_running(who)


@pytest.fixture(scope="session")
def module_neo4j(neo4j_module_server: neo4j_embedded.ServerInfo) -> SharedNeo4j:
    return SharedNeo4j(neo4j_module_server)


# ---------------------------------------------------------------- data


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data` beside the checkout; tests that need it skip, saying why, where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the shared data folder {SHARED_DATA} (it sits beside the checkout in CI and dev)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def hsds_examples(shared_data: Path) -> Path:
    """The official HSDS 3.0 examples: `csv/` (tabular package) and `*.json`."""
    return shared_data / "hsds-3.0" / "examples"

