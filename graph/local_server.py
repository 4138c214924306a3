"""What the embedded servers (FalkorDB: graph.embedded, Neo4j: graph.neo4j_embedded) share.

Each keeps its state in its data directory DIR, private to the user who runs it (DIR and the server's
folder 0700, every file 0600):

    DIR/server.json      {"pid", "port", …} of the running server, so other processes reuse it
    DIR/server.password  the password the server requires (random, made on the first start)
    DIR/server.log       the server's log
    DIR/server.lock      held while starting or stopping, so two processes never start two servers

A server runs in its own session (it outlives the process that started it), under umask 077, and
reads its password on its standard input (so it shows neither in `ps` nor in its environment).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from graph.errors import DatabaseUnavailable

FILES = ("server.json", "server.log", "server.lock", "server.password")
# Each engine's own folder in DIR, and the scheme of its URI: one directory holds one engine's data.
STORES = {"falkordb": "embedded", "neo4j": "embedded-neo4j"}
log = logging.getLogger(__name__)
_children: dict[int, subprocess.Popen[bytes]] = {}  # servers this process spawned, to reap them


def state_file(data_dir: Path) -> Path:
    return data_dir / "server.json"


def password_file(data_dir: Path) -> Path:
    return data_dir / "server.password"


def write_private(path: Path, text: str) -> None:
    """Write `path` readable and writable by this user only (mode 0600, whatever it was before), whole or not at
    all: a reader (`db status`, a supervisor) never sees it empty or half written (a new file renamed over it)."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
        os.replace(part, path)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise


def read_state(data_dir: Path) -> dict[str, Any] | None:
    """server.json's content (`pid` and `port` at least), or None if there is none or it is broken."""
    try:
        state = json.loads(state_file(data_dir).read_text())
        int(state["pid"]), int(state["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if isinstance(state, dict) else None


def write_state(data_dir: Path, **state: Any) -> None:
    write_private(state_file(data_dir), json.dumps(state))


def read_password(data_dir: Path) -> str:
    try:
        return password_file(data_dir).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def ensure_password(data_dir: Path) -> str:
    """The directory's password, made now if it has none (a new directory, or one from before passwords)."""
    password = read_password(data_dir)
    if not password:
        password = secrets.token_urlsafe(32)
        write_private(password_file(data_dir), password + "\n")
    return password


def make_private(data_dir: Path, store: str) -> None:
    """Modes 0700 for the directory and its server's folder `store`, 0600 for the server's files: a directory
    made before this was enforced (0755 and 0644 under the usual umask) is put right on each start.
    A directory of another user's that this one may only write to is left as it is, with a warning."""
    folder = data_dir / store
    try:
        data_dir.chmod(0o700)
        for name in FILES:
            with contextlib.suppress(FileNotFoundError):
                (data_dir / name).chmod(0o600)
        if folder.is_dir():
            folder.chmod(0o700)
            for root, dirs, files in os.walk(folder):
                for name in dirs:
                    os.chmod(os.path.join(root, name), 0o700)
                for name in files:
                    os.chmod(os.path.join(root, name), 0o600)
    except OSError as exc:
        log.warning("cannot make %s private to this user (%s): other local users may read its data", data_dir, exc)


def refuse_other_engine(data_dir: Path, store: str) -> None:
    """Raise if `data_dir` holds another engine's database: the two servers would share server.json."""
    for other, scheme in STORES.items():
        if other != store and (data_dir / other).is_dir():
            raise DatabaseUnavailable(
                f"{STORES[store]}://{data_dir}", f"the directory holds a database of {scheme}:// ({data_dir / other})",
                f"use another directory, e.g. {STORES[store]}://{data_dir}-{store}",
            )


@contextlib.contextmanager
def locked(data_dir: Path, name: str = "server.lock") -> Iterator[None]:
    """Hold DIR/server.lock (made with DIR, both private, if missing) while starting or stopping."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(data_dir / name, os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(args: list[str], *, stdin: str, log_file: Path | None = None) -> subprocess.Popen[bytes]:
    """Start a server in its own session under umask 077, `stdin` written to it and closed; its output
    appended to `log_file` (a private file) or dropped."""
    output = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) if log_file else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=output, stderr=output,
                                start_new_session=True, umask=0o077)
    finally:
        if log_file:
            os.close(output)
    _children[proc.pid] = proc
    assert proc.stdin is not None
    with contextlib.suppress(BrokenPipeError), proc.stdin:  # it read all of it, or it has exited
        proc.stdin.write(stdin.encode())
    return proc


def alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """True for a process that has exited but is not reaped yet: a server that another process started
    (its parent, which reaps it) and this one stopped. Linux only; elsewhere False."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def wait_exit(pid: int, deadline: float) -> None:
    child = _children.get(pid)
    while time.monotonic() < deadline:
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.05)
        if not alive(pid):
            _children.pop(pid, None)
            return
        time.sleep(0.05)


def terminate(pid: int, timeout: float) -> None:
    """SIGTERM, and SIGKILL if the process has not exited within `timeout` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    wait_exit(pid, time.monotonic() + timeout)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_exit(pid, time.monotonic() + 5)


Info = TypeVar("Info")


def revive(data_dir: Path, uri: str, *, status: Callable[[Path], Info | None],
           launch: Callable[[int, str], Info | str], forget: Callable[[int], None] | None = None) -> Info | None:
    """Bring back the server for `data_dir` after it died or stopped answering (graph.supervisor), for either
    engine: killed if it is still there (SIGKILL: a hung FalkorDB or a stopped JVM takes nothing else), then
    started again by `launch(port, password)` on its port, so every connection string stays valid (another port
    if that one is taken). None when it was stopped on purpose (its state file is gone): nothing to bring back. A
    server that `status` finds answering by the time the lock is ours is left alone. `forget(port)`: what the
    engine keeps about a server on that port."""
    data_dir = data_dir.resolve()
    with locked(data_dir):
        state = read_state(data_dir)
        if state is None:
            return None
        running = status(data_dir)
        if running is not None:
            return running
        pid, port = int(state["pid"]), int(state["port"])
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_exit(pid, time.monotonic() + 60)
        if forget is not None:
            forget(port)
        password = ensure_password(data_dir)
        last_error = ""
        for candidate in (port, free_port(), free_port()):
            launched = launch(candidate, password)
            if not isinstance(launched, str):
                return launched
            last_error = launched
    raise DatabaseUnavailable(uri, f"the server could not be started again: {last_error}",
                              f"check {data_dir / 'server.log'}")
