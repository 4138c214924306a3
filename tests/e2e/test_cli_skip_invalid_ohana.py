"""End to end: `safetynet load ohana … --skip-invalid` on the real Baltimore 211 Ohana export (../shared/data/
baltimore-211), broken the way vendor extracts are: some organizations cut out (their locations and the services
there are left without them) and a service row without its name. Subprocesses on a real embedded database of each
engine (`cli_env`)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tests.e2e.cli import csv_dicts, db_stats
from tests.e2e.cli import run_cli as _cli

DROPPED_ORGANIZATIONS = 5


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


class Extract:
    """The broken copy, and what it must leave out."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        organizations = csv_dicts(folder / "organizations.csv")
        locations = csv_dicts(folder / "locations.csv")
        services = csv_dicts(folder / "services.csv")
        with_services = {s["location_id"] for s in services}
        placed = [o["id"] for o in organizations
                  if any(loc["organization_id"] == o["id"] and loc["id"] in with_services for loc in locations)]
        self.dropped = set(placed[:DROPPED_ORGANIZATIONS])
        _write(folder / "organizations.csv", [o for o in organizations if o["id"] not in self.dropped])
        self.locations = {loc["id"] for loc in locations if loc["organization_id"] in self.dropped}
        self.orphan_services = {s["id"] for s in services if s["location_id"] in self.locations}
        unnamed = next(s for s in services if s["location_id"] not in self.locations and s["location_id"])
        unnamed["name"] = ""  # a required value missing: the row is invalid on its own
        self.unnamed = unnamed["id"]
        _write(folder / "services.csv", services)
        self.services = self.orphan_services | {self.unnamed}
        self.addresses = {a["id"] for a in csv_dicts(folder / "addresses.csv") if a["location_id"] in self.locations}
        self.mail_addresses = {a["id"] for a in csv_dicts(folder / "mail_addresses.csv")
                               if a["location_id"] in self.locations}
        self.phones = csv_dicts(folder / "phones.csv")


@pytest.fixture
def extract(shared_data: Path, tmp_path: Path) -> Extract:
    folder = tmp_path / "baltimore-extract"
    shutil.copytree(shared_data / "baltimore-211", folder)
    return Extract(folder)


def test_an_ohana_extract_loads_what_is_valid_and_lists_each_record_left_out_once(
    cli_env: dict[str, str], extract: Extract, shared_data: Path, tmp_path: Path,
) -> None:
    assert extract.locations and extract.orphan_services and extract.addresses

    refused = _cli(cli_env, "load", "ohana", str(extract.folder), "--dataset-id", "bmore", check=False)
    assert refused.returncode == 1 and "--skip-invalid" in refused.stderr
    assert db_stats(cli_env)["labels"].get("Service", 0) == 0

    rejects = tmp_path / "bmore-rejects.csv"
    loaded = _cli(cli_env, "load", "ohana", str(extract.folder), "--dataset-id", "bmore", "--skip-invalid",
                  "--rejects", str(rejects), check=False)
    assert loaded.returncode == 3, loaded.stdout + loaded.stderr
    report = csv_dicts(rejects)
    records = [(r["record_kind"], r["record_id"]) for r in report]
    assert len(records) == len(set(records))  # each record once
    by_kind: dict[str, set[str]] = {}
    for kind, record_id in records:
        by_kind.setdefault(kind, set()).add(record_id)
    assert by_kind["location"] == extract.locations
    assert by_kind["service"] == extract.services
    assert by_kind["address"] == extract.addresses
    assert by_kind.get("mail_address", set()) == extract.mail_addresses
    assert "organization" not in by_kind  # the cut ones are not in the file; the rest are valid
    assert all(r["severity"] == "error" for r in report)
    lines = {(r["record_kind"], r["record_id"]): r for r in report}
    for location in extract.locations:
        line = lines[("location", location)]
        assert (line["file"], line["field"]) == ("locations.csv", "organization_id")
        assert line["message"].startswith("no organization with id")
    unnamed = lines[("service", extract.unnamed)]
    assert (unnamed["file"], unnamed["field"], unnamed["message"]) == ("services.csv", "name",
                                                                        "required value is missing")
    for service in extract.orphan_services:
        line = lines[("service", service)]
        assert line["file"] == "services.csv" and line["field"] == "location_id"
        assert line["message"].startswith("its location ") and "no organization with id" in line["message"]
    for kind in ("address", "mail_address", "phone", "contact"):
        assert all(lines[(kind, i)]["message"].startswith("skipped: its ") for i in by_kind.get(kind, ()))
    # each phone left out belonged to a record left out
    phones = {p["id"]: p for p in extract.phones}
    for phone in by_kind.get("phone", ()):
        row = phones[phone]
        assert (row["service_id"] in extract.services or row["location_id"] in extract.locations
                or row["contact_id"] in by_kind.get("contact", set())), row

    full = csv_dicts(shared_data / "baltimore-211" / "organizations.csv")
    labels = db_stats(cli_env)["labels"]
    assert labels["Organization"] == len(full) - len(extract.dropped)
    assert labels["Location"] == 1482 - len(extract.locations)
    assert labels["Service"] == 1876 - len(extract.services)
    assert labels["ServiceAtLocation"] == 1875 - len(extract.services)  # one service of the export has none
    # Phones of a cut organization that name nothing else belong to nothing loaded: warnings, as before.
    only_theirs = sum(1 for p in extract.phones if p["organization_id"] in extract.dropped
                      and not (p["service_id"] or p["location_id"]))
    rejected_phones = len(by_kind.get("phone", ()))
    assert 7157 - rejected_phones - only_theirs <= labels["Phone"] <= 7157 - rejected_phones

    stats = db_stats(cli_env)
    again = _cli(cli_env, "load", "ohana", str(extract.folder), "--dataset-id", "bmore", "--skip-invalid",
                 "--rejects", str(rejects), check=False)
    assert again.returncode == 3
    assert db_stats(cli_env) == stats  # idempotent
    assert csv_dicts(rejects) == report


def test_an_ohana_extract_without_problems_exits_0_under_skip_invalid(
    cli_env: dict[str, str], shared_data: Path, tmp_path: Path,
) -> None:
    rejects = tmp_path / "none.csv"
    loaded = _cli(cli_env, "load", "ohana", str(shared_data / "baltimore-211"), "--dataset-id", "bmore",
                  "--skip-invalid", "--rejects", str(rejects), check=False)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    labels = db_stats(cli_env)["labels"]
    assert (labels["Organization"], labels["Location"], labels["Service"]) == (748, 1482, 1876)
    assert not rejects.exists() or csv_dicts(rejects) == []
    assert labels["Phone"] == 7157
