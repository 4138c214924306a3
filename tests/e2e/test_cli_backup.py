"""`safetynet db backup` and `safetynet db restore` as a user runs them: a backup restored into an empty database
gives back the same graph; for a Neo4j server (bolt://) both say what to use instead and do nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from graph.connect import connect
from graph.settings import DatabaseSettings, get_settings
from loaders.writer import write_plan
from queries import reads
from tests.e2e.cli import run_cli
from tests.factories import small_plan


def test_a_backup_restored_by_the_cli_into_an_empty_database_gives_back_the_same_graph(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    settings = DatabaseSettings(db=cli_env["SAFETYNET_DB"])
    db = connect(settings)
    try:
        write_plan(db, small_plan("cli-", services=4), dataset_id="cli", fmt="test", path="cli")
        stats, version = reads.graph_stats(db), reads.graph_version(db)
        out = tmp_path / "backup.jsonl.gz"
        backed_up = run_cli(cli_env, "db", "backup", str(out))
        assert out.is_file() and "records to" in backed_up.stdout
        db.write("MATCH (n) DETACH DELETE n")  # an empty database to restore into
        restored = run_cli(cli_env, "db", "restore", str(out))
        assert "restored" in restored.stdout
        assert reads.graph_stats(db) == stats and reads.graph_version(db) == version
    finally:
        db.close()


@pytest.fixture
def neo4j_server_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SAFETYNET_DB", "bolt://db.example.org:7687")
    monkeypatch.setenv("SAFETYNET_NEO4J_DATABASE", "directory")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "400")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_for_a_neo4j_server_the_commands_give_the_neo4j_admin_command_line_and_do_nothing(
        neo4j_server_env: None, command: str, tmp_path: Path) -> None:
    path = tmp_path / "graph.jsonl.gz"
    result = CliRunner().invoke(app, ["db", command, str(path)])
    assert result.exit_code == 2, result.output
    expected = (f"neo4j-admin database dump directory --to-path={tmp_path}" if command == "backup"
                else f"neo4j-admin database load directory --from-path={tmp_path} --overwrite-destination=true")
    assert expected in result.stderr and "Nothing was done" in result.stderr
    assert not path.exists()
