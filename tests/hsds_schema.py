"""Validate objects against the official HSDS 3.0 JSON Schemas (../shared/data/hsds-3.0/schema), offline.

Every schema file is registered (with the `referencing` library) under its file name (the schemas
`$ref` each other as "phone.json") and under the URLs the HSDS OpenAPI document uses for it
(`…/specification/3.0/schema/NAME` and `…/schema/compiled/NAME`: the compiled forms are the same
objects with their `$ref`s resolved), so no `$ref` ever reaches the network.

The API's compiled forms nest two objects the per-table schemas do not declare (the official examples
organization_full.json and service_at_location_full.json carry them): an organization's `services`
and a service at location's `service`; both are added, each validated as a service.

The schemas do not forbid unknown properties, so a misspelt field (`adress_1`) would pass; `strict`
(the default) validates against copies that add `additionalProperties: false` to every object schema,
so an object may only carry the fields HSDS defines.

    from tests.hsds_schema import validate, errors
    validate(obj, "service")                # raises jsonschema.ValidationError
    assert errors(obj, "service.json") == []  # or list every problem as "path: message"
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import SHARED_DATA

SCHEMA_DIR = SHARED_DATA / "hsds-3.0" / "schema"
_URL_BASES = (
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/",
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/compiled/",
)


# Properties of the compiled forms that the per-table schemas lack.
_COMPILED: dict[str, dict[str, Any]] = {
    "organization.json": {"services": {"type": "array", "items": {"$ref": "service.json"}}},
    "service_at_location.json": {"service": {"$ref": "service.json"}},
}


def _closed(schema: Any) -> Any:
    """A copy of `schema` in which every object schema with properties forbids other properties."""
    if isinstance(schema, dict):
        out = {key: _closed(value) for key, value in schema.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


@cache
def _schemas(folder: Path = SCHEMA_DIR) -> dict[str, dict[str, Any]]:
    if not folder.is_dir():
        raise FileNotFoundError(f"no HSDS schemas at {folder} (the shared data folder sits beside the checkout)")
    out = {}
    for path in sorted(folder.glob("*.json")):
        if path.name != "openapi.json":
            schema = json.loads(path.read_text(encoding="utf-8"))
            schema["properties"] = {**schema["properties"], **_COMPILED.get(path.name, {})}
            out[path.name] = schema
    return out


@cache
def registry(strict: bool = True) -> Registry[Any]:
    """Every HSDS schema, by file name and by its published URLs."""
    resources = []
    for name, schema in _schemas().items():
        contents = _closed(copy.deepcopy(schema)) if strict else schema
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources += [(uri, resource) for uri in (name, *(base + name for base in _URL_BASES))]
    return Registry().with_resources(resources)


def _name(schema: str) -> str:
    return schema if schema.endswith(".json") else f"{schema}.json"


@cache
def validator(schema: str, strict: bool = True) -> Draft202012Validator:
    """A validator of one HSDS schema ("service" or "service.json"), its `$ref`s resolved locally."""
    name = _name(schema)
    if name not in _schemas():
        raise KeyError(f"no HSDS schema {name!r}; there are {sorted(_schemas())}")
    return Draft202012Validator({"$ref": name}, registry=registry(strict))


def errors(obj: Any, schema: str, *, strict: bool = True) -> list[str]:
    """Every way `obj` breaks the schema, as "path: message" (empty when it is valid)."""
    found = sorted(validator(schema, strict).iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in found]


def validate(obj: Any, schema: str, *, strict: bool = True) -> None:
    """Raise `jsonschema.ValidationError` (the most relevant error) unless `obj` is valid."""
    validator(schema, strict).validate(obj)
