"""What every record mapping of an Ohana load shares: the plan, the report, the dataset's ids, the
records read so far (to resolve references), and the small mappings several files use
(properties from columns, languages, funding sources, hours text, owners of phones and contacts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loaders.hours_text import read_hours
from loaders.ohana.files import CsvFile, Row
from loaders.ohana.ids import Ids, Known
from loaders.ohana.values import items
from loaders.plan import GraphPlan
from loaders.report import Report
from loaders.toolkit.languages import LanguageText, read_languages


@dataclass
class Build:
    plan: GraphPlan
    report: Report
    ids: Ids
    organizations: Known = field(default_factory=lambda: Known("organization"))
    programs: Known = field(default_factory=lambda: Known("program"))
    locations: Known = field(default_factory=lambda: Known("location"))
    services: Known = field(default_factory=lambda: Known("service"))
    contacts: Known = field(default_factory=lambda: Known("contact"))
    location_organization: dict[str, str] = field(default_factory=dict)  # location id -> its organization's
    program_organization: dict[str, str] = field(default_factory=dict)  # program id -> its organization's
    # service graph id -> (its row, its id, the location_id it names, that location's graph id)
    service_location: dict[str, tuple[int, str, str, str]] = field(default_factory=dict)

    def register(self, known: Known, kind: str, table: CsvFile, row: Row, *required: str) -> str | None:
        """The graph id of a row's record; None (an error) when the row has no id, repeats one, or
        lacks a `required` value. The record is known to references once `add`ed."""
        source_id = row.get("id")
        if source_id is None:
            self.report.error(table.name, row.number, "id", "required value is missing")
            return None
        if source_id in known.rows:
            self.report.error(table.name, row.number, "id", f"id {source_id!r} is also on row {known.rows[source_id]}")
            return None
        known.rows[source_id] = row.number
        if not self.require(table, row, *required):
            known.invalid[source_id] = self.ids(kind, source_id)
            return None
        return self.ids(kind, source_id)

    def start(self, known: Known, kind: str, table: CsvFile) -> None:
        """Before a file's rows: the records of its unusable rows are invalid (what names them goes with them),
        and a reference to an id the file lacks dangles unless the file could not be read to its end or one of
        its unusable rows has no id to read."""
        ids = [table.broken_id(number) for number in table.broken]
        for source_id in ids:
            if source_id is not None and source_id not in known.rows:
                known.invalid.setdefault(source_id, self.ids(kind, source_id))
        known.complete = not table.stopped and None not in ids

    def add(self, known: Known, label: str, row: Row, graph_id: str, props: dict[str, Any]) -> None:
        """The record's node, now a target for references."""
        self.plan.add_node(label, graph_id, props)
        known.ids[row.values["id"]] = graph_id

    def require(self, table: CsvFile, row: Row, *columns: str) -> bool:
        """True when the row has every column's value; else an error for each missing one."""
        missing = [c for c in columns if row.get(c) is None]
        for column in missing:
            self.report.error(table.name, row.number, column, "required value is missing")
        return not missing

    def offer_languages(self, label: str, owner: str, table: CsvFile, row: Row) -> LanguageText | None:
        """OFFERED_IN for each language the `languages` text names; the text itself is the link's
        note unless it is a plain list of names."""
        text = row.get("languages")
        if text is None:
            return None
        found = read_languages(text)
        for word in found.unknown:
            self.report.warning(table.name, row.number, "languages",
                                f"{word!r} is not a language name the loader knows (misspelt?); not linked")
        note = None if found.plain else text
        for code, name in found.codes.items():
            self.plan.add_node("Language", code, {"code": code, "name": name})
            self.plan.add_relationship((label, "OFFERED_IN", "Language"), owner, code, {"note": note})
        return found

    def fund(self, label: str, owner: str, row: Row) -> None:
        """HAS_FUNDING for each source of `funding_sources` (one node per source in the dataset)."""
        for source in items(row.get("funding_sources") or ""):
            funding = self.ids("funding", source.casefold())
            self.plan.add_node("Funding", funding, {"fundingSource": source})
            self.plan.add_relationship((label, "HAS_FUNDING", "Funding"), owner, funding)

    def hours(self, label: str, kind: str, owner: str, row: Row) -> None:
        """The `hours` text (where an export has the column) read into weekly schedules as the 211
        loader reads it (loaders.hours_text; the text stays each schedule's description), or one
        schedule in words where it cannot be read."""
        text = row.get("hours")
        if text is None:
            return
        for i, schedule in enumerate(read_hours(text).schedules(), start=1):
            schedule_id = self.ids("hours", f"{kind}:{row.values['id']}" + (f":{i}" if i > 1 else ""))
            self.plan.add_node("Schedule", schedule_id, schedule)
            self.plan.add_relationship((label, "HAS_SCHEDULE", "Schedule"), owner, schedule_id)


def pick(row: Row, columns: dict[str, str]) -> dict[str, Any]:
    """Properties from the row's non-empty columns (column -> property)."""
    return {prop: row.values[column] for column, prop in columns.items() if column in row.values}


# Columns naming the records a phone, contact or schedule may belong to, most specific first.
OWNER_COLUMNS: dict[str, tuple[str, str]] = {
    "contact_id": ("contacts", "Contact"),
    "service_id": ("services", "Service"),
    "location_id": ("locations", "Location"),
    "organization_id": ("organizations", "Organization"),
}


def owners(build: Build, table: CsvFile, row: Row, columns: tuple[str, ...], what: str) -> list[tuple[str, str]]:
    """(label, graph id) of each record the row belongs to. The organization counts only when no
    more specific record is found: exports fill `organization_id` on a service's phone too (it is
    the service's organization), which would otherwise hang every phone off the organization."""
    found: list[tuple[str, str]] = []
    named = False
    for column in columns:
        value = row.get(column)
        if value is None or (column == "organization_id" and found):
            continue
        named = True
        attribute, label = OWNER_COLUMNS[column]
        known: Known = getattr(build, attribute)
        graph_id = known.resolve(value, build.report, table.name, row.number, column, required=False)
        if graph_id is not None:
            found.append((label, graph_id))
    if not found:
        message = ("belongs to no record that was loaded" if named
                   else f"names no record it belongs to ({', '.join(columns)})")
        build.report.warning(table.name, row.number, "", f"the {what} {message}; skipped")
    return found
