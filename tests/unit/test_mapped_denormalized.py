"""`load mapped` (docs/mapping.md) on a denormalized export of an old information-and-referral system: one row per
provider × service code, the provider's name, parent, address and phone repeated on each of its rows, hours,
languages, eligibility and the areas served as free text, AIRS codes, and no coordinates. A mapping written here
groups the rows into one organization, one site and one address per provider and one service per provider × code.

The export is fictional and built in the test; every expectation is counted from the rows written here, not from
the engine's own readers."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from loaders.mapped import MappedResult, parse_mapped
from loaders.plan import GraphPlan

NAMESPACE = "eastside"
FILE = "providers.csv"
COLUMNS = ("provider_id", "parent_provider_id", "provider_name", "service_code", "target_population",
           "service_name", "eligibility", "hours", "languages", "fees", "intake", "geography_served",
           "street", "city", "state", "zip", "phone")


@dataclass(frozen=True)
class Provider:
    id: str
    parent: str
    name: str
    street: str
    zip: str
    phone: str


PROVIDERS = {p.id: p for p in (
    Provider("P100", "", "Eastside Community Action", "400 East Capitol St NE", "20003", "202-555-0100"),
    Provider("P110", "P100", "Eastside Senior Center", "410 East Capitol St NE", "20003", "202-555-0110"),
    Provider("P120", "P100", "Eastside Youth Hub", "1200 Pennsylvania Ave SE", "20003", "202-555-0120"),
    Provider("P200", "", "Ward Six Legal Clinic", "700 Eighth St SE", "20003", "202-555-0200"),
    Provider("P300", "", "Riverside Food Pantry", "55 Anacostia Dr SE", "20020", "202-555-0300"),
    Provider("P310", "P300", "Riverside Food Pantry Annex", "80 Anacostia Dr SE", "20020", "202-555-0310"),
)}

# (provider, service code, target population code, service name, eligibility, hours, languages, fees, areas)
SERVICES: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    ("P100", "BD-1800.2000", "", "Emergency Food Pantry", "Residents of Ward 6", "Mon-Fri 9am-5pm",
     "English, Spanish", "Free", "Ward 6; Ward 7"),
    ("P100", "BH-1800.8500", "", "Rent Deposit Help", "Residents of Ward 6", "Tues & Thurs 1pm-4pm",
     "English", "Free", "Ward 6"),
    ("P100", "LH-2700.6000", "", "Home Health Referrals", "Seniors 60 and over", "By appointment",
     "English, Spanish", "Sliding scale", "Ward 6; Ward 7; Ward 8"),
    ("P100", "BM-6500.1500", "", "Clothing Closet", "Anyone", "Wed 6pm-8pm", "English", "Free", "Ward 6"),
    ("P100", "TJ-6500.8000", "", "Tax Preparation", "Residents of Ward 6", "By appointment", "English; Spanish",
     "Free", "Ward 6; Ward 7"),
    ("P110", "BD-5000.1500", "", "Home Delivered Meals", "Seniors 60 and over", "Mon-Fri 9am-5pm",
     "English", "Sliding scale", "Ward 6"),
    ("P110", "LH-2700.6000", "", "Home Health Aides", "Seniors 60 and over", "By appointment",
     "French; Arabic", "Sliding scale", "Ward 6; Ward 7"),
    ("P110", "PH-6200.1500", "", "Senior Center Activities", "Seniors 60 and over", "Daily 7am-7pm",
     "English, Vietnamese", "Free", "Ward 6"),
    ("P110", "BD-1800.2000", "", "Senior Grocery Bags", "Seniors 60 and over", "Tues & Thurs 1pm-4pm",
     "English", "Free", "Ward 6"),
    ("P120", "BH-1800.8500", "YF-5000", "Youth Housing Deposits", "Ages 18-24, youth leaving care",
     "Mon-Fri 8:30am-4:30pm; Sat 10am-2pm", "English, Spanish", "Free", "Ward 6; Ward 7"),
    ("P120", "ND-6500.1500", "YF-5000", "Job Readiness", "Ages 18-24, youth leaving care", "Wed 6pm-8pm",
     "English", "Free", "Ward 7"),
    ("P120", "LH-2700.6000", "YF-5000", "Youth Health Navigation", "Ages 18-24, youth leaving care",
     "By appointment", "Amharic", "Free", "Ward 6"),
    ("P120", "BD-1800.2000", "", "Youth Food Shelf", "Ages 18-24, youth leaving care", "Mon-Fri 9am-5pm",
     "English", "Free", "Ward 6"),
    ("P200", "FT-3200.3000", "", "Eviction Defense", "Residents of Ward 6", "Mon-Fri 9am-5pm",
     "English, Spanish", "Free", "Ward 6"),
    ("P200", "FT-1800.1500", "", "Benefits Appeals", "Residents of Ward 6", "Tues & Thurs 1pm-4pm",
     "French; Arabic", "Free", "Ward 6; Ward 7"),
    ("P200", "FT-6000.1500", "YF-5000", "Youth Record Sealing", "Ages 18-24, youth leaving care",
     "By appointment", "English", "Free", "Ward 6; Ward 7; Ward 8"),
    ("P200", "BH-1800.8500", "", "Tenant Deposit Advocacy", "Residents of Ward 6", "Wed 6pm-8pm",
     "English", "Sliding scale", "Ward 6"),
    ("P300", "BD-1800.2000", "", "Weekly Food Pantry", "Residents of Ward 6", "Mon-Fri 9am-5pm",
     "English, Spanish", "Free", "Ward 6; Ward 7"),
    ("P300", "BD-5000.8300", "", "Community Supper", "Anyone", "Wed 6pm-8pm", "English", "Free", "Ward 6"),
    ("P300", "BD-1800.1900", "", "Diaper Bank", "Residents of Ward 6", "Tues & Thurs 1pm-4pm",
     "English, Vietnamese", "Free", "Ward 6"),
    ("P300", "BM-6500.1500", "", "Coat Drive", "Anyone", "By appointment", "Spanish", "Free", "Ward 6; Ward 8"),
    ("P300", "BD-2400.1500", "", "Holiday Baskets", "Residents of Ward 6", "Daily 7am-7pm", "English",
     "Free", "Ward 6"),
    ("P310", "BD-1800.2000", "", "Annex Food Pantry", "Residents of Ward 6", "Mon-Fri 8:30am-4:30pm; Sat 10am-2pm",
     "French; Arabic", "Free", "Ward 7"),
    ("P310", "BD-5000.8300", "", "Annex Supper", "Anyone", "Wed 6pm-8pm", "English", "Free", "Ward 7; Ward 8"),
    ("P310", "LH-2700.6000", "YF-5000", "Annex Youth Clinic", "Ages 18-24, youth leaving care", "By appointment",
     "English, Spanish", "Sliding scale", "Ward 7"),
]
# Row 3 of P300's (the 21st data row) names the provider differently: a conflict, the first name is kept.
CONFLICTING = ("P300", "BD-1800.1900", "Riverside Food Pantry Inc.")

# What the hours texts written above mean, read by a person: (byday, opensAt, closesAt) per slot; None: no slot.
HOURS: dict[str, list[tuple[str, str, str]] | None] = {
    "Mon-Fri 9am-5pm": [("MO,TU,WE,TH,FR", "09:00", "17:00")],
    "Tues & Thurs 1pm-4pm": [("TU,TH", "13:00", "16:00")],
    "Wed 6pm-8pm": [("WE", "18:00", "20:00")],
    "Daily 7am-7pm": [("MO,TU,WE,TH,FR,SA,SU", "07:00", "19:00")],
    "Mon-Fri 8:30am-4:30pm; Sat 10am-2pm": [("MO,TU,WE,TH,FR", "08:30", "16:30"), ("SA", "10:00", "14:00")],
    "By appointment": None,
}
LANGUAGES = {"English": "en", "Spanish": "es", "French": "fr", "Arabic": "ar", "Vietnamese": "vi", "Amharic": "am"}

MAPPING = """\
version: 1
objects:
  provider:
    table: organization
    file: providers.csv
    key: "{provider_id}"
    fields:
      name: provider_name
      description: {template: "Provider {provider_id} of the Eastside resource directory"}
    links:
      parent_organization_id: {object: provider, key: "{parent_provider_id}"}
  service:
    table: service
    file: providers.csv
    key: "{provider_id}-{service_code}"
    fields:
      name: service_name
      status: {value: active}
      eligibility_description: eligibility
      fees_description: fees
      application_process: intake
    links:
      organization_id: provider
    taxonomy:
      - {column: service_code, vocabulary: airs}
      - {column: target_population, vocabulary: airs, split: ";"}
  site:
    table: location
    file: providers.csv
    key: "{provider_id}"
    fields:
      location_type: {value: physical}
      name: street
    links:
      organization_id: provider
  site_address:
    table: address
    file: providers.csv
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
    file: providers.csv
    key: "{provider_id}"
    fields:
      number: phone
    links:
      location_id: site
  offered_at:
    table: service_at_location
    file: providers.csv
    key: "{provider_id}-{service_code}"
    links: {service_id: service, location_id: site}
  hours:
    table: schedule
    file: providers.csv
    read: {hours: hours}
    key: "{provider_id}-{service_code}"
    links: {service_id: service}
  language:
    table: language
    file: providers.csv
    read: {languages: languages}
    key: "{provider_id}-{service_code}"
    links: {service_id: service}
  area:
    table: service_area
    file: providers.csv
    each: {column: geography_served, split: ";"}
    key: "{provider_id}-{service_code}-{$item}"
    fields:
      name: {template: "{$item}"}
    links: {service_id: service}
"""


def export_rows() -> list[dict[str, str]]:
    rows = []
    for provider_id, code, target, name, eligibility, hours, languages, fees, areas in SERVICES:
        p = PROVIDERS[provider_id]
        provider_name = CONFLICTING[2] if (provider_id, code) == CONFLICTING[:2] else p.name
        rows.append({
            "provider_id": p.id, "parent_provider_id": p.parent, "provider_name": provider_name,
            "service_code": code, "target_population": target, "service_name": name, "eligibility": eligibility,
            "hours": hours, "languages": languages, "fees": fees, "intake": "Call to book",
            "geography_served": areas, "street": p.street, "city": "Washington", "state": "DC", "zip": p.zip,
            "phone": p.phone,
        })
    return rows


def write_export(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / FILE
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(export_rows())
    mapping = folder / "providers.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return data, mapping


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> MappedResult:
    data, mapping = write_export(tmp_path_factory.mktemp("mapped") / "export")
    return parse_mapped([data], mapping, namespace=NAMESPACE)


def rid(name: str, key: str) -> str:
    return f"{NAMESPACE}:{name}:{key}"


def service_key(provider_id: str, code: str) -> str:
    return f"{provider_id}-{code}"


def targets(plan: GraphPlan, key: tuple[str, str, str], source: str) -> list[dict[str, Any]]:
    """The relationships of type `key` from node `source`."""
    return [rel for rel in plan.relationships.get(key, {}).values() if rel["from"] == source]


def airs_chain(code: str) -> list[str]:
    """`BD-1800.2000` → [BD-1800.2000, BD-1800, BD, B], written out by hand: cut at the last `.`, then `-`, then
    keep the letters, then the first letter."""
    out = [code]
    if "." in code:
        out.append(code.rsplit(".", 1)[0])
    if "-" in out[-1]:
        out.append(out[-1].split("-", 1)[0])
    if len(out[-1]) == 2:
        out.append(out[-1][0])
    return out


# ----------------------------------------------------------------------------------------------- the tests


def test_the_rows_are_counted_and_the_result_says_it_is_mapped(parsed: MappedResult) -> None:
    assert parsed.format == "mapped"
    assert parsed.records == len(SERVICES)
    assert not parsed.report.errors, [str(p) for p in parsed.report.errors]


def test_rows_group_into_one_organization_site_and_address_per_provider_and_one_service_per_code(
    parsed: MappedResult,
) -> None:
    nodes = parsed.plan.nodes
    providers = {row[0] for row in SERVICES}
    services = {(row[0], row[1]) for row in SERVICES}
    assert len(services) == len(SERVICES)  # one row per provider × code, as the export is
    assert set(nodes["Organization"]) == {rid("provider", p) for p in providers}
    assert set(nodes["Location"]) == {rid("site", p) for p in providers}
    assert set(nodes["Address"]) == {rid("site_address", p) for p in providers}
    assert set(nodes["Phone"]) == {rid("site_phone", p) for p in providers}
    assert set(nodes["Service"]) == {rid("service", service_key(*s)) for s in services}
    assert set(nodes["ServiceAtLocation"]) == {rid("offered_at", service_key(*s)) for s in services}

    rels = parsed.plan.relationships
    provides = {(r["from"], r["to"]) for r in rels[("Organization", "PROVIDES", "Service")].values()}
    assert provides == {(rid("provider", p), rid("service", service_key(p, c))) for p, c in services}
    has_location = {(r["from"], r["to"]) for r in rels[("Organization", "HAS_LOCATION", "Location")].values()}
    assert has_location == {(rid("provider", p), rid("site", p)) for p in providers}
    has_address = {(r["from"], r["to"]) for r in rels[("Location", "HAS_ADDRESS", "Address")].values()}
    assert has_address == {(rid("site", p), rid("site_address", p)) for p in providers}
    at = {(r["from"], r["to"]) for r in rels[("ServiceAtLocation", "AT", "Location")].values()}
    assert at == {(rid("offered_at", service_key(p, c)), rid("site", p)) for p, c in services}
    delivered = {(r["from"], r["to"]) for r in rels[("Service", "DELIVERED_AT", "ServiceAtLocation")].values()}
    assert delivered == {(rid("service", service_key(p, c)), rid("offered_at", service_key(p, c)))
                         for p, c in services}
    phones = {(r["from"], r["to"]) for r in rels[("Location", "HAS_PHONE", "Phone")].values()}
    assert phones == {(rid("site", p), rid("site_phone", p)) for p in providers}

    for p in providers:
        provider = PROVIDERS[p]
        assert nodes["Address"][rid("site_address", p)]["props"] == {
            "address1": provider.street, "city": "Washington", "stateProvince": "DC", "postalCode": provider.zip,
            "country": "US", "addressType": "physical"}
        assert nodes["Phone"][rid("site_phone", p)]["props"]["number"] == provider.phone
        assert nodes["Location"][rid("site", p)]["props"]["locationType"] == "physical"
    for p, code, _, name, eligibility, _, _, fees, _ in SERVICES:
        props = nodes["Service"][rid("service", service_key(p, code))]["props"]
        assert (props["name"], props["status"], props["feesDescription"], props["applicationProcess"]) == (
            name, "active", fees, "Call to book")
        assert props["eligibilityDescription"] == eligibility


def test_parent_providers_become_parent_of_links(parsed: MappedResult) -> None:
    parent_of = parsed.plan.relationships[("Organization", "PARENT_OF", "Organization")]
    expected = {(rid("provider", p.parent), rid("provider", p.id)) for p in PROVIDERS.values() if p.parent}
    assert len(expected) == 3
    assert {(r["from"], r["to"]) for r in parent_of.values()} == expected


def test_a_provider_named_differently_on_one_row_is_one_warning_naming_both_rows_and_the_first_name_is_kept(
    parsed: MappedResult,
) -> None:
    rows = export_rows()
    first = next(i for i, r in enumerate(rows, start=2) if r["provider_id"] == CONFLICTING[0])
    later = next(i for i, r in enumerate(rows, start=2) if (r["provider_id"], r["service_code"]) == CONFLICTING[:2])
    assert first < later
    conflicts = [p for p in parsed.report.problems if "differs" in p.message]
    assert len(conflicts) == 1, [str(p) for p in conflicts]
    (conflict,) = conflicts
    assert conflict in parsed.report.warnings
    assert conflict.file == FILE
    named = {conflict.row} | {int(n) for n in re.findall(r"\brow (\d+)", conflict.message)}
    assert named == {first, later}, str(conflict)
    assert "first value is kept" in conflict.message
    org = parsed.plan.nodes["Organization"][rid("provider", CONFLICTING[0])]
    assert org["props"]["name"] == PROVIDERS[CONFLICTING[0]].name


def test_hours_text_becomes_weekly_schedules_and_unreadable_hours_a_schedule_in_words(parsed: MappedResult) -> None:
    plan = parsed.plan
    expected_count = 0
    for p, code, _, _, _, hours, _, _, _ in SERVICES:
        service = rid("service", service_key(p, code))
        schedules = [plan.nodes["Schedule"][r["to"]]["props"]
                     for r in targets(plan, ("Service", "HAS_SCHEDULE", "Schedule"), service)]
        slots = HOURS[hours]
        if slots is None:
            assert len(schedules) == 1, (service, schedules)
            assert schedules[0]["description"] == hours
            assert "byday" not in schedules[0] and "opensAt" not in schedules[0]
            expected_count += 1
            continue
        got = sorted((s["byday"], s["opensAt"], s["closesAt"]) for s in schedules)
        assert got == sorted(slots), (service, hours)
        assert all(s["freq"] == "WEEKLY" for s in schedules)
        expected_count += len(slots)
    assert len(plan.nodes["Schedule"]) == expected_count
    assert all(sid.startswith(rid("hours", "")) for sid in plan.nodes["Schedule"])


def test_languages_named_in_text_become_iso_codes(parsed: MappedResult) -> None:
    plan = parsed.plan
    everything: set[str] = set()
    for p, code, _, _, _, _, languages, _, _ in SERVICES:
        named = {LANGUAGES[name.strip()] for name in re.split(r"[,;]", languages)}
        everything |= named
        service = rid("service", service_key(p, code))
        got = {r["to"] for r in targets(plan, ("Service", "OFFERED_IN", "Language"), service)}
        assert got == named, (service, languages)
    assert set(plan.nodes["Language"]) == everything


def test_each_area_served_is_a_service_area(parsed: MappedResult) -> None:
    plan = parsed.plan
    total = 0
    for p, code, _, _, _, _, _, _, areas in SERVICES:
        names = [a.strip() for a in areas.split(";")]
        total += len(names)
        service = rid("service", service_key(p, code))
        got = [plan.nodes["ServiceArea"][r["to"]]["props"]["name"]
               for r in targets(plan, ("Service", "SERVES_AREA", "ServiceArea"), service)]
        assert sorted(got) == sorted(names), (service, areas)
    assert len(plan.nodes["ServiceArea"]) == total
    assert {n["props"]["name"] for n in plan.nodes["ServiceArea"].values()} == {"Ward 6", "Ward 7", "Ward 8"}


def test_airs_codes_tag_services_with_their_whole_broader_chain(parsed: MappedResult) -> None:
    plan = parsed.plan
    codes = {row[1] for row in SERVICES} | {row[2] for row in SERVICES if row[2]}
    for p, code, target, *_ in SERVICES:
        service = rid("service", service_key(p, code))
        tags = {r["to"]: r["props"].get("linkType") for r in targets(plan, ("Service", "TAGGED", "TaxonomyTerm"),
                                                                      service) if r["to"].startswith("airs:")}
        expected = {f"airs:{code}": "need"}
        if target:
            expected[f"airs:{target}"] = "eligibility"
        assert tags == expected, (service, tags)

    terms = {f"airs:{c}" for code in codes for c in airs_chain(code)}
    assert {t for t in plan.nodes["TaxonomyTerm"] if t.startswith("airs:")} == terms
    broader = {(r["from"], r["to"]) for r in plan.relationships[("TaxonomyTerm", "BROADER", "TaxonomyTerm")].values()}
    expected_broader = {(f"airs:{chain[i]}", f"airs:{chain[i + 1]}")
                        for code in codes for chain in [airs_chain(code)] for i in range(len(chain) - 1)}
    assert broader == expected_broader
    # the chain of one code, walked link by link
    step, walked = "airs:BD-1800.2000", ["airs:BD-1800.2000"]
    up = dict(broader)
    while step in up:
        step = up[step]
        walked.append(step)
    assert walked == ["airs:BD-1800.2000", "airs:BD-1800", "airs:BD", "airs:B"]
    assert airs_chain("YF-5000") == ["YF-5000", "YF", "Y"]
    assert {("airs:YF-5000", "airs:YF"), ("airs:YF", "airs:Y")} <= broader


def test_each_location_without_coordinates_is_one_warning_and_counted_unplaced(parsed: MappedResult) -> None:
    locations = parsed.plan.nodes["Location"]
    assert parsed.unplaced == len(locations) == len(PROVIDERS)
    assert all("point" not in n["props"] and "latitude" not in n["props"] for n in locations.values())
    unplaced = [p for p in parsed.report.warnings if "differs" not in p.message
                and re.search(r"coordinat|latitude|longitude|point", p.message, re.IGNORECASE)]
    assert len(unplaced) == len(locations), [str(p) for p in unplaced]
    assert all(p.file == FILE for p in unplaced)
    # one per location, each naming it (so --skip-invalid --strict would leave out that location only)
    assert sorted(p.node for p in unplaced if p.node) == sorted(("Location", lid) for lid in locations)


def test_parsing_twice_gives_the_same_plan(parsed: MappedResult, tmp_path: Path) -> None:
    data, mapping = write_export(tmp_path / "again")
    again = parse_mapped([data], mapping, namespace=NAMESPACE)
    assert _plain(again.plan) == _plain(parsed.plan)
    # the same problems (about a file of the same name), in the same order
    assert [(p.file, p.row, p.field, p.message, p.severity) for p in again.report.problems] == [
        (p.file, p.row, p.field, p.message, p.severity) for p in parsed.report.problems]
    third = parse_mapped([data], mapping, namespace=NAMESPACE)
    assert _plain(third.plan) == _plain(again.plan)
    assert list(third.plan.nodes["Service"]) == list(again.plan.nodes["Service"])  # in the same order too


def _plain(plan: GraphPlan) -> tuple[dict[str, Any], dict[Any, Any]]:
    return ({label: dict(rows) for label, rows in plan.nodes.items() if rows},
            {key: dict(rows) for key, rows in plan.relationships.items() if rows})
