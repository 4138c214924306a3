"""The AIRS/211 -> Open Eligibility crosswalk (taxonomy_mapping.csv), read and checked.

The file is a working spreadsheet, not a table: each row has a 211 code and name, then one or more
(Open Eligibility name, taxonomy_id) pairs anywhere to the right, among reviewers' notes ("Yes",
"Add additional housing codes"). A row without a code continues the row above (when it repeats its
211 name or has none); a code may carry a footnote mark (`BD-2600.1500*`). Each pair becomes an
entry; its Open Eligibility id must name a term of the taxonomy file.

Each entry becomes AIRS term -MAPS_TO-> Open Eligibility term ("corresponds to"; BROADER would be
false), and the checked entries are also handed over in `OhanaResult.crosswalk`. The 211 names
name the AIRS terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from loaders.ohana.files import CsvFile
from loaders.ohana.open_eligibility import OpenEligibility
from loaders.report import Report
from loaders.taxonomy_codes import normalise_code

CROSSWALK_KEY: Final = ("TaxonomyTerm", "MAPS_TO", "TaxonomyTerm")
_OE_ID: Final = re.compile(r"^\d{3}(?:-\d{2})*$")


@dataclass(frozen=True)
class CrosswalkEntry:
    """One AIRS/211 code mapped to one Open Eligibility term, and the row that says so."""

    code: str  # AIRS code, normalised
    taxonomy_id: str  # Open Eligibility taxonomy_id
    row: int


@dataclass
class Crosswalk:
    names: dict[str, str] = field(default_factory=dict)  # AIRS code -> its 211 name
    entries: list[CrosswalkEntry] = field(default_factory=list)


def read_crosswalk(table: CsvFile, oe: OpenEligibility | None, report: Report) -> Crosswalk:
    out = Crosswalk()
    if not table.rows:  # empty, or unusable (reported)
        return out
    code_at = table.columns.index("211 code")
    name_at = table.columns.index("211 name") if "211 name" in table.columns else None
    if oe is None:
        report.warning(table.name, 0, "taxonomy_id", "no taxonomy.csv: Open Eligibility ids are not checked")
    seen: set[tuple[str, str]] = set()
    code: str | None = None  # the code of the row being continued
    last_name: str | None = None
    invalid = False  # that code was no AIRS code (reported): its continuation rows go with it
    for row in table.rows:
        written = row.cells[code_at].rstrip("*").strip()
        name = row.cells[name_at] if name_at is not None and row.cells[name_at] else None
        if written:
            code, last_name, invalid = normalise_code(written), name, False
            if code is None:
                report.warning(table.name, row.number, "211 code", f"{written!r} is not an AIRS/211 code; row skipped")
                invalid = True
                continue
            if name is not None:
                out.names.setdefault(code, name)
        elif code is None or (name is not None and name != last_name):
            continues_invalid = invalid and (name is None or name == last_name)
            if not continues_invalid and _pairs(table, row.cells, code_at, name_at):
                report.warning(table.name, row.number, "211 code", "no 211 code, and it does not continue the row "
                                                                   "above (another 211 name); row skipped")
            continue
        for at, oe_name, tid in _pairs(table, row.cells, code_at, name_at):
            if oe is not None and not _known(table, row.number, at, oe_name, tid, oe, report):
                continue
            if (code, tid) not in seen:
                seen.add((code, tid))
                out.entries.append(CrosswalkEntry(code, tid, row.number))
    return out


def _pairs(table: CsvFile, cells: list[str], code_at: int, name_at: int | None) -> list[tuple[int, str | None, str]]:
    """(column index, Open Eligibility name or None, taxonomy_id) of each id among a row's cells."""
    out: list[tuple[int, str | None, str]] = []
    previous: str | None = None
    for at, cell in enumerate(cells):
        if at in (code_at, name_at):
            previous = None
            continue
        if _OE_ID.match(cell):
            out.append((at, previous, cell))
            previous = None
        else:
            previous = cell or None
    return out


def _known(table: CsvFile, number: int, at: int, oe_name: str | None, tid: str, oe: OpenEligibility,
           report: Report) -> bool:
    column = table.columns[at] if at < len(table.columns) and table.columns[at] else f"column {at + 1}"
    known = oe.names.get(tid)
    if known is None:
        if oe.complete:
            report.warning(table.name, number, column, f"no Open Eligibility term with taxonomy_id {tid!r}; "
                                                       "mapping left out")
        return False
    if oe_name is not None and _spelling(oe_name) != _spelling(known):
        report.warning(table.name, number, column, f"{tid} is {known!r} in the taxonomy, not {oe_name!r}; "
                                                   f"mapped to {tid}")
    return True


def _spelling(name: str) -> str:
    """A name as compared: case and spaces aside ("Tobacco / Nicotine" is "Tobacco/Nicotine")."""
    return "".join(name.split()).casefold()
