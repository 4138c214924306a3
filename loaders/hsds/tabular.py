"""The HSDS tabular data package: a folder of CSV tables (organizations.csv, services.csv, …).

Every table is optional; columns may come in any order and unknown ones are ignored; a present
table missing a required column is an error (row 0). Files are UTF-8 with an optional BOM and
are read with `csv.reader(strict=True)`, so bad quoting is reported, not guessed at.

Tables are read in chunks of rows, each validated and filed before the next is read: the raw rows
of a chunk are short-lived and few enough to stay in the CPU caches, so memory stays flat and
warm. A file is first scanned for NUL bytes: without any, no value needs checking for a NUL
character (a third of the validation), and each row's id and references are taken as read.
"""

from __future__ import annotations

import csv
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

from loaders.hsds.models import IGNORED_FILES, TABLE_BY_FILE, TABLES, Table
from loaders.hsds.records import KNOWN_ROW, SHARED_MAX_DISTINCT, Batch, Pool, interned_columns, prop_columns
from loaders.report import Report

# GeoJSON extents in service_areas.csv can be far larger than the csv module's 128 KiB default.
_FIELD_LIMIT = 256 * 1024 * 1024
CHUNK_ROWS = 512  # a chunk in flight (raw rows, dicts, validated dicts) stays within the CPU caches


def is_csv_package(folder: Path) -> bool:
    """Does the folder hold at least one HSDS table?"""
    return any(p.is_file() and p.name.lower() in TABLE_BY_FILE for p in folder.iterdir())


def package_tables(folder: Path, report: Report) -> list[tuple[Path, str]]:
    """The folder's HSDS table files and their tables, in reading (file-name) order; a CSV file
    that is no HSDS table is reported and left out."""
    tables: list[tuple[Path, str]] = []
    for path in sorted(folder.iterdir()):
        name = path.name.lower()
        if not path.is_file() or not name.endswith(".csv") or name in IGNORED_FILES:
            continue
        table = TABLE_BY_FILE.get(name)
        if table is None:
            report.warning(path.name, 0, "", "not an HSDS 3.0 table name; file ignored")
            continue
        tables.append((path, table))
    return tables


def iter_csv_package(
    folder: Path, report: Report, pool: Pool | None = None, on_table_done: Callable[[str], None] | None = None,
) -> Iterator[Batch]:
    """Chunks of raw rows of every HSDS table in the folder, table by table (in file-name order).
    `on_table_done(table)` is called once the last file of a table has been read and its batches
    handed out."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    pool = pool if pool is not None else Pool()
    files = package_tables(folder, report)
    last_file = {table: path for path, table in files}
    for path, table in files:
        yield from iter_table(path, path.name, table, report, pool=pool)
        if on_table_done and last_file[table] == path:
            on_table_done(table)


_NONEMPTY = operator.itemgetter(1)  # of a (column, value) pair: keep it when the value is not ""
_FILTER: Any = filter


class _Rows:
    """Turns raw CSV rows (lists of cells, all as long as the header) into a batch: row dicts of
    the known columns without empty values, and each row's property cells (what its validated
    properties are made of). In a file without NUL bytes, also each row's id and references as
    read; and a row whose property cells validated cleanly before (`records.absorb` keeps them
    while the table proves repetitive) gets their properties instead of a dict to validate."""

    def __init__(self, spec: Table, header: list[str], pool: Pool, nul_free: bool) -> None:
        known = [(i, h) for i, h in enumerate(header) if h in spec.kinds]
        self.names = [h for _, h in known]
        self.pick = None if len(known) == len(header) else _getter([i for i, _ in known])
        props = prop_columns(spec)
        self.key_space = tuple(h for _, h in known if h in props)
        self.key_of = _getter([i for i, h in known if h in props])
        text = interned_columns(spec)
        self.table = spec.name
        self.pool = pool
        self.interned = [(i, h) for i, h in known if h in text]
        self.nul_free = nul_free
        where = {h: i for i, h in known}
        self.id_of = _cell(where.get("id"))
        self.refs_of = [_cell(where.get(name)) for name in spec.ref_fields]

    def fill(self, batch: Batch, raw: list[list[str]]) -> None:
        batch.key_space = self.key_space
        shared = None
        if self.nul_free and not batch.ids_only:
            batch.ids = list(map(self.id_of, raw))
            batch.refs = [list(map(ref_of, raw)) for ref_of in self.refs_of]
            shared = self.pool.column(self.table, self.key_space, SHARED_MAX_DISTINCT)
        if shared is not None:
            batch.keys = keys = list(map(self.key_of, raw))
            known = list(map(shared.values.get, keys))
            if known.count(None) < len(known):
                batch.known = known
                raw = [row for row, props in zip(raw, known, strict=True) if props is None]
        if self.interned:  # the rows to validate: their values may be kept
            self._intern(raw)
        dicts = self._dicts(raw)
        if batch.known is None:
            batch.rows = dicts
        else:
            todo = iter(dicts)
            batch.rows = [KNOWN_ROW if props is not None else next(todo) for props in batch.known]

    def _dicts(self, raw: list[list[str]]) -> list[dict[str, str]]:
        rows: Iterable[Sequence[str]] = raw if self.pick is None else map(self.pick, raw)
        # dict(filter(nonempty, zip(names, row))) for each row, without a Python-level loop
        return list(map(dict, map(_FILTER, repeat(_NONEMPTY), map(zip, repeat(self.names), rows))))

    def _intern(self, raw: list[list[str]]) -> None:
        pool = self.pool
        for i, name in list(self.interned):
            cache = pool.column(self.table, name)
            if cache is None:
                self.interned.remove((i, name))
                continue
            setdefault = cache.values.setdefault
            for row in raw:
                value = row[i]
                row[i] = setdefault(value, value)
            if not cache.counted(len(raw)):
                pool.stop(self.table, name)
                self.interned.remove((i, name))


def _cell(index: int | None) -> Callable[[list[str]], str]:
    """The cell at `index` of a row ("" for a column the file does not have)."""
    return operator.itemgetter(index) if index is not None else lambda row: ""


def _getter(indexes: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at `indexes` of a row, as a tuple."""
    if len(indexes) > 1:
        return operator.itemgetter(*indexes)
    if indexes:
        only = indexes[0]
        return lambda row: (row[only],)
    return lambda row: ()


def _holds_nul(path: Path) -> bool:
    """Is there a NUL byte anywhere in the file? (In UTF-8 only a NUL character encodes to one.)
    Scanning the bytes is far cheaper than checking every value for it when validating."""
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            if b"\x00" in block:
                return True
    return False


def iter_table(
    path: Path, file: str, table: str, report: Report, chunk: int = CHUNK_ROWS, *, pool: Pool | None = None,
) -> Iterator[Batch]:
    """Read one CSV table as batches of at most `chunk` rows (dicts without empty values)."""
    spec = TABLES[table]
    pool = pool if pool is not None else Pool()
    batch = Batch(table, file, strict=False, first_row=1)  # row 1 until the header is read
    raw: list[list[str]] = []  # rows of the batch being read, as read
    rows: _Rows | None = None
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            first = next(reader, None)
            if first is None:
                report.error(file, 0, "", "empty file: no header row")
                batch.truncated = True
                first = []
            batch.first_row = 2
            header = [h.strip().lower() for h in first]
            seen: set[str] = set()
            for h in header:
                if h in seen:
                    report.error(file, 0, h, "column appears twice in the header")
                    batch.truncated = True
                seen.add(h)
            if batch.truncated:  # nothing of this table can be trusted; references into it are not checked
                yield batch
                return
            missing = [c for c in spec.csv_required_columns if c not in seen]
            for column in missing:
                report.error(file, 0, column, "required column is missing")
            ids_only = batch.ids_only = bool(missing)
            nul_free = batch.nul_free = not _holds_nul(path)
            rows = _Rows(spec, header, pool, nul_free)
            ncols = len(header)
            id_at = header.index("id") if "id" in seen else None
            for row in reader:
                if len(row) == ncols:
                    raw.append(row)
                    if len(raw) < chunk:
                        continue
                    n = batch.first_row + len(raw) - 1
                else:  # a blank line (skipped) or a broken row: the next batch starts after it
                    n = batch.first_row + len(raw)
                    if row:  # a record that cannot be read: named by its id as far as it goes
                        rid = row[id_at] if id_at is not None and id_at < len(row) else ""
                        if rid:
                            batch.broken.append(rid)
                        report.error(
                            file, n, "", f"malformed CSV: the row has {len(row)} fields, the header has {ncols}",
                            record=(table, rid or f"row {n}"),
                            node=(spec.label, rid) if rid and spec.label is not None else None,
                        )
                if raw or batch.broken:
                    rows.fill(batch, raw)
                    raw = []
                    yield batch
                batch = Batch(table, file, strict=False, first_row=n + 1, ids_only=ids_only, nul_free=nul_free)
    except csv.Error as exc:  # the row being read is the one after those in the batch
        report.error(file, batch.first_row + len(raw), "", f"malformed CSV: {exc}")
        batch.truncated = True
    except UnicodeDecodeError as exc:
        report.error(file, 0, "", f"not UTF-8 text ({exc.reason})")
        batch.truncated = True
    except OSError as exc:
        report.error(file, 0, "", f"cannot read the file: {exc.strerror or exc}")
        batch.truncated = True
    if raw and rows is not None:
        rows.fill(batch, raw)
    if batch.rows or batch.truncated or batch.ids_only:
        yield batch
