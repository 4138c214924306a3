"""Sweeping responses for values a source marked private (issue 16).

A test plants a marker in every private value of a fixture (a unique word such as `zqxmarker07`, or
a private phone number or point), then reads what a surface answers and asks where each marker shows.
Here: the markers and where they were planted, the scans (a JSON value path by path, a CSV row by
row and column by column, any other text line by line), each finding a `Leak` that says which marker,
where it was planted and where it showed; and GraphQL requests built from the schema's introspection
(every scalar of a type, its object fields followed to the types not yet on the path), so a field
added to the schema is swept without anyone remembering to.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Json = Any  # a decoded JSON value
EXCERPT = 60  # characters either side of a marker in a leak's excerpt


class SweepError(AssertionError):
    """The sweep met something it does not know how to call; the message says what to teach it."""


# ---------------------------------------------------------------- markers and leaks


@dataclass(frozen=True)
class Marker:
    text: str  # as planted
    planted: str  # where: "EligibilityIsPrivate on record 140 (Eligibility)"
    pattern: re.Pattern[str]

    def __str__(self) -> str:
        return f"{self.text!r} ({self.planted})"


def word_marker(text: str, planted: str) -> Marker:
    """A made-up word, found in any case (`zqxmarker1` does not match in `zqxmarker12`)."""
    return Marker(text, planted, re.compile(re.escape(text) + r"(?!\d)", re.IGNORECASE))


def number_marker(text: str, planted: str) -> Marker:
    """A phone number or a coordinate, found whatever separates its digit groups (`202-555-0101`,
    `(202) 555 0101`), never as part of a longer number."""
    groups = re.findall(r"\d+", text)
    return Marker(text, planted, re.compile(r"(?<![\d.])" + r"\D{0,3}".join(groups) + r"(?!\d)"))


@dataclass(frozen=True)
class Leak:
    marker: Marker
    surface: str  # the request or file: "GraphQL (public) services(text: $text) with {...}"
    path: str  # where in it: "data.a3.edges[0].node.locations[0].name", "locations.csv row 4, name"
    excerpt: str

    def __str__(self) -> str:
        return f"{self.marker} in {self.surface} at {self.path}: …{self.excerpt}…"


def _excerpt(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - EXCERPT):match.end() + EXCERPT].replace("\n", " ")


def scan_string(text: str, markers: Iterable[Marker], surface: str, path: str) -> list[Leak]:
    return [Leak(m, surface, path, _excerpt(text, found)) for m in markers if (found := m.pattern.search(text))]


def scan_json(value: Json, markers: Iterable[Marker], surface: str, path: str = "") -> list[Leak]:
    """Every string and number of a JSON value (keys are field names, not values)."""
    markers = tuple(markers)
    if isinstance(value, dict):
        return [leak for key, item in value.items()
                for leak in scan_json(item, markers, surface, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [leak for i, item in enumerate(value) for leak in scan_json(item, markers, surface, f"{path}[{i}]")]
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return scan_string(str(value), markers, surface, path or "(the value)")
    return []


def scan_body(body: str, content_type: str, markers: Iterable[Marker], surface: str) -> list[Leak]:
    """An HTTP response body: JSON walked path by path, NDJSON line by line, anything else as text."""
    markers = tuple(markers)
    if "ndjson" in content_type:
        return [leak for number, line in enumerate(body.splitlines(), start=1) if line.strip()
                for leak in scan_json(json.loads(line), markers, surface, f"line {number}")]
    if "json" in content_type:
        return scan_json(json.loads(body), markers, surface)
    return scan_lines(body, markers, surface)


def scan_lines(text: str, markers: Iterable[Marker], surface: str) -> list[Leak]:
    markers = tuple(markers)
    return [leak for number, line in enumerate(text.splitlines(), start=1)
            for leak in scan_string(line, markers, surface, f"line {number}")]


def scan_file(path: Path, markers: Iterable[Marker], surface: str) -> list[Leak]:
    """A file of an export: CSV cell by cell (row, column), NDJSON and JSON path by path, else line by line."""
    markers = tuple(markers)
    where = f"{surface} {path.name}"
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [leak for number, row in enumerate(csv.DictReader(handle), start=2)
                    for column, cell in row.items() if cell
                    for leak in scan_string(cell, markers, where, f"row {number}, column {column}")]
    if path.suffix == ".ndjson":
        return scan_body(text, "ndjson", markers, where)
    if path.suffix == ".json":
        return scan_json(json.loads(text), markers, where)
    return scan_lines(text, markers, where)


def record_ids(value: Json) -> list[str]:
    """The ids of the records in a JSON value (objects with an `id`), in document order."""
    if isinstance(value, dict):
        own = [str(value["id"])] if value.get("id") is not None else []
        return own + [i for item in value.values() for i in record_ids(item)]
    if isinstance(value, list):
        return [i for item in value for i in record_ids(item)]
    return []


def listed_ids(value: Json) -> list[str]:
    """The ids of the records a list answer holds: a connection's nodes, an HSDS page's contents (else
    every record in it)."""
    if isinstance(value, dict):
        if isinstance(value.get("edges"), list):
            return [str((edge.get("node") or {}).get("id")) for edge in value["edges"]]
        for key in ("nodes", "contents"):
            if isinstance(value.get(key), list):
                return [str(item.get("id")) for item in value[key] if isinstance(item, dict)]
    return record_ids(value)


def edges_of(value: Json, wanted: str, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(path, edge) for every connection edge of a JSON value whose node's `id` is `wanted`."""
    if isinstance(value, dict):
        node = value.get("node")
        own = [(path, value)] if isinstance(node, dict) and node.get("id") == wanted else []
        return own + [edge for key, item in value.items()
                      for edge in edges_of(item, wanted, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [edge for i, item in enumerate(value) for edge in edges_of(item, wanted, f"{path}[{i}]")]
    return []


def objects_with_id(value: Json, wanted: str, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, object) for every object of a JSON value whose `id` is `wanted`."""
    if isinstance(value, dict):
        if value.get("id") == wanted:
            yield path or "(the value)", value
        for key, item in value.items():
            yield from objects_with_id(item, wanted, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from objects_with_id(item, wanted, f"{path}[{i}]")


# ---------------------------------------------------------------- GraphQL from introspection


def named_type(ref: Json) -> Json:
    """The named type under a type reference's NON_NULL and LIST wrappers."""
    while ref.get("ofType"):
        ref = ref["ofType"]
    return ref


def type_text(ref: Json) -> str:
    """A type reference as GraphQL writes it (`[ID!]!`), for a variable's declaration."""
    if ref["kind"] == "NON_NULL":
        return f"{type_text(ref['ofType'])}!"
    if ref["kind"] == "LIST":
        return f"[{type_text(ref['ofType'])}]"
    return str(ref["name"])


def is_required(argument: Json) -> bool:
    return bool(argument["type"]["kind"] == "NON_NULL" and argument.get("defaultValue") is None)


class Introspected:
    """The schema as its introspection answered."""

    def __init__(self, result: Json) -> None:
        schema = result["__schema"]
        self.types: dict[str, Json] = {t["name"]: t for t in schema["types"]}
        self.query_type: str = schema["queryType"]["name"]

    def fields(self, type_name: str) -> list[Json]:
        return list(self.types[type_name].get("fields") or [])

    def query_fields(self) -> list[Json]:
        return self.fields(self.query_type)

    def selection(self, type_name: str, *, first: int, path: tuple[str, ...] = ()) -> str:
        """Every field of an object type: its scalars and enums, and its object fields with their own
        selection, except types already on the path (the graph is cyclic: a service's organization's
        services are the services again, which other top-level fields fetch). A field's `first` is
        `first`; a field with another required argument is something to teach the sweep."""
        path = (*path, type_name)
        parts = []
        for field in self.fields(type_name):
            name, target = field["name"], named_type(field["type"])
            required = [a["name"] for a in field["args"] if is_required(a) and a["name"] != "first"]
            if required:
                raise SweepError(f"{type_name}.{name} needs {', '.join(required)}: teach tests/sweep.py what to pass")
            args = f"(first: {first})" if any(a["name"] == "first" for a in field["args"]) else ""
            if target["kind"] in ("SCALAR", "ENUM"):
                parts.append(f"{name}{args}")
            elif target["kind"] == "OBJECT":
                if target["name"] not in path:
                    parts.append(f"{name}{args} {{ {self.selection(target['name'], first=first, path=path)} }}")
            else:
                raise SweepError(f"{type_name}.{name} is a {target['kind']} ({target['name']}): "
                                 "teach tests/sweep.py to select it")
        return " ".join(parts)


@dataclass(frozen=True)
class FieldCall:
    """One call of a top-level field: its argument values, and the marker it asks for, if any (a word it
    searches for, the id of a record the public is not told of): it may find nothing for the public."""

    args: dict[str, Any]
    probe: Marker | None = None


def field_document(schema: Introspected, field: Json, calls: dict[str, FieldCall], *,
                   first: int) -> tuple[str, dict[str, Any]]:
    """(document, variables) calling one top-level field once per alias of `calls`, every argument a
    variable (declared with the argument's own type), the field's selection written once as a fragment
    (nested lists `first` long)."""
    arguments = {a["name"]: a for a in field["args"]}
    target = named_type(field["type"])
    fragment = (f"fragment Swept on {target['name']} {{ {schema.selection(target['name'], first=first)} }}"
                if target["kind"] == "OBJECT" else "")
    declarations, aliases, variables = [], [], {}
    for alias, call in calls.items():
        passed = []
        for name, value in call.args.items():
            variable = f"{alias}_{name}"
            declarations.append(f"${variable}: {type_text(arguments[name]['type'])}")
            variables[variable] = value
            passed.append(f"{name}: ${variable}")
        written = f"({', '.join(passed)})" if passed else ""
        aliases.append(f"{alias}: {field['name']}{written}{' { ...Swept }' if fragment else ''}")
    header = f"query Sweep({', '.join(declarations)})" if declarations else "query Sweep"
    return f"{header} {{ {' '.join(aliases)} }} {fragment}", variables
