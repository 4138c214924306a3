"""The query catalogue: named `.cypher` files with a header, loaded by name and dialect.

A query file looks like::

    // name: service_by_id
    // params: id
    // returns: one
    // purpose: A service's name and its organization's name, by HSDS id.
    MATCH (s:Service {id: $id}) ...

`returns` is one of one | many | scalar | none. The loader refuses a file whose declared
params differ from the `$params` it uses, naming the file and line.

Dialects: `queries/NAME.cypher` is written in the Cypher both engines accept; where FalkorDB
differs, `queries/falkordb/NAME.cypher` overrides it for that engine only.

Templates: a load query may declare `// template: label` (or `from, type, to`); its body then
holds `{label}`-style slots that are filled only from the whitelist in `graph.schema.model`
(never from input), so one file serves every label and each expansion is linted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from graph.engine import Dialect
from graph.schema.model import DERIVED_LABELS, NODE_LABELS, RELATIONSHIPS

QUERY_DIR = Path(__file__).parent
DIALECTS: tuple[Dialect, ...] = ("neo4j", "falkordb")
Returns = Literal["one", "many", "scalar", "none"]

_HEADER = re.compile(r"^//\s*(\w+)\s*:\s*(.*?)\s*$")
# $param outside string literals and comments.
_STRINGS_AND_COMMENTS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SLOT = re.compile(r"\{(label|from|type|to)\}")


class QueryFileError(ValueError):
    """A catalogue file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    params: frozenset[str]
    returns: Returns
    purpose: str
    path: Path
    template: tuple[str, ...] = ()

    def expand(self, **slots: str) -> Query:
        """Fill a template's slots from the model's whitelist (never from user input)."""
        if set(slots) != set(self.template):
            raise ValueError(f"query {self.name} needs slots {list(self.template)}, got {sorted(slots)}")
        if "label" in slots and slots["label"] not in (*NODE_LABELS, *DERIVED_LABELS):
            raise ValueError(f"{slots['label']!r} is not a label of graph.schema.model")
        if "type" in slots and (slots["from"], slots["type"], slots["to"]) not in RELATIONSHIPS:
            raise ValueError(f"{(slots['from'], slots['type'], slots['to'])!r} is not a relationship of the model")
        text = _SLOT.sub(lambda m: slots[m.group(1)], self.text)
        suffix = ",".join(slots[s] for s in self.template)
        return Query(f"{self.name}[{suffix}]", text, self.params, self.returns, self.purpose, self.path)


def _parse(path: Path, name: str) -> Query:
    lines = path.read_text(encoding="utf-8").splitlines()
    header: dict[str, tuple[str, int]] = {}
    body_start = 0
    for number, line in enumerate(lines, start=1):
        match = _HEADER.match(line)
        if not match:
            body_start = number - 1
            break
        header[match.group(1)] = (match.group(2), number)
    else:
        body_start = len(lines)
    text = "\n".join(lines[body_start:]).strip()
    for key in ("name", "params", "returns", "purpose"):
        if key not in header:
            raise QueryFileError(f"{path}:1: header lacks '// {key}: …'")
    declared_name, line_no = header["name"]
    if declared_name != name:
        raise QueryFileError(f"{path}:{line_no}: name {declared_name!r} does not match the file name {name!r}")
    returns, line_no = header["returns"]
    if returns not in ("one", "many", "scalar", "none"):
        raise QueryFileError(f"{path}:{line_no}: returns must be one | many | scalar | none, not {returns!r}")
    params_text, params_line = header["params"]
    declared = frozenset(p.strip().lstrip("$") for p in params_text.split(",") if p.strip() and p.strip() != "-")
    used = frozenset(_PARAM.findall(_STRINGS_AND_COMMENTS.sub("", text)))
    if declared != used:
        missing, extra = sorted(used - declared), sorted(declared - used)
        raise QueryFileError(
            f"{path}:{params_line}: params declared {sorted(declared)} but the query uses {sorted(used)}"
            + (f" (undeclared: {missing})" if missing else "")
            + (f" (unused: {extra})" if extra else "")
        )
    template_text = header.get("template", ("", 0))[0]
    template = tuple(s.strip() for s in template_text.split(",") if s.strip())
    if set(_SLOT.findall(text)) != set(template):
        raise QueryFileError(f"{path}:1: template slots {sorted(set(_SLOT.findall(text)))} must be declared")
    return Query(name, text, declared, returns, header["purpose"][0], path, template)  # type: ignore[arg-type]


def _path_for(name: str, dialect: Dialect) -> Path:
    override = QUERY_DIR / dialect / f"{name}.cypher"
    if dialect != "neo4j" and override.exists():
        return override
    return QUERY_DIR / f"{name}.cypher"


@cache
def load(name: str, dialect: Dialect) -> Query:
    """The query NAME as the given engine runs it."""
    path = _path_for(name, dialect)
    if not path.exists():
        raise KeyError(f"no query {name!r} in {QUERY_DIR} (expected {path.name})")
    return _parse(path, name)


def names() -> list[str]:
    """Every query name in the catalogue (shared files; overrides have a shared twin)."""
    found = []
    for path in sorted(QUERY_DIR.rglob("*.cypher")):
        rel = path.relative_to(QUERY_DIR)
        if rel.parts[0] in DIALECTS:
            continue
        found.append(str(rel.with_suffix("")))
    return found


def expansions(query: Query) -> list[Query]:
    """A plain query as itself; a template as every expansion the model allows."""
    if not query.template:
        return [query]
    if query.template == ("label",):
        return [query.expand(label=label) for label in NODE_LABELS]
    if query.template == ("from", "type", "to"):
        return [query.expand(**{"from": a, "type": t, "to": b}) for a, t, b in sorted(RELATIONSHIPS)]
    raise QueryFileError(f"{query.path}:1: unsupported template slots {query.template}")


def all_queries(dialect: Dialect) -> list[Query]:
    """Every query, templates expanded, as `dialect` runs it: what the lint test checks."""
    out: list[Query] = []
    for name in names():
        out.extend(expansions(load(name, dialect)))
    return out


def check_overrides() -> list[str]:
    """Problems with override files: an override without a shared twin is an error."""
    problems = []
    shared = set(names())
    for dialect in DIALECTS:
        for path in sorted((QUERY_DIR / dialect).rglob("*.cypher")):
            name = str(path.relative_to(QUERY_DIR / dialect).with_suffix(""))
            if name not in shared:
                problems.append(f"{path}: override of {name!r} has no shared queries/{name}.cypher")
    return problems
