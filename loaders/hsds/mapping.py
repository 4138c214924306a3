"""Validated HSDS records -> a `GraphPlan` of nodes and relationships (graph.schema.model).

Records are nodes of their label with camelCase properties (filed by `records.absorb`);
reference fields become the relationships declared in `models.TABLES` (a required parent that is
absent or does not resolve is an error; an optional one that does not resolve is a warning and
the link is skipped). A reference to a record that is in the source but invalid is not reported
again; where the record cannot stand without the one it names (`_DEPENDS`), the relationship is
made all the same, so that `--skip-invalid` (loaders.skipping) leaves it out with that record and
lists it. Every problem names its record and plan node (loaders.report), for `--skip-invalid`.

Languages become shared `Language` nodes keyed by code, with one `OFFERED_IN` relationship per
language record and owner; attributes become `TAGGED` relationships from the record they describe
to their taxonomy term. Being relationships, not nodes, a language or attribute of a record that
is invalid or left out goes with it, unlisted, as a part of that record would (as a 211 row's
languages do).

This is the hot path of a load, so it fills the plan's dicts directly, in exactly the shape
`GraphPlan.add_node` / `add_relationship` produce (no None values, relationship id = the source
record id or `from>to`); every label, property and relationship key it can produce is checked
against graph.schema.model once, when `models` is imported.

Memory: the plan of a large load is millions of small dicts and strings, so it shares what it
can. A relationship's ends are the very id strings of its nodes (`records.Pool`), and equal
property maps are one dict: the empty one of structural relationships, those of languages and
attributes (a handful of combinations), and node properties read from equal cells
(`records.absorb`). A plan is read-only once built (the writer only reads it). The stores are
consumed on the way: each table's records become its plan nodes in place, and what only the
mapping needed is released as soon as it is used.
"""

from __future__ import annotations

from collections import Counter
from itertools import compress
from typing import Any

from loaders.hsds.models import ENTITY_ALIASES, TABLES, TAGGABLE, Ref, Table
from loaders.hsds.records import Link, Store, Whose, whose
from loaders.plan import GraphPlan, RelKey
from loaders.report import Report
from loaders.skipping import DEPENDS_ON

# Structural relationships carry no properties; they share one empty map (never mutated) instead
# of a million new ones.
_NO_PROPS: dict[str, Any] = {}


def build_plan(stores: dict[str, Store], report: Report) -> GraphPlan:
    """The plan of every valid record. The stores are consumed: afterwards they only tell which
    ids were valid or invalid."""
    plan = GraphPlan()
    labelled = [spec for spec in TABLES.values() if spec.label is not None]
    for spec in labelled:
        assert spec.label is not None
        store = stores[spec.name]
        nodes = {rid: {"id": rid, "props": props} for rid, props in store.recs.items()}
        plan.nodes[spec.label] = store.recs = nodes  # same ids, same order: references resolve alike
    for spec in labelled:
        _map_links(spec, stores, plan, report)
    _map_languages(stores, plan, report)
    _map_attributes(stores, plan, report)
    for store in stores.values():
        store.release()
    for label in [label for label, rows in plan.nodes.items() if not rows]:
        del plan.nodes[label]
    for key in [key for key, rows in plan.relationships.items() if not rows]:
        del plan.relationships[key]
    return plan


def _noun(table: str) -> str:
    return table.replace("_", " ")


def _rel_key(spec: Table, ref: Ref) -> RelKey:
    target = TABLES[ref.target].label
    assert spec.label is not None and target is not None
    return (spec.label, ref.rel_type, target) if ref.outward else (target, ref.rel_type, spec.label)


# Relationship maps that exactly one reference field fills (all of them, as the model stands):
# a CSV table fills those a whole column at a time.
_REL_SOURCES = Counter(_rel_key(t, r) for t in TABLES.values() if t.label is not None for r in t.refs)
_BY_COLUMN = frozenset(
    t.name for t in TABLES.values()
    if t.label is not None and all(_REL_SOURCES[_rel_key(t, r)] == 1 for r in t.refs)
)

# References whose record cannot stand without the one they name (loaders.skipping DEPENDS_ON: a phone's service,
# a service at location's location). One that names an invalid record becomes a relationship all the same:
# the load stops on that record's errors, or --skip-invalid leaves it out and, through this relationship,
# the records that depend on it, each listed with what it depended on.
_DEPENDS: frozenset[tuple[str, str]] = frozenset(
    (t.name, r.field) for t in TABLES.values() if t.label is not None for r in t.refs
    if TABLES[r.target].label is not None
    and DEPENDS_ON.get(_rel_key(t, r)) in (("from", "both") if r.outward else ("to", "both"))
)


def _whose(spec: Table, store: Store, i: int, rid: str) -> tuple[str, int, str, Whose]:
    """(file, row, field prefix, (record, node)) of record `i` of a table, for a problem about it."""
    origin = store.origin(i)
    return (*origin, whose(spec.name, rid, origin, store.json is not None))


def _unresolved(report: Report, spec: Table, store: Store, i: int, rid: str, ref: Ref, value: str) -> None:
    file, row, prefix, (record, node) = _whose(spec, store, i, rid)
    if ref.required:
        report.error(file, row, prefix + ref.field, f"no {_noun(ref.target)} with id {value!r}",
                     record=record, node=node)
    else:
        report.warning(file, row, prefix + ref.field, f"no {_noun(ref.target)} with id {value!r}; link skipped",
                       record=record, node=node)


def _missing(report: Report, spec: Table, store: Store, i: int, rid: str, ref: Ref) -> None:
    file, row, prefix, (record, node) = _whose(spec, store, i, rid)
    report.error(file, row, prefix + ref.field, "required value is missing", record=record, node=node)


def _check_required(spec: Table, store: Store, i: int, rid: str, refs: tuple[Any, ...], report: Report) -> bool:
    """Report required references that are neither given nor implied; True when all are there."""
    complete = True
    implied = store.implied(i)
    for k, ref in enumerate(spec.refs):
        if ref.required and refs[k] is None and not any(link[0] == ref.field for link in implied):
            _missing(report, spec, store, i, rid, ref)
            complete = False
    return complete


def _owners(spec: Table, refs: tuple[Any, ...], implied: list[Link]) -> list[tuple[Ref, str]]:
    """Every (reference, id) of a record: its reference fields, then those its nesting implies."""
    out = [(ref, value) for ref, value in zip(spec.refs, refs, strict=True) if value is not None]
    for name, value, _ in implied:
        if value is not None and name in spec.ref_by_field:
            pair = (spec.ref_by_field[name], value)
            if pair not in out:
                out.append(pair)
    return out


def _map_links(spec: Table, stores: dict[str, Store], plan: GraphPlan, report: Report) -> None:
    """The relationships of one table's reference fields."""
    store = stores[spec.name]
    keys = [_rel_key(spec, ref) for ref in spec.refs]
    for key in keys:  # one map per key, in the order of the model, even if it stays empty
        plan.relationships.setdefault(key, {})
    ids = list(store.recs)
    if store.json is None and spec.name in _BY_COLUMN:
        for ref, column, key in zip(spec.refs, store.refs, keys, strict=True):
            plan.relationships[key] = _link_column(spec, ref, ids, column, store, stores[ref.target], report)
    else:
        _link_records(spec, ids, store, stores, [plan.relationships[key] for key in keys], report)
    store.release()


def _link_column(
    spec: Table, ref: Ref, ids: list[str], column: list[Any], store: Store, target: Store, report: Report,
) -> dict[str, dict[str, Any]]:
    """The relationships of one reference field of every record of a table (CSV), by id."""
    if ref.required and None in column:
        for i, value in enumerate(column):
            if value is None:
                _missing(report, spec, store, i, ids[i], ref)
    found = list(map(target.recs.__contains__, column))
    pairs = compress(zip(ids, column, strict=True), found)
    ends = list(pairs) if ref.outward else [(value, rid) for rid, value in pairs]
    if len(ends) < len(column) - column.count(None):
        depends = (spec.name, ref.field) in _DEPENDS
        for i, (value, known) in enumerate(zip(column, found, strict=True)):
            if value is None or known:
                continue
            if depends and value in target.bad:  # see _DEPENDS
                ends.append((ids[i], value) if ref.outward else (value, ids[i]))
            elif target.unknown(value):
                _unresolved(report, spec, store, i, ids[i], ref, value)
    return {(key := f"{a}>{b}"): {"id": key, "from": a, "to": b, "props": _NO_PROPS} for a, b in ends}


def _link_records(
    spec: Table, ids: list[str], store: Store, stores: dict[str, Store], rels: list[dict[str, Any]], report: Report,
) -> None:
    """The relationships of every record of a table, record by record (JSON, where nesting implies
    more of them)."""
    targets = [(ref, by_id, ref.outward, stores[ref.target], (spec.name, ref.field) in _DEPENDS)
               for ref, by_id in zip(spec.refs, rels, strict=True)]
    by_field = {target[0].field: target for target in targets}
    required = [k for k, ref in enumerate(spec.refs) if ref.required]
    for i, refs in enumerate(zip(*store.refs, strict=True) if store.refs else [()] * len(ids)):
        rid = ids[i]
        for k in required:
            if refs[k] is None:
                _check_required(spec, store, i, rid, refs, report)
                break
        for (ref, by_id, outward, target, depends), value in zip(targets, refs, strict=True):
            if value is None:
                continue
            if value in target.recs or depends and value in target.bad:  # an invalid one: see _DEPENDS
                a, b = (rid, value) if outward else (value, rid)
                key = f"{a}>{b}"
                by_id[key] = {"id": key, "from": a, "to": b, "props": _NO_PROPS}
            elif target.unknown(value):
                _unresolved(report, spec, store, i, rid, ref, value)
        for name, value, _ in store.implied(i):
            if value is None:
                continue
            _, by_id, outward, target, depends = by_field[name]
            if value in target.recs or depends and value in target.bad:  # an invalid parent: see _DEPENDS
                a, b = (rid, value) if outward else (value, rid)
                key = f"{a}>{b}"
                by_id[key] = {"id": key, "from": a, "to": b, "props": _NO_PROPS}


def _language_key(props: dict[str, Any]) -> tuple[str, str | None] | None:
    """(node id, code property) of a language record's Language node."""
    code = str(props.get("code") or "").strip().lower()
    if code:
        return code, code
    name = str(props.get("name") or "").strip().lower()
    return (name, None) if name else None


def _map_languages(stores: dict[str, Store], plan: GraphPlan, report: Report) -> None:
    spec = TABLES["language"]
    store = stores["language"]
    recs = store.recs
    languages = plan.nodes["Language"]
    targets = {
        ref: (plan.relationships[(_label(ref.target), "OFFERED_IN", "Language")], stores[ref.target])
        for ref in spec.refs
    }
    by_spelling: dict[tuple[Any, Any], str | None] = {}  # (code, name) -> Language node id
    shared: dict[tuple[Any, Any], dict[str, Any]] = {}  # (name, note) -> relationship properties
    # Language records share their properties (records.absorb): work each distinct dict out once.
    by_props: dict[int, tuple[dict[str, Any], str | None, dict[str, Any]]] = {}
    nodes: list[str | None] = []  # per record: its Language node, or None when it has none
    rel_props: list[dict[str, Any]] = []  # per record: its relationships' properties
    for i, (rid, props) in enumerate(recs.items()):
        recs[rid] = None  # the record is used up: its memory goes to what it becomes
        done = by_props.get(id(props))
        if done is None:
            code, name, note = props.get("code"), props.get("name"), props.get("note")
            try:
                node_id = by_spelling[(code, name)]
            except KeyError:
                node_id = by_spelling[(code, name)] = _language_node(props, languages)
            if (name, note) not in shared:
                shared[(name, note)] = {k: v for k, v in (("name", name), ("note", note)) if v is not None}
            done = by_props[id(props)] = (props, node_id, shared[(name, note)])  # props kept: ids stay unique
        nodes.append(done[1])
        rel_props.append(done[2])
        if done[1] is None:
            file, row, prefix, (record, _) = _whose(spec, store, i, rid)
            report.warning(file, row, prefix + "code", "language has neither a code nor a name; skipped",
                           record=record)
    ids = list(recs)
    if store.json is None:  # CSV: a reference column at a time
        for ref, column in zip(spec.refs, store.refs, strict=True):
            rels, target = targets[ref]
            found = list(map(target.recs.__contains__, column))
            rels.update({
                rid: {"id": rid, "from": owner, "to": node, "props": props}
                for rid, owner, node, props, known in zip(ids, column, nodes, rel_props, found, strict=True)
                if known and node is not None
            })
            for i, (owner, node, known) in enumerate(zip(column, nodes, found, strict=True)):
                if owner is not None and node is not None and not known and target.unknown(owner):
                    _unresolved(report, spec, store, i, ids[i], ref, owner)
    else:
        for i, (rid, refs) in enumerate(zip(ids, zip(*store.refs, strict=True), strict=True)):
            node = nodes[i]
            if node is None:
                continue
            for ref, owner in _owners(spec, refs, store.implied(i)):
                rels, target = targets[ref]
                if owner in target.recs:
                    rels[rid] = {"id": rid, "from": owner, "to": node, "props": rel_props[i]}
                elif target.unknown(owner):
                    _unresolved(report, spec, store, i, rid, ref, owner)
    store.release()


def _language_node(props: dict[str, Any], languages: dict[str, dict[str, Any]]) -> str | None:
    """The id of the Language node of a language record (made by the first record naming it)."""
    key = _language_key(props)
    if key is None:
        return None
    node_id, code = key
    node = languages.get(node_id)
    if node is None:
        node = languages[node_id] = {
            "id": node_id,
            "props": {k: v for k, v in (("code", code), ("name", props.get("name"))) if v is not None},
        }
    return str(node["id"])


def _label(table: str) -> str:
    label = TABLES[table].label
    assert label is not None
    return label


class _OwnerIndex:
    """Finds the table of a record id an attribute names (link_entity resolved once per spelling;
    an id is looked up in every table, taggable ones first, when link_entity does not say)."""

    def __init__(self, stores: dict[str, Store]) -> None:
        self.names = [*TAGGABLE, *(t for t in TABLES if t not in TAGGABLE)]
        self.order = [stores[t] for t in self.names]
        self._entities: dict[Any, str | None] = {}

    def entity(self, value: Any) -> str | None:
        try:
            return self._entities[value]
        except KeyError:
            table = ENTITY_ALIASES.get("_".join(str(value or "").strip().lower().replace("-", " ").split()))
            self._entities[value] = table
            return table

    def find(self, rid: str) -> str | None:
        for name, store in zip(self.names, self.order, strict=True):
            if store.has(rid):
                return name
        return None


def _map_attributes(stores: dict[str, Store], plan: GraphPlan, report: Report) -> None:
    spec = TABLES["attribute"]
    store = stores["attribute"]
    recs = store.recs
    terms = stores["taxonomy_term"].recs
    owners = _OwnerIndex(stores)
    tagged = {table: plan.relationships[(_label(table), "TAGGED", "TaxonomyTerm")] for table in TAGGABLE}
    shared: dict[tuple[str, Any, Any], dict[str, Any]] = {}  # (entity, link type, value) -> relationship properties
    (terms_column,) = store.refs  # taxonomy_term_id
    nested = store.json is not None
    for i, (rid, props) in enumerate(recs.items()):
        recs[rid] = None  # the record is used up: its memory goes to what it becomes
        term = terms_column[i]
        nested_owner: tuple[str | None, str] | None = None
        if nested:
            for name, value, parent in store.implied(i):  # the nested term, and the record nesting it
                if name == "link_id":
                    nested_owner = nested_owner or (value, parent)
                elif term is None:
                    term = value if value is not None else ""
        if term is None:
            _check_required(spec, store, i, rid, (None,), report)
            continue
        if term not in terms:
            if term and stores["taxonomy_term"].unknown(term):
                _unresolved(report, spec, store, i, rid, spec.refs[0], term)
            continue
        if nested_owner is not None:  # nested under a record: that record is the one described
            owner_id, owner_table = nested_owner
            if owner_id is None:
                continue
        else:
            found = _resolve_link(spec, store, i, rid, props.get("link_id"), props.get("link_entity"), stores,
                                  owners, report)
            if found is None:
                continue
            owner_id, owner_table = found
        if owner_id not in stores[owner_table].recs:
            continue  # an invalid record (reported already) or one in an unreadable part of a file
        rels = tagged.get(owner_table)
        if rels is None:
            _skipped(report, spec, store, i, rid,
                     f"a {_noun(owner_table)} cannot be tagged in the graph; attribute skipped")
            continue
        link_type, value = props.get("linkType"), props.get("value")
        rel_props = shared.get((owner_table, link_type, value))
        if rel_props is None:
            rel_props = shared[(owner_table, link_type, value)] = {
                k: v for k, v in (("linkEntity", owner_table), ("linkType", link_type), ("value", value))
                if v is not None
            }
        rels[rid] = {"id": rid, "from": owner_id, "to": term, "props": rel_props}
    store.release()


def _resolve_link(
    spec: Table, store: Store, i: int, rid: str, link_id: Any, entity: Any, stores: dict[str, Store],
    owners: _OwnerIndex, report: Report,
) -> tuple[str, str] | None:
    """(record id, table) an attribute's link_id names, or None (with a warning when it names nothing)."""
    if not isinstance(link_id, str):
        _skipped(report, spec, store, i, rid, "attribute names no record (link_id is empty); skipped")
        return None
    table = owners.entity(entity)
    if table is not None:
        if not stores[table].unknown(link_id):
            return link_id, table
        _skipped(report, spec, store, i, rid, f"no {_noun(table)} with id {link_id!r}; link skipped")
        return None
    found = owners.find(link_id)
    if found is None:
        _skipped(report, spec, store, i, rid, f"no record with id {link_id!r}; link skipped")
        return None
    return link_id, found


def _skipped(report: Report, spec: Table, store: Store, i: int, rid: str, message: str) -> None:
    file, row, prefix, (record, node) = _whose(spec, store, i, rid)
    report.warning(file, row, prefix + "link_id", message, record=record, node=node)
