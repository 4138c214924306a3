"""A 211 record's phones (Phone1…5, fax, TTY, toll-free, hotline, …) and contacts (senior worker,
main contact) -> Phone and Contact nodes of the record's node.

A phone's description is what its columns say of it ("Toll free", "Intake Number"); its type is
the export's `PhoneNType` where it has one, else what the column or the description says (fax,
TTY/TDD: textphone), else voice. "ext 260" after a number is its extension. A contact needs a
name, title or e-mail; its phone number is a Phone of the contact.
"""

from __future__ import annotations

import re
from typing import Any, Final

from loaders.airs211 import columns as c
from loaders.airs211.csvfile import Table
from loaders.airs211.ids import Ids
from loaders.airs211.privacy import Privacy, mark_all
from loaders.airs211.records import Record
from loaders.airs211.values import emails, phone_number, single_line
from loaders.plan import GraphPlan
from loaders.report import Report

_TYPES: Final = (  # words in a type or description -> HSDS phone type
    (re.compile(r"(?i)\bfax\b|facsimile"), "fax"),
    (re.compile(r"(?i)\b(?:tty|tdd|ttd|teletype|textphone)\b"), "textphone"),
    (re.compile(r"(?i)\b(?:cell|mobile)\b"), "cell"),
    (re.compile(r"(?i)\b(?:sms|text)\b"), "text"),
    (re.compile(r"(?i)\bpager\b"), "pager"),
    (re.compile(r"(?i)\bvideo\b"), "video"),
    (re.compile(r"(?i)\b(?:voice|phone|telephone)\b"), "voice"),
)


def _type(kind: str | None, default: str | None, description: str | None) -> str:
    for text in (kind, None if default else description):
        for pattern, phone_type in _TYPES:
            if text and pattern.search(text):
                return phone_type
    return default or "voice"


def add_phones(plan: GraphPlan, ids: Ids, record: Record, owner: tuple[str, str], privacy: Privacy,
               *, hidden: bool) -> None:
    """The record's phones, linked from `owner` (label, id); all staff-only when `hidden`."""
    label, owner_id = owner
    for columns in c.PHONES:
        text = record.get(columns.number)
        if text is None:
            continue
        number, extension = phone_number(text)
        words = [columns.label] if columns.label else []
        for column in columns.names:
            value = record.get(column)
            if value and single_line(value).casefold() not in {w.casefold() for w in words}:
                words.append(single_line(value))
        description = "; ".join(words) or None
        props: dict[str, Any] = {
            "number": number, "extension": extension, "description": description,
            "type": _type(record.get(columns.kind) if columns.kind else None, columns.default_type, description),
        }
        props = {k: v for k, v in props.items() if v is not None}
        if hidden or privacy.flagged(record.row, columns.private):
            mark_all(props)
        phone_id = ids.phone(record.number, columns.slot)
        plan.add_node("Phone", phone_id, props)
        plan.add_relationship((label, "HAS_PHONE", "Phone"), owner_id, phone_id)


def add_contacts(plan: GraphPlan, ids: Ids, table: Table, record: Record, owner: tuple[str, str],
                 privacy: Privacy, report: Report, *, hidden: bool) -> None:
    label, owner_id = owner
    for columns in c.CONTACTS:
        email_text = record.get(columns.email)
        found = emails(email_text) if email_text else []
        if email_text and not found:
            report.warning(table.file, record.row.number, table.name(columns.email),
                           f"{email_text!r} is not an e-mail address; left out")
        props: dict[str, Any] = {"name": record.get(columns.name), "title": record.get(columns.title),
                                 "email": found[0] if found else None}
        props = {k: single_line(v) for k, v in props.items() if v is not None}
        phone_text = record.get(columns.phone)
        if not props:
            if phone_text:
                report.warning(table.file, record.row.number, table.name(columns.phone),
                               "a contact's phone without the contact's name, title or e-mail; left out")
            continue
        private = hidden or privacy.flagged(record.row, columns.private)
        if private:
            mark_all(props)
        contact_id = ids.contact(record.number, columns.role)
        plan.add_node("Contact", contact_id, props)
        plan.add_relationship((label, "HAS_CONTACT", "Contact"), owner_id, contact_id)
        if phone_text:
            number, extension = phone_number(phone_text)
            phone: dict[str, Any] = {"number": number, "extension": extension, "type": "voice"}
            phone = {k: v for k, v in phone.items() if v is not None}
            if private:
                mark_all(phone)
            phone_id = ids.phone(record.number, columns.role)
            plan.add_node("Phone", phone_id, phone)
            plan.add_relationship(("Contact", "HAS_PHONE", "Phone"), contact_id, phone_id)
