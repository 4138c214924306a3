"""End to end: `safetynet load hsds … --skip-invalid` on a generated demo city with some rows broken, in subprocesses
on a real embedded database of each engine (`cli_env`): what is valid is loaded, every record left out is listed
once in the rejects report with why, and nothing in the graph points at what was left out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.e2e.cli import csv_dicts, db_stats
from tests.e2e.cli import run_cli as _cli

# Which records cannot stand without which (table file -> reference column -> the file it names), as the graph's
# owning links say (loaders.skipping DEPENDS_ON), written out here from the HSDS tables the demo city has.
OWNERS: dict[str, dict[str, str]] = {
    "services.csv": {"organization_id": "organizations.csv"},
    "programs.csv": {"organization_id": "organizations.csv"},
    "organization_identifiers.csv": {"organization_id": "organizations.csv"},
    "locations.csv": {"organization_id": "organizations.csv"},
    "service_at_location.csv": {"service_id": "services.csv", "location_id": "locations.csv"},
    "addresses.csv": {"location_id": "locations.csv"},
    "accessibility.csv": {"location_id": "locations.csv"},
    "phones.csv": {"organization_id": "organizations.csv", "service_id": "services.csv",
                   "location_id": "locations.csv", "contact_id": "contacts.csv",
                   "service_at_location_id": "service_at_location.csv"},
    "contacts.csv": {"organization_id": "organizations.csv", "service_id": "services.csv",
                     "location_id": "locations.csv", "service_at_location_id": "service_at_location.csv"},
    "schedules.csv": {"service_id": "services.csv", "location_id": "locations.csv",
                      "service_at_location_id": "service_at_location.csv"},
    "service_areas.csv": {"service_id": "services.csv"},
    "cost_options.csv": {"service_id": "services.csv"},
    "required_documents.csv": {"service_id": "services.csv"},
    "funding.csv": {"organization_id": "organizations.csv", "service_id": "services.csv"},
}
KINDS = {"organizations.csv": "organization", "services.csv": "service", "programs.csv": "program",
         "organization_identifiers.csv": "organization_identifier", "locations.csv": "location",
         "service_at_location.csv": "service_at_location", "addresses.csv": "address",
         "accessibility.csv": "accessibility", "phones.csv": "phone", "contacts.csv": "contact",
         "schedules.csv": "schedule", "service_areas.csv": "service_area", "cost_options.csv": "cost_option",
         "required_documents.csv": "required_document", "funding.csv": "funding"}
LABELS = {"organizations.csv": "Organization", "services.csv": "Service", "locations.csv": "Location",
          "service_at_location.csv": "ServiceAtLocation", "phones.csv": "Phone", "schedules.csv": "Schedule",
          "contacts.csv": "Contact", "addresses.csv": "Address"}


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _left_out(data: Path, invalid: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The records (file, id) that cannot be loaded: the invalid ones and, until nothing more falls, every record
    naming one of them in an owning reference."""
    gone = set(invalid)
    tables = {name: csv_dicts(data / name) for name in KINDS}
    while True:
        more = {(name, row["id"]) for name, owners in OWNERS.items() for row in tables[name]
                if (name, row["id"]) not in gone
                and any((target, row.get(column) or "") in gone for column, target in owners.items())}
        if not more:
            return gone
        gone |= more


@pytest.fixture
def broken_city(cli_env: dict[str, str], tmp_path: Path) -> tuple[Path, set[tuple[str, str]], str]:
    """(a demo city with broken rows, the records (file, id) that cannot be loaded, the phone that names a service
    the city does not have). Broken: an organization without a name, a location without its type, a service at
    location naming a service that is not there; and a phone naming such a service (a warning: it loads unlinked).
    """
    data = tmp_path / "city"
    _cli(cli_env, "generate", "demo", str(data), "--services", "200")
    orgs, services = csv_dicts(data / "organizations.csv"), csv_dicts(data / "services.csv")
    providers = {s["organization_id"] for s in services}
    org = next(o for o in orgs if o["id"] in providers)
    org["name"] = ""
    _write(data / "organizations.csv", orgs)

    at = csv_dicts(data / "service_at_location.csv")
    places = [a["location_id"] for a in at]
    locations = csv_dicts(data / "locations.csv")
    location = next(loc for loc in locations if places.count(loc["id"]) >= 2)
    location["location_type"] = ""
    _write(data / "locations.csv", locations)
    stray = next(a for a in at if a["location_id"] != location["id"])
    stray["service_id"] = "no-such-service"
    _write(data / "service_at_location.csv", at)

    phones = csv_dicts(data / "phones.csv")
    lone = next(p for p in phones if p["service_id"] and not any(
        p[c] for c in ("location_id", "organization_id", "contact_id", "service_at_location_id")))
    lone["service_id"] = "no-such-service-either"
    _write(data / "phones.csv", phones)
    invalid = {("organizations.csv", org["id"]), ("locations.csv", location["id"]),
               ("service_at_location.csv", stray["id"])}
    return data, _left_out(data, invalid), lone["id"]


def test_a_broken_city_loads_what_is_valid_and_lists_each_record_left_out_once(
    cli_env: dict[str, str], broken_city: tuple[Path, set[tuple[str, str]], str], tmp_path: Path,
) -> None:
    data, left_out, lone_phone = broken_city
    assert len(left_out) > 10  # the organization's services, their places, phones, schedules, …

    refused = _cli(cli_env, "load", "hsds", str(data), "--dataset-id", "city", check=False)
    assert refused.returncode == 1 and "--skip-invalid" in refused.stderr
    assert db_stats(cli_env)["labels"].get("Service", 0) == 0

    rejects = tmp_path / "rejects.csv"
    loaded = _cli(cli_env, "load", "hsds", str(data), "--dataset-id", "city", "--skip-invalid",
                  "--rejects", str(rejects), check=False)
    assert loaded.returncode == 3, loaded.stdout + loaded.stderr
    report = csv_dicts(rejects)
    assert len(report) == len(left_out)  # each record once
    assert {(r["file"], r["record_id"]) for r in report} == left_out
    assert all(r["record_kind"] == KINDS[r["file"]] and r["severity"] == "error" for r in report)
    by_id = {(r["file"], r["record_id"]): r for r in report}
    invalid = [r for r in report if not r["message"].startswith("skipped: its ")]
    assert sorted((r["file"], r["field"], r["message"]) for r in invalid) == [
        ("locations.csv", "location_type", "required value is missing"),
        ("organizations.csv", "name", "required value is missing"),
        ("service_at_location.csv", "service_id", "no service with id 'no-such-service'"),
    ]
    org_id = next(i for f, i in left_out if f == "organizations.csv")
    services = [i for f, i in left_out if f == "services.csv"]
    assert services and all(by_id[("services.csv", s)]["message"] == f"skipped: its organization {org_id} was skipped"
                            for s in services)

    stats = db_stats(cli_env)
    labels = stats["labels"]
    for name, label in LABELS.items():
        expected = len(csv_dicts(data / name)) - sum(1 for f, _ in left_out if f == name)
        assert labels.get(label, 0) == expected, label
    assert (("phones.csv", lone_phone)) not in left_out  # a phone naming no service is a warning: loaded, unlinked
    assert "no service with id 'no-such-service-either'; link skipped" in loaded.stdout + loaded.stderr

    again = _cli(cli_env, "load", "hsds", str(data), "--dataset-id", "city", "--skip-invalid",
                 "--rejects", str(rejects), check=False)
    assert again.returncode == 3
    assert db_stats(cli_env) == stats  # idempotent
    assert len(csv_dicts(rejects)) == len(left_out)


def test_strict_with_skip_invalid_rejects_the_phone_that_names_no_service_too(
    cli_env: dict[str, str], broken_city: tuple[Path, set[tuple[str, str]], str], tmp_path: Path,
) -> None:
    data, left_out, lone_phone = broken_city
    rejects = tmp_path / "rejects.csv"
    dry = _cli(cli_env, "load", "hsds", str(data), "--skip-invalid", "--strict", "--dry-run", "--rejects",
               str(rejects), check=False)
    assert dry.returncode == 3, dry.stdout + dry.stderr
    report = {(r["file"], r["record_id"]): r for r in csv_dicts(rejects)}
    assert report[("phones.csv", lone_phone)]["message"] == (
        "no service with id 'no-such-service-either'; link skipped")
    assert left_out <= set(report)
    assert db_stats(cli_env)["labels"].get("Service", 0) == 0  # a dry run writes nothing
