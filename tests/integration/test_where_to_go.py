"""Where a person is sent and which number they call, through the real schema on the real engine.

A location's `address` is only ever its physical (street) address, whatever order the graph returns
its addresses in; the postal one (a PO box) is `postalAddress`, and `addresses` lists them all with
their types. A service's `phones` are the numbers a person can call, nearest first: its own, then
those of the service at its (nearest) location and of that location, then its organization's, each
saying whose it is. The public sees neither a private number nor anything of a confidential location.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from domain.roles import Role
from graph.engine import GraphEngine
from loaders.plan import GraphPlan
from loaders.writer import write_plan
from queries import hsds_out
from services.hsds import serialize
from services.hsds.export import export_hsds
from tests.factories import run_graphql

NEAR_BOTH = {"latitude": 44.2300, "longitude": -76.4800}  # at loc-both
STREET = {"address1": "12 Princess St", "city": "Kingston", "addressType": "physical"}
PO_BOX = {"address1": "PO Box 1250", "city": "Kingston", "addressType": "postal"}


def _plan() -> GraphPlan:
    plan = GraphPlan()
    plan.add_node("Organization", "org", {"name": "Harbour Services"})
    plan.add_node("TaxonomyTerm", "need-food", {"name": "Food", "code": "FOOD"})
    places = {  # location -> (latitude, {address id: properties}, its own properties)
        "loc-physical": (44.2400, {"addr-physical": STREET}, {}),
        "loc-postal": (44.2500, {"addr-postal": PO_BOX}, {}),
        # ids chosen so that id order, or the engine's, would put the PO box first
        "loc-both": (44.2300, {"addr-a-po": PO_BOX, "addr-z-street": {**STREET, "address1": "40 Division St"}}, {}),
        "loc-two-streets": (44.2600, {"addr-2": {**STREET, "address1": "2 Second St"},
                                      "addr-1": {**STREET, "address1": "1 First St"}}, {}),
        "loc-shelter": (44.2310, {"addr-shelter": {**STREET, "address1": "9 Quiet Lane"},
                                  "addr-shelter-po": {**PO_BOX, "address1": "PO Box 77"}},
                        {"staffOnly": ["address", "latitude", "longitude", "point"]}),
    }
    for location, (latitude, addresses, extra) in places.items():
        plan.add_node("Location", location, {"name": location, "latitude": latitude, "longitude": -76.48, **extra})
        plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), "org", location)
        for address, props in addresses.items():
            plan.add_node("Address", address, props)
            plan.add_relationship(("Location", "HAS_ADDRESS", "Address"), location, address)
    services = {"svc-meals": ["loc-both", "loc-physical"], "svc-own": ["loc-both"], "svc-mail": ["loc-postal"],
                "svc-streets": ["loc-two-streets"], "svc-shelter": ["loc-shelter", "loc-physical"]}
    for service, locations in services.items():
        plan.add_node("Service", service, {"name": service, "status": "active"})
        plan.add_relationship(("Organization", "PROVIDES", "Service"), "org", service)
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, "need-food", {"linkType": "need"},
                              id=f"{service}-need")
        for location in locations:
            plan.add_node("ServiceAtLocation", f"{service}@{location}", {})
            plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, f"{service}@{location}")
            plan.add_relationship(("ServiceAtLocation", "AT", "Location"), f"{service}@{location}", location)
    phones = {  # phone -> (number, owner label, owner id, extra properties)
        "ph-org": ("613-555-0001", "Organization", "org", {}),
        "ph-both": ("613-555-0002", "Location", "loc-both", {}),
        "ph-meals-at-both": ("613-555-0003", "ServiceAtLocation", "svc-meals@loc-both", {}),
        "ph-own": ("613-555-0004", "Service", "svc-own", {}),
        "ph-physical": ("613-555-0005", "Location", "loc-physical", {}),
        "ph-physical-private": ("613-555-0009", "Location", "loc-physical", {"staffOnly": ["number"]}),
        "ph-shelter": ("613-555-0006", "Location", "loc-shelter", {}),
        "ph-org-again": ("(613) 555-0002", "Organization", "org", {}),  # the same number as loc-both's
    }
    for phone, (number, label, owner, extra) in phones.items():
        plan.add_node("Phone", phone, {"number": number, **extra})
        plan.add_relationship((label, "HAS_PHONE", "Phone"), owner, phone)
    return plan


@pytest.fixture
def graph(db: GraphEngine) -> GraphEngine:
    write_plan(db, _plan(), dataset_id="where", fmt="test", path="memory")
    return db


_run = run_graphql


ADDRESSES = """fragment Addresses on Location {
  id
  address { addressType address1 }
  postalAddress { addressType address1 }
  addresses { addressType address1 }
}"""
SERVICE = ADDRESSES + """
query($id: ID!) { service(id: $id) { locations { ...Addresses } phones { number source location { id } } } }"""
SEARCH = ADDRESSES + """
query($near: GeoPointInput) {
  services(need: ["need-food"], near: $near, radiusKm: 20, first: 20) {
    edges { nearestLocation { ...Addresses } node { id phones { number source location { id } } } }
  }
}"""


def _locations(db: GraphEngine, service: str, role: Role = Role.PUBLIC) -> dict[str, Any]:
    return {loc["id"]: loc for loc in _run(db, SERVICE, role, id=service)["service"]["locations"]}


def _phones(db: GraphEngine, service: str, role: Role = Role.PUBLIC) -> list[tuple[str, str, str | None]]:
    phones = _run(db, SERVICE, role, id=service)["service"]["phones"]
    return [(p["number"], p["source"], (p["location"] or {}).get("id")) for p in phones]


def test_a_location_with_a_street_and_a_postal_address_sends_people_to_the_street(graph: GraphEngine) -> None:
    both = _locations(graph, "svc-meals")["loc-both"]
    assert both["address"] == {"addressType": "physical", "address1": "40 Division St"}
    assert both["postalAddress"] == {"addressType": "postal", "address1": "PO Box 1250"}
    assert both["addresses"] == [both["address"], both["postalAddress"]]  # physical first


def test_a_location_with_only_a_postal_address_has_no_place_to_go(graph: GraphEngine) -> None:
    postal = _locations(graph, "svc-mail")["loc-postal"]
    assert postal["address"] is None
    assert postal["postalAddress"] == {"addressType": "postal", "address1": "PO Box 1250"}
    assert postal["addresses"] == [postal["postalAddress"]]


def test_a_location_with_only_a_street_address_has_no_postal_one(graph: GraphEngine) -> None:
    physical = _locations(graph, "svc-meals")["loc-physical"]
    assert physical["address"] == {"addressType": "physical", "address1": "12 Princess St"}
    assert physical["postalAddress"] is None and physical["addresses"] == [physical["address"]]


def test_of_two_street_addresses_the_first_by_id_is_where_to_go_and_both_are_listed(graph: GraphEngine) -> None:
    streets = _locations(graph, "svc-streets")["loc-two-streets"]
    assert streets["address"]["address1"] == "1 First St"
    assert [a["address1"] for a in streets["addresses"]] == ["1 First St", "2 Second St"]


def test_a_location_with_two_addresses_is_one_location_not_two(graph: GraphEngine) -> None:
    locations = _run(graph, SERVICE, id="svc-meals")["service"]["locations"]
    assert sorted(loc["id"] for loc in locations) == ["loc-both", "loc-physical"]
    organization = _run(graph, """{ organization(id: "org") { locations { id address { address1 } } } }""")
    ids = [loc["id"] for loc in organization["organization"]["locations"]]
    assert sorted(ids) == ["loc-both", "loc-physical", "loc-postal", "loc-two-streets"]  # once each, no shelter
    by_id = {loc["id"]: loc for loc in organization["organization"]["locations"]}
    assert by_id["loc-both"]["address"] == {"address1": "40 Division St"} and by_id["loc-postal"]["address"] is None


def test_a_search_answer_nearest_location_is_its_street_address(graph: GraphEngine) -> None:
    edges = _run(graph, SEARCH, near=NEAR_BOTH)["services"]["edges"]
    nearest = {e["node"]["id"]: e["nearestLocation"] for e in edges}
    assert nearest["svc-meals"]["id"] == "loc-both" and nearest["svc-own"]["id"] == "loc-both"
    for location in nearest.values():
        assert location["address"] is None or location["address"]["addressType"] == "physical"
        assert "PO Box" not in json.dumps(location["address"])
    assert nearest["svc-mail"]["address"] is None


def test_the_public_sees_no_address_of_any_type_of_a_confidential_location(graph: GraphEngine) -> None:
    public = json.dumps(_run(graph, SERVICE, id="svc-shelter"))
    assert "loc-shelter" not in public and "Quiet Lane" not in public and "PO Box 77" not in public
    staff = _locations(graph, "svc-shelter", Role.STAFF)["loc-shelter"]
    assert [a["address1"] for a in staff["addresses"]] == ["9 Quiet Lane", "PO Box 77"]


def test_a_service_without_a_number_of_its_own_can_be_called_at_its_location_and_organization(
        graph: GraphEngine) -> None:
    assert _phones(graph, "svc-meals") == [
        ("613-555-0003", "SERVICE_AT_LOCATION", "loc-both"),  # the service at its location first,
        ("613-555-0002", "LOCATION", "loc-both"),  # then that location (the org's copy of it is not repeated),
        ("613-555-0005", "LOCATION", "loc-physical"),  # the next location,
        ("613-555-0001", "ORGANIZATION", None),  # then the organization
    ]


def test_a_services_own_number_comes_first(graph: GraphEngine) -> None:
    assert _phones(graph, "svc-own")[:2] == [("613-555-0004", "SERVICE", None),
                                             ("613-555-0002", "LOCATION", "loc-both")]


def test_in_a_search_the_nearest_locations_numbers_come_before_the_others(graph: GraphEngine) -> None:
    near_physical = {"latitude": 44.2400, "longitude": -76.4800}
    edges = _run(graph, SEARCH, near=near_physical)["services"]["edges"]
    meals = next(e for e in edges if e["node"]["id"] == "svc-meals")
    assert meals["nearestLocation"]["id"] == "loc-physical"
    assert [p["number"] for p in meals["node"]["phones"]] == [
        "613-555-0005", "613-555-0003", "613-555-0002", "613-555-0001"]


def test_the_public_gets_no_private_number_and_no_number_of_a_confidential_location(graph: GraphEngine) -> None:
    public = _phones(graph, "svc-shelter")
    assert ("613-555-0006", "LOCATION", "loc-shelter") not in public
    assert "613-555-0009" not in {number for number, _, _ in public}
    staff = _phones(graph, "svc-shelter", Role.STAFF)
    assert ("613-555-0006", "LOCATION", "loc-shelter") in staff
    assert ("613-555-0009", "LOCATION", "loc-physical") in staff


def test_the_hsds_api_gives_each_address_its_own_type(graph: GraphEngine) -> None:
    graphs = hsds_out.service_graphs(graph, ids=["svc-meals", "svc-mail"])
    documents = [serialize.service_full(record, staff=False) for record in graphs.values()]
    addresses = {sal["location"]["id"]: [(a["address_type"], a["address_1"]) for a in sal["location"]["addresses"]]
                 for doc in documents if doc is not None for sal in doc["service_at_locations"]}
    assert sorted(addresses["loc-both"]) == [("physical", "40 Division St"), ("postal", "PO Box 1250")]
    assert addresses["loc-postal"] == [("postal", "PO Box 1250")]
    assert addresses["loc-physical"] == [("physical", "12 Princess St")]


def test_no_demo_city_location_with_a_po_box_gives_it_as_where_to_go(demo_db: GraphEngine) -> None:
    rows = demo_db.read(
        "MATCH (s:Service)-[:DELIVERED_AT]->(:ServiceAtLocation)-[:AT]->(l:Location)-[:HAS_ADDRESS]->(a:Address) "
        "WHERE a.addressType = 'postal' RETURN DISTINCT s.id AS service, l.id AS location")
    assert len(rows) >= 3, "the demo city should have locations with a postal address besides the street one"
    for row in rows:
        location = _locations(demo_db, row["service"])[row["location"]]
        assert location["address"]["addressType"] == "physical", location
        assert not location["address"]["address1"].startswith("PO Box"), location
        assert location["postalAddress"]["address1"].startswith("PO Box"), location


def test_most_demo_city_food_services_have_a_number_to_call(demo_db: GraphEngine) -> None:
    edges = _run(demo_db, SEARCH, near={"latitude": 44.2365, "longitude": -76.4960})["services"]["edges"]
    assert len(edges) >= 10
    callable_ = [e for e in edges if e["node"]["phones"]]
    assert len(callable_) == len(edges), [e["node"]["id"] for e in edges if not e["node"]["phones"]]


def test_the_csv_export_keeps_each_address_type_and_leaves_out_a_confidential_locations(
        graph: GraphEngine, tmp_path: Path) -> None:
    export_hsds(graph, tmp_path, fmt="csv", staff=False)
    with (tmp_path / "addresses.csv").open(encoding="utf-8", newline="") as f:
        rows = {(r["location_id"], r["address_type"], r["address_1"]) for r in csv.DictReader(f)}
    assert {("loc-both", "physical", "40 Division St"), ("loc-both", "postal", "PO Box 1250"),
            ("loc-postal", "postal", "PO Box 1250"), ("loc-physical", "physical", "12 Princess St")} <= rows
    assert not any(location == "loc-shelter" for location, _, _ in rows)


README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readmes_front_line_examples_run_as_written(demo_db: GraphEngine) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Asking the graph"):text.index("### For planners")]
    examples = re.findall(r"```graphql\n(.*?)```", section, re.S)
    assert examples, "the README's front-line section has no GraphQL example"
    for example in examples:
        data = _run(demo_db, example, Role.STAFF)
        for edge in data.get("services", {}).get("edges", []):
            address = (edge.get("nearestLocation") or {}).get("address")
            assert address is None or "PO Box" not in json.dumps(address)
