"""Loading a source into the graph: what each format needs from the graph, then all or nothing.

Every format is parsed and validated in full, then written in one transaction (loaders.load). What differs
is what a format reads from the graph first: agency ties and referrals are checked against the organizations,
services and areas already loaded; planning areas link the located locations already loaded; directory
sources (211, Ohana, mapped CSV) are joined to the planning areas (loaders.join_to_graph) before they are
written. The entry points (`safetynet load …`, `safetynet demo`) choose the options, show progress and print
the outcome; they hold no load logic. Problems are raised as the loaders raise them: LoadRejected,
TooManyRejects, MappingError, FileNotFoundError/ValueError (a source that is not one), Conflict.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from graph.engine import GraphEngine
from loaders.load import LoadResult, Parsed, load_source
from loaders.plan import NodesReady
from loaders.rejects import MaxRejects
from services.settings import ServiceSettings

ReadProgress = Callable[[str, int], None]  # (file being read, records read so far)
WriteProgress = Callable[[int, int | None], None]  # (rows written, rows of the load once known)
# A format's parser, given where to report progress and (for formats that stream) where to hand finished nodes.
Parse = Callable[[ReadProgress, NodesReady | None], Parsed]
DirectoryFormat = Literal["211", "ohana"]


def _ignore(*_: Any) -> None:
    return None


@dataclass(frozen=True)
class LoadOptions:
    """How to load: the dataset's id (provenance; ids of 211, Ohana and mapped records are prefixed with it),
    and what the user asked for (see `safetynet load --help`)."""

    dataset_id: str
    replace: bool = False
    strict: bool = False
    dry_run: bool = False
    skip_invalid: bool = False
    max_rejects: MaxRejects | None = None


@dataclass(frozen=True)
class LoadProgress:
    """Where a load reports how far it got (the CLI draws bars; tests and the demo pass nothing)."""

    reading: ReadProgress = _ignore
    read: Callable[[int], None] = _ignore  # every record read and validated: how many
    writing: WriteProgress | None = None


QUIET = LoadProgress()


@dataclass(frozen=True)
class AreaProperties:
    """Where an areas file keeps what (`safetynet load areas --help`); None: detected or the default."""

    id_prop: str | None = None
    name_prop: str | None = None
    kind: str = "neighbourhood"
    kind_prop: str | None = None
    population_prop: str | None = None
    parent_prop: str | None = None
    parent_id: str | None = None


@dataclass
class Loaded:
    """The outcome of a load: the loaders' result, and what joining it to the graph found (directory sources)."""

    result: LoadResult
    join: Any = None  # loaders.join_to_graph.JoinSummary of a directory source, else None
    details: dict[str, int] = field(default_factory=dict)  # a format's own counts (mapped: tags, unplaced)


def load(db: GraphEngine | None, path: Path, parse: Parse, options: LoadOptions,
         progress: LoadProgress = QUIET) -> LoadResult:
    """Parse with `parse` and write all of it or nothing (loaders.load.load_source); `db` may be None only
    for a dry run. Streaming parsers hand nodes over while they read, so writing overlaps reading."""
    started = time.perf_counter()

    def parse_reporting(on_nodes: NodesReady | None) -> Parsed:
        parsed = parse(progress.reading, on_nodes)
        progress.read(parsed.records)
        return parsed

    return load_source(None if options.dry_run else db, parse_reporting, dataset_id=options.dataset_id, path=path,
                       strict=options.strict, replace=options.replace, dry_run=options.dry_run, started=started,
                       on_write=progress.writing, skip=options.skip_invalid, max_rejects=options.max_rejects)


def load_hsds(db: GraphEngine | None, path: Path, options: LoadOptions, progress: LoadProgress = QUIET) -> Loaded:
    """An HSDS 3.0 source (a tabular package folder, or JSON/NDJSON service objects); needs nothing of the graph,
    so a dry run needs no database."""
    from loaders.hsds import parse_hsds

    def parse(reading: ReadProgress, on_nodes: NodesReady | None) -> Parsed:
        return parse_hsds(path, on_nodes=on_nodes, on_progress=reading)

    return Loaded(load(db, path, parse, options, progress))


def load_ties(db: GraphEngine, path: Path, options: LoadOptions, progress: LoadProgress = QUIET) -> Loaded:
    """Ties between agencies, checked against the organizations already in the graph."""
    from loaders.directory_lookup import load_directory
    from loaders.ties import parse_ties

    directory = load_directory(db)

    def parse(reading: ReadProgress, on_nodes: NodesReady | None) -> Parsed:
        return parse_ties(path, namespace=options.dataset_id, directory=directory, on_progress=reading,
                          strict=options.strict)

    return Loaded(load(db, path, parse, options, progress))


def load_referrals(db: GraphEngine, path: Path, options: LoadOptions, progress: LoadProgress = QUIET) -> Loaded:
    """De-identified referral events, kept only as monthly counts, checked against what the graph holds."""
    from loaders.directory_lookup import load_directory
    from loaders.referrals import parse_referrals

    directory = load_directory(db)

    def parse(reading: ReadProgress, on_nodes: NodesReady | None) -> Parsed:
        return parse_referrals(path, namespace=options.dataset_id, directory=directory, on_progress=reading)

    return Loaded(load(db, path, parse, options, progress))


def load_areas(db: GraphEngine, path: Path, options: LoadOptions, properties: AreaProperties = AreaProperties(),
               progress: LoadProgress = QUIET) -> Loaded:
    """Planning areas (GeoJSON), with every located location of the graph linked IN_AREA."""
    from loaders.areas import parse_areas
    from loaders.areas_links import existing_area_ids, located_locations

    if properties.parent_prop and properties.parent_id:
        raise ValueError("give --parent-prop or --parent-id, not both")
    locations, known = located_locations(db), existing_area_ids(db)

    def parse(reading: ReadProgress, on_nodes: NodesReady | None) -> Parsed:
        p = properties
        return parse_areas(path, namespace=options.dataset_id, id_prop=p.id_prop, name_prop=p.name_prop,
                           kind=p.kind, kind_prop=p.kind_prop, population_prop=p.population_prop,
                           parent_prop=p.parent_prop, parent_id=p.parent_id, known_areas=known, locations=locations,
                           on_progress=reading)

    return Loaded(load(db, path, parse, options, progress))


def _joined(db: GraphEngine, path: Path, parser: Callable[[ReadProgress], Parsed], options: LoadOptions,
            progress: LoadProgress) -> Loaded:
    """A directory source joined to the graph's planning areas (loaders.join_to_graph) before it is written.
    A source with errors is joined only when its valid records are to be loaded (--skip-invalid): what a
    skipped record brought is left out with it afterwards."""
    from loaders.area_matching import read_areas
    from loaders.join_to_graph import JoinSummary, join_to_graph

    areas = read_areas(db)
    joined: list[JoinSummary] = []

    def parse(reading: ReadProgress, on_nodes: NodesReady | None) -> Parsed:
        parsed = parser(reading)
        if not parsed.report.errors or options.skip_invalid:
            joined.append(join_to_graph(parsed.plan, areas))
        return parsed

    result = load(db, path, parse, options, progress)
    return Loaded(result, join=joined[0] if joined else None)


def load_directory_export(db: GraphEngine, path: Path, fmt: DirectoryFormat, options: LoadOptions,
                          progress: LoadProgress = QUIET) -> Loaded:
    """A 211 export (one wide CSV) or an Ohana API CSV folder, joined to the planning areas."""
    from loaders.airs211 import parse_211
    from loaders.ohana import parse_ohana

    parser = parse_211 if fmt == "211" else parse_ohana
    return _joined(db, path, lambda reading: parser(path, namespace=options.dataset_id, on_progress=reading),
                   options, progress)


def mapping_dataset(mapping: Path) -> str | None:
    """The dataset id a mapping names, if any (MappingError for a broken mapping: nothing is read)."""
    from loaders.mapped import read_mapping

    return read_mapping(mapping).dataset


def load_mapped(db: GraphEngine, files: Sequence[Path], mapping: Path, options: LoadOptions,
                progress: LoadProgress = QUIET) -> Loaded:
    """CSV files of any layout through a mapping (docs/mapping.md), joined to the planning areas. `details`
    counts the taxonomy tags made and the locations without coordinates."""
    from loaders.mapped import MappedResult, parse_mapped

    parsed: list[MappedResult] = []

    def parser(reading: ReadProgress) -> Parsed:
        result = parse_mapped(files, mapping, namespace=options.dataset_id, on_progress=reading)
        parsed.append(result)
        return result

    loaded = _joined(db, files[0], parser, options, progress)
    loaded.details = {"tags": parsed[0].tags, "unplaced": parsed[0].unplaced}
    return loaded


def hsds_documents_stale(db: GraphEngine, settings: ServiceSettings) -> bool:
    """Whether the HSDS API's ready-made documents are of a graph before the last load (services.hsds.snapshots)."""
    from queries.reads import graph_version
    from services.hsds.snapshots import SnapshotStore

    return bool(SnapshotStore.of(settings, db).stale(graph_version(db)))
