"""Entry point: read an HSDS 3.0 source (CSV data package or JSON) into a write plan and a report."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from loaders.hsds.json_reader import JSON_SUFFIXES, iter_json, json_files
from loaders.hsds.mapping import build_plan
from loaders.hsds.models import TABLES
from loaders.hsds.records import Pool, RecordOrigins, Store, absorb, new_stores
from loaders.hsds.tabular import is_csv_package, iter_csv_package
from loaders.plan import GraphPlan, NodesReady
from loaders.report import Report
from loaders.skipping import Origin

Format = Literal["hsds-csv", "hsds-json"]


@dataclass
class ParseResult:
    plan: GraphPlan
    report: Report
    format: Format
    records: int  # source records read: CSV rows over all tables, or JSON objects including nested ones
    # Where each plan node that is a record came from, for --skip-invalid (loaders.skipping): filled only when
    # a problem names a record (a clean load never needs it).
    origins: Mapping[tuple[str, str], Origin] = field(default_factory=dict)


class Origins(Mapping[tuple[str, str], Origin]):
    """(label, id) -> Origin(file, row, (HSDS table, id)) of every plan node that is a record of the source
    (all but Language nodes), worked out when looked up."""

    def __init__(self, tables: dict[str, RecordOrigins]) -> None:
        self._by_label = {TABLES[name].label: where for name, where in tables.items()}

    def __getitem__(self, node: tuple[str, str]) -> Origin:
        label, rid = node
        where = self._by_label.get(label)
        found = where.find(rid) if where is not None else None
        if where is None or found is None:
            raise KeyError(node)
        return Origin(found[0], found[1], (where.table, rid))

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for label, where in self._by_label.items():
            assert label is not None
            for rid in where.ids:
                yield label, rid

    def __len__(self) -> int:
        return sum(map(len, self._by_label.values()))


def detect_format(path: Path) -> Format:
    """`hsds-csv` for a folder of HSDS tables, `hsds-json` for a JSON file or a folder of them."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_dir():
        if is_csv_package(path):
            return "hsds-csv"
        if json_files(path):
            return "hsds-json"
        raise ValueError(
            f"{path}: neither an HSDS CSV package (organizations.csv, services.csv, …) "
            "nor a folder of .json/.ndjson files"
        )
    if path.suffix.lower() in JSON_SUFFIXES:
        return "hsds-json"
    if path.suffix.lower() == ".csv":
        raise ValueError(f"{path}: give the folder that holds the HSDS CSV tables, not one table")
    raise ValueError(f"{path}: not an HSDS source (expected a folder of CSV tables or a .json/.ndjson file)")


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a plan: parsing allocates millions of
    small acyclic objects and repeated full collections over them cost a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Everything allocated meanwhile sits in the youngest generation, which the next collection
        # would traverse in full; move it all to the oldest one (two list splices, no traversal).
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


ReadProgress = Callable[[str, int], None]  # (file being read, records read so far)


def _read(path: Path, fmt: Format, stores: dict[str, Store], report: Report, on_progress: ReadProgress | None,
          on_nodes: NodesReady | None) -> int:
    """Read and validate every record into the stores; the number of source records read. Nothing
    read is kept beyond the stores (batches and interning caches go with this call)."""
    pool = Pool()
    records = 0
    if fmt == "hsds-csv":
        def table_done(table: str) -> None:
            label = TABLES[table].label
            if on_nodes and label is not None:
                on_nodes(label, stores[table].recs)

        for batch in iter_csv_package(path, report, pool, on_table_done=table_done):
            records += len(batch.rows)
            absorb(batch, stores, report, pool)
            if on_progress:
                on_progress(batch.file, records)
    else:
        for batches, count in iter_json(path, report):
            records += count
            for batch in batches:
                absorb(batch, stores, report, pool)
            if on_progress and batches:
                on_progress(batches[0].file, records)
    return records


def parse_hsds(path: Path, on_progress: ReadProgress | None = None, on_nodes: NodesReady | None = None) -> ParseResult:
    """Parse and validate an HSDS source. Pure: no database, no output. Problems with the data never
    raise; they are in `report` (load nothing if it has errors). Raises FileNotFoundError or
    ValueError only when `path` is missing or is no HSDS source at all.

    `on_nodes(label, {id: properties})` is called as soon as a label's nodes are final (a CSV
    package's table has been read; never for JSON, whose nested records of any label may come up
    to the last line), so a writer can start on them while the rest is read. The mapping must not
    be changed; if the report ends with errors, what was handed over is not to be kept.

    Each problem about one record names it (`record`, `node`), and `origins` says where each record node came
    from, for `--skip-invalid` (loaders.skipping); problems about a whole file (row 0, a malformed CSV that
    stops its reading, unreadable JSON) name none."""
    path = Path(path)
    fmt = detect_format(path)
    report = Report()
    stores = new_stores()
    with _bulk_allocation():
        records = _read(path, fmt, stores, report, on_progress, on_nodes)
        plan = build_plan(stores, report)
    report.problems.sort(key=lambda p: (p.file, p.row, p.field))
    origins: Mapping[tuple[str, str], Origin] = {}
    if any(p.record is not None for p in report.problems):
        origins = Origins({name: stores[name].origins(name) for name, spec in TABLES.items() if spec.label})
    return ParseResult(plan=plan, report=report, format=fmt, records=records, origins=origins)
