"""The HSDS 3.0 tabular package layout: file names, exact column order, field types and keys.

Column lists mirror the official example package (`examples/csv/*.csv` of the Open Referral
specification, branch 3.0) column for column; the unit tests compare them against the shared copy.
"""

from __future__ import annotations

from typing import Final

# file stem -> (resource name in datapackage.json, columns in order)
TABLES: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "taxonomies": ("taxonomy", ("id", "name", "description", "uri", "version")),
    "taxonomy_terms": (
        "taxonomy_term",
        ("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"),
    ),
    "organizations": (
        "organization",
        (
            "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
            "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
        ),
    ),
    "organization_identifiers": (
        "organization_identifier",
        ("id", "organization_id", "identifier_scheme", "identifier_type", "identifier"),
    ),
    "programs": ("program", ("id", "organization_id", "name", "alternate_name", "description")),
    "services": (
        "service",
        (
            "id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email",
            "status", "interpretation_services", "application_process", "fees_description", "wait_time",
            "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age",
            "assured_date", "assurer_email", "licenses", "alert", "last_modified",
        ),
    ),
    "locations": (
        "location",
        (
            "id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
            "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type",
        ),
    ),
    "addresses": (
        "address",
        (
            "id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province",
            "postal_code", "country", "address_type",
        ),
    ),
    "accessibility": ("accessibility", ("id", "location_id", "description", "details", "url")),
    "service_at_location": ("service_at_location", ("id", "service_id", "location_id", "description")),
    "phones": (
        "phone",
        (
            "id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
            "number", "extension", "type", "description",
        ),
    ),
    "contacts": (
        "contact",
        (
            "id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title",
            "department", "email",
        ),
    ),
    "schedules": (
        "schedule",
        (
            "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart",
            "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday",
            "byyearday", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes",
        ),
    ),
    "service_areas": (
        "service_area",
        ("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
    ),
    "languages": ("language", ("id", "service_id", "location_id", "phone_id", "name", "code", "note")),
    "attributes": (
        "attribute",
        ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    ),
    "cost_options": (
        "cost_option",
        ("id", "service_id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"),
    ),
    "required_documents": ("required_document", ("id", "service_id", "document", "uri")),
    "funding": ("funding", ("id", "organization_id", "service_id", "source")),
    "metadata": (
        "metadata",
        (
            "id", "resource_id", "resource_type", "last_action_date", "last_action_type", "field_name",
            "previous_value", "replacement_value", "updated_by",
        ),
    ),
    "meta_table_descriptions": ("meta_table_description", ("id", "name", "language", "character_set")),
}

# Non-string columns in the descriptor (everything else is "string"); times are written HH:MM.
FIELD_TYPES: Final[dict[str, dict[str, str]]] = {
    "year_incorporated": {"type": "integer"},
    "minimum_age": {"type": "number"},
    "maximum_age": {"type": "number"},
    "latitude": {"type": "number"},
    "longitude": {"type": "number"},
    "extension": {"type": "integer"},
    "timezone": {"type": "number"},
    "interval": {"type": "integer"},
    "amount": {"type": "number"},
    "valid_from": {"type": "date"},
    "valid_to": {"type": "date"},
    "dtstart": {"type": "date"},
    "until": {"type": "date"},
    "assured_date": {"type": "date"},
    "last_action_date": {"type": "date"},
    "last_modified": {"type": "datetime"},
    "opens_at": {"type": "time", "format": "%H:%M"},
    "closes_at": {"type": "time", "format": "%H:%M"},
}

# column -> referenced resource, per file stem (only columns that exist in that file apply).
REFERENCES: Final[dict[str, str]] = {
    "organization_id": "organization",
    "parent_organization_id": "organization",
    "program_id": "program",
    "service_id": "service",
    "location_id": "location",
    "service_at_location_id": "service_at_location",
    "contact_id": "contact",
    "phone_id": "phone",
    "taxonomy_id": "taxonomy",
    "taxonomy_term_id": "taxonomy_term",
    "parent_id": "taxonomy_term",
}


def headers(stem: str) -> tuple[str, ...]:
    """The exact column order of one file."""
    return TABLES[stem][1]
