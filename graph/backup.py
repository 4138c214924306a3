"""Backups of the graph: one portable file, written and read through the engine, for either embedded engine.

The file (gzip'd JSON lines, mode 0600: it holds staff-only records too):

- line 1, the header: `{"format": "safetynet-backup", "version": 1, "engine", "graphVersion", "created",
  "nodes": {label: count}, "relationships": {type: count}}`;
- then every node, `{"node": LABEL, "props": {...}}` (`props.id` is the node's id; a point is
  `{"latitude", "longitude"}`), all nodes before any relationship;
- then every relationship, `{"rel": TYPE, "from": [LABEL, ID], "to": [LABEL, ID], "props": {...}}`;
- last, the trailer `{"end": "safetynet-backup", "lines": N, "sha256": HEX}`: the SHA-256 of every line
  before it (header included, newlines included) and how many there are.

Only the labels and relationship kinds of graph.schema.model are written or read back (anything else in the
graph makes the backup fail, saying what), and they are the only text ever put into Cypher: values go
through parameters. A backup of either engine restores into either.

Consistency. A backup reads the graph in pages (a label's nodes by id, in order, each with its outgoing
relationships), so it must not mix two versions of the graph. Every write to the graph is a load that records a
fresh load id on its Dataset node, so the graph's version (queries.reads.graph_version, passed in as `version`)
changes exactly when the graph does: the backup reads it before and after, and when it changed, starts again
(ATTEMPTS times, then gives up saying so); what the pages read must also add up to the counts read first. This
costs a load nothing (a backup never holds the load lock, so it never makes a load wait or fail) and works the
same on both engines: on FalkorDB each load swaps in a new graph with one RENAME, so every query reads one whole
version; on Neo4j (read committed) the version read after the pages shows that no load committed in between.
Not chosen: a FalkorDB `GRAPH.COPY` snapshot, which forks the server (FalkorDB 4.16 can deadlock on forks, see
graph.falkor) and needs commands the GraphEngine protocol does not have; holding the load lock for the backup,
which would make every load meanwhile fail.

Restore checks the whole file first (format, version, the SHA-256, the counts, labels and kinds known,
every relationship's ends present) and writes nothing when any check fails. It then writes in one unit
(`GraphEngine.write_atomic`, under the load lock): the database must be empty unless `force`, which first
removes everything. A failure at any point leaves the database as it was. Nodes are created with their
properties as they were, `dataset` and `loadId` included, and the Dataset provenance nodes with them, so the
restored graph has the version of the backup's and answers every query as the original did.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import uuid
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from graph.engine import GraphEngine, Row, Statement
from graph.neo4j_engine import LOCK_LABEL
from graph.schema.model import DERIVED_LABELS, NODE_LABELS, RELATIONSHIPS

FORMAT: Final[str] = "safetynet-backup"
VERSION: Final[int] = 1
PAGE: Final[int] = 5000  # nodes read per query; rows written per statement
ATTEMPTS: Final[int] = 5  # backups started again when a load changed the graph meanwhile
LABELS: Final[tuple[str, ...]] = (*NODE_LABELS, *DERIVED_LABELS)
POINT_KEYS: Final[frozenset[str]] = frozenset({"point"})  # the model's only point-valued property
Progress = Callable[[int], None]  # records (nodes + relationships) done so far

# Bookkeeping that is not part of the graph (Neo4j's load lock node): never backed up, never removed.
_NOT_LOCK = f"NOT n:{LOCK_LABEL}"
_ANY = f"MATCH (n) WHERE {_NOT_LOCK} RETURN 1 AS found LIMIT 1"
_DELETE_ALL = f"MATCH (n) WHERE {_NOT_LOCK} DETACH DELETE n"
# Nodes by label set: a node of a label the model lacks, or of several labels, is seen here.
_COUNT_NODES = f"MATCH (n) WHERE {_NOT_LOCK} RETURN labels(n) AS labels, count(n) AS count"
_COUNT_RELATIONSHIPS = "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS count"


def _page(label: str) -> str:
    """A page of a label's nodes by id, each with its outgoing relationships (keyset paging: ids are unique
    per label and every id is text, so `id > last id read` starts the next page; the first starts at '')."""
    return (f"MATCH (n:{_label(label)}) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $limit "
            "RETURN properties(n) AS props, "
            "[(n)-[r]->(b) | {type: type(r), to: labels(b), b: b.id, props: properties(r)}] AS out")


def _create_nodes(label: str, *, point: bool) -> str:
    located = ", n.point = point({latitude: row.point.latitude, longitude: row.point.longitude})" if point else ""
    return f"UNWIND $rows AS row CREATE (n:{_label(label)}) SET n = row.props{located}"


def _create_relationships(kind: tuple[str, str, str]) -> str:
    if kind not in RELATIONSHIPS:
        raise BackupError(f"{kind!r} is not a relationship of graph.schema.model")
    a, rel_type, b = kind
    return (f"UNWIND $rows AS row MATCH (a:{a} {{id: row.a}}) MATCH (b:{b} {{id: row.b}}) "
            f"CREATE (a)-[r:{rel_type}]->(b) SET r = row.props")


def _label(label: str) -> str:
    if label not in LABELS:
        raise BackupError(f"{label!r} is not a label of graph.schema.model")
    return label


class BackupError(Exception):
    """A backup that cannot be written or a file that cannot be restored; the message says what to do."""


class NotEmpty(BackupError):
    """Restore into a database that holds data, without `force`."""


@dataclass(frozen=True)
class Header:
    """What a backup file says of itself (its first line)."""

    engine: str
    graph_version: str
    created: str
    nodes: dict[str, int]
    relationships: dict[str, int]
    version: int = VERSION

    @property
    def records(self) -> int:
        return sum(self.nodes.values()) + sum(self.relationships.values())

    def line(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": self.version, "engine": self.engine, "graphVersion": self.graph_version,
                "created": self.created, "nodes": self.nodes, "relationships": self.relationships}


def _dump(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"


# ---------------------------------------------------------------- backup


def backup(db: GraphEngine, out: Path, *, version: Callable[[GraphEngine], str], attempts: int = ATTEMPTS,
           page: int = PAGE, on_start: Progress | None = None, on_progress: Progress | None = None) -> Header:
    """Write the whole graph to `out` (which must not exist) as one version of it; see the module's doc.
    `on_start(total records)` is called at each attempt's start, `on_progress(records done)` as it goes."""
    if out.exists():
        raise BackupError(f"{out} already exists; choose another file name (or move the old backup away)")
    if not out.parent.is_dir():
        raise BackupError(f"folder {out.parent} does not exist; create it first")
    partial = out.with_name(f".{out.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        for _ in range(attempts):
            before = version(db)
            try:
                header = _plan(db, before)
                if on_start:
                    on_start(header.records)
                written = _write(db, partial, header, page, on_progress)
                _check_counts(header, written)
            except BackupError:
                if version(db) != before:
                    continue  # a load committed meanwhile: what was read did not add up
                raise
            if version(db) != before:
                continue  # a load committed meanwhile: what was read may mix two versions
            os.replace(partial, out)
            return header
        raise BackupError(f"the graph changed during each of {attempts} attempts at a backup (loads kept "
                          "committing); try again when no load is running")
    finally:
        partial.unlink(missing_ok=True)


def _plan(db: GraphEngine, graph_version: str) -> Header:
    """The graph's counts, from the engine: the header, and what the pages read must add up to."""
    nodes: Counter[str] = Counter()
    for row in db.read(_COUNT_NODES):
        labels = [str(label) for label in row["labels"]]
        if len(labels) != 1 or labels[0] not in LABELS:
            raise BackupError(f"the graph holds {int(row['count']):,} node(s) labelled {':'.join(labels) or '-'}, "
                              "which this version of safetynet does not know (every node has one label of "
                              "graph.schema.model); upgrade safetynet, or use the database's own backup tool")
        nodes[labels[0]] += int(row["count"])
    relationships = {str(row["type"]): int(row["count"]) for row in db.read(_COUNT_RELATIONSHIPS)}
    return Header(engine=db.dialect, graph_version=graph_version,
                  created=datetime.now(UTC).isoformat(timespec="seconds"),
                  nodes=dict(sorted(nodes.items())), relationships=dict(sorted(relationships.items())))


@dataclass
class _Written:
    nodes: Counter[str] = field(default_factory=Counter)
    relationships: Counter[str] = field(default_factory=Counter)


def _write(db: GraphEngine, path: Path, header: Header, page: int, on_progress: Progress | None) -> _Written:
    """The file: header, nodes, relationships (spooled to a temporary file while the nodes are read, since each
    page brings a node's outgoing relationships with it), trailer."""
    written = _Written()
    digest = hashlib.sha256()
    lines = 0
    done = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz, \
            tempfile.TemporaryFile(dir=path.parent) as spool:
        def emit(line: bytes) -> None:
            nonlocal lines
            digest.update(line)
            gz.write(line)
            lines += 1

        emit(_dump(header.line()))
        for label in header.nodes:
            for props, out in _pages(db, label, page):
                emit(_dump({"node": label, "props": _stored(props, f"a {label} node")}))
                written.nodes[label] += 1
                for rel in sorted(out, key=lambda r: (r["type"], r["to"], str(r["b"]))):
                    kind = _kind(label, rel)
                    spool.write(_dump({"rel": kind[1], "from": [label, props["id"]], "to": [kind[2], rel["b"]],
                                       "props": _stored(rel["props"], f"a {kind[1]} relationship")}))
                    written.relationships[kind[1]] += 1
                done += 1 + len(out)
                if on_progress and done % 1000 < 1 + len(out):
                    on_progress(done)
        spool.seek(0)
        for line in spool:
            emit(line)
        gz.write(_dump({"end": FORMAT, "lines": lines, "sha256": digest.hexdigest()}))
        gz.flush()
        raw.flush()
        os.fsync(raw.fileno())
    if on_progress:
        on_progress(done)
    return written


def _pages(db: GraphEngine, label: str, page: int) -> Iterator[tuple[dict[str, Any], list[Row]]]:
    """Every node of the label, by id in order, with its outgoing relationships, a page per query."""
    after = ""
    while True:
        rows = db.read(_page(label), {"after": after, "limit": page})
        for row in rows:
            props: dict[str, Any] = row["props"]
            if not isinstance(props.get("id"), str):
                raise BackupError(f"a {label} node has no text id ({props.get('id')!r}); every node needs one "
                                  "to be backed up")
            yield props, row["out"]
        if len(rows) < page:
            return
        after = rows[-1]["props"]["id"]


def _kind(label: str, row: Row) -> tuple[str, str, str]:
    targets = row["to"]
    kind = (label, str(row["type"]), str(targets[0]) if len(targets) == 1 else "|".join(map(str, targets)))
    if kind not in RELATIONSHIPS:
        raise BackupError(f"the graph holds a relationship this version of safetynet does not know: "
                          f"(:{kind[0]})-[:{kind[1]}]->(:{kind[2]}); upgrade safetynet, or use the database's "
                          "own backup tool")
    return kind


def _stored(props: dict[str, Any], what: str) -> dict[str, Any]:
    """The properties as the file holds them: plain JSON, a point as `{"latitude", "longitude"}`."""
    for key, value in props.items():
        if isinstance(value, dict) and not (key in POINT_KEYS and _is_point(value)):
            raise BackupError(f"{what} has a property {key!r} this backup format cannot hold ({value!r})")
    return props


def _is_point(value: object) -> bool:
    return (isinstance(value, dict) and set(value) == {"latitude", "longitude"}
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()))


def _check_counts(header: Header, written: _Written) -> None:
    nodes = {k: v for k, v in sorted(written.nodes.items())}
    relationships = {k: v for k, v in sorted(written.relationships.items())}
    if nodes != header.nodes or relationships != header.relationships:
        raise BackupError(f"the pages read do not add up to the graph's counts (nodes {nodes} against "
                          f"{header.nodes}; relationships {relationships} against {header.relationships}): some "
                          "node's id is not unique within its label; the backup was not written")


# ---------------------------------------------------------------- reading a backup


_DAMAGED = (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError)


def _damaged(path: Path, detail: str) -> BackupError:
    return BackupError(f"{path} is damaged ({detail}); it cannot be restored: use another backup")


@dataclass
class _Reader:
    """The lines of a backup file, each checked, with its header, the digest so far and what was counted."""

    path: Path
    header: Header | None = None
    digest: Any = field(default_factory=hashlib.sha256)
    lines: int = 0
    trailer: dict[str, Any] | None = None

    def records(self) -> Iterator[dict[str, Any]]:
        try:
            with gzip.open(self.path, "rb") as handle:
                yield from self._records(handle)
        except _DAMAGED as exc:
            raise _damaged(self.path, f"{type(exc).__name__}: {exc}") from exc

    def _records(self, handle: Iterable[bytes]) -> Iterator[dict[str, Any]]:
        for line in handle:
            if self.trailer is not None:
                raise _damaged(self.path, "lines after its end")
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise _damaged(self.path, f"line {self.lines + 1} is not a JSON object")
            if self.header is None:
                self.header = _header(self.path, obj)
            elif obj.get("end") == FORMAT:
                self.trailer = obj
                continue
            else:
                yield obj
            self.digest.update(line)
            self.lines += 1
        if self.header is None:
            raise _damaged(self.path, "it is empty")
        if self.trailer is None:
            raise _damaged(self.path, "it is cut short: no end line")

    def check_end(self) -> None:
        assert self.trailer is not None
        if self.trailer.get("lines") != self.lines or self.trailer.get("sha256") != self.digest.hexdigest():
            raise _damaged(self.path, "its SHA-256 does not match its content")


def _header(path: Path, obj: dict[str, Any]) -> Header:
    if obj.get("format") != FORMAT:
        raise BackupError(f"{path} is not a safetynet backup (made by `safetynet db backup`)")
    version = obj.get("version")
    if version != VERSION:
        newer = isinstance(version, int) and version > VERSION
        raise BackupError(f"{path} is a backup of format version {version!r}; this safetynet reads version {VERSION}"
                          + (": upgrade safetynet to restore it" if newer else ""))
    try:
        return Header(engine=str(obj["engine"]), graph_version=str(obj["graphVersion"]), created=str(obj["created"]),
                      nodes={str(k): int(v) for k, v in obj["nodes"].items()},
                      relationships={str(k): int(v) for k, v in obj["relationships"].items()})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _damaged(path, f"its header lacks {exc}") from exc


def verify(path: Path) -> Header:
    """Check the whole file without writing anything: format and version, SHA-256, line shapes, the labels and
    relationship kinds known, the counts of the header, nodes before relationships, every relationship's ends
    among the nodes. Raises BackupError saying what is wrong."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file; check the path")
    reader = _Reader(path)
    nodes: Counter[str] = Counter()
    relationships: Counter[str] = Counter()
    seen: set[int] = set()  # hashes of (label, id): a relationship's ends must be in the file
    for number, obj in enumerate(reader.records(), start=2):
        if "node" in obj:
            if relationships:
                raise _damaged(path, f"line {number}: a node after the relationships")
            label, props = _node(path, number, obj)
            key = hash((label, props["id"]))
            if key in seen:
                raise _damaged(path, f"line {number}: a second {label} with id {props['id']!r}")
            seen.add(key)
            nodes[label] += 1
        else:
            kind, a, b, _ = _relationship(path, number, obj)
            if hash((kind[0], a)) not in seen or hash((kind[2], b)) not in seen:
                raise _damaged(path, f"line {number}: a {kind[1]} relationship between nodes the file does not hold")
            relationships[kind[1]] += 1
    reader.check_end()
    header = reader.header
    assert header is not None
    if dict(nodes) != {k: v for k, v in header.nodes.items() if v} or \
            dict(relationships) != {k: v for k, v in header.relationships.items() if v}:
        raise _damaged(path, "its records do not add up to the counts of its header")
    return header


def _node(path: Path, number: int, obj: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    label, props = obj.get("node"), obj.get("props")
    if label not in LABELS or not isinstance(props, dict) or not isinstance(props.get("id"), str):
        raise _damaged(path, f"line {number}: not a node of a known label with a text id")
    _check_values(path, number, props)
    return str(label), props


def _relationship(path: Path, number: int, obj: dict[str, Any]) -> tuple[tuple[str, str, str], str, str,
                                                                            dict[str, Any]]:
    ends, props = (obj.get("from"), obj.get("to")), obj.get("props")
    if not all(isinstance(end, list) and len(end) == 2 and all(isinstance(x, str) for x in end) for end in ends) \
            or not isinstance(props, dict):
        raise _damaged(path, f"line {number}: neither a node nor a relationship")
    (a_label, a), (b_label, b) = ends  # type: ignore[misc]
    kind = (a_label, str(obj.get("rel")), b_label)
    if kind not in RELATIONSHIPS:
        raise _damaged(path, f"line {number}: (:{kind[0]})-[:{kind[1]}]->(:{kind[2]}) is not a relationship of "
                       "this version of safetynet")
    _check_values(path, number, props)
    return kind, a, b, props


def _check_values(path: Path, number: int, props: dict[str, Any]) -> None:
    for key, value in props.items():
        if isinstance(value, dict) and not (key in POINT_KEYS and _is_point(value)):
            raise _damaged(path, f"line {number}: property {key!r} holds a map")
        if value is None:
            raise _damaged(path, f"line {number}: property {key!r} is null")


# ---------------------------------------------------------------- restore


def is_empty(db: GraphEngine) -> bool:
    return not db.read(_ANY)


def restore(db: GraphEngine, path: Path, *, force: bool = False, page: int = PAGE,
            on_progress: Progress | None = None, version: Callable[[GraphEngine], str] | None = None) -> Header:
    """Check the file (`verify`), then write it into the database in one unit: the database must be empty
    unless `force` (then everything in it is replaced). Nothing is written when a check fails, and a
    failure while writing leaves the database as it was. Afterwards the graph's counts are checked against
    the header's, unless `version` (queries.reads.graph_version) says a load changed the graph since."""
    header = verify(path)
    if not force and not is_empty(db):
        raise NotEmpty(_not_empty(db))
    db.write_atomic(_statements(db, path, header, force=force, page=page, on_progress=on_progress))
    if version is None or version(db) == header.graph_version:
        _check_restored(db, header)
    return header


def _not_empty(db: GraphEngine) -> str:
    return (f"the database at {db.uri} is not empty; restore into an empty one (a new SAFETYNET_DB), or add "
            "--force to replace everything in it with the backup")


def _statements(db: GraphEngine, path: Path, header: Header, *, force: bool, page: int,
                on_progress: Progress | None) -> Iterator[Statement]:
    """Drawn by write_atomic under the load lock: the emptiness check holds until the unit ends."""
    if db.serialises_loads and not force and not is_empty(db):
        raise NotEmpty(_not_empty(db))  # a load got in between restore's first check and the lock
    if force:
        yield _DELETE_ALL, {}
    reader = _Reader(path)  # read again, checked again: a file changed since `verify` stops the unit
    done = 0
    nodes: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
    relationships: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)

    def flush_nodes(key: tuple[str, bool]) -> Statement:
        rows = nodes.pop(key)
        return _create_nodes(key[0], point=key[1]), {"rows": rows}

    def flush_relationships(kind: tuple[str, str, str]) -> Statement:
        return _create_relationships(kind), {"rows": relationships.pop(kind)}

    for number, obj in enumerate(reader.records(), start=2):
        if "node" in obj:
            label, props = _node(path, number, obj)
            point = {k: props.pop(k) for k in POINT_KEYS if k in props}.get("point")
            key = (label, point is not None)
            nodes[key].append({"props": props, "point": point} if point is not None else {"props": props})
            if len(nodes[key]) >= page:
                yield flush_nodes(key)
        else:
            if nodes:
                for key in list(nodes):
                    yield flush_nodes(key)
            kind, a, b, props = _relationship(path, number, obj)
            relationships[kind].append({"a": a, "b": b, "props": props})
            if len(relationships[kind]) >= page:
                yield flush_relationships(kind)
        done += 1
        if on_progress and done % page == 0:
            on_progress(done)
    for key in list(nodes):
        yield flush_nodes(key)
    for kind in list(relationships):
        yield flush_relationships(kind)
    reader.check_end()  # raised here, the unit is dropped: nothing was written
    if on_progress:
        on_progress(done)


def _check_restored(db: GraphEngine, header: Header) -> None:
    counted = _plan(db, header.graph_version)
    nodes, relationships = counted.nodes, counted.relationships
    if nodes != {k: v for k, v in header.nodes.items() if v} or \
            relationships != {k: v for k, v in header.relationships.items() if v}:
        raise BackupError(f"the restored graph's counts (nodes {nodes}, relationships {relationships}) differ from "
                          f"the backup's ({header.nodes}, {header.relationships}); restore again with --force")
