"""Over real HTTP, a top-level field's resolver runs in a worker thread (api.offload), so requests whose
resolvers wait (on the database, here on each other) are served side by side instead of one at a time."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import strawberry

from api import dataloaders
from api.app import create_app
from api.limits import schema_extensions
from api.offload import InWorkerThread, in_worker_threads
from api.schema import schema as real_schema
from graph.engine import GraphEngine
from tests.e2e.server import LiveServer, demo_engine_fixture, serving  # noqa: F401 (fixture)

pytestmark = pytest.mark.engines("falkordb", reason="threads, not the graph: the schemas here never read the "
                                                   "database (the app needs one to start)")

PARTIES = 3
meeting = threading.Barrier(PARTIES, timeout=20)
threads: dict[str, str] = {}
lock = threading.Lock()


@strawberry.type
class Place:
    @strawberry.field
    def thread(self) -> str:
        return threading.current_thread().name


@strawberry.type
class WaitingQuery:
    @strawberry.field(description="Returns once PARTIES requests are inside it at the same time.")
    def meet(self, who: str) -> Place:
        meeting.wait()  # a resolver run on the event loop would block it here: the others could not arrive
        with lock:
            threads[who] = threading.current_thread().name
        return Place()


@pytest.fixture(scope="module")
def waiting_api(demo_engine: GraphEngine) -> Iterator[LiveServer]:
    schema = strawberry.Schema(query=in_worker_threads(WaitingQuery), extensions=schema_extensions())
    with serving(create_app(engine=demo_engine, graphql_schema=schema)) as live:
        yield live


def test_requests_waiting_in_their_resolvers_are_served_side_by_side(waiting_api: LiveServer) -> None:
    def ask(who: str) -> httpx.Response:
        with httpx.Client(base_url=waiting_api.url, timeout=60) as client:
            return client.post("/graphql", json={"query": f'{{ meet(who: "{who}") {{ thread }} }}'})

    with ThreadPoolExecutor(PARTIES) as pool:
        answers = list(pool.map(ask, [f"client-{k}" for k in range(PARTIES)]))

    assert [a.status_code for a in answers] == [200] * PARTIES
    assert all("errors" not in a.json() for a in answers), [a.json() for a in answers]
    assert len(set(threads.values())) == PARTIES  # each in a worker thread of its own …
    loop_thread = {a.json()["data"]["meet"]["thread"] for a in answers}
    assert len(loop_thread) == 1 and loop_thread.isdisjoint(threads.values())  # … nested fields on the loop


def test_every_top_level_field_of_the_real_schema_resolves_in_a_worker_thread() -> None:
    query = real_schema.schema_converter.type_map["Query"].definition
    assert query.fields and all(any(isinstance(e, InWorkerThread) for e in f.extensions) for f in query.fields)
    nested = real_schema.schema_converter.type_map["Service"].definition
    assert not any(isinstance(e, InWorkerThread) for f in nested.fields for e in f.extensions)


def test_no_nested_field_reads_the_database_on_the_event_loop_they_load_through_dataloaders() -> None:
    loading = []
    for name, entry in real_schema.schema_converter.type_map.items():
        for field in getattr(entry.definition, "fields", None) or ():
            resolver = field.base_resolver
            if name == "Query" or resolver is None:
                continue
            source = inspect.getsource(resolver.wrapped_func)
            assert "context.db" not in source, f"{name}.{field.python_name} reads the database on the event loop"
            if "dataloaders." in source:
                loading.append(f"{name}.{field.python_name}")
    assert {"Organization.services", "Organization.locations"} <= set(loading)


def test_a_dataloader_runs_its_query_in_a_worker_thread_and_answers_a_batch_at_once() -> None:
    batches: list[tuple[list[str], str]] = []

    def fetch(keys: list[str]) -> dict[str, str]:
        batches.append((list(keys), threading.current_thread().name))
        return {key: key.upper() for key in keys if key != "gone"}

    async def load_three() -> tuple[list[str | None], str]:
        loaders: dataloaders.Loaders = {}
        found = dataloaders.loader(loaders, "upper", fetch, None)
        assert dataloaders.loader(loaders, "upper", fetch, None) is found  # one per request and name
        values = await asyncio.gather(found.load("a"), found.load("b"), found.load("gone"))
        return list(values), threading.current_thread().name

    values, loop_thread = asyncio.run(load_three())
    assert values == ["A", "B", None]
    assert [keys for keys, _ in batches] == [["a", "b", "gone"]]
    assert batches[0][1] != loop_thread
