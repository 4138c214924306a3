"""A request's cost is bounded before it runs (api/cost.py): the fan-out request that froze the API for
minutes is refused at once, with an error naming the limit and its cost, while a normal search sent at
the same time answers in normal time. Costs are checked against the rule on small documents."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from api.cost import MAX_COST, operation_cost
from api.limits import MAX_ALIASES
from api.schema import schema
from tests.e2e.server import (  # noqa: F401 (fixtures)
    LiveServer,
    demo_api_fixture,
    demo_database,
    demo_engine_fixture,
)

ALIASES = "\n".join(f'  a{i}: organization(id: "org") {{ ...Deep }}' for i in range(MAX_ALIASES))
FAN_OUT = f"""query Fan {{
{ALIASES}
}}
fragment Deep on Organization {{
  services(first: 100) {{ edges {{ node {{ organization {{ services(first: 100) {{ edges {{ node {{
    name locations {{ id name address {{ address1 }} }} }} }} }} }} }} }} }}
}}"""
SEARCH = """{ services(need: ["need-food"], near: {latitude: 44.2365, longitude: -76.4960}, first: 10) {
  totalCount edges { distanceKm node { name } } } }"""


def _cost(document: str, variables: dict[str, Any] | None = None) -> int:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    graphql_schema = schema._schema
    coerced = get_variable_values(graphql_schema, operation.variable_definitions or (), variables or {})
    assert not isinstance(coerced, list), coerced
    return operation_cost(graphql_schema, operation, fragments, coerced)


@pytest.mark.parametrize(("document", "variables", "expected"), [
    ("{ serviceCount }", None, 1),
    ("{ services { totalCount } }", None, 1 + 20),  # first's default (20)
    ("{ services(first: 5) { edges { node { name locations { id } phones { number } } } } }", None, 1 + 5),
    ("query($n: Int!) { services(first: $n) { totalCount } }", {"n": 7}, 1 + 7),
    ("""{ services(first: 20) { edges { node { organization { services(first: 5) { totalCount } } } } } }""",
     None, 1 + 20 + 20 * (1 + 5)),
    ("""{ a: organization(id: "x") { locations { id } } b: organization(id: "y") { ...F } }
        fragment F on Organization { services(first: 3) { totalCount } }""", None, (1 + 1) + (1 + 1 + 3)),
    ("{ __schema { types { name fields { name } } } }", None, 0),
])
def test_a_requests_cost_is_its_resolver_calls_and_the_records_its_pages_return(
        document: str, variables: dict[str, Any] | None, expected: int) -> None:
    assert _cost(document, variables) == expected


def test_the_fan_out_request_costs_far_more_than_the_limit() -> None:
    assert _cost(FAN_OUT) > 100 * MAX_COST


def _post(client: httpx.Client, query: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    return time.perf_counter() - started, response.json()


def test_the_fan_out_request_is_refused_at_once_and_a_search_meanwhile_answers_in_normal_time(
        demo_api: LiveServer) -> None:
    with demo_api.client() as client:
        org = client.post("/graphql", json={"query": "{ organizations(first: 1) { nodes { id } } }"}).json()
        fan_out = FAN_OUT.replace('"org"', f'"{org["data"]["organizations"]["nodes"][0]["id"]}"')
        alone, _ = _post(client, SEARCH)
    answers: dict[str, tuple[float, dict[str, Any]]] = {}

    def send(name: str, query: str) -> None:
        with demo_api.client() as client:
            answers[name] = _post(client, query)

    threads = [threading.Thread(target=send, args=(f"fan-{i}", fan_out)) for i in range(3)]
    threads.append(threading.Thread(target=send, args=("search", SEARCH)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for i in range(3):
        took, body = answers[f"fan-{i}"]
        assert body.get("data") is None and len(body["errors"]) == 1
        message = body["errors"][0]["message"]
        assert message.startswith("Query too costly") and f"{MAX_COST:,}" in message and "first" in message
        assert took < 2.0, took
    took, body = answers["search"]
    assert "errors" not in body and body["data"]["services"]["totalCount"] > 0
    assert took < max(2.0, 10 * alone), (took, alone)


def test_a_request_within_the_cost_limit_runs(demo_api: LiveServer) -> None:
    with demo_api.client() as client:
        _, body = _post(client, """{ organizations(first: 5) { nodes { name services(first: 20) {
          edges { node { name organization { name } locations { id } } } } } } }""")
    assert "errors" not in body and len(body["data"]["organizations"]["nodes"]) == 5
