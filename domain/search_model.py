"""The front-line search question and its answer, engine-independent (the GraphQL layer maps to these).

Semantics (the brute-force tests check exactly these):

- **need**: TaxonomyTerm ids or codes. A term matches itself and every descendant (terms whose
  `BROADER` chain reaches it). A service matches when it is `TAGGED` with a matching term by an
  attribute whose `linkType` is not `eligibility` or `sector` (those say who is served, and what an
  organization is). Several needs: any of them. An unknown id/code is an error (`UnknownNeed`).
- **point**: `near`, else the resident's location. **radius_km** in (0, 500], default 10.
- **reach** (only with a point): `LOCATION` when one of the service's locations (Service
  -DELIVERED_AT-> ServiceAtLocation -AT-> Location with a point) lies within the radius;
  `distance_km` is then the nearest one's great-circle distance (haversine, R = 6371.0088 km).
  Otherwise `SERVICE_AREA` when one of its service areas has a GeoJSON (Multi)Polygon extent
  covering the point; `distance_km` is the nearest location's distance (beyond the radius) or None
  when it has no located location. Otherwise the service does not reach the point.
- **order**: with a point, by distance (None last), ties by service id; without one, by text
  relevance when `text` is given, else by service id.
- **eligibility**: `assess(service facts, resident)`; INELIGIBLE services are left out unless
  `include_ineligible`.
- **open_at**: keep services with a schedule open at that instant (their own and their
  service-at-locations' schedules; if they have none, their locations' schedules). A service
  with no schedule at all is left out when `open_at` is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

EARTH_RADIUS_KM = 6371.0088
DEFAULT_RADIUS_KM = 10.0
MAX_RADIUS_KM = 500.0

Reach = Literal["LOCATION", "SERVICE_AREA"]
EligibilityStatus = Literal["ELIGIBLE", "INELIGIBLE", "UNKNOWN"]


class SearchInputError(ValueError):
    """The question cannot be answered as asked; the message says what to change."""


class UnknownNeed(SearchInputError):
    pass


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Resident:
    """Facts about the person being helped: query input only, never stored or logged."""

    age: int | None = None
    languages: tuple[str, ...] = ()  # ISO 639 codes, e.g. "en", "so"
    populations: tuple[str, ...] = ()  # TaxonomyTerm ids or codes, e.g. "pop-seniors"
    location: GeoPoint | None = None

    def __repr__(self) -> str:  # never let resident facts reach a log line by accident
        return "Resident(<redacted>)"


@dataclass(frozen=True)
class ServiceQuery:
    need: tuple[str, ...] = ()
    text: str | None = None
    near: GeoPoint | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    resident: Resident | None = None
    open_at: datetime | None = None  # timezone-aware
    include_ineligible: bool = False
    # Confidential locations (a shelter whose address the source marks private) reach and rank only
    # for staff; for everyone else the service is as if it had no such location.
    confidential: bool = False

    @property
    def point(self) -> GeoPoint | None:
        return self.near or (self.resident.location if self.resident else None)


@dataclass(frozen=True)
class Eligibility:
    status: EligibilityStatus
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    service_id: str
    reach: Reach | None = None
    distance_km: float | None = None
    nearest_location_id: str | None = None
    eligibility: Eligibility = field(default_factory=lambda: Eligibility("UNKNOWN"))
    relevance: float | None = None
