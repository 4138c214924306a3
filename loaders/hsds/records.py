"""Validated HSDS records, gathered per table from batches of raw rows (CSV or JSON).

A `Batch` is raw rows of one table from one file, each with its place in that file. `absorb`
validates a batch in one pydantic call, turns every validation error into a located `Problem`
(an error, or a warning when the value can simply be dropped) and files each valid row into its
table's `Store` as a ready graph node plus its reference values, catching duplicate ids (CSV) or
merging repeated copies of one nested object (JSON, where a phone may be nested under its
service, its location and its contact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from loaders.hsds.models import ENUMS, FORMAT_ERROR, TABLES, Kind, Table
from loaders.report import Report

# A reference implied by JSON nesting: (reference field, parent id or None when the parent is
# invalid, the parent's table).
Link = tuple[str, str | None, str]

# Where a record came from: (file, row, dotted path prefix of the object inside its row).
Origin = tuple[str, int, str]


class Rec:
    """A valid record: its node (`{"id", "props"}`, props keyed by graph property), its reference
    values (aligned with `Table.refs`), the references its JSON nesting implies, where it came from
    and whether it is a top-level object of its file."""

    __slots__ = ("node", "refs", "implied", "file", "row", "prefix", "top")

    def __init__(
        self, node: dict[str, Any], refs: tuple[Any, ...], implied: list[Link],
        file: str, row: int, prefix: str, top: bool,
    ) -> None:
        self.node = node
        self.refs = refs
        self.implied = implied
        self.file = file
        self.row = row
        self.prefix = prefix
        self.top = top

    @property
    def origin(self) -> Origin:
        return self.file, self.row, self.prefix


@dataclass
class Batch:
    """Raw rows of one table from one file, empty values already removed."""

    table: str
    file: str
    strict: bool  # JSON: values must already have their JSON Schema type
    rows: list[dict[str, Any]] = field(default_factory=list)
    first_row: int = 2  # CSV: the rows are consecutive from this row number
    row_numbers: list[int] | None = None  # JSON: each object's top-level record number
    prefixes: list[str] | None = None  # JSON: dotted path of each object inside its top-level record
    implied: list[list[Link]] | None = None  # JSON: references implied by nesting
    top: list[bool] | None = None  # JSON: is the object a top-level record of its file
    ids_only: bool = False  # the table is unusable (a required column is missing): only register ids
    truncated: bool = False  # reading the file stopped early (malformed): its table is incomplete

    def origin(self, i: int) -> Origin:
        if self.row_numbers is None:
            return self.file, self.first_row + i, ""
        assert self.prefixes is not None
        return self.file, self.row_numbers[i], self.prefixes[i]


@dataclass
class Store:
    """The records of one table: valid ones by id (in source order), and the ids of invalid ones
    (so that references to them are not reported a second time)."""

    recs: dict[str, Rec] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)
    # A file of the table could not be read to its end (or lacked a required column): references
    # to ids not found are not reported, as they may well be in the part that could not be read.
    incomplete: bool = False

    def has(self, rid: str) -> bool:
        return rid in self.recs or rid in self.bad

    def unknown(self, rid: str) -> bool:
        """Is `rid` a dangling reference worth reporting?"""
        return not self.incomplete and rid not in self.bad and rid not in self.recs


def new_stores() -> dict[str, Store]:
    return {name: Store() for name in TABLES}


_KIND_WORDS: Final[dict[Kind, str]] = {
    "str": "a string", "num": "a number", "lat": "a number", "lon": "a number",
    "date": "a date string", "datetime": "a date-time string", "time": "a time string",
}
_RANGE_ERRORS: Final = frozenset({"greater_than_equal", "less_than_equal", "finite_number"})
_UNSTORABLE_TEXT_ERRORS: Final = frozenset({"string_pattern_mismatch", "string_unicode"})
_COORDINATES: Final = ("latitude", "longitude")
_NO_LINKS: Final[list[Link]] = []  # shared by every CSV record; never mutated (CSV records never merge)


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "null" if value is None else type(value).__name__


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _judge(spec: Table, name: str, err: ErrorDetails, strict: bool) -> tuple[bool, str, tuple[str, ...]]:
    """(is_error, message, fields to drop) for one validation error on HSDS field `name`."""
    etype = err["type"]
    value = err.get("input")
    kind = spec.kinds.get(name, "str")
    if etype == "missing":
        return True, "required value is missing", ()
    if etype == FORMAT_ERROR:
        return False, f"{_show(value)} {err['msg']}; value dropped", (name,)
    if etype in _UNSTORABLE_TEXT_ERRORS:
        return True, "contains a NUL character or invalid Unicode (a lone surrogate), which cannot be stored", ()
    if kind == "num" and etype in _RANGE_ERRORS and isinstance(value, int | float):
        return False, f"{value} is beyond the 64-bit range the database stores; value dropped", (name,)
    if kind in ("lat", "lon"):
        if etype in _RANGE_ERRORS and isinstance(value, int | float | str):
            bounds = "[-90, 90]" if kind == "lat" else "[-180, 180]"
            return False, f"{value} is outside {bounds}; latitude and longitude dropped", _COORDINATES
        if not strict:
            return False, f"{_show(value)} is not a number; latitude and longitude dropped", _COORDINATES
    if strict:
        return True, f"expected {_KIND_WORDS[kind]}, got {json_type(value)}", ()
    return False, f"{_show(value)} is not a number; value dropped", (name,)


def _errors_by_row(errors: list[ErrorDetails]) -> dict[int, dict[str, ErrorDetails]]:
    """One error per (row, field): a value checked by alternatives (int|float, fast|exact date)
    fails each; keep the most telling."""
    by_row: dict[int, dict[str, ErrorDetails]] = {}
    for err in errors:
        loc = err["loc"]
        if len(loc) < 2 or not isinstance(loc[0], int):
            continue
        fields = by_row.setdefault(loc[0], {})
        name = str(loc[1])
        if name not in fields or (err["type"] == FORMAT_ERROR and fields[name]["type"] != FORMAT_ERROR):
            fields[name] = err
    return by_row


def _validate(batch: Batch, spec: Table, report: Report) -> Sequence[dict[str, Any] | None]:
    """Validated rows in batch order; None for a row with an error (its problems are reported)."""
    adapter = spec.adapter
    try:
        return adapter.validate_python(batch.rows, strict=batch.strict)
    except ValidationError as exc:
        by_row = _errors_by_row(exc.errors())
    good = [i for i in range(len(batch.rows)) if i not in by_row]
    out: list[dict[str, Any] | None] = [None] * len(batch.rows)
    for i, row in zip(good, adapter.validate_python([batch.rows[i] for i in good], strict=batch.strict), strict=True):
        out[i] = row
    for i in sorted(by_row):
        file, row_number, prefix = batch.origin(i)
        fatal = False
        drop: set[str] = set()
        for name, err in sorted(by_row[i].items()):
            is_error, message, fields = _judge(spec, name, err, batch.strict)
            if is_error:
                report.error(file, row_number, prefix + name, message)
                fatal = True
            else:
                report.warning(file, row_number, prefix + name, message)
                drop.update(fields)
        if fatal:
            continue
        fixed = {k: v for k, v in batch.rows[i].items() if k not in drop}
        try:
            out[i] = adapter.validate_python([fixed], strict=batch.strict)[0]
        except ValidationError as again:  # cannot happen for the errors above; never lose a problem
            for err in again.errors():
                name = str(err["loc"][1]) if len(err["loc"]) > 1 else ""
                report.error(file, row_number, prefix + name, err["msg"])
    return out


def absorb(batch: Batch, stores: dict[str, Store], report: Report) -> None:
    """Validate a batch and file its records into their table's store."""
    spec = TABLES[batch.table]
    store = stores[batch.table]
    if batch.truncated or batch.ids_only:
        store.incomplete = True
    if batch.ids_only:
        for raw in batch.rows:
            rid = raw.get("id")
            if isinstance(rid, str):
                store.bad.add(rid)
        return
    validated = _validate(batch, spec, report)
    recs, bad = store.recs, store.bad
    enums = [
        (key, name, allowed) for (table, name), allowed in ENUMS.items() if table == spec.name
        for key in [next(k for k, v in spec.hsds_names.items() if v == name)]
    ]
    ref_fields = spec.ref_fields
    nones = (None,) * len(ref_fields)
    csv_rows = batch.row_numbers is None
    file, first_row = batch.file, batch.first_row
    for i, data in enumerate(validated):
        if data is None:
            rid = batch.rows[i].get("id")
            if isinstance(rid, str):
                bad.add(rid)
            continue
        rid = data.pop("id")
        refs = tuple(map(data.pop, ref_fields, nones))
        for key, name, allowed in enums:
            value = data.get(key)
            if value is not None and value not in allowed:
                _fix_enum(data, key, name, value, allowed, batch, i, report)
        if rid in recs or rid in bad:
            _repeated(spec, store, rid, data, refs, batch, i, report)
        elif csv_rows:
            recs[rid] = Rec({"id": rid, "props": data}, refs, _NO_LINKS, file, first_row + i, "", True)
        else:
            assert batch.implied is not None and batch.top is not None
            recs[rid] = Rec({"id": rid, "props": data}, refs, batch.implied[i], *batch.origin(i), batch.top[i])


def _fix_enum(
    data: dict[str, Any], key: str, name: str, value: Any, allowed: tuple[str, ...],
    batch: Batch, i: int, report: Report,
) -> None:
    folded = " ".join(str(value).replace("_", " ").split()).lower()
    if folded in allowed:
        data[key] = folded
    else:
        file, row, prefix = batch.origin(i)
        report.warning(file, row, prefix + name, f"{value!r} is not one of {', '.join(allowed)}; kept as given")


def _repeated(
    spec: Table, store: Store, rid: str, data: dict[str, Any], refs: tuple[Any, ...],
    batch: Batch, i: int, report: Report,
) -> None:
    """A second record with an id already seen: a duplicate (an error), or, for an object nested in
    JSON, another copy of the same record (merged)."""
    first = store.recs.get(rid)
    file, row, prefix = batch.origin(i)
    if batch.top is not None:
        if first is None:  # the first copy was invalid and is reported already
            return
        if not (batch.top[i] and first.top):
            assert batch.implied is not None
            _merge(spec, first, data, refs, batch.implied[i], (file, row, prefix), report)
            return
    where = ""
    if first is not None:
        first_file, first_row, _ = first.origin
        where = f" (first at row {first_row})" if first_file == file else f" (first in {first_file} row {first_row})"
    report.error(file, row, prefix + "id", f"duplicate {spec.name.replace('_', ' ')} id {rid!r}{where}")


def _merge(
    spec: Table, first: Rec, data: dict[str, Any], refs: tuple[Any, ...], implied: list[Link],
    origin: Origin, report: Report,
) -> None:
    """Another copy of a nested JSON object: fill in what the first copy lacked, warn on conflicts."""
    assert first.implied is not _NO_LINKS
    file, row, prefix = origin
    first_file, first_row, _ = first.origin
    props = first.node["props"]

    def conflict(name: str) -> None:
        report.warning(
            file, row, prefix + name,
            f"differs from another copy of {spec.name.replace('_', ' ')} {first.node['id']!r} "
            f"({first_file} row {first_row}); the first value is kept",
        )

    for key, value in data.items():
        old = props.get(key)
        if old is None:
            props[key] = value
        elif old != value:
            conflict(spec.hsds_names.get(key, key))
    merged = list(first.refs)
    for k, value in enumerate(refs):
        if value is not None and merged[k] is None:
            merged[k] = value
        elif value is not None and merged[k] != value:
            conflict(spec.ref_fields[k])
    first.refs = tuple(merged)
    first.implied.extend(link for link in implied if link not in first.implied)
