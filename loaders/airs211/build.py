"""Valid 211 records -> a GraphPlan (HSDS-aligned model, graph.schema.model).

- Agency -> Organization (PARENT_OF its sub-agencies); its physical address is one of its
  Locations.
- Site -> a Location of its agency (Organization -HAS_LOCATION->).
- Program -> a Service its agency PROVIDES; where the row has a physical address or point, the
  service is DELIVERED_AT a ServiceAtLocation AT that Location (loaders.airs211.places).
- ProgramAtSite -> a ServiceAtLocation of the program AT the site, with its own hours and phones.

Each record's phones and contacts hang from its node; hours become Schedules
(loaders.hours_text) of the service, the site's or agency's location, or the service at a site;
languages are the shared Language nodes; coverage areas are ServiceAreas by name; AIRS codes are
TAGGED links to the shared terms. `Eligibility` is kept as text (ages are read from it later, in
a step common to every source). Properties and whole records a source marks private are
staff-only (loaders.airs211.privacy).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, Final

from loaders.airs211 import columns as c
from loaders.airs211.contact_points import add_contacts, add_phones
from loaders.airs211.coverage import area_names
from loaders.airs211.csvfile import Column, Table
from loaders.airs211.ids import Ids
from loaders.airs211.places import Location, Place, Places, address_props, location_props, named_by, read_point
from loaders.airs211.privacy import CONFIDENTIAL_LOCATION, Privacy, mark, mark_all, mark_record
from loaders.airs211.records import Record, Records
from loaders.airs211.taxonomy import Vocabulary, link_type
from loaders.airs211.values import emails, iso_date, iso_datetime, single_line, web_addresses, year
from loaders.hours_text import read_hours
from loaders.plan import GraphPlan
from loaders.report import Report
from loaders.skipping import Origin
from loaders.taxonomy_codes import term_id
from loaders.toolkit.languages import read_languages

_STATUS: Final = {"active": "active", "inactive": "inactive", "active, but do not refer": "active",
                  "defunct": "defunct", "temporarily closed": "temporarily closed"}
_TAGGABLE: Final = {"Organization": "organization", "Service": "service", "Location": "location",
                    "ServiceAtLocation": "service_at_location"}


class Builder:
    def __init__(self, table: Table, records: Records, report: Report, ids: Ids) -> None:
        self.table, self.records, self.report, self.ids = table, records, report, ids
        self.plan = GraphPlan()
        self.origins: dict[tuple[str, str], Origin] = {}  # the plan nodes that are records of the file: their row
        self.privacy = Privacy.of(table, report)
        self.vocabulary = Vocabulary()
        self.stats: Counter[str] = Counter()
        self.names = {r.number: name for r in records.by_number.values() if (name := self._name(r))}
        self.places = Places(ids.location)
        self.locations: list[Location] = []

    # --- helpers -------------------------------------------------------------------------------

    def _warn(self, record: Record, column: Column, message: str) -> None:
        self.report.warning(self.table.file, record.row.number, self.table.name(column), message)

    def _name(self, record: Record) -> str | None:
        for column in (c.NAME, c.OFFICIAL_NAME, c.ALTERNATE_NAME):
            if value := record.get(column):
                return single_line(value)
        self._warn(record, c.NAME, "the record has no name (PublicName, OfficialName and AlternateName are empty)")
        return None

    def _hidden(self, record: Record) -> bool:
        hidden = self.privacy.excluded(record.row)
        self.stats["records kept for staff only (ExcludeFromWebsite)"] += hidden
        return hidden

    def _text(self, record: Record, column: Column) -> str | None:
        value = record.get(column)
        return value.strip() if value else None

    def _date(self, record: Record, column: Column, *, with_time: bool = False) -> str | None:
        text = record.get(column)
        if text is None:
            return None
        value = iso_datetime(text) if with_time else iso_date(text)
        if value is None:
            self._warn(record, column, f"{text!r} is not a date (expected M/D/YYYY or YYYY-MM-DD); left out")
        return value

    def _email(self, record: Record) -> str | None:
        return self._first(record, c.EMAIL, emails, "an e-mail address")

    def _website(self, record: Record) -> str | None:
        return self._first(record, c.WEBSITE, web_addresses, "a web address")

    def _first(self, record: Record, column: Column, find: Callable[[str], list[str]], what: str) -> str | None:
        """The first address `find` sees in the column's value, with a warning when it sees none or several."""
        text = record.get(column)
        if text is None:
            return None
        found = find(text)
        if not found:
            self._warn(record, column, f"{text!r} is not {what}; left out")
        elif len(found) > 1:
            self._warn(record, column, f"{len(found)} addresses in one value; the first is kept")
        return found[0] if found else None

    def _node(self, label: str, node_id: str, props: dict[str, Any], record: Record, *, hidden: bool) -> None:
        props = {k: v for k, v in props.items() if v is not None}
        mark(props, self.privacy.value_flags(record.row) & set(props))
        if hidden:
            mark_record(props)
        self.plan.add_node(label, node_id, props)
        self.origins[(label, node_id)] = Origin(self.table.file, record.row.number, (record.level, record.number))

    # --- the plan ------------------------------------------------------------------------------

    def build(self) -> GraphPlan:
        records = list(self.records.by_number.values())
        hidden = {r.number: self._hidden(r) for r in records}
        for record in records:
            if record.level != "ProgramAtSite":
                agency = record.number if record.level == "Agency" else record.agency
                assert agency is not None
                self.places.add(record, agency, self._place(record, hidden=hidden[record.number]))
        self.locations = self.places.resolve()
        for location in self.locations:
            self._location(location, hidden=hidden[location.head.number] and location.head.level == "Site",
                           hidden_records=hidden)
        by_level = {"Agency": self._agency, "Site": self._site, "Program": self._program,
                    "ProgramAtSite": self._program_at_site}
        for record in records:
            by_level[record.level](record, hidden[record.number])
        self.vocabulary.add_to(self.plan)
        for label in [label for label, rows in self.plan.nodes.items() if not rows]:
            del self.plan.nodes[label]
        return self.plan

    def _place(self, record: Record, *, hidden: bool) -> Place | None:
        latitude, longitude = read_point(self.table, record, self.report)
        address = address_props(record, c.PHYSICAL)
        if latitude is None and "address1" not in address:
            return None
        private = hidden or self.privacy.flagged(record.row, c.PHYSICAL.private)
        self.stats["private physical addresses"] += private and not hidden
        return Place(tuple(sorted(address.items())), latitude, longitude, private)

    def _location(self, location: Location, *, hidden: bool, hidden_records: dict[str, bool]) -> None:
        props = location_props(location, self.names)
        if location.head.level == "Site":
            mark(props, self.privacy.value_flags(location.head.row) & set(props))
        # named after a record kept off the website (a hidden agency or program), or whose name is private:
        # the name is as private as that record's, or the location would publish it
        namer = self.records.by_number.get(named_by(location, self.names))
        if namer is not None and (hidden_records.get(namer.number) or "name" in self.privacy.value_flags(namer.row)):
            mark(props, ["name"] if "name" in props else [])
        if hidden:  # a site kept off the website: nothing of it for the public, address or not
            mark_all(props)
            mark(props, CONFIDENTIAL_LOCATION)
        self.plan.add_node("Location", location.id, props)
        head = location.head
        if head.level == "Site":  # a Site row is a record of its own; an agency's or program's place is part of it
            self.origins[("Location", location.id)] = Origin(self.table.file, head.row.number,
                                                             (head.level, head.number))
        agency = head.number if head.level == "Agency" else head.agency
        assert agency is not None
        self.plan.add_relationship(("Organization", "HAS_LOCATION", "Location"), self.ids.organization(agency),
                                   location.id)
        place = location.place
        if place is not None and place.address:
            address_id = self.ids.address(head.number, "physical")
            address = {**dict(place.address), "addressType": "physical"}
            if place.private:
                mark(address, dict(place.address))
            self.plan.add_node("Address", address_id, address)
            self.plan.add_relationship(("Location", "HAS_ADDRESS", "Address"), location.id, address_id)

    def _mailing(self, record: Record, location_id: str | None, *, hidden: bool) -> str | None:
        """The record's postal address on its location (a postal-only one when it has none); the
        location id it ended on. Left out when it repeats the physical address."""
        mailing = address_props(record, c.MAILING)
        if not mailing.get("address1"):
            return location_id
        physical = address_props(record, c.PHYSICAL)
        if all(" ".join(mailing.get(k, "").casefold().replace(",", " ").split())
               == " ".join(physical.get(k, "").casefold().replace(",", " ").split())
               for k in ("address1", "address2", "city", "postalCode")):
            return location_id
        if location_id is None:
            location_id = self.ids.location(record.number)
            props: dict[str, Any] = {"name": self.names.get(record.number), "locationType": "postal"}
            props = {k: v for k, v in props.items() if v}
            if hidden:
                mark_all(props)
                mark(props, CONFIDENTIAL_LOCATION)
            self.plan.add_node("Location", location_id, props)
            self.plan.add_relationship(("Organization", "HAS_LOCATION", "Location"),
                                       self.ids.organization(record.number), location_id)
        address_id = self.ids.address(record.number, "postal")
        address: dict[str, Any] = {**mailing, "addressType": "postal"}
        if hidden or self.privacy.flagged(record.row, c.MAILING.private):
            mark(address, mailing)
        self.plan.add_node("Address", address_id, address)
        self.plan.add_relationship(("Location", "HAS_ADDRESS", "Address"), location_id, address_id)
        return location_id

    def _own_location(self, record: Record) -> str | None:
        """The id of the Location the record itself is at (where its place put it)."""
        location = self.places.at.get(record.number)
        return location.id if location is not None else None

    # --- per level -----------------------------------------------------------------------------

    def _agency(self, record: Record, hidden: bool) -> None:
        org_id = self.ids.organization(record.number)
        tax_status, legal = record.get(c.TAX_STATUS), record.get(c.LEGAL_STATUS)
        year_text = record.get(c.YEAR_INCORPORATED)
        founded = year(year_text) if year_text else None
        if year_text and founded is None:
            self._warn(record, c.YEAR_INCORPORATED, f"{year_text!r} is not a year; left out")
        self._node("Organization", org_id, {
            "name": self.names.get(record.number), "alternateName": self._text(record, c.ALTERNATE_NAME),
            "description": self._text(record, c.DESCRIPTION), "email": self._email(record),
            "website": self._website(record), "taxStatus": tax_status, "taxId": record.get(c.TAX_ID),
            "yearIncorporated": founded, "legalStatus": legal, "lastVerified": self._date(record, c.LAST_VERIFIED),
        }, record, hidden=hidden)
        if record.agency:
            self.plan.add_relationship(("Organization", "PARENT_OF", "Organization"),
                                       self.ids.organization(record.agency), org_id)
        owner = ("Organization", org_id)
        add_phones(self.plan, self.ids, record, owner, self.privacy, hidden=hidden)
        add_contacts(self.plan, self.ids, self.table, record, owner, self.privacy, self.report, hidden=hidden)
        location_id = self._mailing(record, self._own_location(record), hidden=hidden)
        if location_id is not None:
            self._hours(record, ("Location", location_id))
            self._languages(record, ("Location", location_id))
        self._tags(record, owner)

    def _site(self, record: Record, hidden: bool) -> None:
        location_id = self.ids.location(record.number)
        owner = ("Location", location_id)
        add_phones(self.plan, self.ids, record, owner, self.privacy, hidden=hidden)
        add_contacts(self.plan, self.ids, self.table, record, owner, self.privacy, self.report, hidden=hidden)
        self._mailing(record, location_id, hidden=hidden)
        self._hours(record, owner)
        self._languages(record, owner)
        self._tags(record, owner)

    def _program(self, record: Record, hidden: bool) -> None:
        assert record.agency is not None
        service_id = self.ids.service(record.number)
        status_text = record.get(c.STATUS)
        status = _STATUS.get(" ".join(status_text.lower().split())) if status_text else None
        if status_text and status is None:
            self._warn(record, c.STATUS, f"{status_text!r} is not a status (Active, Inactive, …); left out")
        languages = record.get(c.LANGUAGES[0]) or record.get(c.LANGUAGES[1])
        self._node("Service", service_id, {
            "name": self.names.get(record.number), "alternateName": self._text(record, c.ALTERNATE_NAME),
            "description": self._text(record, c.DESCRIPTION), "url": self._website(record),
            "email": self._email(record), "status": status,
            "alert": "Do not refer" if status_text and status_text.lower().endswith("do not refer") else None,
            "eligibilityDescription": self._text(record, c.ELIGIBILITY),
            "feesDescription": self._text(record, c.FEES), "applicationProcess": self._text(record, c.APPLICATION),
            "accreditations": self._text(record, c.ACCREDITATION), "waitTime": self._text(record, c.WAIT_TIME),
            "assuredDate": self._date(record, c.LAST_VERIFIED),
            "lastModified": self._date(record, c.UPDATED, with_time=True),
            "interpretationServices": languages.strip() if languages and read_languages(languages).notes else None,
        }, record, hidden=hidden)
        self.plan.add_relationship(("Organization", "PROVIDES", "Service"), self.ids.organization(record.agency),
                                   service_id)
        owner = ("Service", service_id)
        location_id = self._own_location(record)
        if location_id is not None:
            sal_id = self.ids.service_at_location(record.number)
            self.plan.add_node("ServiceAtLocation", sal_id, {})
            self.plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service_id, sal_id)
            self.plan.add_relationship(("ServiceAtLocation", "AT", "Location"), sal_id, location_id)
        add_phones(self.plan, self.ids, record, owner, self.privacy, hidden=hidden)
        add_contacts(self.plan, self.ids, self.table, record, owner, self.privacy, self.report, hidden=hidden)
        self._hours(record, owner)
        self._languages(record, owner)
        self._areas(record, service_id)
        documents = self._text(record, c.DOCUMENTS)
        if documents:
            document_id = self.ids.required_document(record.number)
            self.plan.add_node("RequiredDocument", document_id, {"document": documents})
            self.plan.add_relationship(("Service", "REQUIRES_DOCUMENT", "RequiredDocument"), service_id, document_id)
        self._tags(record, owner)

    def _program_at_site(self, record: Record, hidden: bool) -> None:
        assert record.program is not None and record.site is not None
        sal_id = self.ids.service_at_location(record.number)
        service_id = self.ids.service(record.program)
        location_id = self.ids.location(record.site)
        if hidden:  # that the program is delivered at this (public) site is for staff: a confidential place
            location_id = self._confidential_copy(location_id, record)
        props = {k: v for k, v in {"description": self._text(record, c.DESCRIPTION)}.items() if v}
        self._node("ServiceAtLocation", sal_id, props, record, hidden=hidden)
        self.plan.add_relationship(("Service", "DELIVERED_AT", "ServiceAtLocation"), service_id, sal_id)
        self.plan.add_relationship(("ServiceAtLocation", "AT", "Location"), sal_id, location_id)
        owner = ("ServiceAtLocation", sal_id)
        add_phones(self.plan, self.ids, record, owner, self.privacy, hidden=hidden)
        add_contacts(self.plan, self.ids, self.table, record, owner, self.privacy, self.report, hidden=hidden)
        self._hours(record, owner)
        if hidden:
            # its languages and coverage would go on the program, whose record is public: left out
            self.stats["languages and coverage areas of rows kept off the website, left out"] += 1
        else:
            self._languages(record, ("Service", service_id))
            self._areas(record, service_id)
        self._tags(record, owner)

    def _confidential_copy(self, location_id: str, record: Record) -> str:
        """A confidential copy of a site's location (and its addresses) for a program-at-site row kept off the
        website: staff see the delivery there, the public neither the place nor that the program is there."""
        site = self.plan.nodes.get("Location", {}).get(location_id)
        if site is None:
            return location_id
        copy_id = self.ids.location(record.number)
        props = {k: v for k, v in site["props"].items() if k != "staffOnly"}
        mark_all(props)
        mark(props, CONFIDENTIAL_LOCATION)
        self.plan.add_node("Location", copy_id, props)
        has_address = ("Location", "HAS_ADDRESS", "Address")
        for link in list(self.plan.relationships.get(has_address, {}).values()):
            if link["from"] == location_id:
                address = self.plan.nodes["Address"][link["to"]]["props"]
                kind = str(address.get("addressType") or "physical")
                address_id = self.ids.address(record.number, kind)
                copied = {k: v for k, v in address.items() if k != "staffOnly"}
                mark(copied, (k for k in copied if k != "addressType"))
                self.plan.add_node("Address", address_id, copied)
                self.plan.add_relationship(has_address, copy_id, address_id)
        return copy_id

    # --- shared parts --------------------------------------------------------------------------

    def _hours(self, record: Record, owner: tuple[str, str]) -> None:
        """Schedules from `HoursOfOperation`; from the by-day `Hours` column where that is empty or
        says what the text does not (the text stays the description)."""
        text, by_day = record.get(c.HOURS), record.get(c.HOURS_BY_DAY)
        hours = read_hours(text or by_day or "")
        schedules = hours.schedules()
        if text and by_day and not hours.understood and (fallback := read_hours(by_day)).understood:
            hours = fallback
            schedules = [{**s, "description": single_line(text)} for s in fallback.schedules()]
        if not schedules:
            return
        self.stats["hours texts"] += 1
        self.stats["hours read in full" if hours.complete else "hours read in part" if hours.understood
                   else "hours kept as text only"] += 1
        label, owner_id = owner
        for i, schedule in enumerate(schedules, start=1):
            schedule_id = self.ids.schedule(record.number, i)
            self.plan.add_node("Schedule", schedule_id, schedule)
            self.plan.add_relationship((label, "HAS_SCHEDULE", "Schedule"), owner_id, schedule_id)

    def _languages(self, record: Record, owner: tuple[str, str]) -> None:
        column = c.LANGUAGES[0] if record.get(c.LANGUAGES[0]) else c.LANGUAGES[1]
        text = record.get(column)
        if text is None:
            return
        found = read_languages(text)
        label, owner_id = owner
        for code, name in found.codes.items():
            self.plan.add_node("Language", code, {"code": code, "name": name})
            self.plan.add_relationship((label, "OFFERED_IN", "Language"), owner_id, code)
        for name in found.unknown:
            self._warn(record, column, f"{name!r} is no language name the loader knows (no ISO 639 code); "
                                       "kept by name")
            self.plan.add_node("Language", name.casefold(), {"name": name})
            self.plan.add_relationship((label, "OFFERED_IN", "Language"), owner_id, name.casefold())

    def _areas(self, record: Record, service_id: str) -> None:
        for column in c.COVERAGE:
            text = record.get(column)
            for name in area_names(text) if text else []:
                area_id = self.ids.service_area(name)
                if area_id not in self.plan.nodes.get("ServiceArea", {}):
                    self.plan.add_node("ServiceArea", area_id, {"name": name})
                self.plan.add_relationship(("Service", "SERVES_AREA", "ServiceArea"), service_id, area_id)

    def _tags(self, record: Record, owner: tuple[str, str]) -> None:
        label, owner_id = owner
        for code in self.vocabulary.read(self.table, record.row, self.report):
            self.plan.add_relationship((label, "TAGGED", "TaxonomyTerm"), owner_id, term_id(code),
                                       {"linkType": link_type(code), "linkEntity": _TAGGABLE[label]})
