"""Entry point: read an Ohana API CSV export (a folder) into a write plan and a report.

Files are read in the order their references need: organizations, programs, locations and their
addresses, the taxonomies, services, contacts, phones, schedules, then the JSON maps that tag
services. organizations.csv, locations.csv and services.csv are required; every other file is
optional.

Every problem about one row names the row's record (the table's kind and the row's id, or "row N" where it
has none) and the plan node it becomes, so `--skip-invalid` can leave it out with what depends on it
(loaders.skipping); problems about a whole file name none and stop any load. A record that names one
with errors is linked to it in the plan all the same (ids.Known.invalid), so it goes with it; a service,
which depends on its location through no owning link, gets an error of its own when its location has one.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from loaders.ohana import tables
from loaders.ohana.airs import AirsTerms
from loaders.ohana.build import Build
from loaders.ohana.contact_points import read_contacts, read_phones
from loaders.ohana.crosswalk import CROSSWALK_KEY, Crosswalk, CrosswalkEntry, read_crosswalk
from loaders.ohana.files import CsvFile, folder_files, normalise_column, read_csv, read_json_map
from loaders.ohana.ids import Ids
from loaders.ohana.locations import read_addresses, read_locations
from loaders.ohana.open_eligibility import OpenEligibility, oe_term_id, read_open_eligibility
from loaders.ohana.organizations import read_organizations, read_programs
from loaders.ohana.schedules import read_holiday_schedules, read_regular_schedules
from loaders.ohana.service_maps import MapEntries, tag_from_airs_map, tag_from_oe_map
from loaders.ohana.services import read_services
from loaders.ohana.tables import Spec, report_columns
from loaders.plan import GraphPlan
from loaders.report import Problem, Report, Severity
from loaders.skipping import Origin

FORMAT: Literal["ohana-csv"] = "ohana-csv"
ReadProgress = Callable[[str, int], None]  # (file just read, records read so far)


@dataclass
class OhanaResult:
    plan: GraphPlan
    report: Report
    records: int  # data rows over all CSV files, plus one per service entry of the JSON maps
    # The AIRS/211 -> Open Eligibility crosswalk, checked (and in the plan as MAPS_TO links).
    crosswalk: list[CrosswalkEntry] = field(default_factory=list)
    format: Literal["ohana-csv"] = FORMAT
    # The plan nodes that are rows of the export -> where each came from (a record skipped for what it depends
    # on is reported at its own row).
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)

    @property
    def requires(self) -> list[tuple[tuple[str, str], tuple[str, str]]]:
        """An Ohana service belongs to one location (its `location_id`): it cannot stand without it, though the
        plan links the two only through a service-at-location (for --skip-invalid: loaders.skipping)."""
        delivered = {r["to"]: r["from"] for r in self.plan.relationships.get(
            ("Service", "DELIVERED_AT", "ServiceAtLocation"), {}).values()}
        return [(("Service", delivered[r["from"]]), ("Location", r["to"]))
                for r in self.plan.relationships.get(("ServiceAtLocation", "AT", "Location"), {}).values()
                if r["from"] in delivered]


# What the rows of each table are: their kind (as the rejects report names them) and the label of the plan
# node each becomes (None: the row makes no record of its own that another depends on).
RECORDS: dict[str, tuple[str, str | None]] = {
    tables.ORGANIZATIONS.file: ("organization", "Organization"),
    tables.PROGRAMS.file: ("program", "Program"),
    tables.LOCATIONS.file: ("location", "Location"),
    tables.ADDRESSES.file: ("address", "Address"),
    tables.MAIL_ADDRESSES.file: ("mail_address", "Address"),
    tables.SERVICES.file: ("service", "Service"),
    tables.CONTACTS.file: ("contact", "Contact"),
    tables.PHONES.file: ("phone", "Phone"),
    tables.REGULAR_SCHEDULES.file: ("regular_schedule", "Schedule"),
    tables.HOLIDAY_SCHEDULES.file: ("holiday_schedule", "Schedule"),
    tables.TAXONOMY.file: ("taxonomy", None),  # its id is taxonomy_id; a term left out leaves only its tags out
    tables.CROSSWALK.file: ("taxonomy_mapping", None),  # rows without ids: "row N"
}


def not_ohana(folder: Path) -> str | None:
    """Why a folder is no Ohana export, or None when it looks like one. An HSDS 3.0 package has files
    of the same names, but its services.csv names an organization, where Ohana's names a location."""
    names = folder_files(folder)
    if not any(spec.file in names for spec in tables.REQUIRED_FILES):
        return "none of organizations.csv, locations.csv, services.csv"
    if "services.csv" in names:
        with names["services.csv"].open(encoding="utf-8", errors="replace", newline="") as fh:
            header = {normalise_column(c) for c in next(csv.reader(fh), [])}
        if "organization_id" in header and "location_id" not in header:
            return "services.csv has organization_id and no location_id, as an HSDS 3.0 table does"
    return None


def is_ohana_folder(folder: Path) -> bool:
    return folder.is_dir() and not_ohana(folder) is None


def parse_ohana(path: Path, *, namespace: str, on_progress: ReadProgress | None = None) -> OhanaResult:
    """Parse and validate an Ohana export. Pure: no database. Problems with the data never raise;
    they are in `report` (load nothing if it has errors). Raises FileNotFoundError or ValueError
    only when `path` is missing or no Ohana folder at all, or `namespace` cannot start an id."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if not path.is_dir():
        raise ValueError(f"{path}: give the folder that holds the Ohana CSV files, not one file")
    if (reason := not_ohana(path)) is not None:
        raise ValueError(f"{path}: not an Ohana API CSV export ({reason})")
    report, plan = Report(), GraphPlan()
    build = Build(plan, report, Ids(namespace))
    reader = _Reader(path, report, on_progress)

    read_organizations(reader.table(tables.ORGANIZATIONS), build)
    if programs := reader.optional(tables.PROGRAMS):
        read_programs(programs, build)
    read_locations(reader.table(tables.LOCATIONS), build)
    for spec, postal in ((tables.ADDRESSES, False), (tables.MAIL_ADDRESSES, True)):
        if addresses := reader.optional(spec):
            read_addresses(addresses, build, postal=postal)
    taxonomy = reader.optional(tables.TAXONOMY)
    oe = read_open_eligibility(taxonomy, plan, report) if taxonomy else None
    mapping = reader.optional(tables.CROSSWALK)
    crosswalk = read_crosswalk(mapping, oe, report) if mapping else Crosswalk()
    services = reader.table(tables.SERVICES)
    read_services(services, build, oe)
    if contacts := reader.optional(tables.CONTACTS):
        read_contacts(contacts, build)
    if phones := reader.optional(tables.PHONES):
        read_phones(phones, build)
    if regular := reader.optional(tables.REGULAR_SCHEDULES):
        read_regular_schedules(regular, build)
    if holidays := reader.optional(tables.HOLIDAY_SCHEDULES):
        read_holiday_schedules(holidays, build)
    airs = AirsTerms(plan, crosswalk.names)
    _tag_services(reader, build, oe, airs)
    _add_crosswalk(plan, crosswalk, airs)

    report.problems = _attributed(report.problems, reader, build.ids)
    report.problems += _unplaced_services(report.problems, build, services.name)
    report.problems.sort(key=lambda p: (p.file, p.row, p.field))
    return OhanaResult(plan=plan, report=report, records=reader.records, crosswalk=crosswalk.entries,
                       origins=_origins(reader, plan, build.ids))


Record = tuple[tuple[str, str], tuple[str, str] | None]  # ((kind, id), (label, graph id) or None)


def _record(kind: str, label: str | None, source_id: str | None, row: int, ids: Ids) -> Record:
    if source_id is None:
        return (kind, f"row {row}"), None
    return (kind, source_id), (label, ids(kind, source_id)) if label else None


def _records(reader: _Reader, ids: Ids) -> dict[tuple[str, int], Record]:
    """(file, row) -> the record on that row, for every row read (broken ones whose id can be read too)."""
    out: dict[tuple[str, int], Record] = {}
    for spec, table in reader.read:
        kind, label = RECORDS[spec.file]
        column = "taxonomy_id" if spec is tables.TAXONOMY else "id" if label else None
        for row in table.rows:
            out[(table.name, row.number)] = _record(kind, label, row.get(column) if column else None, row.number, ids)
        for number in table.broken:
            source_id = table.broken_id(number) if column == "id" else None
            if source_id is not None or column != "id":  # a broken row with no id to read names no record
                out[(table.name, number)] = _record(kind, label, source_id, number, ids)
    for name, entries in reader.maps.items():
        kind = name.rsplit(".", 1)[0].lower()
        for number, key, _ in entries:
            out[(name, number)] = (kind, key), None  # an entry's tags: what is wrong leaves only that tag out
    return out


def _attributed(problems: list[Problem], reader: _Reader, ids: Ids) -> list[Problem]:
    """Each problem on a row names the row's record; problems about a file (row 0, the row a malformed file
    stopped at, a broken row without an id) name none."""
    records = _records(reader, ids)
    out = []
    for p in problems:
        found = records.get((p.file, p.row)) if p.row and p.record is None else None
        out.append(p if found is None else replace(p, record=found[0], node=found[1]))
    return out


def _unplaced_services(problems: list[Problem], build: Build, file: str) -> list[Problem]:
    """An error for each service at a location with errors: an Ohana service cannot stand without its place,
    yet nothing in the plan makes it depend on the location (the service-at-location does)."""
    invalid: dict[str, Problem] = {}
    for p in problems:
        if p.severity is Severity.ERROR and p.node is not None and p.node[0] == "Location":
            invalid.setdefault(p.node[1], p)
    out = []
    for service, (row, service_id, location_id, location) in build.service_location.items():
        if (why := invalid.get(location)) is not None:
            out.append(Problem(file, row, "location_id", f"its location {location_id!r} has errors ({why}); "
                                                         "the service cannot be loaded without it",
                               Severity.ERROR, ("service", service_id), ("Service", service)))
    return out


def _origins(reader: _Reader, plan: GraphPlan, ids: Ids) -> dict[tuple[str, str], Origin]:
    """The plan nodes that are rows of the export, each at the first row with its id."""
    out: dict[tuple[str, str], Origin] = {}
    for spec, table in reader.read:
        kind, label = RECORDS[spec.file]
        if label is None:
            continue
        nodes = plan.nodes.get(label, {})
        for row in table.rows:
            source_id = row.get("id")
            if source_id is not None and (node := ids(kind, source_id)) in nodes:
                out.setdefault((label, node), Origin(table.name, row.number, (kind, source_id)))
    return out


def _tag_services(reader: _Reader, build: Build, oe: OpenEligibility | None, airs: AirsTerms) -> None:
    if (entries := reader.json(tables.OE_MAP)) is not None:
        if oe is None:
            build.report.error(tables.OE_MAP, 0, "", f"its category ids need {' or '.join(tables.TAXONOMY.names)}, "
                                                     "which the folder lacks")
        else:
            tag_from_oe_map(entries, reader.name(tables.OE_MAP), build.services, oe, build.plan, build.report)
    if (entries := reader.json(tables.AIRS_MAP)) is not None:
        tag_from_airs_map(entries, reader.name(tables.AIRS_MAP), build.services, airs, build.plan, build.report)


def _add_crosswalk(plan: GraphPlan, crosswalk: Crosswalk, airs: AirsTerms) -> None:
    """AIRS term -MAPS_TO-> Open Eligibility term."""
    terms = plan.nodes.get("TaxonomyTerm", {})
    for entry in crosswalk.entries:
        if oe_term_id(entry.taxonomy_id) in terms:
            plan.add_relationship(CROSSWALK_KEY, airs.add(entry.code), oe_term_id(entry.taxonomy_id))


class _Reader:
    """Finds, reads and counts the folder's files, reporting progress after each."""

    def __init__(self, folder: Path, report: Report, on_progress: ReadProgress | None) -> None:
        self.files = folder_files(folder)
        self.report = report
        self.on_progress = on_progress
        self.records = 0
        self.read: list[tuple[Spec, CsvFile]] = []  # the CSV files read, for the records their problems name
        self.maps: dict[str, MapEntries] = {}  # the JSON maps read, by file name

    def name(self, file: str) -> str:
        return self.files[file].name

    def table(self, spec: Spec) -> CsvFile:
        """A required file: read, or (an error) empty when absent."""
        found = self.optional(spec)
        if found is None:
            self.report.error(spec.file, 0, "", "required file is missing")
            return CsvFile(spec.file, [], complete=False, stopped=True)
        return found

    def optional(self, spec: Spec) -> CsvFile | None:
        present = [name for name in spec.names if name in self.files]
        if not present:
            return None
        path = self.files[present[0]]
        for other in present[1:]:
            if self.files[other].read_bytes() != path.read_bytes():
                self.report.warning(self.files[other].name, 0, "", f"differs from {path.name}, which is the one read")
        table = read_csv(path, self.report, spec.required)
        self.read.append((spec, table))
        if spec is not tables.CROSSWALK:
            report_columns(table, spec, self.report)
        self._done(table.name, table.records)
        return table

    def json(self, file: str) -> MapEntries | None:
        if file not in self.files:
            return None
        entries = read_json_map(self.files[file], self.report)
        if entries is not None:
            self.maps[self.files[file].name] = entries
        self._done(self.files[file].name, len(entries or ()))
        return entries

    def _done(self, file: str, records: int) -> None:
        self.records += records
        if self.on_progress:
            self.on_progress(file, self.records)
