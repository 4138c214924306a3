"""Ready-made HSDS service documents: one file per graph version, audience and shape.

Why: a full HSDS service is a tree of about twenty records. Reading them (breadth-first round trips,
the client decoding every value) and building the document costs about 2 ms of Python per service,
so a full NDJSON export of 100k services took six minutes and one service by id ~16 ms. But the
graph changes only by loads, and every load changes `queries.reads.graph_version`: a document
built for one version stays right until the next load. So the first unfiltered NDJSON export of a
version (or `safetynet export snapshots`) writes each line it streams to a file as well; later
exports stream that file, and `/hsds/services/{id}` reads its one line by offset.

On disk: ROOT/<graph>/<version>/<audience>-<shape>.ndjson and .index.json (`{id: [offset, length]}`),
each written under a temporary name and renamed into place, the index last, so a snapshot is
complete exactly when its index exists. A build is kept only when the graph's version was the same
when it began and when it ended (a load in between discards it); a completed version removes the
graph's older ones. Nothing personal is in them: they hold the directory records the audience may see.

An audience is which records a document shows (`public`: published ones; `staff`: staff-only ones too); a
caller's `domain.roles.Role` picks one (`audience_of`).
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, Final, Literal

from domain.roles import Role
from graph.engine import GraphEngine
from graph.uri import beside_database
from queries import hsds_out, reads
from services.hsds import listing as hsds_api
from services.hsds import serialize
from services.hsds.serialize import JsonObject
from services.settings import ServiceSettings

Audience = Literal["public", "staff"]  # which records a document shows: published ones, or staff-only ones too
Shape = Literal["full", "summary"]

DIR_NAME: Final[str] = "hsds-snapshots"
READ_CHUNK: Final[int] = 1 << 20  # bytes a streamed snapshot sends at a time
BATCH: Final[int] = 200  # services walked and serialized per round of reads


def service_documents(db: GraphEngine, ids: Sequence[str], *, full: bool, staff: bool) -> list[JsonObject]:
    """The services of `ids` the caller may see, in order: in full (`/services/{id}`) or as a page of
    `/services` shows them. The graph walk every snapshot is built from."""
    graphs = hsds_out.service_graphs(db, ids=ids, nested=full)
    shape = serialize.service_full if full else serialize.service_summary
    return [doc for sid in ids if sid in graphs and (doc := shape(graphs[sid], staff=staff)) is not None]


def dumps(document: JsonObject) -> bytes:
    """A document as the API sends it (Starlette's JSONResponse: compact, UTF-8)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def audience_of(role: Role) -> Audience:
    """The documents a caller of `role` may read: staff and above see staff-only records."""
    return "staff" if role >= Role.STAFF else "public"


def snapshot_root(settings: ServiceSettings, engine: GraphEngine) -> Path | None:
    """Where snapshots live: SAFETYNET_HSDS_SNAPSHOT_DIR; else beside an embedded database
    (`PATH/hsds-snapshots`); else `.safetynet/hsds-snapshots`. None when SAFETYNET_HSDS_SNAPSHOTS is off."""
    if not settings.hsds_snapshots:
        return None
    if settings.hsds_snapshot_dir is not None:
        return settings.hsds_snapshot_dir.expanduser().resolve()
    return beside_database(engine.uri, DIR_NAME)


@dataclass(frozen=True)
class Snapshot:
    """One complete snapshot: its documents' offsets by id, over the file mapped into memory (a file
    replaced or removed meanwhile stays readable through the mapping)."""

    version: str
    index: dict[str, tuple[int, int]]
    data: mmap.mmap | bytes

    def document(self, id: str) -> bytes | None:
        """The JSON document of `id` (no newline), or None when the audience may not see it or it does not exist."""
        found = self.index.get(id)
        if found is None:
            return None
        offset, length = found
        return self.data[offset:offset + length]

    def chunks(self) -> Iterator[bytes]:
        """The whole NDJSON file, READ_CHUNK bytes at a time."""
        for start in range(0, len(self.data), READ_CHUNK):
            yield self.data[start:start + READ_CHUNK]


def _private_file(path: Path) -> BinaryIO:
    """A new file only its owner may read (staff documents hold staff-only values)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


class SnapshotWriter:
    """A snapshot being built from the lines a stream sends: kept by `commit` only if the graph's
    version did not change meanwhile, dropped by `discard` (a client that went away, an error)."""

    def __init__(self, store: SnapshotStore, version: str, name: str) -> None:
        self._store, self.version, self._name = store, version, name
        self._folder = store.folder(version)
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # staff documents: for this user only
        token = uuid.uuid4().hex[:12]
        self._data_tmp = self._folder / f".{name}.ndjson.{token}.tmp"
        self._ordered_tmp = self._folder / f".{name}.ndjson.{token}.ordered.tmp"
        self._index_tmp = self._folder / f".{name}.index.json.{token}.tmp"
        self._file = _private_file(self._data_tmp)
        self._offset = 0
        self._index: dict[str, tuple[int, int]] = {}

    def add(self, id: str, document: bytes) -> None:
        """One document (no newline), in the order the export sends them."""
        self._file.write(document + b"\n")
        self._index[id] = (self._offset, len(document))
        self._offset += len(document) + 1

    def commit(self, version_now: str, *, order: Sequence[str] | None = None) -> bool:
        """Put the snapshot in place if the graph is still at the version the build began at. `order`: the
        ids in the export's order, for a build that added the documents in another."""
        self._file.close()
        if version_now != self.version:
            self.discard()
            return False
        self._store.building.discard((self.version, self._name))
        if order is not None:
            self._reorder(order)
        with _private_file(self._index_tmp) as index:
            index.write(json.dumps(self._index, separators=(",", ":")).encode())
        os.replace(self._data_tmp, self._folder / f"{self._name}.ndjson")
        os.replace(self._index_tmp, self._folder / f"{self._name}.index.json")
        self._store.prune(keep=self.version)
        return True

    def _reorder(self, order: Sequence[str]) -> None:
        """Rewrite the file with its documents in `order` (ids it does not hold are skipped)."""
        index: dict[str, tuple[int, int]] = {}
        offset = 0
        if self._offset:  # an empty file cannot be mapped, and has nothing to order
            with self._data_tmp.open("rb") as source, _private_file(self._ordered_tmp) as target, \
                    mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as data:
                for id in order:
                    found = self._index.get(id)
                    if found is not None:
                        target.write(data[found[0]:found[0] + found[1] + 1])  # with its newline
                        index[id] = (offset, found[1])
                        offset += found[1] + 1
            os.replace(self._ordered_tmp, self._data_tmp)
        self._index = index

    def discard(self) -> None:
        self._store.building.discard((self.version, self._name))
        self._file.close()
        for path in (self._data_tmp, self._ordered_tmp, self._index_tmp):
            path.unlink(missing_ok=True)


class SnapshotStore:
    """The snapshots of one graph under `root` (None: snapshots off), with the current ones kept open.

    Where they are is worked out on first use (`locate`), not when the store is made: an app makes its store as it
    starts, and must start without touching its database (an app whose requests are all refused never does)."""

    def __init__(self, root: Path | None = None, graph_key: str = "", *,
                 locate: Callable[[], tuple[Path | None, str]] | None = None) -> None:
        self._locate = locate or (lambda: (root, graph_key))
        self._open: dict[tuple[Audience, Shape], Snapshot] = {}
        self._lock = threading.Lock()
        self.building: set[tuple[str, str]] = set()  # (version, name) of the builds running in this process

    @classmethod
    def of(cls, settings: ServiceSettings, engine: GraphEngine) -> SnapshotStore:
        """The store of the graph `engine` serves, where the settings put it (located on first use)."""
        return cls(locate=lambda: (snapshot_root(settings, engine),
                                   f"{engine.uri}|{settings.db_name}|{settings.neo4j_database}"))

    @cached_property
    def root(self) -> Path | None:
        """The folder of every graph's snapshots; None when snapshots are off."""
        return self._locate()[0]

    @cached_property
    def _graph_dir(self) -> Path | None:
        root, graph_key = self._locate()
        return root / hashlib.sha256(graph_key.encode()).hexdigest()[:16] if root is not None else None

    @property
    def enabled(self) -> bool:
        return self._graph_dir is not None

    def folder(self, version: str) -> Path:
        assert self._graph_dir is not None
        return self._graph_dir / version

    def _any_on_disk(self) -> bool:
        return self._graph_dir is not None and self._graph_dir.is_dir() and any(self._graph_dir.iterdir())

    def current(self, db: GraphEngine, audience: Audience, shape: Shape) -> Snapshot | None:
        """The complete snapshot of the graph's current version, or None (none built, or snapshots off).
        Costs one small query when any snapshot exists, none otherwise."""
        if not self._any_on_disk():
            return None
        return self.at(reads.graph_version(db), audience, shape)

    def at(self, version: str, audience: Audience, shape: Shape) -> Snapshot | None:
        """The complete snapshot of `version`, if one is on disk."""
        key = (audience, shape)
        with self._lock:
            held = self._open.get(key)
            if held is not None and held.version == version:
                return held
        loaded = self._load(version, f"{audience}-{shape}")
        if loaded is not None:
            with self._lock:
                self._open[key] = loaded
        return loaded

    def _load(self, version: str, name: str) -> Snapshot | None:
        folder = self.folder(version)
        try:
            index_raw = json.loads((folder / f"{name}.index.json").read_text(encoding="utf-8"))
            with (folder / f"{name}.ndjson").open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                data: mmap.mmap | bytes = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        except FileNotFoundError:
            return None
        return Snapshot(version, {id: (int(at[0]), int(at[1])) for id, at in index_raw.items()}, data)

    def writer(self, version: str, audience: Audience, shape: Shape) -> SnapshotWriter | None:
        """A writer for the snapshot, or None when snapshots are off or this process builds it already
        (a second export meanwhile walks the graph without writing)."""
        key = (version, f"{audience}-{shape}")
        with self._lock:
            if not self.enabled or key in self.building:
                return None
            self.building.add(key)
        return SnapshotWriter(self, version, key[1])

    def stale(self, version: str) -> bool:
        """Whether snapshots of another version than `version` are kept (so they are out of date now)."""
        return self._graph_dir is not None and self._graph_dir.is_dir() and any(
            folder.name != version and any(folder.glob("*.index.json")) for folder in self._graph_dir.iterdir())

    def prune(self, *, keep: str) -> None:
        """Remove the graph's snapshots of every version but `keep` (readers of one keep their mapping)."""
        if self._graph_dir is None:
            return
        for folder in self._graph_dir.iterdir():
            if folder.name != keep and folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)


def teed(batches: Iterator[list[tuple[str, bytes]]], start_snapshot: Callable[[], SnapshotWriter | None],
         version_now: Callable[[], str]) -> Iterator[bytes]:
    """Each batch of (id, document) as one chunk of NDJSON lines, written to the snapshot
    `start_snapshot` opens as the stream begins (None: no snapshot); it is committed when the batches
    run out and dropped if the stream stops early (the client went away) or fails. Opened here, not
    before, so that a response never sent leaves no build behind."""
    writer = start_snapshot()
    done = False
    try:
        for batch in batches:
            if writer is not None:
                for id, document in batch:
                    writer.add(id, document)
            if batch:
                yield b"".join(document + b"\n" for _, document in batch)
        done = True
    finally:
        if writer is not None:
            if done:
                writer.commit(version_now())
            else:
                writer.discard()


def build(db: GraphEngine, store: SnapshotStore, audience: Audience, shape: Shape, *,
          on_progress: Callable[[int, int], None] | None = None) -> int | None:
    """Build the snapshot of the graph's current version for `audience` and `shape` unless it is there
    (`safetynet export snapshots`): what the first unfiltered NDJSON export would write. The number of
    documents in it, or None when a load changed the graph meanwhile (nothing kept)."""
    version = reads.graph_version(db)
    ready = store.at(version, audience, shape)
    if ready is not None:
        return len(ready.index)
    writer = store.writer(version, audience, shape)
    if writer is None:
        raise RuntimeError("snapshots are off, or this process builds this one already")
    ids = hsds_api.service_ids(db, filters=hsds_api.ServiceFilters(), staff=audience == "staff",
                               window=hsds_api.Window()).ids
    # the services of one organization together: its records are read and built once, not once per
    # batch its services fall in (~1.6x faster at 100k); the file is put in the export's order at the end
    owners = hsds_api.service_organizations(db)
    walk = sorted(ids, key=lambda sid: (owners.get(sid) or "", sid))
    written = 0
    kept = False
    try:
        for start in range(0, len(walk), BATCH):
            for document in service_documents(db, walk[start:start + BATCH], full=shape == "full",
                                              staff=audience == "staff"):
                writer.add(str(document["id"]), dumps(document))
                written += 1
            if on_progress is not None:
                on_progress(min(start + BATCH, len(walk)), len(walk))
        kept = writer.commit(reads.graph_version(db), order=ids)
    finally:
        if not kept:
            writer.discard()
    return written if kept else None
