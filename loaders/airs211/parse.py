"""Entry point: read a 211 resource-database export (iCarol/AIRS-style wide CSV) into a write plan."""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from loaders.airs211 import columns as c
from loaders.airs211.build import Builder
from loaders.airs211.csvfile import Table, read_table
from loaders.airs211.ids import Ids
from loaders.airs211.records import LEVELS, read_records
from loaders.plan import GraphPlan
from loaders.report import Problem, Report
from loaders.skipping import Origin

FORMAT: Literal["211-csv"] = "211-csv"
ReadProgress = Callable[[str, int], None]  # (file being read, records read so far)


@dataclass
class Parse211Result:
    """What `parse_211` read (satisfies loaders.load.Parsed)."""

    plan: GraphPlan
    report: Report
    format: Literal["211-csv"] = FORMAT
    records: int = 0  # data rows read, unreadable ones included
    encoding: str = "utf-8"  # the file's text encoding: utf-8, utf-8-sig, utf-16 or cp1252
    stats: Counter[str] = field(default_factory=Counter)  # hours read in full / in part / not, staff-only records
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)  # record nodes -> their row


def parse_211(path: Path, *, namespace: str, on_progress: ReadProgress | None = None) -> Parse211Result:
    """Parse and validate a 211 export. Pure: no database. Problems with the data never raise; they
    are in `report` (load nothing if it has errors). Raises FileNotFoundError when `path` is
    missing and ValueError for a namespace that could not keep ids apart."""
    path = Path(path)
    ids = Ids(namespace)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    report = Report()
    table = read_table(path, report, required=c.REQUIRED, id_column=c.NUMBER,
                       on_rows=(lambda n: on_progress(path.name, n)) if on_progress else None)
    gc_was_on = gc.isenabled()
    gc.disable()  # many small acyclic objects: repeated collections would only slow the build
    try:
        records = read_records(table, report)
        builder = Builder(table, records, report, ids)
        plan = builder.build()
    finally:
        if gc_was_on:
            gc.enable()
    report.problems = _attributed(report.problems, table, ids)
    report.problems.sort(key=lambda p: (p.file, p.row, p.field))
    return Parse211Result(plan, report, FORMAT, table.records, table.encoding, builder.stats, builder.origins)


# The plan node each record level becomes (what depends on a skipped record is found through it).
_NODES = {"Agency": ("Organization", Ids.organization), "Site": ("Location", Ids.location),
          "Program": ("Service", Ids.service), "ProgramAtSite": ("ServiceAtLocation", Ids.service_at_location)}


def _attributed(problems: list[Problem], table: Table, ids: Ids) -> list[Problem]:
    """Each problem on a row names the row's record (its level and ResourceAgencyNum; where the row got no
    number, its row), so --skip-invalid can leave that record out. Problems about the file (row 0, or the
    malformed CSV that stopped the reading) name none: they stop any load."""
    records: dict[int, tuple[str, str]] = {}
    for row in table.rows:
        level_text, number = row.get(c.LEVEL), row.get(c.NUMBER)
        level = LEVELS.get(re.sub(r"[^a-z]", "", level_text.lower())) if level_text else None
        records[row.number] = (level or "record", number or f"row {row.number}")
    for row_number, number in table.unreadable.items():
        records[row_number] = ("record", number or f"row {row_number}")
    out = []
    for p in problems:
        record = records.get(p.row) if p.row and p.row != table.broken_at else None
        if record is None:
            out.append(p)
            continue
        kind, number = record
        node = (_NODES[kind][0], _NODES[kind][1](ids, number)) if kind in _NODES and not number.startswith("row ") \
            else None
        out.append(replace(p, record=record, node=node))
    return out
