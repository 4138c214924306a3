"""The HSDS tabular data package: a folder of CSV tables (organizations.csv, services.csv, …).

Every table is optional; columns may come in any order and unknown ones are ignored; a present
table missing a required column is an error (row 0). Files are UTF-8 with an optional BOM and
are read with `csv.reader(strict=True)`, so bad quoting is reported, not guessed at.

Tables are read in chunks of rows, each validated and filed before the next is read: the raw rows
of a chunk are short-lived, so memory stays flat and warm (allocating fresh memory for every raw
row of a large table costs more than validating it).
"""

from __future__ import annotations

import csv
import operator
from collections.abc import Iterator
from pathlib import Path

from loaders.hsds.models import IGNORED_FILES, TABLE_BY_FILE, TABLES
from loaders.hsds.records import Batch
from loaders.report import Report

# GeoJSON extents in service_areas.csv can be far larger than the csv module's 128 KiB default.
_FIELD_LIMIT = 256 * 1024 * 1024
CHUNK_ROWS = 2048


def is_csv_package(folder: Path) -> bool:
    """Does the folder hold at least one HSDS table?"""
    return any(p.is_file() and p.name.lower() in TABLE_BY_FILE for p in folder.iterdir())


def iter_csv_package(folder: Path, report: Report) -> Iterator[Batch]:
    """Chunks of raw rows of every HSDS table in the folder, table by table (in file-name order)."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    for path in sorted(folder.iterdir()):
        name = path.name.lower()
        if not path.is_file() or not name.endswith(".csv") or name in IGNORED_FILES:
            continue
        table = TABLE_BY_FILE.get(name)
        if table is None:
            report.warning(path.name, 0, "", "not an HSDS 3.0 table name; file ignored")
            continue
        yield from iter_table(path, path.name, table, report)


def iter_table(path: Path, file: str, table: str, report: Report, chunk: int = CHUNK_ROWS) -> Iterator[Batch]:
    """Read one CSV table as batches of at most `chunk` rows (dicts without empty values)."""
    spec = TABLES[table]
    batch = Batch(table, file, strict=False, first_row=1)  # row 1 until the header is read
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
            known = [(i, h) for i, h in enumerate(header) if h in spec.kinds]
            names = [h for _, h in known]
            all_known = len(known) == len(header)
            pick = operator.itemgetter(*[i for i, _ in known]) if len(known) > 1 else None
            ncols = len(header)
            rows = batch.rows
            for row in reader:
                if len(row) == ncols:
                    if all_known:
                        rows.append({k: v for k, v in zip(header, row, strict=True) if v})
                    elif pick is not None:
                        rows.append({k: v for k, v in zip(names, pick(row), strict=True) if v})
                    else:
                        rows.append({k: v for k, v in zip(names, [row[i] for i, _ in known], strict=True) if v})
                    if len(rows) < chunk:
                        continue
                    n = batch.first_row + len(rows) - 1
                else:  # a blank line (skipped) or a broken row: the next batch starts after it
                    n = batch.first_row + len(rows)
                    if row:
                        report.error(
                            file, n, "", f"malformed CSV: the row has {len(row)} fields, the header has {ncols}"
                        )
                if rows:
                    yield batch
                batch = Batch(table, file, strict=False, first_row=n + 1, ids_only=ids_only)
                rows = batch.rows
    except csv.Error as exc:  # the row being read is the one after those in the batch
        report.error(file, batch.first_row + len(batch.rows), "", f"malformed CSV: {exc}")
        batch.truncated = True
    except UnicodeDecodeError as exc:
        report.error(file, 0, "", f"not UTF-8 text ({exc.reason})")
        batch.truncated = True
    except OSError as exc:
        report.error(file, 0, "", f"cannot read the file: {exc.strerror or exc}")
        batch.truncated = True
    if batch.rows or batch.truncated or batch.ids_only:
        yield batch
