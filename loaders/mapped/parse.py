"""Entry point: CSV files and a mapping (docs/mapping.md) -> a write plan and a report, through HSDS 3.0.

The mapping is read and checked first, then the files' headers against it: a mistake in either raises
MappingError before any data row is used. The rows then become HSDS records (loaders.mapped.records), which
are validated and mapped to the graph by the very code that loads an HSDS package (loaders.hsds.records
`absorb`, loaders.hsds.mapping `build_plan`): the same types, required fields, references, problems and
`--skip-invalid` behaviour. Taxonomy terms and tags are added after, as shared vocabulary; locations without
coordinates are reported one by one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from collections.abc import Mapping as MappingOf
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from loaders.hsds.mapping import build_plan
from loaders.hsds.models import TABLES
from loaders.hsds.parse import Origins
from loaders.hsds.records import Pool, absorb, new_stores
from loaders.mapped.records import Builder
from loaders.mapped.spec import Mapping, MappingError, read_mapping
from loaders.mapped.templates import ITEM, normalise_column
from loaders.ohana.files import CsvFile, read_csv
from loaders.plan import GraphPlan
from loaders.report import Report
from loaders.skipping import Origin
from loaders.toolkit.decoding import decode_head
from loaders.toolkit.ids import check_namespace

ReadProgress = Callable[[str, int], None]
_LIKELY_DELIMITERS: Final = (";", "\t", "|", ":")
UNPLACED: Final = ("no coordinates (latitude, longitude): loaded without a point, so it is found only through its "
                   "services' areas, not by distance")


@dataclass
class MappedResult:
    plan: GraphPlan
    report: Report
    records: int  # data rows read, over all files
    format: str = "mapped"
    origins: MappingOf[tuple[str, str], Origin] = field(default_factory=dict)
    unplaced: int = 0  # locations loaded without coordinates
    tags: int = 0  # taxonomy tags made


def _file_of(spec_file: str | None, files: dict[str, Path], mapping: Mapping, line: int) -> str:
    if spec_file is None:
        if len(files) != 1:
            raise MappingError([f"{mapping.where(line)}: say which file makes this object (file: NAME): "
                                f"{len(files)} files are loaded ({', '.join(files)})"])
        return next(iter(files))
    if spec_file not in files:
        raise MappingError([f"{mapping.where(line)}: {spec_file} is not among the files given "
                            f"({', '.join(files) or 'none'}): add it to the command line"])
    return spec_file


_HEAD_BYTES: Final = 1024 * 1024  # enough for any header row


def _header(path: Path, delimiter: str) -> list[str] | None:
    """The normalised columns of a CSV file's first line, reading no further; None when there is none to read
    (the full read reports why)."""
    try:
        with path.open("rb") as handle:
            head = decode_head(handle.read(_HEAD_BYTES))
        first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), None)
    except (OSError, csv.Error):
        return None
    return [normalise_column(c) for c in first] if first else None


def _check_columns(mapping: Mapping, headers: dict[str, list[str] | None], by_object: dict[str, str]) -> None:
    problems: list[str] = []
    for name, spec in mapping.objects.items():
        file = by_object[name]
        columns = headers[file]
        if columns is None:
            continue  # unreadable: the full read reports why
        for column, line in spec.columns():
            if column == ITEM or normalise_column(column) in columns:
                continue
            hint = ""
            if len(columns) == 1:
                guess = next((d for d in _LIKELY_DELIMITERS if d in columns[0]), None)
                hint = (f"; the header reads as one column {columns[0]!r}"
                        + (f": is the delimiter {guess!r}? say so under files: {file}: delimiter" if guess else ""))
            else:
                hint = f" (its columns: {', '.join(c for c in columns if c)})"
            problems.append(f"{mapping.where(line)}: column {column!r} is not in the header of {file}{hint}")
    if problems:
        raise MappingError(sorted(set(problems), key=lambda p: (int(p.split(":")[1]), p)))


def parse_mapped(files: Sequence[Path], mapping_path: Path, *, namespace: str,
                 on_progress: ReadProgress | None = None) -> MappedResult:
    """Parse and validate `files` through the mapping. Pure: no database. Problems with the data are in
    `report`; MappingError for a mistake in the mapping (or a column it names that a header lacks);
    FileNotFoundError or ValueError for a missing file or a bad namespace."""
    check_namespace(namespace)
    paths: dict[str, Path] = {}
    for path in map(Path, files):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
        if path.name in paths:
            raise ValueError(f"{path}: two files are named {path.name}; the mapping names files by name")
        paths[path.name] = path
    mapping = read_mapping(mapping_path)
    by_object = {name: _file_of(spec.file, paths, mapping, spec.line) for name, spec in mapping.objects.items()}
    used = list(dict.fromkeys(by_object.values()))
    _check_columns(mapping, {name: _header(paths[name], mapping.delimiters.get(name, ",")) for name in used},
                   by_object)
    report = Report()
    tables: dict[str, CsvFile] = {}
    records = 0
    for name in used:
        tables[name] = read_csv(paths[name], report, delimiter=mapping.delimiters.get(name, ","))
        _attribute_broken_rows(report, tables[name])
        records += tables[name].records
        if on_progress:
            on_progress(name, records)

    builder = Builder(mapping, namespace, report)
    for name, spec in mapping.objects.items():
        builder.rows(spec, tables[by_object[name]])
    stores, pool = new_stores(), Pool()
    for batch in builder.batches():
        absorb(batch, stores, report, pool)
    plan = build_plan(stores, report)
    builder.mark_staff_only(plan)
    tags = builder.made.vocabularies.add_to(plan)
    origins = Origins({name: stores[name].origins(name) for name, spec in TABLES.items() if spec.label})
    unplaced = _unplaced(plan, origins, report)
    # the many "no coordinates" warnings of a file without any last, so that the others are seen first
    report.problems.sort(key=lambda p: (p.message.endswith(UNPLACED), p.file, p.row, p.field))
    return MappedResult(plan, report, records, origins=origins, unplaced=unplaced, tags=tags)


def _attribute_broken_rows(report: Report, table: CsvFile) -> None:
    """A row that could not be read whole (more or fewer fields than the header) makes nothing: its problem names
    the row as the record left out, so that --skip-invalid can load the others (what needed an object of that row
    falls with it: a service whose organization was on it)."""
    if not table.broken:
        return
    report.problems[:] = [
        replace(p, record=("row", f"row {p.row}"))
        if p.file == table.name and p.row in table.broken and p.record is None else p
        for p in report.problems
    ]


def _unplaced(plan: GraphPlan, origins: Origins, report: Report) -> int:
    """One warning per location without coordinates; how many there are."""
    count = 0
    for rid, node in plan.nodes.get("Location", {}).items():
        props = node["props"]
        if props.get("latitude") is not None and props.get("longitude") is not None:
            continue
        count += 1
        origin = origins[("Location", rid)]
        report.warning(origin.file, origin.row, "latitude", f"location {rid!r}: {UNPLACED}",
                       record=origin.record, node=("Location", rid))
    return count
