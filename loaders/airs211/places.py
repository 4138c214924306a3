"""Where a 211 export's records are: one Location per place of an agency, with its addresses.

A Site is a location of its agency. An Agency row's physical address (or point) is the
organization's location, and so is a Program row's: DC-style exports have almost no Site rows
and put each program's address on the program itself. Records of one agency at the same place
(the same street address, or the same point where there is no address; both public or both
private) share one Location, so the agency's building appears once with every program delivered
there: a Site's own location where one is there, else the agency's, else the program with the
lowest number names it (its id is that record's number, stable across exports in any row
order), and its point and address are that record's. Sites are never merged with one another:
each was entered as a place of its own.

Coordinates that are not numbers, out of range, only one of the pair, or 0,0 (an unset point) are
a warning and the place is kept without a point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from loaders.airs211 import columns as c
from loaders.airs211.csvfile import Table
from loaders.airs211.privacy import CONFIDENTIAL_LOCATION, mark
from loaders.airs211.records import Record
from loaders.airs211.values import coordinate
from loaders.report import Report

_RANK = {"Site": 0, "Agency": 1, "Program": 2}
_STREET = ("address1", "address2", "city", "postalCode")


@dataclass(frozen=True)
class Place:
    address: tuple[tuple[str, str], ...]  # physical Address properties
    latitude: float | None
    longitude: float | None
    private: bool

    def key(self, agency: str) -> tuple[Any, ...]:
        """The same street address of one agency is one place, whatever the points say (exports
        geocode one building differently row by row); without a street address, the point is."""
        street = {k: " ".join(v.casefold().replace(",", " ").replace(".", " ").split())
                  for k, v in self.address if k in _STREET}
        if street.get("address1"):
            return agency, tuple(sorted(street.items())), self.private
        return agency, self.latitude, self.longitude, self.private


def read_point(table: Table, record: Record, report: Report) -> tuple[float | None, float | None]:
    """The record's latitude and longitude, or (None, None) with a warning when unusable."""
    lat_text, lon_text = record.get(c.LATITUDE), record.get(c.LONGITUDE)
    if lat_text is None and lon_text is None:
        return None, None
    file, row = table.file, record.row.number
    dropped = "the place is kept without a point"
    if lat_text is None or lon_text is None:
        given, missing = (c.LATITUDE, c.LONGITUDE) if lon_text is None else (c.LONGITUDE, c.LATITUDE)
        report.warning(file, row, table.name(missing), f"missing, though {table.name(given)} is given; {dropped}")
        return None, None
    lat, lon = coordinate(lat_text), coordinate(lon_text)
    for value, text, column, bound in ((lat, lat_text, c.LATITUDE, 90), (lon, lon_text, c.LONGITUDE, 180)):
        if value is None:
            report.warning(file, row, table.name(column), f"{text!r} is not a number; {dropped}")
            return None, None
        if abs(value) > bound:
            report.warning(file, row, table.name(column), f"{text} is outside [-{bound}, {bound}]; {dropped}")
            return None, None
    if lat == 0 and lon == 0:
        report.warning(file, row, table.name(c.LATITUDE), f"0, 0 is no place people go (an unset point); {dropped}")
        return None, None
    return lat, lon


def address_props(record: Record, columns: c.AddressColumns) -> dict[str, str]:
    return {prop: value for prop, column in columns.fields() if (value := record.get(column))}


@dataclass
class Location:
    id: str
    head: Record  # the record that names it: the site, the agency or the first program there
    place: Place | None
    members: list[Record] = field(default_factory=list)  # the records at it


@dataclass
class Places:
    """Gathers every record's place, then tells which Location each record is at."""

    location_id: Callable[[str], str]
    places: dict[tuple[Any, ...], list[tuple[Record, Place]]] = field(default_factory=dict)
    sites: list[tuple[Record, Place | None]] = field(default_factory=list)
    at: dict[str, Location] = field(default_factory=dict)  # record number -> its location

    def add(self, record: Record, agency: str, place: Place | None) -> None:
        if record.level == "Site":
            self.sites.append((record, place))
        if place is not None:
            self.places.setdefault(place.key(agency), []).append((record, place))

    def resolve(self) -> list[Location]:
        """Every Location, in a stable order; afterwards `at` maps each record with a place (and
        every site) to its Location."""
        out: dict[str, Location] = {}
        for site, place in self.sites:
            out[site.number] = self.at[site.number] = Location(self.location_id(site.number), site, place, [site])
        for members in self.places.values():
            members.sort(key=lambda m: (_RANK[m[0].level], _numeric(m[0].number)))
            first, place = members[0]
            location = self.at.get(first.number) or Location(self.location_id(first.number), first, place)
            out.setdefault(first.number, location)
            for record, _ in members:
                if record.level != "Site":
                    self.at[record.number] = location
                    location.members.append(record)
        return sorted(out.values(), key=lambda loc: _numeric(loc.head.number))


def _numeric(number: str) -> tuple[int, int | str]:
    return (0, int(number)) if number.isdigit() else (1, number)


def named_by(location: Location, names: dict[str, str]) -> str:
    """The number of the record a Location is named after: its site or agency, or its one program (the
    agency when several programs share it). The name is as private as that record's (build.Builder)."""
    head = location.head
    shared = head.level == "Program" and len(location.members) > 1
    return head.agency if shared and head.agency and names.get(head.agency) else head.number


def location_props(location: Location, names: dict[str, str]) -> dict[str, Any]:
    """A Location's properties: named by its site or agency, or by its one program (by the
    agency when several programs share it); its point; confidential when its address is private."""
    head = location.head
    name = names.get(named_by(location, names))
    described = head.get(c.DESCRIPTION) if head.level == "Site" else None
    props: dict[str, Any] = {"name": name, "locationType": "physical",
                             "description": described or head.get(c.LOCATION_DESCRIPTION)}
    if head.level == "Site":
        props["alternateName"] = head.get(c.ALTERNATE_NAME)
    place = location.place
    if place is not None:
        props["latitude"], props["longitude"] = place.latitude, place.longitude
        if place.private:
            mark(props, CONFIDENTIAL_LOCATION)
    return {k: v for k, v in props.items() if v is not None}
