"""Graph records back out as HSDS 3.0 objects (queries/hsds_out.py + services/hsds/serialize.py), on the real engine.

The official examples are loaded the way the CLI loads them and serialized again: the result must
equal the example field by field, but for the differences named in `_as_loaded` (each with the reason
the graph cannot or does not keep that value). Every object serialized validates against its HSDS
schema (tests/hsds_schema.py: `$ref`s resolved locally, unknown fields refused); privacy and the
number of round trips are checked on small graphs and on the demo city.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from graph.engine import GraphEngine
from loaders.hsds import parse_hsds
from loaders.load import load_parsed
from loaders.plan import GraphPlan
from loaders.writer import write_plan
from queries import hsds_out
from services.hsds import serialize
from tests import hsds_schema
from tests.factories import CountingEngine

SERVICE = "ac148810-d857-441c-9679-408f346de14b"
ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
SERVICE_AT_LOCATION = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
LOCATION = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
TERM = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
TAXONOMY = "5c4d79d7-cc55-470e-9f1f-8cad074e4892"

JsonObject = dict[str, Any]




def _load(db: GraphEngine, path: Path) -> None:
    load_parsed(db, parse_hsds(path), dataset_id=path.stem, path=path)


def _example(examples: Path, name: str) -> JsonObject:
    data: JsonObject = json.loads((examples / name).read_text(encoding="utf-8"))
    return data


def _walk(obj: Any) -> list[JsonObject]:
    """Every object nested in `obj` (itself included)."""
    if isinstance(obj, dict):
        return [obj, *(o for value in obj.values() for o in _walk(value))]
    if isinstance(obj, list):
        return [o for item in obj for o in _walk(item)]
    return []


def _as_loaded(example: JsonObject, *, top: bool = True) -> JsonObject:
    """What serializing the loaded example must give: the example, changed where the graph does not
    keep a value as the example states it. Each change is a documented, deliberate difference."""
    expected = copy.deepcopy(example)
    for obj in _walk(expected):
        # The examples name a parent organization and a parent term they do not contain: the loader
        # skips a reference that resolves to nothing (a warning), so there is no parent to name.
        if obj.get("parent_organization_id") == "cd09a387-91f4-4555-94ec-e799c35344cd":
            del obj["parent_organization_id"]
        if obj.get("parent_id") == "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2":
            del obj["parent_id"]
        # The example location's latitude is 100: outside [-90, 90], dropped with its longitude at load.
        if obj.get("id") == LOCATION:
            obj.pop("latitude", None)
            obj.pop("longitude", None)
        # An attribute's link_entity is stored as the HSDS table of the record it tags (the example's
        # placeholder "link_entity" names no table).
        if "link_entity" in obj and "taxonomy_term" in obj:
            obj["link_entity"] = "service"
        # Change history (metadata) is not kept in the graph: nested copies are left out ...
        obj.pop("metadata", None)
    if top:
        # ... and the top-level object says so with `metadata: []`, after its `attributes` (always there).
        attributes = expected.pop("attributes", [])
        expected |= {"attributes": attributes, "metadata": []}
    return expected


def _diff(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Field-by-field differences, as readable paths (empty when equal)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out = []
        for key in sorted(set(ours) | set(theirs)):
            if key not in theirs:
                out.append(f"{path}/{key}: only serialized ({ours[key]!r:.60})")
            elif key not in ours:
                out.append(f"{path}/{key}: missing ({theirs[key]!r:.60})")
            else:
                out += _diff(ours[key], theirs[key], f"{path}/{key}")
        return out
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return [f"{path}: {len(ours)} items, expected {len(theirs)}"]
        return [d for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) for d in _diff(a, b, f"{path}[{i}]")]
    return [] if ours == theirs and type(ours) is type(theirs) else [f"{path}: {ours!r:.60} != {theirs!r:.60}"]


def _valid(obj: JsonObject | None, schema: str) -> JsonObject:
    """`obj`, checked against its HSDS schema where the shared schemas are at hand (tests that are about
    conformance itself are marked shared_data and skip without them; the others still check the rest)."""
    assert obj is not None
    if hsds_schema.SCHEMA_DIR.is_dir():
        assert hsds_schema.errors(obj, schema) == []
    return obj


# --- field mapping ---------------------------------------------------------------------------------------

def test_the_serializer_writes_exactly_the_fields_the_loader_reads() -> None:
    from loaders.hsds.models import REQUIRED_FIELDS, STORED_FIELDS, TABLES

    assert vars(serialize)["STORED_FIELDS"] is STORED_FIELDS  # one source: the serializer imports the spec
    assert vars(serialize)["REQUIRED_FIELDS"] is REQUIRED_FIELDS
    node_tables = {name for name, spec in TABLES.items() if spec.label is not None}
    assert set(STORED_FIELDS) == set(REQUIRED_FIELDS) == node_tables
    for name in node_tables:
        fields = TABLES[name].fields
        assert [n for n, _ in STORED_FIELDS[name]] == [f.name for f in fields if f.property_name is not None]
        assert set(REQUIRED_FIELDS[name]) == set(TABLES[name].required) - {"id"}
        assert set(REQUIRED_FIELDS[name]) <= {n for n, _ in STORED_FIELDS[name]}  # a default has a field to fill
    assert ("funding", "source") in [(t, n) for t, fs in STORED_FIELDS.items() for n, p in fs if p == "fundingSource"]


# --- the official examples, round trip ---------------------------------------------------------------

@pytest.mark.shared_data
def test_the_full_service_example_serializes_back_to_itself(db: GraphEngine, hsds_examples: Path) -> None:
    _load(db, hsds_examples / "service_full.json")
    graphs = hsds_out.service_graphs(db, ids=[SERVICE])
    ours = _valid(serialize.service_full(graphs[SERVICE], staff=False), "service")
    assert _diff(ours, _as_loaded(_example(hsds_examples, "service_full.json"))) == []
    assert list(ours)[:3] == ["id", "name", "alternate_name"]  # the schema's field order
    assert serialize.service_full(graphs[SERVICE], staff=True) == ours  # nothing in it is private


@pytest.mark.shared_data
def test_the_round_trip_comparison_notices_a_changed_value(db: GraphEngine, hsds_examples: Path) -> None:
    _load(db, hsds_examples / "service_full.json")
    db.write("MATCH (p:Phone) SET p.extension = 101")
    ours = serialize.service_full(hsds_out.service_graphs(db, ids=[SERVICE])[SERVICE], staff=False)
    found = _diff(ours, _as_loaded(_example(hsds_examples, "service_full.json")))
    assert "/phones[0]/extension: 101 != 100" in found and len(found) == 10  # every copy of the phone


@pytest.mark.shared_data
def test_the_full_organization_example_serializes_back_to_itself(db: GraphEngine, hsds_examples: Path) -> None:
    _load(db, hsds_examples / "organization_full.json")
    graphs = hsds_out.organization_graphs(db, ids=[ORGANIZATION], full_service=True)
    ours = _valid(serialize.organization_full(graphs[ORGANIZATION], staff=False, full_service=True), "organization")
    expected = _as_loaded(_example(hsds_examples, "organization_full.json"))
    assert _diff(ours, expected) == []
    flat = hsds_out.organization_graphs(db, ids=[ORGANIZATION])[ORGANIZATION]
    basic = _valid(serialize.organization_full(flat, staff=False, full_service=False), "organization")
    # flat services: their own fields only
    assert basic["services"] == [{k: v for k, v in expected["services"][0].items() if not isinstance(v, list | dict)}]
    assert {k: v for k, v in basic.items() if k != "services"} == {k: v for k, v in ours.items() if k != "services"}


@pytest.mark.shared_data
def test_the_full_service_at_location_example_serializes_back_to_itself(
        db: GraphEngine, hsds_examples: Path) -> None:
    _load(db, hsds_examples / "service_at_location_full.json")
    graphs = hsds_out.service_at_location_graphs(db, ids=[SERVICE_AT_LOCATION])
    ours = _valid(serialize.service_at_location_full(graphs[SERVICE_AT_LOCATION], staff=False),
                  "service_at_location")
    assert _diff(ours, _as_loaded(_example(hsds_examples, "service_at_location_full.json"))) == []


@pytest.mark.shared_data
def test_the_taxonomy_and_term_examples_serialize_back_to_themselves(db: GraphEngine, hsds_examples: Path) -> None:
    _load(db, hsds_examples / "service_full.json")
    term = _valid(serialize.taxonomy_term(hsds_out.taxonomy_terms(db, ids=[TERM, "nope"])[TERM]), "taxonomy_term")
    assert _diff(term, _as_loaded(_example(hsds_examples, "taxonomy_term.json"), top=False)) == []
    assert list(term) == ["id", "code", "name", "description", "taxonomy", "taxonomy_detail", "language", "term_uri"]
    (found,) = hsds_out.taxonomies(db)
    assert hsds_out.taxonomies(db, ids=[TAXONOMY]) == [found] and hsds_out.taxonomies(db, ids=["nope"]) == []
    taxonomy = _valid(serialize.taxonomy(found["id"], found), "taxonomy")
    assert _diff(taxonomy, _example(hsds_examples, "taxonomy.json")) == []


@pytest.mark.shared_data
def test_the_flat_forms_carry_only_one_to_one_fields(db: GraphEngine, hsds_examples: Path) -> None:
    _load(db, hsds_examples / "service_full.json")
    counting = CountingEngine(db)
    graphs = hsds_out.service_graphs(counting, ids=[SERVICE], nested=False)  # type: ignore[arg-type]
    assert counting.reads == 2
    summary = _valid(serialize.service_summary(graphs[SERVICE], staff=False), "service")
    listed = _as_loaded(_example(hsds_examples, "service_list.json")["contents"][0], top=False)
    assert _diff(summary, listed) == []
    basic = _valid(serialize.service_basic(graphs[SERVICE], staff=False), "service")
    assert basic == {"id": SERVICE, "organization_id": ORGANIZATION,
                     "program_id": "e7ec2e57-4540-43fa-b2c7-6be5a0ef7f42",
                     **{k: v for k, v in listed.items() if k not in ("id", "organization", "program")}}


@pytest.mark.shared_data
def test_the_example_csv_package_serializes_to_valid_objects(db: GraphEngine, hsds_examples: Path) -> None:
    _load(db, hsds_examples / "csv")
    service = _valid(serialize.service_full(hsds_out.service_graphs(db, ids=[SERVICE])[SERVICE], staff=True),
                     "service")
    assert [s["location"]["id"] for s in service["service_at_locations"]] == [LOCATION]
    assert service["organization"]["id"] == ORGANIZATION and service["languages"][0]["code"] == "ur"
    org = hsds_out.organization_graphs(db, ids=[ORGANIZATION], full_service=True)[ORGANIZATION]
    _valid(serialize.organization_full(org, staff=True, full_service=True), "organization")


def test_unknown_ids_are_simply_absent(db: GraphEngine) -> None:
    assert hsds_out.service_graphs(db, ids=["nope"]) == {}
    assert hsds_out.organization_graphs(db, ids=["nope"]) == {}
    assert hsds_out.service_at_location_graphs(db, ids=["nope"]) == {}
    assert hsds_out.taxonomy_terms(db, ids=["nope"]) == {}
    assert hsds_out.taxonomies(db) == []


# --- the demo city --------------------------------------------------------------------------------------

@pytest.mark.shared_data
@pytest.mark.parametrize("staff", [False, True])
def test_every_demo_service_and_organization_serializes_to_a_valid_hsds_object(
        demo_db: GraphEngine, shared_data: Path, staff: bool) -> None:
    ids = [r["id"] for r in demo_db.read("MATCH (s:Service) RETURN s.id AS id ORDER BY id")]
    assert len(ids) == 300
    graphs = hsds_out.service_graphs(demo_db, ids=ids)
    services = [serialize.service_full(graphs[i], staff=staff) for i in ids]
    for service in services:
        _valid(service, "service")
    assert sum(len(s["service_at_locations"]) for s in services if s) > 0
    assert any(s["attributes"] for s in services if s) and any(s["phones"] for s in services if s)
    orgs = [r["id"] for r in demo_db.read("MATCH (o:Organization) RETURN o.id AS id ORDER BY id")]
    for org in hsds_out.organization_graphs(demo_db, ids=orgs, full_service=True).values():
        _valid(serialize.organization_full(org, staff=staff, full_service=True), "organization")
    sites = [r["id"] for r in demo_db.read("MATCH (a:ServiceAtLocation) RETURN a.id AS id ORDER BY id LIMIT 50")]
    for site in hsds_out.service_at_location_graphs(demo_db, ids=sites).values():
        serialized = serialize.service_at_location_full(site, staff=staff)
        if serialized is not None:
            _valid(serialized, "service_at_location")
    terms = [r["id"] for r in demo_db.read("MATCH (t:TaxonomyTerm) RETURN t.id AS id")]
    for term in hsds_out.taxonomy_terms(demo_db, ids=terms).values():
        _valid(serialize.taxonomy_term(term), "taxonomy_term")


def test_a_page_of_services_costs_the_same_few_round_trips_as_one(demo_db: GraphEngine) -> None:
    ids = [r["id"] for r in demo_db.read("MATCH (s:Service) RETURN s.id AS id ORDER BY id LIMIT 20")]
    counts = []
    for some in (ids[:1], ids):
        counting = CountingEngine(demo_db)
        graphs = hsds_out.service_graphs(counting, ids=some)  # type: ignore[arg-type]
        assert len(graphs) == len(some)
        counts.append(counting.reads)
    assert counts[0] == counts[1] <= 7, counts
    orgs = [r["id"] for r in demo_db.read("MATCH (o:Organization) RETURN o.id AS id ORDER BY id LIMIT 20")]
    counting = CountingEngine(demo_db)
    hsds_out.organization_graphs(counting, ids=orgs, full_service=True)  # type: ignore[arg-type]
    assert counting.reads <= 7


# --- privacy --------------------------------------------------------------------------------------------

PRIVATE_LOCATION = ["address", "latitude", "longitude", "point"]


def _private_plan() -> GraphPlan:
    plan = GraphPlan()
    plan.add_node("Organization", "org", {"name": "Harbour House", "description": "Shelter and outreach"})
    plan.add_node("Location", "loc-shelter", {"name": "Harbour House shelter", "locationType": "physical",
                                              "latitude": 44.23, "longitude": -76.48, "staffOnly": PRIVATE_LOCATION})
    plan.add_node("Address", "addr-shelter", {"address1": "12 Quiet Lane", "city": "Kingston", "stateProvince": "ON",
                                              "postalCode": "K7L 1A1", "country": "CA", "addressType": "physical"})
    plan.add_relationship(("Location", "HAS_ADDRESS", "Address"), "loc-shelter", "addr-shelter")
    plan.add_node("Location", "loc-clinic", {"name": "Outreach office", "locationType": "physical",
                                             "latitude": 44.26, "longitude": -76.52})
    plan.add_node("Address", "addr-clinic", {"address1": "1 King St", "city": "Kingston", "stateProvince": "ON",
                                             "postalCode": "K7L 2A1", "country": "CA", "addressType": "physical",
                                             "staffOnly": ["address2"]})
    plan.add_relationship(("Location", "HAS_ADDRESS", "Address"), "loc-clinic", "addr-clinic")
    for location in ("loc-shelter", "loc-clinic"):
        plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), "org", location)
    plan.add_node("Service", "svc-beds", {"name": "Beds", "status": "active", "email": "beds@example.org",
                                          "staffOnly": ["email"], "minimumAge": 60, "maximumAge": 99,
                                          "eligibilityDescription": "Age 60 or over",
                                          "derivedFields": ["minimumAge"]})
    plan.add_node("Service", "svc-internal", {"name": "Intake desk", "status": "active", "staffOnly": ["*"]})
    for service in ("svc-beds", "svc-internal"):
        plan.add_relationship(("Organization", "PROVIDES", "Service"), "org", service)
    for service, location in (("svc-beds", "loc-shelter"), ("svc-beds", "loc-clinic"),
                              ("svc-internal", "loc-clinic")):
        site = f"{service}@{location}"
        plan.add_node("ServiceAtLocation", site, {})
        plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, site)
        plan.add_relationship(("ServiceAtLocation", "AT", "Location"), site, location)
    plan.add_node("Phone", "ph-public", {"number": "555-0100"})
    plan.add_node("Phone", "ph-intake", {"number": "555-0199", "staffOnly": ["number"]})
    plan.add_node("Contact", "ct-manager", {"name": "Ann", "email": "ann@example.org", "staffOnly": ["*"]})
    plan.add_relationship(("Service", "HAS_PHONE", "Phone"), "svc-beds", "ph-public")
    plan.add_relationship(("Service", "HAS_PHONE", "Phone"), "svc-beds", "ph-intake")
    plan.add_relationship(("Service", "HAS_CONTACT", "Contact"), "svc-beds", "ct-manager")
    return plan


@pytest.fixture
def private(db: GraphEngine) -> GraphEngine:
    write_plan(db, _private_plan(), dataset_id="private", fmt="test", path="memory")
    return db


def test_the_public_sees_no_private_value_record_or_confidential_location(private: GraphEngine) -> None:
    graphs = hsds_out.service_graphs(private, ids=["svc-beds", "svc-internal"])
    public = serialize.service_full(graphs["svc-beds"], staff=False)
    assert public is not None
    assert "email" not in public
    assert [p["number"] for p in public["phones"]] == ["555-0100"] and public["contacts"] == []
    assert [s["location"]["id"] for s in public["service_at_locations"]] == ["loc-clinic"]
    assert [loc["id"] for loc in public["organization"]["locations"]] == ["loc-clinic"]
    text = json.dumps(public)
    assert "loc-shelter" not in text and "12 Quiet Lane" not in text and "44.23" not in text
    assert serialize.service_full(graphs["svc-internal"], staff=False) is None
    org = hsds_out.organization_graphs(private, ids=["org"], full_service=True)["org"]
    assert [s["id"] for s in _valid(serialize.organization_full(org, staff=False, full_service=True),
                                    "organization")["services"]] == ["svc-beds"]
    sites = hsds_out.service_at_location_graphs(private, ids=["svc-beds@loc-shelter", "svc-internal@loc-clinic"])
    assert serialize.service_at_location_full(sites["svc-beds@loc-shelter"], staff=False) is None
    assert serialize.service_at_location_full(sites["svc-internal@loc-clinic"], staff=False) is None
    _valid(public, "service")


def test_staff_see_private_values_records_and_confidential_locations(private: GraphEngine) -> None:
    graphs = hsds_out.service_graphs(private, ids=["svc-beds", "svc-internal"])
    staff = _valid(serialize.service_full(graphs["svc-beds"], staff=True), "service")
    assert staff["email"] == "beds@example.org"
    assert sorted(p["number"] for p in staff["phones"]) == ["555-0100", "555-0199"]
    assert [c["id"] for c in staff["contacts"]] == ["ct-manager"]
    shelter = next(s["location"] for s in staff["service_at_locations"] if s["location"]["id"] == "loc-shelter")
    assert shelter["latitude"] == 44.23 and shelter["addresses"][0]["address_1"] == "12 Quiet Lane"
    assert _valid(serialize.service_full(graphs["svc-internal"], staff=True), "service")["name"] == "Intake desk"
    sites = hsds_out.service_at_location_graphs(private, ids=["svc-beds@loc-shelter"])
    site = _valid(serialize.service_at_location_full(sites["svc-beds@loc-shelter"], staff=True), "service_at_location")
    assert site["location"]["id"] == "loc-shelter" and site["service"]["id"] == "svc-beds"
    assert "service_at_locations" not in site["service"]


@pytest.mark.parametrize("staff", [False, True])
def test_values_the_project_derived_are_not_served_as_hsds_source_values(private: GraphEngine, staff: bool) -> None:
    graphs = hsds_out.service_graphs(private, ids=["svc-beds"])
    service = serialize.service_full(graphs["svc-beds"], staff=staff)
    assert service is not None
    assert "minimum_age" not in service and service["maximum_age"] == 99  # minimumAge was read from the text
    assert service["eligibility_description"] == "Age 60 or over"
    basic = serialize.service_basic(hsds_out.service_graphs(private, ids=["svc-beds"], nested=False)["svc-beds"],
                                    staff=staff)
    assert basic is not None and "minimum_age" not in basic


def test_required_fields_the_graph_lacks_are_filled_so_objects_stay_valid(db: GraphEngine) -> None:
    plan = GraphPlan()
    plan.add_node("Organization", "o", {"name": "No description"})
    plan.add_node("Service", "s", {"name": "No status"})
    plan.add_relationship(("Organization", "PROVIDES", "Service"), "o", "s")
    plan.add_node("Location", "l", {"name": "Somewhere"})
    plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), "o", "l")
    plan.add_node("Address", "a", {"address1": "1 Main St", "city": "Kingston"})
    plan.add_relationship(("Location", "HAS_ADDRESS", "Address"), "l", "a")
    write_plan(db, plan, dataset_id="sparse", fmt="test", path="memory")
    service = _valid(serialize.service_full(hsds_out.service_graphs(db, ids=["s"])["s"], staff=False), "service")
    assert service["status"] == "active" and service["organization"]["description"] == ""
    location = service["organization"]["locations"][0]
    assert location["location_type"] == "physical"
    assert location["addresses"][0] | {"id": "a"} == {
        "id": "a", "address_1": "1 Main St", "city": "Kingston", "state_province": "", "postal_code": "",
        "country": "", "address_type": "physical"}
