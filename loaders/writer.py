"""Write a validated GraphPlan in batched `UNWIND … CREATE/MERGE` statements, all-or-nothing."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

from graph.engine import GraphEngine, Statement
from graph.errors import ServerRestarted
from graph.schema.model import SEARCH_INDEX_VERSION, SEARCH_SITE_LABEL, SHARED_LABELS
from loaders.plan import GraphPlan, RelKey
from loaders.search_sites import area_extent_keys, search_site_rows
from queries import run
from queries.catalogue import load

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH_SIZE = 5000
ProgressCallback = Callable[[int], None]  # rows written so far
NodeRow = dict[str, Any]  # {"id", "props"}


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


class FreshKinds:
    """Which labels and relationship kinds the graph has none of: those are written with plain
    CREATE (about a third faster than MERGE on FalkorDB, which must look each id up first).

    Only sound while nothing else writes the graph, so it answers "fresh" only on an engine that
    serialises loads, never for a load that first removes data (`--replace`), and it asks the
    database lazily — from inside `write_atomic`, which holds the load lock by then.
    """

    def __init__(self, db: GraphEngine, *, enabled: bool) -> None:
        self._db = db
        self._enabled = enabled and db.serialises_loads
        self._known: dict[str | RelKey, bool] = {}

    def label(self, label: str) -> bool:
        if not self._enabled:
            return False
        if label not in self._known:
            query = load("load/any_node", self._db.dialect).expand(label=label)
            self._known[label] = not self._db.read(query.text)
        return self._known[label]

    def relationship(self, kind: RelKey) -> bool:
        if not self._enabled:
            return False
        if kind not in self._known:
            a, rel_type, b = kind
            query = load("load/any_relationship", self._db.dialect).expand(**{"from": a, "type": rel_type, "to": b})
            self._known[kind] = not self._db.read(query.text)
        return self._known[kind]


@dataclass(frozen=True)
class WriteScope:
    """Who writes — a dataset, and this load of it (`load_id`, stamped on everything written) — and
    how: adding to the dataset's previous load, or replacing it (`replace`). A replace updates in
    place what the new load still has and then removes the rest, so the relationships other datasets
    made to the dataset's surviving nodes (agency ties, area links, referral counts) survive it."""

    dataset_id: str
    replace: bool
    fresh: FreshKinds
    load_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def node_statements(
    db: GraphEngine, label: str, rows: Iterable[NodeRow], scope: WriteScope, *, batch_size: int = BATCH_SIZE,
) -> Iterator[Statement]:
    """The nodes of one label, in batches."""
    # Shared vocabulary is only ever added to: another dataset may have named a term this one does not.
    name = ("load/create_nodes" if scope.fresh.label(label)
            else "load/replace_nodes" if scope.replace and label not in SHARED_LABELS else "load/merge_nodes")
    query = load(name, db.dialect).expand(label=label)
    for batch in _batches(rows, batch_size):
        yield run.statement(db, query, rows=batch, dataset=scope.dataset_id, loadId=scope.load_id)


def sweep_statements(db: GraphEngine, scope: WriteScope) -> Iterator[Statement]:
    """After a replace has written: what the dataset's previous load had and this one has not."""
    shared = sorted(SHARED_LABELS)
    yield run.statement(db, load("load/delete_dataset_relationships", db.dialect), dataset=scope.dataset_id,
                        loadId=scope.load_id, shared=shared)
    yield run.statement(db, load("load/delete_dataset_nodes", db.dialect), dataset=scope.dataset_id,
                        loadId=scope.load_id, shared=shared)
    yield run.statement(db, load("load/delete_orphan_languages", db.dialect))
    yield run.statement(db, load("load/delete_stale_vocabulary", db.dialect), dataset=scope.dataset_id,
                        loadId=scope.load_id)


def tail_statements(
    db: GraphEngine, plan: GraphPlan, scope: WriteScope, *, fmt: str, path: str, warnings: int,
    written: Collection[str] = (), batch_size: int = BATCH_SIZE,
) -> Iterator[Statement]:
    """Everything after the nodes of the labels already `written`: the other nodes, location
    points, relationships, the sweep of a replace, search sites, then the Dataset record."""
    dataset_id, fresh = scope.dataset_id, scope.fresh
    for label, by_id in plan.nodes.items():
        if label not in written:
            yield from node_statements(db, label, by_id.values(), scope, batch_size=batch_size)
    located = (
        {"id": row["id"], "latitude": row["props"]["latitude"], "longitude": row["props"]["longitude"]}
        for row in plan.nodes.get("Location", {}).values()
        if row["props"].get("latitude") is not None and row["props"].get("longitude") is not None
    )
    set_points = load("load/set_location_points", db.dialect)
    for batch in _batches(located, batch_size):
        yield run.statement(db, set_points, rows=batch)
    for kind, by_id in plan.relationships.items():
        a, rel_type, b = kind
        name = ("load/create_relationships" if fresh.relationship(kind)
                else "load/replace_relationships" if scope.replace else "load/merge_relationships")
        query = load(name, db.dialect).expand(**{"from": a, "type": rel_type, "to": b})
        for batch in _batches(by_id.values(), batch_size):
            yield run.statement(db, query, rows=batch, dataset=dataset_id, loadId=scope.load_id)
    if scope.replace:
        yield from sweep_statements(db, scope)
    yield from search_site_statements(db, plan, dataset_id=dataset_id, fresh=fresh, batch_size=batch_size)
    yield run.statement(
        db, load("load/record_dataset", db.dialect), id=dataset_id, format=fmt, path=path,
        loadedAt=datetime.now(UTC).isoformat(timespec="seconds"), loadId=scope.load_id,
        counts=json.dumps(plan.counts(), sort_keys=True), warnings=warnings, searchIndex=SEARCH_INDEX_VERSION,
    )


def search_site_statements(
    db: GraphEngine, plan: GraphPlan, *, dataset_id: str, fresh: FreshKinds, batch_size: int = BATCH_SIZE,
) -> Iterator[Statement]:
    """Service-area extent keys, then the dataset's search sites built afresh (loaders.search_sites)."""
    set_keys = load("load/set_area_extent_keys", db.dialect)
    for batch in _batches(area_extent_keys(plan), batch_size):
        yield run.statement(db, set_keys, rows=batch)
    if not fresh.label(SEARCH_SITE_LABEL):
        yield run.statement(db, load("load/delete_dataset_search_sites", db.dialect), dataset=dataset_id)
        delete_services = load("load/delete_service_search_sites", db.dialect)
        for ids in _batches(({"id": sid} for sid in plan.nodes.get("Service", {})), batch_size):
            yield run.statement(db, delete_services, services=[row["id"] for row in ids])
    sites = list(search_site_rows(plan))
    for name, rows in (("load/create_search_sites", [s for s in sites if s["latitude"] is not None]),
                       ("load/create_area_search_sites", [s for s in sites if s["latitude"] is None])):
        create = load(name, db.dialect)
        for batch in _batches(rows, batch_size):
            yield run.statement(db, create, rows=batch, dataset=dataset_id)


def plan_statements(
    db: GraphEngine, plan: GraphPlan, *, dataset_id: str, fmt: str, path: str, replace: bool,
    warnings: int, batch_size: int = BATCH_SIZE,
) -> Iterator[Statement]:
    """Every statement of one load, in order: nodes, location points, relationships, the removal of
    what a replaced load had and this one has not, search sites, then the Dataset record."""
    scope = WriteScope(dataset_id, replace, FreshKinds(db, enabled=not replace))
    yield from tail_statements(db, plan, scope, fmt=fmt, path=path, warnings=warnings, batch_size=batch_size)


def total_rows(plan: GraphPlan) -> int:
    """Rows the plan's statements carry (nodes, location points, relationships, area keys, search
    sites): the unit of progress."""
    located = sum(1 for row in plan.nodes.get("Location", {}).values() if row["props"].get("latitude") is not None)
    derived = sum(1 for _ in area_extent_keys(plan)) + sum(1 for _ in search_site_rows(plan))
    return plan.node_count() + located + plan.relationship_count() + derived


def reporting(statements: Iterable[Statement], on_progress: ProgressCallback) -> Iterator[Statement]:
    """Report rows done as the engine asks for the next statement (so the previous one was sent)."""
    done = 0
    for statement in statements:
        yield statement
        rows = statement[1].get("rows")
        done += len(rows) if isinstance(rows, list) else 0
        on_progress(done)


def once_more_after_restart(write: Callable[[], T], again: Callable[[], T] | None = None) -> T:
    """`write()`; when the server hung on it and was restarted (ServerRestarted: nothing was written),
    `again()` (by default `write()` once more). The one retry of every load's write."""
    try:
        return write()
    except ServerRestarted as exc:
        log.warning("%s; writing the load once more", exc.reason)
        return (again or write)()


def write_plan(
    db: GraphEngine, plan: GraphPlan, *, dataset_id: str, fmt: str, path: str, replace: bool = False,
    warnings: int = 0, batch_size: int = BATCH_SIZE, on_progress: ProgressCallback | None = None,
) -> None:
    """Write the plan in one atomic unit: readers see the whole load or none of it. A load the
    server hung on (and was restarted from, writing nothing) is written once more."""

    def write() -> None:
        statements = plan_statements(db, plan, dataset_id=dataset_id, fmt=fmt, path=path, replace=replace,
                                     warnings=warnings, batch_size=batch_size)
        db.write_atomic(reporting(statements, on_progress) if on_progress else statements)

    once_more_after_restart(write)
