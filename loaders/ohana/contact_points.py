"""contacts.csv -> Contact and phones.csv -> Phone, each linked to the records it belongs to
(build.owners: the contact, service and location it names; its organization only when it names
nothing more specific). A phone or contact that belongs to nothing loaded is a warning and is left
out."""

from __future__ import annotations

from loaders.ohana.build import Build, owners, pick
from loaders.ohana.files import CsvFile
from loaders.ohana.ids import Known

_CONTACT = {"name": "name", "title": "title", "department": "department", "email": "email"}
# Ohana number types with another name in HSDS 3.0 (text, voice, fax, cell, video, pager, textphone).
_HSDS_PHONE_TYPES = {"tty": "textphone", "sms": "text"}


def read_contacts(table: CsvFile, build: Build) -> None:
    build.start(build.contacts, "contact", table)
    for row in table.rows:
        contact = build.register(build.contacts, "contact", table, row)
        if contact is None:
            continue
        belongs = owners(build, table, row, ("service_id", "location_id", "organization_id"), "contact")
        if not belongs:
            build.contacts.bad.add(row.values["id"])
            continue
        build.add(build.contacts, "Contact", row, contact, pick(row, _CONTACT))
        for label, owner in belongs:
            build.plan.add_relationship((label, "HAS_CONTACT", "Contact"), owner, contact)


def read_phones(table: CsvFile, build: Build) -> None:
    seen = Known("phone")
    for row in table.rows:
        phone = build.register(seen, "phone", table, row)
        if phone is None:
            continue
        number = row.get("number")
        if number is None:
            build.report.warning(table.name, row.number, "number", "missing: a phone without a number; skipped")
            continue
        belongs = owners(build, table, row, ("contact_id", "service_id", "location_id", "organization_id"), "phone")
        if not belongs:
            continue
        prefix = (row.get("country_prefix") or "").lstrip("+")
        props = {
            "number": f"+{prefix} {number}" if prefix and not number.startswith("+") else number,
            "extension": row.get("extension"),
            "type": _phone_type(row.get("number_type")),
            "description": row.get("department"),
        }
        build.add(seen, "Phone", row, phone, props)
        for label, owner in belongs:
            build.plan.add_relationship((label, "HAS_PHONE", "Phone"), owner, phone)


def _phone_type(text: str | None) -> str | None:
    kind = (text or "").strip().lower()
    return _HSDS_PHONE_TYPES.get(kind, kind) or None
