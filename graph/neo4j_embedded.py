"""The embedded Neo4j server: Neo4j 5.26 Community, run by the project's launcher (graph.neo4j_launcher).

One server per data directory. Its state lives in the directory (graph.local_server):

    DIR/neo4j/           Neo4j's home: data/ (the databases and their transaction logs), logs/debug.log
    DIR/server.json      {"pid", "port", "launcher"} of the running server, so other processes reuse it
    DIR/server.password  the password of the user neo4j (random, made on the first start)
    DIR/server.log       the launcher's output: READY when Bolt is up, STOPPED, errors
    DIR/server.lock      held while starting or stopping

As the embedded FalkorDB: the server runs in its own session (`safetynet db start` leaves it running,
other commands stop what they started), it is its user's alone (DIR and `neo4j/` 0700, every file 0600,
umask 077), and it requires the password, which the launcher reads on its standard input. It speaks
Bolt only, on 127.0.0.1 and a free port; its memory is SAFETYNET_NEO4J_HEAP, _PAGECACHE,
_TRANSACTION_TOTAL and _TRANSACTION_MAX. It stops on SIGTERM after closing its databases.

A server just started runs no load, so a load lock found in its database (graph.neo4j_engine.LOCK_LABEL) was
left by a load cut short (its server killed or stopped, or its loader killed): `start` removes it before
any other process can use the server, or it would refuse every load for hours.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from graph import local_server, neo4j_launcher
from graph.errors import DatabaseUnavailable
from graph.neo4j_engine import CLEAR_LOAD_LOCKS
from graph.settings import DatabaseSettings

START_TIMEOUT_S = 180.0  # about 10 s on two busy cores; a store recovering after a crash takes longer
STOP_TIMEOUT_S = 60.0
STORE = "neo4j"
USER = "neo4j"


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    port: int
    data_dir: Path
    password: str = field(repr=False)
    launcher: str = ""  # the launcher's version (graph.neo4j_launcher.version())

    @property
    def uri(self) -> str:
        return f"embedded-neo4j://{self.data_dir}"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def driver(self, **options: Any) -> neo4j.Driver:
        """A driver of this server, authenticated as neo4j."""
        return neo4j.GraphDatabase.driver(self.bolt_uri, auth=(USER, self.password), **options)


def _answers(info: ServerInfo) -> bool:
    """True if the server at `info.port` takes the directory's password: that password is random, so a
    server that takes it serves this directory. Raises AuthError if a server there refuses it."""
    try:
        with info.driver(connection_timeout=2, connection_acquisition_timeout=5) as driver:
            driver.verify_connectivity()
    except AuthError:
        raise
    except (DriverError, Neo4jError, OSError):
        return False
    return True


def _recorded(data_dir: Path) -> ServerInfo | None:
    """The server server.json names, if its process is alive (it may not answer)."""
    state = local_server.read_state(data_dir)
    if state is None or not local_server.alive(int(state["pid"])):
        return None
    return ServerInfo(int(state["pid"]), int(state["port"]), data_dir, local_server.read_password(data_dir),
                      str(state.get("launcher", "")))


def status(data_dir: Path) -> ServerInfo | None:
    """The running server for `data_dir`, or None."""
    info = _recorded(data_dir.resolve())
    try:
        return info if info is not None and _answers(info) else None
    except AuthError:
        return None


def _tail(log_file: Path, offset: int, lines: int = 25) -> str:
    try:
        with log_file.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _wait_ready(info: ServerInfo, proc: Popen[bytes], log_file: Path, offset: int) -> None:
    """Wait for the launcher's READY line, then for Bolt to take the password."""
    ready = f"READY {info.bolt_uri}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}:\n{_tail(log_file, offset)}")
        if ready in _tail(log_file, offset) and _answers(info):
            return
        time.sleep(0.1)
    raise TimeoutError(f"the server did not start within {START_TIMEOUT_S:.0f} s:\n{_tail(log_file, offset)}")


def _clear_load_locks(info: ServerInfo) -> None:
    """Remove the load lock a load cut short left behind: no load runs in a server that has just started."""
    with info.driver(notifications_min_severity="OFF") as driver:
        driver.execute_query(CLEAR_LOAD_LOCKS)


def _launch(data_dir: Path, port: int, password: str, settings: DatabaseSettings) -> ServerInfo | str:
    """Start a server on `port` and wait until it answers, and free the load lock: its info, or why it did not
    start. Other processes find it (server.json) only then."""
    log_file = data_dir / "server.log"
    offset = log_file.stat().st_size if log_file.exists() else 0
    args = neo4j_launcher.command(
        heap=settings.neo4j_heap, home=data_dir / STORE, port=port, pagecache=settings.neo4j_pagecache,
        transaction_total=settings.neo4j_transaction_total, transaction_max=settings.neo4j_transaction_max,
    )
    proc = local_server.spawn(args, stdin=password + "\n", log_file=log_file)
    info = ServerInfo(proc.pid, port, data_dir, password, neo4j_launcher.version())
    try:
        _wait_ready(info, proc, log_file, offset)
    except (RuntimeError, TimeoutError) as exc:
        local_server.terminate(proc.pid, STOP_TIMEOUT_S)  # most likely the port was taken meanwhile
        return str(exc)
    except AuthError as exc:  # the user neo4j's password was changed by hand, through Bolt
        local_server.terminate(proc.pid, STOP_TIMEOUT_S)
        raise _refused(info, exc, f"delete {data_dir / STORE / 'data' / 'safetynet-password.sha256'} so that the "
                       "next start sets it again") from exc
    try:
        _clear_load_locks(info)
    except (DriverError, Neo4jError, OSError) as exc:  # AuthError: _wait_ready raises it first
        local_server.terminate(proc.pid, STOP_TIMEOUT_S)
        return f"the server started, but freeing the load lock failed: {exc}"
    local_server.write_state(data_dir, pid=info.pid, port=info.port, launcher=info.launcher)
    return info


def _refused(info: ServerInfo, exc: AuthError, hint: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(info.uri, f"its server (pid {info.pid}, port {info.port}) refuses the password in "
                               f"{local_server.password_file(info.data_dir)} ({exc.message})", hint)


def start(data_dir: Path, settings: DatabaseSettings | None = None) -> tuple[ServerInfo, bool]:
    """Start the server for `data_dir` unless one runs (building the launcher first if needed); returns
    (info, whether we started it). `settings` gives the memory sizes (default: from the environment)."""
    data_dir = data_dir.resolve()
    uri = f"embedded-neo4j://{data_dir}"
    with local_server.locked(data_dir):
        local_server.refuse_other_engine(data_dir, STORE)
        local_server.make_private(data_dir, STORE)
        running = _recorded(data_dir)
        if running is not None:
            try:
                if _answers(running):
                    return running, False
            except AuthError as exc:
                raise _refused(running, exc, f"put back the file the server started with, or stop the server "
                               f"(kill {running.pid}) and start it again") from exc
        try:
            neo4j_launcher.ensure_built()
        except neo4j_launcher.LauncherUnavailable as exc:
            raise DatabaseUnavailable(uri, str(exc), "install what it says, then run `safetynet db build-neo4j`; "
                                      "or use SAFETYNET_DB=embedded://PATH (FalkorDB)") from exc
        password = local_server.ensure_password(data_dir)
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between choosing and binding it
            launched = _launch(data_dir, local_server.free_port(), password, settings or DatabaseSettings())
            if isinstance(launched, ServerInfo):
                return launched, True
            last_error = launched
        raise DatabaseUnavailable(
            uri, f"could not start the embedded Neo4j server: {last_error}",
            f"check {data_dir / 'server.log'} and {data_dir / STORE / 'logs' / 'debug.log'}; make sure the "
            "directory is writable and the SAFETYNET_NEO4J_* memory sizes fit this machine",
        )


def revive(data_dir: Path, settings: DatabaseSettings | None = None) -> ServerInfo | None:
    """Bring back the server for `data_dir` after it died or stopped answering (graph.supervisor): see
    local_server.revive. Its transaction log brings back every committed write."""
    return local_server.revive(data_dir, f"embedded-neo4j://{data_dir}", status=status,
                               launch=lambda port, password: _launch(data_dir.resolve(), port, password,
                                                                     settings or DatabaseSettings()))


def stop(data_dir: Path) -> bool:
    """Stop the server for `data_dir` (SIGTERM: it closes its databases first); False if none ran."""
    data_dir = data_dir.resolve()
    with local_server.locked(data_dir):
        info = status(data_dir)
        if info is not None:
            local_server.terminate(info.pid, STOP_TIMEOUT_S)
        local_server.state_file(data_dir).unlink(missing_ok=True)  # also forgets a server that is gone
        return info is not None
