"""FalkorDB DDL: range index + unique constraint per label's `id`, point index, full-text indexes,
search-site indexes.

FalkorDB has no `IF NOT EXISTS`, and unique constraints are made with the `GRAPH.CONSTRAINT`
command (which needs a range index on the property first), so each item is applied only when
`db.indexes()` / `db.constraints()` do not already list it. A constraint is built in the background and, over a
graph that already breaks it, is marked FAILED without an error: `apply` waits for it to be built, and a FAILED
one is dropped (so the next start tries again) and reported as the Conflict Neo4j gives in that case.
"""

from __future__ import annotations

import time
from typing import Any

from graph.errors import GraphError, unique_conflict
from graph.schema.model import FULLTEXT_LABELS, FULLTEXT_PROPERTIES, NODE_LABELS, SEARCH_SITE_LABEL


def apply(graph: Any, connection: Any, graph_name: str) -> None:
    """Create whatever part of the schema is missing (idempotent)."""
    indexed: dict[str, dict[str, list[str]]] = {}
    for row in graph.query("CALL db.indexes() YIELD label, properties, types").result_set:
        label, _props, types = row
        indexed[label] = {prop: list(kinds) for prop, kinds in dict(types).items()}
    constrained = set(_unique_constraints(graph))

    def has(label: str, prop: str, kind: str) -> bool:
        return kind in indexed.get(label, {}).get(prop, [])

    for label in NODE_LABELS:
        if not has(label, "id", "RANGE"):
            graph.query(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
        if (label, ("id",)) not in constrained:
            connection.execute_command("GRAPH.CONSTRAINT", "CREATE", graph_name, "UNIQUE", "NODE", label,
                                       "PROPERTIES", 1, "id")
    _check_constraints(graph, connection, graph_name)
    if not has("Location", "point", "RANGE"):
        graph.query("CREATE INDEX FOR (n:Location) ON (n.point)")
    # search sites: found by lookup key (an array index: `key IN x.keys`), removed by dataset or service
    for prop in ("keys", "dataset", "service"):
        if not has(SEARCH_SITE_LABEL, prop, "RANGE"):
            graph.query(f"CREATE INDEX FOR (n:{SEARCH_SITE_LABEL}) ON (n.{prop})")
    for label in FULLTEXT_LABELS:
        missing = [p for p in FULLTEXT_PROPERTIES if not has(label, p, "FULLTEXT")]
        if missing:
            args = ", ".join(f"'{p}'" for p in missing)
            graph.query(f"CALL db.idx.fulltext.createNodeIndex('{label}', {args})")


CONSTRAINT_BUILD_TIMEOUT_S = 120.0


def _unique_constraints(graph: Any) -> dict[tuple[str, tuple[str, ...]], str]:
    """(label, properties) → status (OPERATIONAL, UNDER CONSTRUCTION, FAILED) of each unique node constraint."""
    return {(row[1], tuple(row[2])): row[4] for row in graph.query("CALL db.constraints()").result_set
            if row[0] == "UNIQUE" and row[3] == "NODE"}


def _check_constraints(graph: Any, connection: Any, graph_name: str) -> None:
    """Wait until every unique constraint is built; a FAILED one (the graph holds two records with one id) is
    dropped and raised as a Conflict naming its label."""
    deadline = time.monotonic() + CONSTRAINT_BUILD_TIMEOUT_S
    while (statuses := _unique_constraints(graph)) and "UNDER CONSTRUCTION" in statuses.values():
        if time.monotonic() > deadline:
            raise GraphError(f"FalkorDB has not built its unique constraints in {CONSTRAINT_BUILD_TIMEOUT_S:g} s")
        time.sleep(0.05)
    failed = sorted((label, props) for (label, props), status in statuses.items() if status == "FAILED")
    for label, props in failed:
        connection.execute_command("GRAPH.CONSTRAINT", "DROP", graph_name, "UNIQUE", "NODE", label,
                                   "PROPERTIES", len(props), *props)
    if failed:
        label, props = failed[0]
        cause = GraphError(f"FalkorDB marked the unique constraint on :{label}({', '.join(props)}) FAILED")
        raise unique_conflict(label, props[0] if len(props) == 1 else None, held=True) from cause
