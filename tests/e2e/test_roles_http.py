"""Roles over real HTTP: a small schema built here with `api.permissions`, served by uvicorn with the project's
`build_context`, asked by each kind of caller (no key, staff, planner, admin, revoked key, garbage)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

from api.app import create_app
from api.context import RequestRefused, build_context, refused_response
from api.observability import MaskInternalErrors
from api.permissions import admin_only, planner_only, staff_only
from api.settings import ApiSettings
from domain.roles import Role
from services.keys import KEY_PREFIX, KeyStore
from tests.e2e.server import LiveServer, serving

HINT = "(ask an administrator for a key, or omit the header for public access)"


@strawberry.type
class Agency:
    name: str
    intake_phone: str | None = strawberry.field(extensions=[staff_only(silently=True)])
    contact_names: list[str] | None = strawberry.field(extensions=[staff_only(silently=True)])
    budget_note: str | None = strawberry.field(extensions=[admin_only(silently=True)])


@strawberry.type
class Query:
    @strawberry.field
    def agency(self) -> Agency:
        return Agency(name="Harbour Crisis Line", intake_phone="555-0100", contact_names=["R. Singh"],
                      budget_note="renewal due")

    @strawberry.field(extensions=[staff_only()])
    def crisis_responders(self) -> list[str] | None:
        return ["Mobile Crisis Team"]

    @strawberry.field(extensions=[planner_only()])
    async def siloed_agencies(self) -> int | None:
        return 3

    @strawberry.field
    def whoami(self, info: strawberry.Info) -> str:
        return f"{info.context.role.name} {info.context.key_name}"


SCHEMA = strawberry.Schema(query=Query, extensions=[MaskInternalErrors])
EVERYTHING = "{ agency { name intakePhone contactNames budgetNote } crisisResponders siloedAgencies whoami }"


@dataclass(frozen=True)
class Keys:
    store: KeyStore
    staff: str
    planner: str
    admin: str
    revoked: str


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    store = KeyStore(tmp_path_factory.mktemp("keys") / "keys.json")
    made = {role: store.add(name=f"{role.label}-desk", role=role)[0] for role in (Role.STAFF, Role.PLANNER, Role.ADMIN)}
    revoked, _ = store.add(name="former-employee", role=Role.ADMIN)
    store.revoke("former-employee")
    return Keys(KeyStore(store.path), made[Role.STAFF], made[Role.PLANNER], made[Role.ADMIN], revoked)


@pytest.fixture(scope="module")
def live(keys: Keys) -> Iterator[LiveServer]:
    app = FastAPI()
    app.state.db = object()  # this schema never touches the database
    app.state.settings = ApiSettings()
    app.state.key_store = keys.store  # a store the server never saw the adds of: it reads the file itself
    app.include_router(GraphQLRouter(SCHEMA, context_getter=build_context), prefix="/graphql")
    app.add_exception_handler(RequestRefused, refused_response)
    with serving(app) as server:
        yield server


def _ask(live: LiveServer, key: str | None = None, query: str = EVERYTHING,
         headers: dict[str, str] | None = None) -> httpx.Response:
    sent = dict(headers or {})
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    with live.client() as client:
        return client.post("/graphql", json={"query": query}, headers=sent)


def _messages(answer: dict[str, Any]) -> list[str]:
    return [e["message"] for e in answer.get("errors", [])]


STAFF_ERROR = "crisisResponders requires the staff role (send an API key: Authorization: Bearer …)"
PLANNER_ERROR = "siloedAgencies requires the planner role (send an API key: Authorization: Bearer …)"


def test_without_a_key_internal_fields_are_null_and_staff_queries_say_how_to_get_access(live: LiveServer) -> None:
    response = _ask(live)
    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] == {
        "agency": {"name": "Harbour Crisis Line", "intakePhone": None, "contactNames": None, "budgetNote": None},
        "crisisResponders": None, "siloedAgencies": None, "whoami": "PUBLIC None",
    }
    assert sorted(_messages(answer)) == [STAFF_ERROR, PLANNER_ERROR]
    by_path = {e["path"][0]: e for e in answer["errors"]}
    assert by_path["crisisResponders"]["extensions"] == {"code": "FORBIDDEN", "requiredRole": "STAFF"}
    assert by_path["siloedAgencies"]["extensions"] == {"code": "FORBIDDEN", "requiredRole": "PLANNER"}


def test_a_field_the_caller_may_not_see_gives_no_error_at_all(live: LiveServer) -> None:
    answer = _ask(live, query="{ agency { name intakePhone contactNames } }").json()
    assert answer == {"data": {"agency": {"name": "Harbour Crisis Line", "intakePhone": None, "contactNames": None}}}


def test_a_staff_key_sees_internal_fields_and_staff_queries_but_not_planner_or_admin_ones(
        live: LiveServer, keys: Keys) -> None:
    answer = _ask(live, keys.staff).json()
    assert answer["data"] == {
        "agency": {"name": "Harbour Crisis Line", "intakePhone": "555-0100", "contactNames": ["R. Singh"],
                   "budgetNote": None},
        "crisisResponders": ["Mobile Crisis Team"], "siloedAgencies": None, "whoami": "STAFF staff-desk",
    }
    assert _messages(answer) == [PLANNER_ERROR]


def test_a_planner_key_sees_what_staff_see_and_planning_queries(live: LiveServer, keys: Keys) -> None:
    answer = _ask(live, keys.planner).json()
    assert "errors" not in answer
    assert answer["data"]["agency"]["intakePhone"] == "555-0100"
    assert answer["data"]["agency"]["budgetNote"] is None
    assert answer["data"]["crisisResponders"] == ["Mobile Crisis Team"]
    assert answer["data"]["siloedAgencies"] == 3
    assert answer["data"]["whoami"] == "PLANNER planner-desk"


def test_an_admin_key_sees_everything(live: LiveServer, keys: Keys) -> None:
    answer = _ask(live, keys.admin).json()
    assert answer == {"data": {
        "agency": {"name": "Harbour Crisis Line", "intakePhone": "555-0100", "contactNames": ["R. Singh"],
                   "budgetNote": "renewal due"},
        "crisisResponders": ["Mobile Crisis Team"], "siloedAgencies": 3, "whoami": "ADMIN admin-desk",
    }}


def _assert_refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["errors"]  # no data: nothing was executed
    [error] = body["errors"]
    assert error["message"].startswith("invalid API key: ") and reason in error["message"]
    assert error["message"].endswith(HINT)
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}


def test_a_revoked_key_is_refused_with_401(live: LiveServer, keys: Keys) -> None:
    _assert_refused(_ask(live, keys.revoked), "unknown or revoked key")


@pytest.mark.parametrize(("authorization", "reason"), [
    ("Bearer garbage", "not a Safety Net Graph API key"),
    ("Bearer " + KEY_PREFIX + "x" * 43, "unknown or revoked key"),
    ("Basic dXNlcjpwYXNz", "must be `Bearer <key>`"),
    ("Bearer", "must be `Bearer <key>`"),
])
def test_a_garbage_or_malformed_key_is_refused_with_401(live: LiveServer, authorization: str, reason: str) -> None:
    _assert_refused(_ask(live, headers={"Authorization": authorization}), reason)


def test_queries_sent_with_get_are_checked_too(live: LiveServer, keys: Keys) -> None:
    whoami = {"query": "{ whoami }"}
    with live.client() as client:
        refused = client.get("/graphql", params=whoami, headers={"Authorization": "Bearer nope"})
        allowed = client.get("/graphql", params=whoami, headers={"Authorization": f"Bearer {keys.admin}"})
    _assert_refused(refused, "not a Safety Net Graph API key")
    assert allowed.json() == {"data": {"whoami": "ADMIN admin-desk"}}


def test_keys_added_and_revoked_while_the_server_runs_take_effect_at_once(live: LiveServer, keys: Keys) -> None:
    cli_side = KeyStore(keys.store.path)  # what `safetynet keys` does, in another process
    key, _ = cli_side.add(name="night-shift", role=Role.STAFF)
    assert _ask(live, key, "{ whoami }").json() == {"data": {"whoami": "STAFF night-shift"}}
    cli_side.revoke("night-shift")
    _assert_refused(_ask(live, key, "{ whoami }"), "unknown or revoked key")


def test_keys_never_reach_the_logs(live: LiveServer, keys: Keys, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG"):
        for key in (keys.staff, keys.revoked, KEY_PREFIX + "y" * 43):
            _ask(live, key)
    assert all(key not in caplog.text for key in (keys.staff, keys.revoked, KEY_PREFIX + "y" * 43))


def test_the_real_app_refuses_a_bad_key_before_touching_the_database(tmp_path: Path) -> None:
    app = create_app(engine=object(),  # type: ignore[arg-type]  # never reached: the key is refused first
                     key_store=KeyStore(tmp_path / "keys.json"))
    with serving(app) as server, server.client() as client:
        response = client.post("/graphql", json={"query": "{ serviceCount }"},
                               headers={"Authorization": f"Bearer {KEY_PREFIX}{'z' * 43}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "invalid API key: unknown or revoked key" in response.text and HINT in response.text
