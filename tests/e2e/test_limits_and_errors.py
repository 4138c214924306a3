"""End to end over real HTTP: request limits, masked errors with a request id, privacy of the logs,
/metrics and /healthz.

Two servers share the module's demo database (on each engine): the real app (with a key store holding an admin
key, which /metrics needs, and the operation names /metrics may use as labels listed in its settings), and the same app
(`create_app`) serving a small probe schema built with the real extensions (`api.limits.schema_extensions()`),
whose resolvers raise what the real schema should never raise, and which nests as deep as a test wants.

Errors are answered as the GraphQL-over-HTTP audit expects: to a client accepting `application/json`
(the default), status 200 with `errors`; to one preferring `application/graphql-response+json`, a request
refused before execution gets status 400 and no `data`.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry

from api.app import create_app
from api.limits import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, schema_extensions
from api.observability import hashed_label
from api.permissions import staff_only as only_staff
from api.settings import ApiSettings
from domain.roles import Role
from domain.search_model import SearchInputError
from graph import embedded, neo4j_embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.errors import Conflict, DatabaseUnavailable, NotFound
from graph.settings import DatabaseSettings
from services.keys import KeyStore
from tests.e2e.server import (  # noqa: F401 (fixtures)
    LiveServer,
    demo_engine_fixture,
    load_demo,
    serving,
)

SECRET = "internal-detail-do-not-show-7391"  # in an unexpected exception's message: logged, never sent
RESIDENT_FACT = "resident-age-forty-two-5521"  # a variable value: never logged, never a metric label
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
CLIENT_LOGGERS = ("httpx", "httpcore")  # the tests' own HTTP client logs the URLs it requests
LISTED_OPERATIONS = ["CountServices", "Named"]  # labelled as they are in /metrics (the app's settings list them)


# ---------------------------------------------------------------- the probe schema

@strawberry.type
class Nest:
    @strawberry.field
    def child(self) -> Nest:
        return Nest()

    @strawberry.field
    def leaf(self) -> int:
        return 1


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def nest(self) -> Nest:
        return Nest()

    @strawberry.field
    def boom(self, note: str | None = None) -> int:
        raise RuntimeError(f"unexpected: {SECRET}")

    @strawberry.field
    def database_down(self) -> int:
        raise DatabaseUnavailable("falkordb://127.0.0.1:1", f"Connection refused {SECRET}", "start the database")

    @strawberry.field
    def bad_input(self) -> int:
        raise SearchInputError("radiusKm must be > 0 and ≤ 500")

    @strawberry.field
    def missing(self) -> int:
        raise NotFound("no service with id 'svc-404'")

    @strawberry.field
    def conflict(self) -> int:
        raise Conflict("a dataset with id 'demo' is being loaded: try again when it is done")

    @strawberry.field(description="A field only staff may see.", extensions=[only_staff()])
    def staff_only(self) -> int:
        return 1


probe_schema = strawberry.Schema(query=ProbeQuery, extensions=schema_extensions())


@pytest.fixture(scope="module")
def admin_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[KeyStore, str]:
    store = KeyStore(tmp_path_factory.mktemp("keys") / "keys.json")
    key, _ = store.add(name="operations", role=Role.ADMIN)
    return store, key


@pytest.fixture(scope="module")
def demo_api(demo_engine: GraphEngine, admin_key: tuple[KeyStore, str]) -> Iterator[LiveServer]:
    app = create_app(ApiSettings(metrics_operations=LISTED_OPERATIONS), engine=demo_engine, key_store=admin_key[0])
    with serving(app) as live:
        yield live


@pytest.fixture(scope="module")
def probe_api(demo_engine: GraphEngine) -> Iterator[LiveServer]:
    app = create_app(engine=demo_engine, graphql_schema=probe_schema)

    @app.get("/explode")
    def explode() -> None:
        raise RuntimeError(f"outside GraphQL: {SECRET}")

    with serving(app) as live:
        yield live


# ---------------------------------------------------------------- helpers

def post(server: LiveServer, query: str, *, variables: dict[str, Any] | None = None,
         operation_name: str | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    with server.client() as client:
        return client.post("/graphql", json=body, headers=headers or {})


def messages(response: httpx.Response) -> list[str]:
    return [error["message"] for error in response.json().get("errors", [])]


def nested(levels: int) -> str:
    """A probe query whose deepest field is `levels` below the top-level field (its depth)."""
    return "{ nest { " + "child { " * (levels - 1) + "leaf" + " }" * levels + " }"


def metric(text: str, name: str, **labels: str) -> float:
    """The value of the sample `name{labels}` in a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        sample, _, value = line.rpartition(" ")
        sample_name, _, rest = sample.partition("{")
        if sample_name == name and dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', rest)) == labels:
            return float(value)
    return 0.0


def scrape(server: LiveServer, key: str) -> str:
    with server.client() as client:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


# ---------------------------------------------------------------- limits

def test_a_query_at_the_depth_limit_runs(probe_api: LiveServer) -> None:
    response = post(probe_api, nested(MAX_DEPTH))
    assert response.status_code == 200
    assert "errors" not in response.json()


def test_a_query_nested_deeper_than_the_limit_is_refused_saying_what_to_do(probe_api: LiveServer) -> None:
    response = post(probe_api, nested(MAX_DEPTH + 1))

    assert response.status_code == 200
    assert response.json()["data"] is None
    assert messages(response) == [
        f"Query too deep: fields are nested more than {MAX_DEPTH} levels below the top-level fields (the limit is "
        f"{MAX_DEPTH}). Ask for fewer nested levels, or fetch the deeper data with a second query."
    ]


def test_the_real_schema_has_the_depth_limit_too(demo_api: LiveServer) -> None:
    deep = "{ service(id: \"x\") { organization { " + "a { " * MAX_DEPTH + "b" + " }" * MAX_DEPTH + " } } }"
    assert any(message.startswith("Query too deep") for message in messages(post(demo_api, deep)))


def test_too_many_aliases_are_refused_saying_how_many_and_what_to_do(demo_api: LiveServer) -> None:
    allowed = "{ " + " ".join(f"a{i}: serviceCount" for i in range(MAX_ALIASES)) + " }"
    assert post(demo_api, allowed).json()["data"]["a0"] == 50

    response = post(demo_api, "{ " + " ".join(f"a{i}: serviceCount" for i in range(MAX_ALIASES + 1)) + " }")
    assert response.status_code == 200
    assert messages(response) == [
        f"Too many aliases: the document uses {MAX_ALIASES + 1} aliases (the limit is {MAX_ALIASES}). "
        "Use fewer aliases, or split the request into several requests."
    ]


def test_a_document_of_too_many_tokens_is_refused_before_it_is_parsed_further(demo_api: LiveServer) -> None:
    response = post(demo_api, "{ " + "serviceCount " * MAX_TOKENS + "}")

    assert response.status_code == 200
    assert messages(response) == [
        f"Query too large: the document has more than {MAX_TOKENS} tokens (the limit is {MAX_TOKENS}). "
        "Ask for fewer fields, or split it into several requests."
    ]


def test_a_repeated_document_is_parsed_once_and_errors_are_reported_every_time(
        demo_api: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import strawberry.schema.schema as executing

    from api.limits import ParsedDocuments

    parsed: list[str] = []
    parse = executing.parse
    monkeypatch.setattr(executing, "parse", lambda source, **options: parsed.append(source) or parse(source, **options))
    # a document no other test sent (the parsed documents are kept for the process: this test runs per engine)
    query = f"query Repeated{uuid.uuid4().hex}($id: ID!) {{ service(id: $id) {{ id name }} }}"
    first = post(demo_api, query, variables={"id": "nope"})
    second = post(demo_api, query, variables={"id": "nope-either"})
    assert first.json() == second.json() == {"data": {"service": None}}
    assert parsed == [query]  # the second request used the first's document
    assert [text for text, _ in ParsedDocuments._documents].count(query) == 1

    too_large = "{ " + "serviceCount " * MAX_TOKENS + "}"
    broken = "{ serviceCount "
    for _ in range(2):  # never cached: refused the second time as the first, with the same message
        assert messages(post(demo_api, too_large))[0].startswith("Query too large")
        assert messages(post(demo_api, broken))[0].startswith("Syntax Error")
    assert not any(text in (too_large, broken) for text, _ in ParsedDocuments._documents)


def test_a_client_preferring_graphql_response_json_gets_400_without_data_for_a_refused_request(
    demo_api: LiveServer,
) -> None:
    headers = {"Accept": f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9"}
    response = post(demo_api, "{ " + " ".join(f"a{i}: serviceCount" for i in range(MAX_ALIASES + 1)) + " }",
                    headers=headers)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert "data" not in response.json()
    assert messages(response)[0].startswith("Too many aliases")

    answered = post(demo_api, "{ serviceCount }", headers=headers)
    assert answered.status_code == 200
    assert answered.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert answered.json() == {"data": {"serviceCount": 50}}


def test_introspection_stays_on_for_graphiql(demo_api: LiveServer) -> None:
    response = post(demo_api, "{ __schema { queryType { name } } }")
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


# ---------------------------------------------------------------- errors

def test_a_syntax_error_is_a_graphql_error_not_a_server_error(demo_api: LiveServer) -> None:
    response = post(demo_api, "{ serviceCount ")
    assert response.status_code == 200
    assert messages(response) == ["Syntax Error: Expected Name, found <EOF>."]

    strict = post(demo_api, "{ serviceCount ", headers={"Accept": GRAPHQL_RESPONSE_JSON})
    assert strict.status_code == 400
    assert "data" not in strict.json() and messages(strict) == ["Syntax Error: Expected Name, found <EOF>."]


def test_an_unexpected_exception_is_masked_with_the_request_id_and_logged_with_its_traceback(
    probe_api: LiveServer, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="safetynet")
    response = post(probe_api, "{ boom }", headers={"X-Request-ID": "case-4711"})

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "case-4711"
    assert response.json()["data"] is None
    [error] = response.json()["errors"]
    assert error["message"] == "internal error (request id case-4711)"
    assert error["extensions"] == {"code": "INTERNAL_ERROR", "requestId": "case-4711"}
    assert SECRET not in response.text and "Traceback" not in response.text

    [record] = [r for r in caplog.records if r.name == "safetynet.api" and "case-4711" in r.getMessage()]
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)
    assert SECRET in caplog.text and "Traceback (most recent call last)" in caplog.text


def test_a_database_outage_in_a_resolver_says_so_with_the_request_id(probe_api: LiveServer) -> None:
    response = post(probe_api, "{ databaseDown }", headers={"X-Request-ID": "outage-1"})

    [error] = response.json()["errors"]
    assert error["message"] == "the database is unavailable (request id outage-1); try again shortly"
    assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert SECRET not in response.text


def test_when_the_database_dies_queries_and_healthz_say_so(engine_name: str, tmp_path: Path) -> None:
    """On a server of the test's own, killed under the app (the session's Neo4j server is shared: not that one)."""
    data_dir = tmp_path / "db"
    scheme, status = (("embedded-neo4j", neo4j_embedded.status) if engine_name == "neo4j"
                      else ("embedded", embedded.status))
    engine = connect(DatabaseSettings(db=f"{scheme}://{data_dir}"))  # starts the server; close() stops it
    try:
        load_demo(engine, tmp_path / "demo-data", services=5)
        with serving(create_app(engine=engine)) as live:
            assert post(live, "{ serviceCount }").json() == {"data": {"serviceCount": 5}}
            server = status(data_dir)
            assert server is not None
            os.kill(server.pid, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while status(data_dir) is not None and time.monotonic() < deadline:
                time.sleep(0.05)

            response = post(live, "{ serviceCount }", headers={"X-Request-ID": "down-1"})
            assert response.status_code == 200
            assert messages(response) == ["the database is unavailable (request id down-1); try again shortly"]
            with live.client() as client:
                assert client.get("/healthz").status_code == 503
    finally:
        engine.close()


@pytest.mark.parametrize(("field", "message"), [
    ("badInput", "radiusKm must be > 0 and ≤ 500"),
    ("missing", "no service with id 'svc-404'"),
    ("conflict", "a dataset with id 'demo' is being loaded: try again when it is done"),
    ("staffOnly", "staffOnly requires the staff role (send an API key: Authorization: Bearer …)"),
])
def test_errors_the_schema_raises_on_purpose_reach_the_client_unmasked(
    probe_api: LiveServer, field: str, message: str,
) -> None:
    response = post(probe_api, f"{{ {field} }}")
    assert response.status_code == 200
    assert messages(response) == [message]


def test_an_error_outside_graphql_is_a_masked_500_with_the_request_id(
    probe_api: LiveServer, caplog: pytest.LogCaptureFixture,
) -> None:
    with probe_api.client() as client:
        response = client.get("/explode", headers={"X-Request-ID": "explode-1"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "explode-1"
    assert response.json() == {"detail": "internal error (request id explode-1)"}  # a REST route: its error shape
    assert any("explode-1" in r.getMessage() and r.exc_info for r in caplog.records if r.name == "safetynet.api")


def test_the_request_id_is_echoed_when_sane_and_replaced_when_not(demo_api: LiveServer) -> None:
    with demo_api.client() as client:
        echoed = client.post("/graphql", json={"query": "{ serviceCount }"},
                             headers={"X-Request-ID": "3f2c9a1e-7b7d-4f0e-9a55-0c3e1d2b4a6f"})
        fresh = client.post("/graphql", json={"query": "{ serviceCount }"})
        insane = client.get("/healthz", headers={"X-Request-ID": "two words<script>"})
        too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 129})

    assert echoed.headers["x-request-id"] == "3f2c9a1e-7b7d-4f0e-9a55-0c3e1d2b4a6f"
    for response in (fresh, insane, too_long):
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert fresh.headers["x-request-id"] != insane.headers["x-request-id"]


def test_variables_and_query_strings_never_reach_the_logs(
    demo_api: LiveServer, probe_api: LiveServer, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong_type = "query($id: ID!) { service(id: $id) { name } serviceCount(x: 1) }"
    post(demo_api, wrong_type, variables={"id": RESIDENT_FACT})
    post(demo_api, "query($n: Int) { serviceCount }", variables={"n": RESIDENT_FACT})  # invalid value: echoed back
    post(probe_api, "query($note: String) { boom(note: $note) }", variables={"note": RESIDENT_FACT})
    with demo_api.client() as client:
        client.get("/graphql", params={"query": "{ serviceCount }", "variables": f'{{"x": "{RESIDENT_FACT}"}}'},
                   headers={"Accept": "application/json"})

    server_side = [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]
    assert any(r.name == "safetynet.access" for r in server_side), "the access log is missing"
    assert not [r for r in server_side if r.name.startswith("uvicorn.access")]
    assert any(r.exc_info for r in server_side), "the internal error's traceback is missing"
    formatter = logging.Formatter()
    for record in server_side:
        assert RESIDENT_FACT not in formatter.format(record), f"logged by {record.name}: {record.getMessage()}"


# ---------------------------------------------------------------- metrics and health

def test_metrics_count_operations_by_name_and_outcome_and_http_requests_by_route(
        demo_api: LiveServer, admin_key: tuple[KeyStore, str]) -> None:
    before = scrape(demo_api, admin_key[1])
    ok = post(demo_api, "query CountServices { serviceCount }", operation_name="CountServices")
    bad = post(demo_api, "query CountServices { serviceCount nope }")
    post(demo_api, "query($id: ID!) { service(id: $id) { name } }", variables={"id": RESIDENT_FACT})
    after = scrape(demo_api, admin_key[1])

    assert ok.json() == {"data": {"serviceCount": 50}} and bad.json()["errors"]
    for outcome in ("ok", "error"):
        name = "safetynet_graphql_operations_total"
        assert metric(after, name, operation="CountServices", outcome=outcome) == \
            metric(before, name, operation="CountServices", outcome=outcome) + 1
        latency = "safetynet_graphql_operation_seconds_count"
        assert metric(after, latency, operation="CountServices", outcome=outcome) == \
            metric(before, latency, operation="CountServices", outcome=outcome) + 1
    assert metric(after, "safetynet_graphql_operations_total", operation="anonymous", outcome="ok") >= 1
    requests = "safetynet_http_requests_total"
    assert metric(after, requests, route="/graphql", status="200") >= \
        metric(before, requests, route="/graphql", status="200") + 3
    assert metric(after, requests, route="/metrics", status="200") >= 1
    assert RESIDENT_FACT not in after


def test_operation_names_the_document_does_not_define_are_not_metric_labels(
        demo_api: LiveServer, admin_key: tuple[KeyStore, str]) -> None:
    post(demo_api, "{ serviceCount }", operation_name="Bogus9931")
    post(demo_api, "query Named { serviceCount }", operation_name="Named")
    after = scrape(demo_api, admin_key[1])

    assert "Bogus9931" not in after and hashed_label("Bogus9931") not in after
    assert metric(after, "safetynet_graphql_operations_total", operation="Named", outcome="ok") >= 1


def test_operation_names_the_settings_do_not_list_are_labelled_by_a_hash(
        demo_api: LiveServer, admin_key: tuple[KeyStore, str]) -> None:
    post(demo_api, "query ResidentJaneDoeAge42 { serviceCount }")
    after = scrape(demo_api, admin_key[1])

    assert "ResidentJaneDoeAge42" not in after
    assert metric(after, "safetynet_graphql_operations_total", operation=hashed_label("ResidentJaneDoeAge42"),
                  outcome="ok") >= 1  # the app's first name not listed: its budget of hashed labels is not spent


def test_unknown_paths_share_one_route_label(demo_api: LiveServer, admin_key: tuple[KeyStore, str]) -> None:
    with demo_api.client() as client:
        assert client.get("/no/such/path-8812").status_code == 404
    after = scrape(demo_api, admin_key[1])
    assert "path-8812" not in after
    assert metric(after, "safetynet_http_requests_total", route="unmatched", status="404") >= 1


def test_healthz_still_answers_with_a_request_id(demo_api: LiveServer, demo_engine: GraphEngine) -> None:
    with demo_api.client() as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": demo_engine.dialect}
    assert response.headers["x-request-id"]
