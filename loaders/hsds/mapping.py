"""Validated HSDS records -> a `GraphPlan` of nodes and relationships (graph.schema.model).

Records are nodes of their label with camelCase properties (built by `records.absorb`);
reference fields become the relationships declared in `models.TABLES` (a required parent that is
absent or does not resolve is an error; an optional one that does not resolve is a warning and
the link is skipped). Languages become shared `Language` nodes keyed by code, with one
`OFFERED_IN` relationship per language record and owner; attributes become `TAGGED`
relationships from the record they describe to their taxonomy term.

This is the hot path of a load, so it fills the plan's dicts directly, in exactly the shape
`GraphPlan.add_node` / `add_relationship` produce (no None values, relationship id = the source
record id or `from>to`); every label, property and relationship key it can produce is checked
against graph.schema.model once, when `models` is imported.
"""

from __future__ import annotations

from typing import Any

from loaders.hsds.models import ENTITY_ALIASES, TABLES, TAGGABLE, Ref, Table
from loaders.hsds.records import Rec, Store
from loaders.plan import GraphPlan, RelKey
from loaders.report import Report

# Structural relationships carry no properties; they share one empty map (never mutated) instead
# of a million new ones.
_NO_PROPS: dict[str, Any] = {}


def build_plan(stores: dict[str, Store], report: Report) -> GraphPlan:
    plan = GraphPlan()
    for spec in TABLES.values():
        if spec.label is not None:
            _map_nodes(spec, stores, plan, report)
    _map_languages(stores, plan, report)
    _map_attributes(stores, plan, report)
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


def _unresolved(report: Report, rec: Rec, ref: Ref, value: str) -> None:
    file, row, prefix = rec.origin
    if ref.required:
        report.error(file, row, prefix + ref.field, f"no {_noun(ref.target)} with id {value!r}")
    else:
        report.warning(file, row, prefix + ref.field, f"no {_noun(ref.target)} with id {value!r}; link skipped")


def _check_required(spec: Table, rec: Rec, report: Report) -> bool:
    """Report required references that are neither given nor implied; True when all are there."""
    complete = True
    for k, ref in enumerate(spec.refs):
        if ref.required and rec.refs[k] is None and not any(link[0] == ref.field for link in rec.implied):
            file, row, prefix = rec.origin
            report.error(file, row, prefix + ref.field, "required value is missing")
            complete = False
    return complete


def _owners(spec: Table, rec: Rec) -> list[tuple[Ref, str]]:
    """Every (reference, id) of a record: its reference fields, then those its nesting implies."""
    out = [(ref, value) for ref, value in zip(spec.refs, rec.refs, strict=True) if value is not None]
    for name, value, _ in rec.implied:
        if value is not None and name in spec.ref_by_field:
            pair = (spec.ref_by_field[name], value)
            if pair not in out:
                out.append(pair)
    return out


def _map_nodes(spec: Table, stores: dict[str, Store], plan: GraphPlan, report: Report) -> None:
    """Nodes of one table and the relationships of their reference fields."""
    assert spec.label is not None
    nodes = plan.nodes[spec.label]
    targets = [
        (ref, plan.relationships[_rel_key(spec, ref)], ref.outward, stores[ref.target]) for ref in spec.refs
    ]
    by_field = {target[0].field: target for target in targets}
    required = [k for k, ref in enumerate(spec.refs) if ref.required]
    for rid, rec in stores[spec.name].recs.items():
        nodes[rid] = rec.node
        refs = rec.refs
        for k in required:
            if refs[k] is None:
                _check_required(spec, rec, report)
                break
        for (ref, rels, outward, target), value in zip(targets, refs, strict=True):
            if value is None:
                continue
            if value in target.recs:
                a, b = (rid, value) if outward else (value, rid)
                key = f"{a}>{b}"
                rels[key] = {"id": key, "from": a, "to": b, "props": _NO_PROPS}
            elif target.unknown(value):
                _unresolved(report, rec, ref, value)
        if rec.implied:
            _implied_links(rid, rec, by_field)


def _implied_links(rid: str, rec: Rec, by_field: dict[str, tuple[Ref, dict[str, Any], bool, Store]]) -> None:
    for name, value, _ in rec.implied:
        if value is None:
            continue  # implied by an invalid parent, which is reported already
        _, rels, outward, target = by_field[name]
        if value in target.recs:
            a, b = (rid, value) if outward else (value, rid)
            key = f"{a}>{b}"
            rels[key] = {"id": key, "from": a, "to": b, "props": _NO_PROPS}


def _language_key(props: dict[str, Any]) -> tuple[str, str | None] | None:
    """(node id, code property) of a language record's Language node."""
    code = str(props.get("code") or "").strip().lower()
    if code:
        return code, code
    name = str(props.get("name") or "").strip().lower()
    return (name, None) if name else None


def _map_languages(stores: dict[str, Store], plan: GraphPlan, report: Report) -> None:
    spec = TABLES["language"]
    languages = plan.nodes["Language"]
    rels = {ref.field: plan.relationships[(_label(ref.target), "OFFERED_IN", "Language")] for ref in spec.refs}
    for rid, rec in stores["language"].recs.items():
        props = rec.node["props"]
        key = _language_key(props)
        if key is None:
            report.warning(rec.file, rec.row, rec.prefix + "code", "language has neither a code nor a name; skipped")
            continue
        node_id, code = key
        if node_id not in languages:
            languages[node_id] = {
                "id": node_id,
                "props": {k: v for k, v in (("code", code), ("name", props.get("name"))) if v is not None},
            }
        rel_props = {k: props[k] for k in ("name", "note") if k in props}
        owners = _owners(spec, rec) if rec.implied else zip(spec.refs, rec.refs, strict=True)
        for ref, owner in owners:
            if owner is None:
                continue
            target = stores[ref.target]
            if owner in target.recs:
                rels[ref.field][rid] = {"id": rid, "from": owner, "to": node_id, "props": dict(rel_props)}
            elif target.unknown(owner):
                _unresolved(report, rec, ref, owner)


def _label(table: str) -> str:
    label = TABLES[table].label
    assert label is not None
    return label


class _OwnerIndex:
    """Finds the table of a record id an attribute names (link_entity resolved once per spelling;
    an id is looked up in every table, taggable ones first, when link_entity does not say)."""

    def __init__(self, stores: dict[str, Store]) -> None:
        self.stores = stores
        self._index: dict[str, str] | None = None
        self._entities: dict[Any, str | None] = {}

    def entity(self, value: Any) -> str | None:
        try:
            return self._entities[value]
        except KeyError:
            table = ENTITY_ALIASES.get("_".join(str(value or "").strip().lower().replace("-", " ").split()))
            self._entities[value] = table
            return table

    def find(self, rid: str) -> str | None:
        if self._index is None:
            self._index = {}
            for table in [*TAGGABLE, *(t for t in TABLES if t not in TAGGABLE)]:
                store = self.stores[table]
                for known in (*store.recs, *store.bad):
                    self._index.setdefault(known, table)
        return self._index.get(rid)


def _map_attributes(stores: dict[str, Store], plan: GraphPlan, report: Report) -> None:
    spec = TABLES["attribute"]
    terms = stores["taxonomy_term"]
    owners = _OwnerIndex(stores)
    tagged = {table: plan.relationships[(_label(table), "TAGGED", "TaxonomyTerm")] for table in TAGGABLE}
    for rid, rec in stores["attribute"].recs.items():
        (term,) = rec.refs  # taxonomy_term_id
        nested_owner: tuple[str | None, str] | None = None
        for name, value, parent in rec.implied:  # JSON: the nested term, and the record nesting it
            if name == "link_id":
                nested_owner = nested_owner or (value, parent)
            elif term is None:
                term = value if value is not None else ""
        if term is None:
            _check_required(spec, rec, report)
            continue
        if term not in terms.recs:
            if term and terms.unknown(term):
                _unresolved(report, rec, spec.refs[0], term)
            continue
        props = rec.node["props"]
        if nested_owner is not None:  # nested under a record: that record is the one described
            owner_id, owner_table = nested_owner
            if owner_id is None:
                continue
        else:
            found = _resolve_link(rec, props.get("link_id"), props.get("link_entity"), stores, owners, report)
            if found is None:
                continue
            owner_id, owner_table = found
        if owner_id not in stores[owner_table].recs:
            continue  # an invalid record (reported already) or one in an unreadable part of a file
        rels = tagged.get(owner_table)
        if rels is None:
            report.warning(
                rec.file, rec.row, rec.prefix + "link_id",
                f"a {_noun(owner_table)} cannot be tagged in the graph; attribute skipped",
            )
            continue
        rel_props = {"linkEntity": owner_table}
        for key in ("linkType", "value"):
            if key in props:
                rel_props[key] = props[key]
        rels[rid] = {"id": rid, "from": owner_id, "to": term, "props": rel_props}


def _resolve_link(
    rec: Rec, link_id: Any, entity: Any, stores: dict[str, Store], owners: _OwnerIndex, report: Report
) -> tuple[str, str] | None:
    """(record id, table) an attribute's link_id names, or None (with a warning when it names nothing)."""
    where = rec.prefix + "link_id"
    if not isinstance(link_id, str):
        report.warning(rec.file, rec.row, where, "attribute names no record (link_id is empty); skipped")
        return None
    table = owners.entity(entity)
    if table is not None:
        if not stores[table].unknown(link_id):
            return link_id, table
        report.warning(rec.file, rec.row, where, f"no {_noun(table)} with id {link_id!r}; link skipped")
        return None
    found = owners.find(link_id)
    if found is None:
        report.warning(rec.file, rec.row, where, f"no record with id {link_id!r}; link skipped")
        return None
    return link_id, found
