"""Facts of the official HSDS 3.0 examples (../shared/data/hsds-3.0/examples) that several test
layers check, and small helpers to read a parse result as strings."""

from __future__ import annotations

from loaders.hsds import ParseResult

# The official examples link to records they do not contain and have a latitude of 100.
EXAMPLE_CSV_WARNINGS = [
    "attributes.csv:2:link_id: no record with id 'f28dd44b-0c4d-479f-8e90-4c52219a8b3c'; link skipped",
    "contacts.csv:2:organization_id: no organization with id 'ae67a707-5893-4225-b0b1-320ab9cb596b'; link skipped",
    "contacts.csv:2:service_at_location_id: no service at location with id '93eaf18d-1cd2-4ec7-bffb-3c9172ee5070'; "
    "link skipped",
    "locations.csv:2:latitude: 100 is outside [-90, 90]; latitude and longitude dropped",
    "locations.csv:2:organization_id: no organization with id '985e4a42-bd9f-4edc-911d-0243a4640aca'; link skipped",
    "organizations.csv:2:parent_organization_id: no organization with id 'cd09a387-91f4-4555-94ec-e799c35344cd'; "
    "link skipped",
    "taxonomy_terms.csv:2:parent_id: no taxonomy term with id '0bc248fa-dc27-4650-9ba4-8f1a24ef16a2'; link skipped",
    "taxonomy_terms.csv:2:taxonomy_id: no taxonomy with id '07ff6aee-a219-438c-b694-d2fcb6c5373b'; link skipped",
]
EXAMPLE_JSON_WARNINGS = [
    "service_full.json:1:attributes[0].taxonomy_term.parent_id: no taxonomy term with id "
    "'0bc248fa-dc27-4650-9ba4-8f1a24ef16a2'; link skipped",
    "service_full.json:1:organization.parent_organization_id: no organization with id "
    "'cd09a387-91f4-4555-94ec-e799c35344cd'; link skipped",
    "service_full.json:1:service_at_locations[0].location.latitude: 100 is outside [-90, 90]; "
    "latitude and longitude dropped",
]


def errors(result: ParseResult) -> list[str]:
    return [str(p) for p in result.report.errors]


def warnings(result: ParseResult) -> list[str]:
    return [str(p) for p in result.report.warnings]


def rel(result: ParseResult, key: tuple[str, str, str]) -> set[tuple[str, str]]:
    """The (from, to) id pairs of one kind of relationship in the plan."""
    return {(r["from"], r["to"]) for r in result.plan.relationships.get(key, {}).values()}
