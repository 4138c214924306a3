"""A mapping file (docs/mapping.md) read into checked dataclasses, every mistake located as `MAP.yaml:LINE`.

Three passes, each only when the one before found nothing wrong: the YAML itself; its shape against the
JSON Schema shipped beside this module (`mapping.schema.json`, the one users' editors validate with); then
what a schema cannot say (a field the HSDS table lacks, a link to an object the mapping never makes or of
the wrong table, a reader on the wrong table, an `each` key without `{$item}`). The files' columns are
checked later, against their headers (`loaders.mapped.columns`), still before any data row is read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from loaders.hsds.models import TABLES
from loaders.mapped.oe_terms import OeTerms, read_oe_terms
from loaders.mapped.templates import ITEM, Template

SCHEMA_PATH: Final = Path(__file__).with_name("mapping.schema.json")
READERS: Final = {"hours": "schedule", "languages": "language"}  # reader -> the one table it makes
TAGGABLE: Final = frozenset({"organization", "service", "location", "service_at_location"})
MAPPABLE: Final = frozenset({
    "organization", "program", "service", "location", "service_at_location", "address", "phone", "schedule",
    "language", "contact", "service_area", "cost_option", "required_document", "accessibility", "funding",
})

Path_ = tuple[str | int, ...]  # a place in the YAML document: keys and list indexes


class MappingError(Exception):
    """Mistakes in a mapping file, each `MAP.yaml:LINE: message`; nothing was read or loaded."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Value:
    """Where a field's value comes from (docs/mapping.md, "Values")."""

    column: str | None = None
    first_of: tuple[str, ...] = ()
    template: Template | None = None
    join: tuple[Value, ...] = ()  # several values, the ones given joined by `separator`
    separator: str = " "
    constant: str | None = None
    split: str | None = None
    value_map: dict[str, str | None] | None = None  # case-folded, trimmed source value -> value (None: left out)
    otherwise: str = "warn"  # a value the map lacks: warn (left out), keep, error
    default: str | None = None  # the value where the source gives none
    line: int = 0

    def columns(self) -> list[str]:
        named = [self.column] if self.column else list(self.first_of)
        return named + (self.template.columns if self.template else []) + [c for v in self.join for c in v.columns()]


@dataclass(frozen=True)
class Link:
    field: str
    target: str  # object name
    keys: tuple[Template, ...]  # the first that gives a key not in `none`; () = the target's own key, same row
    none: frozenset[str] = frozenset()  # key values that mean "no link" ("0", "-1")
    line: int = 0


@dataclass(frozen=True)
class Vocabulary:
    kind: str  # airs | open-eligibility | local
    taxonomy_id: str = ""  # local only
    name: str = ""


@dataclass(frozen=True)
class Tags:
    column: str
    vocabulary: Vocabulary
    split: str
    names: str | None
    link_type: str | None  # None: the vocabulary's own (AIRS Y… codes are eligibility)
    line: int = 0
    terms: OeTerms | None = None  # open-eligibility: the taxonomy file, so that values may be term names


@dataclass(frozen=True)
class Where:
    column: str
    equals: frozenset[str] | None  # case-folded, trimmed; None: not_empty
    line: int = 0
    negated: bool = False  # not_in: holds where the value is empty or none of `equals`


@dataclass(frozen=True)
class ObjectSpec:
    name: str
    table: str
    file: str | None
    key: Template
    where: tuple[Where, ...] = ()  # every one must hold for a row to make the object
    staff_only: Where | None = None  # a row where it holds makes a staff-only record (the source keeps it private)
    each: tuple[str, str] | None = None  # (column, delimiter)
    read: tuple[str, tuple[str, ...]] | None = None  # (reader, its columns: the first that is not empty is read)
    fields: dict[str, Value] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    tags: tuple[Tags, ...] = ()
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)  # "key", "each", "read" -> the line that gives it

    def columns(self) -> list[tuple[str, int]]:
        """Every column the object reads, with the line that names it."""
        line = self.lines.get
        out = [(c, line("key", self.line)) for c in self.key.columns]
        out += [(w.column, w.line) for w in self.where]
        if self.staff_only:
            out.append((self.staff_only.column, self.staff_only.line))
        if self.each:
            out.append((self.each[0], line("each", self.line)))
        if self.read:
            out += [(c, line("read", self.line)) for c in self.read[1]]
        out += [(c, v.line) for v in self.fields.values() for c in v.columns()]
        out += [(c, link.line) for link in self.links for key in link.keys for c in key.columns]
        out += [(c, t.line) for t in self.tags for c in (t.column, t.names) if c]
        return out


@dataclass(frozen=True)
class Mapping:
    path: Path
    objects: dict[str, ObjectSpec]
    delimiters: dict[str, str]  # file name -> delimiter
    dataset: str | None = None

    def where(self, line: int) -> str:
        return f"{self.path.name}:{line}"


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


class _Lines:
    """The line of every place in the document (1-based), for messages."""

    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}

    def of(self, path: Path_) -> int:
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def _to_python(node: yaml.Node, path: Path_, lines: _Lines) -> Any:
    lines.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            lines.lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _read_yaml(path: Path) -> tuple[Any, _Lines]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError([f"{path.name}:0: cannot read the mapping: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise MappingError([f"{path.name}:0: the mapping is not UTF-8 text"]) from None
    lines = _Lines()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = _to_python(node, (), lines) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise MappingError([f"{path.name}:{line}: not valid YAML: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise MappingError([f"{path.name}:0: not valid YAML: {exc}"]) from None
    return data, lines


def _unexpected(error: ValidationError) -> list[str]:
    """The keys an `additionalProperties` error is about."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    patterns = error.schema.get("patternProperties", {}) if isinstance(error.schema, dict) else {}
    return [k for k in error.instance if k not in known and not any(re.search(p, str(k)) for p in patterns)]


def _error_line(error: ValidationError, lines: _Lines) -> int:
    """The line of what a schema error is about: an unknown key's own line, else the value's."""
    path = tuple(error.absolute_path)
    unexpected = _unexpected(error)
    return lines.of((*path, unexpected[0])) if unexpected else lines.of(path)


def _schema_message(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "the mapping"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message.replace('Additional properties are not allowed', 'unknown key')}"
    if error.validator in ("oneOf", "anyOf"):
        described = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
        return f"{where}: {error.instance!r} is not valid here" + (f" ({described})" if described else "")
    return f"{where}: {error.message}"


def read_mapping(path: Path) -> Mapping:
    """The mapping at `path`, checked; MappingError listing every mistake otherwise."""
    path = Path(path)
    data, lines = _read_yaml(path)
    errors = sorted((_error_line(e, lines), _schema_message(e)) for e in _validator().iter_errors(data))
    if errors:
        raise MappingError([f"{path.name}:{line}: {message}" for line, message in errors])
    problems: list[str] = []
    objects = {name: _object(name, spec, lines, path, problems) for name, spec in data["objects"].items()}
    files = data.get("files") or {}
    mapping = Mapping(path, objects, {name: f.get("delimiter", ",") for name, f in files.items()},
                      data.get("dataset"))
    if not problems:
        _check_links(mapping, lines, problems)
    if problems:
        raise MappingError(problems)
    return mapping


def _template(text: str, where: Path_, lines: _Lines, path: Path, problems: list[str]) -> Template:
    try:
        return Template.parse(text)
    except ValueError as exc:
        problems.append(f"{path.name}:{lines.of(where)}: {exc}")
        return Template.parse("")


def _value(raw: Any, where: Path_, lines: _Lines, path: Path, problems: list[str]) -> Value:
    line = lines.of(where)
    if isinstance(raw, str):
        return Value(column=raw, line=line)
    value_map = None
    if "map" in raw:
        value_map = {_fold(str(k)): None if v is None else _text(v) for k, v in raw["map"].items()}
    default = _text(raw["default"]) if "default" in raw else None
    common = {"value_map": value_map, "otherwise": raw.get("otherwise", "warn"), "default": default, "line": line}
    if "column" in raw:
        return Value(column=raw["column"], split=raw.get("split"), **common)
    if "first_of" in raw:
        return Value(first_of=tuple(raw["first_of"]), **common)
    if "template" in raw:
        return Value(template=_template(raw["template"], (*where, "template"), lines, path, problems), **common)
    if "join" in raw:
        parts = tuple(_value(part, (*where, "join", i), lines, path, problems) for i, part in enumerate(raw["join"]))
        return Value(join=parts, separator=raw.get("separator", " "), **common)
    return Value(constant=_text(raw["value"]), **common)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _vocabulary(raw: Any) -> Vocabulary:
    if isinstance(raw, str):
        return Vocabulary(raw)
    return Vocabulary("local", raw["id"], raw["name"])


def _object(name: str, raw: dict[str, Any], lines: _Lines, path: Path, problems: list[str]) -> ObjectSpec:
    at: Path_ = ("objects", name)
    line = lines.of(at)
    table = raw["table"]
    if table not in MAPPABLE:
        problems.append(f"{path.name}:{lines.of((*at, 'table'))}: {table!r} is no table a mapping can make; "
                        f"one of {', '.join(sorted(MAPPABLE))}")
        table = "organization"
    spec = TABLES[table]
    known = {f.name for f in spec.fields}

    def problem(where: Path_, message: str) -> None:
        problems.append(f"{path.name}:{lines.of(where)}: {message}")

    key = _template(raw["key"], (*at, "key"), lines, path, problems)
    fields: dict[str, Value] = {}
    for field_name, value in (raw.get("fields") or {}).items():
        where = (*at, "fields", field_name)
        if field_name not in known or field_name == "id" or field_name in spec.ref_fields:
            hint = (" (a reference: give it under links)" if field_name in spec.ref_fields
                    else " (the id is made from the key)" if field_name == "id" else "")
            problem(where, f"{table} has no field {field_name!r}{hint}; its fields are "
                           + ", ".join(sorted(known - {"id"} - set(spec.ref_fields))))
            continue
        fields[field_name] = _value(value, where, lines, path, problems)
    links = []
    for field_name, link in (raw.get("links") or {}).items():
        where = (*at, "links", field_name)
        if field_name not in spec.ref_fields:
            problem(where, f"{table} has no reference {field_name!r}; its references are "
                           + (", ".join(spec.ref_fields) or "none"))
            continue
        if isinstance(link, str):
            links.append(Link(field_name, link, (), line=lines.of(where)))
        else:
            keys = link.get("key", [])
            keys = [keys] if isinstance(keys, str) else keys
            links.append(Link(field_name, link["object"],
                              tuple(_template(k, (*where, "key"), lines, path, problems) for k in keys),
                              frozenset(_fold(_text(v)) for v in link.get("none", ())), line=lines.of(where)))
    each = (raw["each"]["column"], raw["each"]["split"]) if "each" in raw else None
    if each and ITEM not in key.columns:
        problem((*at, "key"), f"object {name!r} is made once per value of {each[0]!r}: its key must use {{{ITEM}}}")
    read = None
    if "read" in raw:
        reader, columns = next(iter(raw["read"].items()))
        read = (reader, (columns,) if isinstance(columns, str) else tuple(columns))
    if read and READERS[read[0]] != table:
        problem((*at, "read"), f"the {read[0]} reader makes {READERS[read[0]]} objects, not {table}")
    if read and each:
        problem((*at, "read"), "an object has either `each` or `read`, not both")
    tags = []
    for i, tag in enumerate(raw.get("taxonomy") or ()):
        where = (*at, "taxonomy", i)
        if table not in TAGGABLE:
            problem(where, f"{table} objects cannot be tagged; only {', '.join(sorted(TAGGABLE))}")
        terms = None
        if "terms" in tag:
            if tag["vocabulary"] != "open-eligibility":
                problem((*where, "terms"), "terms: a taxonomy file goes with vocabulary: open-eligibility only")
            else:
                try:
                    terms = read_oe_terms(path.parent / tag["terms"])
                except ValueError as exc:
                    problem((*where, "terms"), f"{exc} (the path is relative to the mapping's folder)")
        tags.append(Tags(tag["column"], _vocabulary(tag["vocabulary"]), tag.get("split", ";"), tag.get("names"),
                         tag.get("link_type"), lines.of(where), terms))
    conditions = raw.get("where") or []
    where = tuple(_where(w, (*at, "where", i) if isinstance(raw["where"], list) else (*at, "where"), lines)
                  for i, w in enumerate(conditions if isinstance(conditions, list) else [conditions]))
    staff_only = _where(raw["staff_only"], (*at, "staff_only"), lines) if "staff_only" in raw else None
    given: dict[str, int] = {part: lines.of((*at, part)) for part in ("key", "each", "read") if part in raw}
    return ObjectSpec(name, table, raw.get("file"), key, where, staff_only, each, read, fields, tuple(links),
                      tuple(tags), line, given)


def _where(raw: dict[str, Any], at: Path_, lines: _Lines) -> Where:
    values = (None if raw.get("not_empty") else [raw["equals"]] if "equals" in raw
              else raw["not_in"] if "not_in" in raw else raw["in"])
    return Where(raw["column"], frozenset(_fold(_text(v)) for v in values) if values is not None else None,
                 lines.of(at), negated="not_in" in raw)


def _check_links(mapping: Mapping, lines: _Lines, problems: list[str]) -> None:
    for spec in mapping.objects.values():
        refs = {r.field: r for r in TABLES[spec.table].refs}
        for link in spec.links:
            target = mapping.objects.get(link.target)
            where = f"{mapping.path.name}:{link.line}"
            if target is None:
                made = ", ".join(sorted(mapping.objects))
                problems.append(f"{where}: {link.field} links to {link.target!r}, an object the mapping never makes "
                                f"(it makes {made})")
                continue
            wanted = refs[link.field].target
            if target.table != wanted:
                problems.append(f"{where}: {link.field} must name a {wanted} object; {link.target!r} makes "
                                f"{target.table} objects")
            if not link.keys and target.file is not None and spec.file is not None and target.file != spec.file:
                problems.append(f"{where}: {link.target!r} is made from {target.file}, not {spec.file}: say which "
                                f"of its keys a row names, as {{object: {link.target}, key: \"{{COLUMN}}\"}}")

