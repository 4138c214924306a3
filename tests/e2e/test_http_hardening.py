"""End to end over real HTTP: what an anonymous caller may send and what every response says (issue 16,
items 3, 7, 10, 11 and 12).

- Inputs are bounded: the request body (413 before it is read, on every route, chunked or not), every list
  argument, the GraphQL response's size; text that cannot be stored (NUL, lone surrogates), a body that is not
  UTF-8 or JSON nested 10,000 deep, an instant at the calendar's end are input errors, never internal ones.
- /metrics is for admin keys, and its labels never hold an operation name the operator did not list.
- Every response forbids sniffing and framing; keyed ones are not stored and vary by Authorization; the HSDS
  routes answer HEAD; /docs (Swagger UI) comes from the app itself, checked in a real headless Chromium.

One real app (`create_app`) over the module's demo city, with a key store holding an admin and a staff key.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from api.app import create_app
from api.inputs import MAX_LIST_ITEMS
from api.observability import MAX_HASHED_OPERATIONS, hashed_label
from api.settings import ApiSettings
from api.swagger_ui import PROJECT_SWAGGER_UI_DIR
from domain.roles import Role
from graph.engine import GraphEngine
from services.keys import KeyStore
from tests.browser.chromium import chromium, chromium_executable_fixture  # noqa: F401 (fixture)
from tests.e2e.server import LiveServer, demo_engine_fixture, serving  # noqa: F401 (fixture)

LIMIT = 1_048_576  # SAFETYNET_MAX_BODY_BYTES's default
LISTED_OPERATION = "ServiceCount"  # the one operation name the app's settings list for /metrics
RESIDENT_DETAILS = "JaneDoeBorn1980LivesAt12Elm"  # typed into an operation name: never a metric label
SOCKET_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Live:
    server: LiveServer
    store: KeyStore
    admin: str
    staff: str


@pytest.fixture(scope="module")
def live(demo_engine: GraphEngine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    store = KeyStore(tmp_path_factory.mktemp("keys") / "keys.json")
    admin, _ = store.add(name="operations", role=Role.ADMIN)
    staff, _ = store.add(name="front desk", role=Role.STAFF)
    app = create_app(ApiSettings(metrics_operations=[LISTED_OPERATION]), engine=demo_engine, key_store=store)
    with serving(app) as server:
        yield Live(server, store, admin, staff)


def post_json(server: LiveServer, payload: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """POST `payload` to /graphql as JSON with non-ASCII escaped (so lone surrogates travel as `\\ud800`)."""
    with server.client() as client:
        return client.post("/graphql", content=json.dumps(payload).encode(),
                           headers={"Content-Type": "application/json", **(headers or {})})


def graphql(server: LiveServer, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"query": query, **({"variables": variables} if variables is not None else {}), **kwargs}
    response = post_json(server, payload)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def messages(answer: dict[str, Any]) -> list[str]:
    return [error["message"] for error in answer.get("errors", [])]


def internal(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in answer.get("errors", []) if (e.get("extensions") or {}).get("code") == "INTERNAL_ERROR"]


# ---------------------------------------------------------------- raw HTTP (bodies sent piece by piece)

def connect(server: LiveServer) -> socket.socket:
    parts = urlsplit(server.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=SOCKET_TIMEOUT_S)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of the response read from `sock` (Content-Length bodies)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"the connection closed before a response: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def chunk(data: bytes) -> bytes:
    """`data` as one chunk of a chunked body."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


# ---------------------------------------------------------------- 7: the request body

@pytest.mark.parametrize(("path", "method", "key"), [("/graphql", "POST", "errors"),
                                                     ("/hsds/services", "GET", "detail")])
def test_a_body_declared_larger_than_the_limit_is_refused_with_413_before_any_of_it_is_sent(
        live: Live, path: str, method: str, key: str) -> None:
    with connect(live.server) as sock:
        started = time.monotonic()
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {60 * LIMIT}\r\n\r\n".encode())
        status, headers, body = read_response(sock)  # nothing of the 60 MB was sent
    assert time.monotonic() - started < 2
    assert status == 413
    assert headers["connection"] == "close"
    message = json.loads(body)[key][0]["message"] if key == "errors" else json.loads(body)[key]
    assert f"larger than {LIMIT:,} bytes" in message and "Send a smaller request" in message


@pytest.mark.parametrize(("path", "method"), [("/graphql", "POST"), ("/hsds/services", "GET")])
def test_a_chunked_body_is_refused_once_it_passes_the_limit_and_healthz_answers_meanwhile(
        live: Live, path: str, method: str) -> None:
    with connect(live.server) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode() + chunk(b'{"query": "{ serviceCount }"'))
        sock.sendall(chunk(b" " * (LIMIT // 2)))
        with live.server.client() as client:  # while that body is half sent
            started = time.monotonic()
            assert client.get("/healthz").status_code == 200
            assert time.monotonic() - started < 1
        sock.sendall(chunk(b" " * (LIMIT // 2)))  # past the limit; the body's end is never sent
        status, headers, body = read_response(sock)
    assert status == 413, body
    assert headers["connection"] == "close"
    assert b"larger than" in body


def test_a_body_within_the_limit_is_answered_and_one_over_it_is_not(live: Live) -> None:
    query = "{ serviceCount }"
    within = json.dumps({"query": query + " " * (LIMIT - 100)})
    over = json.dumps({"query": query, "variables": {"padding": "x" * LIMIT}})  # 1 MB of variables
    with live.server.client() as client:
        answered = client.post("/graphql", content=within, headers={"Content-Type": "application/json"})
        refused = client.post("/graphql", content=over, headers={"Content-Type": "application/json"})
    assert answered.status_code == 200 and answered.json() == {"data": {"serviceCount": 50}}
    assert refused.status_code == 413
    assert refused.json()["errors"][0]["message"].startswith(f"The request body is larger than {LIMIT:,} bytes")


def test_the_body_limit_is_a_setting(demo_engine: GraphEngine) -> None:
    app = create_app(ApiSettings(max_body_bytes=4096), engine=demo_engine)
    with serving(app) as server, server.client() as client:
        small = client.post("/graphql", json={"query": "{ serviceCount }"})
        large = client.post("/graphql", json={"query": "{ serviceCount }" + " " * 5000})
    assert small.status_code == 200
    assert large.status_code == 413 and "4,096 bytes" in large.json()["errors"][0]["message"]


# ---------------------------------------------------------------- 7: list arguments

def test_thirty_thousand_languages_are_refused_at_once_naming_the_argument_and_the_limit(live: Live) -> None:
    codes = [f"l{i}" for i in range(30_000)]
    started = time.monotonic()
    answer = graphql(live.server, "query($l: [String!]) { services(resident: {languages: $l}) { totalCount } }",
                     {"l": codes})
    assert time.monotonic() - started < 2
    assert answer["data"] is None
    assert messages(answer) == [
        f"Argument `resident.languages` of `services` (from variable `$l`) has 30,000 items; the limit is "
        f"{MAX_LIST_ITEMS} per list. Send at most {MAX_LIST_ITEMS}, or split the request into several."]


def test_a_list_inside_an_input_object_variable_and_a_list_written_in_the_document_are_bounded_too(
        live: Live) -> None:
    resident = {"languages": ["en"], "populations": [f"pop-{i}" for i in range(MAX_LIST_ITEMS + 1)]}
    answer = graphql(live.server, "query($r: ResidentInput) { services(resident: $r) { totalCount } }",
                     {"r": resident})
    assert messages(answer) == [
        f"Argument `resident.populations` of `services` (from variable `$r`) has {MAX_LIST_ITEMS + 1} items; the "
        f"limit is {MAX_LIST_ITEMS} per list. Send at most {MAX_LIST_ITEMS}, or split the request into several."]

    needs = ", ".join(f'"need-{i}"' for i in range(MAX_LIST_ITEMS + 1))
    written = graphql(live.server, f"{{ services(need: [{needs}]) {{ totalCount }} }}")
    assert messages(written)[0].startswith(f"Argument `need` of `services` has {MAX_LIST_ITEMS + 1} items")
    defaulted = graphql(live.server, f"query($n: [ID!] = [{needs}]) {{ services(need: $n) {{ totalCount }} }}")
    assert messages(defaulted)[0].startswith(
        f"Argument `need` of `services` (from variable `$n`) has {MAX_LIST_ITEMS + 1} items")


def test_a_list_at_the_limit_is_accepted(live: Live) -> None:
    answer = graphql(live.server, "query($l: [String!]) { services(resident: {languages: $l}) { totalCount } }",
                     {"l": [f"l{i}" for i in range(MAX_LIST_ITEMS)]})
    assert "errors" not in answer, answer


# ---------------------------------------------------------------- 3: the response's size

def test_a_response_over_the_size_limit_is_replaced_by_an_error_asking_for_less(demo_engine: GraphEngine) -> None:
    app = create_app(ApiSettings(max_response_bytes=4096), engine=demo_engine)
    query = "{ services(first: 50) { edges { node { id name description } } } }"
    with serving(app) as server:
        small = graphql(server, "{ services(first: 1) { edges { node { id } } } }")
        large = graphql(server, query)
        with server.client() as client:
            strict = client.post("/graphql", json={"query": query},
                                 headers={"Accept": "application/graphql-response+json"})
    assert "errors" not in small and small["data"]["services"]["edges"]
    assert large["data"] is None
    [error] = large["errors"]
    assert error["extensions"] == {"code": "RESPONSE_TOO_LARGE"}
    assert re.fullmatch(r"The response is too large: [\d,]+ bytes \(the limit is 4,096\)\. Ask for fewer fields or "
                        r"smaller pages \(`first`\), and page on with `after`\.", error["message"]), error["message"]
    assert strict.status_code == 400 and "data" not in strict.json()


# ---------------------------------------------------------------- 11: edge inputs are input errors

@pytest.mark.parametrize(("query", "variables", "argument"), [
    ("query($v: ID!) { organization(id: $v) { id } }", {"v": "org-\ud800"}, "`id` of `organization`"),
    ("query($v: String) { organizations(search: $v) { totalCount } }", {"v": "\udfff"}, "`search` of `organizations`"),
    ("query($v: String) { taxonomyTerms(search: $v) { totalCount } }", {"v": "x\ud83d"}, "`search` of `taxonomyTerms`"),
    ("query($v: String) { services(text: $v) { totalCount } }", {"v": "food\ud800"}, "`text` of `services`"),
    ("query($v: ID!) { service(id: $v) { id } }", {"v": "a\x00b"}, "`id` of `service`"),
    ("query($v: [String!]) { services(resident: {languages: $v}) { totalCount } }", {"v": ["en", "f\x00r"]},
     "`resident.languages[1]` of `services`"),
    ('{ organizations(search: "a\\u0000b") { totalCount } }', None, "`search` of `organizations`"),
])
def test_text_that_cannot_be_stored_is_refused_naming_the_argument(
        live: Live, query: str, variables: dict[str, Any] | None, argument: str) -> None:
    answer = graphql(live.server, query, variables)
    assert not internal(answer), answer
    assert answer["data"] is None
    [message] = messages(answer)
    assert message.startswith(f"Argument {argument}"), message
    assert ("lone surrogate (U+D" in message and "send valid Unicode text" in message) or \
        ("NUL character (U+0000)" in message and "remove it" in message), message


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00-12:00", "0001-01-01T00:00:00+14:00",
                                     "9999-12-31T23:59:59-12:00"])
def test_an_opening_time_at_either_end_of_the_calendar_is_answered(live: Live, instant: str) -> None:
    answer = graphql(live.server, "query($t: DateTime) { services(openAt: $t, first: 100) { totalCount } }",
                     {"t": instant})
    assert "errors" not in answer, answer


def test_a_body_that_is_not_utf8_is_a_400_saying_so(live: Live) -> None:
    body = b'{"query": "{ serviceCount }", "operationName": "\xff"}'
    with live.server.client() as client:
        response = client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.text == (f"The request body is not valid UTF-8 (byte 0xff at offset {body.index(0xFF)}): send "
                             "the JSON encoded as UTF-8.")


def test_an_operation_name_that_is_not_text_is_a_400_saying_so(live: Live) -> None:
    response = post_json(live.server, {"query": "query A { serviceCount }", "operationName": "A\ud800"})
    assert response.status_code == 400
    assert response.text == ("The operationName contains a lone surrogate (U+D800), which is not a character: send "
                             "valid Unicode text.")


def test_json_nested_ten_thousand_deep_is_a_400_not_a_500(live: Live) -> None:
    deep = "[" * 10_000 + "]" * 10_000
    # in a URL, 2,000 deep (12 KB once encoded) is past what the JSON reader nests, yet within the request head
    # the server takes (16 KiB, api/serving.py; h11 counts it on what is not parsed yet, so 60 KB would be refused,
    # or not, as the connection happens to deliver it: CI saw both)
    in_url = "[" * 2_000 + "]" * 2_000
    with live.server.client() as client:
        posted = client.post("/graphql", content=f'{{"query": "{{ serviceCount }}", "variables": {{"v": {deep}}}}}',
                             headers={"Content-Type": "application/json"})
        got = client.get("/graphql", params={"query": "{ serviceCount }", "variables": f'{{"v": {in_url}}}'},
                         headers={"Accept": "application/json"})
    for response in (posted, got):
        assert response.status_code == 400, response.text
        assert response.text.startswith("The request's JSON is nested too deeply to read")


def test_a_variable_nested_deeper_than_any_input_is_refused(live: Live) -> None:
    nested: Any = "en"
    for _ in range(50):
        nested = [nested]
    answer = graphql(live.server, "query($l: [String!]) { services(resident: {languages: $l}) { totalCount } }",
                     {"l": nested})
    assert not internal(answer)
    assert messages(answer)[0].startswith("Argument `resident.languages[0][0]")
    assert "nested more than 20 levels deep" in messages(answer)[0]


def _hsds_text_parameters(server: LiveServer) -> list[tuple[str, str]]:
    """(path, name) of every string query parameter of the HSDS routes, from the app's own OpenAPI document."""
    with server.client() as client:
        document = client.get("/openapi.json").json()
    found = []
    for path, item in document["paths"].items():
        if not path.startswith("/hsds"):
            continue
        for parameter in item["get"].get("parameters", []):
            schema = parameter["schema"]
            types = {s.get("type") for s in schema.get("anyOf", [schema])}
            if parameter["in"] == "query" and "string" in types and "enum" not in json.dumps(schema):
                found.append((path, parameter["name"]))
    return found


def test_every_hsds_text_parameter_refuses_a_nul_with_a_422_naming_it(live: Live) -> None:
    parameters = _hsds_text_parameters(live.server)
    assert ("/hsds/organizations", "search") in parameters and ("/hsds/taxonomies", "search") in parameters
    with live.server.client() as client:
        for path, name in parameters:
            response = client.get(path.replace("{id}", "x"), params={name: "a\x00b"})
            assert response.status_code == 422, (path, name, response.text)
            assert any(p["loc"][-1] == name for p in response.json()["detail"]), (path, name, response.text)


def test_no_hsds_parameter_or_id_holding_a_surrogate_or_an_edge_date_is_a_server_error(live: Live) -> None:
    odd = ["%ED%A0%80", "%F0%9F", "0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-12:00", "%00"]
    with live.server.client() as client:
        for path, name in _hsds_text_parameters(live.server):
            for value in odd:
                response = client.get(f"{path.replace('{id}', 'x')}?{name}={value}")
                assert response.status_code < 500, (path, name, value, response.text)
        for kind in ("services", "organizations", "taxonomies", "taxonomy_terms", "service_at_locations"):
            for value in odd:
                response = client.get(f"/hsds/{kind}/{value}")
                assert response.status_code in (404, 422), (kind, value, response.text)


# ---------------------------------------------------------------- 10: metrics

def scrape(live: Live, server: LiveServer | None = None) -> str:
    with (server or live.server).client() as client:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {live.admin}"})
    assert response.status_code == 200, response.text
    return response.text


def count(metrics: str, operation: str) -> float:
    """How many operations /metrics counted under the label `operation` (every outcome)."""
    return sum(float(value) for value in re.findall(
        rf'^safetynet_graphql_operations_total{{operation="{operation}",outcome="\w+"}} (\S+)$', metrics, re.M))


def test_metrics_are_for_admin_keys_only(live: Live) -> None:
    with live.server.client() as client:
        anonymous = client.get("/metrics")
        staff = client.get("/metrics", headers={"Authorization": f"Bearer {live.staff}"})
        bad = client.get("/metrics", headers={"Authorization": "Bearer sng_" + "x" * 40})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
    assert "admin API key" in anonymous.json()["detail"]
    assert staff.status_code == 403 and "role is staff" in staff.json()["detail"]
    assert bad.status_code == 401
    assert "safetynet_http_requests_total" in scrape(live)


def test_an_operation_name_the_operator_did_not_list_is_a_label_only_as_a_hash(live: Live) -> None:
    graphql(live.server, f"query {RESIDENT_DETAILS} {{ serviceCount }}", operationName=RESIDENT_DETAILS)
    graphql(live.server, f"query {LISTED_OPERATION} {{ serviceCount }}")
    metrics = scrape(live)
    assert RESIDENT_DETAILS not in metrics
    assert f'operation="{hashed_label(RESIDENT_DETAILS)}",outcome="ok"' in metrics
    assert f'operation="{LISTED_OPERATION}",outcome="ok"' in metrics


def test_an_app_gives_at_most_a_hundred_distinct_hashed_labels_then_other(live: Live, demo_engine: GraphEngine) -> None:
    app = create_app(engine=demo_engine, key_store=live.store)  # its own labels: none given yet
    names = [f"Filler{i}" for i in range(MAX_HASHED_OPERATIONS + 1)]
    with serving(app) as server:
        before = scrape(live, server)
        with server.client() as client:
            for name in names:
                client.post("/graphql", json={"query": f"query {name} {{ __typename }}"}).raise_for_status()
        after = scrape(live, server)
    assert all(count(after, hashed_label(name)) == count(before, hashed_label(name)) + 1 for name in names[:-1])
    assert count(after, hashed_label(names[-1])) == 0
    assert count(after, "other") == count(before, "other") + 1


# ---------------------------------------------------------------- 12: headers, HEAD, /docs

def test_every_response_forbids_sniffing_and_framing(live: Live) -> None:
    with live.server.client() as client:
        responses = [client.get("/healthz"), client.post("/graphql", json={"query": "{ serviceCount }"}),
                     client.get("/hsds/services"), client.get("/openapi.json"), client.get("/no/such/page"),
                     client.post("/graphql", content=b" " * (LIMIT + 1), headers={"Content-Type": "application/json"})]
    for response in responses:
        where = f"{response.request.method} {response.request.url.path} {response.status_code}"
        assert response.headers["x-content-type-options"] == "nosniff", where
        assert response.headers["x-frame-options"] == "DENY", where
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], where


def test_responses_that_depend_on_the_key_are_not_stored_and_vary_by_authorization(live: Live) -> None:
    auth = {"Authorization": f"Bearer {live.admin}"}
    with live.server.client() as client:
        keyed = [client.post("/graphql", json={"query": "{ serviceCount }"}), client.get("/hsds/services"),
                 client.get("/hsds/services/no-such-id"), client.get("/hsds/services", headers=auth),
                 client.get("/metrics", headers=auth)]
        healthz = client.get("/healthz")
    for response in keyed:
        where = f"{response.request.method} {response.request.url.path} {response.status_code}"
        assert response.headers["cache-control"] == "no-store", where
        assert "Authorization" in [v.strip() for v in response.headers["vary"].split(",")], where
    assert "vary" not in healthz.headers


def test_the_hsds_routes_answer_head_as_get_without_the_body(live: Live) -> None:
    with live.server.client() as client:
        some_id = client.get("/hsds/services", params={"per_page": 1}).json()["contents"][0]["id"]
        for path in ("/hsds/", "/hsds/services", f"/hsds/services/{some_id}", "/hsds/organizations",
                     "/hsds/taxonomies", "/hsds/taxonomy_terms", "/hsds/service_at_locations",
                     "/hsds/services/no-such-id"):
            got, head = client.get(path), client.head(path)
            assert head.status_code == got.status_code, path
            assert head.content == b"", path
            assert head.headers["content-type"] == got.headers["content-type"], path
            assert head.headers["content-length"] == str(len(got.content)), path
        preflight = client.options("/hsds/services", headers={"Origin": "https://example.org",
                                                              "Access-Control-Request-Method": "HEAD"})
    assert preflight.status_code == 204
    assert "HEAD" in preflight.headers["access-control-allow-methods"]


def test_the_docs_page_names_no_other_host_and_its_files_come_from_the_app(live: Live) -> None:
    with live.server.client() as client:
        page = client.get("/docs")
        urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        files = {url: client.get(url) for url in urls}
        others = [client.get(f"/docs/static/{name}") for name in ("package.json", "index.html", "..%2Fpackage.json")]
        redoc = client.get("/redoc")
        openapi = client.get("/openapi.json")
    assert page.status_code == 200, page.text
    assert urls and all(url.startswith("/docs/static/") for url in urls), urls
    assert not re.search(r"https?://", page.text.replace("http://www.w3.org", "")), page.text
    for url, served in files.items():
        assert served.status_code == 200, url
        assert served.headers["x-content-type-options"] == "nosniff"
    assert files["/docs/static/swagger-ui-bundle.js"].headers["content-type"].startswith("text/javascript")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert all(response.status_code == 404 for response in others)
    assert redoc.status_code == 404  # ReDoc, another CDN page, is left out
    assert openapi.status_code == 200 and "/hsds/services" in openapi.json()["paths"]


def test_without_swagger_ui_installed_the_docs_page_says_what_to_run(demo_engine: GraphEngine, tmp_path: Path) -> None:
    with serving(create_app(ApiSettings(swagger_ui_dir=tmp_path), engine=demo_engine)) as server, \
            server.client() as client:
        page = client.get("/docs")
        openapi = client.get("/openapi.json")
    assert page.status_code == 503
    assert f"npm ci --ignore-scripts --prefix {tmp_path}" in page.text and "<script" not in page.text
    assert openapi.status_code == 200


RECORDER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
"""


def test_swagger_ui_renders_the_hsds_operations_offline_within_its_policy(
        live: Live, chromium_executable: str) -> None:
    if not (PROJECT_SWAGGER_UI_DIR / "node_modules" / "swagger-ui-dist" / "swagger-ui-bundle.js").is_file():
        pytest.fail("Swagger UI is not installed: run `npm ci --ignore-scripts --prefix web/swagger-ui` "
                    "(or `make setup`)")
    with chromium(chromium_executable) as browser:
        page = browser.new_page()
        page.send("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
        page.send("Page.navigate", {"url": f"{live.server.url}/docs"})
        page.wait_for("document.querySelectorAll('.opblock').length > 10", what="Swagger UI's operations",
                      describe=lambda: str([e["entry"]["text"] for e in page.events("Log.entryAdded")]))
        shown = page.evaluate("document.body.innerText")
        browser.pump(0.5)
        requests = [e["request"]["url"] for e in page.events("Network.requestWillBeSent")]
        violations = page.evaluate("window.__violations")
        exceptions = page.events("Runtime.exceptionThrown")
    assert "/hsds/services" in shown and "HSDS 3.0" in shown
    origin = urlsplit(live.server.url).netloc
    assert {urlsplit(url).netloc for url in requests if not url.startswith("data:")} == {origin}, requests
    assert f"{live.server.url}/openapi.json" in requests
    assert not violations, violations
    assert not exceptions, exceptions

