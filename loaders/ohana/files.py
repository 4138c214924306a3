"""Reading an Ohana folder's files: text in the encodings exports come in, CSV rows by column name,
and the JSON maps, every problem located as `file:row:field`.

Text is decoded by `loaders.toolkit.decoding` (UTF-8, UTF-16 with a BOM or, read with a warning,
Windows-1252; a file that is none of them, or mixes them, is refused). CSV is read with
`csv.reader(strict=True)`, so bad quoting is reported, not guessed at; a row with more or fewer
fields than the header (a truncated or shifted row) is an error, not a row to half-read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.report import Report
from loaders.toolkit.decoding import decode

# Long free-text cells (descriptions) can exceed the csv module's 128 KiB default.
_FIELD_LIMIT = 64 * 1024 * 1024



@dataclass
class Row:
    """One CSV record: its number (the header is row 1) and its cells, stripped."""

    number: int
    cells: list[str]
    values: dict[str, str]  # named column -> value, empty cells left out

    def get(self, column: str) -> str | None:
        return self.values.get(column)


@dataclass
class CsvFile:
    name: str  # as in the folder, for problems
    columns: list[str]  # the header, normalised (lower case, trimmed, BOM removed)
    rows: list[Row] = field(default_factory=list)  # the intact ones
    records: int = 0  # data rows read, broken ones included
    # Read to its end with every row intact: a reference to an id it lacks really dangles. When
    # not, such references go unreported (the id may be on the row that could not be read).
    complete: bool = True
    # Rows read whole but not usable (a wrong number of fields, a NUL character): number -> cells. Their
    # ids, where they can be read, name records with errors (Build.unusable), so what references them goes too.
    broken: dict[int, list[str]] = field(default_factory=dict)
    stopped: bool = False  # not read to its end (unreadable, no usable header, malformed CSV): ids may be unseen

    def broken_id(self, number: int) -> str | None:
        """The `id` cell of a broken row, where the row reaches that column."""
        cells = self.broken.get(number)
        index = self.columns.index("id") if "id" in self.columns else -1
        if cells is None or not 0 <= index < len(cells):
            return None
        return cells[index].strip() or None


def folder_files(folder: Path) -> dict[str, Path]:
    """The folder's files by lower-case name (exports differ in the case of file names)."""
    return {p.name.lower(): p for p in folder.iterdir() if p.is_file()}


def normalise_column(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def _text(data: bytes, file: str, report: Report, *, tabular: bool) -> str | None:
    """The file's text (loaders.toolkit.decoding), with a warning when it was read as Windows-1252."""
    decoded = decode(data, file, report, tabular=tabular, column=normalise_column)
    if decoded is None:
        return None
    if decoded.fallback:
        report.warning(file, 0, "", decoded.fallback)
    return decoded.text


def read_csv(path: Path, report: Report, required: Iterable[str] = (), delimiter: str = ",") -> CsvFile:
    """Every intact row of a CSV file. A missing required column, a repeated column name or an
    unreadable file is an error and gives no rows (nothing of the file can be trusted)."""
    file = path.name
    out = CsvFile(file, [])
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error(file, 0, "", f"cannot read the file: {exc.strerror or exc}")
        out.complete, out.stopped = False, True
        return out
    text = _text(data, file, report, tabular=True)
    if text is None:
        out.complete, out.stopped = False, True
        return out
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    number = 0  # the last row read: a CSV error is on the next one
    try:
        first = next(reader, None)
        if first is None:
            report.error(file, 0, "", "empty file: no header row")
            out.complete, out.stopped = False, True
            return out
        number = 1
        out.columns = columns = [normalise_column(h) for h in first]
        if not _usable_header(out, required, report):
            out.complete, out.stopped = False, True
            return out
        named = [(i, c) for i, c in enumerate(columns) if c]
        width = len(columns)
        check_nul = "\x00" in text
        for number, cells in enumerate(reader, start=2):
            if not cells:
                continue  # a blank line
            out.records += 1
            if len(cells) != width:
                report.error(file, number, "", f"the row has {len(cells)} fields, the header has {width} "
                                               "(a truncated or shifted row); fix the row")
                out.complete = False
                out.broken[number] = cells
                continue
            cells = [c.strip() for c in cells]
            if check_nul and not _storable(file, number, columns, cells, report):
                out.complete = False
                out.broken[number] = cells
                continue
            out.rows.append(Row(number, cells, {c: cells[i] for i, c in named if cells[i]}))
    except csv.Error as exc:
        report.error(file, number + 1, "", f"malformed CSV: {exc}")
        out.complete, out.stopped = False, True
    return out


def _usable_header(out: CsvFile, required: Iterable[str], report: Report) -> bool:
    seen: set[str] = set()
    usable = True
    for column in out.columns:
        if column and column in seen:
            report.error(out.name, 0, column, "the column appears twice in the header")
            usable = False
        seen.add(column)
    for column in required:
        if column not in seen:
            report.error(out.name, 0, column, "required column is missing")
            usable = False
    return usable


def _storable(file: str, number: int, columns: list[str], cells: list[str], report: Report) -> bool:
    """False (with an error) when a cell holds a NUL character, which neither database stores."""
    clean = True
    for column, cell in zip(columns, cells, strict=True):
        if "\x00" in cell:
            report.error(file, number, column, "the value holds a NUL character")
            clean = False
    return clean


class _Object(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs in file order, repeated keys kept."""


def read_json_map(path: Path, report: Report) -> list[tuple[int, str, Any]] | None:
    """The entries of a JSON object file as (record number, key, value); None, with an error, when
    the file is not a JSON object."""
    file = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error(file, 0, "", f"cannot read the file: {exc.strerror or exc}")
        return None
    text = _text(data, file, report, tabular=False)
    if text is None:
        return None
    try:
        value = json.loads(text, object_pairs_hook=_Object)
    except json.JSONDecodeError as exc:
        report.error(file, 0, "", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return None
    except RecursionError:
        report.error(file, 0, "", "not valid JSON: nested too deeply")
        return None
    if not isinstance(value, _Object):
        report.error(file, 0, "", f"expected a JSON object {{id: [...]}}, found {json_kind(value)}")
        return None
    return [(n, key, item) for n, (key, item) in enumerate(value, start=1)]


def json_kind(value: Any) -> str:
    """How a JSON value is called in a problem ("an array", "a number", …)."""
    if isinstance(value, _Object):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
