"""Validated HSDS records, gathered per table from batches of raw rows (CSV or JSON).

A `Batch` is raw rows of one table from one file, each with its place in that file. `absorb`
validates a batch in one pydantic call, turns every validation error into a located `Problem`
(an error, or a warning when the value can simply be dropped) and files each valid row into its
table's `Store` (its properties, keyed by graph property, and its reference values), catching
duplicate ids (CSV) or merging repeated copies of one nested object (JSON, where a phone may be
nested under its service, its location and its contact). A problem about a row or object names
it (`whose`: its HSDS table and id, or its place when it has none, and its plan node), worked out
only for the rows that have problems, so `--skip-invalid` can leave it out.

Memory and time: a large load holds millions of records until the plan is built, so a store
keeps them lean: properties are dicts of the properties only (no wrapper objects), reference
values are columns aligned with the records, and where a record came from is a row number plus
the file it shares with its neighbours. A per-load `Pool` makes equal values one object: a record
id and every reference to it, and the values of repetitive text columns (a status, a city),
which would otherwise be a new string for every cell read. And CSV records read from the same
property cells (a schedule, a phone or a language record that is the same as many others but for
its id and its parent) share one properties dict, validated once: equal cells validate alike,
with the same problems, so a record is reused only when its cells validated without any.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from loaders.hsds.models import ENUMS, FORMAT_ERROR, TABLES, Kind, Table
from loaders.report import Report

# A reference implied by JSON nesting: (reference field, parent id or None when the parent is
# invalid, the parent's table).
Link = tuple[str, str | None, str]

# Where a record came from: (file, row, dotted path prefix of the object inside its row).
Origin = tuple[str, int, str]

# A record as a problem names it (loaders.report): (HSDS table, id) and the plan node it becomes, (label, id).
Whose = tuple[tuple[str, str], tuple[str, str] | None]

# The id links to a JSON object without one are made with (records.unnamed): no record can have it, as an id
# holding a NUL character is never valid, so what is nested in an invalid object without an id depends on it.
_UNNAMED: Final = "\x00"


def record_text(row: int, prefix: str) -> str:
    """What a rejects report calls a record without an id: `row 7`, or `row 7 services[0].phones[1]` (JSON)."""
    return f"row {row} {prefix[:-1]}" if prefix else f"row {row}"


def unnamed(file: str, row: int, prefix: str) -> str:
    """The stand-in id of a JSON object without an id, so the objects nested in it can name it."""
    return f"{_UNNAMED}{file}{_UNNAMED}{record_text(row, prefix)}"


def shown(rid: str) -> str:
    """An id as a message shows it: a stand-in one as the record it stands for."""
    return f"({rid.rsplit(_UNNAMED, 1)[1]}, which has no id)" if rid.startswith(_UNNAMED) else repr(rid)


def whose(table: str, rid: Any, origin: Origin, json: bool) -> Whose:
    """The record a problem on a row (CSV) or object (JSON) names, and its plan node (None where it has none:
    a CSV row without an id, which nothing can name, or a language or attribute, which are no nodes)."""
    label = TABLES[table].label
    if isinstance(rid, str) and rid:
        return (table, rid), ((label, rid) if label is not None else None)
    file, row, prefix = origin
    node = (label, unnamed(file, row, prefix)) if label is not None and json else None
    return (table, record_text(row, prefix)), node


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
    nul_free: bool = False  # CSV: no value holds a NUL character (checked on the whole file)
    keys: list[Any] | None = None  # CSV: each row's property cells, as read (equal ones validate alike)
    key_space: tuple[str, ...] = ()  # CSV: the columns of those cells
    # CSV without NUL: each row's id and reference cells as read ("" when empty), and the
    # properties of rows whose property cells validated cleanly before (None for the others; such
    # a row is KNOWN_ROW in `rows`).
    ids: list[str] | None = None
    refs: list[list[str]] | None = None
    known: list[dict[str, Any] | None] | None = None
    broken: list[str] = field(default_factory=list)  # CSV: ids of rows left unread (malformed), as far as read

    def origin(self, i: int) -> Origin:
        if self.row_numbers is None:
            return self.file, self.first_row + i, ""
        assert self.prefixes is not None
        return self.file, self.row_numbers[i], self.prefixes[i]

    def whose(self, i: int) -> Whose:
        """The record row `i` is, for its problems (worked out only for rows that have some)."""
        rid = self.ids[i] if self.ids is not None else self.rows[i].get("id")
        return whose(self.table, rid, self.origin(i), self.row_numbers is not None)


KNOWN_ROW: Final[dict[str, Any]] = {}  # a row of a batch that needs no validation (Batch.known)


# --- interning ------------------------------------------------------------------------------

# Kinds whose validated value is the very string read (pydantic checks and keeps it): worth
# interning before validation. Numbers become new int/float objects anyway.
TEXT_KINDS: Final[frozenset[Kind]] = frozenset({"str", "date", "datetime", "time"})

# A cache of values is kept while it pays: once this many values are seen, it is dropped as soon
# as too many of them were distinct (more than half for a column of values, more than
# SHARED_MAX_DISTINCT for the property cells of whole records).
_MIN_SEEN: Final = 4096
SHARED_MAX_DISTINCT: Final = 0.75

# Tables whose ids other records reference: their ids and the references to them are pooled.
_REFERENCED: Final[frozenset[str]] = frozenset(r.target for t in TABLES.values() for r in t.refs)


def _pooled_fields(spec: Table) -> tuple[str, ...]:
    """Id-valued fields that are neither the id nor a declared reference (attribute.link_id)."""
    return tuple(
        f.name for f in spec.fields
        if f.prop is None and f.name != "id" and f.name not in spec.ref_fields and f.name.endswith("_id")
    )


_POOLED_FIELDS: Final[dict[str, tuple[str, ...]]] = {name: _pooled_fields(t) for name, t in TABLES.items()}


def interned_columns(spec: Table) -> frozenset[str]:
    """HSDS fields whose values are interned per column: text that is not an id (ids are pooled)."""
    ids = {"id", *spec.ref_fields, *_POOLED_FIELDS[spec.name]}
    return frozenset(f.name for f in spec.fields if f.kind in TEXT_KINDS and f.name not in ids)


def prop_columns(spec: Table) -> frozenset[str]:
    """HSDS fields whose values make a record's properties (all but the id and the references)."""
    return frozenset(f.name for f in spec.fields if f.name != "id" and f.name not in spec.ref_fields)


class ValueCache:
    """The distinct values seen so far (value -> the one object kept for it)."""

    __slots__ = ("values", "seen", "max_distinct")

    def __init__(self, max_distinct: float = 0.5) -> None:
        self.values: dict[Any, Any] = {}
        self.seen = 0
        self.max_distinct = max_distinct

    def counted(self, n: int) -> bool:
        """Account for `n` more values; False (and the cache emptied) once they prove too varied
        for the cache to pay."""
        self.seen += n
        if self.seen >= _MIN_SEEN and len(self.values) > self.max_distinct * self.seen:
            self.values = {}
            return False
        return True


class Pool:
    """Per-load caches that make equal values one object."""

    def __init__(self) -> None:
        # Ids of referenced tables and every reference: one string per id, read before or after
        # the record it names. (Two equal strings would both stay until the plan is built, and
        # the second one's memory could not serve the plan once freed.)
        self.ids: dict[Any, Any] = {"": None}
        self._caches: dict[tuple[str, Any], ValueCache | None] = {}  # None: the cache stopped

    def column(self, table: str, name: Any, max_distinct: float = 0.5) -> ValueCache | None:
        """The cache of a column (or of whole records, by the columns they are read from), or
        None once it stopped."""
        key = (table, name)
        try:
            return self._caches[key]
        except KeyError:
            cache = self._caches[key] = ValueCache(max_distinct)
            return cache

    def stop(self, table: str, name: Any) -> None:
        self._caches[(table, name)] = None

    def intern(self, table: str, name: str, values: list[Any]) -> None:
        """Intern the values of a column in place (any None left as is)."""
        cache = self.column(table, name)
        if cache is None:
            return
        setdefault = cache.values.setdefault
        for i, value in enumerate(values):
            if value is not None:
                values[i] = setdefault(value, value)
        if not cache.counted(len(values)):
            self.stop(table, name)


# --- stores ---------------------------------------------------------------------------------

# The size of the smallest dict of n str keys. A dict keeps the hash table it grew to: pydantic's
# output grew with the id and the references, which are taken out of it.
_MIN_DICT_SIZE: Final[tuple[int, ...]] = tuple(
    sys.getsizeof(dict(zip(map(str, range(n)), range(n), strict=True))) for n in range(128)
)


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """`data`, or a copy of it in the smallest hash table its keys need."""
    n = len(data)
    if n < len(_MIN_DICT_SIZE) and sys.getsizeof(data) > _MIN_DICT_SIZE[n]:
        return dict(zip(data, data.values(), strict=True))  # dict(data) may keep the table's size
    return data


class JsonOrigins:
    """What JSON records carry beyond CSV ones, aligned with the store's records."""

    __slots__ = ("prefixes", "implied", "top", "pos")

    def __init__(self) -> None:
        self.prefixes: list[str] = []
        self.implied: list[list[Link]] = []
        self.top: list[bool] = []
        self.pos: dict[str, int] = {}  # record id -> its index


class Store:
    """The records of one table in source order, and the ids of its invalid ones (so that
    references to them are not reported a second time).

    `recs` maps each valid record's id to its properties (keyed by graph property); once the plan
    is built, to its plan node, or to None for records that became relationships. Everything
    else is aligned with it: `refs` holds one column per `Table.refs` field, `rows` the row (CSV)
    or record number (JSON) of each record, `files` the index of the first record of each file.
    """

    def __init__(self, nrefs: int = 0) -> None:
        self.recs: dict[str, Any] = {}
        self.refs: list[list[Any]] = [[] for _ in range(nrefs)]
        self.rows = array("I")
        self.files: list[str] = []
        self.file_starts: list[int] = []
        self.json: JsonOrigins | None = None
        self.pos: dict[str, int] | None = None  # CSV: record id -> index, kept once a duplicate is seen
        self.bad: set[str] = set()
        # A file of the table could not be read to its end (or lacked a required column): references
        # to ids not found are not reported, as they may well be in the part that could not be read.
        self.incomplete = False

    def has(self, rid: str) -> bool:
        return rid in self.recs or rid in self.bad

    def unknown(self, rid: str) -> bool:
        """Is `rid` a dangling reference worth reporting?"""
        return not self.incomplete and rid not in self.bad and rid not in self.recs

    def origin(self, i: int) -> Origin:
        """Where record `i` came from."""
        file = self.files[bisect_right(self.file_starts, i) - 1]
        return file, self.rows[i], self.json.prefixes[i] if self.json is not None else ""

    def index(self, rid: str) -> int:
        """Position of a valid record."""
        if self.json is not None:
            return self.json.pos[rid]
        if self.pos is None:
            self.pos = {known: i for i, known in enumerate(self.recs)}
        return self.pos[rid]

    def implied(self, i: int) -> list[Link]:
        return self.json.implied[i] if self.json is not None else _NO_LINKS

    def release(self) -> None:
        """Drop everything but which ids are valid or invalid (the plan is built from it) and where each
        record came from (a row number each: `RecordOrigins`, for --skip-invalid)."""
        self.refs = []
        self.json = None
        self.pos = None

    def origins(self, table: str) -> RecordOrigins:
        """Where each of the table's records came from (after the plan is built: its nodes, in order)."""
        return RecordOrigins(table, list(self.recs), self.rows, self.files, self.file_starts)

    def start_file(self, file: str) -> None:
        """The records filed next come from `file`."""
        if not self.files or self.files[-1] != file:
            self.files.append(file)
            self.file_starts.append(len(self.recs))


class RecordOrigins:
    """Where the records of one table came from, looked up by id only when asked (a load with problems
    asks for a few of them; the others cost nothing)."""

    __slots__ = ("table", "ids", "rows", "files", "file_starts", "_pos")

    def __init__(self, table: str, ids: list[str], rows: array[int], files: list[str],
                 file_starts: list[int]) -> None:
        self.table, self.ids, self.rows, self.files, self.file_starts = table, ids, rows, files, file_starts
        self._pos: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def find(self, rid: str) -> tuple[str, int] | None:
        """(file, row) of record `rid`, or None when it is not one of the table's."""
        if self._pos is None:
            self._pos = {known: i for i, known in enumerate(self.ids)}
        i = self._pos.get(rid)
        if i is None:
            return None
        return self.files[bisect_right(self.file_starts, i) - 1], self.rows[i]


def new_stores() -> dict[str, Store]:
    return {name: Store(len(t.refs)) for name, t in TABLES.items()}


_KIND_WORDS: Final[dict[Kind, str]] = {
    "str": "a string", "num": "a number", "lat": "a number", "lon": "a number",
    "date": "a date string", "datetime": "a date-time string", "time": "a time string",
}
_RANGE_ERRORS: Final = frozenset({"greater_than_equal", "less_than_equal", "finite_number"})
_UNSTORABLE_TEXT_ERRORS: Final = frozenset({"string_pattern_mismatch", "string_unicode"})
_COORDINATES: Final = ("latitude", "longitude")
_NO_LINKS: Final[list[Link]] = []  # shared by every CSV record; never mutated (CSV records never merge)

# Per table: (validated key, HSDS name, allowed values) of its enumerated fields.
_ENUMS: Final[dict[str, list[tuple[str, str, tuple[str, ...]]]]] = {
    spec.name: [
        (key, name, allowed) for (table, name), allowed in ENUMS.items() if table == spec.name
        for key in [next(k for k, v in spec.hsds_names.items() if v == name)]
    ]
    for spec in TABLES.values()
}


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


def _validate(
    batch: Batch, spec: Table, report: Report, adapter: TypeAdapter[list[dict[str, Any]]],
    todo: Sequence[int] | None = None, no_id: Sequence[int] = (),
) -> tuple[list[dict[str, Any] | None], set[int]]:
    """Validate the rows `todo` of the batch (None: all of them): their validated dicts, aligned
    with the batch (None for a row with an error, whose problems are reported, and for rows not
    validated), and the rows with a problem. `no_id`: rows without the id, which `adapter` does
    not check (CSV)."""
    rows = batch.rows
    which: Sequence[int] = range(len(rows)) if todo is None else todo
    done: list[dict[str, Any]] | None
    try:
        done = adapter.validate_python(rows if todo is None else [rows[i] for i in todo], strict=batch.strict)
        by_row: dict[int, dict[str, ErrorDetails]] = {}
    except ValidationError as exc:
        done = None
        by_row = {which[k]: errors for k, errors in _errors_by_row(exc.errors()).items()}
    for i in no_id:
        missing = ErrorDetails(type="missing", loc=(i, "id"), msg="Field required", input=rows[i])
        by_row.setdefault(i, {})["id"] = missing
    if done is None:
        which = [i for i in which if i not in by_row]
        done = adapter.validate_python([rows[i] for i in which], strict=batch.strict)
    if todo is None and len(done) == len(rows):
        out = cast("list[dict[str, Any] | None]", done)
    else:
        out = [None] * len(rows)
        for i, data in zip(which, done, strict=True):
            out[i] = data
    for i in sorted(by_row):
        out[i] = None
        file, row_number, prefix = batch.origin(i)
        record, node = batch.whose(i)
        fatal = False
        drop: set[str] = set()
        for name, err in sorted(by_row[i].items()):
            is_error, message, fields = _judge(spec, name, err, batch.strict)
            if is_error:
                report.error(file, row_number, prefix + name, message, record=record, node=node)
                fatal = True
            else:
                report.warning(file, row_number, prefix + name, message, record=record, node=node)
                drop.update(fields)
        if fatal:
            continue
        fixed = {k: v for k, v in rows[i].items() if k not in drop}
        try:
            out[i] = adapter.validate_python([fixed], strict=batch.strict)[0]
        except ValidationError as again:  # cannot happen for the errors above; never lose a problem
            for err in again.errors():
                name = str(err["loc"][1]) if len(err["loc"]) > 1 else ""
                report.error(file, row_number, prefix + name, err["msg"], record=record, node=node)
    return out, set(by_row)


def absorb(batch: Batch, stores: dict[str, Store], report: Report, pool: Pool | None = None) -> None:
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
    if batch.broken:  # rows that could not be read: references to them are not reported as unknown
        store.bad.update(batch.broken)
    if not batch.rows:
        return
    pool = pool if pool is not None else Pool()
    rows = batch.rows
    # CSV records read from the same property cells validate to equal properties, with the same
    # problems: once a record's cells have validated without any, later records with those cells
    # get the same dict without being validated again (a schedule, a phone or a language record
    # is often the same as many others but for its id and its parent), while the table proves
    # that repetitive.
    share = pool.column(spec.name, batch.key_space, SHARED_MAX_DISTINCT) if batch.nul_free else None
    if batch.nul_free:  # pydantic makes dicts of the properties only; id and references are as read
        assert batch.ids is not None and batch.refs is not None
        no_id = [i for i, rid in enumerate(batch.ids) if not rid] if "" in batch.ids else []
        known = batch.known
        todo = [i for i, props in enumerate(known) if props is None] if known is not None else None
        validated, problems = _validate(batch, spec, report, spec.csv_props_adapter, todo, no_id)
        if known is not None:
            validated = [v if k is None else k for k, v in zip(known, validated, strict=True)]
            for i in no_id:
                validated[i] = None
    else:
        todo = None
        validated, problems = _validate(batch, spec, report, spec.adapter)
    fresh: Sequence[int] = range(len(rows)) if todo is None else todo  # rows validated now
    all_valid = not problems
    if all_valid:
        where: Sequence[int] = range(len(rows))
        good = cast("list[dict[str, Any]]", validated)
    else:
        where = [i for i, data in enumerate(validated) if data is not None]
        good = [validated[i] for i in where]  # type: ignore[misc]  # not None
    if batch.nul_free:
        assert batch.ids is not None and batch.refs is not None
        if all_valid:
            rids: list[str] = batch.ids
            refs: list[list[Any]] = batch.refs
        else:
            rids = [batch.ids[i] for i in where]
            refs = [[column[i] for i in where] for column in batch.refs]
    else:
        rids = [data.pop("id") for data in good]
        refs = [[data.pop(name, None) for data in good] for name in spec.ref_fields]
        good = list(map(compact, good))  # pydantic's dicts grew with the id and the references
        for j, data in zip(where, good, strict=True):
            validated[j] = data
    ids = pool.ids.setdefault
    if spec.name in _REFERENCED:
        rids = list(map(ids, rids, rids))
    for column in refs:
        column[:] = map(ids, column, column)  # and "" (an empty CSV cell) becomes None
    checked = [(i, props) for i in fresh if (props := validated[i]) is not None]  # valid rows validated now
    for name in _POOLED_FIELDS[spec.name]:
        for _, props in checked:
            value = props.get(name)
            if value is not None:
                props[name] = ids(value, value)
    if batch.strict:  # JSON values are not interned as they are read (CSV ones are)
        _intern_values(spec, good, pool)
    for key, name, allowed in _ENUMS[spec.name]:
        for i, props in checked:
            value = props.get(key)
            if value is not None and value not in allowed:
                problems.add(i)
                _fix_enum(props, key, name, value, allowed, batch, i, report)
    if share is not None:
        assert batch.keys is not None
        keep, keys = share.values.setdefault, batch.keys
        for i, props in checked:
            if i not in problems:
                validated[i] = keep(keys[i], props)
        good = cast("list[dict[str, Any]]", validated) if all_valid else [validated[i] for i in where]  # type: ignore[misc]
        if not share.counted(len(rows)):
            pool.stop(spec.name, batch.key_space)
    store.start_file(batch.file)
    recs, bad = store.recs, store.bad
    if (
        all_valid and batch.row_numbers is None and recs.keys().isdisjoint(rids) and bad.isdisjoint(rids)
        and len(set(rids)) == len(rids)
    ):  # valid CSV rows with new ids, the usual case: file them all at once
        start = len(recs)
        recs.update(zip(rids, good, strict=True))
        for column, values in zip(store.refs, refs, strict=True):
            column += values
        store.rows.extend(range(batch.first_row, batch.first_row + len(good)))
        if store.pos is not None:
            store.pos.update(zip(rids, range(start, start + len(rids)), strict=True))
        return
    j = 0  # index into the valid rows
    for i, valid in enumerate(validated):  # in source order: which copy of an id comes first matters
        if valid is None:
            rid = batch.ids[i] if batch.ids is not None else rows[i].get("id")
            if isinstance(rid, str) and rid:
                bad.add(rid)
            elif batch.row_numbers is not None:  # a JSON object without an id: what is nested in it names this
                bad.add(unnamed(*batch.origin(i)))
            continue
        rid, data = rids[j], good[j]
        row_refs = tuple(column[j] for column in refs)
        j += 1
        if rid in recs or rid in bad:
            _repeated(spec, store, rid, data, row_refs, batch, i, report)
        else:
            _file(store, rid, data, row_refs, batch, i)


def _file(store: Store, rid: str, data: dict[str, Any], refs: tuple[Any, ...], batch: Batch, i: int) -> None:
    index = len(store.recs)
    store.recs[rid] = data
    for column, value in zip(store.refs, refs, strict=True):
        column.append(value)
    if batch.row_numbers is None:
        store.rows.append(batch.first_row + i)
        if store.pos is not None:
            store.pos[rid] = index
        return
    assert batch.prefixes is not None and batch.implied is not None and batch.top is not None
    extra = store.json
    if extra is None:
        extra = store.json = JsonOrigins()
    store.rows.append(batch.row_numbers[i])
    extra.prefixes.append(batch.prefixes[i])
    extra.implied.append(batch.implied[i])
    extra.top.append(batch.top[i])
    extra.pos[rid] = index


def _intern_values(spec: Table, good: list[dict[str, Any]], pool: Pool) -> None:
    """Intern the text values of JSON records, per property."""
    keys: dict[str, None] = {}
    for data in good:
        keys.update(dict.fromkeys(data))
    text = {(f.property_name or f.name) for f in spec.fields if f.name in interned_columns(spec)}
    for key in keys:
        if key not in text:
            continue
        values = [data.get(key) for data in good]
        pool.intern(spec.name, key, values)
        for data, value in zip(good, values, strict=True):
            if value is not None:
                data[key] = value


def _fix_enum(
    data: dict[str, Any], key: str, name: str, value: Any, allowed: tuple[str, ...],
    batch: Batch, i: int, report: Report,
) -> None:
    folded = " ".join(str(value).replace("_", " ").split()).lower()
    if folded in allowed:
        data[key] = folded
    else:
        file, row, prefix = batch.origin(i)
        record, node = batch.whose(i)
        report.warning(file, row, prefix + name, f"{value!r} is not one of {', '.join(allowed)}; kept as given",
                       record=record, node=node)


def _repeated(
    spec: Table, store: Store, rid: str, data: dict[str, Any], refs: tuple[Any, ...],
    batch: Batch, i: int, report: Report,
) -> None:
    """A second record with an id already seen: a duplicate (an error), or, for an object nested in
    JSON, another copy of the same record (merged)."""
    first = store.index(rid) if rid in store.recs else None
    file, row, prefix = batch.origin(i)
    if batch.top is not None:
        if first is None:  # the first copy was invalid and is reported already
            return
        assert store.json is not None
        if not (batch.top[i] and store.json.top[first]):
            assert batch.implied is not None
            _merge(spec, store, rid, first, data, refs, batch.implied[i], (file, row, prefix), report)
            return
    where = ""
    if first is not None:
        first_file, first_row, _ = store.origin(first)
        where = f" (first at row {first_row})" if first_file == file else f" (first in {first_file} row {first_row})"
    # Which of the two is meant is unknown: with --skip-invalid, the record goes (both copies) with its dependants.
    report.error(file, row, prefix + "id", f"duplicate {spec.name.replace('_', ' ')} id {rid!r}{where}",
                 record=(spec.name, rid), node=(spec.label, rid) if spec.label is not None else None)


def _merge(
    spec: Table, store: Store, rid: str, first: int, data: dict[str, Any], refs: tuple[Any, ...],
    implied: list[Link], origin: Origin, report: Report,
) -> None:
    """Another copy of a nested JSON object (record `first` of the store): fill in what the first
    copy lacked, warn on conflicts."""
    file, row, prefix = origin
    first_file, first_row, _ = store.origin(first)
    props = store.recs[rid]

    def conflict(name: str) -> None:
        report.warning(
            file, row, prefix + name,
            f"differs from another copy of {spec.name.replace('_', ' ')} {rid!r} "
            f"({first_file} row {first_row}); the first value is kept",
            record=(spec.name, rid), node=(spec.label, rid) if spec.label is not None else None,
        )

    for key, value in data.items():
        old = props.get(key)
        if old is None:
            props[key] = value
        elif old != value:
            conflict(spec.hsds_names.get(key, key))
    for k, value in enumerate(refs):
        column = store.refs[k]
        if value is not None and column[first] is None:
            column[first] = value
        elif value is not None and column[first] != value:
            conflict(spec.ref_fields[k])
    links = store.implied(first)
    assert links is not _NO_LINKS
    links.extend(link for link in implied if link not in links)
