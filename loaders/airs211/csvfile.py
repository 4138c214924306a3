"""Reading a 211 export's CSV: text in the encodings centres send, rows by column name.

Exports come as UTF-8 (with or without a BOM), UTF-16 with a BOM ("Unicode text" from a
spreadsheet) or Windows-1252, with LF, CRLF or CR-only line endings (a line break inside a value
reads as "\n" in each), columns in any order and spelled as the centre's software spells them
("Phone1Number", "Phone 1 Number"): a column is known by its name in lower case without spaces
or punctuation. A file that claims UTF-8 (some of its text is UTF-8) but holds a byte that is
not is refused, at the row and column of that byte, rather than read as mojibake. A row with
fewer fields than the header (truncated) or more (shifted) is an error, not a row to half-read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.report import Report

_FIELD_LIMIT = 64 * 1024 * 1024  # long free text can exceed the csv module's 128 KiB default
# A well-formed UTF-8 sequence of two or more bytes: Windows-1252 text almost never holds one.
_UTF8_SEQUENCE = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}"
    rb"|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}"
)
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


def decode(data: bytes, file: str, report: Report) -> tuple[str, str] | None:
    """(text, encoding name), or None with an error where the bytes are no text we can trust."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            report.error(file, 0, "", f"not UTF-16 text despite its byte-order mark ({exc.reason})")
            return None
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    row, column = _place(body, bad)
    if bom or _UTF8_SEQUENCE.search(body):
        report.error(file, row, column, f"byte 0x{body[bad]:02X} is not UTF-8, yet the file is UTF-8 elsewhere "
                                        "(mixed encodings or a damaged file); save the whole file as UTF-8")
        return None
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        row, column = _place(body, exc.start)
        report.error(file, row, column, f"byte 0x{body[exc.start]:02X} is neither UTF-8 nor Windows-1252 text; "
                                        "save the file as UTF-8")
        return None


def _place(data: bytes, offset: int) -> tuple[int, str]:
    """(row, column) of a byte offset: the CSV record and the header's name of its column."""
    head = data[:offset].decode("utf-8", errors="replace")
    records = list(csv.reader(io.StringIO(head, newline="")))
    if not records or head.endswith(("\n", "\r")):
        return len(records) + 1, ""
    header = records[0] if len(records) > 1 else []
    index = len(records[-1]) - 1
    return len(records), header[index].replace("\ufeff", "").strip() if 0 <= index < len(header) else ""


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
    text, table.encoding = decoded
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

