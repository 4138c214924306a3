"""services.csv -> Service, at its location through a ServiceAtLocation, provided by the location's
organization; with its languages, funding, required documents, service areas, hours and
Open Eligibility `taxonomy_ids`.

Eligibility stays the source's text (`eligibilityDescription`): ages and populations are read
from it later, in the step common to every loader. An Ohana service sits at one location: a
service without `location_id` is a warning (it loads, found by name and need but not by place); a
`location_id` that names no location is an error (the export is inconsistent, or cut short), and so
is one naming a location with errors (parse._unplaced_services), so --skip-invalid leaves the service
out with its location.
"""

from __future__ import annotations

from typing import Any

from loaders.ohana.build import Build, pick
from loaders.ohana.files import CsvFile, Row
from loaders.ohana.open_eligibility import OpenEligibility
from loaders.ohana.service_maps import tag_from_column
from loaders.ohana.values import items

_SERVICE = {
    "name": "name", "alternate_name": "alternateName", "description": "description", "website": "url",
    "email": "email", "interpretation_services": "interpretationServices",
    "application_process": "applicationProcess", "fees": "feesDescription", "wait_time": "waitTime",
    "eligibility": "eligibilityDescription",
}
STATUSES = ("active", "inactive", "defunct", "temporarily closed")  # HSDS 3.0 service.status


def read_services(table: CsvFile, build: Build, oe: OpenEligibility | None) -> None:
    build.start(build.services, "service", table)
    for row in table.rows:
        service = build.register(build.services, "service", table, row, "name")
        if service is None:
            continue
        props = pick(row, _SERVICE) | _status(table, row, build)
        languages = build.offer_languages("Service", service, table, row)
        if languages is not None and languages.notes and "interpretationServices" not in props:
            props["interpretationServices"] = row.values["languages"]  # "Spanish. Language Line available."
        build.add(build.services, "Service", row, service, props)
        _place(table, row, service, build)
        build.fund("Service", service, row)
        build.hours("Service", "service", service, row)
        _lists(row, service, build)
        if "taxonomy_ids" in row.values:
            tag_from_column(row.values["taxonomy_ids"], service, table.name, row.number, oe, build.plan, build.report)


def _status(table: CsvFile, row: Row, build: Build) -> dict[str, Any]:
    text = row.get("status")
    if text is None:
        return {}
    status = " ".join(text.lower().split())
    if status not in STATUSES:
        build.report.warning(table.name, row.number, "status", f"{text!r} is not a service status "
                                                               f"({', '.join(STATUSES)}); left out")
        return {}
    return {"status": status}


def _place(table: CsvFile, row: Row, service: str, build: Build) -> None:
    """ServiceAtLocation, the program, and the organization that provides the service."""
    plan, report = build.plan, build.report
    organization = None
    location_id = row.get("location_id")
    if location_id is None:
        report.warning(table.name, row.number, "location_id",
                       "missing: the service is loaded without a location (nor, unless its program names one, "
                       "an organization)")
    else:
        location = build.locations.resolve(location_id, report, table.name, row.number, "location_id", required=True)
        if location is not None:
            build.service_location[service] = (row.number, row.values["id"], location_id, location)
            at = build.ids("service_at_location", row.values["id"])
            plan.add_node("ServiceAtLocation", at, {})
            plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service, at)
            plan.add_relationship(("ServiceAtLocation", "AT", "Location"), at, location)
            organization = build.location_organization.get(location)
    program_id = row.get("program_id")
    if program_id is not None:
        program = build.programs.resolve(program_id, report, table.name, row.number, "program_id", required=False)
        if program is not None:
            plan.add_relationship(("Program", "INCLUDES", "Service"), program, service)
            organization = organization or build.program_organization.get(program)
    if organization is not None:
        plan.add_relationship(("Organization", "PROVIDES", "Service"), organization, service)


def _lists(row: Row, service: str, build: Build) -> None:
    """Required documents and service areas: one node per distinct text in the dataset."""
    plan, ids = build.plan, build.ids
    for document in items(row.get("required_documents") or ""):
        node = ids("required_document", document.casefold())
        plan.add_node("RequiredDocument", node, {"document": document})
        plan.add_relationship(("Service", "REQUIRES_DOCUMENT", "RequiredDocument"), service, node)
    for area in items(row.get("service_areas") or ""):
        node = ids("service_area", area.casefold())
        plan.add_node("ServiceArea", node, {"name": area})
        plan.add_relationship(("Service", "SERVES_AREA", "ServiceArea"), service, node)
