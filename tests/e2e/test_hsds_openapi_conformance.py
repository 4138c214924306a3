"""The HSDS 3.0 REST API against its own OpenAPI document, with schemathesis, over real HTTP.

Clients generate code from the document the app serves at `/openapi.json`, so a response it does not describe
is a bug, in the route or in the document. For every operation under `/hsds`, schemathesis sends generated
requests to the real app (uvicorn, the demo city on each engine): the document's examples, its
coverage cases (boundary values, and negatives that break one constraint at a time) and a bounded fuzzing run.
Each response must not be a server error, and its status code, content type, headers and body must be the
ones the document declares for the operation. Generated ids never name a record, so the by-id routes are also
called with ids their lists give, to reach their 200 responses.

schemathesis's checks that a schema-valid request is accepted (and an invalid one refused) are not run: some
constraints join two parameters and OpenAPI cannot state them (proximity needs postcode; per_page goes up to
500, or 100000 with minimal=true), so such refusals are the routes' documented behaviour, not conformance bugs.

NDJSON (`format=ndjson`): the document declares that body as a plain string, and schemathesis has no NDJSON
deserializer (it reads JSON, YAML, XML and server-sent events), so its body check passes such a response
without reading it. The requests are kept (status, content type and server errors are checked as for JSON),
and `ndjson_records_match_the_page_items` reads the body: one JSON object a line, each matching the item
schema of the operation's `application/json` Page, as the format's description promises.

Each operation runs as the public (no Authorization header) and with a staff key (staff see more records and
fields: the same shapes must hold). The budget is deterministic (derandomized Hypothesis, no example database)
and bounded (MAX_EXAMPLES fuzzed requests per operation and caller, plus the examples and coverage cases).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from graph.engine import GraphEngine
from tests.e2e.server import LiveServer, load_demo, serving, staff_keys

MAX_EXAMPLES = 30  # fuzzed requests per operation and caller (the examples and coverage phases add theirs)
HSDS_PATHS = r"^/hsds(/|$)"
NDJSON = "application/x-ndjson"
Case = schemathesis.Case[Any]

# The app's own document, built in process when the module is collected: schemathesis makes one test per
# operation at collection time, before any fixture can start a server. (Its lazy loader,
# `schemathesis.pytest.from_fixture`, would fetch the document from the live server instead, but schemathesis
# 4.32 writes `Node._nodeid`, which pytest 9 no longer has: every such test fails with AttributeError.)
# `test_the_running_app_serves_the_document_the_cases_come_from` checks that the server serves this document.
DOCUMENT: dict[str, Any] = create_app().openapi()
HSDS = schemathesis.openapi.from_dict(DOCUMENT).include(path_regex=HSDS_PATHS)
BY_ID_PATHS = sorted(path for path in DOCUMENT["paths"] if path.startswith("/hsds/") and path.endswith("/{id}"))
BY_ID_QUERIES: dict[str, list[dict[str, str]]] = {"/hsds/organizations/{id}": [{}, {"full_service": "true"}]}

BUDGET = settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# ---------------------------------------------------------------- the NDJSON body check


@cache
def _item_validator(path: str) -> Draft202012Validator:
    """A validator for one record of the list at `path`: the items of its JSON Page's `contents`."""
    page = DOCUMENT["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return Draft202012Validator({"$ref": f"{page}/properties/contents/items", "components": DOCUMENT["components"]})


def ndjson_records_match_the_page_items(ctx: schemathesis.CheckContext | None, response: schemathesis.Response,
                                        case: Case) -> bool | None:
    """An NDJSON list body: every line a JSON object matching the item schema of the operation's JSON Page."""
    del ctx
    if not response.headers.get("content-type", [""])[0].startswith(NDJSON):
        return None
    validator = _item_validator(case.operation.path)
    for number, line in enumerate(response.content.decode().splitlines(), start=1):
        if not line:
            continue
        record = json.loads(line)  # a line that is not JSON fails the check with its decode error
        problems = [error.message for error in validator.iter_errors(record)]
        assert not problems, f"NDJSON line {number} does not match the Page item schema: {problems}"
    return True


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, ndjson_records_match_the_page_items]


# ---------------------------------------------------------------- the live app


@dataclass(frozen=True)
class Served:
    live: LiveServer
    staff_key: str

    def headers(self, role: str) -> dict[str, str]:
        """What a caller in `role` sends: nothing for the public, the staff key for staff."""
        return {"Authorization": f"Bearer {self.staff_key}"} if role == "staff" else {}


@pytest.fixture(scope="module")
def served(module_engine: GraphEngine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The real app over HTTP on the demo city (the module's graph, on each engine), with a key store holding
    one staff key."""
    root = tmp_path_factory.mktemp("hsds-openapi")
    store, staff_key = staff_keys(root)
    app = create_app(engine=load_demo(module_engine, root / "demo-data"), key_store=store)
    with serving(app) as live:
        yield Served(live, staff_key)


# ---------------------------------------------------------------- tests


def test_the_running_app_serves_the_document_the_cases_come_from(served: Served) -> None:
    with served.live.client() as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == DOCUMENT
    hsds_paths = [path for path in DOCUMENT["paths"] if path.startswith("/hsds")]
    assert hsds_paths and sum(1 for _ in HSDS.get_all_operations()) == len(hsds_paths)  # one GET each


@HSDS.parametrize()
@BUDGET
def test_public_responses_conform_to_the_openapi_document(case: Case, served: Served) -> None:
    case.call_and_validate(base_url=served.live.url, checks=CHECKS)


@HSDS.parametrize()
@BUDGET
def test_staff_responses_conform_to_the_openapi_document(case: Case, served: Served) -> None:
    case.call_and_validate(base_url=served.live.url, headers=served.headers("staff"), checks=CHECKS)


@pytest.mark.parametrize("role", ["public", "staff"])
@pytest.mark.parametrize("path", BY_ID_PATHS)
def test_records_fetched_by_a_listed_id_conform_to_the_openapi_document(served: Served, path: str, role: str) -> None:
    """Generated ids all miss (404); these requests reach the 200 responses of the by-id routes."""
    headers = served.headers(role)
    listed = HSDS[path.removesuffix("/{id}")]["GET"].Case(query={"per_page": 5})
    page = listed.call_and_validate(base_url=served.live.url, headers=headers, checks=CHECKS)
    ids = [record["id"] for record in page.json()["contents"]]
    assert ids, f"{listed.formatted_path} listed nothing to fetch"
    for record_id in ids:
        for query in BY_ID_QUERIES.get(path, [{}]):
            case = HSDS[path]["GET"].Case(path_parameters={"id": record_id}, query=query)
            response = case.call_and_validate(base_url=served.live.url, headers=headers, checks=CHECKS)
            assert response.status_code == 200 and response.json()["id"] == record_id


def test_the_ndjson_check_passes_a_real_list_and_names_a_line_that_breaks_the_item_schema(served: Served) -> None:
    case = HSDS["/hsds/services"]["GET"].Case(query={"format": "ndjson"})
    real = case.call(base_url=served.live.url)
    assert real.status_code == 200 and real.content.count(b"\n") > 1
    assert ndjson_records_match_the_page_items(None, real, case) is True
    first = real.content.splitlines()[0]
    broken = schemathesis.Response(200, {"content-type": [NDJSON]}, first + b'\n{"name": "no id"}\n', real.request,
                                   elapsed=0.0, verify=True)
    with pytest.raises(AssertionError, match="NDJSON line 2 .*'id' is a required property"):
        ndjson_records_match_the_page_items(None, broken, case)
