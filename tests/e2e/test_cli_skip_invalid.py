"""End to end: `safetynet load … --skip-invalid` on a real 211 extract, in subprocesses on a real embedded database
of each engine (`cli_env`). The extract is the DC 211 export with some agencies cut out, as a centre exporting one
county gives it: their programs name agencies that are not in the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.cli import csv_dicts, db_stats
from tests.e2e.cli import run_cli as _cli

DROPPED_AGENCIES = 15


def _read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return list(csv.reader(io.StringIO(text, newline="")))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def extract(shared_data: Path, tmp_path: Path) -> tuple[Path, set[str], list[list[str]]]:
    """(the extract, the numbers of the programs and sites left without their agency, the full export's rows)."""
    rows = _read(shared_data / "dc-211" / "211.csv")
    header = rows[0]
    level, number, parent = (header.index(c) for c in ("TaxonomyLevelName", "ResourceAgencyNum", "ParentAgencyNum"))
    dropped = {r[number] for r in [r for r in rows[1:] if r[level].strip().lower() == "agency"][:DROPPED_AGENCIES]}
    orphans = {r[number] for r in rows[1:] if r[level].strip().lower() != "agency" and r[parent] in dropped}
    kept = [header, *(r for r in rows[1:] if r[number] not in dropped)]
    return _write(tmp_path / "extract.csv", kept), orphans, rows


def test_an_extract_loads_what_is_valid_and_lists_the_rest(
    cli_env: dict[str, str], extract: tuple[Path, set[str], list[list[str]]], tmp_path: Path,
) -> None:
    path, orphans, _ = extract
    assert orphans  # the extract has programs whose agency is not in it

    refused = _cli(cli_env, "load", "211", str(path), "--dataset-id", "dc", check=False)
    assert refused.returncode == 1 and "--skip-invalid" in refused.stderr
    assert db_stats(cli_env)["labels"].get("Service", 0) == 0

    rejects = tmp_path / "out" / "dc-rejects.csv"
    dry = _cli(cli_env, "load", "211", str(path), "--dataset-id", "dc", "--skip-invalid", "--dry-run",
               "--rejects", str(rejects), check=False)
    assert dry.returncode == 3, dry.stdout + dry.stderr
    assert "validated (nothing written)" in dry.stdout
    assert db_stats(cli_env)["labels"].get("Service", 0) == 0
    dry_report = rejects.read_text(encoding="utf-8")

    loaded = _cli(cli_env, "load", "211", str(path), "--dataset-id", "dc", "--skip-invalid",
                  "--rejects", str(rejects), check=False)
    assert loaded.returncode == 3, loaded.stdout + loaded.stderr
    assert "records left out" in loaded.stdout and str(rejects) in loaded.stdout
    assert rejects.read_text(encoding="utf-8") == dry_report  # the dry run said exactly what the load left out
    report = csv_dicts(rejects)
    assert {r["record_id"] for r in report} == orphans  # every record without its agency, each once
    assert len(report) == len(orphans)
    assert all(r["field"] == "ParentAgencyNum" and r["severity"] == "error" and r["file"] == "extract.csv"
               for r in report)
    assert all(r["message"].startswith("no Agency row with ResourceAgencyNum") for r in report)

    stats = db_stats(cli_env)
    again = _cli(cli_env, "load", "211", str(path), "--dataset-id", "dc", "--skip-invalid",
                 "--rejects", str(rejects), check=False)
    assert again.returncode == 3
    assert db_stats(cli_env) == stats  # idempotent


def test_replace_with_an_extract_drops_what_it_no_longer_has(
    cli_env: dict[str, str], extract: tuple[Path, set[str], list[list[str]]], shared_data: Path, tmp_path: Path,
) -> None:
    path, orphans, rows = extract
    _cli(cli_env, "load", "211", str(shared_data / "dc-211" / "211.csv"), "--dataset-id", "dc")
    full = db_stats(cli_env)["labels"]
    replaced = _cli(cli_env, "load", "211", str(path), "--dataset-id", "dc", "--replace", "--skip-invalid",
                    "--rejects", str(tmp_path / "r.csv"), check=False)
    assert replaced.returncode == 3
    assert "no longer in the graph" in replaced.stdout
    labels = db_stats(cli_env)["labels"]
    # the agencies cut out and their programs are gone, not kept from the full load
    assert labels["Organization"] == full["Organization"] - DROPPED_AGENCIES
    header = rows[0]
    level, number = header.index("TaxonomyLevelName"), header.index("ResourceAgencyNum")
    programs = {r[number] for r in rows[1:] if r[level].strip().lower() == "program"}
    assert labels["Service"] == full["Service"] - len(programs & orphans)


def test_max_rejects_refuses_a_file_mostly_invalid(cli_env: dict[str, str], shared_data: Path,
                                                   tmp_path: Path) -> None:
    """A file cut to a tenth of its agencies: ~90 % of its programs would be skipped; --max-rejects 5% refuses
    it and writes nothing, but still says which records."""
    rows = _read(shared_data / "dc-211" / "211.csv")
    header = rows[0]
    level, number = header.index("TaxonomyLevelName"), header.index("ResourceAgencyNum")
    agencies = [r for r in rows[1:] if r[level].strip().lower() == "agency"]
    cut = {r[number] for r in agencies[len(agencies) // 10:]}
    path = _write(tmp_path / "cut.csv", [header, *(r for r in rows[1:] if r[number] not in cut)])
    rejects = tmp_path / "cut.rejects.csv"
    refused = _cli(cli_env, "load", "211", str(path), "--skip-invalid", "--max-rejects", "5%",
                   "--rejects", str(rejects), check=False)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "more than --max-rejects 5%" in refused.stderr and "nothing was loaded" in refused.stderr
    assert db_stats(cli_env)["labels"].get("Service", 0) == 0
    assert len(csv_dicts(rejects)) > 0.8 * (len(rows) - 1 - len(cut))


@pytest.mark.parametrize("args", [["--rejects", "x.csv"], ["--max-rejects", "5"]])
def test_the_skip_options_need_skip_invalid(args: list[str], tmp_path: Path) -> None:
    env = {"SAFETYNET_DB": f"embedded://{tmp_path / 'db'}", "PATH": "/usr/bin:/bin"}
    result = _cli(env, "load", "211", str(tmp_path), *args, check=False)
    assert result.returncode == 2 and "go with --skip-invalid" in result.stderr


def test_a_wrong_max_rejects_is_a_usage_error(tmp_path: Path) -> None:
    env = {"SAFETYNET_DB": f"embedded://{tmp_path / 'db'}", "PATH": "/usr/bin:/bin"}
    result = _cli(env, "load", "211", str(tmp_path), "--skip-invalid", "--max-rejects", "lots", check=False)
    assert result.returncode == 2 and "--max-rejects 'lots'" in result.stderr
