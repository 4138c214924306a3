"""The graph exported as an HSDS 3.0 dataset: the tabular data package (one CSV per HSDS table and a
`datapackage.json`) or JSON (NDJSON of full service objects), both read back by loaders/hsds.

Everything is built by the HSDS serializer (services/hsds/serialize.py) over the subgraphs
queries/hsds_out.py fetches, in batches of a few hundred records (one fetch and one serializer
call per batch, never one per record), so the export shows exactly what the HSDS API shows, with
the same privacy rules, and memory stays bounded by the batch (plus one entry per exported record
id, to write each record once).

What is written, in order:
1. every service the caller may see, in full (its organization, program, sites with their
   locations, phones, schedules, … and attributes with their terms and taxonomies nested);
2. every organization no exported service nested (one without services), in full;
3. (CSV only) every taxonomy term and taxonomy not written yet. HSDS JSON has no top-level term
   or taxonomy object (nor does the loader read one), so a JSON export holds only the terms that
   tag something.

CSV: a record nested in several places (a location under its organization and under a site, a
contact under a location and a service) is one row carrying every reference it was found under.
Rows are written as soon as their batch is serialized; a reference found only in a later batch
(a site whose location belongs to an organization exported later) is patched into the table's
file at the end, streaming, so the table never sits in memory.

Not exported, because HSDS has no field for them: the provenance (`source`, loads, datasets),
`staffOnly` markings (with `staff`, private values are written like any other), values the project
derived (`Service.derivedFields`), and records no service, organization or term reaches (a
location, contact or phone whose owner is not in the graph). `metadata.csv` and
`meta_table_descriptions.csv` are written empty: the graph keeps no change history.

A staff export holds values only staff may see, so it is readable by its owner only (the folder
0700, every file 0600); a public export is written with the usual modes (the umask's).

`datapackage.json` is the official HSDS 3.0 descriptor (a copy ships beside this module), with the
same resources, schemas and paths, except two constraints that reject valid HSDS data: the times
(`opens_at`, `closes_at`) get `format: any`, since HSDS asks for `HH:MM` (with an offset) where the
descriptor's `time` type accepts only `HH:MM:SS`; and `program.organization_id` is not `unique` (an
organization may run several programs, as the JSON schema's `organization.programs` array says).
Values are written as stored (a round trip changes nothing), so a dataset whose ids are not UUIDs
(the descriptor asks for `format: uuid`) exports faithfully but fails that check.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Literal

from graph.engine import GraphEngine
from queries import hsds_out
from services.hsds import listing as hsds_api
from services.hsds import serialize

Format = Literal["csv", "json"]
FORMATS: Final[tuple[Format, ...]] = ("csv", "json")
BATCH: Final[int] = 250  # services (or organizations, terms) per fetch and serializer call
DATAPACKAGE: Final[Path] = Path(__file__).with_name("datapackage.json")  # the official HSDS 3.0 descriptor
SERVICES_FILE: Final[str] = "services.ndjson"
ORGANIZATIONS_FILE: Final[str] = "organizations.ndjson"

JsonObject = dict[str, Any]
# (stage, done, total): stage is "services", "organizations", "taxonomy terms" or "finishing".
Progress = Callable[[str, int, int], None]


class ExportError(ValueError):
    """The export cannot start; the message says what to do instead."""


@dataclass
class ExportSummary:
    format: Format
    folder: Path
    staff: bool
    services: int = 0
    organizations: int = 0  # top-level organization objects (JSON) / rows (CSV)
    rows: dict[str, int] = field(default_factory=dict)  # CSV: rows per file
    files: list[str] = field(default_factory=list)
    left_out: int = 0  # services left out: their organization is staff-only (a public export)
    seconds: float = 0.0

    @property
    def services_per_second(self) -> float:
        return self.services / self.seconds if self.seconds > 0 else 0.0


# --- what nests what (the inverse of loaders/hsds/json_reader over loaders.hsds.models.TABLES) ------

# table -> JSON key -> (child table, the child's reference to this record)
_ATTRIBUTES: Final = {"attributes": ("attribute", "link_id")}
_CHILDREN: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "organization": {
        "funding": ("funding", "organization_id"), "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"), "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "services": ("service", "organization_id"), **_ATTRIBUTES,
    },
    "service": {
        "phones": ("phone", "service_id"), "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"), "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"), "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"), "contacts": ("contact", "service_id"),
        **_ATTRIBUTES,
    },
    "location": {
        "languages": ("language", "location_id"), "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"), "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"), "schedules": ("schedule", "location_id"), **_ATTRIBUTES,
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"), "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"), **_ATTRIBUTES,
    },
    "contact": {"phones": ("phone", "contact_id"), **_ATTRIBUTES},
    "phone": {"languages": ("language", "phone_id"), **_ATTRIBUTES},
    **{table: _ATTRIBUTES for table in (
        "organization_identifier", "program", "address", "accessibility", "schedule", "service_area",
        "cost_option", "required_document", "funding", "language",
    )},
}
# table -> JSON key -> (nested record's table, this record's reference to it)
_PARENTS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "service": {"organization": ("organization", "organization_id"), "program": ("program", "program_id")},
    "service_at_location": {"location": ("location", "location_id"), "service": ("service", "service_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
}


def datapackage() -> JsonObject:
    """The official HSDS 3.0 tabular data package descriptor (schema/datapackage.json)."""
    found: JsonObject = json.loads(DATAPACKAGE.read_text(encoding="utf-8"))
    return found


def export_descriptor() -> JsonObject:
    """The descriptor written beside the CSVs: the official one, with the two constraints it gets wrong
    relaxed (each would reject valid HSDS data; documented in the module docstring)."""
    descriptor = datapackage()
    for resource in descriptor["resources"]:
        for spec in resource["schema"]["fields"]:
            if spec["type"] == "time":
                spec["format"] = "any"  # HSDS asks for HH:MM (+ offset); the default format is HH:MM:SS only
            if (resource["name"], spec["name"]) == ("program", "organization_id"):
                spec["constraints"]["unique"] = False  # an organization may run many programs
    return descriptor


def _columns() -> dict[str, tuple[str, list[str]]]:
    """HSDS table -> (its CSV file, its columns), in the descriptor's order."""
    return {r["name"]: (r["path"], [f["name"] for f in r["schema"]["fields"]]) for r in datapackage()["resources"]}


def check_target(folder: Path, fmt: str) -> None:
    """Raise ExportError unless the export can write to `folder` in `fmt`."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use --format csv (the tabular data package) or --format json")
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file: give a folder to write the export to (it is created)")
    if folder.is_dir() and any(folder.iterdir()):
        raise ExportError(f"{folder} exists and is not empty: give a new folder (it is created), or empty or "
                          "remove this one first")


def _batches(ids: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


def export_hsds(db: GraphEngine, folder: Path, *, fmt: Format = "csv", staff: bool = False, batch: int = BATCH,
                on_progress: Progress | None = None) -> ExportSummary:
    """Export the graph to `folder` (created; it must not hold anything yet) as HSDS 3.0 in `fmt`,
    as the public (default) or staff see it."""
    check_target(folder, fmt)
    if batch < 1:
        raise ExportError("the batch size must be at least 1")
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    if staff:  # staff-only values inside: this user's only (a public export keeps the usual modes)
        folder.chmod(0o700)
    summary = ExportSummary(format=fmt, folder=folder, staff=staff)
    progress = on_progress or (lambda stage, done, total: None)
    sink: _Sink = _CsvSink(folder, private=staff) if fmt == "csv" else _JsonSink(folder, private=staff)
    with sink:
        service_ids = hsds_api.service_ids(db, filters=hsds_api.ServiceFilters(), staff=staff,
                                           window=hsds_api.Window()).ids
        progress("services", 0, len(service_ids))
        done = 0
        for ids in _batches(service_ids, batch):
            graphs = hsds_out.service_graphs(db, ids=ids)
            for rid in ids:
                record = graphs.get(rid)
                obj = serialize.service_full(record, staff=staff) if record is not None else None
                if obj is None:
                    continue  # gone since the ids were read, or hidden
                if "organization" not in obj:
                    summary.left_out += 1  # its organization is hidden: no valid HSDS service without one
                    continue
                sink.service(obj)
                summary.services += 1
            sink.flush()
            done += len(ids)
            progress("services", done, len(service_ids))

        org_ids = [rid for rid in hsds_api.organization_ids(db, search=None, staff=staff,
                                                            window=hsds_api.Window()).ids
                   if not sink.has("organization", rid)]
        progress("organizations", 0, len(org_ids))
        done = 0
        for ids in _batches(org_ids, batch):
            org_graphs = hsds_out.organization_graphs(db, ids=ids, full_service=False)
            for rid in ids:
                org_record = org_graphs.get(rid)
                org = serialize.organization_full(org_record, staff=staff, full_service=False) \
                    if org_record is not None else None
                if org is not None:
                    sink.organization({**org, "services": []})  # any service it shows is exported already
                    summary.organizations += 1
            sink.flush()
            done += len(ids)
            progress("organizations", done, len(org_ids))

        if isinstance(sink, _CsvSink):
            _export_taxonomies(db, sink, batch, progress)
            progress("finishing", 0, 1)
    summary.files = sink.files
    summary.rows = sink.rows
    if isinstance(sink, _CsvSink):
        summary.organizations = sink.rows.get(_columns()["organization"][0], 0)
    summary.seconds = time.perf_counter() - started
    return summary


def _export_taxonomies(db: GraphEngine, sink: _CsvSink, batch: int, progress: Progress) -> None:
    """The terms and taxonomies no attribute carried."""
    term_ids = [rid for rid in hsds_api.taxonomy_term_ids(db, search=None, taxonomy_id=None, parent_id=None,
                                                          top_only=False, window=hsds_api.Window()).ids
                if not sink.has("taxonomy_term", rid)]
    progress("taxonomy terms", 0, len(term_ids))
    done = 0
    for ids in _batches(term_ids, batch):
        terms = hsds_out.taxonomy_terms(db, ids=ids)
        for rid in ids:
            if rid in terms:
                sink.add("taxonomy_term", serialize.taxonomy_term(terms[rid], staff=sink.staff_terms), {})
        sink.flush()
        done += len(ids)
        progress("taxonomy terms", done, len(term_ids))
    for props in hsds_out.taxonomies(db):
        rid = str(props["id"])
        if not sink.has("taxonomy", rid):
            sink.add("taxonomy", serialize.taxonomy(rid, props), {})
    sink.flush()


# --- writers -----------------------------------------------------------------------------------


class _Sink:
    files: list[str]
    rows: dict[str, int]

    def __enter__(self) -> _Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError

    def service(self, obj: JsonObject) -> None:
        raise NotImplementedError

    def organization(self, obj: JsonObject) -> None:
        raise NotImplementedError

    def has(self, table: str, rid: str) -> bool:
        raise NotImplementedError

    def flush(self) -> None:
        pass


def _create(path: Path, *, private: bool, newline: str) -> IO[str]:
    """A new text file: mode 0600 when `private` (a staff export), else as `open` makes it."""
    mode = 0o600 if private else 0o666

    def opener(name: str, flags: int) -> int:
        return os.open(name, flags, mode)

    return open(path, "w", encoding="utf-8", newline=newline, opener=opener)


def _dumps(obj: JsonObject) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class _JsonSink(_Sink):
    """services.ndjson (one full service per line) and, when any organization has no service to
    nest it, organizations.ndjson (one full organization per line)."""

    def __init__(self, folder: Path, *, private: bool) -> None:
        self.folder = folder
        self.private = private
        self.files = []
        self.rows = {}
        self.organizations: set[str] = set()
        self._services = self._open(SERVICES_FILE)
        self._orgs: IO[str] | None = None

    def _open(self, name: str) -> IO[str]:
        self.files.append(name)
        self.rows[name] = 0
        return _create(self.folder / name, private=self.private, newline="\n")

    def service(self, obj: JsonObject) -> None:
        self._services.write(_dumps(obj) + "\n")
        self.rows[SERVICES_FILE] += 1
        self.organizations.add(str(obj["organization"]["id"]))

    def organization(self, obj: JsonObject) -> None:
        if self._orgs is None:
            self._orgs = self._open(ORGANIZATIONS_FILE)
        self._orgs.write(_dumps(obj) + "\n")
        self.rows[ORGANIZATIONS_FILE] += 1
        self.organizations.add(str(obj["id"]))

    def has(self, table: str, rid: str) -> bool:
        return table == "organization" and rid in self.organizations

    def close(self) -> None:
        self._services.close()
        if self._orgs is not None:
            self._orgs.close()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class _CsvSink(_Sink):
    """One CSV per HSDS table (all of the descriptor's, in its column order) and datapackage.json."""

    staff_terms = True  # terms and taxonomies carry no private values

    def __init__(self, folder: Path, *, private: bool) -> None:
        self.folder = folder
        self.private = private
        self.columns = _columns()
        self.files = [path for path, _ in self.columns.values()] + ["datapackage.json"]
        self.rows = {path: 0 for path, _ in self.columns.values()}
        self._stack = ExitStack()
        self._writers: dict[str, Any] = {}
        for table, (path, columns) in self.columns.items():
            fh = self._stack.enter_context(_create(folder / path, private=private, newline=""))
            writer = csv.writer(fh)
            writer.writerow(columns)
            self._writers[table] = writer
        # Per table: id -> the references its row was written with (their column names).
        self._written: dict[str, dict[str, frozenset[str]]] = {table: {} for table in self.columns}
        self._refs = {table: frozenset(c for c in columns if c.endswith("_id") and c != "id")
                      for table, (_, columns) in self.columns.items()}
        self._batch: dict[str, dict[str, JsonObject]] = {}
        self._patches: dict[str, dict[str, dict[str, str]]] = {}  # table -> id -> late references
        self._masks: dict[frozenset[str], frozenset[str]] = {}  # one copy of each set of references

    # the nested objects, flattened

    def service(self, obj: JsonObject) -> None:
        self.add("service", obj, {})

    def organization(self, obj: JsonObject) -> None:
        self.add("organization", obj, {})

    def add(self, table: str, obj: JsonObject, implied: dict[str, str]) -> None:
        """`obj` (an HSDS object of `table`) and every object nested in it, as rows."""
        rid = str(obj["id"])
        children = _CHILDREN.get(table, {})
        parents = _PARENTS.get(table, {})
        row: JsonObject = {k: v for k, v in obj.items()
                           if k not in children and k not in parents and v is not None and v != ""}
        row.update(implied)
        for key, (parent_table, ref) in parents.items():
            nested = obj.get(key)
            if isinstance(nested, dict):
                self.add(parent_table, nested, {})
                row[ref] = str(nested["id"])
        found = self._batch.setdefault(table, {}).get(rid)
        if found is None:
            self._batch[table][rid] = row
        else:
            for key, value in row.items():
                found.setdefault(key, value)
        for key, (child_table, ref) in children.items():
            for item in obj.get(key) or ():
                extra = {ref: rid, "link_entity": table} if child_table == "attribute" else {ref: rid}
                self.add(child_table, item, extra)

    def has(self, table: str, rid: str) -> bool:
        return rid in self._written[table]

    def flush(self) -> None:
        """Write the rows of the batch; references to records written earlier become patches."""
        for table, rows in self._batch.items():
            written = self._written[table]
            writer = self._writers[table]
            path, columns = self.columns[table]
            refs = self._refs[table]
            for rid, row in rows.items():
                before = written.get(rid)
                if before is None:
                    writer.writerow([_cell(row[c]) if c in row else "" for c in columns])
                    mask = frozenset(c for c in refs if c in row)
                    written[rid] = self._masks.setdefault(mask, mask)
                    self.rows[path] += 1
                    continue
                late = {c: str(row[c]) for c in refs if c in row and c not in before}
                if late:
                    self._patches.setdefault(table, {}).setdefault(rid, {}).update(late)
                    written[rid] = before | frozenset(late)
        self._batch = {}

    def close(self) -> None:
        self.flush()
        self._stack.close()
        for table, patches in self._patches.items():
            self._patch(table, patches)
        descriptor = export_descriptor()
        with _create(self.folder / "datapackage.json", private=self.private, newline="\n") as fh:
            fh.write(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")

    def _patch(self, table: str, patches: dict[str, dict[str, str]]) -> None:
        """Fill in the references found after a table's rows were written (streaming the file)."""
        path, columns = self.columns[table]
        target = self.folder / path
        temporary = target.with_name(target.name + ".partial")
        where = {c: i for i, c in enumerate(columns)}
        with target.open(encoding="utf-8", newline="") as src, \
                _create(temporary, private=self.private, newline="") as dst:
            reader, writer = csv.reader(src), csv.writer(dst)
            writer.writerow(next(reader))
            for row in reader:
                for column, value in patches.get(row[0], {}).items():
                    if not row[where[column]]:
                        row[where[column]] = value
                writer.writerow(row)
        os.replace(temporary, target)
