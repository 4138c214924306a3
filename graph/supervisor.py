"""Keep an embedded server running: restart it when it dies or stops answering.

A directory API runs for years on one small server that nobody watches at night. The embedded engines are
processes of their own, so the kernel's OOM killer, a crash or a FalkorDB deadlock (graph.watchdog) can take
the database away from a healthy API. The process that serves the API (`safetynet serve`, `demo`), or the one
`safetynet db start` leaves behind (`db supervise`), checks the server every second: its process is alive
and it answers a health probe (FalkorDB: PING; Neo4j: the Bolt handshake, which a stopped or wedged JVM does
not complete) within a few seconds. A server whose process is gone is started again at once; one that has not
answered for `hung_after_s` is killed and started again; both on the same port and data, so the API's
connections find it where they were, with a log line each time and a growing pause between attempts that
fail. Meanwhile requests fail fast with DATABASE_UNAVAILABLE (connections are refused, or a read passes its
deadline), and answer again afterwards without restarting the API.

One supervisor per data directory: it holds DIR/supervisor.lock, so a `serve` on a server that `db start`
supervises leaves the job to it. A server stopped on purpose (`safetynet db stop`, which forgets it) is not
brought back: a detached supervisor then exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph import embedded, local_server, neo4j_embedded
from graph.errors import DatabaseUnavailable
from graph.settings import DatabaseSettings

Kind = Literal["embedded", "embedded-neo4j"]
Health = Literal["ok", "stopped", "gone", "silent"]

PROBE_TIMEOUT_S: Final = 3.0
BACKOFF_S: Final = (1.0, 2.0, 5.0, 10.0, 30.0)  # between restarts that fail, then every 30 s
LOCK_FILE: Final = "supervisor.lock"
_BOLT_HANDSHAKE: Final = b"\x60\x60\xb0\x17" + struct.pack(">4I", 0x00000505, 0x00000404, 0, 0)

log = logging.getLogger(__name__)


def _probe_falkordb(port: int, password: str) -> bool:
    client = redis.Redis(host="127.0.0.1", port=port, password=password or None, socket_timeout=PROBE_TIMEOUT_S,
                         socket_connect_timeout=PROBE_TIMEOUT_S, retry=Retry(NoBackoff(), 0))
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _probe_bolt(port: int, _password: str) -> bool:
    """The Bolt handshake: the server picks a protocol version. Cheap, needs no login, and a JVM that is stopped
    or wedged never answers it (the kernel would still accept the TCP connection)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT_S) as sock:
            sock.sendall(_BOLT_HANDSHAKE)
            return len(sock.recv(4)) == 4
    except OSError:
        return False


class Supervisor:
    """`start()` supervises in a background thread (False if another process already supervises the directory);
    `run()` supervises in the calling thread until the server is stopped on purpose (`db supervise`)."""

    def __init__(self, kind: Kind, data_dir: Path, settings: DatabaseSettings, *, check_every_s: float = 1.0,
                 on_restart: Callable[[], None] | None = None) -> None:
        self.kind, self.data_dir, self.settings = kind, data_dir.resolve(), settings
        self.check_every_s, self.hung_after_s = check_every_s, settings.hung_after_s
        self.on_restart = on_restart
        self.restarts = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_fd: int | None = None
        self._probe = _probe_bolt if kind == "embedded-neo4j" else _probe_falkordb

    # --- one supervisor per directory -------------------------------------------------------------

    def _take_lock(self) -> bool:
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.data_dir / LOCK_FILE, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd
        return True

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    # --- running ----------------------------------------------------------------------------------

    def start(self) -> bool:
        if not self._take_lock():
            return False
        self._thread = threading.Thread(target=self._loop, args=(False,), name="db-supervisor", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._release_lock()

    def run(self) -> bool:
        """Supervise until the server is stopped on purpose; False at once if another process supervises."""
        if not self._take_lock():
            return False
        try:
            self._loop(True)
        finally:
            self._release_lock()
        return True

    def _loop(self, until_stopped: bool) -> None:
        silent_since: float | None = None
        failures = 0
        while not self._stop.wait(self.check_every_s):
            health = self.health()
            if health == "stopped":
                silent_since = None
                if until_stopped:
                    log.info("%s: the server was stopped on purpose; the supervisor stops too", self.data_dir)
                    return
                continue
            if health == "ok":
                silent_since, failures = None, 0
                continue
            if health == "silent":
                now = time.monotonic()
                silent_since = silent_since or now
                if now - silent_since < self.hung_after_s:
                    continue
                why = f"has not answered for {now - silent_since:.0f} s"
            else:
                why = "has exited"
            if self._restart(why):
                silent_since, failures = None, 0
            else:
                failures += 1
                self._stop.wait(BACKOFF_S[min(failures, len(BACKOFF_S)) - 1])

    def health(self) -> Health:
        state = local_server.read_state(self.data_dir)
        if state is None:
            return "stopped"
        if not local_server.alive(int(state["pid"])):
            return "gone"
        password = local_server.read_password(self.data_dir) if self.kind == "embedded" else ""
        return "ok" if self._probe(int(state["port"]), password) else "silent"

    def _restart(self, why: str) -> bool:
        """Bring the server back; whether it answers now (True also when it was stopped on purpose meanwhile)."""
        started = time.monotonic()
        log.warning("embedded database %s %s: restarting it", self.data_dir, why)
        try:
            info = (neo4j_embedded.revive(self.data_dir, self.settings) if self.kind == "embedded-neo4j"
                    else embedded.revive(self.data_dir))
        except (DatabaseUnavailable, OSError, RuntimeError, TimeoutError) as exc:
            log.error("embedded database %s could not be restarted (%s); trying again", self.data_dir, exc)
            return False
        if info is None:
            return True
        self.restarts += 1
        log.warning("embedded database %s restarted in %.1f s (pid %s, port %s)", self.data_dir,
                    time.monotonic() - started, info.pid, info.port)
        if self.on_restart is not None:
            with contextlib.suppress(Exception):
                self.on_restart()
        return True


def supervising(kind: str, data_dir: Path | None, settings: DatabaseSettings) -> Supervisor | None:
    """A started supervisor for an embedded database (None for a server elsewhere, when settings turn it off,
    or when another process supervises the directory already)."""
    if not settings.supervise or data_dir is None or kind not in ("embedded", "embedded-neo4j"):
        return None
    supervisor = Supervisor("embedded-neo4j" if kind == "embedded-neo4j" else "embedded", data_dir, settings)
    return supervisor if supervisor.start() else None


def supervisor_pid(data_dir: Path) -> int | None:
    """The pid of the process supervising `data_dir`'s server, or None when none does."""
    path = data_dir.resolve() / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:  # held: someone supervises
            text = path.read_text(encoding="utf-8").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
