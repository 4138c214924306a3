"""Values a source marks private (`staffOnly`) and confidential locations, through the real schema on
the real engine: staff see them; the public sees neither the values nor the location — not in a
service's or organization's locations, not as the nearest location, not by distance or reach."""

from __future__ import annotations

import json

import pytest

from domain.roles import Role
from domain.search_model import GeoPoint, ServiceQuery
from graph.engine import GraphEngine
from loaders.plan import GraphPlan
from loaders.writer import write_plan
from services.search import rank
from tests.factories import run_graphql

SHELTER = GeoPoint(44.2300, -76.4800)  # a confidential site
CLINIC = GeoPoint(44.2600, -76.5200)  # about 4.5 km away, public
PRIVATE_LOCATION = ["address", "latitude", "longitude", "point"]
AREA = {"type": "Polygon", "coordinates": [[[-76.6, 44.1], [-76.3, 44.1], [-76.3, 44.4], [-76.6, 44.4], [-76.6, 44.1]]]}


def _plan() -> GraphPlan:
    plan = GraphPlan()
    plan.add_node("Organization", "org", {"name": "Harbour House"})
    plan.add_node("TaxonomyTerm", "need-shelter", {"name": "Shelter", "code": "SHELTER"})
    plan.add_node("Location", "loc-shelter", {"name": "Harbour House shelter", "latitude": SHELTER.latitude,
                                              "longitude": SHELTER.longitude, "staffOnly": PRIVATE_LOCATION})
    plan.add_node("Address", "addr-shelter", {"address1": "12 Quiet Lane", "city": "Kingston",
                                              "staffOnly": ["address1", "address2", "postalCode"]})
    plan.add_relationship(("Location", "HAS_ADDRESS", "Address"), "loc-shelter", "addr-shelter")
    plan.add_node("Location", "loc-clinic", {"name": "Outreach office", "latitude": CLINIC.latitude,
                                             "longitude": CLINIC.longitude})
    plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), "org", "loc-shelter")
    plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), "org", "loc-clinic")
    plan.add_node("ServiceArea", "area-city", {"name": "Kingston", "extent": json.dumps(AREA)})
    services = {"svc-beds": ["loc-shelter"], "svc-outreach": ["loc-shelter", "loc-clinic"], "svc-line": ["loc-shelter"]}
    for service, locations in services.items():
        plan.add_node("Service", service, {"name": service, "email": f"{service}@example.org",
                                           "staffOnly": ["email"]})
        plan.add_relationship(("Organization", "PROVIDES", "Service"), "org", service)
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, "need-shelter", {"linkType": "need"},
                              id=f"{service}-need")
        for location in locations:
            sal = f"{service}@{location}"
            plan.add_node("ServiceAtLocation", sal, {})
            plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, sal)
            plan.add_relationship(("ServiceAtLocation", "AT", "Location"), sal, location)
    plan.add_relationship(("Service", "SERVES_AREA", "ServiceArea"), "svc-line", "area-city")
    # a record the source keeps off its website (the whole of it is for staff), and a defunct service
    plan.add_node("Service", "svc-internal", {"name": "Intake desk", "staffOnly": ["*", "name"]})
    plan.add_node("Service", "svc-closed", {"name": "Old pantry", "status": "defunct"})
    for service in ("svc-internal", "svc-closed"):
        plan.add_relationship(("Organization", "PROVIDES", "Service"), "org", service)
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, "need-shelter", {"linkType": "need"},
                              id=f"{service}-need")
        plan.add_node("ServiceAtLocation", f"{service}@clinic", {})
        plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, f"{service}@clinic")
        plan.add_relationship(("ServiceAtLocation", "AT", "Location"), f"{service}@clinic", "loc-clinic")
    plan.add_node("Phone", "ph-public", {"number": "555-0100"})
    plan.add_node("Phone", "ph-intake", {"number": "555-0199", "staffOnly": ["number"]})
    plan.add_relationship(("Service", "HAS_PHONE", "Phone"), "svc-beds", "ph-public")
    plan.add_relationship(("Service", "HAS_PHONE", "Phone"), "svc-beds", "ph-intake")
    return plan


@pytest.fixture
def graph(db: GraphEngine) -> GraphEngine:
    write_plan(db, _plan(), dataset_id="private", fmt="test", path="memory")
    return db


_run = run_graphql


SEARCH = """query($near: GeoPointInput, $radiusKm: Float!) {
  services(need: ["need-shelter"], near: $near, radiusKm: $radiusKm, first: 10) {
    totalCount
    edges { reach distanceKm nearestLocation { id point { latitude longitude } } node { id } }
  }
}"""


def _near(point: GeoPoint) -> dict[str, float]:
    return {"latitude": point.latitude, "longitude": point.longitude}


@pytest.mark.parametrize("scan", [True, False])
def test_the_public_cannot_reach_or_rank_by_a_confidential_location(graph: GraphEngine, scan: bool) -> None:
    query = ServiceQuery(need=("need-shelter",), near=SHELTER, radius_km=1.0)
    public = rank(graph, query, scan=scan)
    assert [(h.service_id, h.reach, h.nearest_location_id) for h in public.hits] == [
        ("svc-line", "SERVICE_AREA", None)]  # by its area only: no distance, no location
    assert public.hits[0].distance_km is None
    staff = rank(graph, ServiceQuery(need=("need-shelter",), near=SHELTER, radius_km=1.0, confidential=True),
                 scan=scan)
    assert [(h.service_id, h.reach, h.nearest_location_id) for h in staff.hits] == [
        ("svc-beds", "LOCATION", "loc-shelter"), ("svc-line", "LOCATION", "loc-shelter"),
        ("svc-outreach", "LOCATION", "loc-shelter")]


@pytest.mark.parametrize("scan", [True, False])
def test_a_service_with_a_public_location_too_is_found_by_that_one(graph: GraphEngine, scan: bool) -> None:
    public = rank(graph, ServiceQuery(need=("need-shelter",), near=SHELTER, radius_km=6.0), scan=scan)
    outreach = next(h for h in public.hits if h.service_id == "svc-outreach")
    assert outreach.nearest_location_id == "loc-clinic" and outreach.distance_km == pytest.approx(4.55, abs=0.1)
    assert "svc-beds" not in {h.service_id for h in public.hits}


def test_over_graphql_the_public_sees_no_trace_of_the_confidential_location(graph: GraphEngine) -> None:
    data = _run(graph, SEARCH, Role.PUBLIC, near=_near(SHELTER), radiusKm=50.0)["services"]
    text = json.dumps(data)
    assert "loc-shelter" not in text and str(SHELTER.latitude) not in text
    staff = json.dumps(_run(graph, SEARCH, Role.STAFF, near=_near(SHELTER), radiusKm=50.0))
    assert "loc-shelter" in staff and str(SHELTER.latitude) in staff


DETAILS = """query($id: ID!) {
  service(id: $id) { email phones { number } locations { id name point { latitude } address { address1 city } } }
  organization(id: "org") { locations { id address { address1 city } } }
}"""


def test_private_values_are_for_staff_only(graph: GraphEngine) -> None:
    public = _run(graph, DETAILS, Role.PUBLIC, id="svc-beds")
    assert public["service"] == {"email": None, "phones": [{"number": "555-0100"}], "locations": []}
    assert [loc["id"] for loc in public["organization"]["locations"]] == ["loc-clinic"]
    staff = _run(graph, DETAILS, Role.STAFF, id="svc-beds")
    assert staff["service"]["email"] == "svc-beds@example.org"
    assert sorted(p["number"] for p in staff["service"]["phones"]) == ["555-0100", "555-0199"]
    assert staff["service"]["locations"] == [{"id": "loc-shelter", "name": "Harbour House shelter",
                                              "point": {"latitude": SHELTER.latitude},
                                              "address": {"address1": "12 Quiet Lane", "city": "Kingston"}}]


@pytest.mark.parametrize("scan", [True, False])
def test_a_staff_only_record_is_found_by_staff_alone_and_a_defunct_service_by_nobody(graph: GraphEngine,
                                                                                    scan: bool) -> None:
    def found(confidential: bool) -> set[str]:
        query = ServiceQuery(need=("need-shelter",), near=CLINIC, radius_km=1.0, confidential=confidential)
        ranked = rank(graph, query, scan=scan)
        assert ranked.total == len(ranked.hits)
        return {h.service_id for h in ranked.hits}

    assert found(confidential=False) == {"svc-outreach", "svc-line"}  # svc-line by its service area
    assert found(confidential=True) == {"svc-outreach", "svc-line", "svc-internal"}


def test_the_public_cannot_fetch_or_list_a_staff_only_record(graph: GraphEngine) -> None:
    query = """query($id: ID!) {
      service(id: $id) { id name }
      organization(id: "org") { services(first: 50) { totalCount edges { node { id } } } }
    }"""
    public = _run(graph, query, Role.PUBLIC, id="svc-internal")
    assert public["service"] is None
    listed = {e["node"]["id"] for e in public["organization"]["services"]["edges"]}
    assert "svc-internal" not in listed and public["organization"]["services"]["totalCount"] == len(listed) == 4
    staff = _run(graph, query, Role.STAFF, id="svc-internal")
    assert staff["service"] == {"id": "svc-internal", "name": "Intake desk"}
    assert staff["organization"]["services"]["totalCount"] == 5
