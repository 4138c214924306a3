"""The graph model: every label, relationship and property key the project writes.

This is the single whitelist that templated load queries expand from, that the schema DDL is
generated from, and that the Neo4j lint declares. Nothing outside this module may invent a
label or relationship type.
"""

from __future__ import annotations

from typing import Final

# Labels whose nodes carry a source (HSDS) id, each with the properties loaders may set.
# Every node also carries `id`, `dataset` (the id of the dataset whose load wrote it last) and
# `loadId` (which load that was: a --replace keeps what the new load wrote and removes the rest).
NODE_PROPERTIES: Final[dict[str, tuple[str, ...]]] = {
    "Organization": (
        "name", "alternateName", "description", "email", "website", "taxStatus", "taxId",
        "yearIncorporated", "legalStatus", "logo", "uri", "sector", "lastVerified", "staffOnly",
    ),
    "OrganizationIdentifier": ("identifierScheme", "identifierType", "identifier"),
    "Program": ("name", "alternateName", "description"),
    "Service": (
        "name", "alternateName", "description", "url", "email", "status",
        "interpretationServices", "applicationProcess", "feesDescription", "waitTime", "fees",
        "accreditations", "eligibilityDescription", "minimumAge", "maximumAge", "assuredDate",
        "assurerEmail", "licenses", "alert", "lastModified", "staffOnly", "derivedFields",
    ),
    "Location": (
        "locationType", "url", "name", "alternateName", "description", "transportation",
        "latitude", "longitude", "point", "externalIdentifier", "externalIdentifierType", "staffOnly",
    ),
    "Address": (
        "attention", "address1", "address2", "city", "region", "stateProvince", "postalCode",
        "country", "addressType", "staffOnly",
    ),
    "ServiceAtLocation": ("description", "staffOnly"),
    "Phone": ("number", "extension", "type", "description", "staffOnly"),
    "Contact": ("name", "title", "department", "email", "staffOnly"),
    "Schedule": (
        "validFrom", "validTo", "dtstart", "timezone", "until", "count", "wkst", "freq",
        "interval", "byday", "byweekno", "bymonthday", "byyearday", "description", "opensAt",
        "closesAt", "scheduleLink", "attendingType", "notes",
    ),
    # extentKey: a digest of `extent` the loader adds, so areas of one shape are found together
    "ServiceArea": ("name", "description", "extent", "extentType", "uri", "extentKey"),
    "Language": ("code", "name"),
    "Accessibility": ("description", "details", "url"),
    "CostOption": ("validFrom", "validTo", "option", "currency", "amount", "amountDescription"),
    "RequiredDocument": ("document", "uri"),
    "Funding": ("fundingSource",),
    "Taxonomy": ("name", "description", "uri", "version"),
    "TaxonomyTerm": ("code", "name", "description", "taxonomy", "language", "termUri"),
    "Dataset": ("format", "path", "loadedAt", "counts", "warnings", "searchIndex"),
    # A planning area (neighbourhood, ward, district): GeoJSON `extent`, `population` where known.
    "Area": ("name", "kind", "population", "extent", "extentKey"),
    # De-identified referral aggregates (never events): referrals from one organization to an
    # organization or service for one need in one month, and needs met or unmet per area and month.
    "ReferralFlow": ("month", "need", "count"),
    "NeedCount": ("month", "need", "outcome", "count"),
}
# `staffOnly` (on Organization, Service, ServiceAtLocation, Location, Address, Phone, Contact): names of the node's
# properties the source marked private (211 exports' `…IsPrivate` columns); served to staff only.
# A Location with "address" in it is a confidential site: no address, point or precise distance
# for the public role. `derivedFields` (Service): properties extracted from free text at load
# time (e.g. minimumAge from "Age 60 or over"), not stated by the source.
CONFIDENTIAL_MARK: Final[str] = "address"
# In `staffOnly`: the whole record is for staff (a 211 record excluded from the public website);
# the public is not told it exists (not listed, not found, not fetched by id).
STAFF_ONLY_RECORD: Final[str] = "*"
# Services the search never offers (HSDS service status); a direct lookup by id still shows them.
UNLISTED_STATUSES: Final[tuple[str, ...]] = ("inactive", "defunct")


def is_staff_only_record(props: dict[str, object]) -> bool:
    """Whether a node's properties mark the whole record as staff-only."""
    marked = props.get("staffOnly")
    return isinstance(marked, (list, tuple)) and STAFF_ONLY_RECORD in marked


def is_confidential(location: dict[str, object]) -> bool:
    """Whether a Location's properties mark it a confidential site (its address is staff-only)."""
    marked = location.get("staffOnly")
    return isinstance(marked, (list, tuple)) and CONFIDENTIAL_MARK in marked

# Derived nodes: written by the loader from the graph itself, never from a source file, and
# rebuilt with each load of a dataset. A SearchSite is one place a service can be found from: one
# per (service, located location), or one without a point for a service that only has service
# areas. It carries what the front-line search filters on (the service's need terms, ages, the
# point, its areas' extent keys, and lookup keys pairing each need with the site's grid cells and
# areas), so that search is a few index lookups over flat nodes, not a traversal of four
# relationships per candidate.
SEARCH_SITE_LABEL: Final[str] = "SearchSite"
DERIVED_NODE_PROPERTIES: Final[dict[str, tuple[str, ...]]] = {
    SEARCH_SITE_LABEL: ("service", "location", "point", "latitude", "longitude", "minAge", "maxAge", "needs",
                        "areaKeys", "keys", "confidential", "hidden"),
}
SEARCH_INDEX_VERSION: Final[int] = 5  # Dataset.searchIndex: bump when SearchSite's shape changes
# A service without an age limit gets these on its sites, so the search's age test is two plain
# comparisons (`minAge <= oldest AND maxAge >= youngest`), no null checks.
NO_MINIMUM_AGE: Final[int] = -1
NO_MAXIMUM_AGE: Final[int] = 1000
# TAGGED link types that say who a service is for or what its organization is, not which need it meets.
ELIGIBILITY_LINK_TYPE: Final = "eligibility"  # (:Service)-[:TAGGED {linkType}]->(:TaxonomyTerm): who it is for
SECTOR_LINK_TYPE: Final = "sector"  # (:Organization)-[:TAGGED {linkType}]->(:TaxonomyTerm): its sector
NON_NEED_LINK_TYPES: Final[tuple[str, ...]] = (ELIGIBILITY_LINK_TYPE, SECTOR_LINK_TYPE)

# Labels shared between datasets (a vocabulary, not a dataset's records: the AIRS/211 and Open
# Eligibility terms of every 211 source, languages): `--replace` keeps them, and the relationships
# among them (BROADER, IN_TAXONOMY), which another dataset may have declared too; it removes only
# those the replaced load wrote last, no longer declares, and nothing references.
SHARED_LABELS: Final[frozenset[str]] = frozenset({"Language", "Taxonomy", "TaxonomyTerm"})

# Relationship properties. Every relationship also carries `id` (the source record id or a
# derived key, so re-loading merges onto the same edge) and `dataset`.
RELATIONSHIP_PROPERTIES: Final[tuple[str, ...]] = (
    "linkType", "linkEntity", "value", "name", "note",
    "since", "weight", "source",  # agency ties: since when, how strong, who says so
)
# Agency ties between organizations (a collaborative such as a situation table is an Organization).
TIE_TYPES: Final[tuple[str, ...]] = ("REFERS_TO", "PARTNERS_WITH", "SHARES_DATA_WITH", "FUNDS", "MEMBER_OF")

# (from label, TYPE, to label): the only relationships loaders may create.
RELATIONSHIPS: Final[frozenset[tuple[str, str, str]]] = frozenset({
    ("Organization", "PROVIDES", "Service"),
    ("Organization", "PARENT_OF", "Organization"),
    ("Organization", "RUNS", "Program"),
    ("Organization", "HAS_IDENTIFIER", "OrganizationIdentifier"),
    ("Organization", "HAS_LOCATION", "Location"),
    ("Organization", "HAS_PHONE", "Phone"),
    ("Organization", "HAS_CONTACT", "Contact"),
    ("Organization", "HAS_FUNDING", "Funding"),
    ("Program", "INCLUDES", "Service"),
    ("Service", "DELIVERED_AT", "ServiceAtLocation"),
    ("ServiceAtLocation", "AT", "Location"),
    ("Location", "HAS_ADDRESS", "Address"),
    ("Location", "HAS_ACCESSIBILITY", "Accessibility"),
    ("Service", "HAS_PHONE", "Phone"),
    ("Location", "HAS_PHONE", "Phone"),
    ("Contact", "HAS_PHONE", "Phone"),
    ("ServiceAtLocation", "HAS_PHONE", "Phone"),
    ("Service", "HAS_CONTACT", "Contact"),
    ("Location", "HAS_CONTACT", "Contact"),
    ("ServiceAtLocation", "HAS_CONTACT", "Contact"),
    ("Service", "HAS_SCHEDULE", "Schedule"),
    ("Location", "HAS_SCHEDULE", "Schedule"),
    ("ServiceAtLocation", "HAS_SCHEDULE", "Schedule"),
    ("Service", "SERVES_AREA", "ServiceArea"),
    ("Service", "OFFERED_IN", "Language"),
    ("Location", "OFFERED_IN", "Language"),
    ("Phone", "OFFERED_IN", "Language"),
    ("Service", "HAS_COST_OPTION", "CostOption"),
    ("Service", "REQUIRES_DOCUMENT", "RequiredDocument"),
    ("Service", "HAS_FUNDING", "Funding"),
    ("TaxonomyTerm", "IN_TAXONOMY", "Taxonomy"),
    ("TaxonomyTerm", "BROADER", "TaxonomyTerm"),
    ("TaxonomyTerm", "MAPS_TO", "TaxonomyTerm"),  # a crosswalk between taxonomies (AIRS/211 → Open Eligibility)
    # HSDS attributes: any taggable record -> the term, with {linkType, linkEntity, value}.
    ("Organization", "TAGGED", "TaxonomyTerm"),
    ("Program", "TAGGED", "TaxonomyTerm"),
    ("Service", "TAGGED", "TaxonomyTerm"),
    ("Location", "TAGGED", "TaxonomyTerm"),
    ("ServiceAtLocation", "TAGGED", "TaxonomyTerm"),
    ("Phone", "TAGGED", "TaxonomyTerm"),
    ("Contact", "TAGGED", "TaxonomyTerm"),
    ("Schedule", "TAGGED", "TaxonomyTerm"),
    ("ServiceArea", "TAGGED", "TaxonomyTerm"),
    ("Address", "TAGGED", "TaxonomyTerm"),
    # planning areas
    ("Location", "IN_AREA", "Area"),
    ("Area", "WITHIN", "Area"),
    ("ServiceArea", "MATCHES", "Area"),
    ("Service", "RESIDENTS_OF", "Area"),  # eligibility: residents of the area only
    # agency ties
    *(("Organization", tie, "Organization") for tie in TIE_TYPES),
    # referral aggregates
    ("Organization", "SENT", "ReferralFlow"),
    ("ReferralFlow", "RECEIVED_BY", "Organization"),
    ("ReferralFlow", "RECEIVED_BY", "Service"),
    ("NeedCount", "IN_AREA", "Area"),
})

NODE_LABELS: Final[tuple[str, ...]] = tuple(NODE_PROPERTIES)
DERIVED_LABELS: Final[tuple[str, ...]] = tuple(DERIVED_NODE_PROPERTIES)
RELATIONSHIP_TYPES: Final[tuple[str, ...]] = tuple(sorted({t for _, t, _ in RELATIONSHIPS}))

# Full-text search covers these labels' `name` and `description`.
FULLTEXT_LABELS: Final[tuple[str, ...]] = ("Service", "Organization", "TaxonomyTerm")
FULLTEXT_PROPERTIES: Final[tuple[str, ...]] = ("name", "description")
FULLTEXT_INDEX_NAME: Final[str] = "serviceText"
# Neo4j finds search sites by lookup key through a keyword full-text index on the `keys` list (no other Neo4j
# index covers list elements); the name is in queries/search/need_near.cypher.
SEARCH_KEYS_INDEX_NAME: Final[str] = "search_site_keys"


def property_keys() -> tuple[str, ...]:
    """Every property key the project may write, for declaring the schema to linters."""
    keys = {"id", "dataset", "loadId", *RELATIONSHIP_PROPERTIES}
    for props in (*NODE_PROPERTIES.values(), *DERIVED_NODE_PROPERTIES.values()):
        keys.update(props)
    return tuple(sorted(keys))
