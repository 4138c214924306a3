"""locations.csv -> Location (Organization -HAS_LOCATION->), with its languages, accessibility and
hours; addresses.csv and mail_addresses.csv -> Address (Location -HAS_ADDRESS->), physical and postal.

A location's organization is required: a location that names no organization, or one that is not
in organizations.csv, is an error. Coordinates that cannot be a place (out of range, one without
the other, 0/0) are a warning and the location loads without a point. An address whose location
is not in locations.csv is a warning and is left out: exports do have such rows.
"""

from __future__ import annotations

from typing import Any

from loaders.ohana.build import Build, pick
from loaders.ohana.files import CsvFile, Row
from loaders.ohana.ids import Known
from loaders.ohana.values import coordinate, items
from loaders.toolkit.yes_no import yes_no

_LOCATION = {
    "name": "name", "alternate_name": "alternateName", "description": "description",
    "transportation": "transportation", "website": "url",
}
_ADDRESS = {
    "address_1": "address1", "address_2": "address2", "city": "city",
    "state_province": "stateProvince", "postal_code": "postalCode",
}


def read_locations(table: CsvFile, build: Build) -> None:
    build.start(build.locations, "location", table)
    for row in table.rows:
        location = build.register(build.locations, "location", table, row, "name", "organization_id")
        if location is None:
            continue
        organization = build.organizations.resolve(row.values["organization_id"], build.report, table.name,
                                                   row.number, "organization_id", required=True)
        props = pick(row, _LOCATION) | _kind(table, row, build) | _point(table, row, build)
        build.add(build.locations, "Location", row, location, props)
        if organization is not None:
            build.plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), organization, location)
            build.location_organization[location] = organization
        _accessibility(row, location, build)
        build.offer_languages("Location", location, table, row)
        build.hours("Location", "location", location, row)


def _kind(table: CsvFile, row: Row, build: Build) -> dict[str, Any]:
    """HSDS locationType from Ohana's `virtual` flag."""
    text = row.get("virtual")
    if text is None:
        return {}
    virtual = yes_no(text)
    if virtual is None:
        build.report.warning(table.name, row.number, "virtual", f"{text!r} is neither true nor false; left out")
        return {}
    return {"locationType": "virtual" if virtual else "physical"}


def _point(table: CsvFile, row: Row, build: Build) -> dict[str, Any]:
    """latitude/longitude when both are there and make a place; else none (with a warning)."""
    texts = {"latitude": row.get("latitude"), "longitude": row.get("longitude")}
    if not any(texts.values()):
        return {}
    report, unplaced = build.report, "the location is loaded without a point"
    for column, text in texts.items():
        if text is None:
            other = "longitude" if column == "latitude" else "latitude"
            report.warning(table.name, row.number, column, f"missing, though {other} is given; {unplaced}")
            return {}
    latitude, longitude = coordinate(texts["latitude"] or "", 90), coordinate(texts["longitude"] or "", 180)
    for column, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if value is None:
            report.warning(table.name, row.number, column,
                           f"{texts[column]!r} is not a {column} in decimal degrees (-{limit} to {limit}); {unplaced}")
    if latitude is None or longitude is None:
        return {}
    if latitude == 0 and longitude == 0:
        report.warning(table.name, row.number, "latitude", f"0, 0 is no place people go (an unset point?); {unplaced}")
        return {}
    return {"latitude": latitude, "longitude": longitude}


def _accessibility(row: Row, location: str, build: Build) -> None:
    """Ohana's accessibility list (`disabled_parking, ramp, wheelchair`) as one Accessibility record."""
    features = [feature.replace("_", " ") for feature in items(row.get("accessibility") or "")]
    if features:
        node = build.ids("accessibility", row.values["id"])
        build.plan.add_node("Accessibility", node, {"description": ", ".join(features)})
        build.plan.add_relationship(("Location", "HAS_ACCESSIBILITY", "Accessibility"), location, node)


def read_addresses(table: CsvFile, build: Build, *, postal: bool) -> None:
    """addresses.csv (physical) or mail_addresses.csv (postal)."""
    kind = "mail_address" if postal else "address"
    seen = Known(kind.replace("_", " "))
    for row in table.rows:
        address = build.register(seen, kind, table, row)
        if address is None:
            continue
        if row.get("location_id") is None:
            build.report.warning(table.name, row.number, "location_id", "missing: the address belongs to no "
                                                                        "location; skipped")
            continue
        location = build.locations.resolve(row.values["location_id"], build.report, table.name, row.number,
                                           "location_id", required=False, skipped="address skipped")
        if location is None:
            continue
        props = pick(row, _ADDRESS | ({"attention": "attention"} if postal else {}))
        if "country" in row.values:
            props["country"] = row.values["country"].upper()
        props["addressType"] = "postal" if postal else "physical"
        build.add(seen, "Address", row, address, props)
        build.plan.add_relationship(("Location", "HAS_ADDRESS", "Address"), location, address)
