"""Where a person is sent and which number they call: one rule for every surface that shows a service.

Addresses. HSDS gives a location addresses of a type: `physical` (where to go), `postal` (where to
write: often a PO box), `virtual`. A place to go is only ever a physical address; an address without
a type counts as physical, as in HSDS exports (`address_type` defaults to "physical"). Several of one
type come in id order, so the first is stable.

Phones. HSDS links phones to a service, a service at a location, a location, an organization or a
contact. A service with no number of its own can still be called at its location's or its
organization's, so a service's numbers are, nearest first: its own, then per location (the one the
caller is nearest to first, then the others by id) those of the service at that location and of the
location itself, then its organization's. A number already listed (same digits and extension) is not
repeated. Contacts' phones are not here: contacts are staff-only (api.schema.Service.contacts).
Privacy is the caller's to apply first (domain.privacy): only the phones and locations the caller may
see go in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

PHYSICAL, POSTAL, VIRTUAL = "physical", "postal", "virtual"
_TYPE_ORDER: Final[dict[str, int]] = {PHYSICAL: 0, POSTAL: 1, VIRTUAL: 2}


def address_type(address: dict[str, Any]) -> str:
    """The address's HSDS type (physical when the source gave none)."""
    value = address.get("addressType")
    return str(value).strip().lower() if value else PHYSICAL


def ordered_addresses(addresses: Iterable[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """A location's addresses, physical first, then postal, virtual and any other type; by id within a type."""
    return sorted((a for a in addresses if a), key=lambda a: (_TYPE_ORDER.get(address_type(a), 3), address_type(a),
                                                              str(a.get("id") or "")))


def first_of_type(addresses: Iterable[dict[str, Any] | None], kind: str) -> dict[str, Any] | None:
    """The first address (by id) of an HSDS type: `physical` is where to go, never a postal one."""
    return next((a for a in ordered_addresses(addresses) if address_type(a) == kind), None)


class PhoneSource(Enum):
    """The record a number belongs to, nearest to the service first."""

    SERVICE = "service"
    SERVICE_AT_LOCATION = "serviceAtLocation"
    LOCATION = "location"
    ORGANIZATION = "organization"


@dataclass(frozen=True)
class SourcedPhone:
    """A phone number and where it comes from (`location_id` for a service at location's or a location's)."""

    source: PhoneSource
    location_id: str | None
    phone: dict[str, Any]


_NOT_DIGITS = re.compile(r"\D")


def _same_number(phone: dict[str, Any]) -> tuple[str, str]:
    number = str(phone.get("number") or "")
    digits = _NOT_DIGITS.sub("", number)
    return digits or number.strip().lower(), str(phone.get("extension") or "").strip()


def callable_phones(phones: Iterable[SourcedPhone], location_ids: Sequence[str],
                    nearest_location_id: str | None = None) -> list[SourcedPhone]:
    """The numbers a person can call for a service, nearest first (see the module docstring).

    `location_ids` are the service's locations the caller may know of: a phone of any other location (or
    of the service at it) is left out. `nearest_location_id`, when given, comes first of them."""
    order = sorted(location_ids)
    if nearest_location_id is not None and nearest_location_id in location_ids:
        order.remove(nearest_location_id)
        order.insert(0, nearest_location_id)
    rank = {location_id: i for i, location_id in enumerate(order)}

    def key(p: SourcedPhone) -> tuple[int, int, int, str]:
        if p.source is PhoneSource.SERVICE:
            return 0, 0, 0, str(p.phone.get("id") or "")
        if p.source is PhoneSource.ORGANIZATION:
            return 2, 0, 0, str(p.phone.get("id") or "")
        at_location = 0 if p.source is PhoneSource.SERVICE_AT_LOCATION else 1
        return 1, rank[p.location_id or ""], at_location, str(p.phone.get("id") or "")

    kept = [p for p in phones if p.source in (PhoneSource.SERVICE, PhoneSource.ORGANIZATION)
            or (p.location_id is not None and p.location_id in rank)]
    seen: set[tuple[str, str]] = set()
    out = []
    for p in sorted(kept, key=key):
        number = _same_number(p.phone)
        if number not in seen:
            seen.add(number)
            out.append(p)
    return out
