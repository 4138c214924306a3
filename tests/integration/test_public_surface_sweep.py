"""Issue 16, by construction: no value a 211 source marks private reaches the public (no API key), anywhere.

The test writes a 211 export in the wide iCarol/AIRS layout `safetynet load 211` reads, where every
`…IsPrivate` column the loader knows is set on a value (some on records of two levels, where the loader
takes other paths), and `ExcludeFromWebsite` on an agency, a program, a site with and one without an
address, and a program at a site; each private value holds a marker found nowhere else (a made-up word,
and a private phone's number or a confidential place's point), and the ids of records kept off the
website are markers too (the public is not told they exist). It loads the file with the real loader,
as the CLI does, then sweeps every public surface:

- GraphQL: every Query field introspection lists, called with arguments that reach the fixture's
  records (every id, the fixture's needs near its sites, residents the private eligibility decides
  on, a text search for every marker), selecting every field introspection lists to the types not
  yet on the path;
- HSDS: every GET route of the app's OpenAPI document, with every record's id, every filter, a
  search for every marker and the NDJSON exports (then by id again, from the ready-made documents
  the export built);
- the HSDS export, CSV and JSON, every file.

No marker may show, a search for a marker may find nothing (it would have found a record by a private
value), and what the loader read from the private eligibility text (an age) may not show either. As
staff the same sweep must show every marker the loader reads: a sweep that cannot find them when
staff look would prove nothing. A failure names the marker, where it was planted and where it showed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from graphql import get_introspection_query

from api.app import GRAPHQL_PATH, create_app
from api.limits import MAX_ALIASES
from api.settings import ApiSettings
from domain.roles import Role
from graph.engine import GraphEngine
from loaders.airs211 import columns as c
from loaders.airs211 import parse_211
from loaders.airs211.csvfile import column_key
from loaders.area_matching import read_areas
from loaders.join_to_graph import join_to_graph
from loaders.load import load_parsed
from services.hsds.export import FORMATS, export_hsds
from services.keys import KeyStore
from tests.sweep import (
    FieldCall,
    Introspected,
    Leak,
    Marker,
    SweepError,
    edges_of,
    field_document,
    is_required,
    listed_ids,
    named_type,
    number_marker,
    objects_with_id,
    record_ids,
    scan_body,
    scan_file,
    scan_json,
    word_marker,
)

NAMESPACE: Final = "sweep"

# ---------------------------------------------------------------- the fixture export

# The columns of a real export (the DC 211 file's header, ../shared/data/dc-211/211.csv); the
# fixture adds the privacy flags and phone descriptions that export lacks.
_DC_HEADER_TEXT: Final = """
ResourceAgencyNum PublicName AlternateName OfficialName TaxonomyLevelName ParentAgency ParentAgencyNum RecordOwner
MailingAttentionName MailingAddress1 MailingAddress2 MailingCity MailingStateProvince MailingPostalCode MailingCountry
PhysicalAddress1 PhysicalAddress2 PhysicalCity PhysicalCounty PhysicalStateProvince PhysicalPostalCode PhysicalCountry
OtherAddress1 OtherAddress2 OtherCity OtherCounty OtherStateProvince OtherPostalCode OtherCountry Latitude Longitude
HoursOfOperation Phone1Number Phone1Name Phone2Number Phone2Name Phone3Number Phone3Name Phone4Number Phone4Name
Phone5Number Phone5Description PhoneFax PhoneTTY PhoneTollFree PhoneNumberHotline PhoneNumberBusinessLine
PhoneNumberOutOfArea PhoneNumberAfterHours EmailAddressMain WebsiteAddress AgencyStatus AgencyClassification
AgencyDescription SearchHints CoverageArea CoverageAreaText Eligibility SeniorWorkerName SeniorWorkerTitle
SeniorWorkerEmailAddress SeniorWorkerPhoneNumber MainContactName MainContactTitle MainContactEmailAddress
MainContactPhoneNumber MainContactType LicenseAccreditation IRSStatus FEIN YearIncorporated AnnualBudgetTotal
LegalStatus SourceOfFunds ExcludeFromWebsite ExcludeFromDirectory DisabilitiesAccess PhysicalLocationDescription
BusServiceAccess PublicAccessTransportation FeeStructureSource ApplicationProcess ResourceInfo DocumentsRequired
LanguagesOffered ServiceNotAlwaysAvailability CapacityType ServiceCapacity TemporaryMessage TemporaryMessageAppears
TemporaryMessageExpires EnteredOn UpdatedOn MadeInactiveOn InternalNotes InternalNotesForEditorsAndViewers
HighlightedResource LastVerifiedOn LastVerifiedByName LastVerifiedByTitle LastVerifiedByPhoneNumber
LastVerifiedByEmailAddress LastVerificationApprovedBy AvailableForDirectory AvailableForReferral AvailableForResearch
PreferredProvider ConnectsToSiteNum ConnectsToProgramNum Categories TaxonomyTerm TaxonomyTerms
TaxonomyTermsNotDeactivated TaxonomyCodes Coverage Hours
"""
DC_HEADER: Final = tuple(_DC_HEADER_TEXT.split())

# Every privacy flag the loader understands (loaders/airs211/columns.py), as exports spell them.
PRIVACY_FLAGS: Final = (
    c.PHYSICAL.private.name, c.MAILING.private.name, "OtherAddressIsPrivate",
    *(phone.private.name for phone in c.PHONES), *(contact.private.name for contact in c.CONTACTS),
    *(flag.name for flag in c.VALUE_FLAGS),
)
EXCLUDED: Final = c.EXCLUDE_FROM_WEBSITE.name
YES: Final = "Yes"


def _place(street: str, postal_code: str, latitude: str, longitude: str) -> dict[str, str]:
    return {"PhysicalAddress1": street, "PhysicalCity": "Washington", "PhysicalStateProvince": "DC",
            "PhysicalPostalCode": postal_code, "PhysicalCountry": "United States",
            "Latitude": latitude, "Longitude": longitude}


MAIN_OFFICE: Final = _place("100 Main Street", "20001", "38.900100", "-77.010100")
NORTH_OFFICE: Final = _place("200 North Street", "20003", "38.910100", "-77.020100")
SAFE_HOUSE_POSTCODE: Final = "20599"
SAFE_HOUSE_POINT: Final = (38.917317, -77.031171)  # nothing else within 1 km
COURTHOUSE: Final = _place("400 West Street", "20008", "38.940100", "-77.060100")
RIVER_ROAD: Final = _place("600 River Road", "20011", "38.960100", "-77.030100")
WEEKDAYS: Final = "Mon-Fri 9:00 am - 5:00 pm"


def _agency(number: str, name: str, **values: str) -> dict[str, str]:
    return {"ResourceAgencyNum": number, "TaxonomyLevelName": "Agency", "ParentAgencyNum": "0", "PublicName": name,
            "AgencyStatus": "Active", "LastVerifiedOn": "1/15/2024", **values}


def _record(level: str, number: str, agency: str, name: str, **values: str) -> dict[str, str]:
    return {"ResourceAgencyNum": number, "TaxonomyLevelName": level, "ParentAgencyNum": agency, "PublicName": name,
            "LastVerifiedOn": "1/15/2024", "UpdatedOn": "1/15/2024 10:30", **values}


# The records with their public values. Numbers: agencies 100, 200, 300; their sites, programs and
# programs at sites after them.
RECORDS: Final[list[dict[str, str]]] = [
    _agency("100", "Harbor Light Services", AgencyDescription="A neighbourhood agency offering food and shelter.",
            EmailAddressMain="info@harborlight.example.org", Phone3Number="202-555-0300", Phone3Name="Front desk",
            HoursOfOperation=WEEKDAYS, LanguagesOffered="English; Spanish", IRSStatus="501(c)(3)",
            YearIncorporated="1987", LegalStatus="Nonprofit", MailingAttentionName="Intake office",
            MailingCity="Washington", MailingStateProvince="DC", MailingPostalCode="20002", **MAIN_OFFICE),
    _record("Site", "110", "100", "Harbor Light North Office", AgencyDescription="Our second office.",
            Phone1Number="202-555-0301", Phone1Name="North desk", HoursOfOperation=WEEKDAYS, **NORTH_OFFICE),
    _record("Site", "120", "100", "Harbor Light Safe House", HoursOfOperation="24 hours",
            PhysicalCity="Washington", PhysicalStateProvince="DC", PhysicalPostalCode=SAFE_HOUSE_POSTCODE),
    _record("Site", "130", "100", "Annex", HoursOfOperation=WEEKDAYS),
    _record("Program", "140", "100", "Harbor Light Food Pantry", AgencyDescription="Groceries once a week.",
            TaxonomyCodes="BD-1800.2000", TaxonomyTerm="Food Pantries", HoursOfOperation=WEEKDAYS,
            LanguagesOffered="English; Spanish", CoverageArea="District of Columbia", **MAIN_OFFICE),
    _record("Program", "150", "100", "Harbor Light Shelter", AgencyDescription="Beds for the night.",
            TaxonomyCodes="BH-1800.8500", TaxonomyTerm="Emergency Shelter", CoverageArea="District of Columbia",
            Eligibility="Anyone who needs a bed."),
    _record("Program", "160", "100", "Intake desk", TaxonomyCodes="BD-1800.2000", TaxonomyTerm="Food Pantries",
            **MAIN_OFFICE),
    _record("ProgramAtSite", "170", "100", "Harbor Light Shelter at the safe house",
            ConnectsToProgramNum="150", ConnectsToSiteNum="120", HoursOfOperation="24 hours"),
    _record("ProgramAtSite", "180", "100", "Harbor Light Shelter at the north office",
            ConnectsToProgramNum="150", ConnectsToSiteNum="110", HoursOfOperation=WEEKDAYS),
    _record("ProgramAtSite", "190", "100", "Harbor Light Food Pantry at the annex",
            ConnectsToProgramNum="140", ConnectsToSiteNum="130"),
    _record("Site", "135", "100", "Mobile unit"),  # kept off the website, without an address
    _record("ProgramAtSite", "195", "100", "Harbor Light Food Pantry at the north office, evenings",
            ConnectsToProgramNum="140", ConnectsToSiteNum="110"),
    _record("ProgramAtSite", "196", "100", "Harbor Light Shelter at the mobile unit",
            ConnectsToProgramNum="150", ConnectsToSiteNum="135"),
    _record("ProgramAtSite", "197", "100", "Intake at the north office",  # a public row of a hidden program
            ConnectsToProgramNum="160", ConnectsToSiteNum="110", HoursOfOperation=WEEKDAYS),
    _agency("200", "Family Justice Unit", HoursOfOperation=WEEKDAYS),
    # two public programs of the hidden agency at one place: the location they share is named after it
    _record("Program", "210", "200", "Court Advocacy", AgencyDescription="Someone beside you in court.",
            TaxonomyCodes="FT-1800", TaxonomyTerm="Legal Counseling", Phone1Number="202-555-0310",
            Phone1Name="Advocacy line", **COURTHOUSE),
    _record("Program", "220", "200", "Protective Order Help", AgencyDescription="Help filing a protective order.",
            TaxonomyCodes="FT-1800", TaxonomyTerm="Legal Counseling", **COURTHOUSE),
    # a public agency under the hidden one
    _agency("300", "Capitol Community Clinic", ParentAgencyNum="200", Phone1Number="202-555-0320",
            Phone1Name="Appointments",
            **_place("500 South Street", "20010", "38.950100", "-77.020100")),
    # two programs of a public agency at one place: the location they share is named after the agency
    _record("Program", "310", "300", "Walk-in Care", AgencyDescription="See a nurse without an appointment.",
            TaxonomyCodes="LN-1500", TaxonomyTerm="Community Clinics", HoursOfOperation=WEEKDAYS, **RIVER_ROAD),
    _record("Program", "320", "300", "Dental Care", AgencyDescription="Cleanings and fillings.",
            TaxonomyCodes="LN-1500", TaxonomyTerm="Community Clinics", **RIVER_ROAD),
    _record("Program", "330", "300", "Mobile Clinic", AgencyDescription="A nurse comes to you.",
            TaxonomyCodes="LN-1500", TaxonomyTerm="Community Clinics", PhysicalCity="Washington"),
]


@dataclass(frozen=True)
class Private:
    """A private value planted in the fixture: the column that makes it private (set to Yes on its
    record), the record, the cells it fills, and the marker only it holds (and a number only it holds:
    a phone's, a confidential place's point)."""

    flag: str
    record: str
    values: dict[str, str]
    marker: str
    numbers: tuple[str, ...] = ()
    loaded: bool = True  # False: the loader does not read the value at all (staff do not see it either)


def _phone(number_column: str, description_column: str, number: str, marker: str, words: str) -> dict[str, str]:
    return {number_column: number, description_column: f"{marker} {words}"}


PRIVATE: Final[tuple[Private, ...]] = (
    Private("PhysicalAddressIsPrivate", "120", {"PhysicalAddress1": "12 zqxmarker01 Lane",
                                                 "Latitude": str(SAFE_HOUSE_POINT[0]),
                                                 "Longitude": str(SAFE_HOUSE_POINT[1])},
            "zqxmarker01", tuple(str(x) for x in SAFE_HOUSE_POINT)),
    Private("MailingAddressIsPrivate", "100", {"MailingAddress1": "PO Box 4417 zqxmarker02 Station"}, "zqxmarker02"),
    Private("OtherAddressIsPrivate", "100", {"OtherAddress1": "7 zqxmarker03 Road", "OtherCity": "Washington"},
            "zqxmarker03", loaded=False),  # `Other…` addresses are not read (loaders/airs211/columns.py)
    Private("Phone1IsPrivate", "100", _phone("Phone1Number", "Phone1Name", "202-555-0101", "zqxmarker04",
                                             "director's direct line"), "zqxmarker04", ("202-555-0101",)),
    Private("Phone2IsPrivate", "140", _phone("Phone2Number", "Phone2Name", "202-555-0102", "zqxmarker05",
                                             "pantry desk"), "zqxmarker05", ("202-555-0102",)),
    Private("Phone3IsPrivate", "110", _phone("Phone3Number", "Phone3Name", "202-555-0103", "zqxmarker06",
                                             "back office"), "zqxmarker06", ("202-555-0103",)),
    Private("Phone4IsPrivate", "150", _phone("Phone4Number", "Phone4Name", "202-555-0104", "zqxmarker07",
                                             "bed line"), "zqxmarker07", ("202-555-0104",)),
    Private("Phone5IsPrivate", "300", _phone("Phone5Number", "Phone5Description", "202-555-0105", "zqxmarker08",
                                             "pharmacy"), "zqxmarker08", ("202-555-0105",)),
    Private("PhoneFaxIsPrivate", "100", _phone("PhoneFax", "PhoneFaxDescription", "202-555-0106", "zqxmarker09",
                                               "records fax"), "zqxmarker09", ("202-555-0106",)),
    Private("PhoneTTYIsPrivate", "310", _phone("PhoneTTY", "PhoneTTYDescription", "202-555-0107", "zqxmarker10",
                                               "nurse TTY"), "zqxmarker10", ("202-555-0107",)),
    Private("PhoneTollFreeIsPrivate", "170", _phone("PhoneTollFree", "PhoneTollFreeDescription", "800-555-0108",
                                                    "zqxmarker11", "bed check"), "zqxmarker11", ("800-555-0108",)),
    Private("PhoneNumberHotlineIsPrivate", "210", _phone("PhoneNumberHotline", "PhoneNumberHotlineDescription",
                                                         "202-555-0109", "zqxmarker12", "advocates' hotline"),
            "zqxmarker12", ("202-555-0109",)),
    Private("PhoneNumberBusinessLineIsPrivate", "120",
            _phone("PhoneNumberBusinessLine", "PhoneNumberBusinessLineDescription", "202-555-0110", "zqxmarker13",
                   "house phone"), "zqxmarker13", ("202-555-0110",)),
    Private("PhoneNumberOutOfAreaIsPrivate", "320",
            _phone("PhoneNumberOutOfArea", "PhoneNumberOutOfAreaDescription", "888-555-0111", "zqxmarker14",
                   "long distance"), "zqxmarker14", ("888-555-0111",)),
    Private("PhoneNumberAfterHoursIsPrivate", "140",
            _phone("PhoneNumberAfterHours", "PhoneNumberAfterHoursDescription", "202-555-0112", "zqxmarker15",
                   "after hours"), "zqxmarker15", ("202-555-0112",)),
    Private("SeniorWorkerIsPrivate", "140", {"SeniorWorkerName": "Dana Zqxmarker16", "SeniorWorkerTitle": "Pantry lead",
                                              "SeniorWorkerEmailAddress": "dana.zqxmarker16@example.org",
                                              "SeniorWorkerPhoneNumber": "202-555-0113"},
            "zqxmarker16", ("202-555-0113",)),
    Private("MainContactIsPrivate", "100", {"MainContactName": "Lee Zqxmarker17", "MainContactTitle": "Director",
                                             "MainContactEmailAddress": "lee.zqxmarker17@example.org",
                                             "MainContactPhoneNumber": "202-555-0114"},
            "zqxmarker17", ("202-555-0114",)),
    Private("EmailAddressMainIsPrivate", "140", {"EmailAddressMain": "zqxmarker18@example.org"}, "zqxmarker18"),
    Private("WebsiteAddressIsPrivate", "100", {"WebsiteAddress": "www.zqxmarker19.example.org"}, "zqxmarker19"),
    Private("AgencyDescriptionIsPrivate", "300",
            {"AgencyDescription": "Street medicine with the zqxmarker20 outreach van."}, "zqxmarker20"),
    # the loader reads minimumAge 18 from it: as private as the text
    Private("EligibilityIsPrivate", "140", {"Eligibility": "Ages 18 and over zqxmarker21 referral only."},
            "zqxmarker21"),
    Private("FeeStructureSourceIsPrivate", "150", {"FeeStructureSource": "Sliding scale zqxmarker22 waiver"},
            "zqxmarker22"),
    Private("ApplicationProcessIsPrivate", "310", {"ApplicationProcess": "Call ahead; ask for zqxmarker23."},
            "zqxmarker23"),
    Private("FEINIsPrivate", "100", {"FEIN": "52-zqxmarker24"}, "zqxmarker24"),
    # records kept off the public website: the whole record is private
    Private(EXCLUDED, "200", {"PublicName": "Zqxmarker25 Family Justice Unit", "AlternateName": "Zqxmarker25 FJU",
                              "AgencyDescription": "The zqxmarker25 unit of the courthouse.",
                              "Phone2Number": "202-555-0250", "Phone2Name": "zqxmarker25 unit line",
                              "MainContactName": "Sam Zqxmarker25", "MainContactPhoneNumber": "202-555-0251",
                              "HoursOfOperation": f"{WEEKDAYS}; zqxmarker25 court days",
                              "PhysicalLocationDescription": "Side door by the zqxmarker25 sign",
                              **_place("300 Zqxmarker25 Street", "20007", "38.930177", "-77.050133")},
            "zqxmarker25", ("202-555-0250", "202-555-0251", "38.930177", "-77.050133")),
    Private(EXCLUDED, "160", {"PublicName": "Zqxmarker26 Intake Desk",
                              "AgencyDescription": "Walk-in intake, zqxmarker26 referrals.",
                              "Phone2Number": "202-555-0260", "Phone2Name": "zqxmarker26 intake",
                              "Eligibility": "Anyone the zqxmarker26 team refers.",
                              "ApplicationProcess": "Ask at the zqxmarker26 window.",
                              "DocumentsRequired": "A zqxmarker26 referral letter",
                              "CoverageArea": "Zqxmarker26 Heights",
                              "HoursOfOperation": f"{WEEKDAYS}; zqxmarker26 lunch break",
                              "PhysicalLocationDescription": "Room 2, zqxmarker26 corridor"},
            "zqxmarker26", ("202-555-0260",)),
    Private(EXCLUDED, "130", {"PublicName": "Zqxmarker27 Annex", "AlternateName": "Zqxmarker27 East",
                              "AgencyDescription": "The zqxmarker27 annex.",
                              "Phone1Number": "202-555-0270", "Phone1Name": "zqxmarker27 annex phone",
                              "HoursOfOperation": f"{WEEKDAYS}; zqxmarker27 side door",
                              "PhysicalLocationDescription": "zqxmarker27 basement",
                              **_place("33 Zqxmarker27 Court", "20005", "38.920455", "-77.040466")},
            "zqxmarker27", ("202-555-0270", "38.920455", "-77.040466")),
    Private(EXCLUDED, "135", {"PublicName": "Zqxmarker30 Mobile Unit",
                              "HoursOfOperation": "Sat 10:00 am - 2:00 pm; zqxmarker30 parking lot"},
            "zqxmarker30"),
    Private(EXCLUDED, "195", {"AgencyDescription": "A zqxmarker29 pilot, evenings only.",
                              "HoursOfOperation": "Tue 6:00 pm - 8:00 pm; zqxmarker29 pilot",
                              "CoverageArea": "Zqxmarker29 Heights"},
            "zqxmarker29"),
    # the same flags on records of other levels, where the loader takes other paths
    Private("AgencyDescriptionIsPrivate", "180", {"AgencyDescription": "Enter by the zqxmarker31 back gate."},
            "zqxmarker31"),  # a program at a site's own description
    Private("AgencyDescriptionIsPrivate", "110", {"AgencyDescription": "Above the zqxmarker32 pharmacy."},
            "zqxmarker32"),  # a site's description
    Private("PhysicalAddressIsPrivate", "330", {"PhysicalAddress1": "9 Zqxmarker33 Alley",
                                                 "PhysicalPostalCode": "20012",
                                                 "Latitude": "38.971234", "Longitude": "-77.012345"},
            "zqxmarker33", ("38.971234", "-77.012345")),  # a program's own address (DC exports have few sites)
    Private("MailingAddressIsPrivate", "110", {"MailingAddress1": "PO Box 77 zqxmarker34 Annex",
                                                "MailingCity": "Washington", "MailingPostalCode": "20003"},
            "zqxmarker34"),  # a site's mailing address
    # not a flagged value, but internal by nature: the loader must not read it
    Private("", "140", {"InternalNotes": "Donor zqxmarker28 asked not to be named."}, "zqxmarker28", loaded=False),
)
PRIVATE_ELIGIBILITY_RECORD: Final = "140"
PUBLIC_WORD: Final = "pantry"  # in a public name: a search for it finds records (the searches work)


def export_rows() -> list[dict[str, str]]:
    """The fixture's rows: each record's public values with its private ones planted over them."""
    rows = {row["ResourceAgencyNum"]: dict(row) for row in RECORDS}
    for private in PRIVATE:
        rows[private.record].update(private.values)
        if private.flag:
            rows[private.record][private.flag] = YES
    for flag in PRIVACY_FLAGS:  # the others say No, as exports do
        for row in rows.values():
            row.setdefault(flag, "No")
    return list(rows.values())


def write_export(path: Path) -> None:
    rows = export_rows()
    header = list(DC_HEADER)
    for row in rows:
        header.extend(column for column in row if column not in header)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(rows)


def markers(*, loaded_only: bool = False) -> list[Marker]:
    """Every marker, with where it was planted."""
    out = []
    for private in PRIVATE:
        if loaded_only and not private.loaded:
            continue
        columns = list(private.values)
        cells = ", ".join(columns[:4]) + (", …" if len(columns) > 4 else "")
        planted = f"{private.flag or ', '.join(columns)} on record {private.record} ({cells})"
        out.append(word_marker(private.marker, planted))
        out.extend(number_marker(number, planted) for number in private.numbers)
    return out


WORD_MARKERS: Final = tuple(m for m in markers() if m.text.startswith("zqxmarker"))


# ---------------------------------------------------------------- the graph and the app


def _ids(db: GraphEngine, label: str) -> list[str]:
    return sorted(str(r["id"]) for r in db.read(f"MATCH (n:{label}) RETURN n.id AS id"))


def _id_of(ids: dict[str, list[str]], label: str, number: str) -> str | None:
    """The graph id of a record of the fixture (ids end in its ResourceAgencyNum), if the label has one."""
    found = [i for i in ids[label] if i.endswith(f":{number}")]
    assert len(found) <= 1, (label, number, found)
    return found[0] if found else None


def hidden_records(ids: dict[str, list[str]]) -> dict[str, Marker]:
    """Markers of the ids of the agencies and programs kept off the website, and of their programs' sites:
    the public is not told they exist (graph.schema.model.STAFF_ONLY_RECORD)."""
    rows = {row["ResourceAgencyNum"]: row for row in export_rows()}
    hidden = {p.record for p in PRIVATE if p.flag == EXCLUDED}
    out = {}
    for number, row in rows.items():
        level = row["TaxonomyLevelName"]
        program = number if level == "Program" else row.get("ConnectsToProgramNum")
        found = [(label, what) for label, what, hides in (
            ("Organization", "an agency", level == "Agency" and number in hidden),
            ("Service", "a program", level == "Program" and number in hidden),
            ("ServiceAtLocation", f"a site of program {program}", program in hidden)) if hides]
        for label, what in found:
            if (record_id := _id_of(ids, label, number)) is not None:
                out[record_id] = word_marker(record_id, f"the id of record {number}, {what} kept off the website")
    return out


@dataclass(frozen=True)
class Loaded:
    db: GraphEngine
    ids: dict[str, list[str]]  # graph label -> every id of the label
    needs: list[str]  # the need terms the fixture's programs are tagged with
    hidden: dict[str, Marker]  # the id of a record the public is not told of -> its marker

    def id_of(self, label: str, number: str) -> str:
        found = _id_of(self.ids, label, number)
        assert found is not None, (label, number)
        return found

    def markers(self, *, loaded_only: bool = False) -> list[Marker]:
        """The fixture's markers, and the ids of the records whose existence the public is not told."""
        return markers(loaded_only=loaded_only) + list(self.hidden.values())

    def __repr__(self) -> str:  # (in a failure's traceback)
        return f"Loaded({sum(map(len, self.ids.values()))} records, hidden: {sorted(self.hidden)})"


@pytest.fixture(scope="module")
def export_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sweep-export") / "211.csv"
    write_export(path)
    return path


@pytest.fixture(scope="module")
def loaded(module_db: GraphEngine, export_file: Path) -> Iterator[Loaded]:
    """The fixture export loaded into a fresh graph the way `safetynet load 211` does, on each engine in turn."""
    db = module_db
    parsed = parse_211(export_file, namespace=NAMESPACE)
    assert not parsed.report.errors, parsed.report.errors
    assert not parsed.report.warnings, parsed.report.warnings  # a warning may mean a value was not read
    join_to_graph(parsed.plan, read_areas(db))
    load_parsed(db, parsed, dataset_id=NAMESPACE, path=export_file)
    labels = ("Service", "Organization", "Location", "ServiceAtLocation", "TaxonomyTerm", "Taxonomy")
    needs = sorted(str(r["id"]) for r in db.read(
        "MATCH (:Service)-[t:TAGGED]->(n:TaxonomyTerm) WHERE t.linkType = 'need' RETURN DISTINCT n.id AS id"))
    ids = {label: _ids(db, label) for label in labels}
    yield Loaded(db, ids, needs, hidden_records(ids))


@dataclass
class App:
    client: TestClient
    staff_headers: dict[str, str]
    snapshots: Path  # where the HSDS API keeps its ready-made documents


@pytest.fixture(scope="module")
def app(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The real app over the graph, with a staff key, its HSDS ready-made documents in a folder of its own."""
    root = tmp_path_factory.mktemp("sweep-app")
    keys = KeyStore(root / "keys.json")
    key, _ = keys.add(name="sweep staff", role=Role.STAFF)
    snapshots = root / "hsds-snapshots"
    application = create_app(ApiSettings(hsds_snapshot_dir=snapshots), engine=loaded.db, key_store=keys)
    with TestClient(application) as client:
        yield App(client, {"Authorization": f"Bearer {key}"}, snapshots)


# ---------------------------------------------------------------- the sweep


@dataclass
class Answer:
    """One response of the sweep (or one file), with what it was asked."""

    surface: str
    body: Any  # decoded JSON, text, or the Path of an exported file
    content_type: str = "application/json"
    probe: Marker | None = None  # the marker it searched for (the request itself holds it)
    finds_nothing: str = ""  # why it may find nothing for the public: it asks for a private value
    found: list[str] = field(default_factory=list)  # then: the records it found


@dataclass
class Sweep:
    role: str
    answers: list[Answer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # requests the sweep could not make as meant
    meant: set[str] = field(default_factory=set)  # every Query field introspection lists, every GET route
    refused: dict[str, str] = field(default_factory=dict)  # GraphQL field or GET route -> the refusal
    called: set[str] = field(default_factory=set)  # Query fields answered without error, GET routes with 200

    def __repr__(self) -> str:  # (in a failure's traceback)
        return f"Sweep({self.role}: {len(self.answers)} answers, {len(self.problems)} problems)"

    def leaks(self, markers: list[Marker]) -> list[Leak]:
        out = []
        for answer in self.answers:
            shown = [m for m in markers if m != answer.probe]  # the request itself holds its probe
            if isinstance(answer.body, Path):
                out.extend(scan_file(answer.body, shown, answer.surface))
            elif answer.content_type == "application/json" and not isinstance(answer.body, str):
                out.extend(scan_json(answer.body, shown, answer.surface))
            else:
                out.extend(scan_body(answer.body, answer.content_type, shown, answer.surface))
        return out


GRAPHQL_FIRST: Final = 20  # a top-level list's page: more than the fixture has of anything
NESTED_FIRST: Final = 10  # a nested list's page (an organization's services): more than any record has
PER_DOCUMENT: Final = min(12, MAX_ALIASES)  # aliases a request (fewer when the cost limit says so)
PLANNED_AT: Final = "2026-01-14T10:00:00-05:00"  # a Wednesday morning


def _point(latitude: float, longitude: float) -> dict[str, float]:
    return {"latitude": latitude, "longitude": longitude}


def graphql_calls(query_field: dict[str, Any], fx: Loaded, *, probes: bool) -> list[FieldCall]:
    """The calls that reach the fixture through one top-level field, from its arguments' names:
    every id of what it returns, the fixture's needs near its sites (a resident the private eligibility
    turns away, and one it admits), every term as a parent, and a search for every marker."""
    arguments = {a["name"]: a for a in query_field["args"]}
    name, target = query_field["name"], named_type(query_field["type"])["name"]
    main = _point(38.9001, -77.0101)
    required: dict[str, list[Any]] = {}
    for argument in (a for a in arguments.values() if is_required(a)):
        if argument["name"] == "id":
            if target not in fx.ids:
                raise SweepError(f"Query.{name}(id:) returns {target}: teach the sweep where its ids are")
            required["id"] = list(fx.ids[target])
        elif argument["name"] == "need":
            required["need"] = [fx.needs]
        elif argument["name"] == "at":
            required["at"] = [main]
        elif argument["name"] == "when":
            required["when"] = [PLANNED_AT]
        else:
            raise SweepError(f"Query.{name}({argument['name']}:) is required: teach the sweep what to pass")
    bases: list[dict[str, Any]] = [{}]
    for argument, values in required.items():
        bases = [{**base, argument: value} for base in bases for value in values]
    if "first" in arguments:
        bases = [{**base, "first": GRAPHQL_FIRST} for base in bases]
    calls = [FieldCall(base, probe=fx.hidden.get(str(base.get("id")))) for base in bases]
    base = bases[0]
    reach = {"need": fx.needs, "radiusKm": 25.0, "includeIneligible": True}
    if "near" in arguments:
        for near, more in ((main, {"resident": {"age": 12}}), (main, {"resident": {"age": 30}, "openAt": PLANNED_AT}),
                           (_point(*SAFE_HOUSE_POINT), {"radiusKm": 1.0})):
            args = {**base, "near": near, **{k: v for k, v in {**reach, **more}.items() if k in arguments}}
            calls.append(FieldCall(args))
    if "parent" in arguments:
        calls.extend(FieldCall({**base, "parent": term}) for term in fx.ids["TaxonomyTerm"])
    for argument in ("text", "search"):
        if argument in arguments:
            calls.append(FieldCall({**base, argument: PUBLIC_WORD}))
            if probes:
                calls.extend(FieldCall({**base, argument: m.text}, probe=m) for m in WORD_MARKERS)
    return calls


def sweep_graphql(sweep: Sweep, app: App, fx: Loaded, headers: dict[str, str], *, probes: bool) -> None:
    """Every Query field, its calls batched as aliases; a batch over the cost limit is split in two."""

    def post(document: str, variables: dict[str, Any]) -> Any:
        response = app.client.post("/graphql", json={"query": document, "variables": variables}, headers=headers)
        if response.status_code != 200:
            sweep.problems.append(f"GraphQL answered {response.status_code}: {response.text[:300]}")
        return response.json()

    def run(query_field: dict[str, Any], calls: dict[str, FieldCall]) -> None:
        name = query_field["name"]
        try:
            document, variables = field_document(schema, query_field, calls, first=NESTED_FIRST)
        except SweepError as exc:
            sweep.problems.append(str(exc))
            return
        result = post(document, variables)
        data = result.get("data") or {}
        errors_by_alias: dict[str, list[Any]] = {}
        for error in result.get("errors") or []:
            alias = (error.get("path") or [None])[0]
            if alias in calls:
                errors_by_alias.setdefault(alias, []).append(error)
                continue
            if str(error.get("message")).startswith("Query too costly") and len(calls) > 1:
                half = len(calls) // 2
                run(query_field, dict(list(calls.items())[:half]))
                run(query_field, dict(list(calls.items())[half:]))
                return
            sweep.problems.append(f"GraphQL {name}: {error.get('message')} (in {document[:300]}…)")
            sweep.answers.append(Answer(f"GraphQL ({sweep.role}) {name}: request error", error))
        for alias, call in calls.items():
            shown_args = {k: v for k, v in call.args.items() if k != "first"}
            surface = f"GraphQL ({sweep.role}) {name}({json.dumps(shown_args)})"
            errors = errors_by_alias.get(alias, [])
            for error in errors:
                sweep.answers.append(Answer(f"{surface}: error", error, probe=call.probe))
                if (error.get("extensions") or {}).get("code") == "FORBIDDEN":
                    sweep.refused[name] = str(error.get("message"))
                else:
                    sweep.problems.append(f"{surface}: {error.get('message')}")
            value = data.get(alias)
            why = f"it asks for {call.probe}" if call.probe else ""
            sweep.answers.append(Answer(surface, value, probe=call.probe, finds_nothing=why,
                                        found=listed_ids(value) if why else []))
            if not errors and alias in data:
                sweep.called.add(name)

    introspection = post(get_introspection_query(), {})
    sweep.answers.append(Answer(f"GraphQL ({sweep.role}) introspection", introspection))
    schema = Introspected(introspection["data"])
    for query_field in schema.query_fields():
        sweep.meant.add(query_field["name"])
        try:
            calls = graphql_calls(query_field, fx, probes=probes)
        except SweepError as exc:
            sweep.problems.append(str(exc))
            continue
        for start in range(0, len(calls), PER_DOCUMENT):
            run(query_field, {f"a{i}": call for i, call in enumerate(calls[start:start + PER_DOCUMENT], start=start)})


HSDS_KINDS: Final = {"services": "Service", "organizations": "Organization", "taxonomies": "Taxonomy",
                     "taxonomy_terms": "TaxonomyTerm", "service_at_locations": "ServiceAtLocation"}
UNVARIED: Final = frozenset({"page", "per_page", "proximity"})  # (proximity goes with a postcode)


@dataclass(frozen=True)
class HttpCall:
    route: str  # as the OpenAPI document writes it: /hsds/services/{id}
    path: str
    params: dict[str, str]
    probe: Marker | None = None
    finds_nothing: str = ""  # why it may find nothing for the public: it asks for a private value


def _variants(parameter: str, fx: Loaded, *, probes: bool) -> list[tuple[dict[str, str], Marker | None, str]]:
    """(parameters, probe, why it must find nothing) for one query parameter of a list route."""
    by_id = {"organization_id": "Organization", "taxonomy_term_id": "TaxonomyTerm", "parent_id": "TaxonomyTerm",
             "taxonomy_id": "Taxonomy"}
    if parameter in by_id:
        return [({parameter: i}, None, "") for i in fx.ids[by_id[parameter]]]
    if parameter in ("full", "full_service", "minimal", "top_only"):
        return [({parameter: "true"}, None, ""), ({parameter: "true", "format": "ndjson"}, None, "")]
    if parameter == "format":
        return [({"format": "ndjson"}, None, "")]
    if parameter == "modified_after":
        return [({"modified_after": "2000-01-01T00:00:00Z"}, None, "")]
    if parameter == "search":
        found = [({"search": PUBLIC_WORD}, None, "")]
        return found + ([({"search": m.text}, m, f"it asks for {m}") for m in WORD_MARKERS] if probes else [])
    if parameter == "postcode":
        point = f"{SAFE_HOUSE_POINT[0]},{SAFE_HOUSE_POINT[1]}"
        return [({"postcode": MAIN_OFFICE["PhysicalPostalCode"]}, None, ""),
                ({"postcode": SAFE_HOUSE_POSTCODE}, None, "it asks for the confidential safe house's postcode"),
                ({"postcode": point, "proximity": "500"}, None, "only the confidential safe house is that near")]
    raise SweepError(f"the HSDS parameter {parameter!r}: teach the sweep what to pass")


def http_calls(openapi: dict[str, Any], fx: Loaded, *, probes: bool) -> tuple[list[HttpCall], list[HttpCall]]:
    """Every GET route of the OpenAPI document: (list and other routes with each filter, by-id routes
    with every id). By-id routes are called again after the NDJSON exports built the ready-made documents."""
    lists, by_id = [], []
    for path, operations in openapi["paths"].items():
        if "get" not in operations:
            continue
        parameters = operations["get"].get("parameters", [])
        if any(p["in"] == "path" for p in parameters):
            kind = path.rstrip("/").split("/")[-2]
            if kind not in HSDS_KINDS or [p["name"] for p in parameters if p["in"] == "path"] != ["id"]:
                raise SweepError(f"GET {path}: teach the sweep which ids to pass")
            for record_id in fx.ids[HSDS_KINDS[kind]]:
                url = path.replace("{id}", quote(record_id, safe=""))
                probe = fx.hidden.get(record_id)
                why = f"it asks for {probe}" if probe else ""
                by_id.append(HttpCall(path, url, {}, probe, why))
                by_id.extend(HttpCall(path, url, {p["name"]: "true"}, probe, why)
                             for p in parameters if p["in"] == "query")
            continue
        if path == GRAPHQL_PATH:  # GraphQL by GET (the page it serves browsers, GraphiQL, holds no data)
            lists.append(HttpCall(path, path, {"query": "{ serviceCount }"}))
            continue
        lists.append(HttpCall(path, path, {}))
        for parameter in (p["name"] for p in parameters if p["in"] == "query" and p["name"] not in UNVARIED):
            lists.extend(HttpCall(path, path, params, probe, why)
                         for params, probe, why in _variants(parameter, fx, probes=probes))
    # the unfiltered NDJSON exports last: they build the ready-made documents the by-id routes then read
    lists.sort(key=lambda call: call.params.get("format") == "ndjson")
    return lists, by_id


def _records_of(body: Any, content_type: str) -> list[str]:
    if "ndjson" in content_type:
        return [str(json.loads(line).get("id")) for line in str(body).splitlines() if line.strip()]
    return listed_ids(body) if isinstance(body, dict) else []


def sweep_http(sweep: Sweep, app: App, fx: Loaded, headers: dict[str, str], *, probes: bool) -> None:
    openapi = app.client.get("/openapi.json").json()
    sweep.meant.update(path for path, operations in openapi["paths"].items() if "get" in operations)
    try:
        lists, by_id = http_calls(openapi, fx, probes=probes)
    except SweepError as exc:
        sweep.problems.append(str(exc))
        return
    metrics = [call for call in lists if call.path == "/metrics"]  # last: it counts the sweep's requests
    lists = [call for call in lists if call.path != "/metrics"]
    for when, calls in (("", by_id), ("", lists), (" (from the ready-made documents)", by_id), ("", metrics)):
        for call in calls:
            response = app.client.get(call.path, params=call.params, headers=headers)
            query = "&".join(f"{k}={v}" for k, v in call.params.items())
            surface = f"HTTP ({sweep.role}) GET {call.path}{'?' if query else ''}{query}{when}"
            if response.status_code >= 500 or response.status_code in (400, 422):
                sweep.problems.append(f"{surface} answered {response.status_code}: {response.text[:300]}")
            content_type = response.headers.get("content-type", "")
            body: Any = response.text
            if content_type.startswith("application/json"):
                body, content_type = response.json(), "application/json"
            found = _records_of(body, content_type) if call.finds_nothing else []
            sweep.answers.append(Answer(surface, body, content_type, call.probe, call.finds_nothing, found))
            if response.status_code == 200:
                sweep.called.add(call.route)
            elif response.status_code in (401, 403):
                sweep.refused[call.route] = response.text


def sweep_exports(sweep: Sweep, fx: Loaded, root: Path, *, staff: bool) -> None:
    for fmt in FORMATS:
        folder = root / f"{sweep.role}-{fmt}"
        export_hsds(fx.db, folder, fmt=fmt, staff=staff)
        sweep.answers.extend(Answer(f"export ({sweep.role}, {fmt})", path) for path in sorted(folder.iterdir()))


def run_sweep(role: str, app: App, fx: Loaded, root: Path) -> Sweep:
    staff = role == "staff"
    headers = app.staff_headers if staff else {}
    sweep = Sweep(role)
    sweep_graphql(sweep, app, fx, headers, probes=not staff)
    sweep_http(sweep, app, fx, headers, probes=not staff)
    sweep_exports(sweep, fx, root, staff=staff)
    return sweep


@pytest.fixture(scope="module")
def public(app: App, loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    return run_sweep("public", app, loaded, tmp_path_factory.mktemp("sweep-public-exports"))


@pytest.fixture(scope="module")
def staff(app: App, loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    return run_sweep("staff", app, loaded, tmp_path_factory.mktemp("sweep-staff-exports"))


def _field(leak: Leak) -> str:
    """What showed a marker, for the fix: the object and field (`schedules.description`), a file's column."""
    if leak.path.startswith("row "):
        return f"{leak.surface.rsplit(' ', 1)[-1]} column {leak.path.split('column ', 1)[-1]}"
    return ".".join(re.findall(r"[A-Za-z_]+", re.sub(r"^line \d+", "", leak.path))[-2:])


def _report(leaks: list[Leak]) -> str:
    """Which marker showed, in which fields, with one request (or file) and path for each."""
    by_marker: dict[str, dict[str, Leak]] = {}
    for leak in leaks:
        by_marker.setdefault(str(leak.marker), {}).setdefault(_field(leak), leak)
    lines = [f"{len(leaks)} private value(s) shown to the public, {len(by_marker)} marker(s):"]
    for marker, fields in sorted(by_marker.items()):
        lines.append(f"- {marker} shown as {', '.join(sorted(fields))}; e.g.:")
        lines.extend(f"    {leak.surface} at {leak.path}: …{leak.excerpt}…" for _, leak in sorted(fields.items()))
    return "\n".join(lines)


# ---------------------------------------------------------------- the tests


def test_the_fixture_sets_every_privacy_flag_the_loader_knows_on_values_each_with_its_own_marker() -> None:
    rows = export_rows()
    assert {column_key(p.flag) for p in PRIVATE if p.flag not in ("", EXCLUDED)} == c.KNOWN_FLAGS
    for flag in (*PRIVACY_FLAGS, EXCLUDED):
        assert sorted(row["ResourceAgencyNum"] for row in rows if row.get(flag) == YES) == sorted(
            p.record for p in PRIVATE if p.flag == flag), flag
    for private in PRIVATE:
        cells = [(row["ResourceAgencyNum"], column) for row in rows for column, value in row.items()
                 if private.marker.casefold() in value.casefold()]
        assert cells and all(number == private.record and column in private.values for number, column in cells), \
            (private.marker, cells)
        for number in private.numbers:
            assert [r["ResourceAgencyNum"] for r in rows for v in r.values() if number in v] == [private.record]


def test_no_private_value_reaches_the_public_through_graphql(public: Sweep, loaded: Loaded) -> None:
    leaks = [leak for leak in public.leaks(loaded.markers()) if leak.surface.startswith("GraphQL")]
    assert not leaks, _report(leaks)


def test_no_private_value_reaches_the_public_through_the_hsds_api_or_another_get_route(
        public: Sweep, loaded: Loaded) -> None:
    leaks = [leak for leak in public.leaks(loaded.markers()) if not leak.surface.startswith(("GraphQL", "export"))]
    assert not leaks, _report(leaks)


def test_no_private_value_reaches_a_public_hsds_export(public: Sweep, loaded: Loaded) -> None:
    leaks = [leak for leak in public.leaks(loaded.markers()) if leak.surface.startswith("export")]
    assert not leaks, _report(leaks)


def test_a_public_search_finds_no_record_by_a_private_value(public: Sweep) -> None:
    found = [f"{a.surface} found {a.found}, though {a.finds_nothing}" for a in public.answers
             if a.finds_nothing and a.found]
    assert not found, "the public found records by private values:\n" + "\n".join(found)


def test_the_age_read_from_a_private_eligibility_text_is_not_shown_to_the_public(
        public: Sweep, loaded: Loaded) -> None:
    service = loaded.id_of("Service", PRIVATE_ELIGIBILITY_RECORD)
    answers = [a for a in public.answers if not isinstance(a.body, str | Path)]
    shown = [f"{a.surface} at {path}: {key} = {value}"
             for a in answers for path, obj in objects_with_id(a.body, service)
             for key, value in obj.items() if key in ("minimumAge", "minimum_age") and value is not None]
    said = [f"{a.surface} at {path}: {edge['eligibility']}"  # "for ages 18 and over"
            for a in answers for path, edge in edges_of(a.body, service)
            if re.search(r"(?<!\d)18(?!\d)", json.dumps(edge.get("eligibility")))]
    assert not shown + said, "\n".join(shown + said)
    assert any(edges_of(a.body, service) for a in answers), "no search answered with the service: the check saw nothing"


def test_the_public_is_refused_every_field_of_a_higher_role_without_a_private_value(
        public: Sweep, loaded: Loaded) -> None:
    refused = {name: message for name, message in public.refused.items() if not name.startswith("/")}
    assert refused, "no GraphQL field refused the public: the sweep did not reach the planner fields"
    assert all("requires the" in message for message in refused.values()), refused
    leaks = [leak for leak in public.leaks(loaded.markers()) if leak.surface.endswith(": error")]
    assert not leaks, _report(leaks)


def test_the_sweep_makes_every_request_it_means_to(public: Sweep, staff: Sweep) -> None:
    assert not public.problems, "\n".join(public.problems)
    assert not staff.problems, "\n".join(staff.problems)


def test_the_sweep_calls_every_query_field_and_every_get_route(public: Sweep, staff: Sweep, app: App) -> None:
    for sweep in (public, staff):
        assert len(sweep.meant) > 20, sweep.meant  # (introspection and the OpenAPI document were read)
        assert sweep.meant <= sweep.called | set(sweep.refused), sweep.meant - sweep.called - set(sweep.refused)
    searches = [a for a in public.answers if f'"{PUBLIC_WORD}"' in a.surface or f"={PUBLIC_WORD}" in a.surface]
    assert any(record_ids(a.body) for a in searches if "services" in a.surface), "a public word found nothing"
    # the by-id routes were asked again once the NDJSON exports had built the ready-made documents
    assert [path for path in app.snapshots.rglob("*") if path.is_file()], "no ready-made HSDS documents were built"


def test_staff_see_every_private_value_the_loader_reads_so_the_sweep_can_find_them(
        staff: Sweep, loaded: Loaded) -> None:
    seen = {leak.marker.text for leak in staff.leaks(loaded.markers(loaded_only=True))}
    missing = [str(m) for m in loaded.markers(loaded_only=True) if m.text not in seen]
    assert not missing, "the staff sweep never shows:\n" + "\n".join(missing)
    asked = [a for a in staff.answers if a.finds_nothing]  # what the public may not find, staff find
    assert asked and all(a.found for a in asked), [(a.surface, a.found) for a in asked]
