"""`services.hsds.snapshots.build` (what `safetynet export snapshots` runs) on each engine: it walks the
services organization by organization, yet its file is, byte for byte and in order, what the graph walk
streams as the export; an empty graph gives an empty snapshot; `stale` and `prune` see versions."""

from __future__ import annotations

from pathlib import Path

from graph.engine import GraphEngine
from queries import reads
from services.hsds import listing as hsds_api
from services.hsds.snapshots import SnapshotStore, build, dumps, service_documents


def _export(db: GraphEngine, *, staff: bool) -> bytes:
    """The export as the graph walk streams it: every visible service in the export's order."""
    ids = hsds_api.service_ids(db, filters=hsds_api.ServiceFilters(), staff=staff, window=hsds_api.Window()).ids
    return b"".join(dumps(d) + b"\n" for d in service_documents(db, ids, full=True, staff=staff))


def test_a_build_in_organization_order_writes_the_export_in_its_own_order(demo_db: GraphEngine, tmp_path: Path) -> None:
    owners = hsds_api.service_organizations(demo_db)
    ids = sorted(owners)
    assert sorted(ids, key=lambda sid: (owners[sid] or "", sid)) != ids  # the walk's order is another
    store = SnapshotStore(tmp_path, "demo")
    for staff in (False, True):
        role = "staff" if staff else "public"
        documents = build(demo_db, store, role, "full")
        snapshot = store.at(reads.graph_version(demo_db), role, "full")
        assert snapshot is not None and documents == len(snapshot.index)
        assert b"".join(snapshot.chunks()) == _export(demo_db, staff=staff)
        some = ids[7]
        assert snapshot.document(some) == dumps(service_documents(demo_db, [some], full=True, staff=staff)[0])
    assert build(demo_db, store, "public", "full") == len(ids)  # already there: kept as is


def test_an_empty_graph_builds_an_empty_snapshot(db: GraphEngine, tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, "empty")
    assert build(db, store, "public", "full") == 0
    snapshot = store.current(db, "public", "full")
    assert snapshot is not None and snapshot.index == {} and list(snapshot.chunks()) == []


def test_stale_sees_another_versions_snapshot_and_prune_removes_it(demo_db: GraphEngine, tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, "demo")
    version = reads.graph_version(demo_db)
    assert not store.stale(version)
    build(demo_db, store, "public", "full")
    assert not store.stale(version) and store.stale("another-version")
    writer = store.writer("another-version", "public", "full")
    assert writer is not None and writer.commit("another-version")  # a newer version's snapshot prunes this one
    assert store.at(version, "public", "full") is None and not store.stale("another-version")
