"""The files of the Ohana API CSV import format, and which of their columns the graph takes.

One spec per file: the names it goes by, the columns it cannot do without, the columns the parser
maps, Ohana columns the graph model has no place for (reported once per file, with how many values
are left out, so nothing is dropped unnoticed), and columns known to carry nothing for the graph.
A column that is none of these is reported too: it is most often a misspelt one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from loaders.ohana.files import CsvFile
from loaders.report import Report


@dataclass(frozen=True)
class Spec:
    names: tuple[str, ...]  # file names it goes by, the preferred one first
    required: tuple[str, ...]  # columns the header must have
    mapped: frozenset[str]  # columns the parser reads (required ones included)
    unmapped: dict[str, str] = field(default_factory=dict)  # Ohana column -> the property that would hold it
    ignored: frozenset[str] = frozenset()  # known columns with nothing for the graph

    @property
    def file(self) -> str:
        return self.names[0]


def _spec(names: tuple[str, ...], required: tuple[str, ...], optional: str, unmapped: dict[str, str] | None = None,
          ignored: str = "") -> Spec:
    return Spec(names, required, frozenset((*required, *optional.split())), unmapped or {},
                frozenset(ignored.split()))


ORGANIZATIONS = _spec(
    ("organizations.csv",), ("id", "name"),
    "alternate_name description email website legal_status tax_status tax_id date_incorporated funding_sources",
    {"accreditations": "Organization.accreditations", "licenses": "Organization.licenses"},
)
PROGRAMS = _spec(("programs.csv",), ("id", "organization_id", "name"), "alternate_name")
LOCATIONS = _spec(
    ("locations.csv",), ("id", "organization_id", "name"),
    "alternate_name description latitude longitude languages transportation website virtual accessibility hours",
    {"email": "Location.email", "short_desc": "Location.shortDescription"},
    ignored="admin_emails",  # the Ohana admin accounts allowed to edit the location: not directory data
)
ADDRESSES = _spec(
    ("addresses.csv",), ("id", "location_id"), "address_1 address_2 city state_province postal_code country",
)
MAIL_ADDRESSES = _spec(
    ("mail_addresses.csv",), ("id", "location_id"),
    "attention address_1 address_2 city state_province postal_code country",
)
CONTACTS = _spec(
    ("contacts.csv",), ("id",), "organization_id location_id service_id name title email department",
)
PHONES = _spec(
    ("phones.csv",), ("id", "number"),
    "contact_id location_id organization_id service_id extension department number_type country_prefix",
    {"vanity_number": "Phone.vanityNumber"},
)
SERVICES = _spec(
    ("services.csv",), ("id", "name", "location_id"),
    "program_id alternate_name description eligibility email fees application_process interpretation_services "
    "languages status wait_time website taxonomy_ids funding_sources required_documents service_areas hours",
    {"audience": "Service.audience", "keywords": "Service.keywords", "accepted_payments": "Service.acceptedPayments"},
)
REGULAR_SCHEDULES = _spec(
    ("regular_schedules.csv",), ("id", "weekday", "opens_at", "closes_at"), "location_id service_id",
)
HOLIDAY_SCHEDULES = _spec(
    ("holiday_schedules.csv",), ("id", "start_date", "end_date"), "location_id service_id closed opens_at closes_at",
)
# Open Eligibility: Ohana imports it as taxonomy.csv; the BCHD export also names it categories.csv,
# with columns of its own web app (filters) and an empty `bom` column.
TAXONOMY = _spec(
    ("taxonomy.csv", "categories.csv"), ("taxonomy_id", "name"), "id parent_id type",
    ignored="bom parent_name filter filter_parent filter_priority",
)
# A spreadsheet (AIRS/211 code -> Open Eligibility terms) with note columns: read by position.
CROSSWALK = _spec(("taxonomy_mapping.csv",), ("211 code", "taxonomy_id"), "211 name open eligibility name")
OE_MAP = "service_categories.json"  # {service id: [taxonomy.csv `id`s]}
AIRS_MAP = "service_icarol_categories.json"  # {service id: [AIRS/211 codes]}

REQUIRED_FILES: tuple[Spec, ...] = (ORGANIZATIONS, LOCATIONS, SERVICES)


def report_columns(table: CsvFile, spec: Spec, report: Report) -> None:
    """One warning per column with values that the graph does not take."""
    used: Counter[str] = Counter()
    for row in table.rows:
        used.update(row.values.keys())
    for column in table.columns:
        count = used.get(column, 0)
        if not column or not count or column in spec.mapped or column in spec.ignored:
            continue
        where = spec.unmapped.get(column)
        if where is not None:
            report.warning(table.name, 0, column, f"{count} value(s) not loaded: the graph model has no {where}")
        else:
            report.warning(table.name, 0, column, f"not an Ohana column of {spec.file}: {count} value(s) ignored")
