"""Values an organization's source marks private, and agencies kept off the public directory, through the
real schema and the HSDS API on the real engine: the public sees neither the values nor that the agency
exists (a public service of such an agency shows no organization), and counts count what it can see."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from domain.roles import Role
from graph.engine import GraphEngine
from loaders.plan import GraphPlan
from loaders.writer import write_plan
from tests.factories import run_graphql

MARKERS = ("zebracrossing", "quietharbour", "secretmarker")  # words only private values hold


def _plan() -> GraphPlan:
    plan = GraphPlan()
    plan.add_node("Organization", "org-open", {
        "name": "Open Door Centre", "email": "zebracrossing@example.org", "website": "https://quietharbour.example",
        "description": "Outreach to secretmarker survivors", "staffOnly": ["email", "website", "description"]})
    plan.add_node("Organization", "org-hidden", {"name": "Casa Unit secretmarker", "staffOnly": ["*", "name"]})
    plan.add_node("Organization", "org-quiet", {"name": "Quietharbour House", "staffOnly": ["name"]})
    plan.add_node("TaxonomyTerm", "need-food", {"name": "Food", "code": "FOOD"})
    plan.add_node("TaxonomyTerm", "pop-women", {"name": "Women", "code": "WOMEN"})
    private_eligibility = {  # a source's private eligibility text, and what the loader read from it
        "eligibilityDescription": "Women 18+ referred by the zebracrossing outreach team", "minimumAge": 18,
        "derivedFields": ["minimumAge", "populations"], "staffOnly": ["eligibilityDescription"]}
    services = (("org-open", "svc-open"), ("org-hidden", "svc-of-hidden"), ("org-hidden", "svc-hidden"),
                ("org-open", "svc-private-eligibility"))
    for org, service in services:
        extra = {"staffOnly": ["*"]} if service == "svc-hidden" else {}
        extra = private_eligibility if service == "svc-private-eligibility" else extra
        if service == "svc-open":
            extra = {"description": "Hot meals; zebracrossing referrals", "staffOnly": ["description"]}
        plan.add_node("Service", service, {"name": f"Service {service}", "status": "active", **extra})
        plan.add_relationship(("Organization", "PROVIDES", "Service"), org, service)
        plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), service, "need-food", {"linkType": "need"},
                              id=f"{service}-need")
        plan.add_node("Location", f"loc-{service}", {"name": "Main office", "latitude": 44.23, "longitude": -76.5})
        plan.add_node("ServiceAtLocation", f"sal-{service}", {})
        plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, f"sal-{service}")
        plan.add_relationship(("ServiceAtLocation", "AT", "Location"), f"sal-{service}", f"loc-{service}")
    plan.add_relationship(("Service", "TAGGED", "TaxonomyTerm"), "svc-private-eligibility", "pop-women",
                          {"linkType": "eligibility"}, id="private-eligibility-women")
    return plan


@pytest.fixture
def graph(db: GraphEngine) -> GraphEngine:
    write_plan(db, _plan(), dataset_id="hidden", fmt="test", path="memory")
    return db


_run = run_graphql


ORGANIZATION_FIELDS = "id name email website description"


def test_an_organizations_private_values_are_for_staff_only_by_id_and_in_lists(graph: GraphEngine) -> None:
    query = f"""{{ organization(id: "org-open") {{ {ORGANIZATION_FIELDS} }}
                  organizations(first: 10) {{ nodes {{ {ORGANIZATION_FIELDS} }} }}
                  service(id: "svc-open") {{ organization {{ {ORGANIZATION_FIELDS} }} }} }}"""
    public = _run(graph, query)
    assert public["organization"] == {"id": "org-open", "name": "Open Door Centre", "email": None, "website": None,
                                      "description": None}
    assert public["organizations"]["nodes"][0] == public["organization"]
    assert [o["id"] for o in public["organizations"]["nodes"]] == ["org-open", "org-quiet"]
    assert public["service"]["organization"] == public["organization"]
    staff = _run(graph, query, Role.STAFF)
    assert staff["organization"]["email"] == "zebracrossing@example.org"
    assert {o["id"] for o in staff["organizations"]["nodes"]} == {"org-open", "org-hidden", "org-quiet"}


def test_a_public_service_of_a_hidden_agency_shows_no_organization_to_the_public(graph: GraphEngine) -> None:
    query = """{ service(id: "svc-of-hidden") { id organization { id name } }
                 organization(id: "org-hidden") { id } }"""
    public = _run(graph, query)
    assert public == {"service": {"id": "svc-of-hidden", "organization": None}, "organization": None}
    staff = _run(graph, query, Role.STAFF)
    assert staff["service"]["organization"] == {"id": "org-hidden", "name": "Casa Unit secretmarker"}


def test_the_public_cannot_find_an_organization_by_its_private_name(graph: GraphEngine) -> None:
    query = """{ organizations(search: "harbour") { totalCount nodes { id } } }"""
    assert _run(graph, query)["organizations"] == {"totalCount": 0, "nodes": []}
    assert _run(graph, query, Role.STAFF)["organizations"]["totalCount"] == 1


def test_the_service_count_counts_what_the_caller_may_see(graph: GraphEngine) -> None:
    assert _run(graph, "{ serviceCount }") == {"serviceCount": 3}
    assert _run(graph, "{ serviceCount }", Role.STAFF) == {"serviceCount": 4}


@pytest.fixture
def client(graph: GraphEngine) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(), engine=graph)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/hsds/services", "/hsds/service_at_locations"])
def test_the_hsds_api_lists_nothing_by_a_hidden_agencys_id(client: TestClient, path: str) -> None:
    page = client.get(path, params={"organization_id": "org-hidden"}).json()
    assert page["total_items"] == 0 and page["contents"] == []


def test_no_private_marker_reaches_the_public_through_graphql_or_hsds(client: TestClient, graph: GraphEngine) -> None:
    shown = [json.dumps(_run(graph, f"""{{ organizations(first: 10) {{ nodes {{ {ORGANIZATION_FIELDS} }} }}
        o1: organization(id: "org-open") {{ {ORGANIZATION_FIELDS} services {{ edges {{ node {{ id name }} }} }} }}
        s1: service(id: "svc-of-hidden") {{ name organization {{ name }} }} }}"""))]
    for path in ("/hsds/organizations", "/hsds/organizations/org-open", "/hsds/services",
                 "/hsds/services/svc-of-hidden", "/hsds/services/svc-open"):
        response = client.get(path)
        assert response.status_code == 200, path
        shown.append(response.text)
    text = " ".join(shown).lower()
    assert not [m for m in MARKERS if m in text]


ELIGIBILITY = """{
  services(need: ["need-food"], near: {latitude: 44.23, longitude: -76.5}, resident: %s, includeIneligible: true) {
    edges { eligibility { status reasons } node { id minimumAge eligibilityDescription populations { name } } }
  }
}"""


@pytest.mark.parametrize("resident", ["{age: 12}", "{age: 30, populations: [\"pop-women\"]}", "{languages: [\"fr\"]}"])
def test_a_private_eligibility_text_decides_but_is_never_shown_nor_what_was_read_from_it(
        graph: GraphEngine, resident: str) -> None:
    def private_one(role: Role) -> dict[str, Any]:
        edges = _run(graph, ELIGIBILITY % resident, role)["services"]["edges"]
        return next(e for e in edges if e["node"]["id"] == "svc-private-eligibility")

    public = private_one(Role.PUBLIC)
    assert public["node"] == {"id": "svc-private-eligibility", "minimumAge": None, "eligibilityDescription": None,
                              "populations": []}
    said = json.dumps(public).lower()
    assert "zebracrossing" not in said and "18" not in said and "women" not in said, said
    staff = private_one(Role.STAFF)
    assert staff["node"]["minimumAge"] == 18 and "zebracrossing" in json.dumps(staff)
    if resident == "{age: 12}":
        assert public["eligibility"]["status"] == staff["eligibility"]["status"] == "INELIGIBLE"


@pytest.mark.parametrize("words", ["casa unit", "secretmarker", "outreach survivors"])
def test_a_text_search_finds_nothing_for_the_public_through_private_text(graph: GraphEngine, words: str) -> None:
    query = "query($words: String!) { services(text: $words) { totalCount edges { node { id } } } }"
    assert _run(graph, query, words=words)["services"]["totalCount"] == 0
    assert _run(graph, query, Role.STAFF, words=words)["services"]["totalCount"] >= 1


def test_a_text_search_still_finds_a_record_with_private_text_by_its_public_words(graph: GraphEngine) -> None:
    found = _run(graph, '{ services(text: "open door") { edges { node { id } } } }')["services"]["edges"]
    assert {"svc-open", "svc-private-eligibility"} <= {e["node"]["id"] for e in found}  # by the org's public name


@pytest.mark.parametrize(("path", "words"), [("/hsds/organizations", "casa"), ("/hsds/organizations", "secretmarker"),
                                             ("/hsds/services", "zebracrossing"), ("/hsds/service_at_locations",
                                                                                   "zebracrossing")])
def test_an_hsds_search_finds_nothing_for_the_public_through_private_text(client: TestClient, path: str,
                                                                          words: str) -> None:
    page = client.get(path, params={"search": words}).json()
    assert page["total_items"] == 0, page
