"""The embedded Neo4j (`embedded-neo4j://PATH`): a real Neo4j 5.26 Community server, started by the
project through its launcher, its user's alone, persistent, reused, stopped cleanly; the project's
schema and a small load run on it. One server for the module (a start takes seconds): the tests run
in order, and the last ones stop and start it through the CLI."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from neo4j.exceptions import AuthError

from graph import neo4j_embedded, neo4j_launcher
from graph.connect import connect
from graph.errors import DatabaseUnavailable
from graph.settings import DatabaseSettings
from loaders.writer import write_plan
from queries import reads
from tests.e2e.cli import run_cli
from tests.factories import not_private, small_neo4j, small_neo4j_env, small_plan


@pytest.fixture(scope="module")
def launcher() -> Path:
    """The launcher, built if needed (`safetynet db build-neo4j`). Without Java 17+ and Maven the module is
    skipped, saying what to install; in CI (CI set) it fails instead."""
    try:
        return neo4j_launcher.ensure_built()
    except neo4j_launcher.LauncherUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def neo4j_dir(launcher: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data directory of the module's server, started here and stopped at the end whatever happens."""
    data_dir = tmp_path_factory.mktemp("neo4j") / "db"
    try:
        info, started = neo4j_embedded.start(data_dir, small_neo4j(data_dir))
        assert started
        yield data_dir
    finally:
        neo4j_embedded.stop(data_dir)
    assert neo4j_embedded.status(data_dir) is None


def test_the_server_takes_only_the_password_of_its_directory_and_keeps_its_files_private(neo4j_dir: Path) -> None:
    info = neo4j_embedded.status(neo4j_dir)
    assert info is not None
    password = (neo4j_dir / "server.password").read_text().strip()
    assert password == info.password and len(password) >= 32
    with info.driver() as driver:
        driver.execute_query("CREATE (:Probe {id: $id, name: 'first'})", id="p1")
        records, _, _ = driver.execute_query("MATCH (p:Probe {id: 'p1'}) RETURN p.name AS name")
        assert [r["name"] for r in records] == ["first"]
    for wrong in ("not-the-password", "neo4j"):  # "neo4j": the default password of a new Neo4j
        with neo4j.GraphDatabase.driver(info.bolt_uri, auth=("neo4j", wrong)) as driver, pytest.raises(AuthError):
            driver.verify_connectivity()
    # handed over on standard input: neither on the command line (`ps`) nor in a log
    assert password.encode() not in Path(f"/proc/{info.pid}/cmdline").read_bytes()
    for log in [neo4j_dir / "server.log", *(neo4j_dir / "neo4j" / "logs").glob("*.log")]:
        assert password not in log.read_text(errors="replace"), log
    assert not_private(neo4j_dir) == {}
    state = json.loads((neo4j_dir / "server.json").read_text())
    assert state == {"pid": info.pid, "port": info.port, "launcher": neo4j_launcher.version()}
    # a second start finds the running server
    assert neo4j_embedded.start(neo4j_dir, small_neo4j(neo4j_dir)) == (info, False)


def test_the_project_schema_and_a_small_load_work_on_it(neo4j_dir: Path) -> None:
    db = connect(small_neo4j(neo4j_dir))  # applies the schema (graph/schema/neo4j.py)
    try:
        write_plan(db, small_plan(services=3), dataset_id="d1", fmt="test", path="memory")
        assert reads.service_count(db) == 3
        assert reads.service_by_id(db, id="svc-2").name == "Service 2"
        db.ensure_schema()  # idempotent
        names = {row["name"] for row in db.read("SHOW CONSTRAINTS YIELD name RETURN name")}
        assert "service_id" in names
    finally:
        db.close()
    assert neo4j_embedded.status(neo4j_dir) is not None  # it did not start the server, so it left it running


def test_the_cli_stops_and_starts_it_and_the_data_is_kept(neo4j_dir: Path) -> None:
    env = small_neo4j_env(neo4j_dir)
    running = neo4j_embedded.status(neo4j_dir)
    assert running is not None
    assert "already running" in run_cli(env, "db", "start").stdout
    assert f"running: pid {running.pid}, port {running.port}" in run_cli(env, "db", "status").stdout
    before = json.loads(run_cli(env, "db", "stats", "--json").stdout)
    assert before["labels"]["Service"] == 3 and before["labels"]["Probe"] == 1
    assert run_cli(env, "db", "stop").stdout.strip() == "stopped"
    assert neo4j_embedded.status(neo4j_dir) is None
    assert run_cli(env, "db", "status", check=False).returncode == 3

    assert "started" in run_cli(env, "db", "start").stdout
    assert neo4j_embedded.status(neo4j_dir) is not None
    assert json.loads(run_cli(env, "db", "stats", "--json").stdout) == before
    assert not_private(neo4j_dir) == {}


def test_what_keeps_it_from_starting_is_said(launcher: Path, tmp_path: Path) -> None:
    # a JVM that cannot start: the log's tail is in the error
    with pytest.raises(DatabaseUnavailable) as caught:
        neo4j_embedded.start(tmp_path / "tiny", DatabaseSettings(neo4j_heap="1k"))
    assert "Too small" in str(caught.value) and "server.log" in caught.value.hint
    # no Java: what to install
    env = {**small_neo4j_env(tmp_path / "nojava"), "PATH": str(tmp_path / "no-such-bin")}
    env.pop("JAVA_HOME", None)
    result = run_cli(env, "db", "start", check=False)
    assert result.returncode == 2
    assert "apt-get install openjdk-17-jdk-headless maven" in " ".join(result.stderr.split())
    # one directory, one engine
    (tmp_path / "falkor" / "falkordb").mkdir(parents=True)
    with pytest.raises(DatabaseUnavailable, match="embedded://"):
        neo4j_embedded.start(tmp_path / "falkor")
    assert sys.platform.startswith("linux")  # /proc above
