"""`safetynet export hsds` end to end: generate and load the demo city, export it in both formats, load each
export into an empty database, and the graphs hold the same records; on each engine (`cli_env`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from api.settings import ApiSettings
from graph.connect import connect
from graph.settings import DatabaseSettings
from tests.e2e.cli import database_dir, on_neo4j, run_cli


def _stats(env: dict[str, str]) -> dict[str, dict[str, int]]:
    stats: dict[str, dict[str, int]] = json.loads(run_cli(env, "db", "stats", "--json").stdout)
    return stats


def _another_empty_database(env: dict[str, str], folder: Path) -> dict[str, str]:
    """An environment naming an empty database, once `env`'s is done with: a new embedded FalkorDB in `folder`
    (stop it after), or on Neo4j the same shared server, emptied (Neo4j Community has one user database)."""
    if not on_neo4j(env):
        return {**env, "SAFETYNET_DB": f"embedded://{folder}"}
    db = connect(DatabaseSettings(db=env["SAFETYNET_DB"]), ensure_schema=False)
    try:
        db.write("MATCH (n) DETACH DELETE n")
        db.ensure_schema()
    finally:
        db.close()
    return env


def test_export_hsds_writes_csv_and_json_that_load_back_into_empty_databases(
    cli_env: dict[str, str], tmp_path: Path,
) -> None:
    source = tmp_path / "city"
    run_cli(cli_env, "generate", "demo", str(source), "--services", "40", "--seed", "3")
    run_cli(cli_env, "load", "hsds", str(source), "--dataset-id", "city")
    before = _stats(cli_env)

    csv_out = run_cli(cli_env, "export", "hsds", str(tmp_path / "csv"), "--staff")
    assert "40 services exported to" in csv_out.stdout
    assert (tmp_path / "csv" / "datapackage.json").is_file()
    json_out = run_cli(cli_env, "export", "hsds", str(tmp_path / "json"), "--format", "json", "--staff")
    assert "40 services exported to" in json_out.stdout
    lines = (tmp_path / "json" / "services.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40 and all(json.loads(line)["organization"]["id"] for line in lines)
    if not on_neo4j(cli_env):
        run_cli(cli_env, "db", "stop")

    for fmt in ("csv", "json"):
        env = _another_empty_database(cli_env, tmp_path / f"db-{fmt}")
        try:
            run_cli(env, "load", "hsds", str(tmp_path / fmt), "--dataset-id", "city")
            after = _stats(env)
        finally:
            if not on_neo4j(env):
                run_cli(env, "db", "stop", check=False)
        labels = {k: v for k, v in after["labels"].items() if k not in ("TaxonomyTerm", "Taxonomy")}
        assert labels == {k: v for k, v in before["labels"].items() if k not in ("TaxonomyTerm", "Taxonomy")}
        if fmt == "csv":  # JSON holds only the terms that tag something
            assert after == before


def test_export_hsds_refuses_a_folder_that_is_not_empty_and_an_unknown_format(tmp_path: Path) -> None:
    # refused before the database is opened: the engine plays no part (no server is started)
    env = {**os.environ, "SAFETYNET_DB": f"embedded://{tmp_path / 'db'}", "NO_COLOR": "1"}
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run_cli(env, "export", "hsds", str(tmp_path / "full"), check=False)
    assert result.returncode == 1
    assert "exists and is not empty: give a new folder" in result.stderr
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]

    result = run_cli(env, "export", "hsds", str(tmp_path / "new"), "--format", "xml", check=False)
    assert result.returncode == 1
    assert "unknown format 'xml': use --format csv" in result.stderr
    assert not (tmp_path / "new").exists()
    assert not (tmp_path / "db").exists()


def test_export_snapshots_builds_the_documents_the_api_then_serves(cli_env: dict[str, str], tmp_path: Path) -> None:
    from api.app import create_app
    from tests.e2e.server import serving

    source = tmp_path / "city"
    run_cli(cli_env, "generate", "demo", str(source), "--services", "30", "--seed", "5")
    run_cli(cli_env, "load", "hsds", str(source), "--dataset-id", "city")
    built = run_cli(cli_env, "export", "snapshots")
    assert "public full: 30 services ready" in built.stdout and "staff full: 30 services ready" in built.stdout
    snapshots = database_dir(cli_env) / "hsds-snapshots"  # beside the database
    files = sorted(p.name for p in snapshots.glob("*/*/*"))
    assert files == ["public-full.index.json", "public-full.ndjson", "staff-full.index.json", "staff-full.ndjson"]
    assert all(p.stat().st_mode & 0o077 == 0 for p in snapshots.glob("*/*/*"))  # staff data
    snapshot = next(snapshots.glob("*/*/public-full.ndjson")).read_bytes()

    db = connect(DatabaseSettings(db=cli_env["SAFETYNET_DB"]))
    try:
        with serving(create_app(engine=db)) as live, serving(
                create_app(ApiSettings(hsds_snapshots=False), engine=db)) as reference:
            for server in (live, reference):
                with server.client() as client:
                    response = client.get("/hsds/services", params={"format": "ndjson", "full": "true"})
                assert response.status_code == 200 and response.content == snapshot
    finally:
        db.close()

    again = run_cli(cli_env, "export", "snapshots", "--role", "public")
    assert "public full: 30 services ready" in again.stdout and "staff" not in again.stdout
    wrong = run_cli(cli_env, "export", "snapshots", "--role", "everyone", check=False)
    assert wrong.returncode == 2 and "--role must be public, staff or both, not 'everyone'" in wrong.stderr
    off = run_cli({**cli_env, "SAFETYNET_HSDS_SNAPSHOTS": "false"}, "export", "snapshots", check=False)
    assert off.returncode == 1 and "SAFETYNET_HSDS_SNAPSHOTS is off" in off.stderr

    reloaded = run_cli(cli_env, "load", "hsds", str(source), "--dataset-id", "city")
    assert "ready-made documents are of the graph before this load: run `safetynet export snapshots`" in reloaded.stdout
    run_cli(cli_env, "export", "snapshots", "--role", "public")
    assert len(list(snapshots.glob("*/*/*.index.json"))) == 1  # the old version went
    quiet = run_cli(cli_env, "load", "hsds", str(source), "--dataset-id", "other", "--dry-run")
    assert "ready-made" not in quiet.stdout
