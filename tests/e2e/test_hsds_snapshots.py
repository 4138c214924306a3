"""Ready-made HSDS service documents (services/hsds/snapshots.py) over real HTTP: what a snapshot serves is
byte for byte what the live graph walk serves (every service by id and the whole NDJSON export, for the
public and for staff), it is what is served once built, a load makes it stale at once, and a stream cut
short leaves none behind.

Two apps serve the demo city, on each engine (`module_engine`): one keeps snapshots (beside the database), the
other (SAFETYNET_HSDS_SNAPSHOTS off) always walks the graph and is the reference."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.hsds import pages
from api.settings import ApiSettings
from demo.generator import generate_demo
from graph.engine import GraphEngine
from loaders.hsds import parse_hsds
from loaders.load import load_parsed
from queries import hsds_out, reads
from services.hsds import snapshots
from services.settings import ServiceSettings
from tests.e2e.server import LiveServer, load_demo, serving, staff_keys

HIDDEN_SERVICE_MARK = ["*"]  # graph.schema.model.STAFF_ONLY_RECORD


@dataclass(frozen=True)
class Served:
    root: Path
    snapshot_dir: Path  # beside the database: services.hsds.snapshots.snapshot_root
    db: GraphEngine
    snapshots: LiveServer
    reference: LiveServer
    staff_key: str

    def get(self, live: LiveServer, path: str, *, staff: bool = False, **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.staff_key}"} if staff else {}
        with live.client() as client:
            return client.get(f"/hsds{path}", params=params, headers=headers)

    def export(self, live: LiveServer, *, staff: bool = False, full: bool = True) -> bytes:
        response = self.get(live, "/services", staff=staff, format="ndjson", full=str(full).lower())
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/x-ndjson")
        return response.content

    def service_ids(self) -> list[str]:
        return sorted(str(r["id"]) for r in self.db.read("MATCH (s:Service) RETURN s.id AS id"))

    def complete_snapshots(self) -> list[str]:
        """`<version>/<role>-<shape>` of every complete snapshot on disk."""
        return sorted(f"{p.parent.name}/{p.name.removesuffix('.index.json')}"
                      for p in self.snapshot_dir.glob("*/*/*.index.json"))

    def built_now(self) -> list[str]:
        """`<role>-<shape>` of the complete snapshots of the graph's current version."""
        version = reads.graph_version(self.db)
        return [name.split("/")[1] for name in self.complete_snapshots() if name.startswith(f"{version}/")]

    def reload(self, services: int) -> None:
        """A real load that replaces the demo dataset: the way the graph changes."""
        data = self.root / f"demo-{services}"
        generate_demo(data, services=services)
        load_parsed(self.db, parse_hsds(data), dataset_id="demo", path=data, replace=True)


@pytest.fixture(scope="module")
def served(module_engine: GraphEngine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("hsds-snapshots")
    keys, staff_key = staff_keys(root)
    db = load_demo(module_engine, root / "demo-data", services=36)
    hidden = sorted(str(r["id"]) for r in db.read("MATCH (s:Service) RETURN s.id AS id"))[3]
    db.write("MATCH (s:Service {id: $id}) SET s.staffOnly = $mark", {"id": hidden, "mark": HIDDEN_SERVICE_MARK})
    with_snapshots = create_app(engine=db, key_store=keys)
    reference = create_app(ApiSettings(hsds_snapshots=False), engine=db, key_store=keys)
    snapshot_dir = snapshots.snapshot_root(ServiceSettings(), db)
    assert snapshot_dir is not None
    with serving(with_snapshots) as live, serving(reference) as ref:
        yield Served(root, snapshot_dir, db, live, ref, staff_key)


def _by_id_everywhere(served: Served, *, staff: bool) -> None:
    for sid in [*served.service_ids(), "no-such-service"]:
        got = served.get(served.snapshots, f"/services/{sid}", staff=staff)
        want = served.get(served.reference, f"/services/{sid}", staff=staff)
        assert (got.status_code, got.content) == (want.status_code, want.content), sid
        assert got.headers["content-type"] == want.headers["content-type"]


def test_snapshots_serve_exactly_what_the_graph_walk_serves_and_are_then_used(
        served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "STREAM_BATCH", 7)  # several batches into the file
    assert served.complete_snapshots() == []
    _by_id_everywhere(served, staff=False)  # nothing built yet: the graph walk answers

    version = reads.graph_version(served.db)
    for staff in (False, True):
        for full in (True, False):
            built = served.export(served.snapshots, staff=staff, full=full)
            assert built == served.export(served.reference, staff=staff, full=full)
            assert served.export(served.snapshots, staff=staff, full=full) == built  # streamed from the file
    assert served.complete_snapshots() == sorted(
        f"{version}/{role}-{shape}" for role in ("public", "staff") for shape in ("full", "summary"))
    assert len(served.export(served.snapshots).splitlines()) == len(served.service_ids()) - 1  # one is staff-only

    _by_id_everywhere(served, staff=False)
    _by_id_everywhere(served, staff=True)

    # Proof that the documents come from the file: a change behind the loaders' back (no load, so the
    # version stays) is not seen through the snapshot, while the graph walk sees it.
    sid = served.service_ids()[0]
    served.db.write("MATCH (s:Service {id: $id}) SET s.name = 'Renamed behind the loaders'", {"id": sid})
    assert "Renamed behind" not in served.get(served.snapshots, f"/services/{sid}").text
    assert "Renamed behind" in served.get(served.reference, f"/services/{sid}").text


def test_a_load_makes_the_snapshots_stale_at_once(served: Served) -> None:
    served.export(served.snapshots)  # a public full snapshot of the current version
    before = reads.graph_version(served.db)
    served.reload(services=28)
    assert reads.graph_version(served.db) != before
    _by_id_everywhere(served, staff=False)  # the removed services are 404 now, the rest as the graph says
    assert served.export(served.snapshots) == served.export(served.reference)
    # the new version's snapshot replaced every snapshot of the old one
    assert served.complete_snapshots() == [f"{reads.graph_version(served.db)}/public-full"]
    _by_id_everywhere(served, staff=False)


def test_an_export_cut_short_leaves_no_snapshot(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    served.reload(services=24)
    monkeypatch.setattr(pages, "STREAM_BATCH", 2)
    walk = hsds_out.service_graphs

    def slow_walk(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.1)  # the client is gone long before the last batch
        return walk(*args, **kwargs)

    with monkeypatch.context() as slow:
        slow.setattr(hsds_out, "service_graphs", slow_walk)
        with served.snapshots.client() as client, client.stream(
                "GET", "/hsds/services", params={"format": "ndjson", "full": "true"}) as response:
            assert response.status_code == 200
            next(response.iter_raw())  # one batch, then the client goes away
        # the server drops the abandoned stream; its generator's cleanup runs when it is collected
        deadline = time.monotonic() + 10
        while list(served.snapshot_dir.glob("*/*/.*.tmp")) and time.monotonic() < deadline:
            gc.collect()
            time.sleep(0.05)
    assert not list(served.snapshot_dir.glob("*/*/.*.tmp"))
    assert served.built_now() == []
    _by_id_everywhere(served, staff=False)
    assert served.export(served.snapshots) == served.export(served.reference)
    assert served.built_now() == ["public-full"]


def test_a_load_during_a_build_discards_it(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """The documents of a build that spans a load mix two versions of the graph: never kept."""
    served.reload(services=18)
    version_18 = reads.graph_version(served.db)

    original = snapshots.SnapshotWriter.commit

    def load_first(self: snapshots.SnapshotWriter, version_now: str) -> bool:
        served.reload(services=19)
        return original(self, reads.graph_version(served.db))

    monkeypatch.setattr(snapshots.SnapshotWriter, "commit", load_first)
    served.export(served.snapshots)
    assert served.built_now() == []
    assert not any(name.startswith(f"{version_18}/") for name in served.complete_snapshots())
    assert not list(served.snapshot_dir.glob("*/*/.*.tmp"))


def test_filtered_exports_and_pages_never_use_a_snapshot(served: Served) -> None:
    served.reload(services=15)
    served.export(served.snapshots)
    sid = served.service_ids()[0]
    served.db.write("MATCH (s:Service {id: $id}) SET s.name = 'Renamed for the filters'", {"id": sid})
    organization = served.db.read("MATCH (o:Organization)-[:PROVIDES]->(s:Service {id: $id}) RETURN o.id AS o",
                                  {"id": sid})[0]["o"]
    filtered = served.get(served.snapshots, "/services", format="ndjson", full="true", organization_id=organization)
    assert "Renamed for the filters" in filtered.text
    page = served.get(served.snapshots, "/services", full="true", per_page="100")
    assert "Renamed for the filters" in page.text


def test_two_first_exports_at_once_build_one_snapshot(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    served.reload(services=20)
    monkeypatch.setattr(pages, "STREAM_BATCH", 3)
    walk = hsds_out.service_graphs
    temporary: list[int] = []

    def slow_walk(*args: Any, **kwargs: Any) -> Any:
        temporary.append(len(list(served.snapshot_dir.glob("*/*/.*.tmp"))))
        time.sleep(0.05)
        return walk(*args, **kwargs)

    monkeypatch.setattr(hsds_out, "service_graphs", slow_walk)
    bodies: list[bytes] = []
    exports = [threading.Thread(target=lambda: bodies.append(served.export(served.snapshots))) for _ in range(2)]
    for export in exports:
        export.start()
    for export in exports:
        export.join()
    monkeypatch.setattr(hsds_out, "service_graphs", walk)
    assert max(temporary) == 1  # the second export walked the graph without writing a file of its own
    assert bodies[0] == bodies[1] == served.export(served.reference)
    assert served.built_now() == ["public-full"]
