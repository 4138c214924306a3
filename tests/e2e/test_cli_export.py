"""`safetynet export hsds` end to end: generate and load the demo city, export it in both formats, load each
export into a database of its own, and the graphs hold the same records."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli import run_cli


def _stats(env: dict[str, str]) -> dict[str, dict[str, int]]:
    stats: dict[str, dict[str, int]] = json.loads(run_cli(env, "db", "stats", "--json").stdout)
    return stats


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
    run_cli(cli_env, "db", "stop")

    for fmt in ("csv", "json"):
        env = {**cli_env, "SAFETYNET_DB": f"embedded://{tmp_path / ('db-' + fmt)}"}
        try:
            run_cli(env, "load", "hsds", str(tmp_path / fmt), "--dataset-id", "city")
            after = _stats(env)
        finally:
            run_cli(env, "db", "stop", check=False)
        labels = {k: v for k, v in after["labels"].items() if k not in ("TaxonomyTerm", "Taxonomy")}
        assert labels == {k: v for k, v in before["labels"].items() if k not in ("TaxonomyTerm", "Taxonomy")}
        if fmt == "csv":  # JSON holds only the terms that tag something
            assert after == before


def test_export_hsds_refuses_a_folder_that_is_not_empty_and_an_unknown_format(
    cli_env: dict[str, str], tmp_path: Path,
) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run_cli(cli_env, "export", "hsds", str(tmp_path / "full"), check=False)
    assert result.returncode == 1
    assert "exists and is not empty: give a new folder" in result.stderr
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]

    result = run_cli(cli_env, "export", "hsds", str(tmp_path / "new"), "--format", "xml", check=False)
    assert result.returncode == 1
    assert "unknown format 'xml': use --format csv" in result.stderr
    assert not (tmp_path / "new").exists()
