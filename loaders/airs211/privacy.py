"""What of a 211 record is for staff only: `…IsPrivate` flags and `ExcludeFromWebsite`.

A flagged value is still loaded (front-line staff need it) and its property names go into the
node's `staffOnly` list (graph.schema.model), which the API withholds from the public. A private
physical address makes the location confidential (a shelter): its `staffOnly` names "address",
"latitude", "longitude" and "point", and its Address node's lists every address property.

`ExcludeFromWebsite: Yes` keeps a record off the public directory, so the whole record is staff-only:
every property of its node, its phones (their numbers), its contacts, and its own places, which
become confidential. It stays in the graph for staff (skipping it would lose it for them too).
`ExcludeFromDirectory` (the printed directory) says nothing about the API and is not read.

A flag whose value is neither yes nor no is taken as private (a warning says so): a value
wrongly hidden is less harm than one wrongly published. A flag column the loader does not know is
reported once; what it flags is not hidden, so the report says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from graph.schema.model import STAFF_ONLY_RECORD
from loaders.airs211 import columns as c
from loaders.airs211.csvfile import Column, Row, Table
from loaders.report import Report
from loaders.toolkit.yes_no import yes_no

CONFIDENTIAL_LOCATION: Final = ("address", "latitude", "longitude", "point")


def mark(props: dict[str, Any], names: Iterable[str]) -> None:
    """Add property names to a node's `staffOnly` list (kept sorted, each once)."""
    names = set(names)
    if names:
        props["staffOnly"] = sorted(names | set(props.get("staffOnly") or ()))


def mark_all(props: dict[str, Any]) -> None:
    """Every value of the node is for staff only."""
    mark(props, (key for key, value in props.items() if key != "staffOnly" and value is not None))


def mark_record(props: dict[str, Any]) -> None:
    """The whole record is for staff: its values, and that it exists (STAFF_ONLY_RECORD)."""
    mark_all(props)
    mark(props, [STAFF_ONLY_RECORD])


@dataclass
class Privacy:
    table: Table
    report: Report
    warned: set[tuple[int, str]] = field(default_factory=set)

    @classmethod
    def of(cls, table: Table, report: Report) -> Privacy:
        for key, name in table.columns.items():
            if key.endswith(c.PRIVATE_SUFFIX) and key not in c.KNOWN_FLAGS:
                report.warning(table.file, 0, name, "a privacy flag the loader does not know: the values it "
                                                    "flags are not marked staff-only; check before publishing")
        return cls(table, report)

    def flagged(self, row: Row, column: Column) -> bool:
        text = row.get(column)
        if text is None:
            return False
        value = yes_no(text)
        if value is None:
            field_name = self.table.name(column)
            if (row.number, field_name) not in self.warned:
                self.warned.add((row.number, field_name))
                self.report.warning(self.table.file, row.number, field_name,
                                    f"{text!r} is neither yes nor no; taken as private")
            return True
        return value

    def excluded(self, row: Row) -> bool:
        """Kept off the public website: the whole record is for staff only."""
        return self.flagged(row, c.EXCLUDE_FROM_WEBSITE)

    def value_flags(self, row: Row) -> set[str]:
        """Properties of the record's own node its value flags hide."""
        return {prop for column, props in c.VALUE_FLAGS.items() if self.flagged(row, column) for prop in props}
