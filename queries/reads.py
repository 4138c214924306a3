"""Typed read functions over the catalogue: connection first, keyword-only arguments, pydantic rows."""

from __future__ import annotations

import hashlib

from graph.engine import GraphEngine
from graph.errors import NotFound
from graph.schema.model import DERIVED_LABELS, STAFF_ONLY_RECORD
from queries import run
from queries.models import DatasetRecord, GraphStats, ServiceSummary


def service_count(db: GraphEngine) -> int:
    return int(run.read(db, "service_count")[0]["count"])


def visible_service_count(db: GraphEngine, *, staff: bool) -> int:
    """How many services the caller may know of (a staff-only record counts for staff only)."""
    return int(run.read(db, "visible_service_count", staffOnlyMark=STAFF_ONLY_RECORD, staff=staff)[0]["count"])


def service_by_id(db: GraphEngine, *, id: str) -> ServiceSummary:
    rows = run.read(db, "service_by_id", id=id)
    if not rows:
        raise NotFound(f"no service with id {id!r}")
    row = rows[0]
    return ServiceSummary(id=row["id"], name=row["name"], organization_id=row["organizationId"],
                          organization_name=row["organizationName"])


def graph_stats(db: GraphEngine) -> GraphStats:
    labels = {row["label"]: int(row["count"]) for row in run.read(db, "stats_labels", derived=list(DERIVED_LABELS))}
    rels = {row["type"]: int(row["count"]) for row in run.read(db, "stats_relationships")}
    return GraphStats(labels=labels, relationships=rels)


def graph_version(db: GraphEngine) -> str:
    """A digest of every load's (dataset, load id): it changes whenever the graph does, since every write
    is a load that records a fresh load id (one small query, cheap enough for every request)."""
    pairs = "\n".join(f"{row['id']}\t{row['loadId']}" for row in run.read(db, "graph_version"))
    return hashlib.sha256(pairs.encode()).hexdigest()[:20]


def datasets(db: GraphEngine) -> list[DatasetRecord]:
    return [
        DatasetRecord(id=r["id"], format=r["format"], path=r["path"], loaded_at=r["loadedAt"],
                      counts=r["counts"], warnings=r["warnings"])
        for r in run.read(db, "datasets")
    ]
