"""HSDS 3.0 records: one declarative table spec per record type, and the pydantic schema of each.

The spec is the single place that knows, per HSDS table: its graph label, its CSV file names, its
fields (HSDS name, value kind, required or not, graph property), its references to other records
(which relationship each becomes, and whether the parent must exist) and, for the JSON form, which
nested objects it carries. Field kinds and required flags follow the official JSON Schemas
(`schema/*.json`), with the tabular-only requirements of `schema/simple/schema.csv` added for CSV.

Each table is validated with one pydantic `TypeAdapter` over a list of `TypedDict` rows, so a chunk
of a CSV table (or all objects of one type in a JSON file) is checked in a single call and every
problem comes back at once with its row index and field, instead of one exception per bad row. The
same adapter renames fields to graph property names (`address_1` -> `address1`) on the way. The
HSDS API's serializer writes the same fields back (`STORED_FIELDS`, `REQUIRED_FIELDS`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Final, Literal, NotRequired, Required

from pydantic import AfterValidator, Field, TypeAdapter
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from graph.schema.model import NODE_PROPERTIES, RELATIONSHIPS

Kind = Literal["str", "num", "lat", "lon", "date", "datetime", "time"]

# Custom pydantic error type for a value of the right type but an unreadable format (a bad date):
# always a warning, the value is dropped.
FORMAT_ERROR: Final = "hsds_format"


def _date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise PydanticCustomError(FORMAT_ERROR, "is not an ISO date (YYYY-MM-DD)") from None


def _datetime(value: str) -> str:
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError(FORMAT_ERROR, "is not an ISO date-time (YYYY-MM-DDTHH:MM:SS)") from None
    if len(text) > 10 and text[4] == "-":  # extended form: keep the text as written, `T` separated
        return text[:10] + "T" + text[11:] if text[10] == " " else text
    if len(text) == 10 and text[4] == "-":
        return text
    return parsed.isoformat()


_SHORT_HOUR = re.compile(r"^\d:\d\d")


def _time(value: str) -> str:
    text = value.strip()
    if _SHORT_HOUR.match(text):  # 9:00 -> 09:00
        text = "0" + text
    try:
        parsed = dt.time.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError(FORMAT_ERROR, "is not an ISO time (HH:MM or HH:MM:SS, optional offset)") from None
    return text if ":" in text else parsed.isoformat()


# Fast paths: values already in canonical ISO form are checked by a regular expression inside
# pydantic-core; only other spellings (20240115, 9:00, a space before the time, Feb 29) reach the
# Python validators above, which accept or reject them exactly.
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
)
_CLOCK = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?"
_DATE_RE = rf"^\d{{4}}-{_MONTH_DAY}$"
_DATETIME_RE = rf"^\d{{4}}-{_MONTH_DAY}(?:T{_CLOCK})?$"
_TIME_RE = rf"^{_CLOCK}$"


def _checked(pattern: str, slow: Any) -> Any:
    return Annotated[
        Annotated[str, Field(pattern=pattern)] | Annotated[str, AfterValidator(slow)],
        Field(union_mode="left_to_right"),
    ]


# Both engines store 64-bit integers and doubles, and text without NUL or lone surrogates:
# anything else is reported here rather than changed or refused in the middle of a write.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
STORABLE_TEXT = r"^[^\x00]*$"  # a lone surrogate fails pydantic-core's own Unicode check first
_Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
_FiniteFloat = Annotated[float, Field(allow_inf_nan=False, ge=float(INT64_MIN), le=float(INT64_MAX))]
_PYDANTIC_TYPES: Final[dict[Kind, Any]] = {
    "str": Annotated[str, Field(pattern=STORABLE_TEXT)],
    "num": Annotated[_Int64 | _FiniteFloat, Field(union_mode="left_to_right")],
    "lat": Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)],
    "lon": Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)],
    "date": _checked(_DATE_RE, _date),
    "datetime": _checked(_DATETIME_RE, _datetime),
    "time": _checked(_TIME_RE, _time),
}


def camel(name: str) -> str:
    """HSDS field name -> graph property name: `address_1` -> `address1`, `state_province` -> `stateProvince`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class F:
    """One HSDS field. `prop` is the graph property ("" = derived camelCase, None = not a property)."""

    name: str
    kind: Kind = "str"
    required: bool = False
    csv_required: bool = False  # required only in the tabular form (schema/simple/schema.csv)
    prop: str | None = ""

    @property
    def property_name(self) -> str | None:
        if self.prop is None:
            return None
        return self.prop or camel(self.name)


@dataclass(frozen=True)
class Ref:
    """A reference field (`service.organization_id`) and the relationship it becomes.

    `outward` means this record is the relationship's start (`(:ServiceAtLocation)-[:AT]->(:Location)`);
    otherwise the referenced record is (`(:Organization)-[:PROVIDES]->(:Service)`). A `required` parent
    that is missing or does not resolve is an error; an optional one that does not resolve is a warning.
    """

    field: str
    target: str
    rel_type: str
    outward: bool = False
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str  # HSDS (singular) table name
    label: str | None  # graph label; None for languages and attributes (they become relationships)
    files: tuple[str, ...]  # CSV file names, preferred first
    fields: tuple[F, ...]
    refs: tuple[Ref, ...] = ()
    children: dict[str, tuple[str, str]] = field(default_factory=dict)  # JSON key -> (table, child's ref field)
    parents: dict[str, tuple[str, str]] = field(default_factory=dict)  # JSON key -> (table, this record's ref field)

    @cached_property
    def kinds(self) -> dict[str, Kind]:
        return {f.name: f.kind for f in self.fields}

    @cached_property
    def required(self) -> frozenset[str]:
        """Fields required in every form (JSON Schema `required`)."""
        return frozenset(f.name for f in self.fields if f.required)

    @cached_property
    def csv_required_columns(self) -> tuple[str, ...]:
        """Columns a CSV table must have: required fields, tabular-only ones and required parents."""
        cols = [f.name for f in self.fields if f.required or f.csv_required]
        cols += [r.field for r in self.refs if r.required and r.field not in cols]
        return tuple(cols)

    @cached_property
    def ref_fields(self) -> tuple[str, ...]:
        return tuple(r.field for r in self.refs)

    @cached_property
    def hsds_names(self) -> dict[str, str]:
        """Validated key (graph property, or HSDS name for non-properties) -> HSDS field name."""
        return {(f.property_name or f.name): f.name for f in self.fields}

    @cached_property
    def ref_by_field(self) -> dict[str, Ref]:
        return {r.field: r for r in self.refs}

    @cached_property
    def nested_keys(self) -> frozenset[str]:
        return frozenset(self.children) | frozenset(self.parents)

    @cached_property
    def adapter(self) -> TypeAdapter[list[dict[str, Any]]]:
        """Validates a list of rows keyed by HSDS field name (empty values already removed) into
        dicts keyed by graph property name (HSDS name for the id and reference fields); errors
        name the HSDS field."""
        return self._adapter(_PYDANTIC_TYPES, self.fields)

    @cached_property
    def csv_props_adapter(self) -> TypeAdapter[list[dict[str, Any]]]:
        """`adapter` for CSV rows of a file without a NUL byte, minus the id and the references
        (which it ignores): those can then only be strings, or missing, and the output dicts hold
        just the properties. No value is checked for a NUL character, which costs a third of
        the validation."""
        props = tuple(f for f in self.fields if f.name != "id" and f.name not in self.ref_fields)
        return self._adapter({**_PYDANTIC_TYPES, "str": str}, props)

    def _adapter(self, types: dict[Kind, Any], fields: tuple[F, ...]) -> TypeAdapter[list[dict[str, Any]]]:
        td: Any = TypedDict  # functional form: the field set is data, not syntax
        annotations: dict[str, Any] = {}
        for f in fields:
            key = f.property_name or f.name
            kind = types[f.kind]
            if key != f.name:
                kind = Annotated[kind, Field(validation_alias=f.name)]
            annotations[key] = (Required if f.required else NotRequired)[kind]
        record = td(f"{self.label or self.name.title()}Record", annotations, total=False)
        return TypeAdapter(list[record])  # type: ignore[valid-type]


def _id() -> F:
    return F("id", required=True, prop=None)


def _ref(name: str) -> F:
    return F(name, prop=None)


_ATTRIBUTES: Final = {"attributes": ("attribute", "link_id")}

TABLES: Final[dict[str, Table]] = {
    t.name: t
    for t in (
        Table(
            "organization", "Organization", ("organizations.csv", "organization.csv"),
            (
                _id(), F("name", required=True), F("alternate_name"), F("description", required=True),
                F("email"), F("website"), F("tax_status"), F("tax_id"), F("year_incorporated", "num"),
                F("legal_status"), F("logo"), F("uri"), _ref("parent_organization_id"),
            ),
            refs=(Ref("parent_organization_id", "organization", "PARENT_OF"),),
            children={
                "funding": ("funding", "organization_id"), "fundings": ("funding", "organization_id"),
                "contacts": ("contact", "organization_id"), "phones": ("phone", "organization_id"),
                "locations": ("location", "organization_id"), "programs": ("program", "organization_id"),
                "organization_identifiers": ("organization_identifier", "organization_id"),
                "services": ("service", "organization_id"), **_ATTRIBUTES,
            },
        ),
        Table(
            "organization_identifier", "OrganizationIdentifier",
            ("organization_identifiers.csv", "organization_identifier.csv"),
            (
                _id(), _ref("organization_id"), F("identifier_scheme"), F("identifier_type", required=True),
                F("identifier", required=True),
            ),
            refs=(Ref("organization_id", "organization", "HAS_IDENTIFIER"),),
            children=_ATTRIBUTES,
        ),
        Table(
            "program", "Program", ("programs.csv", "program.csv"),
            (_id(), _ref("organization_id"), F("name", required=True), F("alternate_name"),
             F("description", required=True)),
            refs=(Ref("organization_id", "organization", "RUNS"),),
            children=_ATTRIBUTES,
        ),
        Table(
            "service", "Service", ("services.csv", "service.csv"),
            (
                _id(), _ref("organization_id"), _ref("program_id"), F("name", required=True),
                F("alternate_name"), F("description"), F("url"), F("email"), F("status", required=True),
                F("interpretation_services"), F("application_process"), F("fees_description"),
                F("wait_time"), F("fees"), F("accreditations"), F("eligibility_description"),
                F("minimum_age", "num"), F("maximum_age", "num"), F("assured_date", "date"),
                F("assurer_email"), F("licenses"), F("alert"), F("last_modified", "datetime"),
            ),
            refs=(
                Ref("organization_id", "organization", "PROVIDES", required=True),
                Ref("program_id", "program", "INCLUDES"),
            ),
            children={
                "phones": ("phone", "service_id"), "schedules": ("schedule", "service_id"),
                "service_areas": ("service_area", "service_id"),
                "service_at_locations": ("service_at_location", "service_id"),
                "languages": ("language", "service_id"),
                "funding": ("funding", "service_id"), "fundings": ("funding", "service_id"),
                "cost_options": ("cost_option", "service_id"),
                "required_documents": ("required_document", "service_id"),
                "contacts": ("contact", "service_id"), **_ATTRIBUTES,
            },
            parents={"organization": ("organization", "organization_id"), "program": ("program", "program_id")},
        ),
        Table(
            "location", "Location", ("locations.csv", "location.csv"),
            (
                _id(), F("location_type", required=True), F("url"), _ref("organization_id"), F("name"),
                F("alternate_name"), F("description"), F("transportation"), F("latitude", "lat"),
                F("longitude", "lon"), F("external_identifier"), F("external_identifier_type"),
            ),
            refs=(Ref("organization_id", "organization", "HAS_LOCATION"),),
            children={
                "languages": ("language", "location_id"),
                "addresses": ("address", "location_id"), "addresss": ("address", "location_id"),
                "contacts": ("contact", "location_id"),
                "accessibility": ("accessibility", "location_id"),
                "accessibilitys": ("accessibility", "location_id"),
                "phones": ("phone", "location_id"), "schedules": ("schedule", "location_id"), **_ATTRIBUTES,
            },
        ),
        Table(
            "service_at_location", "ServiceAtLocation",
            ("service_at_location.csv", "service_at_locations.csv", "services_at_location.csv"),
            (_id(), _ref("service_id"), _ref("location_id"), F("description")),
            refs=(
                Ref("service_id", "service", "DELIVERED_AT", required=True),
                Ref("location_id", "location", "AT", outward=True, required=True),
            ),
            children={
                "contacts": ("contact", "service_at_location_id"),
                "phones": ("phone", "service_at_location_id"),
                "schedules": ("schedule", "service_at_location_id"), **_ATTRIBUTES,
            },
            parents={"location": ("location", "location_id"), "service": ("service", "service_id")},
        ),
        Table(
            "address", "Address", ("addresses.csv", "address.csv"),
            (
                _id(), _ref("location_id"), F("attention"), F("address_1", required=True), F("address_2"),
                F("city", required=True), F("region"), F("state_province", required=True),
                F("postal_code", required=True), F("country", required=True),
                F("address_type", required=True),
            ),
            refs=(Ref("location_id", "location", "HAS_ADDRESS"),),
            children=_ATTRIBUTES,
        ),
        Table(
            "accessibility", "Accessibility", ("accessibility.csv", "accessibilities.csv"),
            (_id(), _ref("location_id"), F("description"), F("details"), F("url")),
            refs=(Ref("location_id", "location", "HAS_ACCESSIBILITY"),),
            children=_ATTRIBUTES,
        ),
        Table(
            "contact", "Contact", ("contacts.csv", "contact.csv"),
            (
                _id(), _ref("organization_id"), _ref("service_id"), _ref("service_at_location_id"),
                _ref("location_id"), F("name"), F("title"), F("department"), F("email"),
            ),
            refs=(
                Ref("organization_id", "organization", "HAS_CONTACT"),
                Ref("service_id", "service", "HAS_CONTACT"),
                Ref("service_at_location_id", "service_at_location", "HAS_CONTACT"),
                Ref("location_id", "location", "HAS_CONTACT"),
            ),
            children={"phones": ("phone", "contact_id"), **_ATTRIBUTES},
        ),
        Table(
            "phone", "Phone", ("phones.csv", "phone.csv"),
            (
                _id(), _ref("location_id"), _ref("service_id"), _ref("organization_id"), _ref("contact_id"),
                _ref("service_at_location_id"), F("number", required=True), F("extension", "num"),
                F("type"), F("description"),
            ),
            refs=(
                Ref("organization_id", "organization", "HAS_PHONE"),
                Ref("service_id", "service", "HAS_PHONE"),
                Ref("location_id", "location", "HAS_PHONE"),
                Ref("contact_id", "contact", "HAS_PHONE"),
                Ref("service_at_location_id", "service_at_location", "HAS_PHONE"),
            ),
            children={"languages": ("language", "phone_id"), **_ATTRIBUTES},
        ),
        Table(
            "schedule", "Schedule", ("schedules.csv", "schedule.csv"),
            (
                _id(), _ref("service_id"), _ref("location_id"), _ref("service_at_location_id"),
                F("valid_from", "date"), F("valid_to", "date"), F("dtstart", "datetime"), F("timezone", "num"),
                F("until", "datetime"), F("count", "num"), F("wkst"), F("freq"), F("interval", "num"),
                F("byday"), F("byweekno"), F("bymonthday"), F("byyearday"), F("description"),
                F("opens_at", "time"), F("closes_at", "time"), F("schedule_link"), F("attending_type"),
                F("notes"),
            ),
            refs=(
                Ref("service_id", "service", "HAS_SCHEDULE"),
                Ref("location_id", "location", "HAS_SCHEDULE"),
                Ref("service_at_location_id", "service_at_location", "HAS_SCHEDULE"),
            ),
            children=_ATTRIBUTES,
        ),
        Table(
            "service_area", "ServiceArea", ("service_areas.csv", "service_area.csv"),
            (_id(), _ref("service_id"), F("name"), F("description"), F("extent"), F("extent_type"), F("uri")),
            refs=(Ref("service_id", "service", "SERVES_AREA"),),
            children=_ATTRIBUTES,
        ),
        Table(
            "language", None, ("languages.csv", "language.csv"),
            (_id(), _ref("service_id"), _ref("location_id"), _ref("phone_id"), F("name"), F("code"), F("note")),
            refs=(
                Ref("service_id", "service", "OFFERED_IN"),
                Ref("location_id", "location", "OFFERED_IN"),
                Ref("phone_id", "phone", "OFFERED_IN"),
            ),
            children=_ATTRIBUTES,
        ),
        Table(
            "cost_option", "CostOption", ("cost_options.csv", "cost_option.csv"),
            (
                _id(), _ref("service_id"), F("valid_from", "date"), F("valid_to", "date"), F("option"),
                F("currency"), F("amount", "num"), F("amount_description"),
            ),
            refs=(Ref("service_id", "service", "HAS_COST_OPTION"),),
            children=_ATTRIBUTES,
        ),
        Table(
            "required_document", "RequiredDocument", ("required_documents.csv", "required_document.csv"),
            (_id(), _ref("service_id"), F("document"), F("uri")),
            refs=(Ref("service_id", "service", "REQUIRES_DOCUMENT"),),
            children=_ATTRIBUTES,
        ),
        Table(
            "funding", "Funding", ("funding.csv", "fundings.csv"),
            (_id(), _ref("organization_id"), _ref("service_id"), F("source", prop="fundingSource")),
            refs=(
                Ref("organization_id", "organization", "HAS_FUNDING"),
                Ref("service_id", "service", "HAS_FUNDING"),
            ),
            children=_ATTRIBUTES,
        ),
        Table(
            "taxonomy", "Taxonomy", ("taxonomies.csv", "taxonomy.csv"),
            (_id(), F("name", required=True), F("description", required=True), F("uri"), F("version")),
        ),
        Table(
            "taxonomy_term", "TaxonomyTerm", ("taxonomy_terms.csv", "taxonomy_term.csv"),
            (
                _id(), F("code"), F("name", required=True), F("description", required=True),
                _ref("parent_id"), F("taxonomy"), F("language"), _ref("taxonomy_id"), F("term_uri"),
            ),
            refs=(
                Ref("parent_id", "taxonomy_term", "BROADER", outward=True),
                Ref("taxonomy_id", "taxonomy", "IN_TAXONOMY", outward=True),
            ),
            parents={"taxonomy_detail": ("taxonomy", "taxonomy_id")},
        ),
        Table(
            "attribute", None, ("attributes.csv", "attribute.csv"),
            (
                _id(), _ref("link_id"), _ref("taxonomy_term_id"), F("link_type", csv_required=True),
                F("link_entity", prop=None), F("value"),
            ),
            refs=(Ref("taxonomy_term_id", "taxonomy_term", "TAGGED", required=True),),
            parents={"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
        ),
    )
}

# CSV files that are part of an HSDS package but carry nothing for the graph.
IGNORED_FILES: Final = frozenset({"metadata.csv", "meta_table_descriptions.csv", "meta_table_description.csv"})

TABLE_BY_FILE: Final[dict[str, str]] = {name: t.name for t in TABLES.values() for name in t.files}

# Tables whose records an attribute may tag (`TAGGED` exists from their label).
TAGGABLE: Final[tuple[str, ...]] = tuple(
    t.name for t in TABLES.values() if t.label and (t.label, "TAGGED", "TaxonomyTerm") in RELATIONSHIPS
)


# What the HSDS API writes back (services.hsds.serialize), so that it is exactly what a load reads: per
# table that is a graph node, (HSDS field, graph property) of its stored fields in the schema's order,
# and its required fields besides `id`.
STORED_FIELDS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    t.name: tuple((f.name, prop) for f in t.fields if (prop := f.property_name) is not None)
    for t in TABLES.values() if t.label is not None
}
REQUIRED_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    t.name: tuple(f.name for f in t.fields if f.required and f.name != "id")
    for t in TABLES.values() if t.label is not None
}


def _entity_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for t in TABLES.values():
        names = {t.name, t.name + "s", t.name.replace("_", ""), *(f.removesuffix(".csv") for f in t.files)}
        if t.label:
            names.add(t.label.lower())
        for n in names:
            out[n] = t.name
    return out


# attribute.link_entity values (HSDS table names, singular or plural, or our labels) -> table.
ENTITY_ALIASES: Final[dict[str, str]] = _entity_aliases()

ENUMS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("service", "status"): ("active", "inactive", "defunct", "temporarily closed"),
    ("location", "location_type"): ("physical", "postal", "virtual"),
    ("address", "address_type"): ("physical", "postal", "virtual"),
}


def _check_against_graph_model() -> None:
    """Every property and relationship the spec produces must exist in graph.schema.model."""
    for t in TABLES.values():
        if t.label is not None:
            allowed = set(NODE_PROPERTIES[t.label])
            props = {p for f in t.fields if (p := f.property_name) is not None}
            if not props <= allowed:
                raise AssertionError(f"{t.label}: {sorted(props - allowed)} not in graph.schema.model")
            extra = {f.name for f in t.fields if f.property_name is None} - {"id", *t.ref_fields}
            if extra:
                raise AssertionError(f"{t.label}: {sorted(extra)} are neither properties nor references")
        for r in t.refs:
            target = TABLES[r.target].label
            if t.label is None or target is None:
                continue
            key = (t.label, r.rel_type, target) if r.outward else (target, r.rel_type, t.label)
            if key not in RELATIONSHIPS:
                raise AssertionError(f"{key} not in graph.schema.model")


_check_against_graph_model()
