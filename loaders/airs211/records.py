"""The rows of a 211 export as records: their level, number, and the records they name, checked.

Every record needs its `ResourceAgencyNum`, once in the file, and a known `TaxonomyLevelName`. A
Site or Program belongs to the agency its `ParentAgencyNum` names, which must be an Agency row:
without it the record has no organization, an error. A ProgramAtSite places the program its
`ConnectsToProgramNum` names at the site its `ConnectsToSiteNum` names; both must resolve. An
Agency's own `ParentAgencyNum` (0 in most exports) may name a parent agency; one that names no
agency is a warning and the link is left out. A record that names a row that could not be read
(or a number two rows claim) cannot stand either: an error saying so, as for a missing record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from loaders.airs211 import columns as c
from loaders.airs211.csvfile import Column, Row, Table
from loaders.report import Report

Level = Literal["Agency", "Site", "Program", "ProgramAtSite"]
LEVELS: Final[dict[str, Level]] = {  # by the level's letters in lower case ("Program At Site", "program@site")
    "agency": "Agency", "site": "Site", "program": "Program", "programatsite": "ProgramAtSite",
}
_NO_PARENT: Final = frozenset({"0", ""})


@dataclass
class Record:
    level: Level
    number: str
    row: Row
    agency: str | None = None  # the agency (for an Agency: its parent agency), once resolved
    program: str | None = None  # ProgramAtSite: the program it places
    site: str | None = None  # ProgramAtSite: the site

    def get(self, column: Column) -> str | None:
        return self.row.get(column)


@dataclass
class Records:
    """The valid records by number, in file order."""

    by_number: dict[str, Record]

    def of(self, level: Level) -> list[Record]:
        return [r for r in self.by_number.values() if r.level == level]


def read_records(table: Table, report: Report) -> Records:
    by_number: dict[str, Record] = {}
    first_row: dict[str, int] = {}
    repeats: dict[str, int] = {}  # a number on several rows -> the second row with it
    bad = {number for number in table.unreadable.values() if number}
    for row in table.rows:
        record = _record(table, row, report, first_row, bad, repeats)
        if record is not None:
            by_number[record.number] = record
    unreadable_rows = {number: row for row, number in table.unreadable.items() if number}
    for number in [n for n in by_number if n in bad]:
        record = by_number.pop(number)  # its number is on another row too: which one is meant is unknown
        other = repeats.get(number) or unreadable_rows.get(number)
        where = f"row {other}" + ("" if number in repeats else ", which could not be read")
        report.error(table.file, record.row.number, table.name(c.NUMBER),
                     f"ResourceAgencyNum {number!r} is also on {where}; each record needs its own")
    records = Records(by_number)
    unresolved = [r.number for r in list(by_number.values()) if not _resolve(table, r, records, bad, report)]
    for number in unresolved:  # after all are resolved: what a problem says does not depend on row order
        del by_number[number]
    return records


def _record(table: Table, row: Row, report: Report, first_row: dict[str, int], bad: set[str],
            repeats: dict[str, int]) -> Record | None:
    number = row.get(c.NUMBER)
    level_text = row.get(c.LEVEL)
    if number is None:
        report.error(table.file, row.number, table.name(c.NUMBER), "required value is missing")
    elif number in first_row:
        report.error(table.file, row.number, table.name(c.NUMBER),
                     f"ResourceAgencyNum {number!r} is also on row {first_row[number]}; each record needs its own")
        bad.add(number)
        repeats.setdefault(number, row.number)
        number = None
    else:
        first_row[number] = row.number
    level = LEVELS.get(re.sub(r"[^a-z]", "", level_text.lower())) if level_text else None
    if level_text is None:
        report.error(table.file, row.number, table.name(c.LEVEL), "required value is missing")
    elif level is None:
        report.error(table.file, row.number, table.name(c.LEVEL),
                     f"{level_text!r} is not a record level; expected Agency, Site, Program or ProgramAtSite")
    if number is None or level is None:
        if number:
            bad.add(number)
        return None
    return Record(level, number, row)


def _resolve(table: Table, record: Record, records: Records, bad: set[str], report: Report) -> bool:
    """Resolve a record's references; False (with an error) when it cannot stand without them."""
    parent = record.get(c.PARENT) or ""
    if record.level == "Agency":
        if parent not in _NO_PARENT and parent != record.number:
            if _target(records, parent, "Agency") is not None:
                record.agency = parent
            elif parent not in bad:
                report.warning(table.file, record.row.number, table.name(c.PARENT),
                               f"{_missing(records, parent, 'Agency')}; the parent link is left out")
        return True
    if record.level in ("Site", "Program"):
        return _require(table, record, c.PARENT, "Agency", records, bad, report, "agency")
    return (_require(table, record, c.PROGRAM_LINK, "Program", records, bad, report, "program")
            & _require(table, record, c.SITE_LINK, "Site", records, bad, report, "site"))


def _require(table: Table, record: Record, column: Column, level: Level, records: Records, bad: set[str],
             report: Report, attribute: str) -> bool:
    value = record.get(column) or ""
    field = table.name(column)
    if value in _NO_PARENT:
        what = {"agency": "the agency it belongs to", "program": "the program it places",
                "site": "the site it is at"}[attribute]
        report.error(table.file, record.row.number, field, f"required for a {record.level} row: {what}")
        return False
    if _target(records, value, level) is None:
        report.error(table.file, record.row.number, field,
                     f"its {attribute} {value!r} is on a row that could not be read" if value in bad
                     else _missing(records, value, level))
        return False
    setattr(record, attribute, value)
    return True


def _target(records: Records, number: str, level: Level) -> Record | None:
    found = records.by_number.get(number)
    return found if found is not None and found.level == level else None


def _missing(records: Records, number: str, level: Level) -> str:
    found = records.by_number.get(number)
    if found is not None:
        return f"{number!r} is {_a(found.level)} row (row {found.row.number}), not {_a(level)}"
    return f"no {level} row with ResourceAgencyNum {number!r}"


def _a(level: Level) -> str:
    return f"an {level}" if level == "Agency" else f"a {level}"
