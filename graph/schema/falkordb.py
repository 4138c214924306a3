"""FalkorDB DDL: range index + unique constraint per label's `id`, point index, full-text indexes,
search-site indexes.

FalkorDB has no `IF NOT EXISTS`, and unique constraints are made with the `GRAPH.CONSTRAINT`
command (which needs a range index on the property first), so each item is applied only when
`db.indexes()` / `db.constraints()` do not already list it.
"""

from __future__ import annotations

from typing import Any

from graph.schema.model import FULLTEXT_LABELS, FULLTEXT_PROPERTIES, NODE_LABELS, SEARCH_SITE_LABEL


def apply(graph: Any, connection: Any, graph_name: str) -> None:
    """Create whatever part of the schema is missing (idempotent)."""
    indexed: dict[str, dict[str, list[str]]] = {}
    for row in graph.query("CALL db.indexes() YIELD label, properties, types").result_set:
        label, _props, types = row
        indexed[label] = {prop: list(kinds) for prop, kinds in dict(types).items()}
    constrained = {
        (row[1], tuple(row[2])) for row in graph.query("CALL db.constraints()").result_set if row[0] == "UNIQUE"
    }

    def has(label: str, prop: str, kind: str) -> bool:
        return kind in indexed.get(label, {}).get(prop, [])

    for label in NODE_LABELS:
        if not has(label, "id", "RANGE"):
            graph.query(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
        if (label, ("id",)) not in constrained:
            connection.execute_command("GRAPH.CONSTRAINT", "CREATE", graph_name, "UNIQUE", "NODE", label,
                                       "PROPERTIES", 1, "id")
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
