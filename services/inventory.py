"""What the graph holds, for the entry points: counts by label and relationship type, and the graph's version
(a digest that changes with every load)."""

from __future__ import annotations

from graph.engine import GraphEngine
from queries import reads
from queries.models import GraphStats


def graph_stats(db: GraphEngine) -> GraphStats:
    """Nodes by label and relationships by type (the derived ones left out)."""
    return reads.graph_stats(db)


def graph_version(db: GraphEngine) -> str:
    """A digest of every load's (dataset, load id): it changes whenever the graph does."""
    return reads.graph_version(db)


__all__ = ["GraphStats", "graph_stats", "graph_version"]
