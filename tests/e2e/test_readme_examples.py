"""Every shell command README.md shows is run, checked or listed here with the reason it cannot run.

The commands are the lines of its ```sh blocks and its inline code spans that begin with `safetynet `.
- A synopsis (a command with placeholders: `safetynet load hsds PATH [--replace] …`) is checked against
  `safetynet … --help`: the command exists and lists every option the synopsis names.
- An example is run as written, with the real CLI in a subprocess, against a private embedded database;
  `../shared/…` paths are read from beside the checkout (those examples skip when it is absent).
- A command that cannot run here is in NOT_RUN, with the reason.
A command added to the README fails `test_every_shell_command_in_the_readme_is_run_checked_or_listed` until it
is added to one of the lists below (or is a synopsis), and one removed from it fails it until it leaves them.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from services.keys import KEY_PREFIX
from tests.conftest import PROJECT_ROOT
from tests.e2e.cli import SAFETYNET, free_port

README = PROJECT_ROOT / "README.md"
# As written, the examples run on the README's default database (embedded://, FalkorDB) and manage its server
# (`db start`, `db stop`); the same kinds of load run on Neo4j in test_cli_sources, test_cli_demo_flow and
# test_coverage_reach.
pytestmark = pytest.mark.engines("falkordb", reason="the README's examples as written: its default database, "
                                                   "`db start` and `db stop` included")

KEY_EXAMPLES = (
    'safetynet keys add --role staff --name "Crisis line desk"',
    'safetynet keys add --role planner --name "CSWB planning"',
    "safetynet keys list",
)
SHARED_DATA_EXAMPLES = (
    "safetynet load hsds ../shared/data/hsds-3.0/examples/csv --dataset-id hsds-examples",
    "safetynet load areas ../shared/data/toronto/toronto_neighbourhoods.geojson --dataset-id toronto",
    "safetynet load ohana ../shared/data/baltimore-211 --dataset-id baltimore-211",
    "safetynet load 211 ../shared/data/dc-211/211.csv --dataset-id dc-211",
)
DEMO_CITY_EXAMPLES = (  # ties.csv and referrals-2026q1.csv: the demo city's planning files, under those names
    "safetynet load ties ties.csv --dataset-id ties-2026",
    "safetynet load referrals referrals-2026q1.csv --dataset-id referrals-2026q1",
    "safetynet export snapshots",
)
# county-extract.csv: the DC 211 export with agencies cut out, as one county's extract comes (exit status 3)
SKIP_INVALID_EXAMPLE = ("safetynet load 211 county-extract.csv --dataset-id county --skip-invalid "
                        "--rejects county.rejects.csv --max-rejects 5%")
MAPPED_EXAMPLES = ("safetynet load mapped ../shared/data/dc-211/211.csv --mapping mappings/dc-211.yaml "
                   "--dataset-id dc-mapped --skip-invalid --rejects dc-mapped.rejects.csv",
                   "safetynet load mapped ../shared/data/florida-legal-aid/organizations.csv "
                   "../shared/data/florida-legal-aid/locations.csv ../shared/data/florida-legal-aid/services.csv "
                   "--mapping mappings/florida-legal-aid.yaml")
BACKUP_EXAMPLES = ("safetynet db backup graph-backup.jsonl.gz", "safetynet db restore graph-backup.jsonl.gz",
                   "safetynet db restore --force graph-backup.jsonl.gz")
DB_START, DB_STOP = "safetynet db start", "safetynet db stop"  # around the loads: one server for all of them
RUN = (*KEY_EXAMPLES, *SHARED_DATA_EXAMPLES, *DEMO_CITY_EXAMPLES, SKIP_INVALID_EXAMPLE, *MAPPED_EXAMPLES,
       *BACKUP_EXAMPLES, DB_START, DB_STOP)
# prose naming a command: checked as synopses are
COMMAND_NAMES = ("safetynet load", "safetynet load hsds", "safetynet load mapped", "safetynet demo",
                 "safetynet db supervise", "safetynet db status", "safetynet db stats")

NOT_RUN = {
    "make demo": "generates the demo city, loads it and serves until Ctrl-C; its steps (`safetynet generate demo`, "
                 "`load`, `serve`) run in this file",
    "make test": "runs the whole suite, this file included",
    "export NEO4J_PASSWORD='choose-a-long-password'": "sets up the Docker Compose stack of the next line",
    "docker compose up --build": "needs Docker and a Neo4j 5 image; no container runs on the test machines",
    "export SAFETYNET_DB=bolt://localhost:7687 SAFETYNET_DB_USER=neo4j SAFETYNET_DB_PASSWORD=…":
        "points at a Neo4j server the reader runs (the tests start their own: embedded-neo4j://)",
    "safetynet load hsds path/to/hsds && safetynet serve": "needs that Neo4j server and a folder of the reader's; "
                                                           "`load hsds` and `serve` run here on the embedded database",
    "safetynet serve": "would take port 8000 of a shared machine until stopped: the key examples' test runs "
                       "`safetynet serve --port P` on a free port instead",
    "neo4j stop && neo4j-admin database dump neo4j --to-path=/srv/backups && neo4j start":
        "needs a Neo4j server installed as a service (the tests run the embedded one, which `db backup` covers)",
    "neo4j stop && neo4j-admin database load neo4j --from-path=/srv/backups --overwrite-destination=true && neo4j "
    "start": "needs a Neo4j server installed as a service; `db restore` prints this line for a bolt:// database "
             "(tests/e2e/test_cli_backup.py)",
}

SAME_OPTIONS_AS = "safetynet load hsds PATH"  # "[same options]" in the command table: those of this row
OPTION = re.compile(r"--[a-z][a-z0-9-]*")
SUBCOMMAND = re.compile(r"[a-z0-9][a-z0-9-]*")
PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9_]*")


# ---------------------------------------------------------------- reading the README


def readme_commands(text: str) -> list[str]:
    """The lines of the ```sh blocks (comments dropped, `\\` continuations joined), then the inline code spans
    that begin with `safetynet ` (table escapes undone, whitespace collapsed); each once, in order."""
    fence = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
    commands = []
    for language, body in fence.findall(text):
        if language in ("sh", "bash", "shell"):
            for line in body.replace("\\\n", " ").splitlines():
                command = " ".join(re.sub(r"(^|\s)#.*", "", line).split())
                if command:
                    commands.append(command)
    for span in re.findall(r"(?<!`)`([^`]+)`(?!`)", fence.sub("", text)):
        command = " ".join(span.replace("\\|", "|").split())
        if command.startswith("safetynet "):
            commands.append(command)
    return list(dict.fromkeys(commands))


def is_synopsis(command: str) -> bool:
    """A `safetynet` command with placeholders (`PATH`, `[--replace]`, `csv|json`, `…`) rather than an example."""
    if not command.startswith("safetynet "):
        return False
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    return any(w.startswith("[") or "|" in w or "…" in w or PLACEHOLDER.fullmatch(w) for w in words)


def synopsis_commands(synopsis: str) -> list[list[str]]:
    """The subcommand paths a synopsis names: `safetynet db start | stop | status` → db start, db stop, db status."""
    words = synopsis.split()[1:]
    path: list[str] = []
    while words and SUBCOMMAND.fullmatch(words[0]):
        path.append(words.pop(0))
    paths = [path]
    while len(words) >= 2 and words[0] == "|" and SUBCOMMAND.fullmatch(words[1]):
        paths.append([*path[:-1], words[1]])
        words = words[2:]
    return paths


def synopsis_options(synopsis: str, synopses: list[str]) -> list[str]:
    options = OPTION.findall(synopsis)
    if "same options" in synopsis:
        options += OPTION.findall(next(s for s in synopses if s.startswith(SAME_OPTIONS_AS)))
    return options


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))
SYNOPSES = [command for command in COMMANDS if is_synopsis(command) or command in COMMAND_NAMES]


# ---------------------------------------------------------------- running examples


def run_command(command: str, env: dict[str, str], cwd: Path, status: int = 0) -> subprocess.CompletedProcess[str]:
    """Run a README example as written, in `cwd`; `../shared/…` and `mappings/…` are read from beside and in the
    checkout, as the README means them (relative to the project root). It must exit with `status`."""
    words = shlex.split(command)
    assert words[0] == "safetynet", command
    args = [str((PROJECT_ROOT / w).resolve()) if w.startswith(("../shared/", "mappings/")) else w for w in words[1:]]
    done = subprocess.run([*SAFETYNET, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == status, f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def _env(cli_env: dict[str, str]) -> dict[str, str]:
    """The e2e environment, able to import the project from any working directory."""
    paths = [str(PROJECT_ROOT), *filter(None, [cli_env.get("PYTHONPATH")])]
    return {**cli_env, "PYTHONPATH": os.pathsep.join(paths)}


def _stats(env: dict[str, str], cwd: Path) -> dict[str, dict[str, int]]:
    stats: dict[str, dict[str, int]] = json.loads(run_command("safetynet db stats --json", env, cwd).stdout)
    return stats


def _graphql(port: int, key: str | None) -> int:
    """The HTTP status of `{ serviceCount }` sent with `key`."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=b'{"query": "{ serviceCount }"}',
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def _wait_healthy(port: int, server: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"safetynet serve exited: {server.stderr.read() if server.stderr else ''}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"safetynet serve did not answer /healthz on port {port} within {timeout} s")


# ---------------------------------------------------------------- the tests


def test_every_shell_command_in_the_readme_is_run_checked_or_listed() -> None:
    unaccounted = [c for c in COMMANDS if c not in RUN and c not in NOT_RUN and c not in SYNOPSES]
    assert not unaccounted, ("README.md shows commands this test neither runs nor lists: add each to an example "
                             f"list (it runs) or to NOT_RUN with the reason it cannot: {unaccounted}")
    gone = [c for c in (*RUN, *NOT_RUN, *COMMAND_NAMES) if c not in COMMANDS]
    assert not gone, f"listed here but no longer in README.md (remove them): {gone}"
    assert not [c for c in RUN if is_synopsis(c)]
    assert len(SYNOPSES) >= 10  # the command table is still read as synopses


@pytest.mark.parametrize("synopsis", SYNOPSES)
def test_each_readme_synopsis_names_a_command_whose_help_lists_its_options(synopsis: str) -> None:
    options = synopsis_options(synopsis, SYNOPSES)
    for path in synopsis_commands(synopsis):
        assert path, f"{synopsis!r} names no subcommand"
        shown = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
        assert shown.exit_code == 0, f"safetynet {' '.join(path)} --help: {shown.output}"
        missing = [option for option in options if not re.search(rf"{option}(?![a-z0-9-])", shown.stdout)]
        assert not missing, f"safetynet {' '.join(path)} --help does not list {missing}"


def test_the_readme_key_examples_make_keys_that_work_over_http_until_revoked(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    env = _env(cli_env)
    staff, planner = (run_command(command, env, tmp_path).stdout.strip() for command in KEY_EXAMPLES[:2])
    assert staff.startswith(KEY_PREFIX) and planner.startswith(KEY_PREFIX)
    listed = run_command("safetynet keys list", env, tmp_path).stdout
    assert "│ Crisis line desk │ staff   │" in listed and "│ CSWB planning    │ planner │" in listed

    port = free_port()
    server = subprocess.Popen([*SAFETYNET, "serve", "--port", str(port)], env=env, cwd=tmp_path, text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_healthy(port, server)
        assert (_graphql(port, staff), _graphql(port, planner), _graphql(port, None)) == (200, 200, 200)
        revoked = run_command('safetynet keys revoke "crisis line desk"', env, tmp_path)  # README: keys revoke NAME
        assert "revoked the staff key 'Crisis line desk'" in revoked.stdout
        assert (_graphql(port, staff), _graphql(port, planner)) == (401, 200)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Crisis line desk" not in run_command("safetynet keys list", env, tmp_path).stdout


def test_the_readme_load_examples_load_the_shared_data(
        cli_env: dict[str, str], shared_data: Path, tmp_path: Path) -> None:
    env = _env(cli_env)
    run_command(DB_START, env, tmp_path)
    for command in SHARED_DATA_EXAMPLES:
        assert "records loaded" in run_command(command, env, tmp_path).stdout, command
    labels = _stats(env, tmp_path)["labels"]
    assert labels["Dataset"] == len(SHARED_DATA_EXAMPLES)
    assert labels["Area"] >= 158 and labels["Service"] > 1000
    run_command(DB_STOP, env, tmp_path)


def test_the_readme_tie_referral_and_snapshot_examples_run_on_the_demo_city(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    env = _env(cli_env)
    run_command(DB_START, env, tmp_path)
    demo = tmp_path / "demo"
    run_command(f"safetynet generate demo {demo} --services 60", env, tmp_path)
    run_command(f"safetynet load hsds {demo} --dataset-id demo", env, tmp_path)
    run_command(f"safetynet load areas {demo / 'planning' / 'areas.geojson'} --dataset-id demo-areas --kind ward",
                env, tmp_path)
    shutil.copy(demo / "planning" / "ties.csv", tmp_path / "ties.csv")
    shutil.copy(demo / "planning" / "referrals.csv", tmp_path / "referrals-2026q1.csv")
    ties, referrals, snapshots = (run_command(command, env, tmp_path) for command in DEMO_CITY_EXAMPLES)
    assert "records loaded" in ties.stdout and "records loaded" in referrals.stdout
    assert "public full: 60 services ready" in snapshots.stdout
    stats = _stats(env, tmp_path)
    assert stats["labels"]["Dataset"] == 4
    assert stats["relationships"]["PARTNERS_WITH"] > 0
    backup, restore, replace = BACKUP_EXAMPLES  # the demo city backed up, restored over itself and elsewhere
    run_command(backup, env, tmp_path)
    run_command(replace, env, tmp_path)
    assert _stats(env, tmp_path) == stats
    run_command(DB_STOP, env, tmp_path)
    elsewhere = {**env, "SAFETYNET_DB": f"embedded://{tmp_path / 'restored'}"}
    run_command(restore, elsewhere, tmp_path)
    assert _stats(elsewhere, tmp_path) == stats


def test_the_readme_skip_invalid_example_loads_a_county_extract(
        cli_env: dict[str, str], shared_data: Path, tmp_path: Path) -> None:
    """The DC 211 export with its first 15 agencies cut out: their 32 programs are left out and listed."""
    env = _env(cli_env)
    lines = (shared_data / "dc-211" / "211.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    level, number = header.index("TaxonomyLevelName"), header.index("ResourceAgencyNum")
    rows = list(csv.reader(lines[1:]))
    cut = {r[number] for r in [r for r in rows if r[level] == "Agency"][:15]}
    with (tmp_path / "county-extract.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *(r for r in rows if r[number] not in cut)])
    done = run_command(SKIP_INVALID_EXAMPLE, env, tmp_path, status=3)
    assert "rejects report: county.rejects.csv (32 record(s) left out)" in done.stdout
    with (tmp_path / "county.rejects.csv").open(newline="", encoding="utf-8") as handle:
        assert {r["record_kind"] for r in csv.DictReader(handle)} == {"Program"}
    run_command(DB_STOP, env, tmp_path)


def test_the_readme_mapped_examples_load_the_shared_data(
        cli_env: dict[str, str], shared_data: Path, tmp_path: Path) -> None:
    env = _env(cli_env)
    dc = run_command(MAPPED_EXAMPLES[0], env, tmp_path, status=3)
    assert "rejects report: dc-mapped.rejects.csv (46 record(s) left out)" in dc.stdout
    with (tmp_path / "dc-mapped.rejects.csv").open(newline="", encoding="utf-8") as handle:
        kinds = Counter(r["record_kind"] for r in csv.DictReader(handle))
    assert kinds["service"] == 6 and kinds["address"] == 18 and sum(kinds.values()) == 46
    florida = run_command(MAPPED_EXAMPLES[1], env, tmp_path)
    assert "378 location(s) without coordinates" in florida.stdout
    assert "55 population tags on 52 services" in florida.stdout  # read from the sentences the mapping builds
    labels = _stats(env, tmp_path)["labels"]
    assert (labels["Organization"], labels["Service"], labels["Dataset"]) == (494 + 20, 1631 + 135, 2)
    run_command(DB_STOP, env, tmp_path)
