"""Planner analytics over real HTTP: only planner and admin keys get answers, the answers are the hand-worked
ones of tests/integration/test_planning.py, small counts arrive suppressed, and the threshold is a setting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis_graphql import Mode, queries

from api.app import create_app
from api.settings import ApiSettings
from domain.roles import Role
from graph.engine import GraphEngine
from loaders.load import load_parsed
from services.keys import KeyStore
from tests.e2e.server import LiveServer, serving
from tests.e2e.test_graphql_fuzz import FUZZ, SDL, _no_internal_error, assert_answered_safely, custom_scalars
from tests.factories import ReadyPlan
from tests.integration.test_planning import town_plan

PLANNER_FIELDS = {
    "silos": '{ silos(need: ["need-housing"]) { totalCount } }',
    "agencyNetwork": "{ agencyNetwork { nodes } }",
    "sectorGaps": "{ sectorGaps { ties } }",
    "coverage": '{ coverage(need: ["need-housing"]) { sites } }',
    "unmetNeeds": "{ unmetNeeds { total { value } } }",
    "referralFlows": "{ referralFlows { flowCount } }",
}


@dataclass(frozen=True)
class Town:
    live: LiveServer
    keys: dict[Role, str]


@pytest.fixture(scope="module")
def engine(module_engine: GraphEngine) -> GraphEngine:
    """The hand-worked town in the module's graph, on each engine."""
    load_parsed(module_engine, ReadyPlan(town_plan()), dataset_id="town", path=Path("memory"))
    return module_engine


def _serve(engine: GraphEngine, root: Path, threshold: int) -> Iterator[Town]:
    store = KeyStore(root / "keys.json")
    keys = {role: store.add(name=f"{role.label}-desk", role=role)[0] for role in (Role.STAFF, Role.PLANNER, Role.ADMIN)}
    app = create_app(ApiSettings(db="embedded://unused", suppression_threshold=threshold), engine=engine,
                     key_store=KeyStore(store.path))
    with serving(app) as live:
        yield Town(live, keys)


@pytest.fixture(scope="module")
def town(engine: GraphEngine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Town]:
    yield from _serve(engine, tmp_path_factory.mktemp("keys"), threshold=5)


def _ask(town: Town, query: str, role: Role | None = Role.PLANNER) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {town.keys[role]}"} if role is not None else {}
    with httpx.Client(base_url=town.live.url, timeout=60) as client:
        response = client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.mark.parametrize("field", sorted(PLANNER_FIELDS))
@pytest.mark.parametrize("role", [None, Role.STAFF])
def test_the_public_and_staff_are_told_each_planner_query_needs_the_planner_role(
        town: Town, field: str, role: Role | None) -> None:
    answer = _ask(town, PLANNER_FIELDS[field], role)
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["message"] == f"{field} requires the planner role (send an API key: Authorization: Bearer …)"
    assert error["extensions"] == {"code": "FORBIDDEN", "requiredRole": "PLANNER"}


@pytest.mark.parametrize("field", sorted(PLANNER_FIELDS))
@pytest.mark.parametrize("role", [Role.PLANNER, Role.ADMIN])
def test_planners_and_admins_get_every_planner_query(town: Town, field: str, role: Role) -> None:
    answer = _ask(town, PLANNER_FIELDS[field], role)
    assert "errors" not in answer, answer
    assert answer["data"][field] is not None


def test_areas_are_public(town: Town) -> None:
    answer = _ask(town, '{ areas(kind: "ward") { totalCount nodes { id name } } }', role=None)
    assert answer["data"]["areas"]["totalCount"] == 3


def test_silos_arrive_with_their_evidence(town: Town) -> None:
    answer = _ask(town, """{ silos(need: ["need-housing"], first: 1) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { a { id name sector { id name } } b { id } sharedNeeds { id name } sharedAreas { id name } overlap }
        cells { need { id } area { id } organizations siloedPairs } } }""")
    silos = answer["data"]["silos"]
    assert silos["totalCount"] == 2 and silos["pageInfo"]["hasNextPage"]
    [pair] = silos["nodes"]
    assert pair["a"] == {"id": "org-lone", "name": "Lone Housing Co-op",
                         "sector": {"id": "sector-housing", "name": "Housing sector"}}
    assert pair["b"]["id"] == "org-police" and pair["overlap"] == 2
    assert [a["name"] for a in pair["sharedAreas"]] == ["Ward 1", "Ward 2"]
    after = _ask(town, f'{{ silos(need: ["need-housing"], after: "{silos["pageInfo"]["endCursor"]}") '
                       "{ nodes { a { id } b { id } } } }")
    assert after["data"]["silos"]["nodes"] == [{"a": {"id": "org-housing-a"}, "b": {"id": "org-lone"}}]


def test_the_network_summary_names_the_broker_and_the_single_points_of_failure(town: Town) -> None:
    answer = _ask(town, """{ agencyNetwork { nodes ties components isolates reciprocity
        brokers { organization { id } betweenness } articulationPointCount bridgeCount
        sectors { sector { id } eiIndex } communities { size } } }""")
    network = answer["data"]["agencyNetwork"]
    assert (network["nodes"], network["ties"], network["components"], network["isolates"]) == (6, 4, 2, 1)
    assert network["brokers"][0] == {"organization": {"id": "org-broker"}, "betweenness": 4.0}
    assert (network["articulationPointCount"], network["bridgeCount"]) == (3, 4)


def test_coverage_marks_the_ward_without_services_a_desert(town: Town) -> None:
    answer = _ask(town, """{ coverage(need: ["need-housing"], areaKind: "ward", catchmentKm: 5, method: TWO_SFCA) {
        regionalAverage supplyWithCatchment deserts
        areas { area { id } demand { value suppressed } score desert } } }""")
    coverage = answer["data"]["coverage"]
    assert coverage["deserts"] == 1 and coverage["supplyWithCatchment"] == pytest.approx(6)
    assert coverage["areas"][0] == {"area": {"id": "W3"}, "demand": {"value": 500, "suppressed": False},
                                    "score": 0.0, "desert": True}


def test_small_counts_arrive_suppressed_with_no_value(town: Town) -> None:
    answer = _ask(town, """{ referralFlows(groupBy: ORGANIZATION) { flows { from { id } to { id }
        count { value suppressed } } total { value } } }""")
    flows = answer["data"]["referralFlows"]
    hidden = [f for f in flows["flows"] if f["count"]["suppressed"]]
    assert len(hidden) == 3 and all(f["count"]["value"] is None for f in hidden)
    assert flows["total"]["value"] == 38


def test_the_flow_count_counts_only_the_flows_it_shows(town: Town) -> None:
    answer = _ask(town, "{ referralFlows(groupBy: ORGANIZATION, first: 0) { flowCount flows { from { id } } } }")
    assert answer["data"]["referralFlows"] == {"flowCount": 1, "flows": []}  # mh → police 20; three hidden


def test_a_period_that_is_not_whole_quarters_is_refused_saying_what_to_send(town: Town) -> None:
    answer = _ask(town, '{ referralFlows(from: "2026-01", to: "2026-02") { total { value } } }')
    assert answer["data"] is None
    assert answer["errors"][0]["message"] == (
        "to must be the last month of a calendar quarter (YYYY-03, -06, -09 or -12), not '2026-02': periods are "
        "whole quarters so that no small count can be worked out by subtracting two periods "
        '(send to: "2026-03" for the quarter 2026-02 is in)')
    answer = _ask(town, '{ unmetNeeds(from: "2026-01", to: "2026-03") { total { value } } }')
    assert answer["data"]["unmetNeeds"]["total"]["value"] == 44


def test_bad_planner_input_is_a_graphql_error_that_says_what_to_fix(town: Town) -> None:
    answer = _ask(town, '{ unmetNeeds(from: "March") { total { value } } }')
    assert answer["errors"][0]["message"] == "from must be a month written YYYY-MM (e.g. 2026-01), not 'March'"
    answer = _ask(town, '{ coverage(need: ["need-housing"], catchmentKm: -1) { sites } }')
    assert "catchmentKm must be > 0" in answer["errors"][0]["message"]


def test_the_suppression_threshold_is_a_setting(engine: GraphEngine, tmp_path: Path) -> None:
    served = _serve(engine, tmp_path, threshold=1)
    town = next(served)
    try:
        answer = _ask(town, "{ referralFlows(groupBy: ORGANIZATION) { flows { count { value suppressed } } } }")
        assert not any(f["count"]["suppressed"] for f in answer["data"]["referralFlows"]["flows"])
    finally:
        served.close()


PLANNER_SDL_FIELDS = ["silos", "agencyNetwork", "sectorGaps", "coverage", "unmetNeeds", "referralFlows", "areas"]


@FUZZ
@given(query=queries(SDL, fields=PLANNER_SDL_FIELDS, custom_scalars=custom_scalars(SDL), mode=Mode.POSITIVE,
                     allow_x00=False))
def test_generated_planner_queries_are_answered_or_refused_without_internal_errors(town: Town, query: str) -> None:
    with httpx.Client(base_url=town.live.url, timeout=60) as client:
        response = client.post("/graphql", json={"query": query},
                               headers={"Authorization": f"Bearer {town.keys[Role.PLANNER]}"})
    body = assert_answered_safely(response, query)
    assert _no_internal_error(body), f"a valid query hit an internal error\nquery: {query}\nbody: {body}"
