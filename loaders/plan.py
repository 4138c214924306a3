"""A write plan: the nodes and relationships a parsed source becomes, ready for batched MERGE.

Parsers produce a `GraphPlan` (pure, no database); `loaders.writer` writes it. Labels and
relationship types must come from `graph.schema.model`, which `GraphPlan.add_*` checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.schema.model import NODE_PROPERTIES, RELATIONSHIP_PROPERTIES, RELATIONSHIPS

RelKey = tuple[str, str, str]  # (from label, TYPE, to label)
# A parser's signal that a label's nodes are final: (label, {id: properties}), not to be changed.
NodesReady = Callable[[str, Mapping[str, dict[str, Any]]], None]


@dataclass
class GraphPlan:
    """Nodes by label (`{"id": ..., "props": {...}}`) and relationships by (from, TYPE, to)
    (`{"id": ..., "from": ..., "to": ..., "props": {...}}`). Adding a node or relationship
    with an id already present replaces it (last wins), so a plan never holds duplicates."""

    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    relationships: dict[RelKey, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))

    def add_node(self, label: str, id: str, props: dict[str, Any]) -> None:
        allowed = NODE_PROPERTIES.get(label)
        if allowed is None:
            raise ValueError(f"unknown label {label!r}: add it to graph.schema.model first")
        unknown = set(props) - set(allowed)
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)} in graph.schema.model")
        self.nodes[label][id] = {"id": id, "props": {k: v for k, v in props.items() if v is not None}}

    def add_relationship(
        self, key: RelKey, from_id: str, to_id: str, props: dict[str, Any] | None = None, id: str | None = None
    ) -> None:
        if key not in RELATIONSHIPS:
            raise ValueError(f"unknown relationship {key!r}: add it to graph.schema.model first")
        props = props or {}
        unknown = set(props) - set(RELATIONSHIP_PROPERTIES)
        if unknown:
            raise ValueError(f"relationship properties {sorted(unknown)} are not in graph.schema.model")
        rel_id = id or f"{from_id}>{to_id}"
        self.relationships[key][rel_id] = {
            "id": rel_id, "from": from_id, "to": to_id, "props": {k: v for k, v in props.items() if v is not None},
        }

    def node_count(self) -> int:
        return sum(len(rows) for rows in self.nodes.values())

    def relationship_count(self) -> int:
        return sum(len(rows) for rows in self.relationships.values())

    def counts(self) -> dict[str, int]:
        """Rows per label and per relationship type (summed over endpoint labels)."""
        out: dict[str, int] = {label: len(rows) for label, rows in self.nodes.items() if rows}
        for (_, rel_type, _), rows in self.relationships.items():
            if rows:
                out[rel_type] = out.get(rel_type, 0) + len(rows)
        return out
