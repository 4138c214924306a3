"""Loads on the embedded Neo4j keep the promises they make on FalkorDB when things go wrong: a load whose server
is killed (kill -9 of the JVM) with its transaction open leaves the graph exactly as it was once the server is
back; the lock it left does not refuse the next load, which runs at once and is idempotent; a load that lost its
lock before writing is refused; a second load is refused at once, not after the first; a source invalid half-way
leaves the graph as it was and no lock. The module has its own server (it kills it), in a temporary directory."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import neo4j
import pytest

from graph import local_server, neo4j_embedded, neo4j_launcher
from graph.connect import connect
from graph.engine import GraphEngine, Statement
from graph.errors import Conflict
from graph.neo4j_engine import CLEAR_LOAD_LOCKS, LOAD_METADATA, LOCK_LABEL
from loaders.hsds import ParseResult, parse_hsds
from loaders.load import load_parsed, load_source
from loaders.plan import NodesReady
from loaders.report import LoadRejected
from tests.conftest import ENGINES
from tests.e2e.cli import SAFETYNET
from tests.factories import small_neo4j, small_neo4j_env
from tests.graph_snapshot import snapshot
from tests.integration.test_schema import assert_unique_clash

pytestmark = pytest.mark.skipif("neo4j" not in ENGINES, reason="a test of the Neo4j engine (SAFETYNET_TEST_ENGINES)")

DEADLINE_S = 120.0  # for what a slow, shared machine may take (a JVM's first queries, a store's recovery)


@pytest.fixture(scope="module")
def server_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The module's own server, stopped at the end whatever happens (also the one a test restarted)."""
    try:
        neo4j_launcher.ensure_built()
    except neo4j_launcher.LauncherUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))
    data_dir = tmp_path_factory.mktemp("neo4j-crash") / "db"
    try:
        _, started = neo4j_embedded.start(data_dir, small_neo4j(data_dir))
        assert started
        yield data_dir
    finally:
        neo4j_embedded.stop(data_dir)


# The demo city's core tables: each other table costs a cold Neo4j (just started, or restarted after the kill)
# a few more statements to plan and compile, seconds on a busy machine, and the tests need none of them.
CORE_TABLES = {"organizations.csv", "programs.csv", "services.csv", "locations.csv", "addresses.csv",
               "service_at_location.csv", "taxonomies.csv", "taxonomy_terms.csv", "attributes.csv"}


@pytest.fixture(scope="module")
def cities(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two demo cities as HSDS packages of the core tables: a small one, and a bigger one (other seed, other
    ids)."""
    from demo.generator import generate_demo

    out = tmp_path_factory.mktemp("cities")
    for name, services, seed in (("small", 40, 11), ("big", 160, 12)):
        generate_demo(out / name, services=services, seed=seed)
        for table in (out / name).glob("*.csv"):
            if table.name not in CORE_TABLES:
                table.unlink()
    return out / "small", out / "big"


@pytest.fixture
def graph(server_dir: Path) -> Iterator[GraphEngine]:
    """An empty graph with the schema applied, on the module's server (started again if a test left it down)."""
    engine = connect(small_neo4j(server_dir), ensure_schema=False)
    engine.write("MATCH (n) DETACH DELETE n")
    engine.ensure_schema()
    yield engine
    engine.close()



def _server(data_dir: Path) -> neo4j_embedded.ServerInfo:
    info = neo4j_embedded.status(data_dir)
    assert info is not None, "the module's server is not running"
    return info


def _everything(db: GraphEngine) -> tuple[list[str], list[str], list[str]]:
    """The whole graph, exactly: every node and relationship with all its properties (the clock readings and
    load ids too, unlike tests.graph_snapshot.snapshot), and the names of the indexes (the constraints' too)."""
    nodes, rels = (sorted(json.dumps(row, sort_keys=True, default=str) for row in db.read(query)) for query in (
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props",
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, labels(a) AS fromLabels, a.id AS from, labels(b) AS toLabels, "
        "b.id AS to, properties(r) AS props",
    ))
    schema = sorted(row["name"] for row in db.read("SHOW INDEXES YIELD name RETURN name"))
    return nodes, rels, schema


def _locks(db: GraphEngine) -> list[dict[str, Any]]:
    return db.read(f"MATCH (l:{LOCK_LABEL}) RETURN properties(l) AS lock")


def _load_transactions(driver: neo4j.Driver) -> list[dict[str, Any]]:
    """The loads' transactions open on the server (write_atomic marks them with LOAD_METADATA)."""
    records, _, _ = driver.execute_query(
        "SHOW TRANSACTIONS YIELD transactionId, metaData, status, currentQuery "
        f"WHERE metaData.{LOAD_METADATA} = 'load' RETURN transactionId, status, currentQuery")
    return [record.data() for record in records]


def _wait_until_blocked(driver: neo4j.Driver, blocker_id: str, gone: Callable[[], str | None]) -> dict[str, Any]:
    """Poll until a load's transaction is open and waits for the blocker's lock (so it cannot end before the
    test lets it); `gone()` says why the load ended meanwhile (it should not), or None."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        for txn in _load_transactions(driver):
            if txn["status"].startswith("Blocked by") and blocker_id in txn["status"]:
                return txn
        if (why := gone()) is not None:
            pytest.fail(f"the load ended before its transaction was seen waiting: {why}")
        time.sleep(0.1)
    pytest.fail(f"no load transaction waited for {blocker_id} within {DEADLINE_S:.0f} s: {_load_transactions(driver)}")


@contextlib.contextmanager
def _holding(driver: neo4j.Driver, query: str) -> Iterator[str]:
    """An open transaction that ran `query` (write-locking what it SETs) until the block ends: its id. It is
    rolled back at the end (or dies with the server)."""
    with driver.session() as session:
        tx = session.begin_transaction(metadata={"test": "blocker"})
        try:
            tx.run(query).consume()
            (record,) = tx.run("SHOW TRANSACTIONS YIELD transactionId, metaData WHERE metaData.test = 'blocker' "
                               "RETURN transactionId").fetch(1)
            yield str(record["transactionId"])
        finally:
            with contextlib.suppress(neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError):
                tx.close()


def _cli_load(data_dir: Path, source: Path, log: Path) -> subprocess.Popen[bytes]:
    """The real CLI in a child process: `safetynet load hsds SOURCE --replace --dataset-id demo`, which finds the
    running server (server.json) and shares it. Its output goes to `log` (no pipe to fill up)."""
    with log.open("wb") as output:
        return subprocess.Popen([*SAFETYNET, "load", "hsds", str(source), "--replace", "--dataset-id", "demo"],
                                env=small_neo4j_env(data_dir), stdout=output, stderr=subprocess.STDOUT)


def _finished(loader: subprocess.Popen[bytes], log: Path) -> tuple[int, str]:
    """Wait for a CLI load (killing it if it overruns the deadline): its exit code and output."""
    try:
        code = loader.wait(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        loader.kill()
        loader.wait()
        pytest.fail(f"the load did not end within {DEADLINE_S:.0f} s:\n{log.read_text(errors='replace')}")
    return code, log.read_text(errors="replace")


def _load_again(data_dir: Path, source: Path, log: Path) -> None:
    code, output = _finished(_cli_load(data_dir, source, log), log)
    assert code == 0, output


def test_a_load_refused_by_a_held_lock_is_told_when_it_expires_and_what_to_do(graph: GraphEngine) -> None:
    expires = graph.write(f"CREATE (l:{LOCK_LABEL} {{id: 'load', token: 'another-load'}}) "
                          "SET l.expires = timestamp() + 3600 * 1000 RETURN l.expires AS expires")[0]["expires"]
    with pytest.raises(Conflict) as refused:
        graph.write_atomic([("CREATE (:Service {id: 'refused'})", {})])
    message = str(refused.value)
    assert "another load into the Neo4j database at embedded-neo4j://" in message
    assert f"expires at {datetime.fromtimestamp(expires / 1000, UTC):%Y-%m-%d %H:%M} UTC" in message
    assert "`safetynet db stop`, then `safetynet db start`" in message
    assert graph.read("MATCH (s:Service) RETURN s.id AS id") == []
    assert [lock["lock"]["token"] for lock in _locks(graph)] == ["another-load"]  # not released by the refused
    # an expired lock is free
    graph.write(f"MATCH (l:{LOCK_LABEL}) SET l.expires = timestamp() - 1")
    graph.write_atomic([("CREATE (:Service {id: 'after'})", {})])
    assert graph.read("MATCH (s:Service) RETURN s.id AS id") == [{"id": "after"}] and not _locks(graph)


@pytest.mark.parametrize("lost", ["cleared by a server start", "expired and taken by another load"])
def test_a_load_that_lost_its_lock_before_writing_is_refused_and_writes_nothing(graph: GraphEngine, lost: str) -> None:
    def statements() -> Iterator[Statement]:
        # built under the lock, before the transaction opens: meanwhile the lock goes
        if lost.startswith("cleared"):
            graph.write(CLEAR_LOAD_LOCKS)
        else:
            graph.write(f"MATCH (l:{LOCK_LABEL}) SET l.token = 'another-load', l.expires = timestamp() + 60000")
        yield "CREATE (:Service {id: 'late'})", {}

    with pytest.raises(Conflict, match="this load lost its lock .* nothing was written; load again"):
        graph.write_atomic(statements())
    assert graph.read("MATCH (s:Service) RETURN s.id AS id") == []
    assert [lock["lock"]["token"] for lock in _locks(graph)] == ([] if lost.startswith("cleared") else ["another-load"])


def test_a_second_load_is_refused_at_once_while_the_first_is_writing(graph: GraphEngine, server_dir: Path) -> None:
    """The first load's transaction holds the lock node's write lock (its check): the second must not wait
    for it to end to be refused."""
    graph.write("CREATE (:Probe {id: 'held'})")
    second = connect(small_neo4j(server_dir), ensure_schema=False)
    outcomes: dict[str, BaseException | None] = {}

    def load(name: str, db: GraphEngine, statements: list[Statement]) -> None:
        try:
            db.write_atomic(statements)
            outcomes[name] = None
        except BaseException as exc:  # noqa: BLE001 - the test's thread looks at it
            outcomes[name] = exc

    first = threading.Thread(target=load, daemon=True, args=("first", graph, [
        ("MATCH (p:Probe {id: 'held'}) SET p.touched = true", {}), ("CREATE (:Service {id: 'first'})", {})]))
    try:
        with _server(server_dir).driver(notifications_min_severity="OFF") as driver, \
                _holding(driver, "MATCH (p:Probe {id: 'held'}) SET p.heldByTest = true") as blocker:
            first.start()
            _wait_until_blocked(driver, blocker, lambda: repr(outcomes.get("first")) if "first" in outcomes else None)
            refused = threading.Thread(target=load, daemon=True, args=(
                "second", second, [("CREATE (:Service {id: 'second'})", {})]))
            refused.start()
            refused.join(DEADLINE_S)
            assert not refused.is_alive(), "the second load waited for the first instead of being refused"
            assert isinstance(outcomes["second"], Conflict) and "another load" in str(outcomes["second"])
        first.join(DEADLINE_S)  # the blocker rolled back: the first load goes on
        assert not first.is_alive() and outcomes["first"] is None
    finally:
        second.close()
    assert graph.read("MATCH (s:Service) RETURN s.id AS id") == [{"id": "first"}] and not _locks(graph)


def _broken_copy(source: Path, tmp_path: Path) -> Path:
    """`source` with its last service's organization unknown: the error shows only once all is read."""
    broken = tmp_path / "broken"
    shutil.copytree(source, broken)
    services = broken / "services.csv"
    with services.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[-1]["organization_id"] = "no-such-org"
    with services.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return broken


def test_a_source_invalid_half_way_or_a_statement_failing_leaves_the_graph_as_it_was_and_no_lock(
    graph: GraphEngine, cities: tuple[Path, Path], tmp_path: Path,
) -> None:
    small, big = cities
    load_parsed(graph, parse_hsds(small), dataset_id="demo", path=small)
    before = _everything(graph)
    broken = _broken_copy(big, tmp_path)
    handed_over: list[str] = []

    def parse(on_nodes: NodesReady | None) -> ParseResult:
        def note(label: str, nodes: Any) -> None:
            handed_over.append(label)
            assert on_nodes is not None
            on_nodes(label, nodes)
        return parse_hsds(broken, on_nodes=note)

    with pytest.raises(LoadRejected) as rejected:
        load_source(graph, parse, dataset_id="demo", path=broken, replace=True)
    assert any("no organization with id 'no-such-org'" in str(p) for p in rejected.value.report.errors)
    assert "Service" in handed_over  # its statements were built under the lock, then dropped
    assert _everything(graph) == before and not _locks(graph)

    # a statement the database refuses half-way through the transaction
    with pytest.raises(Conflict) as caught:
        graph.write_atomic([("MATCH (n) DETACH DELETE n", {}), ("CREATE (:Service {id: 'twice'})", {}),
                            ("CREATE (:Service {id: 'twice'})", {})])
    assert_unique_clash(caught, graph, "Service", "twice")
    assert _everything(graph) == before and not _locks(graph)


def test_a_load_killed_with_its_server_leaves_the_graph_as_it_was_and_its_lock_does_not_refuse_the_next(
    graph: GraphEngine, server_dir: Path, cities: tuple[Path, Path], tmp_path: Path,
) -> None:
    small, big = cities
    load_parsed(graph, parse_hsds(small), dataset_id="demo", path=small)
    before = _everything(graph)
    assert len(before[0]) > 200 and len(before[1]) > 200 and not _locks(graph)
    info = _server(server_dir)

    log = tmp_path / "killed-load.log"
    # The replace first rewrites the dataset's nodes and relationships, then sweeps out what the new load does
    # not have (the Dataset node too): holding that node, the test keeps the load's transaction open, with
    # most of the load written in it, for as long as it takes to see it and kill the server.
    with info.driver(notifications_min_severity="OFF") as driver, \
            _holding(driver, "MATCH (d:Dataset {id: 'demo'}) SET d.heldByTest = true") as blocker:
        loader = _cli_load(server_dir, big, log)
        try:
            txn = _wait_until_blocked(driver, blocker, lambda: None if loader.poll() is None else log.read_text())
            (lock,) = _locks(graph)  # committed, as a load's lock is: the kill leaves it behind
            assert lock["lock"]["expires"] > time.time() * 1000
            assert LOCK_LABEL not in txn["currentQuery"]  # past the lock check, writing
            os.kill(info.pid, signal.SIGKILL)
            local_server.wait_exit(info.pid, time.monotonic() + DEADLINE_S)
            assert not local_server.alive(info.pid)
            code, output = _finished(loader, log)
        finally:
            if loader.poll() is None:
                loader.kill()
                loader.wait()
    graph.close()
    # the loader says the database went away and that nothing was written; no traceback
    assert code == 2, output
    assert "Traceback" not in output
    message = " ".join(output.split())
    assert f"Cannot reach the graph database at embedded-neo4j://{server_dir}" in message
    assert "none of it was written" in message

    restarted, started = neo4j_embedded.start(server_dir, small_neo4j(server_dir))
    assert started and restarted.pid != info.pid
    db = connect(small_neo4j(server_dir), ensure_schema=False)
    try:
        assert not _locks(db), "the killed load's lock outlived the restart: it would refuse loads for hours"
        assert _everything(db) == before  # all or nothing: nothing of the killed load

        # the next load is not refused by the dead load's lock: it runs at once, and once more to the same graph
        _load_again(server_dir, big, tmp_path / "again.log")
        loaded = snapshot(db)
        assert db.read("MATCH (s:Service) RETURN count(s) AS n") == [{"n": 160}]
        load_source(db, lambda on_nodes: parse_hsds(big, on_nodes=on_nodes), dataset_id="demo", path=big,
                    replace=True)
        assert snapshot(db) == loaded
        assert not _locks(db)
    finally:
        db.close()
