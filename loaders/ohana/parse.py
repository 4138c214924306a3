"""Entry point: read an Ohana API CSV export (a folder) into a write plan and a report.

Files are read in the order their references need: organizations, programs, locations and their
addresses, the taxonomies, services, contacts, phones, schedules, then the JSON maps that tag
services. organizations.csv, locations.csv and services.csv are required; every other file is
optional.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
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
from loaders.report import Report

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
    read_services(reader.table(tables.SERVICES), build, oe)
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

    report.problems.sort(key=lambda p: (p.file, p.row, p.field))
    return OhanaResult(plan=plan, report=report, records=reader.records, crosswalk=crosswalk.entries)


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

    def name(self, file: str) -> str:
        return self.files[file].name

    def table(self, spec: Spec) -> CsvFile:
        """A required file: read, or (an error) empty when absent."""
        found = self.optional(spec)
        if found is None:
            self.report.error(spec.file, 0, "", "required file is missing")
            return CsvFile(spec.file, [], complete=False)
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
        if spec is not tables.CROSSWALK:
            report_columns(table, spec, self.report)
        self._done(table.name, table.records)
        return table

    def json(self, file: str) -> MapEntries | None:
        if file not in self.files:
            return None
        entries = read_json_map(self.files[file], self.report)
        self._done(self.files[file].name, len(entries or ()))
        return entries

    def _done(self, file: str, records: int) -> None:
        self.records += records
        if self.on_progress:
            self.on_progress(file, self.records)
