"""End to end: `safetynet load mapped FILE… --mapping MAP.yaml` (docs/mapping.md) in subprocesses on a real embedded
database of each engine (`cli_env`): a small fictional provider spreadsheet loads, the graph counts what its rows
make, and loading it again changes nothing; a mapping with a mistake exits 1 naming MAP.yaml:LINE and loads
nothing; a file that is mostly invalid is refused under --max-rejects and, without it, loads its one valid record
and lists the others in the rejects report. Two databases per engine (CI time is tight)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from loaders.rejects import COLUMNS
from tests.e2e.cli import csv_dicts, db_stats
from tests.e2e.cli import run_cli as _cli

# ------------------------------------------------------------------------------ a small provider spreadsheet

HEADER = ["provider_id", "provider", "service_code", "service", "hours", "languages", "street", "city", "state",
          "zip", "phone"]
PROVIDERS = [
    ["P1", "Northside Food Bank", "BD-1800.2000", "Groceries", "Mon-Fri 9am-5pm", "English, Spanish", "12 Main St",
     "Springfield", "IL", "62701", "217-555-0101"],
    ["P1", "Northside Food Bank", "BD-5000.8300", "Hot meals", "Tues & Thurs 1pm-4pm", "English", "12 Main St",
     "Springfield", "IL", "62701", "217-555-0101"],
    ["P2", "Lincoln Tenant Union", "BH-1800.8500", "Deposit help", "By appointment", "French; Arabic",
     "40 Lincoln Ave", "Springfield", "IL", "62702", "217-555-0202"],
    ["P3", "Prairie Health Outreach", "LH-2700.6000", "Home visits", "Mon-Fri 8:30am-4:30pm; Sat 10am-2pm",
     "English, Vietnamese", "9 Prairie Rd", "Springfield", "IL", "62703", "217-555-0303"],
    ["P3", "Prairie Health Outreach", "BD-1800.2000", "Pantry shelf", "Wed 6pm-8pm", "Spanish", "9 Prairie Rd",
     "Springfield", "IL", "62703", "217-555-0303"],
]
SLOTS = {"Mon-Fri 9am-5pm": 1, "Tues & Thurs 1pm-4pm": 1, "By appointment": 1,  # in words: one schedule
         "Mon-Fri 8:30am-4:30pm; Sat 10am-2pm": 2, "Wed 6pm-8pm": 1}
LANGUAGE_CODES = {"English": "en", "Spanish": "es", "French": "fr", "Arabic": "ar", "Vietnamese": "vi"}

MAPPING = """\
version: 1
objects:
  provider:
    table: organization
    key: "{provider_id}"
    fields:
      name: provider
      description: {value: "Member of the Springfield coalition"}
  service:
    table: service
    key: "{provider_id}-{service_code}"
    fields:
      name: service
      status: {value: active}
    links:
      organization_id: provider
    taxonomy:
      - {column: service_code, vocabulary: airs}
  site:
    table: location
    key: "{provider_id}"
    fields:
      location_type: {value: physical}
      name: provider
    links:
      organization_id: provider
  site_address:
    table: address
    key: "{provider_id}"
    fields:
      address_1: street
      city: city
      state_province: state
      postal_code: zip
      country: {value: US}
      address_type: {value: physical}
    links:
      location_id: site
  site_phone:
    table: phone
    key: "{provider_id}"
    fields:
      number: phone
    links:
      location_id: site
  offered_at:
    table: service_at_location
    key: "{provider_id}-{service_code}"
    links: {service_id: service, location_id: site}
  hours:
    table: schedule
    read: {hours: hours}
    key: "{provider_id}-{service_code}"
    links: {service_id: service}
  language:
    table: language
    read: {languages: languages}
    key: "{provider_id}-{service_code}"
    links: {service_id: service}
"""


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _line_of(needle: str, text: str) -> int:
    found = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def _airs_chain(code: str) -> list[str]:
    """`BD-1800.2000` → BD-1800.2000, BD-1800, BD, B (by hand: cut at `.`, then `-`, then the first letter)."""
    out = [code, code.split(".")[0]] if "." in code else [code]
    return [*out, out[-1].split("-")[0], code[0]]


def test_a_mapped_spreadsheet_loads_counts_what_its_rows_make_and_loads_again_unchanged(
    cli_env: dict[str, str], tmp_path: Path,
) -> None:
    data = _write_csv(tmp_path / "providers.csv", HEADER, PROVIDERS)
    mapping = tmp_path / "providers.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    load = ("load", "mapped", str(data), "--mapping", str(mapping), "--dataset-id", "springfield")

    first = _cli(cli_env, *load)
    said = " ".join((first.stdout + first.stderr).split())  # as printed, wrapped to the terminal's width
    assert "3 location(s) without coordinates" in said and said.count("no coordinates") == 3, said
    stats = db_stats(cli_env)
    labels, rels = stats["labels"], stats["relationships"]
    providers = {r[0] for r in PROVIDERS}
    services = {(r[0], r[2]) for r in PROVIDERS}
    codes = {r[2] for r in PROVIDERS}
    offered = sum(len(re.split(r"[,;]", r[5])) for r in PROVIDERS)
    expected = {"Organization": len(providers), "Service": len(services), "Location": len(providers),
                "Address": len(providers), "Phone": len(providers), "ServiceAtLocation": len(services),
                "Schedule": sum(SLOTS[r[4]] for r in PROVIDERS),
                "Language": len({LANGUAGE_CODES[n.strip()] for r in PROVIDERS for n in re.split(r"[,;]", r[5])}),
                "TaxonomyTerm": len({c for code in codes for c in _airs_chain(code)})}
    assert {label: labels.get(label, 0) for label in expected} == expected, labels
    expected_rels = {"PROVIDES": len(services), "HAS_LOCATION": len(providers), "HAS_ADDRESS": len(providers),
                     "HAS_PHONE": len(providers), "DELIVERED_AT": len(services), "AT": len(services),
                     "HAS_SCHEDULE": expected["Schedule"], "OFFERED_IN": offered,
                     "BROADER": expected["TaxonomyTerm"] - len({c[0] for c in codes})}  # all but the top letters
    assert {t: rels.get(t, 0) for t in expected_rels} == expected_rels, rels
    assert rels.get("TAGGED", 0) >= len(services)  # each service its code (and what its text adds)

    # Mistakes in the mapping: exit 1, each named MAP.yaml:LINE, nothing read or loaded (another dataset id, so
    # anything loaded would show in the counts). One the mapping shows by itself, one only the header shows.
    for old, new in (("      name: service", "      nmae: service"), ("      postal_code: zip",
                                                                      "      postal_code: zip_code")):
        broken_text = MAPPING.replace(old, new)
        broken = tmp_path / "broken.yaml"
        broken.write_text(broken_text, encoding="utf-8")
        refused = _cli(cli_env, "load", "mapped", str(data), "--mapping", str(broken), "--dataset-id", "other",
                       check=False)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"broken.yaml:{_line_of(new.strip(), broken_text)}:" in refused.stderr, refused.stderr

    again = _cli(cli_env, *load)
    assert again.returncode == 0
    assert db_stats(cli_env) == stats  # idempotent, and nothing came of the broken mappings


# ------------------------------------------------------------------------------- a file that is mostly invalid

AGENCY_HEADER = ["agency_id", "agency_name", "about", "program"]
AGENCY_MAPPING = """\
version: 1
objects:
  agency:
    table: organization
    key: "{agency_id}"
    fields:
      name: agency_name
      description: about
  program:
    table: service
    key: "{agency_id}"
    fields:
      name: program
      status: {value: active}
    links:
      organization_id: agency
"""


def test_a_mostly_invalid_file_is_refused_under_max_rejects_and_loads_its_valid_record_without_it(
    cli_env: dict[str, str], tmp_path: Path,
) -> None:
    rows = [[f"A{n}", "Harbor Shelter" if n == 1 else "", f"Agency number {n}", f"Program {n}"] for n in range(1, 11)]
    data = _write_csv(tmp_path / "agencies.csv", AGENCY_HEADER, rows)
    mapping = tmp_path / "agencies.yaml"
    mapping.write_text(AGENCY_MAPPING, encoding="utf-8")
    load = ("load", "mapped", str(data), "--mapping", str(mapping), "--dataset-id", "harbor", "--skip-invalid")
    rejects = tmp_path / "harbor-rejects.csv"

    refused = _cli(cli_env, *load, "--rejects", str(rejects), "--max-rejects", "50%", check=False)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    before = db_stats(cli_env)["labels"]
    assert before.get("Organization", 0) == 0 and before.get("Service", 0) == 0, before

    loaded = _cli(cli_env, *load, "--rejects", str(rejects), check=False)
    assert loaded.returncode == 3, loaded.stdout + loaded.stderr
    with rejects.open(newline="", encoding="utf-8-sig") as handle:
        assert tuple(next(csv.reader(handle))) == COLUMNS == (
            "file", "row", "field", "severity", "message", "record_kind", "record_id")
    report = csv_dicts(rejects)
    nameless = [r for r in rows if not r[1]]
    # one line per record left out: each nameless agency, and the program that cannot stand without it
    expected = {("organization", f"harbor:agency:{r[0]}") for r in nameless} | {
        ("service", f"harbor:program:{r[0]}") for r in nameless}
    assert len(report) == len(expected) == 18
    assert {(r["record_kind"], r["record_id"]) for r in report} == expected
    rows_of = {f"harbor:agency:{r[0]}": str(n) for n, r in enumerate(rows, start=2)}
    for line in report:
        assert line["file"] == "agencies.csv" and line["severity"] == "error", line
        if line["record_kind"] == "organization":
            assert (line["row"], line["field"]) == (rows_of[line["record_id"]], "name"), line
            assert "required" in line["message"], line

    labels = db_stats(cli_env)["labels"]
    assert (labels.get("Organization", 0), labels.get("Service", 0)) == (1, 1), labels
