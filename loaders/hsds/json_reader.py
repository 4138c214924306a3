"""HSDS JSON: full `service` objects (as the HSDS API returns them), nested records and all.

A file holds one object, an array of them, an HSDS `Page` (`{"contents": [...], ...}`) or NDJSON
(one object per line). Every nested object (organization, service_at_locations[].location,
phones, schedules, …) becomes a record of its own table; a parent id it omits is implied by where
it is nested. Top-level `organization` objects (organization_full.json) and `service_at_location`
objects (service_at_location_full.json) are accepted too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.hsds.models import TABLES
from loaders.hsds.records import Batch, Link, json_type, record_text, unnamed, whose
from loaders.report import Report

JSON_SUFFIXES = frozenset({".json", ".ndjson", ".jsonl"})
_NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
_NOT_RECORDS = frozenset({"datapackage.json"})

# Keys only an organization carries: a top-level object with one of them (and no service status)
# is an organization.
_ORGANIZATION_KEYS = frozenset({
    "services", "legal_status", "year_incorporated", "tax_status", "tax_id", "website",
    "parent_organization_id", "organization_identifiers", "programs", "locations", "logo",
})


def json_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in JSON_SUFFIXES and p.name.lower() not in _NOT_RECORDS
    )


def top_level_table(obj: dict[str, Any]) -> str:
    if "services" in obj or ("status" not in obj and not _ORGANIZATION_KEYS.isdisjoint(obj)):
        return "organization"
    if "status" not in obj and "name" not in obj and ("location" in obj or "service" in obj):
        return "service_at_location"
    return "service"


class _Walker:
    """Flattens the objects of one file into batches per table."""

    def __init__(self, file: str, report: Report) -> None:
        self.file = file
        self.report = report
        self.batches: dict[str, Batch] = {}
        self.records = 0
        self.seen: dict[tuple[str, str], int] = {}  # (table, id) -> index of its first copy in the batch

    def _batch(self, table: str) -> Batch:
        batch = self.batches.get(table)
        if batch is None:
            batch = self.batches[table] = Batch(
                table, self.file, strict=True, row_numbers=[], prefixes=[], implied=[], top=[]
            )
        return batch

    def top(self, obj: Any, row: int) -> None:
        if not isinstance(obj, dict):
            self.report.error(self.file, row, "", f"expected an HSDS service object, got {json_type(obj)}",
                              record=("record", record_text(row, "")))
            return
        self.walk(obj, top_level_table(obj), row, "", [], True)

    def walk(self, obj: dict[str, Any], table: str, row: int, prefix: str, implied: list[Link], top: bool) -> None:
        self.records += 1
        spec = TABLES[table]
        nested = spec.nested_keys
        flat = {k: v for k, v in obj.items() if v is not None and v != "" and k not in nested}
        rid = obj.get("id")
        own_id = rid if isinstance(rid, str) and rid else None
        # what is nested in it names it: by its id, or a stand-in (it is invalid then, and they go with it)
        link_id = own_id if own_id is not None else unnamed(self.file, row, prefix)
        batch = self._batch(table)
        assert batch.row_numbers is not None and batch.prefixes is not None
        assert batch.implied is not None and batch.top is not None
        first = self.seen.get((table, own_id)) if own_id is not None and not top else None
        if first is not None and batch.rows[first] == flat:
            # Another identical copy of a nested object (a phone under its service, location and
            # contact): one record, validated once, with every parent the copies imply.
            links = batch.implied[first]
            links += [link for link in implied if link not in links]
        else:
            links = implied
            batch.rows.append(flat)
            batch.row_numbers.append(row)
            batch.prefixes.append(prefix)
            batch.implied.append(links)
            batch.top.append(top)
            if own_id is not None:
                self.seen.setdefault((table, own_id), len(batch.rows) - 1)
        for key, (child_table, ref_field) in spec.children.items():
            value = obj.get(key)
            if value is None or value == "":
                continue
            if not isinstance(value, list):  # a field of this object of the wrong type: the object is in error
                record, node = whose(table, rid, (self.file, row, prefix), True)
                self.report.error(self.file, row, prefix + key, f"expected an array of objects, got {json_type(value)}",
                                  record=record, node=node)
                continue
            for j, item in enumerate(value):
                where = f"{prefix}{key}[{j}]"
                if not isinstance(item, dict):  # a record of its own that cannot be read
                    self.report.error(self.file, row, where, f"expected an object, got {json_type(item)}",
                                      record=(child_table, record_text(row, where + ".")))
                    continue
                self.walk(item, child_table, row, where + ".", [(ref_field, link_id, table)], False)
        for key, (parent_table, ref_field) in spec.parents.items():
            value = obj.get(key)
            if value is None or value == "":
                continue
            if not isinstance(value, dict):
                record, node = whose(table, rid, (self.file, row, prefix), True)
                self.report.error(self.file, row, prefix + key, f"expected an object, got {json_type(value)}",
                                  record=record, node=node)
                continue
            self.walk(value, parent_table, row, f"{prefix}{key}.", [], False)
            pid = value.get("id")
            link = (ref_field, pid if isinstance(pid, str) and pid else unnamed(self.file, row, f"{prefix}{key}."),
                    parent_table)
            if link not in links:
                links.append(link)


def _invalid(exc: json.JSONDecodeError) -> str:
    return f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def _first_line_is_json(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return False
    return True


def _read_ndjson(text: str, walker: _Walker, report: Report, file: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            report.error(file, number, "", f"invalid JSON: {exc.msg} at column {exc.colno}",
                         record=("record", record_text(number, "")))
            continue
        walker.top(obj, number)


def read_json_file(path: Path, file: str, report: Report) -> tuple[list[Batch], int]:
    walker = _Walker(file, report)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        report.error(file, 0, "", f"not UTF-8 text ({exc.reason})")
        return [], 0
    except OSError as exc:
        report.error(file, 0, "", f"cannot read the file: {exc.strerror or exc}")
        return [], 0
    if path.suffix.lower() in _NDJSON_SUFFIXES:
        _read_ndjson(text, walker, report, file)
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data" and _first_line_is_json(text):
                _read_ndjson(text, walker, report, file)  # NDJSON in a .json file
            else:
                report.error(file, 0, "", _invalid(exc))
            return list(walker.batches.values()), walker.records
        if isinstance(doc, dict) and isinstance(doc.get("contents"), list):
            items: list[Any] = doc["contents"]  # an HSDS Page
        elif isinstance(doc, list):
            items = doc
        elif isinstance(doc, dict):
            items = [doc]
        else:
            report.error(file, 0, "", f"expected a service object, an array or a page of them, got {json_type(doc)}")
            items = []
        for number, obj in enumerate(items, start=1):
            walker.top(obj, number)
    return list(walker.batches.values()), walker.records


def iter_json(path: Path, report: Report) -> Iterator[tuple[list[Batch], int]]:
    """Per file (the one file, or every .json/.ndjson file of a folder): its batches and the
    number of objects read, nested ones included."""
    files = json_files(path) if path.is_dir() else [path]
    for file in files:
        name = file.relative_to(path).as_posix() if path.is_dir() else file.name
        yield read_json_file(file, name, report)
