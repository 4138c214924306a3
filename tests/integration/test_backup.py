"""`graph.backup`: a backup restored answers as the original did, on each engine and across them; a damaged,
unknown or newer file is refused before anything is written; a backup taken while a load runs is of one version."""

from __future__ import annotations

import gzip
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from domain.roles import Role
from graph import backup as graph_backup
from graph import neo4j_embedded
from graph.connect import connect
from graph.engine import GraphEngine
from graph.settings import DatabaseSettings
from loaders.writer import write_plan
from queries import reads
from services.hsds import listing as hsds_api
from services.hsds.snapshots import SnapshotStore, build, service_documents
from tests.conftest import ENGINES
from tests.factories import run_graphql, small_plan

CITY_CENTRE = {"latitude": 44.29, "longitude": -76.48}
SEARCH = """
query Search($need: [ID!], $text: String, $near: GeoPointInput) {
  services(need: $need, text: $text, near: $near, radiusKm: 10, includeIneligible: true, first: 50) {
    totalCount
    edges { reach distanceKm nearestLocation { id point { latitude longitude } }
            node { id name minimumAge maximumAge organization { id name } locations { id } } }
  }
}
"""
QUESTIONS: tuple[dict[str, Any], ...] = (
    {"need": ["need-food"], "near": CITY_CENTRE},
    {"need": ["need-employment"], "near": CITY_CENTRE},
    {"text": "food"},
    {"text": "counselling", "near": CITY_CENTRE},
)


def _answers(db: GraphEngine, tmp_path: Path) -> dict[str, Any]:
    """What the graph answers: its stats and version, a fixed set of searches (public and staff), and the
    ready-made HSDS documents built afresh (staff, full)."""
    store = SnapshotStore(tmp_path / f"snapshots-{uuid.uuid4().hex[:6]}", "backup")
    build(db, store, "staff", "full")
    snapshot = store.current(db, "staff", "full")
    assert snapshot is not None
    return {
        "stats": reads.graph_stats(db).model_dump(),
        "version": reads.graph_version(db),
        "searches": [run_graphql(db, SEARCH, role, **question) for question in QUESTIONS
                     for role in (Role.PUBLIC, Role.STAFF)],
        "hsds": b"".join(snapshot.chunks()),
    }


@contextmanager
def _fresh(settings: DatabaseSettings) -> Iterator[GraphEngine]:
    """A new connection: nothing a previous one kept (per-engine caches of derived values) answers for it."""
    engine = connect(settings)
    try:
        yield engine
    finally:
        engine.close()


def _wipe(db: GraphEngine) -> None:
    db.write("MATCH (n) DETACH DELETE n")


def test_a_backup_restored_into_an_empty_database_answers_exactly_as_the_original(
        demo_db: GraphEngine, db: GraphEngine, db_settings: DatabaseSettings, tmp_path: Path) -> None:
    before = _answers(demo_db, tmp_path)
    assert before["searches"][0]["services"]["totalCount"] > 0 and before["hsds"]
    out = tmp_path / "city.jsonl.gz"
    header = graph_backup.backup(demo_db, out, version=reads.graph_version)
    assert header.engine == db.dialect and header.graph_version == before["version"]
    assert {label: n for label, n in header.nodes.items() if label != "SearchSite"} == before["stats"]["labels"]
    assert header.nodes["SearchSite"] > 0 and out.stat().st_mode & 0o777 == 0o600
    assert graph_backup.is_empty(db)
    graph_backup.restore(db, out)
    with _fresh(db_settings) as restored:
        assert _answers(restored, tmp_path) == before


def test_restore_refuses_a_database_that_holds_data_unless_forced_and_then_replaces_all_of_it(
        db: GraphEngine, tmp_path: Path) -> None:
    write_plan(db, small_plan("a-", services=3), dataset_id="a", fmt="test", path="a")
    stats, version = reads.graph_stats(db), reads.graph_version(db)
    out = tmp_path / "a.jsonl.gz"
    graph_backup.backup(db, out, version=reads.graph_version)
    write_plan(db, small_plan("b-", services=2), dataset_id="b", fmt="test", path="b")
    later = reads.graph_stats(db)
    with pytest.raises(graph_backup.NotEmpty, match="--force"):
        graph_backup.restore(db, out)
    assert reads.graph_stats(db) == later
    graph_backup.restore(db, out, force=True)
    assert reads.graph_stats(db) == stats and reads.graph_version(db) == version
    assert [d.id for d in reads.datasets(db)] == ["a"]


def _rewrite(source: Path, target: Path, change: Any) -> None:
    lines = gzip.decompress(source.read_bytes()).splitlines(keepends=True)
    target.write_bytes(gzip.compress(b"".join(change(lines))))


def _damaged_variants(good: Path, folder: Path) -> dict[str, Path]:
    raw = bytearray(good.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one byte of the compressed file
    flipped = folder / "flipped-byte.gz"
    flipped.write_bytes(bytes(raw))

    def edit_a_value(lines: list[bytes]) -> list[bytes]:  # well-formed gzip, one character of content changed
        middle = len(lines) // 2
        return [*lines[:middle], lines[middle].replace(b'"id":"', b'"id":"X', 1), *lines[middle + 1:]]

    def newer_version(lines: list[bytes]) -> list[bytes]:
        header = json.loads(lines[0])
        return [json.dumps({**header, "version": graph_backup.VERSION + 1}).encode() + b"\n", *lines[1:]]

    def cut_short(lines: list[bytes]) -> list[bytes]:
        return lines[:-3]

    variants = {"flipped-byte": flipped}
    for name, change in (("edited", edit_a_value), ("newer", newer_version), ("cut-short", cut_short)):
        variants[name] = folder / f"{name}.gz"
        _rewrite(good, variants[name], change)
    not_a_backup = folder / "other.gz"
    not_a_backup.write_bytes(gzip.compress(b'{"hello": "world"}\n'))
    variants["other"] = not_a_backup
    return variants


def test_a_damaged_newer_or_foreign_file_is_refused_before_anything_is_written(db: GraphEngine, tmp_path: Path) -> None:
    write_plan(db, small_plan("d-", services=3), dataset_id="d", fmt="test", path="d")
    good = tmp_path / "good.jsonl.gz"
    graph_backup.backup(db, good, version=reads.graph_version)
    write_plan(db, small_plan("e-", services=1), dataset_id="e", fmt="test", path="e")
    stats, version = reads.graph_stats(db), reads.graph_version(db)
    expected = {"flipped-byte": "damaged", "edited": "damaged", "newer": "upgrade safetynet", "cut-short": "cut short",
                "other": "not a safetynet backup"}
    for name, path in _damaged_variants(good, tmp_path).items():
        with pytest.raises(graph_backup.BackupError, match=expected[name]):
            graph_backup.restore(db, path, force=True)
        assert reads.graph_stats(db) == stats and reads.graph_version(db) == version, name


def test_a_backup_starts_again_when_the_graph_changed_during_it_and_gives_up_after_a_few_tries(
        db: GraphEngine, tmp_path: Path) -> None:
    write_plan(db, small_plan("v-", services=2), dataset_id="v", fmt="test", path="v")
    versions = iter(["one", "two", "three", "three"])  # changed during the first attempt, not the second
    header = graph_backup.backup(db, tmp_path / "b.gz", version=lambda _: next(versions))
    assert header.graph_version == "three"
    counter = iter(range(100))
    with pytest.raises(graph_backup.BackupError, match="changed during each of 3 attempts"):
        graph_backup.backup(db, tmp_path / "c.gz", version=lambda _: str(next(counter)), attempts=3)
    assert not (tmp_path / "c.gz").exists() and not list(tmp_path.glob(".c.gz.partial-*"))


def test_a_backup_taken_while_a_load_runs_holds_one_version_of_the_graph(db: GraphEngine, tmp_path: Path) -> None:
    write_plan(db, small_plan("p-", services=5), dataset_id="p", fmt="test", path="p")
    before = reads.graph_stats(db)
    plan = small_plan("q-", services=400)
    failures: list[BaseException] = []

    def load() -> None:
        try:
            write_plan(db, plan, dataset_id="q", fmt="test", path="q", batch_size=50)  # many statements: slower
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    loader = threading.Thread(target=load)
    loader.start()
    headers: list[graph_backup.Header] = []
    while loader.is_alive() or not headers:
        out = tmp_path / f"during-{len(headers)}.gz"
        headers.append(graph_backup.backup(db, out, version=reads.graph_version, page=20))
        assert graph_backup.verify(out) == headers[-1]
    loader.join()
    assert not failures
    after = reads.graph_stats(db)
    for header in headers:
        nodes = {k: v for k, v in header.nodes.items() if k != "SearchSite"}
        assert (nodes, header.relationships) in ((before.labels, before.relationships),
                                                 (after.labels, after.relationships))


@pytest.mark.skipif("neo4j" not in ENGINES, reason="needs both engines")
def test_a_falkordb_backup_restores_into_neo4j(graph_settings: DatabaseSettings,
                                               neo4j_server: neo4j_embedded.ServerInfo, tmp_path: Path) -> None:
    out = tmp_path / "falkordb.jsonl.gz"
    with _fresh(graph_settings) as source:
        write_plan(source, small_plan("x-", services=3), dataset_id="x", fmt="test", path="x")
        stats, version = reads.graph_stats(source), reads.graph_version(source)
        ids = sorted(hsds_api.service_organizations(source))
        documents = service_documents(source, ids, full=True, staff=True)
        assert graph_backup.backup(source, out, version=reads.graph_version).engine == "falkordb"
    with _fresh(DatabaseSettings(db=f"embedded-neo4j://{neo4j_server.data_dir}")) as target:
        _wipe(target)
        graph_backup.restore(target, out)
        assert reads.graph_stats(target) == stats and reads.graph_version(target) == version
        assert service_documents(target, ids, full=True, staff=True) == documents
