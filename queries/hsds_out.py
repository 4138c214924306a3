"""Read side of HSDS 3.0 output: the records a nested HSDS object (a full service, organization,
service at location, taxonomy term) is made of, fetched as a small subgraph.

The graph stores each HSDS record as a node and each reference as a relationship (the inverse of
loaders/hsds). A nested HSDS object is a tree of those records, at most six relationships deep
(service -> organization -> location -> contact -> phone -> attribute term -> taxonomy). It is
fetched breadth first: each step is ONE query (`hsds_out/subgraph`) over every record reached so
far, whatever their number, so a page of N services costs as many round trips as one service
(about six), never one query per record. What a step follows from a record depends on how it was
reached (`_STEPS`): a service's organization is fetched without the organization's other services;
an organization's services are followed only when asked for in full.

Rows are plain data (frozen dataclasses over the engine's dicts, no validation): building pydantic
models for thousands of nested records per page would cost more than the query. Privacy and the
HSDS field names are the serializer's business (services/hsds/serialize.py); these functions return
every record as stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from graph.engine import GraphEngine
from graph.schema.model import NODE_PROPERTIES
from queries import catalogue, run

Direction = Literal["out", "in"]


@dataclass(frozen=True)
class Edge:
    """A relationship of a record: its type, direction, properties, and the record at its other end."""

    rel: str
    direction: Direction
    props: dict[str, Any]
    label: str
    id: str


@dataclass
class Subgraph:
    """Records by (label, id) -> properties, and each record's relationships fetched so far."""

    nodes: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str], list[Edge]] = field(default_factory=dict)
    # For the serializer: what it built from this subgraph (a record nested in many roots, such as an
    # organization's locations, is built once per caller role).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # A record's relationships by (type, direction), each list ordered: built on first use.
    _grouped: dict[tuple[str, str], dict[tuple[str, str], list[Edge]]] = field(
        default_factory=dict, repr=False, compare=False)

    def props(self, label: str, id: str) -> dict[str, Any] | None:
        return self.nodes.get((label, id))

    def related(self, label: str, id: str, rel: str, direction: Direction = "out") -> list[Edge]:
        """The relationships of one type from (or, `in`, to) a record, ordered by the other end's id."""
        key = (label, id)
        grouped = self._grouped.get(key)
        if grouped is None:
            grouped = {}
            for edge in self.edges.get(key, ()):
                grouped.setdefault((edge.rel, edge.direction), []).append(edge)
            for found in grouped.values():
                found.sort(key=lambda e: (e.id, str(e.props.get("id", ""))))
            self._grouped[key] = grouped
        return list(grouped.get((rel, direction), ()))


@dataclass(frozen=True)
class RecordGraph:
    """One root record (`label`, `id`) and the subgraph its nested HSDS form is built from (shared by
    every root fetched together)."""

    label: str
    id: str
    graph: Subgraph

    @property
    def props(self) -> dict[str, Any]:
        found = self.graph.props(self.label, self.id)
        assert found is not None
        return found


class ServiceGraph(RecordGraph):
    pass


class OrganizationGraph(RecordGraph):
    pass


class ServiceAtLocationGraph(RecordGraph):
    pass


class TermGraph(RecordGraph):
    pass


# The id lists of hsds_out/subgraph: the roots (their own properties), then per branch its label,
# the direction it follows and, per relationship type, the label at the other end.
_ROOTS: Final[dict[str, str]] = {
    "serviceRoots": "Service", "organizationRoots": "Organization",
    "serviceAtLocationRoots": "ServiceAtLocation", "termRoots": "TaxonomyTerm",
}
_BRANCHES: Final[dict[str, tuple[str, Direction, dict[str, str]]]] = {
    "services": ("Service", "out", {
        "HAS_PHONE": "Phone", "HAS_SCHEDULE": "Schedule", "SERVES_AREA": "ServiceArea", "OFFERED_IN": "Language",
        "HAS_FUNDING": "Funding", "HAS_COST_OPTION": "CostOption", "REQUIRES_DOCUMENT": "RequiredDocument",
        "HAS_CONTACT": "Contact", "TAGGED": "TaxonomyTerm",
    }),
    "serviceOwners": ("Service", "in", {"PROVIDES": "Organization", "INCLUDES": "Program"}),
    "serviceLocations": ("Service", "out", {"DELIVERED_AT": "ServiceAtLocation"}),
    "organizations": ("Organization", "out", {
        "HAS_FUNDING": "Funding", "HAS_CONTACT": "Contact", "HAS_PHONE": "Phone", "HAS_LOCATION": "Location",
        "RUNS": "Program", "HAS_IDENTIFIER": "OrganizationIdentifier", "TAGGED": "TaxonomyTerm",
    }),
    "organizationParents": ("Organization", "in", {"PARENT_OF": "Organization"}),
    "providers": ("Organization", "out", {"PROVIDES": "Service"}),
    "serviceAtLocations": ("ServiceAtLocation", "out", {
        "AT": "Location", "HAS_CONTACT": "Contact", "HAS_PHONE": "Phone", "HAS_SCHEDULE": "Schedule",
        "TAGGED": "TaxonomyTerm",
    }),
    "serviceAtLocationServices": ("ServiceAtLocation", "in", {"DELIVERED_AT": "Service"}),
    "locations": ("Location", "out", {
        "HAS_ADDRESS": "Address", "HAS_ACCESSIBILITY": "Accessibility", "HAS_PHONE": "Phone",
        "HAS_SCHEDULE": "Schedule", "OFFERED_IN": "Language", "HAS_CONTACT": "Contact", "TAGGED": "TaxonomyTerm",
    }),
    "contacts": ("Contact", "out", {"HAS_PHONE": "Phone", "TAGGED": "TaxonomyTerm"}),
    "phones": ("Phone", "out", {"OFFERED_IN": "Language", "TAGGED": "TaxonomyTerm"}),
    "programs": ("Program", "out", {"TAGGED": "TaxonomyTerm"}),
    "schedules": ("Schedule", "out", {"TAGGED": "TaxonomyTerm"}),
    "serviceAreas": ("ServiceArea", "out", {"TAGGED": "TaxonomyTerm"}),
    "addresses": ("Address", "out", {"TAGGED": "TaxonomyTerm"}),
    "terms": ("TaxonomyTerm", "out", {"IN_TAXONOMY": "Taxonomy", "BROADER": "TaxonomyTerm"}),
}
# The id lists, one per part: the keys of the query's one parameter, the map `$ids`. One map rather than a
# parameter per list: Neo4j keys a cached plan by the size of each list parameter (bucketed), so twenty
# lists whose sizes change from step to step were planned again on nearly every step (~0.5-2 s each).
PARAMS: Final[tuple[str, ...]] = (*_ROOTS, *_BRANCHES)

# Which stored properties are read, per label: the model's whitelist (graph.schema.model, never input),
# in its order, less what no HSDS field shows (the spatial point: latitude and longitude are read; a
# service area's extent digest). The query returns them as a list in this order (`[x.name, x.email, …]`),
# so the client decodes scalars, not maps; `id` comes apart, and `dataset` / `loadId` are not read.
_UNREAD: Final[frozenset[str]] = frozenset({"point", "extentKey"})
KEYS: Final[dict[str, tuple[str, ...]]] = {
    label: tuple(p for p in NODE_PROPERTIES[label] if p not in _UNREAD) for label in NODE_PROPERTIES
}
# Relationship properties read, per relationship type (attributes and languages only: the others carry
# none worth reading).
EDGE_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "TAGGED": ("id", "linkType", "linkEntity", "value"),
    "OFFERED_IN": ("id", "name", "note"),
}
# A tagged record's terms are shared by many records: the TAGGED row carries the term's id only, and
# its properties come once, with its taxonomy, in the next step (termRoots).
_DEFERRED: Final[frozenset[str]] = frozenset({"TAGGED"})


def _list(var: str, keys: Sequence[str]) -> str:
    return "[" + ", ".join(f"{var}.{key}" for key in keys) + "]" if keys else "null"


def _by_type(lists: Mapping[str, str]) -> str:
    """One value per relationship type (`CASE type(r) WHEN … END`, null for a type not named), or the one
    value they all share."""
    if len(set(lists.values())) == 1:
        return next(iter(lists.values()))
    return "CASE type(r) " + " ".join(f"WHEN '{rel}' THEN {value}" for rel, value in lists.items()
                                      if value != "null") + " END"  # no WHEN: null


# The query's parts in order: the roots, then the branches. A part's number is its first column.
_PART_NAMES: Final[tuple[str, ...]] = PARAMS


def _value_keys(rel: str, label: str) -> tuple[str, ...]:
    return () if rel in _DEFERRED else KEYS[label]


def subgraph_query() -> str:
    """The body of hsds_out/subgraph as this module reads it (the file must hold exactly this:
    `python -m queries.hsds_out` rewrites it after a change of the model or of the branches)."""
    parts = []
    for number, via in enumerate(_PART_NAMES):
        if via in _ROOTS:
            label = _ROOTS[via]
            parts.append(f"UNWIND $ids.{via} AS id\nMATCH (x:{label} {{id: id}})\n"
                         f"RETURN {number} AS part, '' AS rel, id, x.id AS child, null AS edge, "
                         f"{_list('x', KEYS[label])} AS value")
            continue
        label, direction, rels = _BRANCHES[via]
        types = "|".join(rels)
        arrow = f"-[r:{types}]->" if direction == "out" else f"<-[r:{types}]-"
        edge = _by_type({rel: _list("r", EDGE_KEYS.get(rel, ())) for rel in rels})
        value = _by_type({rel: _list("x", _value_keys(rel, target)) for rel, target in rels.items()})
        parts.append(f"UNWIND $ids.{via} AS id\nMATCH (:{label} {{id: id}}){arrow}(x)\n"
                     f"RETURN {number} AS part, type(r) AS rel, id, x.id AS child, {edge} AS edge, {value} AS value")
    return "\nUNION ALL\n".join(parts)


@cache
def _checked_query(dialect: str) -> None:
    """Refuse to read rows by a part table the query file does not match (a changed model, an edited file)."""
    text = catalogue.load(_QUERY, dialect).text
    if text != subgraph_query():
        raise RuntimeError(f"queries/{_QUERY}.cypher does not match queries/hsds_out.py: regenerate it with "
                           "`python -m queries.hsds_out`")


_QUERY: Final[str] = "hsds_out/subgraph"

# What to follow next from a record reached by (branch, relationship type): the branches its id joins.
# A label's full set: everything its nested HSDS form shows.
_FULL: Final[dict[str, tuple[str, ...]]] = {
    "Service": ("services", "serviceOwners", "serviceLocations"),
    "Organization": ("organizations", "organizationParents"),
    "ServiceAtLocation": ("serviceAtLocations",),
    "Location": ("locations",), "Contact": ("contacts",), "Phone": ("phones",), "Program": ("programs",),
    "Schedule": ("schedules",), "ServiceArea": ("serviceAreas",), "Address": ("addresses",),
    "TaxonomyTerm": ("terms",),
}
_STEPS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    **{(branch, rel): _FULL.get(label, ())
       for branch, (_, _, rels) in _BRANCHES.items() for rel, label in rels.items()},
    **{(branch, "TAGGED"): ("termRoots", "terms")  # an attribute's term: its properties and taxonomy
       for branch, (_, _, rels) in _BRANCHES.items() if "TAGGED" in rels},
    ("terms", "BROADER"): (),  # the parent term: its id only
    ("organizationParents", "PARENT_OF"): (),  # the parent organization: its id only
    ("serviceOwners", "PROVIDES"): ("organizations", "organizationParents"),  # not the organization's services
    ("serviceAtLocationServices", "DELIVERED_AT"): ("services", "serviceOwners"),  # not the service's other sites
}
# Flat forms (a service list): a service's organization and program, with the organization's parent id.
_FLAT_STEPS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("serviceOwners", "PROVIDES"): ("organizationParents",),
}
# Per (part number, relationship type): (label of the record it starts from, direction, label at the other
# end, keys of its value, keys of the relationship's, the branches the other end joins), per `steps` table.
_Plan = dict[tuple[int, str], tuple[str, Direction, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]]


@cache
def _plan(steps: tuple[tuple[tuple[str, str], tuple[str, ...]], ...]) -> _Plan:
    table = dict(steps)
    out: _Plan = {}
    for number, via in enumerate(_PART_NAMES):
        if via in _ROOTS:
            out[(number, "")] = (_ROOTS[via], "out", _ROOTS[via], KEYS[_ROOTS[via]], (), ())
            continue
        source, direction, rels = _BRANCHES[via]
        for rel, target in rels.items():
            out[(number, rel)] = (source, direction, target, _value_keys(rel, target), EDGE_KEYS.get(rel, ()),
                                  table.get((via, rel), ()))
    return out


def _fetch(db: GraphEngine, start: Mapping[str, Iterable[str]], steps: Mapping[tuple[str, str], tuple[str, ...]],
           extra: Mapping[tuple[str, str], tuple[str, ...]] | None = None) -> Subgraph:
    """Walk the subgraph breadth first from `start` (branch -> ids): one query per step."""
    _checked_query(db.dialect)
    plan = _plan(tuple(sorted({**steps, **(extra or {})}.items())))
    graph = Subgraph()
    nodes, edges = graph.nodes, graph.edges
    seen: dict[str, set[str]] = {name: set() for name in PARAMS}
    todo: dict[str, list[str]] = {name: [] for name in PARAMS}
    for name, ids in start.items():
        for rid in ids:
            if rid not in seen[name]:
                seen[name].add(rid)
                todo[name].append(rid)
    while any(todo.values()):
        rows = run.read(db, _QUERY, ids=todo)
        todo = {name: [] for name in PARAMS}
        for row in rows:
            rel: str = row["rel"]
            source, direction, label, keys, edge_keys, nexts = plan[(row["part"], rel)]
            child: str = row["child"]
            values = row["value"]
            if values is not None:
                props = {key: value for key, value in zip(keys, values, strict=True) if value is not None}
                props["id"] = child
                nodes[(label, child)] = props
            if not rel:
                continue
            found = row["edge"]
            edge = ({key: value for key, value in zip(edge_keys, found, strict=True) if value is not None}
                    if found is not None else {})
            edges.setdefault((source, row["id"]), []).append(Edge(rel, direction, edge, label, child))
            for name in nexts:
                if child not in seen[name]:
                    seen[name].add(child)
                    todo[name].append(child)
    return graph


def _unique(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def service_graphs(db: GraphEngine, *, ids: Sequence[str], nested: bool = True) -> dict[str, ServiceGraph]:
    """Everything the full HSDS form of each service needs (organization without its services, program,
    sites with their locations, phones, schedules, …, attributes with their terms), by id, in about
    six round trips whatever the number of ids. `nested=False`: only each service, its organization
    (with its parent's id) and its program, in two. Ids with no service are absent from the result."""
    wanted = _unique(ids)
    if nested:
        graph = _fetch(db, {"serviceRoots": wanted, **{name: wanted for name in _FULL["Service"]}}, _STEPS)
    else:
        graph = _fetch(db, {"serviceRoots": wanted, "serviceOwners": wanted}, _FLAT_STEPS)
    return {rid: ServiceGraph("Service", rid, graph) for rid in wanted if ("Service", rid) in graph.nodes}


def organization_graphs(db: GraphEngine, *, ids: Sequence[str], full_service: bool = False) -> dict[
        str, OrganizationGraph]:
    """Everything the full HSDS form of each organization needs: its funding, contacts, phones,
    locations, programs, identifiers, attributes and its services, flat or (`full_service`) in their
    full form (without the organization again)."""
    wanted = _unique(ids)
    extra = {("providers", "PROVIDES"): _FULL["Service"] if full_service else ()}
    start = {"organizationRoots": wanted, "providers": wanted, **{name: wanted for name in _FULL["Organization"]}}
    graph = _fetch(db, start, _STEPS, extra)
    return {
        rid: OrganizationGraph("Organization", rid, graph) for rid in wanted if ("Organization", rid) in graph.nodes
    }


def service_at_location_graphs(db: GraphEngine, *, ids: Sequence[str]) -> dict[str, ServiceAtLocationGraph]:
    """Everything the full HSDS form of each service at location needs: its contacts, phones,
    schedules, location (in full) and service (in full, without its other sites)."""
    wanted = _unique(ids)
    start = {"serviceAtLocationRoots": wanted, "serviceAtLocations": wanted, "serviceAtLocationServices": wanted}
    graph = _fetch(db, start, _STEPS)
    return {
        rid: ServiceAtLocationGraph("ServiceAtLocation", rid, graph)
        for rid in wanted if ("ServiceAtLocation", rid) in graph.nodes
    }


def taxonomy_terms(db: GraphEngine, *, ids: Sequence[str]) -> dict[str, TermGraph]:
    """Taxonomy terms by id, each with its taxonomy and its parent's id, in one round trip."""
    wanted = _unique(ids)
    graph = _fetch(db, {"termRoots": wanted, "terms": wanted}, {})
    return {rid: TermGraph("TaxonomyTerm", rid, graph) for rid in wanted if ("TaxonomyTerm", rid) in graph.nodes}


def taxonomies(db: GraphEngine, *, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Taxonomies (their stored properties) by id, or every taxonomy when `ids` is None; by name, then id."""
    rows = run.read(db, "hsds_out/taxonomies", ids=_unique(ids or []), all=ids is None)
    return [row["value"] for row in rows]


_HEADER: Final[str] = (
    "// name: hsds_out/subgraph\n// params: {params}\n// returns: many\n// purpose: "
    "One breadth-first step of the HSDS record tree, generated by `python -m queries.hsds_out` "
    "from its branch table and the model's property whitelist (do not edit by hand). For each "
    "id list (records of one label, and which of their relationships to follow: a key of the map "
    "$ids, one parameter so that Neo4j plans the query once, not for every mix of list sizes), one row per "
    "(part, rel, id, child, edge, value): the part's number (which id list it read), the "
    "relationship type ('' for the record itself), the record's id, the id of the record at the "
    "other end, the relationship's properties (of attributes and languages only) and the other "
    "end's properties, each as a list in a fixed order (the client decodes scalars, not maps; "
    "null where the part needs none: an attribute's term comes with its taxonomy, through "
    "termRoots). Each part starts from the id index (UNWIND + MATCH by id), so a page of "
    "records costs one bulk traversal per part, not one query per record."
    "\n"
)


def _write_query() -> None:
    path = Path(__file__).parent / f"{_QUERY}.cypher"
    path.write_text(_HEADER.format(params="ids") + subgraph_query() + "\n", encoding="utf-8")


if __name__ == "__main__":  # after a change of the model or of the part table: rewrite the query file
    _write_query()
