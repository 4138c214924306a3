"""Rows of mapped files -> HSDS records, one per object name and key, ready to be validated as an HSDS package's.

Every object of the mapping reads the rows of its file: a row that passes `where` and gives a key makes (or adds
to) the object of that key, once per value of an `each` cell or per slot or language a reader finds. Rows with
the same key are one record: each field keeps the first value given, and a later, different one is a warning
naming both rows (`--strict` makes it an error, so `--skip-invalid --strict` leaves the record out). Values
stay text: HSDS types are checked by the same validation as an HSDS CSV package (loaders.hsds.records).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from loaders.airs211.privacy import CONFIDENTIAL_LOCATION, mark, mark_record
from loaders.hours_text import read_hours
from loaders.hsds.models import TABLES
from loaders.hsds.records import Batch
from loaders.mapped.spec import Mapping, ObjectSpec, Value, Where
from loaders.mapped.templates import normalise_column
from loaders.mapped.vocabularies import Vocabularies
from loaders.ohana.files import CsvFile, Row
from loaders.plan import GraphPlan
from loaders.report import Report
from loaders.toolkit.languages import read_languages

# Schedule properties the hours reader gives (graph names) -> HSDS schedule fields.
_SCHEDULE_FIELDS: Final = TABLES["schedule"].hsds_names
_VOCABULARY_NAMES: Final = {"airs": "AIRS/211", "open-eligibility": "Open Eligibility"}


@dataclass
class Record:
    """One object of the mapping: its HSDS values (id and references included) and where each came from."""

    table: str
    file: str
    row: int  # the first row that made it
    values: dict[str, str]
    rows: dict[str, int] = field(default_factory=dict)  # field -> the row its value came from


@dataclass
class Made:
    records: dict[str, dict[str, Record]] = field(default_factory=dict)  # object name -> id -> record
    vocabularies: Vocabularies = field(default_factory=Vocabularies)
    staff_only: set[str] = field(default_factory=set)  # ids of records made from a row the source keeps private


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class Builder:
    def __init__(self, mapping: Mapping, namespace: str, report: Report) -> None:
        self.mapping, self.namespace, self.report = mapping, namespace, report
        self.made = Made({name: {} for name in mapping.objects})

    def record_id(self, name: str, key: str) -> str:
        return f"{self.namespace}:{name}:{key}"

    def rows(self, spec: ObjectSpec, table: CsvFile) -> None:
        """Make (or add to) `spec`'s objects from every row of `table`."""
        for row in table.rows:
            if not all(self._holds(where, row) for where in spec.where):
                continue
            private = spec.staff_only is not None and self._holds(spec.staff_only, row)
            for item, suffix, given in self._items(spec, row):
                key = spec.key.render(row.values, item)
                if key is None:
                    continue
                rid = self._make(spec, table.name, row, key + suffix, item, given)
                if spec.read is not None and "code" not in given and spec.table == "language":
                    self.report.warning(table.name, row.number, spec.read[1][0],
                                        f"{given['name']!r} is no language name the loader knows (no ISO 639 "
                                        "code); kept by name", record=(spec.table, rid))
                if private:
                    self.made.staff_only.add(rid)

    @staticmethod
    def _holds(where: Where, row: Row) -> bool:
        value = row.get(normalise_column(where.column))
        if where.equals is None:
            return value is not None
        return (value is not None and _fold(value) in where.equals) != where.negated

    def _items(self, spec: ObjectSpec, row: Row) -> Iterator[tuple[str | None, str, dict[str, str]]]:
        """(the `{$item}` value, what the reader adds to the key, the fields a reader found) for each object the
        row makes."""
        if spec.each is not None:
            column, delimiter = spec.each
            seen: dict[str, None] = {}
            for part in (row.get(normalise_column(column)) or "").split(delimiter):
                if part.strip():
                    seen.setdefault(part.strip(), None)
            for part in seen:
                yield part, "", {}
            return
        if spec.read is None:
            yield None, "", {}
            return
        reader, columns = spec.read
        column, text = next(((c, v) for c in columns if (v := row.get(normalise_column(c)))), (columns[0], None))
        if not text:
            return
        if reader == "hours":
            for i, schedule in enumerate(read_hours(text).schedules(), start=1):
                yield None, f":{i}", {_SCHEDULE_FIELDS[k]: str(v) for k, v in schedule.items() if v is not None}
            return
        found = read_languages(text)
        for code, name in found.codes.items():
            yield None, f":{code}", {"code": code, "name": name}
        for name in found.unknown:
            yield None, f":{name.casefold()}", {"name": name}  # reported once its record is known

    def _make(self, spec: ObjectSpec, file: str, row: Row, key: str, item: str | None,
              given: dict[str, str]) -> str:
        """Make or add to the record of `key`; its id."""
        rid = self.record_id(spec.name, key)
        label = TABLES[spec.table].label
        whose = {"record": (spec.table, rid), "node": (label, rid) if label is not None else None}
        values: dict[str, str] = dict(given)
        for name, value in spec.fields.items():
            if name in values:
                continue
            found = self._value(value, row, item, file, name, whose)
            if found is not None:
                values[name] = found
        for link in spec.links:
            target = self.mapping.objects[link.target]
            keys = (k.render(row.values, item) for k in (link.keys or (target.key,)))
            target_key = next((k for k in keys if k is not None and _fold(k) not in link.none), None)
            if target_key is None:
                continue
            target_id = self.record_id(link.target, target_key)
            if target_id != rid:  # a record is not its own parent
                values[link.field] = target_id
        if label is not None:
            for tags in spec.tags:
                names = row.get(normalise_column(tags.names)) if tags.names else None
                for bad in self.made.vocabularies.read(tags, row.get(normalise_column(tags.column)), names,
                                                       (label, rid)):
                    self.report.warning(file, row.number, tags.column,
                                        f"{bad!r} is no {_VOCABULARY_NAMES[tags.vocabulary.kind]} code; left out",
                                        **whose)
        made = self.made.records[spec.name]
        record = made.get(rid)
        if record is None:
            made[rid] = Record(spec.table, file, row.number, {"id": rid, **values},
                               dict.fromkeys(values, row.number))
            return rid
        for name, text in values.items():
            old = record.values.get(name)
            if old is None:
                record.values[name] = text
                record.rows[name] = row.number
            elif old != text:
                first = record.rows.get(name, record.row)
                where = f"row {first}" if record.file == file else f"{record.file} row {first}"
                self.report.warning(file, row.number, name,
                                    f"{text!r} differs from {old!r} on {where} for the same {spec.name} "
                                    f"{key!r}; the first value is kept", **whose)
        return rid

    def _value(self, value: Value, row: Row, item: str | None, file: str, field_name: str,
               whose: dict[str, Any]) -> str | None:
        found: str | None
        if value.constant is not None:
            found = value.constant
        elif value.template is not None:
            found = value.template.render(row.values, item)
        elif value.join:
            given = [part for v in value.join if (part := self._value(v, row, item, file, field_name, whose))]
            found = value.separator.join(given) or None
        elif value.column is not None:
            found = item if value.column == "$item" else row.get(normalise_column(value.column))
            if found is not None and value.split:
                found = next((p.strip() for p in found.split(value.split) if p.strip()), None)
        else:
            found = next((v for c in value.first_of if (v := row.get(normalise_column(c)))), None)
        if found is None:
            return value.default
        if value.value_map is None:
            return found
        folded = _fold(found)
        if folded in value.value_map:
            return value.value_map[folded]  # None: the map leaves it out
        if value.otherwise == "keep":
            return found
        message = f"{found!r} is not in the mapping's map for {field_name} (line {value.line})"
        if value.otherwise == "error":
            self.report.error(file, row.number, field_name, message, **whose)
        else:
            self.report.warning(file, row.number, field_name, message + "; left out", **whose)
        return None

    def mark_staff_only(self, plan: GraphPlan) -> int:
        """Make the records of rows the source keeps private staff-only in the plan, as `load 211` does with
        ExcludeFromWebsite: their values and that they exist; a location's place too. How many were marked."""
        marked = 0
        for label, nodes in plan.nodes.items():
            for rid in self.made.staff_only.intersection(nodes):
                props = nodes[rid]["props"] = dict(nodes[rid]["props"])
                mark_record(props)
                if label == "Location":
                    mark(props, CONFIDENTIAL_LOCATION)
                marked += 1
        return marked

    def batches(self) -> Iterator[Batch]:
        """The records as HSDS batches, one per table and file, in the order they were made."""
        groups: dict[tuple[str, str], list[Record]] = {}
        for records in self.made.records.values():
            for record in records.values():
                groups.setdefault((record.table, record.file), []).append(record)
        for (table, file), group in groups.items():
            n = len(group)
            yield Batch(table=table, file=file, strict=False, rows=[dict(r.values) for r in group],
                        row_numbers=[r.row for r in group], prefixes=[""] * n, implied=[[] for _ in group],
                        top=[True] * n)
