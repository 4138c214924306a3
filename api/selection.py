"""What a GraphQL query selects of a result page, so the page reads only that (look-ahead).

A search page's details come in one query with one part per kind of related record (organization,
locations, phones, …; see queries/search/service_details). A front-line client asking for names and
distances should not pay for every phone, contact and schedule of twenty services: the kinds are
worked out here from the selection under `edges { node { … } nearestLocation }`, fragments included.
Likewise the properties of services, organizations, locations, addresses and terms: a page that shows
names does not read descriptions and URLs. A field this module does not know reads every property of
its kind (never less than the builders in api.schema and api.types may use).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Final

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from services.directory import ALL_KEYS, DETAIL_KINDS

# Service fields (GraphQL names) -> the detail kinds they are built from.
_KINDS_OF_FIELD: Final[dict[str, frozenset[str]]] = {
    "organization": frozenset({"organization"}), "locations": frozenset({"location"}),
    "needs": frozenset({"term"}), "populations": frozenset({"term"}), "languages": frozenset({"language"}),
    "schedules": frozenset({"schedule"}), "serviceAreas": frozenset({"area"}),
    "phones": frozenset({"phone", "location"}),  # a location's numbers only for locations the caller may see
    "contacts": frozenset({"contact"}),
}
# Read whatever the selection: eligibility is judged from them (services.search.service_facts).
ELIGIBILITY_KINDS: Final[frozenset[str]] = frozenset({"term", "language", "residency"})


# Properties read whatever the selection: each record's id, what privacy decides on (`staffOnly`,
# domain.privacy) and what eligibility is judged from (services.search.service_facts).
_ALWAYS: Final[dict[str, tuple[str, ...]]] = {
    "service": ("id", "staffOnly", "minimumAge", "maximumAge", "eligibilityDescription", "interpretationServices",
                "derivedFields"),
    "organization": ("id", "staffOnly"), "location": ("id", "staffOnly"),
    "address": ("id", "staffOnly", "addressType"),  # the type says which is the place to go (contact_points)
    "term": ("id", "code", "name"),
}
# Per kind, its GraphQL fields and the properties each is built from (api.schema, api.types); a field that
# is a kind of its own (Service.organization, Location.address, …) maps to nothing here and is followed.
_Props = dict[str, tuple[str, ...]]


def _same(*names: str) -> _Props:
    """Fields named as the properties they show."""
    return {name: (name,) for name in names}


_PROPS_OF_FIELD: Final[dict[str, _Props]] = {
    "service": {"id": (), **_same("name", "alternateName", "description", "url", "email", "status",
                                  "applicationProcess", "feesDescription", "waitTime", "eligibilityDescription",
                                  "minimumAge", "maximumAge", "interpretationServices", "alert", "lastModified"),
                **{name: () for name in _KINDS_OF_FIELD}},
    "organization": {"id": (), "sector": (), "services": (), "locations": (),  # resolved from the id
                     **_same("name", "alternateName", "description", "email", "website")},
    "location": {"id": (), "address": (), "postalAddress": (), "addresses": (), "point": ("latitude", "longitude"),
                 **_same("name", "description", "locationType", "transportation")},
    "address": {**_same("addressType", "address1", "address2", "city", "stateProvince", "postalCode", "country")},
    "phone": {**_same("number", "extension", "type", "description", "source"), "location": ()},  # read whole
    "term": {"id": (), "parentId": (), **_same("code", "name", "description", "taxonomy")},
}
# Fields whose selection is that of another kind's record.
_NESTED_KIND: Final[dict[tuple[str, str], str]] = {
    ("service", "organization"): "organization", ("service", "locations"): "location",
    ("service", "needs"): "term", ("service", "populations"): "term", ("service", "phones"): "phone",
    ("phone", "location"): "location", ("location", "address"): "address", ("location", "postalAddress"): "address",
    ("location", "addresses"): "address",
}


def _fields(selections: Iterable[Any]) -> Iterator[SelectedField]:
    """The fields of a selection set, with those of its fragments (named or inline)."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def _page_records(connection: Iterable[Any]) -> Iterator[tuple[str, list[Any]]]:
    """(kind, selections) of the records each edge of a connection shows: its service (`node`) and the
    location nearest the point (`nearestLocation`); and the services of its `nodes` (the edges' nodes)."""
    for field in _fields(connection):
        for nodes in (f for f in _fields(field.selections) if f.name == "nodes"):
            yield "service", nodes.selections
        for edges in (f for f in _fields(field.selections) if f.name == "edges"):
            for part in _fields(edges.selections):
                if part.name == "nearestLocation":
                    yield "location", part.selections
                elif part.name == "node":
                    yield "service", part.selections


def page_detail_kinds(connection: Iterable[Any]) -> frozenset[str]:
    """The detail kinds a connection's selection (the `selected_fields` of its field) needs."""
    kinds = set(ELIGIBILITY_KINDS)
    for kind, selections in _page_records(connection):
        if kind == "location":
            kinds.add("location")
        else:
            for node_field in _fields(selections):
                kinds |= _KINDS_OF_FIELD.get(node_field.name, frozenset())
    return frozenset(kinds & DETAIL_KINDS)


def _read(kind: str, selections: Iterable[Any], keys: dict[str, set[str]]) -> None:
    """Add to `keys` what the selection of one `kind` record (and of the records nested in it) reads."""
    known = _PROPS_OF_FIELD[kind]
    for field in _fields(selections):
        if field.name == "__typename":
            continue
        if field.name not in known:
            if kind in ALL_KEYS:
                keys[kind].update(ALL_KEYS[kind])  # not known here: read everything rather than guess
            continue
        if kind in ALL_KEYS:
            keys[kind].update(known[field.name])
        nested = _NESTED_KIND.get((kind, field.name))
        if nested is not None:
            _read(nested, field.selections, keys)


def page_detail_keys(connection: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """The properties, per kind of record (services.directory.ALL_KEYS), a connection's selection needs."""
    keys: dict[str, set[str]] = {kind: set(names) for kind, names in _ALWAYS.items()}
    for kind, selections in _page_records(connection):
        _read(kind, selections, keys)
    return {kind: tuple(name for name in ALL_KEYS[kind] if name in found) for kind, found in keys.items()}
