"""The embedded server supervised (graph.supervisor), and every read with a deadline, against real servers that are
really killed (SIGKILL, as the OOM killer or a crash would) or hung (SIGSTOP: the process answers nothing, as a
deadlocked FalkorDB or a wedged JVM does). The engine the API holds is never replaced: it answers
DATABASE_UNAVAILABLE quickly during the gap and the same data afterwards."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import embedded, local_server, neo4j_embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.errors import DatabaseUnavailable
from graph.settings import DatabaseSettings
from graph.supervisor import Supervisor, supervising, supervisor_pid

DEADLINE_S = 1.0
HUNG_AFTER_S = 2.0
QUERY = "MATCH (n:Organization) RETURN n.id AS id ORDER BY id"


def _settings(uri: str) -> DatabaseSettings:
    return DatabaseSettings(db=uri, supervise=True, read_deadline_s=DEADLINE_S, hung_after_s=HUNG_AFTER_S,
                            neo4j_heap="1g", neo4j_pagecache="64m", neo4j_transaction_total="512m",
                            neo4j_transaction_max="512m")


def _pid(data_dir: Path) -> int:
    state = local_server.read_state(data_dir)
    assert state is not None
    return int(state["pid"])


def _until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with_value = check()
        if with_value:
            return with_value
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")


def _answers(db: GraphEngine) -> list[str] | None:
    try:
        return [row["id"] for row in db.read(QUERY)]
    except DatabaseUnavailable:
        return None


def _unavailable_quickly(db: GraphEngine) -> float:
    """A read fails with DatabaseUnavailable, not a hang: how long it took."""
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable):
        db.read(QUERY)
    return time.monotonic() - started


@pytest.fixture
def falkordb(tmp_path: Path) -> Iterator[tuple[GraphEngine, Path]]:
    data_dir = (tmp_path / "db").resolve()
    db = connect(_settings(f"embedded://{data_dir}"))
    db.write("CREATE (:Organization {id: 'org-1'}), (:Organization {id: 'org-2'})")
    yield db, data_dir
    with_pid = local_server.read_state(data_dir)
    if with_pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(with_pid["pid"]), signal.SIGCONT)
    db.close()
    embedded.stop(data_dir)


def test_a_killed_falkordb_is_restarted_and_the_same_engine_answers_again(
        falkordb: tuple[GraphEngine, Path], caplog: pytest.LogCaptureFixture) -> None:
    db, data_dir = falkordb
    supervisor = supervising("embedded", data_dir, _settings(f"embedded://{data_dir}"))
    assert supervisor is not None and supervisor_pid(data_dir) == os.getpid()
    try:
        state = local_server.read_state(data_dir)
        assert state is not None
        before, port = int(state["pid"]), int(state["port"])
        with caplog.at_level(logging.WARNING, logger="graph.supervisor"):
            os.kill(before, signal.SIGKILL)
            assert _unavailable_quickly(db) < 2.0  # refused, not waited on
            assert _until(lambda: _answers(db), 20, "the server answers again") == ["org-1", "org-2"]
            _until(lambda: supervisor.restarts == 1, 10, "the restart is recorded")  # its state is written last
        after = local_server.read_state(data_dir)
        assert after is not None and int(after["pid"]) != before and int(after["port"]) == port
        assert any("has exited: restarting it" in r.message for r in caplog.records)
        assert any("restarted in" in r.message for r in caplog.records)
    finally:
        supervisor.stop()
    assert supervisor_pid(data_dir) is None


def test_a_hung_falkordb_gives_unavailable_by_the_deadline_then_is_restarted(
        falkordb: tuple[GraphEngine, Path]) -> None:
    db, data_dir = falkordb
    supervisor = supervising("embedded", data_dir, _settings(f"embedded://{data_dir}"))
    assert supervisor is not None
    try:
        hung = _pid(data_dir)
        os.kill(hung, signal.SIGSTOP)
        took = _unavailable_quickly(db)
        assert DEADLINE_S <= took < DEADLINE_S + 2.5, took  # past the deadline (and its second), not for ever
        assert _until(lambda: _answers(db), HUNG_AFTER_S + 25, "the hung server is restarted") == ["org-1", "org-2"]
        _until(lambda: supervisor.restarts == 1, 10, "the restart is recorded")
        assert _pid(data_dir) != hung and not local_server.alive(hung)
    finally:
        supervisor.stop()


def test_a_server_stopped_on_purpose_stays_stopped_and_one_supervisor_per_directory(
        falkordb: tuple[GraphEngine, Path]) -> None:
    db, data_dir = falkordb
    settings = _settings(f"embedded://{data_dir}")
    supervisor = supervising("embedded", data_dir, settings)
    assert supervisor is not None
    try:
        assert supervising("embedded", data_dir, settings) is None  # the directory is taken
        assert not Supervisor("embedded", data_dir, settings).start()
        assert supervisor.health() == "ok"
        assert embedded.stop(data_dir)
        assert supervisor.health() == "stopped"
        time.sleep(HUNG_AFTER_S + 1.5)
        assert local_server.read_state(data_dir) is None and supervisor.restarts == 0
        assert _unavailable_quickly(db) < 2.0
    finally:
        supervisor.stop()


def test_a_long_read_is_given_up_at_its_deadline_by_the_server_too(falkordb: tuple[GraphEngine, Path]) -> None:
    db, _ = falkordb
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="read deadline"):
        db.read("UNWIND range(1, 300000000) AS x WITH x WHERE x % 7 = 0 RETURN count(x) AS n")
    assert time.monotonic() - started < DEADLINE_S + 1.5
    assert _answers(db) == ["org-1", "org-2"]  # the server is free again: it stopped that read


@pytest.mark.engines("neo4j", reason="the embedded Neo4j's own server (the tests above are FalkorDB's)")
def test_a_hung_then_killed_embedded_neo4j_is_restarted_each_time(engine_name: str, tmp_path: Path) -> None:
    data_dir = (tmp_path / "neo4j").resolve()
    settings = _settings(f"embedded-neo4j://{data_dir}")
    db = connect(settings)
    supervisor = None
    try:
        db.write("CREATE (:Organization {id: 'org-1'}), (:Organization {id: 'org-2'})")
        supervisor = supervising("embedded-neo4j", data_dir, settings)
        assert supervisor is not None and supervisor.health() == "ok"
        hung = _pid(data_dir)
        os.kill(hung, signal.SIGSTOP)
        took = _unavailable_quickly(db)
        assert DEADLINE_S <= took < DEADLINE_S + 2.5, took
        assert _until(lambda: _answers(db), HUNG_AFTER_S + 90, "the hung Neo4j is restarted") == ["org-1", "org-2"]
        _until(lambda: supervisor.restarts == 1, 10, "the restart is recorded")  # its state written last
        killed = _pid(data_dir)
        assert killed != hung
        os.kill(killed, signal.SIGKILL)
        assert _unavailable_quickly(db) < DEADLINE_S + 2.5
        assert _until(lambda: _answers(db), 90, "the killed Neo4j is restarted") == ["org-1", "org-2"]
        _until(lambda: supervisor.restarts == 2, 10, "the second restart is recorded")
        assert _pid(data_dir) not in (hung, killed)
    finally:
        if supervisor is not None:
            supervisor.stop()
        state = local_server.read_state(data_dir)
        if state is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(state["pid"]), signal.SIGCONT)
        db.close()
        neo4j_embedded.stop(data_dir)


def test_rest_routes_answer_503_with_retry_after_while_the_database_is_away(
        falkordb: tuple[GraphEngine, Path]) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings

    db, data_dir = falkordb
    settings = ApiSettings(**_settings(f"embedded://{data_dir}").model_dump())  # the database's, as the API's
    with TestClient(create_app(settings, engine=db)) as client:
        assert client.get("/hsds/services/org-1").status_code == 404  # up: an unknown service
        assert embedded.stop(data_dir)
        for path in ("/hsds/services/org-1", "/hsds/services?page=1", "/hsds/organizations"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert response.headers["retry-after"] == "5" and "try again" in response.json()["detail"]
            assert str(data_dir) not in response.text  # where the database lives stays in the log
        graphql = client.post("/graphql", json={"query": "{ serviceCount }"}).json()
        assert [e["extensions"]["code"] for e in graphql["errors"]] == ["DATABASE_UNAVAILABLE"]


def test_a_load_killed_with_its_server_leaves_no_lock_or_staging_copy_behind(
        falkordb: tuple[GraphEngine, Path]) -> None:
    """Found by bench/soak.py: the engine killed mid-load came back with the load's lock (it is in the append-only
    file), and refused every load for the lock's six hours."""
    from loaders.load import load_parsed
    from tests.factories import ReadyPlan, small_plan

    db, data_dir = falkordb
    info = embedded.status(data_dir)
    assert info is not None
    client = info.client()
    client.set(f"{embedded.LOAD_LOCK_PREFIX}safetynet", "a-load-that-died", ex=6 * 3600)
    client.execute_command("GRAPH.QUERY", f"safetynet{embedded.STAGING_MARK}0123456789ab", "CREATE (:Service)")
    client.close()
    time.sleep(1.5)  # the append-only file is written every second
    os.kill(info.pid, signal.SIGKILL)
    revived = embedded.revive(data_dir)
    assert revived is not None and revived.pid != info.pid
    client = revived.client()
    try:
        assert not list(client.scan_iter(match=f"{embedded.LOAD_LOCK_PREFIX}*"))
        assert [g for g in client.execute_command("GRAPH.LIST") if embedded.STAGING_MARK.encode() in g] == []
    finally:
        client.close()
    load_parsed(db, ReadyPlan(small_plan(services=2)), dataset_id="after", path=Path("memory"))
    assert len(db.read("MATCH (s:Service) RETURN s.id AS id")) == 2
