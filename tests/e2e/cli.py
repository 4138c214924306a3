"""Running the `safetynet` CLI in a subprocess, for end-to-end tests."""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
from pathlib import Path

from graph.uri import parse_db_uri

SAFETYNET = [sys.executable, "-m", "cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*SAFETYNET, *args], env=env, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        command = " ".join(args)
        raise AssertionError(f"safetynet {command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def on_neo4j(env: dict[str, str]) -> bool:
    """Whether SAFETYNET_DB names the embedded Neo4j (`cli_env` on Neo4j: the session's shared server)."""
    return parse_db_uri(env["SAFETYNET_DB"]).kind == "embedded-neo4j"


def database_dir(env: dict[str, str]) -> Path:
    """The directory of the embedded database SAFETYNET_DB names (where snapshots and keys are kept beside it)."""
    path = parse_db_uri(env["SAFETYNET_DB"]).path
    assert path is not None, env["SAFETYNET_DB"]
    return path


def db_stats(env: dict[str, str]) -> dict[str, dict[str, int]]:
    """`safetynet db stats --json`: node counts by label and relationship counts by type."""
    return json.loads(run_cli(env, "db", "stats", "--json").stdout)  # type: ignore[no-any-return]


def csv_dicts(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file (UTF-8, with or without a byte-order mark) as dicts by its header."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))
