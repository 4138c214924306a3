"""The JSON Schema of mapping files (loaders/mapped/mapping.schema.json) against docs/mapping.md: the mappings that
ship and the examples of the page validate, and the mistakes the page names are rejected at the right place."""

from __future__ import annotations

import copy
import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "loaders" / "mapped" / "mapping.schema.json"
MAPPINGS = sorted((ROOT / "mappings").glob("*.yaml"))
DOC = ROOT / "docs" / "mapping.md"
DOC_EXAMPLES = re.findall(r"^```yaml\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(validator: Draft202012Validator, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(doc)]


def flattened(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """The errors and, for anyOf / oneOf, the errors of each branch, to find the one that says why."""
    for error in errors:
        yield error
        yield from flattened(iter(error.context or ()))


def test_the_schema_is_a_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_definition_says_what_it_is(schema: dict[str, Any]) -> None:
    """Users read the descriptions in their editor: every definition and every property of an object has one."""
    missing = [f"$defs/{name}" for name, d in schema["$defs"].items() if not d.get("description")]
    missing += [f"properties/{name}" for name, d in schema["properties"].items() if not d.get("description")]
    missing += [
        f"$defs/{name}/properties/{prop}"
        for name, d in schema["$defs"].items()
        for prop, p in d.get("properties", {}).items()
        if not p.get("description") and "$ref" not in p
    ]
    assert not missing, missing


def test_there_are_mappings_and_examples_to_check() -> None:
    assert any(path.name == "florida-legal-aid.yaml" for path in MAPPINGS), MAPPINGS
    assert DOC_EXAMPLES, f"no ```yaml block in {DOC}"


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: p.name)
def test_every_shipped_mapping_validates(validator: Draft202012Validator, path: Path) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert problems(validator, doc) == []


@pytest.mark.parametrize("text", DOC_EXAMPLES, ids=lambda t: f"example-{DOC_EXAMPLES.index(t) + 1}")
def test_the_examples_of_the_documentation_validate(validator: Draft202012Validator, text: str) -> None:
    assert problems(validator, yaml.safe_load(text)) == []


# ---------------------------------------------------------------- mistakes


def example() -> Doc:
    """The first mapping of docs/mapping.md (organization, service, location, address, service at location,
    schedule, language objects), to break one way at a time."""
    doc: Doc = yaml.safe_load(DOC_EXAMPLES[0])
    return doc


def _set(*path: str | int, to: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        *parents, last = path
        target: Any = doc
        for key in parents:
            target = target[key]
        target[last] = to
    return change


def _drop(*path: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        *parents, last = path
        target: Any = doc
        for key in parents:
            target = target[key]
        del target[last]
    return change


BROKEN: list[tuple[str, Callable[[Doc], None], tuple[str | int, ...], str]] = [
    # (what is wrong, the change to the valid example, where the error is, the JSON Schema keyword that says so)
    ("unknown top-level key", _set("objekts", to={}), (), "additionalProperties"),
    ("unknown object key", _set("objects", "provider", "feilds", to={"name": "provider"}),
     ("objects", "provider"), "additionalProperties"),
    ("table not in the enum", _set("objects", "provider", "table", to="organisation"),
     ("objects", "provider", "table"), "enum"),
    ("value spec with two sources", _set("objects", "provider", "fields", "name", to={"column": "provider",
                                                                                         "value": "Food bank"}),
     ("objects", "provider", "fields", "name"), "oneOf"),
    ("read with both readers", _set("objects", "hours", "read", to={"hours": "hours", "languages": "languages"}),
     ("objects", "hours", "read"), "maxProperties"),
    ("version 2", _set("version", to=2), ("version",), "const"),
    ("no version", _drop("version"), (), "required"),
    ("no objects", _drop("objects"), (), "required"),
    ("an object without a key", _drop("objects", "provider", "key"), ("objects", "provider"), "required"),
    ("an object name with a space", _set("objects", "food bank", to={"table": "organization", "key": "{x}"}),
     ("objects",), "pattern"),
    ("a value spec with no source", _set("objects", "provider", "fields", "name", to={"map": {"a": "b"}}),
     ("objects", "provider", "fields", "name"), "oneOf"),
    ("an unknown key in a value spec", _set("objects", "provider", "fields", "name", to={"colum": "provider"}),
     ("objects", "provider", "fields", "name"), "additionalProperties"),
    ("split beside a template", _set("objects", "provider", "fields", "name", to={"template": "{provider}",
                                                                                     "split": ";"}),
     ("objects", "provider", "fields", "name"), "dependentRequired"),
    ("otherwise without a map", _set("objects", "provider", "fields", "name", to={"column": "provider",
                                                                                     "otherwise": "keep"}),
     ("objects", "provider", "fields", "name"), "dependentRequired"),
    ("otherwise not warn, keep or error", _set("objects", "provider", "fields", "name",
                                               to={"column": "provider", "map": {"a": "b"}, "otherwise": "drop"}),
     ("objects", "provider", "fields", "name", "otherwise"), "enum"),
    ("where with two conditions", _set("objects", "provider", "where", to={"column": "provider", "equals": "x",
                                                                             "not_empty": True}),
     ("objects", "provider", "where"), "oneOf"),
    ("where not_empty false", _set("objects", "provider", "where", to={"column": "provider", "not_empty": False}),
     ("objects", "provider", "where", "not_empty"), "const"),
    ("each without split", _set("objects", "language", to={"table": "language", "key": "{provider_id}-{$item}",
                                                           "each": {"column": "languages"}}),
     ("objects", "language", "each"), "required"),
    ("read with no reader", _set("objects", "hours", "read", to={}), ("objects", "hours", "read"), "minProperties"),
    ("a link object without its key", _set("objects", "service", "links", "organization_id", to={"object": "provider"}),
     ("objects", "service", "links", "organization_id"), "required"),
    ("an unknown vocabulary", _set("objects", "service", "taxonomy",
                                   to=[{"column": "service_code", "vocabulary": "airs211"}]),
     ("objects", "service", "taxonomy", 0, "vocabulary"), "anyOf"),
    ("a link_type not need or eligibility", _set("objects", "service", "taxonomy",
                                                 to=[{"column": "service_code", "vocabulary": "airs",
                                                      "link_type": "target"}]),
     ("objects", "service", "taxonomy", 0, "link_type"), "enum"),
    ("an empty list of conditions", _set("objects", "provider", "where", to=[]), ("objects", "provider", "where"),
     "minItems"),
    ("an empty not_in", _set("objects", "provider", "where", to={"column": "provider", "not_in": []}),
     ("objects", "provider", "where", "not_in"), "minItems"),
    ("staff_only as a list", _set("objects", "provider", "staff_only", to=[{"column": "provider", "not_empty": True}]),
     ("objects", "provider", "staff_only"), "type"),
    ("none as one value", _set("objects", "service", "links", "organization_id",
                               to={"object": "provider", "key": "{provider_id}", "none": "0"}),
     ("objects", "service", "links", "organization_id", "none"), "type"),
    ("a two-character delimiter", _set("files", to={"providers.csv": {"delimiter": ";;"}}),
     ("files", "providers.csv", "delimiter"), "maxLength"),
]


def _nested(a: tuple[str | int, ...], b: tuple[str | int, ...]) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


@pytest.mark.parametrize(("change", "where", "keyword"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN])
def test_a_broken_mapping_is_rejected_where_it_is_wrong(
    validator: Draft202012Validator, change: Callable[[Doc], None], where: tuple[str | int, ...], keyword: str
) -> None:
    doc = copy.deepcopy(example())
    change(doc)
    errors = list(validator.iter_errors(doc))
    assert errors, "the broken mapping validates"
    # every error is about the broken place: there, inside it, or the object or value that holds it
    assert all(_nested(tuple(e.absolute_path), where) for e in errors), problems(validator, doc)
    found = {(tuple(e.absolute_path), e.validator) for e in flattened(iter(errors))}
    assert (where, keyword) in found, sorted(found, key=str)


OTHER_FORMS: list[tuple[str, Callable[[Doc], None]]] = [
    # forms of docs/mapping.md that its first example does not use
    ("where: a list of conditions", _set("objects", "provider", "where", to=[
        {"column": "provider", "not_empty": True}, {"column": "service_code", "in": ["FOOD", "MEALS"]}])),
    ("where: not_in", _set("objects", "provider", "where", to={"column": "service_code", "not_in": ["X"]})),
    ("where: equals a number", _set("objects", "provider", "where", to={"column": "zip", "equals": 62701})),
    ("staff_only", _set("objects", "provider", "staff_only", to={"column": "service_code", "not_in": ["No"]})),
    ("a value with a default", _set("objects", "provider", "fields", "description",
                                    to={"column": "provider", "default": "A coalition member"})),
    ("a value through a map", _set("objects", "service", "fields", "status",
                                   to={"column": "service_code", "map": {"FOOD": "active"}, "otherwise": "keep"})),
    ("first_of", _set("objects", "provider", "fields", "name", to={"first_of": ["provider", "service"]})),
    ("split beside column", _set("objects", "provider", "fields", "name", to={"column": "provider", "split": ";"})),
    ("a link by a list of keys with none", _set("objects", "service", "links", "organization_id", to={
        "object": "provider", "key": ["{provider_id}", "{service_code}"], "none": ["0", -1]})),
    ("a reader on a list of columns", _set("objects", "hours", "read", to={"hours": ["hours", "service"]})),
    ("each", _set("objects", "language", to={"table": "language", "key": "{provider_id}-{$item}",
                                               "each": {"column": "languages", "split": ","},
                                               "fields": {"name": "$item"}, "links": {"service_id": "service"}})),
    ("taxonomy", _set("objects", "service", "taxonomy", to=[
        {"column": "service_code", "vocabulary": "airs", "split": ";", "names": "service", "link_type": "need"},
        {"column": "service_code", "vocabulary": "open-eligibility"},
        {"column": "service_code", "vocabulary": {"id": "springfield", "name": "Springfield codes"},
         "link_type": "eligibility"}])),
    ("files", _set("files", to={"providers.csv": {"delimiter": "\t"}})),
    ("dataset", _set("dataset", to="springfield")),
]


@pytest.mark.parametrize("change", [c[1] for c in OTHER_FORMS], ids=[c[0] for c in OTHER_FORMS])
def test_every_documented_form_validates(validator: Draft202012Validator, change: Callable[[Doc], None]) -> None:
    doc = copy.deepcopy(example())
    change(doc)
    assert problems(validator, doc) == []


def test_the_example_the_mistakes_start_from_is_valid(validator: Draft202012Validator) -> None:
    assert problems(validator, example()) == []


# ---------------------------------------------------------------- the Florida mapping and its data


def _columns(value: Any) -> Iterator[str]:
    """The columns a value spec, key, link or reader names (not `$item`)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        if "column" in value:
            yield value["column"]
        yield from value.get("first_of", ())
        if "template" in value:
            yield from re.findall(r"\{([^{}]+)\}", value["template"])


def test_the_florida_mapping_names_only_columns_its_files_have(shared_data: Path) -> None:
    doc = yaml.safe_load((ROOT / "mappings" / "florida-legal-aid.yaml").read_text(encoding="utf-8"))
    folder = shared_data / "florida-legal-aid"
    headers = {}
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as f:
            headers[path.name] = {h.strip().lower() for h in next(csv.reader(f))}
    missing = []
    for name, spec in doc["objects"].items():
        named = [*re.findall(r"\{([^{}]+)\}", spec["key"])]
        named += [c for v in (spec.get("fields") or {}).values() for c in _columns(v)]
        keys = [link["key"] for link in (spec.get("links") or {}).values() if isinstance(link, dict)]
        named += [c for key in keys for k in ([key] if isinstance(key, str) else key)
                  for c in _columns({"template": k})]
        named += [t[k] for t in spec.get("taxonomy", ()) for k in ("column", "names") if k in t]
        conditions = spec.get("where", [])
        named += [c["column"] for c in [spec.get("each"), spec.get("staff_only"),
                                        *(conditions if isinstance(conditions, list) else [conditions])] if c]
        named += [c for read in spec.get("read", {}).values() for c in ([read] if isinstance(read, str) else read)]
        missing += [f"{name}: {c}" for c in named if c != "$item" and c.strip().lower() not in headers[spec["file"]]]
    assert not missing, missing
