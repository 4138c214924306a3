"""What a GraphQL query selects of a result page, so the page reads only that (look-ahead).

A search page's details come in one query with one part per kind of related record (organization,
locations, phones, …; see queries/search/service_details). A front-line client asking for names and
distances should not pay for every phone, contact and schedule of twenty services: the kinds are
worked out here from the selection under `edges { node { … } nearestLocation }`, fragments included.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Final

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from queries.directory import DETAIL_KINDS

# Service fields (GraphQL names) -> the detail kinds they are built from.
_KINDS_OF_FIELD: Final[dict[str, frozenset[str]]] = {
    "organization": frozenset({"organization"}), "locations": frozenset({"location"}),
    "needs": frozenset({"term"}), "populations": frozenset({"term"}), "languages": frozenset({"language"}),
    "phones": frozenset({"phone"}), "schedules": frozenset({"schedule"}), "serviceAreas": frozenset({"area"}),
    "contacts": frozenset({"contact"}),
}
# Read whatever the selection: eligibility is judged from them (queries.search.facts_of_details).
ELIGIBILITY_KINDS: Final[frozenset[str]] = frozenset({"term", "language", "residency"})


def _fields(selections: Iterable[Any]) -> Iterator[SelectedField]:
    """The fields of a selection set, with those of its fragments (named or inline)."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def page_detail_kinds(connection: Iterable[Any]) -> frozenset[str]:
    """The detail kinds a connection's selection (the `selected_fields` of its field) needs."""
    kinds = set(ELIGIBILITY_KINDS)
    for field in _fields(connection):
        for edges in (f for f in _fields(field.selections) if f.name == "edges"):
            for part in _fields(edges.selections):
                if part.name == "nearestLocation":
                    kinds.add("location")
                elif part.name == "node":
                    for node_field in _fields(part.selections):
                        kinds |= _KINDS_OF_FIELD.get(node_field.name, frozenset())
    return frozenset(kinds & DETAIL_KINDS)
