"""End to end: the `safetynet` CLI in subprocesses loads the demo city, serves it, and answers
GraphQL over real HTTP, on each engine (`cli_env`)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.cli import SAFETYNET, free_port, on_neo4j
from tests.e2e.cli import run_cli as _cli


def _post_graphql(port: int, query: str, variables: dict[str, object] | None = None) -> dict[str, object]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _wait_http(port: int, path: str, proc: subprocess.Popen[str], timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                return response.read()  # type: ignore[no-any-return]
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"no answer on :{port}{path} within {timeout} s")


def test_demo_data_loaded_by_the_cli_is_served_over_graphql(cli_env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "demo"
    _cli(cli_env, "generate", "demo", str(data), "--services", "120")
    loaded = _cli(cli_env, "load", "hsds", str(data), "--dataset-id", "demo")
    assert "records loaded" in loaded.stdout

    stats = json.loads(_cli(cli_env, "db", "stats", "--json").stdout)
    assert stats["labels"]["Service"] == 120
    assert stats["labels"]["Dataset"] == 1

    port = free_port()
    server = subprocess.Popen([*SAFETYNET, "serve", "--port", str(port)], env=cli_env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        health = json.loads(_wait_http(port, "/healthz", server))
        assert health == {"status": "ok", "database": "neo4j" if on_neo4j(cli_env) else "falkordb"}
        answer = _post_graphql(port, "{ serviceCount }")
        assert answer == {"data": {"serviceCount": 120}}
        some_id = next(iter(_first_service_ids(data)))
        answer = _post_graphql(port, "query($id: ID!) { service(id: $id) { id name organization { name } } }",
                               {"id": some_id})
        service = answer["data"]["service"]  # type: ignore[index]
        assert service["id"] == some_id and service["name"] and service["organization"]["name"]
        browser = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", headers={"Accept": "text/html"})
        with urllib.request.urlopen(browser, timeout=10) as response:
            assert b"graphiql" in response.read().lower()
    finally:
        server.terminate()
        server.wait(timeout=30)
    _assert_each_command_stopped_what_it_started(cli_env)


def _assert_each_command_stopped_what_it_started(cli_env: dict[str, str]) -> None:
    """serve reused the server `load` left? No: each command stops the server it started, and leaves one it
    found running (the shared Neo4j server runs before and after every test on it)."""
    status = _cli(cli_env, "db", "status", check=False)
    if on_neo4j(cli_env):
        assert status.returncode == 0 and "running: pid" in status.stdout
    else:
        assert status.returncode == 3 and "not running" in status.stdout


def _first_service_ids(data: Path) -> list[str]:
    import csv

    with open(data / "services.csv", newline="", encoding="utf-8") as handle:
        return [row["id"] for _, row in zip(range(3), csv.DictReader(handle), strict=False)]


@pytest.mark.engines("falkordb", reason="`db start|stop` on an embedded server of the test's own: on Neo4j it "
                                        "would stop the session's shared server; the embedded Neo4j's lifecycle is "
                                        "tested in tests/integration/test_neo4j_embedded.py")
def test_db_start_leaves_the_server_running_for_later_commands_until_db_stop(cli_env: dict[str, str]) -> None:
    started = _cli(cli_env, "db", "start")
    assert "started" in started.stdout
    assert "already running" in _cli(cli_env, "db", "start").stdout
    _cli(cli_env, "db", "stats", "--json")
    assert "running" in _cli(cli_env, "db", "status").stdout
    assert "stopped" in _cli(cli_env, "db", "stop").stdout
    assert _cli(cli_env, "db", "status", check=False).returncode == 3


def test_a_load_with_errors_exits_non_zero_and_lists_them(cli_env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "organizations.csv").write_text("id,name,description\no1,Org,desc\n", encoding="utf-8")
    (broken / "services.csv").write_text("id,organization_id,name,status\ns1,missing-org,Food,active\n",
                                         encoding="utf-8")
    result = _cli(cli_env, "load", "hsds", str(broken), check=False)
    assert result.returncode == 1
    assert "services.csv:2:organization_id:" in result.stderr
    assert "nothing was loaded" in result.stderr


def test_an_unreachable_database_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "SAFETYNET_DB": f"falkordb://127.0.0.1:{free_port()}", "NO_COLOR": "1"}
    result = _cli(env, "db", "stats", check=False)
    assert result.returncode == 2
    assert "Cannot reach the graph database at falkordb://" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_has_help() -> None:
    for args in ([], ["load"], ["load", "hsds"], ["db"], ["db", "stats"], ["generate", "demo"], ["serve"], ["demo"]):
        result = subprocess.run([*SAFETYNET, *args, "--help"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, args
        assert "Usage" in result.stdout


def _serve_demo(cli_env: dict[str, str], services: int) -> str:
    """Run `safetynet demo` until it serves, check it answers, stop it; its standard output."""
    port = free_port()
    server = subprocess.Popen([*SAFETYNET, "demo", "--port", str(port), "--services", str(services)], env=cli_env,
                              text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_http(port, "/healthz", server, timeout=120)
        assert _post_graphql(port, "{ serviceCount }") == {"data": {"serviceCount": services}}
    finally:
        server.terminate()
        stdout, _ = server.communicate(timeout=30)
    return stdout


def _planning_counts(cli_env: dict[str, str]) -> dict[str, int]:
    stats = json.loads(_cli(cli_env, "db", "stats", "--json").stdout)
    counts = {**stats["labels"], **stats["relationships"]}
    names = ("Area", "ReferralFlow", "NeedCount", "Dataset", "Organization", "REFERS_TO", "PARTNERS_WITH",
             "SHARES_DATA_WITH", "FUNDS", "MEMBER_OF", "SENT", "IN_AREA")
    return {name: counts.get(name, 0) for name in names}


def test_the_demo_command_generates_loads_and_serves_the_demo_city(cli_env: dict[str, str]) -> None:
    stdout = _serve_demo(cli_env, 80)
    _assert_each_command_stopped_what_it_started(cli_env)
    assert "11 ward areas" in stdout
    for dataset in ("demo", "demo-areas", "demo-ties", "demo-referrals"):
        assert f"dataset {dataset} (" in stdout
    counts = _planning_counts(cli_env)
    assert counts["Area"] == 11 and counts["Dataset"] == 4
    assert counts["ReferralFlow"] > 0 and counts["NeedCount"] > 0 and counts["SENT"] == counts["ReferralFlow"]
    assert all(counts[tie] > 0 for tie in ("REFERS_TO", "PARTNERS_WITH", "SHARES_DATA_WITH", "FUNDS", "MEMBER_OF"))
    _serve_demo(cli_env, 80)  # again: every load replaces its previous one
    assert _planning_counts(cli_env) == counts


@pytest.mark.engines("falkordb", reason="what it adds is generate's printed commands: the loads they run are run on "
                                        "Neo4j by the demo command's test and by test_cli_sources")
def test_generate_demo_prints_the_commands_that_load_its_planning_files(
    cli_env: dict[str, str], tmp_path: Path,
) -> None:
    data = tmp_path / "demo"
    generated = _cli(cli_env, "generate", "demo", str(data), "--services", "120").stdout
    assert f"planning files to {data / 'planning'}" in generated
    commands = [line.split()[1:] for line in generated.splitlines() if line.strip().startswith("safetynet load")]
    assert [c[:2] for c in commands] == [["load", "areas"], ["load", "ties"], ["load", "referrals"]]
    _cli(cli_env, "load", "hsds", str(data), "--dataset-id", "demo")
    for command in commands:
        loaded = _cli(cli_env, *command)
        assert "0 warning(s)" in loaded.stdout and not loaded.stderr.strip()
    counts = _planning_counts(cli_env)
    assert counts["Area"] == 11 and counts["Dataset"] == 4 and counts["NeedCount"] > 0
    assert counts["Organization"] == 30 + 2  # the demo's organizations and the two collaboratives
