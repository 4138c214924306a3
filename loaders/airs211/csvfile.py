"""Reading a 211 export's CSV: text in the encodings centres send, rows by column name.

Exports come in the encodings `loaders.toolkit.decoding` reads (UTF-8, UTF-16 with a BOM,
Windows-1252), with LF, CRLF or CR-only line endings (a line break inside a value reads as "\n" in
each), columns in any order and spelled as the centre's software spells them ("Phone1Number",
"Phone 1 Number"): a column is known by its name in lower case without spaces or punctuation. A
row with fewer fields than the header (truncated) or more (shifted) is an error, not a row to
half-read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.report import Report
from loaders.toolkit.decoding import decode

_FIELD_LIMIT = 64 * 1024 * 1024  # long free text can exceed the csv module's 128 KiB default
# Export artefacts that mean "no value": iCarol's -1 for an unset county or state, "None or unknown".
PROGRESS_EVERY = 1000
PLACEHOLDERS = frozenset({"-1", "none or unknown"})


def column_key(name: str) -> str:
    """`Phone 1 Number` and `phone1number` are one column: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.replace("\ufeff", "").lower())


@dataclass(frozen=True)
class Column:
    """A column as exports usually spell it, and its key."""

    name: str
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", column_key(self.name))


@dataclass
class Row:
    """One data row: its number (the header is row 1) and its non-empty values by column key."""

    number: int
    values: dict[str, str]

    def get(self, column: Column) -> str | None:
        return self.values.get(column.key)


@dataclass
class Table:
    file: str
    columns: dict[str, str] = field(default_factory=dict)  # column key -> the header's spelling
    rows: list[Row] = field(default_factory=list)  # the rows read whole
    records: int = 0  # data rows met, unreadable ones included
    encoding: str = "utf-8"
    # Rows that could not be read: row number -> its ResourceAgencyNum where the row got that far
    # (references to it are not reported again).
    unreadable: dict[int, str | None] = field(default_factory=dict)
    complete: bool = True  # read to its end
    broken_at: int | None = None  # the row a malformed CSV stopped the reading at

    def name(self, column: Column) -> str:
        """The header's spelling of a column, for problems (the usual one when absent)."""
        return self.columns.get(column.key, column.name)

    def has(self, column: Column) -> bool:
        return column.key in self.columns


def read_table(path: Path, report: Report, *, required: Iterable[Column], id_column: Column,
               on_rows: Callable[[int], None] | None = None) -> Table:
    """The rows of an export. A missing required column (named as usually spelled), a repeated
    column or an unreadable file is an error and gives no rows: nothing of the file can be trusted.
    `on_rows(records read)` is called every PROGRESS_EVERY records and at the end."""
    table = Table(path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error(table.file, 0, "", f"cannot read the file: {exc.strerror or exc}")
        table.complete = False
        return table
    decoded = decode(data, table.file, report)
    if decoded is None:
        table.complete = False
        return table
    text, table.encoding = decoded.text, decoded.encoding
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0  # the last record read: a CSV error is on the next one
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            report.error(table.file, 0, "", "empty file: no header row")
            table.complete = False
            return table
        number = 1
        keys = [column_key(h) for h in header]
        if not _usable_header(table, header, keys, required, report):
            table.complete = False
            return table
        id_index = keys.index(id_column.key) if id_column.key in keys else None
        for number, cells in enumerate(reader, start=2):
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # a blank line
            table.records += 1
            if on_rows and table.records % PROGRESS_EVERY == 0:
                on_rows(table.records)
            row = _row(table, number, header, keys, cells, report)
            if row is None:
                rid = cells[id_index].strip() if id_index is not None and id_index < len(cells) else ""
                table.unreadable[number] = rid or None
            else:
                table.rows.append(row)
    except csv.Error as exc:
        report.error(table.file, number + 1, "", f"malformed CSV: {exc}; the rest of the file is not read")
        table.unreadable[number + 1] = None
        table.broken_at = number + 1
        table.complete = False
    if on_rows:
        on_rows(table.records)
    return table


def _usable_header(table: Table, header: list[str], keys: list[str], required: Iterable[Column],
                   report: Report) -> bool:
    usable = True
    for name, key in zip(header, keys, strict=True):
        spelled = name.replace("\ufeff", "").strip()
        if key and key in table.columns:
            report.error(table.file, 0, spelled, "the column appears twice in the header")
            usable = False
        elif key:
            table.columns[key] = spelled
    for column in required:
        if not table.has(column):
            report.error(table.file, 0, column.name, "required column is missing")
            usable = False
    return usable


def _row(table: Table, number: int, header: list[str], keys: list[str], cells: list[str],
         report: Report) -> Row | None:
    width = len(keys)
    if len(cells) < width:
        missing = header[len(cells)].replace("\ufeff", "").strip()
        report.error(table.file, number, missing, f"the row ends after {len(cells)} of the header's {width} "
                                                  f"columns (a truncated row); fix or remove it")
        return None
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        report.error(table.file, number, "", f"the row has {len(cells)} fields, the header {width} "
                                             "(a shifted row: a stray comma or quote?); fix it")
        return None
    values: dict[str, str] = {}
    clean = True
    for key, cell in zip(keys, cells, strict=False):
        value = cell.strip()
        if "\r" in value:  # a line break inside a value is "\n", whatever the file's line endings
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if not key or not value or value.lower() in PLACEHOLDERS:
            continue
        if "\x00" in value:
            report.error(table.file, number, table.columns[key], "the value holds a NUL character (not storable)")
            clean = False
        values[key] = value
    return Row(number, values) if clean else None

