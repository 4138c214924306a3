"""End to end: the real app (`api.app.create_app`) serving the demo city over HTTP, on each engine in turn,
answers whatever a client sends without a server error, a traceback, or an internal error's text.

- The schema's SDL the queries are generated from (`str(api.schema.schema)`) is the schema /graphql serves
  (introspected).
- Queries generated from that SDL (hypothesis-graphql), EXAMPLES of each kind: valid ones (Mode.POSITIVE) are
  answered or refused with a message, never an internal error, masked or not; ones with one schema violation
  (Mode.NEGATIVE) are refused with GraphQL errors. No example database is kept: runs are independent.
- Awkward strings in arguments (backticks, escaped quotes and backslashes, 10,000 characters, non-ASCII, an
  injection attempt) are answered without an internal error.
- A NUL character in an argument (which generated queries leave out, `allow_x00=False`) is refused with an
  input error saying what to fix, not an internal one: no database can take one (FalkorDB reads query
  parameters as text that would end there), so the API refuses it before any resolver runs (api.inputs).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from api.schema import schema
from tests.e2e.server import LiveServer, demo_api_fixture, demo_engine_fixture  # noqa: F401 (fixtures)

SDL = str(schema)
EXAMPLES = 150
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Text that only an unmasked internal error would show: a traceback, an exception's type, a driver's name.
LEAKS = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|"
    r"\b(?:[A-Z][a-z]+)+(?:Error|Exception)\b|"  # RuntimeError, KeyError, ResponseError, …
    r"(?i:\b(?:redis|falkordb|neo4j|cypher|NoneType)\b)"
)
INTERNAL_CODES = {"INTERNAL_ERROR", "DATABASE_UNAVAILABLE"}


def _string(values: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.ValueNode]:
    return values.map(lambda value: graphql.StringValueNode(value=value))


# Values for strawberry's custom scalars the schema may use; any other custom scalar gets arbitrary strings.
_KNOWN_SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "DateTime": _string(st.datetimes(timezones=st.just(dt.UTC)).map(dt.datetime.isoformat)),
    "Date": _string(st.dates().map(dt.date.isoformat)),
    "Time": _string(st.times().map(dt.time.isoformat)),
    "Decimal": _string(st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str)),
    "UUID": _string(st.uuids().map(str)),
    "JSON": st.one_of(_string(st.text(max_size=20)), st.integers(-(2**31), 2**31 - 1).map(
        lambda number: graphql.IntValueNode(value=str(number)))),
}


def custom_scalars(sdl: str) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    built = graphql.build_schema(sdl)
    return {
        name: _KNOWN_SCALARS.get(name, _string(st.text(max_size=40)))
        for name, type_ in built.type_map.items()
        if isinstance(type_, graphql.GraphQLScalarType) and not graphql.is_specified_scalar_type(type_)
    }


@pytest.fixture(scope="module")
def client(demo_api: LiveServer) -> Iterator[httpx.Client]:
    """One keep-alive connection to the live app for all the examples."""
    with demo_api.client() as http:
        yield http


def _post(client: httpx.Client, query: str) -> httpx.Response:
    return client.post("/graphql", json={"query": query})


def assert_answered_safely(response: httpx.Response, query: str) -> dict[str, Any]:
    context = f"\nquery: {query}\nstatus: {response.status_code}\nbody: {response.text[:1000]}"
    assert response.status_code < 500, "server error" + context
    assert response.headers["content-type"].startswith("application/json"), "not a GraphQL response" + context
    body = response.json()
    assert isinstance(body, dict) and ("data" in body or "errors" in body), "not a GraphQL response" + context
    leak = LEAKS.search(json.dumps(body.get("errors", []), ensure_ascii=False))
    assert leak is None, f"internal error text {leak.group(0)!r} in the response" + context
    return body


def _no_internal_error(body: dict[str, Any]) -> bool:
    return not {str((e.get("extensions") or {}).get("code")) for e in body.get("errors", [])} & INTERNAL_CODES


def test_the_schema_sdl_is_what_is_served(client: httpx.Client) -> None:
    """The fuzz tests generate from `str(api.schema.schema)`; it is the schema /graphql serves."""
    body = _post(client, graphql.get_introspection_query()).json()
    served = graphql.lexicographic_sort_schema(graphql.build_client_schema(body["data"]))
    assert graphql.print_schema(served) == graphql.print_schema(graphql.lexicographic_sort_schema(
        graphql.build_schema(SDL)))


@FUZZ
@given(query=queries(SDL, custom_scalars=custom_scalars(SDL), mode=Mode.POSITIVE, allow_x00=False))
def test_valid_generated_queries_are_answered_without_internal_errors(client: httpx.Client, query: str) -> None:
    body = assert_answered_safely(_post(client, query), query)
    assert _no_internal_error(body), f"a valid query hit an internal error\nquery: {query}\nbody: {body}"


@FUZZ
@given(query=queries(SDL, custom_scalars=custom_scalars(SDL), mode=Mode.NEGATIVE, allow_x00=False))
def test_invalid_generated_queries_are_refused_with_graphql_errors(client: httpx.Client, query: str) -> None:
    body = assert_answered_safely(_post(client, query), query)

    assert body.get("errors"), f"a query that breaks the schema was not refused\nquery: {query}\nbody: {body}"


@pytest.mark.parametrize("value", ["a`b", 'a\\"b', "\\\\", "a\\nb", "x" * 10_000, "ünïcødé 🙂", "' OR 1=1 //"])
def test_awkward_strings_in_arguments_are_answered_without_internal_errors(client: httpx.Client, value: str) -> None:
    for query in (f'{{ service(id: "{value}") {{ id }} }}', f'{{ organizations(search: "{value}") {{ totalCount }} }}'):
        body = assert_answered_safely(_post(client, query), query)
        assert _no_internal_error(body), f"query: {query[:200]}\nbody: {body}"


def test_a_nul_character_in_an_argument_is_answered_without_an_internal_error(client: httpx.Client) -> None:
    """No database can take a NUL (FalkorDB reads query parameters as text that would end there): the API
    refuses it before any resolver runs (api.inputs; on FalkorDB the graph layer would too), and the client is
    told which argument to fix."""
    query = '{ service(id: "a\\u0000b") { id } }'
    body = assert_answered_safely(_post(client, query), query)
    assert _no_internal_error(body), body
    assert "NUL character" in body["errors"][0]["message"], body
