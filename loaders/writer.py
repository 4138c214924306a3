"""Write a validated GraphPlan in batched `UNWIND … MERGE` statements, all-or-nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from graph.engine import GraphEngine, Statement
from graph.schema.model import SHARED_LABELS
from loaders.plan import GraphPlan
from queries import run
from queries.catalogue import load

BATCH_SIZE = 5000
ProgressCallback = Callable[[int], None]  # rows written so far


def _batches(rows: list[dict[str, object]], size: int) -> Iterator[list[dict[str, object]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def plan_statements(
    db: GraphEngine, plan: GraphPlan, *, dataset_id: str, fmt: str, path: str, replace: bool,
    warnings: int, batch_size: int = BATCH_SIZE,
) -> Iterator[Statement]:
    """Every statement of one load, in order: optional removal of the dataset's previous load,
    nodes, location points, relationships, then the Dataset record."""
    if replace:
        yield run.statement(db, load("load/delete_dataset_relationships", db.dialect), dataset=dataset_id)
        yield run.statement(db, load("load/delete_dataset_nodes", db.dialect), dataset=dataset_id,
                            shared=sorted(SHARED_LABELS))
    merge_nodes = load("load/merge_nodes", db.dialect)
    for label, by_id in plan.nodes.items():
        query = merge_nodes.expand(label=label)
        for rows in _batches(list(by_id.values()), batch_size):
            yield run.statement(db, query, rows=rows, dataset=dataset_id)
    located = [
        {"id": row["id"], "latitude": row["props"]["latitude"], "longitude": row["props"]["longitude"]}
        for row in plan.nodes.get("Location", {}).values()
        if row["props"].get("latitude") is not None and row["props"].get("longitude") is not None
    ]
    set_points = load("load/set_location_points", db.dialect)
    for rows in _batches(located, batch_size):
        yield run.statement(db, set_points, rows=rows)
    merge_rels = load("load/merge_relationships", db.dialect)
    for (a, rel_type, b), by_id in plan.relationships.items():
        query = merge_rels.expand(**{"from": a, "type": rel_type, "to": b})
        for rows in _batches(list(by_id.values()), batch_size):
            yield run.statement(db, query, rows=rows, dataset=dataset_id)
    if replace:
        yield run.statement(db, load("load/delete_orphan_languages", db.dialect))
    yield run.statement(
        db, load("load/record_dataset", db.dialect), id=dataset_id, format=fmt, path=path,
        loadedAt=datetime.now(UTC).isoformat(timespec="seconds"), counts=json.dumps(plan.counts(), sort_keys=True),
        warnings=warnings,
    )


def total_rows(plan: GraphPlan) -> int:
    """Rows the plan's statements carry (nodes, location points, relationships): the unit of progress."""
    located = sum(1 for row in plan.nodes.get("Location", {}).values() if row["props"].get("latitude") is not None)
    return plan.node_count() + located + plan.relationship_count()


def _reporting(statements: Iterator[Statement], on_progress: ProgressCallback) -> Iterator[Statement]:
    """Report rows done as the engine asks for the next statement (so the previous one was sent)."""
    done = 0
    for statement in statements:
        yield statement
        rows = statement[1].get("rows")
        done += len(rows) if isinstance(rows, list) else 0
        on_progress(done)


def write_plan(
    db: GraphEngine, plan: GraphPlan, *, dataset_id: str, fmt: str, path: str, replace: bool = False,
    warnings: int = 0, batch_size: int = BATCH_SIZE, on_progress: ProgressCallback | None = None,
) -> None:
    """Write the plan in one atomic unit: readers see the whole load or none of it."""
    statements = plan_statements(db, plan, dataset_id=dataset_id, fmt=fmt, path=path, replace=replace,
                                 warnings=warnings, batch_size=batch_size)
    db.write_atomic(_reporting(statements, on_progress) if on_progress else statements)
