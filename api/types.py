"""GraphQL object and input types of the front-line API, and their construction from graph rows.

Ids are the source (HSDS) ids, stable and shareable with the HSDS API. Properties come from the
graph's whitelisted keys only (`graph.schema.model`); provenance (`dataset`) is not exposed.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from domain import contact_points as cp
from domain import search_model as sm


@strawberry.enum(description="How a service reaches the point asked about.")
class Reach(Enum):
    LOCATION = "LOCATION"
    SERVICE_AREA = "SERVICE_AREA"


@strawberry.enum(description="Whether the resident can use the service, as far as its records say.")
class EligibilityStatus(Enum):
    ELIGIBLE = "ELIGIBLE"
    INELIGIBLE = "INELIGIBLE"
    UNKNOWN = "UNKNOWN"


@strawberry.input(description="A point on Earth (WGS 84 degrees).")
class GeoPointInput:
    latitude: float
    longitude: float

    def to_model(self) -> sm.GeoPoint:
        return sm.GeoPoint(self.latitude, self.longitude)


@strawberry.input(description="Facts about the person being helped. Used for this query only: never stored or logged.")
class ResidentInput:
    age: int | None = None
    languages: list[str] | None = strawberry.field(default=None, description="ISO 639 codes, e.g. en, fr, so.")
    populations: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Population taxonomy term ids or codes, e.g. pop-seniors.")
    location: GeoPointInput | None = strawberry.field(default=None, description="Used when `near` is not given.")

    def to_model(self) -> sm.Resident:
        return sm.Resident(age=self.age, languages=tuple(self.languages or ()),
                           populations=tuple(str(p) for p in self.populations or ()),
                           location=self.location.to_model() if self.location else None)


@strawberry.type(description="A point on Earth (WGS 84 degrees).")
class GeoPoint:
    latitude: float
    longitude: float


@strawberry.type(description="An address of a location, of an HSDS type: physical (where to go), postal or virtual.")
class Address:
    address_type: str = strawberry.field(description="physical, postal or virtual (HSDS `address_type`).")
    address1: str | None
    address2: str | None
    city: str | None
    state_province: str | None
    postal_code: str | None
    country: str | None


@strawberry.type(description="A place where services are delivered.")
class Location:
    id: strawberry.ID
    name: str | None
    description: str | None
    location_type: str | None
    transportation: str | None
    point: GeoPoint | None
    address: Address | None = strawberry.field(description=(
        "Where to go: its physical (street) address, never a postal one (a PO box is no place to send a "
        "person); null when the source gives none. The first by id when it has several."))
    postal_address: Address | None = strawberry.field(description="Where to write: its postal address, if any.")
    addresses: list[Address] = strawberry.field(description=(
        "All its addresses with their type: physical first, then postal and virtual, by id within a type."))


@strawberry.type(description="A term of a taxonomy: a need, a population, a sector.")
class TaxonomyTerm:
    id: strawberry.ID
    code: str | None
    name: str
    description: str | None
    taxonomy: str | None
    parent_id: strawberry.ID | None = strawberry.field(description="The broader term's id, if any.")


@strawberry.enum(description="The record a phone number belongs to (HSDS links phones to each of these).")
class PhoneSource(Enum):
    SERVICE = "service"
    SERVICE_AT_LOCATION = "serviceAtLocation"
    LOCATION = "location"
    ORGANIZATION = "organization"
    CONTACT = "contact"


@strawberry.type(description="A telephone number, and whose it is.")
class Phone:
    number: str
    extension: str | None
    type: str | None
    description: str | None
    source: PhoneSource = strawberry.field(description=(
        "Whose number it is: the service's own, the service's at one location, a location's, the "
        "organization's or a contact's."))
    location: Location | None = strawberry.field(
        default=None, description="The location whose number it is (sources SERVICE_AT_LOCATION and LOCATION).")


@strawberry.type(description="A person or role to contact (internal).")
class Contact:
    name: str | None
    title: str | None
    department: str | None
    email: str | None
    phones: list[Phone]


@strawberry.type(description="When a service is open (HSDS schedule).")
class Schedule:
    description: str | None
    freq: str | None
    byday: str | None
    opens_at: str | None
    closes_at: str | None
    valid_from: str | None
    valid_to: str | None
    notes: str | None


@strawberry.type(description="An area a service covers.")
class ServiceArea:
    id: strawberry.ID
    name: str | None
    description: str | None


@strawberry.type(description="Whether the resident can use the service, with the reasons a person can check.")
class Eligibility:
    status: EligibilityStatus
    reasons: list[str]


def text(props: dict[str, Any] | None, key: str) -> str | None:
    value = (props or {}).get(key)
    return None if value is None else str(value)


def address_of(props: dict[str, Any] | None) -> Address | None:
    if not props:
        return None
    return Address(address_type=cp.address_type(props), address1=text(props, "address1"),
                   address2=text(props, "address2"), city=text(props, "city"),
                   state_province=text(props, "stateProvince"), postal_code=text(props, "postalCode"),
                   country=text(props, "country"))


def location_of(props: dict[str, Any], addresses: list[dict[str, Any]]) -> Location:
    """A location with its addresses (already as much of them as the caller may see: domain.privacy)."""
    lat, lon = props.get("latitude"), props.get("longitude")
    return Location(id=strawberry.ID(props["id"]), name=text(props, "name"), description=text(props, "description"),
                    location_type=text(props, "locationType"), transportation=text(props, "transportation"),
                    point=GeoPoint(latitude=lat, longitude=lon) if lat is not None and lon is not None else None,
                    address=address_of(cp.first_of_type(addresses, cp.PHYSICAL)),
                    postal_address=address_of(cp.first_of_type(addresses, cp.POSTAL)),
                    addresses=[a for a in map(address_of, cp.ordered_addresses(addresses)) if a is not None])


def term_of(props: dict[str, Any], parent_id: str | None = None) -> TaxonomyTerm:
    # A term no source named (an AIRS code known only by its place in the tree) goes by its code.
    return TaxonomyTerm(id=strawberry.ID(props["id"]), code=text(props, "code"),
                        name=str(props.get("name") or props.get("code") or ""),
                        description=text(props, "description"), taxonomy=text(props, "taxonomy"),
                        parent_id=strawberry.ID(parent_id) if parent_id else None)


def phone_of(props: dict[str, Any], source: PhoneSource, location: Location | None = None) -> Phone:
    return Phone(number=str(props.get("number") or ""), extension=text(props, "extension"), type=text(props, "type"),
                 description=text(props, "description"), source=source, location=location)


def schedule_of(props: dict[str, Any]) -> Schedule:
    return Schedule(description=text(props, "description"), freq=text(props, "freq"), byday=text(props, "byday"),
                    opens_at=text(props, "opensAt"), closes_at=text(props, "closesAt"),
                    valid_from=text(props, "validFrom"), valid_to=text(props, "validTo"), notes=text(props, "notes"))


def eligibility_of(value: sm.Eligibility) -> Eligibility:
    return Eligibility(status=EligibilityStatus(value.status), reasons=list(value.reasons))


def aware(moment: datetime | None, name: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise sm.SearchInputError(f"{name} needs a timezone offset, e.g. 2026-11-26T21:30:00-05:00")
    return moment
