"""The embedded FalkorDB server: started by the project, persistent, reused, stopped cleanly."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from graph import embedded
from graph.connect import connect
from graph.errors import BadDatabaseUri, DatabaseUnavailable
from graph.settings import DatabaseSettings
from queries import reads


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_data_survives_a_stop_and_a_start_of_the_embedded_server(tmp_path: Path) -> None:
    settings = DatabaseSettings(db=f"embedded://{tmp_path}")
    db = connect(settings)
    db.write("CREATE (:Service {id: $id, name: $name})", {"id": "s1", "name": "Food bank"})
    db.close()  # this process started the server, so closing stops it
    assert embedded.status(tmp_path) is None

    db = connect(settings)
    try:
        assert reads.service_count(db) == 1
        assert reads.service_by_id(db, id="s1").name == "Food bank"
    finally:
        db.close()
    assert embedded.status(tmp_path) is None


def test_a_second_process_reuses_the_running_server_for_the_same_directory(tmp_path: Path) -> None:
    info, started = embedded.start(tmp_path)
    assert started
    try:
        code = (
            "from graph import embedded; from pathlib import Path; import sys;"
            f"info, started = embedded.start(Path({str(tmp_path)!r}));"
            "print(info.pid, info.port, started)"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
        assert result.stdout.split() == [str(info.pid), str(info.port), "False"]
        # and a process that only attached does not stop the server when it closes
        db = connect(DatabaseSettings(db=f"embedded://{tmp_path}"))
        db.close()
        assert embedded.status(tmp_path) == info
    finally:
        assert embedded.stop(tmp_path)
    assert embedded.status(tmp_path) is None
    assert not embedded.stop(tmp_path)


def test_a_stale_state_file_does_not_fool_status(tmp_path: Path) -> None:
    (tmp_path / "server.json").write_text(f'{{"pid": 999999, "port": {_free_port()}}}')
    assert embedded.status(tmp_path) is None


def test_an_unreachable_falkordb_names_the_uri_and_what_to_try() -> None:
    uri = f"falkordb://127.0.0.1:{_free_port()}"
    with pytest.raises(DatabaseUnavailable) as caught:
        connect(DatabaseSettings(db=uri))
    message = str(caught.value)
    assert uri in message
    assert "What to try:" in message


def test_an_unreachable_neo4j_names_the_uri_and_what_to_try() -> None:
    uri = f"bolt://127.0.0.1:{_free_port()}"
    with pytest.raises(DatabaseUnavailable) as caught:
        connect(DatabaseSettings(db=uri))
    assert uri in str(caught.value)
    assert "Neo4j" in caught.value.hint


@pytest.mark.parametrize("uri", ["localhost:7687", "postgres://x", "embedded://"])
def test_a_database_uri_we_do_not_understand_is_rejected_with_examples(uri: str) -> None:
    with pytest.raises(BadDatabaseUri, match="SAFETYNET_DB"):
        connect(DatabaseSettings(db=uri))


def test_the_embedded_server_never_forks_on_its_own_and_a_load_waits_for_a_running_fork(
    falkordb_server: embedded.ServerInfo,
) -> None:
    """A load's staging copy (GRAPH.COPY) forks the server and hangs for good if a background save or
    AOF rewrite forks at the same moment: the embedded server schedules neither, and a load waits
    for one already running (an operator's BGREWRITEAOF, say) before it copies."""
    import threading

    from graph.falkor import _forking
    from graph.watchdog import HUNG_AFTER_S
    from loaders.writer import write_plan
    from tests.factories import small_plan

    client = falkordb_server.client()
    try:
        assert client.config_get("save")["save"] == ""
        assert client.config_get("auto-aof-rewrite-percentage")["auto-aof-rewrite-percentage"] == "0"
        db = connect(DatabaseSettings(db=f"falkordb://127.0.0.1:{falkordb_server.port}", db_name="fork-test"))
        try:
            write_plan(db, small_plan(services=50), dataset_id="d1", fmt="test", path="memory")
            def load(done: threading.Event) -> None:
                write_plan(db, small_plan(services=50), dataset_id="d1", fmt="test", path="memory")
                done.set()

            for _ in range(5):
                client.bgrewriteaof()
                done = threading.Event()
                threading.Thread(target=load, args=(done,), daemon=True).start()
                # A staging copy can still lose a race for the fork to the index garbage collector, whose
                # forks nothing outside the server can see coming: FalkorDB 4.16 then hangs, and the load's
                # watchdog restarts the server and writes the load again (graph.watchdog). Wait for that too.
                assert done.wait(HUNG_AFTER_S + 90), "a load hung while the server was rewriting its append-only file"
            assert not _forking(client.info("persistence"))
            assert reads.service_count(db) == 50
        finally:
            db.close()
    finally:
        client.close()
