"""The front-line GraphQL API on the demo city (`demo_db`, on each engine): eligibility with reasons,
service-area reach, opening hours across midnight, roles, paging, input errors, round trips.

Queries run through the real schema with a real context (role, engine); HTTP, limits and error
masking are covered in tests/e2e."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from api.context import Context
from api.schema import schema
from domain.geo import haversine_km
from domain.roles import Role
from domain.search_model import GeoPoint
from graph.engine import GraphEngine
from tests.factories import CountingEngine

CITY_CENTRE = {"latitude": 44.29, "longitude": -76.48}

SEARCH = """
query Search($need: [ID!], $text: String, $near: GeoPointInput, $radiusKm: Float! = 10, $resident: ResidentInput,
             $openAt: DateTime, $includeIneligible: Boolean! = false, $first: Int! = 20, $after: String) {
  services(need: $need, text: $text, near: $near, radiusKm: $radiusKm, resident: $resident, openAt: $openAt,
           includeIneligible: $includeIneligible, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor reach distanceKm relevance
      nearestLocation { id point { latitude longitude } }
      eligibility { status reasons }
      node { id name minimumAge maximumAge organization { id name } locations { id } contacts { name } }
    }
  }
}
"""




def run(db: Any, query: str, role: Role = Role.PUBLIC, **variables: Any) -> dict[str, Any]:
    result = schema.execute_sync(query, variable_values=variables, context_value=Context(db, role=role))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def errors(db: GraphEngine, query: str, role: Role = Role.PUBLIC, **variables: Any) -> list[str]:
    result = schema.execute_sync(query, variable_values=variables, context_value=Context(db, role=role))
    return [e.message for e in result.errors or []]


@pytest.fixture(scope="module")
def db(demo_db: GraphEngine) -> Iterator[GraphEngine]:
    yield demo_db


# --- reach and distance -----------------------------------------------------------------------------------------

def test_results_are_ordered_by_distance_to_their_nearest_location_within_the_radius(db: GraphEngine) -> None:
    data = run(db, SEARCH, need=["need-food"], near=CITY_CENTRE, radiusKm=3, first=100)["services"]
    edges = data["edges"]
    assert edges and data["totalCount"] == len(edges)
    located = [e for e in edges if e["reach"] == "LOCATION"]
    assert located and all(e["distanceKm"] <= 3 for e in located)
    keys = [(e["distanceKm"] is None, e["distanceKm"] or 0, e["node"]["id"]) for e in edges]
    assert keys == sorted(keys)
    centre = GeoPoint(**CITY_CENTRE)
    for edge in located:
        point = edge["nearestLocation"]["point"]
        assert haversine_km(centre, GeoPoint(point["latitude"], point["longitude"])) == pytest.approx(
            edge["distanceKm"], abs=1e-6)
        assert edge["nearestLocation"]["id"] in {loc["id"] for loc in edge["node"]["locations"]}


def test_a_service_area_covering_the_point_reaches_it_beyond_the_radius(db: GraphEngine) -> None:
    data = run(db, SEARCH, need=["need-crisis-line"], near=CITY_CENTRE, radiusKm=0.5, first=100)["services"]
    by_area = [e for e in data["edges"] if e["reach"] == "SERVICE_AREA"]
    assert by_area, "crisis lines serve the whole city"
    assert all(e["distanceKm"] is None or e["distanceKm"] > 0.5 for e in by_area)
    # a point far outside the city is covered by no area and near no location
    far = run(db, SEARCH, need=["need-crisis-line"], near={"latitude": 45.5, "longitude": -73.6})["services"]
    assert far["totalCount"] == 0


# --- eligibility ---------------------------------------------------------------------------------------------

def test_a_resident_below_a_services_minimum_age_does_not_see_it_unless_asked(db: GraphEngine) -> None:
    everyone = run(db, SEARCH, near=CITY_CENTRE, radiusKm=25, first=100, includeIneligible=True,
                   resident={"age": 16})["services"]
    adults_only = [e for e in everyone["edges"] if (e["node"]["minimumAge"] or 0) > 16]
    assert adults_only
    for edge in adults_only:
        assert edge["eligibility"]["status"] == "INELIGIBLE"
        assert f"age 16 is below the minimum age {edge['node']['minimumAge']}" in edge["eligibility"]["reasons"]
    hidden = run(db, SEARCH, near=CITY_CENTRE, radiusKm=25, first=100, resident={"age": 16})["services"]
    shown = {e["node"]["id"] for e in hidden["edges"]}
    assert shown, "no service shown to a 16-year-old: the checks below would see nothing"
    assert not shown & {e["node"]["id"] for e in adults_only}
    assert all(e["eligibility"]["status"] != "INELIGIBLE" for e in hidden["edges"])


def test_population_eligibility_comes_from_eligibility_tagged_terms(db: GraphEngine) -> None:
    seniors_only = """{ services(need: ["need-seniors"], includeIneligible: true, first: 100,
                         resident: {age: 70, populations: ["pop-youth"]}) {
                         edges { eligibility { status reasons } node { id } } } }"""
    edges = run(db, seniors_only)["services"]["edges"]
    refused = [e for e in edges if any("the resident is in none of these" in r for r in e["eligibility"]["reasons"])]
    assert refused and all(e["eligibility"]["status"] == "INELIGIBLE" for e in refused)


# --- opening hours -----------------------------------------------------------------------------------------------

def test_open_at_three_in_the_morning_keeps_24_7_and_overnight_services_only(db: GraphEngine) -> None:
    at_3am = "2026-11-24T03:00:00-05:00"  # a Tuesday in Maple Harbour
    open_now = run(db, SEARCH, near=CITY_CENTRE, radiusKm=50, openAt=at_3am, first=100)["services"]
    assert open_now["totalCount"] > 0
    schedules = db.read(
        "UNWIND $ids AS id MATCH (s:Service {id: id}) OPTIONAL MATCH (s)-[:HAS_SCHEDULE]->(a:Schedule) "
        "OPTIONAL MATCH (s)-[:DELIVERED_AT]->()-[:HAS_SCHEDULE]->(b:Schedule) "
        "RETURN id, collect(a.closesAt) + collect(b.closesAt) AS closes, "
        "collect(a.opensAt) + collect(b.opensAt) AS opens",
        {"ids": [e["node"]["id"] for e in open_now["edges"]]})
    for row in schedules:  # open at 03:00 means open all day or across midnight
        assert any(c < o or (o, c) in (("00:00", "23:59"), ("00:00:00", "23:59:00"))
                   for o, c in zip(row["opens"], row["closes"], strict=False)), row
    at_noon = run(db, SEARCH, near=CITY_CENTRE, radiusKm=50, openAt="2026-11-24T12:00:00-05:00")["services"]
    assert at_noon["totalCount"] > open_now["totalCount"]


# --- roles ---------------------------------------------------------------------------------------------------

def test_contact_names_are_for_staff_and_null_for_the_public(db: GraphEngine) -> None:
    public = run(db, SEARCH, need=["need-housing"], first=50)["services"]["edges"]
    staff = run(db, SEARCH, Role.STAFF, need=["need-housing"], first=50)["services"]["edges"]
    assert public, "no housing service found: the check below would see nothing"
    assert all(e["node"]["contacts"] is None for e in public)
    assert any(e["node"]["contacts"] for e in staff)


def test_crisis_responders_is_for_staff_and_leaves_police_out(db: GraphEngine) -> None:
    query = """query($at: GeoPointInput!, $when: DateTime!) { crisisResponders(at: $at, when: $when, first: 100) {
                 totalCount edges { reach distanceKm node { id name organization { id } } } } }"""
    variables: dict[str, Any] = {"at": CITY_CENTRE, "when": "2026-11-24T03:00:00-05:00"}
    assert errors(db, query, **variables) == [
        "crisisResponders requires the staff role (send an API key: Authorization: Bearer …)"]
    found = run(db, query, Role.STAFF, **variables)["crisisResponders"]
    assert found["totalCount"] > 0 and all(e["reach"] == "SERVICE_AREA" for e in found["edges"])
    police = {r["id"] for r in db.read(
        "MATCH (o:Organization)-[:TAGGED]->(:TaxonomyTerm {id: 'sector-police'}) RETURN o.id AS id")}
    assert police and not police & {e["node"]["organization"]["id"] for e in found["edges"]}


# --- paging and input errors ---------------------------------------------------------------------------------------

def test_pages_follow_each_other_without_gaps_or_repeats(db: GraphEngine) -> None:
    whole = run(db, SEARCH, near=CITY_CENTRE, radiusKm=3, first=100)["services"]
    assert 20 < whole["totalCount"] <= 100
    ids: list[str] = []
    after = None
    while True:
        page = run(db, SEARCH, near=CITY_CENTRE, radiusKm=3, first=7, after=after)["services"]
        ids += [e["node"]["id"] for e in page["edges"]]
        assert page["totalCount"] == whole["totalCount"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert ids == [e["node"]["id"] for e in whole["edges"]]


@pytest.mark.parametrize(("variables", "message"), [
    ({"first": 101}, "first must be between 0 and 100, not 101"),
    ({"radiusKm": 501, "near": CITY_CENTRE}, "radiusKm must be more than 0 and at most 500, not 501"),
    ({"need": ["no-such-need"]}, "unknown need: 'no-such-need' (use taxonomyTerms to find term ids or codes)"),
    ({"after": "bogus"}, "after: 'bogus' is not a cursor of this list; pass an endCursor it returned"),
    ({"openAt": "2026-11-24T03:00:00"}, "openAt needs a timezone offset, e.g. 2026-11-26T21:30:00-05:00"),
    ({"text": "!!!"}, "text has no words to search for: send letters or digits (common words such as 'the' or 'and' "
                      "are not searched)"),
    ({"text": "the and"}, "text has no words to search for: send letters or digits (common words such as 'the' or "
                          "'and' are not searched)"),
])
def test_bad_input_is_a_graphql_error_that_says_what_to_fix(db: GraphEngine, variables: dict[str, Any],
                                                            message: str) -> None:
    assert errors(db, SEARCH, **variables) == [message]


def test_a_need_code_and_its_id_give_the_same_answer_and_a_parent_includes_its_children(db: GraphEngine) -> None:
    by_id = run(db, SEARCH, need=["need-food-bank"], first=100)["services"]
    code = db.read("MATCH (t:TaxonomyTerm {id: 'need-food-bank'}) RETURN t.code AS code")[0]["code"]
    assert run(db, SEARCH, need=[code], first=100)["services"] == by_id
    parent = {e["node"]["id"] for e in run(db, SEARCH, need=["need-food"], first=100)["services"]["edges"]}
    assert {e["node"]["id"] for e in by_id["edges"]} < parent


def test_text_finds_services_by_their_organization_and_need_names_ranked_by_relevance(db: GraphEngine) -> None:
    org = db.read("MATCH (o:Organization)-[:PROVIDES]->(:Service) RETURN o.name AS name ORDER BY o.id LIMIT 1")[0]
    edges = run(db, SEARCH, text=org["name"], first=100)["services"]["edges"]
    assert any(e["node"]["organization"]["name"] == org["name"] for e in edges)
    scores = [e["relevance"] for e in edges]
    assert scores == sorted(scores, reverse=True) and all(s is not None for s in scores)
    food_banks = {e["node"]["id"] for e in run(db, SEARCH, text="food bank", first=100)["services"]["edges"]}
    tagged = {e["node"]["id"] for e in run(db, SEARCH, need=["need-food-bank"], first=100)["services"]["edges"]}
    assert tagged <= food_banks


def test_a_search_costs_a_fixed_number_of_round_trips_whatever_the_page_size(db: GraphEngine) -> None:
    counts = []
    for first in (1, 20):
        counting = CountingEngine(db)
        data = run(counting, SEARCH, need=["need-food", "need-housing"], near=CITY_CENTRE, radiusKm=10,
                   resident={"age": 30}, first=first)
        assert len(data["services"]["edges"]) == first
        counts.append(counting.reads)
    assert counts[0] == counts[1] <= 8


EVERYTHING = """
fragment Where on Location { id name }
fragment Full on Service {
  id name organization { id name } locations { ...Where } needs { id } populations { id } languages
  phones { number } schedules { opensAt closesAt byday } serviceAreas { id name } contacts { name }
}
query Search($need: [ID!], $near: GeoPointInput, $resident: ResidentInput) {
  services(need: $need, near: $near, radiusKm: 10, resident: $resident, includeIneligible: true, first: 20) {
    edges { eligibility { status reasons } nearestLocation { id } node { ...Full } }
  }
}
"""
LEAN = """
query Search($need: [ID!], $near: GeoPointInput, $resident: ResidentInput) {
  services(need: $need, near: $near, radiusKm: 10, resident: $resident, includeIneligible: true, first: 20) {
    edges { eligibility { status reasons } node { id name ... on Service { organization { name } } } }
  }
}
"""


class KindsSeen(CountingEngine):
    """Records the detail kinds each page asked for."""

    def __init__(self, db: GraphEngine) -> None:
        super().__init__(db)
        self.kinds: list[list[str]] = []

    def read(self, query: str, params: Any = None) -> list[Any]:
        if params and "kinds" in params:
            self.kinds.append(list(params["kinds"]))
        return super().read(query, params)


def test_a_page_reads_only_the_kinds_of_records_its_query_selects(db: GraphEngine) -> None:
    question = {"need": ["need-food", "need-housing"], "near": CITY_CENTRE, "resident": {"age": 30}}
    full, lean = KindsSeen(db), KindsSeen(db)
    everything = run(full, EVERYTHING, role=Role.STAFF, **question)["services"]["edges"]
    little = run(lean, LEAN, role=Role.STAFF, **question)["services"]["edges"]
    assert full.kinds == [["area", "contact", "language", "location", "organization", "phone", "residency",
                           "schedule", "term"]]  # fragments followed: every kind
    assert lean.kinds == [["language", "organization", "residency", "term"]]  # eligibility's kinds always
    assert [(e["node"]["id"], e["node"]["organization"]["name"], e["eligibility"]) for e in little] == [
        (e["node"]["id"], e["node"]["organization"]["name"], e["eligibility"]) for e in everything]
    assert any(e["node"]["phones"] for e in everything) and any(e["node"]["schedules"] for e in everything)
    assert any(e["node"]["contacts"] for e in everything)
    assert all(e["nearestLocation"]["id"] in {loc["id"] for loc in e["node"]["locations"]} for e in everything)


NODE_SELECTIONS = [
    "id", "name alternateName description url email status",
    "applicationProcess feesDescription waitTime eligibilityDescription minimumAge maximumAge",
    "interpretationServices alert lastModified", "__typename",
    "organization { id }", "organization { name alternateName description email website sector { id } }",
    "locations { id }", "locations { name description locationType transportation point { latitude longitude } }",
    "locations { address { address1 address2 city stateProvince postalCode country } }",
    "locations { address { __typename } }",
    "needs { id }", "needs { code name description taxonomy parentId }", "populations { id name code }",
    "languages phones { number } schedules { byday opensAt } serviceAreas { name } contacts { name }",
    "...Named", "... on Service { locations { ... on Location { name address { city } } } }",
]
NEAREST = "nearestLocation { id name point { latitude longitude } address { city postalCode } }"
FRAGMENT = "fragment Named on Service { name organization { name } }"


class KeysSeen(CountingEngine):
    """Records the properties each page read, per kind."""

    def __init__(self, db: GraphEngine) -> None:
        super().__init__(db)
        self.keys: list[dict[str, list[str]]] = []

    def read(self, query: str, params: Any = None) -> list[Any]:
        if params and "serviceKeys" in params:
            self.keys.append({k: list(v) for k, v in params.items() if k.endswith("Keys")})
        return super().read(query, params)


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.STAFF])
@pytest.mark.parametrize("selection", NODE_SELECTIONS)
def test_a_page_reading_only_the_selected_properties_answers_as_reading_them_all(
        db: GraphEngine, selection: str, role: Role) -> None:
    """Each service of a page (which reads only what its selection shows, and its id to compare by) is
    what `service(id)` (which reads every property) shows of it, and its nearest location one of the
    service's locations read in full."""
    fragment = FRAGMENT if "...Named" in selection else ""
    page = run(db, f"""query($need: [ID!], $near: GeoPointInput) {{ services(need: $need, near: $near, radiusKm: 10,
                       first: 10) {{ edges {{ {NEAREST} node {{ id {selection} }} }} }} }} {fragment}""", role=role,
               need=["need-food", "need-housing", "need-health"], near=CITY_CENTRE)["services"]["edges"]
    assert len(page) == 10
    for edge in page:
        nearest = edge["nearestLocation"]
        one = run(db, f"""query($id: ID!) {{ service(id: $id) {{ id {selection} }}
                          more: service(id: $id) {{ locations {{ {NEAREST.split(" ", 1)[1][2:-2]} }} }} }}
                          {fragment}""", role=role, id=edge["node"]["id"])
        assert edge["node"] == one["service"]
        assert nearest in one["more"]["locations"]


def test_a_lean_page_reads_few_properties(db: GraphEngine) -> None:
    seen = KeysSeen(db)
    run(seen, LEAN, need=["need-food"], near=CITY_CENTRE, resident={"age": 30})
    (keys,) = seen.keys
    assert set(keys["serviceKeys"]) == {"id", "name", "eligibilityDescription", "minimumAge", "maximumAge",
                                        "interpretationServices", "staffOnly", "derivedFields"}
    assert set(keys["organizationKeys"]) == {"id", "name", "staffOnly"}
    assert set(keys["termKeys"]) == {"id", "code", "name"}


# --- directory ---------------------------------------------------------------------------------------------------

def test_an_organization_comes_with_its_services_and_locations(db: GraphEngine) -> None:
    org = db.read("MATCH (o:Organization)-[:PROVIDES]->(s:Service) RETURN o.id AS id, count(s) AS n "
                  "ORDER BY n DESC, id LIMIT 1")[0]
    data = run(db, """query($id: ID!) { organization(id: $id) { id name sector { id }
                   services(first: 100) { totalCount edges { node { id organization { id } } } }
                   locations { id } } }""", id=org["id"])["organization"]
    assert data["services"]["totalCount"] == org["n"]
    assert {e["node"]["organization"]["id"] for e in data["services"]["edges"]} == {org["id"]}
    assert data["locations"] and data["sector"]["id"].startswith("sector-")
    assert run(db, '{ organization(id: "nope") { id } }')["organization"] is None


def test_taxonomy_terms_list_children_and_search_within_a_branch(db: GraphEngine) -> None:
    children = run(db, '{ taxonomyTerms(parent: "need-food", first: 100) { nodes { id parentId } } }')
    nodes = children["taxonomyTerms"]["nodes"]
    assert nodes and all(n["parentId"] == "need-food" for n in nodes)
    found = run(db, '{ taxonomyTerms(parent: "need-food", search: "bank") { nodes { id } } }')
    assert [n["id"] for n in found["taxonomyTerms"]["nodes"]] == ["need-food-bank"]


# --- one connection style, paging in the database, DataLoaders -------------------------------------------------------

def _walk(db: GraphEngine, field: str, arguments: str, role: Role = Role.PUBLIC, first: int = 3) -> list[str]:
    """The ids of every node of a connection, page after page of `first` by `edges { cursor }` and `pageInfo`."""
    ids: list[str] = []
    after: str | None = None
    while True:
        page = run(db, f"""query($after: String) {{ {field}({arguments} first: {first}, after: $after) {{
                       totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                       edges {{ cursor node {{ id }} }} nodes {{ id }} }} }}""", role, after=after)[field]
        edges = page["edges"]
        assert [e["node"]["id"] for e in edges] == [n["id"] for n in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if edges:
            assert page["pageInfo"]["startCursor"] == edges[0]["cursor"]
            assert page["pageInfo"]["endCursor"] == edges[-1]["cursor"]
        ids.extend(e["node"]["id"] for e in edges)
        assert page["totalCount"] >= len(ids)
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(ids)
            return ids
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.STAFF])
@pytest.mark.parametrize(("field", "arguments"), [
    ("organizations", ""), ("organizations", 'search: "a"'), ("organizations", 'sector: "sector-health"'),
    ("taxonomyTerms", ""), ("taxonomyTerms", 'search: "food"'), ("taxonomyTerms", 'parent: "need-food"'),
    ("taxonomyTerms", 'parent: "need-food", search: "bank"'),
])
def test_every_list_is_a_relay_connection_whose_pages_make_up_the_whole_list(
        db: GraphEngine, field: str, arguments: str, role: Role) -> None:
    whole = run(db, f"{{ {field}({arguments} first: 100) {{ totalCount edges {{ node {{ id }} }} }} }}", role)[field]
    assert whole["totalCount"] == len(whole["edges"]) < 100
    assert _walk(db, field, arguments, role) == [e["node"]["id"] for e in whole["edges"]]


NESTED = """
query($first: Int!) {
  organizations(first: $first) {
    edges { node { id name
      services(first: 5) { totalCount edges { node { id name organization { id } locations { id } } } }
      locations { id name address { city } } } }
  }
}
"""


def _run_async(db: Any, query: str, **variables: Any) -> dict[str, Any]:
    """As the HTTP API runs a query: on an event loop (where the DataLoaders batch)."""
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=Context(db)))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def test_organizations_with_their_services_and_locations_cost_the_same_round_trips_whatever_the_page_size(
        db: GraphEngine) -> None:
    counts, pages = [], []
    for first in (1, 10):
        counting = CountingEngine(db)
        page = _run_async(counting, NESTED, first=first)["organizations"]["edges"]
        assert len(page) == first and any(e["node"]["services"]["edges"] for e in page)
        counts.append(counting.reads)
        pages.append(page)
    assert counts[0] == counts[1] <= 5  # count, page, services, their details, locations
    # the same answers as without an event loop (no batching: a field at a time)
    assert pages[1] == run(db, NESTED, first=10)["organizations"]["edges"]
