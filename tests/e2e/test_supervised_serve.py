"""What the issue saw on `make demo`, tried again: the embedded FalkorDB killed (`kill -9`) or hung (SIGSTOP) under a
running `safetynet serve`. Requests answer DATABASE_UNAVAILABLE quickly during the gap, and answer again afterwards
from the same API process, which nobody restarted. And `safetynet db start` leaves a supervisor behind that
`db stop` ends."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph import local_server
from tests.e2e.cli import SAFETYNET, free_port, run_cli

DEADLINE_S, HUNG_AFTER_S = 1, 2


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    environment = {**os.environ, "NO_COLOR": "1", "SAFETYNET_DB": f"embedded://{tmp_path / 'db'}",
                   "SAFETYNET_SUPERVISE": "true", "SAFETYNET_READ_DEADLINE_S": str(DEADLINE_S),
                   "SAFETYNET_HUNG_AFTER_S": str(HUNG_AFTER_S)}
    yield environment
    state = local_server.read_state(tmp_path / "db")
    if state is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(state["pid"]), signal.SIGCONT)
    run_cli(environment, "db", "stop", check=False)


def _until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")


def _count(client: httpx.Client) -> tuple[int, Any]:
    """(HTTP status, the answer or the error codes) of `{ serviceCount }`."""
    response = client.post("/graphql", json={"query": "{ serviceCount }"})
    body = response.json()
    if body.get("errors"):
        return response.status_code, sorted({e.get("extensions", {}).get("code") for e in body["errors"]})
    return response.status_code, body["data"]["serviceCount"]


def _server_pid(data_dir: Path) -> int | None:
    state = local_server.read_state(data_dir)
    return int(state["pid"]) if state is not None else None


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    return call(), time.monotonic() - started


def test_serve_answers_unavailable_during_the_gap_and_again_after_the_engine_is_restarted(
        env: dict[str, str], tmp_path: Path) -> None:
    data_dir = tmp_path / "db"
    port = free_port()
    serve = subprocess.Popen([*SAFETYNET, "serve", "--port", str(port)], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _until(lambda: _healthy(client), 60, "serve answers /healthz")
            assert _count(client) == (200, 0)
            for freeze, why in ((signal.SIGKILL, "killed"), (signal.SIGSTOP, "hung")):
                before = _server_pid(data_dir)
                assert before is not None
                os.kill(before, freeze)
                (_, codes), took = _timed(lambda: _count(client))
                assert codes == ["DATABASE_UNAVAILABLE"], why  # a field error: HTTP 200 under application/json
                assert took < DEADLINE_S + 2.5, (why, took)  # quickly, not a request that never returns
                assert client.get("/healthz").status_code == 503
                _until(lambda gone=before: _server_pid(data_dir) not in (None, gone) and _healthy(client),
                       HUNG_AFTER_S + 30, f"the server is restarted after it was {why}")
                assert _count(client) == (200, 0)
        assert serve.poll() is None  # the same API process throughout
    finally:
        serve.send_signal(signal.SIGTERM)
        output, _ = serve.communicate(timeout=60)
    assert "supervised" in output and "restarting it" in output and "restarted in" in output
    assert _server_pid(data_dir) is None  # serve started the server, and stopped it on the way out


def _healthy(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


def test_db_start_leaves_a_supervisor_that_restarts_the_server_and_db_stop_ends_it(
        env: dict[str, str], tmp_path: Path) -> None:
    data_dir = tmp_path / "db"
    started = run_cli(env, "db", "start").stdout
    assert "supervised by pid" in started
    supervisor = int(started.split("supervised by pid ")[1].split()[0])
    assert "supervised by pid" in run_cli(env, "db", "status").stdout
    killed = _server_pid(data_dir)
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    _until(lambda: _server_pid(data_dir) not in (None, killed) and run_cli(env, "db", "status", check=False)
           .returncode == 0, 30, "the supervisor restarts the server")
    log = (data_dir / "supervisor.log").read_text(encoding="utf-8")
    assert "has exited: restarting it" in log and "restarted in" in log
    assert run_cli(env, "db", "stop").stdout.strip() == "stopped"
    _until(lambda: not local_server.alive(supervisor), 10, "the supervisor exits after db stop")
    time.sleep(HUNG_AFTER_S + 1)
    assert _server_pid(data_dir) is None  # stopped on purpose: not brought back


def _workers_of(pid: int) -> set[int]:
    """The live worker processes of `serve --workers` (`pid`'s children that multiprocessing spawned)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
    return found


def test_serve_with_two_workers_shares_one_supervised_engine(env: dict[str, str], tmp_path: Path) -> None:
    """`serve --workers 2`: two API processes on one port, one engine started and supervised by the parent; a
    killed worker is replaced, and a killed engine comes back for both."""
    data_dir = tmp_path / "db"
    port = free_port()
    serve = subprocess.Popen([*SAFETYNET, "serve", "--port", str(port), "--workers", "2"], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _until(lambda: _healthy(client), 60, "serve answers /healthz")
            _until(lambda: len(_workers_of(serve.pid)) == 2, 30, "two worker processes")
            workers = _workers_of(serve.pid)
            assert _server_pid(data_dir) not in workers  # the engine is the parent's, not a worker's
            assert _count(client) == (200, 0)
            first = next(iter(workers))
            os.kill(first, signal.SIGKILL)  # a worker dies: uvicorn starts another in its place
            _until(lambda: len(_workers_of(serve.pid) - {first}) == 2, 30, "the worker is replaced")
            engine = _server_pid(data_dir)
            assert engine is not None
            os.kill(engine, signal.SIGKILL)
            _until(lambda: _server_pid(data_dir) not in (None, engine) and _healthy(client), 30,
                   "the engine is restarted")
            assert [_count(client) for _ in range(6)] == [(200, 0)] * 6  # both workers answer again
    finally:
        serve.send_signal(signal.SIGTERM)
        output, _ = serve.communicate(timeout=60)
    assert "2 API processes" in output and serve.returncode == 0
    assert _server_pid(data_dir) is None and not _workers_of(serve.pid)
