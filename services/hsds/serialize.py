"""Graph records -> HSDS 3.0 JSON objects, as the HSDS 3.0 API returns them (the inverse of loaders/hsds).

Pure functions over the subgraphs queries/hsds_out.py fetches. Field names and which graph property
holds each field come from the loader's own table specs (`loaders.hsds.models.STORED_FIELDS` and
`REQUIRED_FIELDS`, derived from `TABLES`), so what a load reads is exactly what is written back.
The nesting follows the official examples (examples/*_full.json):

- a service nests its organization (without the organization's services), program, service areas,
  service at locations (each with its location, without the service again), phones, schedules,
  languages, funding, cost options, required documents, contacts and attributes;
- an organization nests its funding, contacts, phones, locations, programs, identifiers, attributes
  and services (flat, or in full without the organization again);
- a service at location nests its contacts, phones, schedules, location and service (in full,
  without its other sites);
- a location nests its languages, addresses, contacts, accessibility, phones, schedules, attributes;
  a contact its phones; a phone its languages; an attribute its taxonomy term; a term its taxonomy
  (`taxonomy_detail`) and its parent's id.

Shape: scalar fields without a value are left out (the schemas' types are not nullable); a nested
object's reference to the object it sits in (`service_id` inside a service) is left out, as in the
examples; the arrays of the nested forms are present, `[]` when empty (a stable shape for clients),
except `attributes`, which a nested object carries only when it has some (as in the examples); the
top-level object always ends with `attributes` and `metadata: []` (change history is not kept in the
graph).
Arrays are ordered by id. A required field the graph lacks (records from 211 or Ohana sources) gets
`""`, or for the enumerations `status` "active" and `location_type` / `address_type` "physical",
so every object validates. Languages are graph relationships to shared `Language` nodes: the
relationship carries the record's id, name and note, the node its code.

Values the project derived itself are not HSDS source values and are left out for everyone:
`Service.derivedFields` names them (e.g. `minimum_age` read from "Age 60 or over"; the
`eligibility_description` text that said so is still there).

A record nested in many roots fetched together (a service's organization, a location) is built once
per caller role and the same dict is shared by every root that shows it: treat the results as
read-only (copy before changing one).

Privacy (api/privacy.py) unless `staff`: properties in a record's `staffOnly` are removed; a record
marked staff-only as a whole (graph.schema.model.is_staff_only_record) is left out wherever it would
appear, and a root that is such a record serializes to None (the caller answers "not found"); a
phone whose number is private is left out; a confidential location (its address is private) is not
disclosed at all: left out of an organization's locations, and the service at location that would
show it is left out of a service, and not found when asked for by id.
"""

from __future__ import annotations

from typing import Any, Final

from domain.privacy import public_location, visible
from graph.schema.model import is_staff_only_record
from loaders.hsds.models import REQUIRED_FIELDS, STORED_FIELDS
from queries.hsds_out import (
    Direction,
    OrganizationGraph,
    RecordGraph,
    ServiceAtLocationGraph,
    ServiceGraph,
    Subgraph,
    TermGraph,
)

JsonObject = dict[str, Any]

# A required value the graph lacks: what stands in for it ("" for free text).
_DEFAULTS: Final[dict[tuple[str, str], str]] = {
    ("service", "status"): "active",
    ("location", "location_type"): "physical",
    ("address", "address_type"): "physical",
}


class _Writer:
    """Builds HSDS objects from one subgraph for one caller."""

    def __init__(self, graph: Subgraph, *, staff: bool) -> None:
        self.graph = graph
        self.staff = staff

    # --- helpers ---------------------------------------------------------------------------------

    def shown(self, props: dict[str, Any] | None) -> bool:
        return props is not None and (self.staff or not is_staff_only_record(props))

    def fields(self, table: str, rid: str, props: dict[str, Any]) -> JsonObject:
        """The record's own HSDS fields, as the caller may see them."""
        seen = visible(props, staff=self.staff)
        derived = props.get("derivedFields") if table == "service" else None
        out: JsonObject = {"id": rid}
        for name, prop in STORED_FIELDS[table]:
            value = seen.get(prop)
            if value is not None and not (derived and prop in derived):
                out[name] = value
        for name in REQUIRED_FIELDS[table]:
            if name not in out:
                out[name] = _DEFAULTS.get((table, name), "")
        return out

    def children(self, label: str, rid: str, rel: str, *,
                 direction: Direction = "out") -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """(id, properties, relationship properties) of the related records the caller may know of."""
        out = []
        for edge in self.graph.related(label, rid, rel, direction):
            props = self.graph.props(edge.label, edge.id)
            if props is not None and self.shown(props):
                out.append((edge.id, props, edge.props))
        return out

    def attributes(self, label: str, rid: str) -> list[JsonObject]:
        out = []
        for term_id, term, tag in self.children(label, rid, "TAGGED"):
            attribute: JsonObject = {"id": str(tag.get("id", f"{rid}>{term_id}"))}
            for name, prop in (("link_type", "linkType"), ("link_entity", "linkEntity"), ("value", "value")):
                if tag.get(prop) is not None:
                    attribute[name] = tag[prop]
            attribute["taxonomy_term"] = self.term(term_id, term)
            out.append(attribute)
        return sorted(out, key=lambda a: a["id"])

    def languages(self, label: str, rid: str) -> list[JsonObject]:
        out = []
        for code, node, rel in self.children(label, rid, "OFFERED_IN"):
            language: JsonObject = {"id": str(rel.get("id", f"{rid}>{code}"))}
            name = rel.get("name", node.get("name"))
            for key, value in (("name", name), ("code", node.get("code")), ("note", rel.get("note"))):
                if value is not None:
                    language[key] = value
            out.append(language)
        return sorted(out, key=lambda x: x["id"])

    def tagged(self, obj: JsonObject, label: str, rid: str) -> JsonObject:
        """`obj` with its attributes, when it has any (nested objects carry `attributes` only then)."""
        found = self.attributes(label, rid)
        if found:
            obj["attributes"] = found
        return obj

    def _simple(self, table: str, label: str, owner_label: str, owner: str, rel: str) -> list[JsonObject]:
        return [self.fields(table, cid, props) for cid, props, _ in self.children(owner_label, owner, rel)]

    def _tagged(self, table: str, label: str, owner_label: str, owner: str, rel: str) -> list[JsonObject]:
        return [self.tagged(self.fields(table, cid, props), label, cid)
                for cid, props, _ in self.children(owner_label, owner, rel)]

    # --- records ---------------------------------------------------------------------------------

    def phones(self, owner_label: str, owner: str) -> list[JsonObject]:
        out = []
        for cid, props, _ in self.children(owner_label, owner, "HAS_PHONE"):
            phone = self.fields("phone", cid, props)
            if not phone["number"] and not self.staff:
                continue  # a phone whose number is private is no phone to the public
            out.append(self.tagged({**phone, "languages": self.languages("Phone", cid)}, "Phone", cid))
        return out

    def schedules(self, owner_label: str, owner: str) -> list[JsonObject]:
        return self._tagged("schedule", "Schedule", owner_label, owner, "HAS_SCHEDULE")

    def contacts(self, owner_label: str, owner: str) -> list[JsonObject]:
        return [
            self.tagged({**self.fields("contact", cid, props), "phones": self.phones("Contact", cid)}, "Contact", cid)
            for cid, props, _ in self.children(owner_label, owner, "HAS_CONTACT")
        ]

    def funding(self, owner_label: str, owner: str) -> list[JsonObject]:
        return self._simple("funding", "Funding", owner_label, owner, "HAS_FUNDING")

    def location(self, rid: str, props: dict[str, Any]) -> JsonObject:
        key = ("location", self.staff, rid)
        if key not in self.graph.memo:
            self.graph.memo[key] = self._location(rid, props)
        found: JsonObject = self.graph.memo[key]
        return found

    def _location(self, rid: str, props: dict[str, Any]) -> JsonObject:
        return self.tagged({
            **self.fields("location", rid, props),
            "languages": self.languages("Location", rid),
            "addresses": self._tagged("address", "Address", "Location", rid, "HAS_ADDRESS"),
            "contacts": self.contacts("Location", rid),
            "accessibility": self._simple("accessibility", "Accessibility", "Location", rid, "HAS_ACCESSIBILITY"),
            "phones": self.phones("Location", rid),
            "schedules": self.schedules("Location", rid),
        }, "Location", rid)

    def public_location(self, props: dict[str, Any]) -> bool:
        return public_location(props, staff=self.staff)

    def program(self, rid: str, props: dict[str, Any]) -> JsonObject:
        return self.tagged(self.fields("program", rid, props), "Program", rid)

    def term(self, rid: str, props: dict[str, Any]) -> JsonObject:
        key = ("term", self.staff, rid)  # a term tags many records: built once
        if key not in self.graph.memo:
            self.graph.memo[key] = self._term(rid, props)
        found: JsonObject = self.graph.memo[key]
        return found

    def _term(self, rid: str, props: dict[str, Any]) -> JsonObject:
        out = self.fields("taxonomy_term", rid, props)
        ordered: JsonObject = {}
        for key, value in out.items():
            ordered[key] = value
            if key == "description":
                parents = self.children("TaxonomyTerm", rid, "BROADER")
                if parents:
                    ordered["parent_id"] = parents[0][0]
        taxonomies = self.children("TaxonomyTerm", rid, "IN_TAXONOMY")
        if taxonomies:
            taxonomy_id, taxonomy_props, _ = taxonomies[0]
            detail = taxonomy(taxonomy_id, taxonomy_props)
            tail: JsonObject = {k: ordered.pop(k) for k in ("language", "term_uri") if k in ordered}
            ordered["taxonomy_detail"] = detail
            ordered.update(tail)
        return ordered

    def service_at_location(self, rid: str, props: dict[str, Any], *, with_service: bool) -> JsonObject | None:
        """A service at location; None when the caller may not know of its location (a confidential or
        staff-only one, for the public: the pairing would disclose where the service is) or, when the
        service is shown too, of its service."""
        out: JsonObject = {
            **self.fields("service_at_location", rid, props),
            "contacts": self.contacts("ServiceAtLocation", rid),
            "phones": self.phones("ServiceAtLocation", rid),
            "schedules": self.schedules("ServiceAtLocation", rid),
        }
        for edge in self.graph.related("ServiceAtLocation", rid, "AT"):
            lprops = self.graph.props(edge.label, edge.id)
            if lprops is None:
                continue
            if not self.shown(lprops) or not self.public_location(lprops):
                return None  # the pairing would disclose where the service is
            out["location"] = self.location(edge.id, lprops)
            break
        if with_service:
            for edge in self.graph.related("ServiceAtLocation", rid, "DELIVERED_AT", "in"):
                sprops = self.graph.props(edge.label, edge.id)
                if sprops is None:
                    continue
                if not self.shown(sprops):
                    return None  # the site of a staff-only service
                out["service"] = self.service(edge.id, sprops, organization=True, sites=False)
                break
        return self.tagged(out, "ServiceAtLocation", rid)

    def organization(self, rid: str, props: dict[str, Any], *, services: str | None) -> JsonObject:
        """An organization; `services`: None (left out), "basic" (flat) or "full" (without the
        organization again)."""
        key = ("organization", self.staff, services, rid)
        if key not in self.graph.memo:
            self.graph.memo[key] = self._organization(rid, props, services=services)
        found: JsonObject = self.graph.memo[key]
        return found

    def _organization(self, rid: str, props: dict[str, Any], *, services: str | None) -> JsonObject:
        out = self.fields("organization", rid, props)
        parents = self.children("Organization", rid, "PARENT_OF", direction="in")
        if parents:
            out["parent_organization_id"] = parents[0][0]
        out["funding"] = self.funding("Organization", rid)
        out["contacts"] = self.contacts("Organization", rid)
        out["phones"] = self.phones("Organization", rid)
        out["locations"] = [
            self.location(lid, lprops) for lid, lprops, _ in self.children("Organization", rid, "HAS_LOCATION")
            if self.public_location(lprops)
        ]
        out["programs"] = [self.program(pid, p) for pid, p, _ in self.children("Organization", rid, "RUNS")]
        out["organization_identifiers"] = self._simple(
            "organization_identifier", "OrganizationIdentifier", "Organization", rid, "HAS_IDENTIFIER")
        if services is not None:
            out["services"] = [
                self.service(sid, s, organization=False, sites=True) if services == "full"
                else self.service_fields(sid, s)
                for sid, s, _ in self.children("Organization", rid, "PROVIDES")
            ]
        return self.tagged(out, "Organization", rid)

    def service_fields(self, rid: str, props: dict[str, Any]) -> JsonObject:
        return self.fields("service", rid, props)

    def service(self, rid: str, props: dict[str, Any], *, organization: bool, sites: bool) -> JsonObject:
        out = self.service_fields(rid, props)
        out["phones"] = self.phones("Service", rid)
        out["schedules"] = self.schedules("Service", rid)
        out["service_areas"] = self._tagged("service_area", "ServiceArea", "Service", rid, "SERVES_AREA")
        if sites:
            found = (
                self.service_at_location(sid, p, with_service=False)
                for sid, p, _ in self.children("Service", rid, "DELIVERED_AT")
            )
            out["service_at_locations"] = [site for site in found if site is not None]
        out["languages"] = self.languages("Service", rid)
        if organization:
            owners = self.children("Service", rid, "PROVIDES", direction="in")
            if owners:
                out["organization"] = self.organization(owners[0][0], owners[0][1], services=None)
        out["funding"] = self.funding("Service", rid)
        out["cost_options"] = self._simple("cost_option", "CostOption", "Service", rid, "HAS_COST_OPTION")
        programs = self.children("Service", rid, "INCLUDES", direction="in")
        if programs:
            out["program"] = self.program(programs[0][0], programs[0][1])
        out["required_documents"] = self._simple(
            "required_document", "RequiredDocument", "Service", rid, "REQUIRES_DOCUMENT")
        out["contacts"] = self.contacts("Service", rid)
        return self.tagged(out, "Service", rid)


def _top(obj: JsonObject) -> JsonObject:
    """A top-level object: its `attributes` (even when empty) and `metadata` (always empty) last."""
    attributes = obj.pop("attributes", [])
    return {**obj, "attributes": attributes, "metadata": []}


def _root(record: RecordGraph, staff: bool) -> tuple[_Writer, dict[str, Any]] | None:
    writer = _Writer(record.graph, staff=staff)
    props = record.props
    return (writer, props) if writer.shown(props) else None


def service_full(record: ServiceGraph, *, staff: bool) -> JsonObject | None:
    """The compiled HSDS service (`/services/{id}`); None when the caller may not know it exists."""
    root = _root(record, staff)
    if root is None:
        return None
    writer, props = root
    return _top(writer.service(record.id, props, organization=True, sites=True))


def service_basic(record: ServiceGraph, *, staff: bool) -> JsonObject | None:
    """The service's own fields only, with `organization_id` and `program_id` (a flat HSDS service record)."""
    root = _root(record, staff)
    if root is None:
        return None
    writer, props = root
    out = writer.service_fields(record.id, props)
    refs: JsonObject = {}
    for key, rel in (("organization_id", "PROVIDES"), ("program_id", "INCLUDES")):
        owners = writer.children("Service", record.id, rel, direction="in")
        if owners:
            refs[key] = owners[0][0]
    return {"id": out.pop("id"), **refs, **out}


def service_summary(record: ServiceGraph, *, staff: bool) -> JsonObject | None:
    """A service as a page of `/services` shows it (examples/service_list.json): its own fields with its
    organization's and program's own fields nested."""
    root = _root(record, staff)
    if root is None:
        return None
    writer, props = root
    out = writer.service_fields(record.id, props)
    owners = writer.children("Service", record.id, "PROVIDES", direction="in")
    if owners:
        org = writer.fields("organization", owners[0][0], owners[0][1])
        parents = writer.children("Organization", owners[0][0], "PARENT_OF", direction="in")
        if parents:
            org["parent_organization_id"] = parents[0][0]
        out["organization"] = org
    programs = writer.children("Service", record.id, "INCLUDES", direction="in")
    if programs:
        out["program"] = writer.fields("program", programs[0][0], programs[0][1])
    return out


def organization_full(record: OrganizationGraph, *, staff: bool, full_service: bool) -> JsonObject | None:
    """The compiled HSDS organization (`/organizations/{id}`), its services flat or (`full_service`) in
    full; None when the caller may not know it exists."""
    root = _root(record, staff)
    if root is None:
        return None
    writer, props = root
    services = "full" if full_service else "basic"
    return _top(writer.organization(record.id, props, services=services))


def organization_basic(props: dict[str, Any], *, staff: bool) -> JsonObject | None:
    """An organization's own fields (a page of `/organizations`), from its stored properties."""
    if not staff and is_staff_only_record(props):
        return None
    return _Writer(Subgraph(), staff=staff).fields("organization", str(props["id"]), props)


def service_at_location_full(record: ServiceAtLocationGraph, *, staff: bool) -> JsonObject | None:
    """The compiled HSDS service at location (`/service_at_locations/{id}`): contacts, phones,
    schedules, location and service in full; None when the caller may not know it exists (for the
    public, also when its location is confidential: the pairing would disclose where the service is)."""
    root = _root(record, staff)
    if root is None:
        return None
    writer, props = root
    site = writer.service_at_location(record.id, props, with_service=True)
    return None if site is None else _top(site)


def taxonomy_term(record: TermGraph, *, staff: bool = False) -> JsonObject:
    """An HSDS taxonomy term with its parent's id and its taxonomy (`taxonomy_detail`)."""
    return dict(_Writer(record.graph, staff=staff).term(record.id, record.props))


def taxonomy(rid: str, props: dict[str, Any]) -> JsonObject:
    """An HSDS taxonomy from its stored properties."""
    return _Writer(Subgraph(), staff=True).fields("taxonomy", rid, props)
