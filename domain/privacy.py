"""What the public may see of a record the source marked partly private.

211 exports flag values as private (`…IsPrivate` columns); the loaders record the property names
in the node's `staffOnly` list. Staff see everything. For everyone else those properties are
removed, a phone whose number is private is left out, and a confidential location (its address
is private: a shelter, say) is not disclosed at all: not in a service's or organization's
locations, not as an answer's nearest location, not by a distance (the search leaves such
locations out of reach and ranking for the public: `ServiceQuery.confidential`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.schema.model import is_confidential, is_staff_only_record


def visible(props: dict[str, Any], *, staff: bool) -> dict[str, Any]:
    """The properties the caller may see."""
    if staff:
        return props
    hidden = props.get("staffOnly")
    if not hidden:
        return props
    return {key: value for key, value in props.items() if key not in hidden and key != "staffOnly"}


def public_location(props: dict[str, Any], *, staff: bool) -> bool:
    """Whether the caller may know of this location at all."""
    return staff or not is_confidential(props)


def visible_phones(phones: Iterable[dict[str, Any] | None], *, staff: bool) -> list[dict[str, Any]]:
    """The phones the caller may see (a phone whose number is private is no phone to the public)."""
    out = []
    for phone in phones:
        shown = visible(phone, staff=staff) if phone and (staff or not is_staff_only_record(phone)) else None
        if shown and shown.get("number"):
            out.append(shown)
    return out


def visible_locations(rows: Iterable[tuple[dict[str, Any], Iterable[dict[str, Any] | None]]], *,
                      staff: bool) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(location, addresses) pairs the caller may know of, each as much as it may see (every address
    type alike: a confidential location shows no street, postal or virtual address to the public)."""
    return [(visible(loc, staff=staff), [visible(address, staff=staff) for address in addresses
                                         if address and (staff or not is_staff_only_record(address))])
            for loc, addresses in rows if public_location(loc, staff=staff)]
