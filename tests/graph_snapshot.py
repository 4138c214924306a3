"""A whole graph as comparable data, for tests that assert a graph is exactly as it was."""

from __future__ import annotations

import json
from typing import Any

from graph.engine import GraphEngine
from queries import reads


def counts(db: GraphEngine) -> tuple[dict[str, int], dict[str, int]]:
    """Node count per label and relationship count per type."""
    stats = reads.graph_stats(db)
    return stats.labels, stats.relationships


def snapshot(db: GraphEngine) -> tuple[list[str], list[str]]:
    """Every node (labels, properties) and relationship (type, ends, properties), as sorted JSON text.
    `loadedAt` (a clock reading) and `loadId` (which load wrote it) are left out so that two loads
    of the same data compare equal."""
    def text(row: dict[str, Any]) -> str:
        row["props"].pop("loadedAt", None)
        row["props"].pop("loadId", None)
        return json.dumps(row, sort_keys=True, ensure_ascii=False)

    nodes = db.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = db.read("MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props")
    return sorted(map(text, nodes)), sorted(map(text, rels))
