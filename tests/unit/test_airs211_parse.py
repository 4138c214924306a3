"""211 export parser rules (iCarol/AIRS-style wide CSV), each on a small export written in tmp_path."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.schema.model import NON_NEED_LINK_TYPES
from loaders.airs211 import Parse211Result, parse_211
from loaders.load import Parsed
from loaders.plan import GraphPlan

NS = "test-211"
AGENCY = {
    "ResourceAgencyNum": "100", "PublicName": "Food Org", "TaxonomyLevelName": "Agency", "ParentAgencyNum": "0",
    "AgencyDescription": "Feeds people", "EmailAddressMain": "info@food.org", "WebsiteAddress": "www.food.org",
    "PhysicalAddress1": "1 Main St, NW", "PhysicalCity": "Washington", "PhysicalStateProvince": "DC",
    "PhysicalPostalCode": "20001", "Latitude": "38.9", "Longitude": "-77.0", "LastVerifiedOn": "12/6/11 0:00",
    "Phone1Number": "(202) 555-0100", "Phone1Name": "Main Number", "IRSStatus": "501(c)(3)",
    "HoursOfOperation": "9:00 am - 5:00 pm, Monday - Friday",
}
PROGRAM = {
    "ResourceAgencyNum": "200", "PublicName": "Pantry", "TaxonomyLevelName": "Program", "ParentAgencyNum": "100",
    "AgencyDescription": "Food boxes", "Eligibility": "Age 60 or over; DC residents",
    "PhysicalAddress1": "1 Main St NW", "PhysicalCity": "Washington", "PhysicalPostalCode": "20001",
    "Latitude": "38.91", "Longitude": "-77.01", "HoursOfOperation": "Mon-Fri 9am-5pm",
    "CoverageArea": "District of Columbia", "LanguagesOffered": "English; Spanish",
    "TaxonomyCodes": "BD-1800.2000; PH-0300.0350 * YF-5000", "TaxonomyTerm": "Food Pantries; Outreach * Families",
    "TaxonomyTerms": "Basic Needs - Food - Emergency Food - Food Pantries; Outreach * Families",
    "LastVerifiedOn": "2012-05-08", "AgencyStatus": "Active", "FeeStructureSource": "No fee",
}
ORG, SVC = f"{NS}:organization:100", f"{NS}:service:200"


# --- helpers ---------------------------------------------------------------------------------------------

def csv_text(rows: Sequence[dict[str, str]], columns: Sequence[str] | None = None) -> str:
    header = list(columns) if columns is not None else list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row.get(column, "") for column in header] for row in rows])
    return out.getvalue()


def export(tmp_path: Path, rows: Sequence[dict[str, str]], *, columns: Sequence[str] | None = None,
           encoding: str = "utf-8", newline: str = "\n", name: str = "211.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(csv_text(rows, columns).replace("\n", newline).encode(encoding))
    return path


def parse(path: Path, namespace: str = NS) -> Parse211Result:
    return parse_211(path, namespace=namespace)


def errors(result: Parse211Result) -> list[str]:
    return [str(p) for p in result.report.errors]


def warnings(result: Parse211Result) -> list[str]:
    return [str(p) for p in result.report.warnings]


def props(plan: GraphPlan, label: str, node_id: str) -> dict[str, Any]:
    return dict(plan.nodes[label][node_id]["props"])


def links(plan: GraphPlan, rel_type: str) -> set[tuple[str, str]]:
    return {(r["from"], r["to"]) for (_, t, _), rows in plan.relationships.items() if t == rel_type
            for r in rows.values()}


def rel_props(plan: GraphPlan, rel_type: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["from"], r["to"]): r["props"] for (_, t, _), rows in plan.relationships.items() if t == rel_type
            for r in rows.values()}


def comparable(plan: GraphPlan) -> tuple[dict[str, Any], dict[Any, Any]]:
    return ({label: dict(rows) for label, rows in plan.nodes.items() if rows},
            {key: dict(rows) for key, rows in plan.relationships.items() if rows})


# --- records and how they join ---------------------------------------------------------------------------

def test_an_agency_is_an_organization_providing_its_programs_as_services(tmp_path: Path) -> None:
    result = parse(export(tmp_path, [AGENCY, PROGRAM]))
    assert errors(result) == [] and warnings(result) == []
    plan = result.plan
    assert props(plan, "Organization", ORG) == {
        "name": "Food Org", "description": "Feeds people", "email": "info@food.org", "website": "http://www.food.org",
        "taxStatus": "501(c)(3)", "lastVerified": "2011-12-06"}
    service = props(plan, "Service", SVC)
    assert service["name"] == "Pantry" and service["status"] == "active" and service["assuredDate"] == "2012-05-08"
    assert service["feesDescription"] == "No fee"
    assert links(plan, "PROVIDES") == {(ORG, SVC)}
    assert (result.format, result.records, result.encoding) == ("211-csv", 2, "utf-8")
    parsed: Parsed = result  # the result is what load_parsed takes
    assert parsed.plan is plan


def test_a_program_at_its_agencys_street_address_is_delivered_at_the_agencys_location(tmp_path: Path) -> None:
    elsewhere = {**PROGRAM, "ResourceAgencyNum": "201", "PublicName": "Mobile Pantry",
                 "PhysicalAddress1": "9 Elm St", "Latitude": "38.95", "Longitude": "-77.05"}
    plan = parse(export(tmp_path, [AGENCY, PROGRAM, elsewhere])).plan
    shared, own = f"{NS}:location:100", f"{NS}:location:201"
    assert set(plan.nodes["Location"]) == {shared, own}
    # one building (the street address matches though the points differ a little): the agency's point
    assert props(plan, "Location", shared) == {"name": "Food Org", "locationType": "physical", "latitude": 38.9,
                                               "longitude": -77.0}
    assert props(plan, "Location", own)["name"] == "Mobile Pantry"
    assert links(plan, "HAS_LOCATION") == {(ORG, shared), (ORG, own)}
    assert links(plan, "DELIVERED_AT") == {(SVC, f"{NS}:service-at-location:200"),
                                           (f"{NS}:service:201", f"{NS}:service-at-location:201")}
    assert links(plan, "AT") == {(f"{NS}:service-at-location:200", shared), (f"{NS}:service-at-location:201", own)}
    assert props(plan, "Address", f"{NS}:address:100:physical") == {
        "address1": "1 Main St, NW", "city": "Washington", "stateProvince": "DC", "postalCode": "20001",
        "addressType": "physical"}
    assert links(plan, "HAS_ADDRESS") == {(shared, f"{NS}:address:100:physical"),
                                          (own, f"{NS}:address:201:physical")}


def test_a_site_is_a_location_and_a_program_at_site_a_service_at_that_location(tmp_path: Path) -> None:
    site = {"ResourceAgencyNum": "300", "PublicName": "East Office", "TaxonomyLevelName": "Site",
            "ParentAgencyNum": "100", "PhysicalAddress1": "5 East Rd", "Latitude": "38.8", "Longitude": "-76.9",
            "Phone1Number": "202-555-0300", "HoursOfOperation": "Sat 10-2"}
    program = {k: v for k, v in PROGRAM.items() if not k.startswith(("Physical", "Lat", "Long"))}
    at_site = {"ResourceAgencyNum": "400", "PublicName": "Pantry at East Office", "TaxonomyLevelName": "ProgramAtSite",
               "ParentAgencyNum": "100", "ConnectsToProgramNum": "200", "ConnectsToSiteNum": "300",
               "HoursOfOperation": "Tuesday 1-4pm", "AgencyDescription": "Tuesdays only"}
    plan = parse(export(tmp_path, [AGENCY, program, site, at_site])).plan
    site_location, sal = f"{NS}:location:300", f"{NS}:service-at-location:400"
    assert props(plan, "Location", site_location) == {"name": "East Office", "locationType": "physical",
                                                      "latitude": 38.8, "longitude": -76.9}
    assert (ORG, site_location) in links(plan, "HAS_LOCATION")
    assert links(plan, "DELIVERED_AT") == {(SVC, sal)}  # the program has no address of its own
    assert links(plan, "AT") == {(sal, site_location)}
    assert props(plan, "ServiceAtLocation", sal) == {"description": "Tuesdays only"}
    assert (sal, f"{NS}:schedule:400:1") in links(plan, "HAS_SCHEDULE")
    assert (site_location, f"{NS}:schedule:300:1") in links(plan, "HAS_SCHEDULE")
    assert (site_location, f"{NS}:phone:300:1") in links(plan, "HAS_PHONE")


def test_an_agency_under_another_agency_is_its_child_and_an_unknown_parent_agency_is_a_warning(
    tmp_path: Path,
) -> None:
    child = {**AGENCY, "ResourceAgencyNum": "101", "PublicName": "Food Org East", "ParentAgencyNum": "100"}
    orphan = {**AGENCY, "ResourceAgencyNum": "102", "PublicName": "Lost Org", "ParentAgencyNum": "999"}
    result = parse(export(tmp_path, [AGENCY, child, orphan]))
    assert links(result.plan, "PARENT_OF") == {(ORG, f"{NS}:organization:101")}
    assert warnings(result) == [
        "211.csv:4:ParentAgencyNum: no Agency row with ResourceAgencyNum '999'; the parent link is left out"]
    assert f"{NS}:organization:102" in result.plan.nodes["Organization"]


def test_ids_carry_the_namespace_but_terms_and_languages_are_shared(tmp_path: Path) -> None:
    path = export(tmp_path, [AGENCY, PROGRAM])
    one, two = parse(path, "dc").plan, parse(path, "md").plan
    for label in ("Organization", "Service", "Location", "Phone", "Schedule", "ServiceArea"):
        assert set(one.nodes[label]).isdisjoint(two.nodes[label]), label
        assert all(node_id.startswith("dc:") for node_id in one.nodes[label])
    assert set(one.nodes["TaxonomyTerm"]) == set(two.nodes["TaxonomyTerm"])
    assert set(one.nodes["Language"]) == set(two.nodes["Language"]) == {"en", "es"}
    assert comparable(parse(path, "dc").plan) == comparable(one)  # the same export, the same ids
    with pytest.raises(ValueError, match="namespace"):
        parse(path, "dc:211")
    with pytest.raises(FileNotFoundError):
        parse(tmp_path / "missing.csv")


# --- the values of a record ------------------------------------------------------------------------------

def test_eligibility_is_kept_as_written_and_no_ages_are_read_from_it(tmp_path: Path) -> None:
    service = props(parse(export(tmp_path, [AGENCY, PROGRAM])).plan, "Service", SVC)
    assert service["eligibilityDescription"] == "Age 60 or over; DC residents"
    assert "minimumAge" not in service and "maximumAge" not in service and "derivedFields" not in service


def test_airs_codes_become_shared_terms_with_their_whole_chain_named_from_the_export(tmp_path: Path) -> None:
    plan = parse(export(tmp_path, [AGENCY, PROGRAM])).plan
    terms = {node_id: row["props"] for node_id, row in plan.nodes["TaxonomyTerm"].items()}
    assert terms["airs:BD-1800.2000"] == {"code": "BD-1800.2000", "name": "Food Pantries", "taxonomy": "airs"}
    # the path names the terms above, level by level
    assert [terms[f"airs:{c}"]["name"] for c in ("BD-1800", "BD", "B")] == ["Emergency Food", "Food", "Basic Needs"]
    assert terms["airs:PH-0300.0350"]["name"] == "Outreach" and terms["airs:YF-5000"]["name"] == "Families"
    assert terms["airs:PH"]["name"] == "PH"  # no row names it: the code itself
    assert ("airs:BD-1800.2000", "airs:BD-1800") in links(plan, "BROADER")
    assert ("airs:BD", "airs:B") in links(plan, "BROADER")
    assert props(plan, "Taxonomy", "airs") == {"name": "AIRS/211 Taxonomy"}
    assert len(links(plan, "IN_TAXONOMY")) == len(terms)
    tags = rel_props(plan, "TAGGED")
    assert tags[(SVC, "airs:BD-1800.2000")] == {"linkType": "need", "linkEntity": "service"}
    assert tags[(SVC, "airs:PH-0300.0350")]["linkType"] not in NON_NEED_LINK_TYPES
    assert tags[(SVC, "airs:YF-5000")]["linkType"] == "eligibility"  # a target population: who it is for
    assert set(tags) == {(SVC, "airs:BD-1800.2000"), (SVC, "airs:PH-0300.0350"), (SVC, "airs:YF-5000")}


def test_a_term_keeps_the_name_most_rows_give_it(tmp_path: Path) -> None:
    rows = [AGENCY, *({**PROGRAM, "ResourceAgencyNum": str(200 + i), "TaxonomyCodes": "BD-1800.2000",
                       "TaxonomyTerm": name, "TaxonomyTerms": name}
                      for i, name in enumerate(["Food Pantries", "Pantries", "Food Pantries"]))]
    plan = parse(export(tmp_path, rows)).plan
    assert plan.nodes["TaxonomyTerm"]["airs:BD-1800.2000"]["props"]["name"] == "Food Pantries"


def test_a_code_that_is_no_airs_code_is_a_warning_and_one_cut_off_at_255_characters_says_so(
    tmp_path: Path,
) -> None:
    long_list = "; ".join(["BD-1800.2000"] * 30)[:255]  # iCarol's cut: "…; BD-1800.2000; BD-"
    rows = [AGENCY, {**PROGRAM, "TaxonomyCodes": "BD-1800.2000; 12-34"},
            {**PROGRAM, "ResourceAgencyNum": "201", "TaxonomyCodes": long_list}]
    result = parse(export(tmp_path, rows))
    assert len(long_list) == 255
    assert "211.csv:3:TaxonomyCodes: '12-34' is not an AIRS/211 code; left out" in warnings(result)
    assert ("211.csv:4:TaxonomyCodes: 'BD-' is not an AIRS/211 code (the column holds 255 characters: the list "
            "looks cut off); left out") in warnings(result)
    assert (f"{NS}:service:201", "airs:BD-1800.2000") in links(result.plan, "TAGGED")


def test_coverage_areas_are_service_areas_by_name_split_where_the_text_is_a_list(tmp_path: Path) -> None:
    rows = [AGENCY, {**PROGRAM, "CoverageArea": "District of Columbia, Maryland, Virginia"},
            {**PROGRAM, "ResourceAgencyNum": "201", "CoverageArea": "Wards 6, 7 & 8"},
            {**PROGRAM, "ResourceAgencyNum": "202", "CoverageArea": "Washington, DC"},
            {**PROGRAM, "ResourceAgencyNum": "203", "CoverageArea": "District of Columbia (Ward 5 has priority)",
             "CoverageAreaText": "Ward 6"}]
    plan = parse(export(tmp_path, rows)).plan
    names = {node_id: row["props"]["name"] for node_id, row in plan.nodes["ServiceArea"].items()}
    assert names == {f"{NS}:service-area:district-of-columbia": "District of Columbia",
                     f"{NS}:service-area:maryland": "Maryland", f"{NS}:service-area:virginia": "Virginia",
                     f"{NS}:service-area:ward-6": "Ward 6", f"{NS}:service-area:ward-7": "Ward 7",
                     f"{NS}:service-area:ward-8": "Ward 8", f"{NS}:service-area:washington-dc": "Washington, DC"}
    served = links(plan, "SERVES_AREA")
    assert (SVC, f"{NS}:service-area:virginia") in served
    assert {a for s, a in served if s == f"{NS}:service:203"} == {
        f"{NS}:service-area:district-of-columbia", f"{NS}:service-area:ward-6"}
    assert len({a for s, a in served if a.endswith("district-of-columbia")}) == 1  # one node, many services


def test_languages_are_shared_nodes_by_iso_code_and_an_unknown_name_is_kept_with_a_warning(tmp_path: Path) -> None:
    rows = [AGENCY, {**PROGRAM, "LanguagesOffered": "English, Spanish (limited), American Sign Language, Fujinese"}]
    result = parse(export(tmp_path, rows))
    plan = result.plan
    assert {node_id: row["props"] for node_id, row in plan.nodes["Language"].items()} == {
        "en": {"code": "en", "name": "English"}, "es": {"code": "es", "name": "Spanish"},
        "ase": {"code": "ase", "name": "American Sign Language"}, "fujinese": {"name": "Fujinese"}}
    assert {lang for svc, lang in links(plan, "OFFERED_IN") if svc == SVC} == {"en", "es", "ase", "fujinese"}
    assert warnings(result) == ["211.csv:3:LanguagesOffered: 'Fujinese' is no language name the loader knows "
                                "(no ISO 639 code); kept by name"]
    # words beside the names are kept for people to read
    assert props(plan, "Service", SVC)["interpretationServices"] == (
        "English, Spanish (limited), American Sign Language, Fujinese")


def test_hours_become_schedules_with_the_text_kept_and_unreadable_hours_are_counted(tmp_path: Path) -> None:
    rows = [AGENCY, PROGRAM, {**PROGRAM, "ResourceAgencyNum": "201", "HoursOfOperation": "Please inquire"},
            {**PROGRAM, "ResourceAgencyNum": "202", "HoursOfOperation": "", "Hours": "Mon 9:00 am - 1:00 pm;"}]
    result = parse(export(tmp_path, rows))
    plan = result.plan
    assert props(plan, "Schedule", f"{NS}:schedule:200:1") == {
        "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opensAt": "09:00", "closesAt": "17:00",
        "description": "Mon-Fri 9am-5pm"}
    assert props(plan, "Schedule", f"{NS}:schedule:201:1") == {"description": "Please inquire"}
    assert props(plan, "Schedule", f"{NS}:schedule:202:1")["byday"] == "MO"  # the by-day column, where no text
    assert (SVC, f"{NS}:schedule:200:1") in links(plan, "HAS_SCHEDULE")
    # the agency's hours are its location's
    assert (f"{NS}:location:100", f"{NS}:schedule:100:1") in links(plan, "HAS_SCHEDULE")
    assert result.stats["hours texts"] == 4 and result.stats["hours kept as text only"] == 1
    assert errors(result) == [] and warnings(result) == []  # counted, not reported


def test_phones_keep_their_kind_description_and_extension(tmp_path: Path) -> None:
    program = {**PROGRAM, "Phone1Number": "202 745-7118 ext 260", "Phone1Name": "Intake Number",
               "Phone2Number": "(202) 555-0101", "Phone2Name": "TTY/TDD Number", "PhoneFax": "(202) 555-0102",
               "PhoneTollFree": "1-800-555-0103", "PhoneNumberHotline": "211"}
    plan = parse(export(tmp_path, [AGENCY, program])).plan
    phones = {node_id.rsplit(":", 1)[1]: row["props"] for node_id, row in plan.nodes["Phone"].items()
              if node_id.startswith(f"{NS}:phone:200:")}
    assert phones == {
        "1": {"number": "202 745-7118", "extension": "260", "description": "Intake Number", "type": "voice"},
        "2": {"number": "(202) 555-0101", "description": "TTY/TDD Number", "type": "textphone"},
        "fax": {"number": "(202) 555-0102", "type": "fax"},
        "tollfree": {"number": "1-800-555-0103", "description": "Toll free", "type": "voice"},
        "hotline": {"number": "211", "description": "Hotline", "type": "voice"},
    }
    assert {p for s, p in links(plan, "HAS_PHONE") if s == SVC} == {f"{NS}:phone:200:{k}" for k in phones}


def test_contacts_are_the_senior_worker_and_main_contact_with_their_phones(tmp_path: Path) -> None:
    agency = {**AGENCY, "SeniorWorkerName": "Ana Diaz", "SeniorWorkerTitle": "Executive Director",
              "SeniorWorkerEmailAddress": "ana@food.org", "MainContactName": "Bo Lee",
              "MainContactPhoneNumber": "202-555-0199"}
    plan = parse(export(tmp_path, [agency])).plan
    senior, main = f"{NS}:contact:100:seniorworker", f"{NS}:contact:100:maincontact"
    assert props(plan, "Contact", senior) == {"name": "Ana Diaz", "title": "Executive Director",
                                              "email": "ana@food.org"}
    assert props(plan, "Contact", main) == {"name": "Bo Lee"}
    assert links(plan, "HAS_CONTACT") == {(ORG, senior), (ORG, main)}
    assert links(plan, "HAS_PHONE") >= {(main, f"{NS}:phone:100:maincontact")}
    assert props(plan, "Phone", f"{NS}:phone:100:maincontact") == {"number": "202-555-0199", "type": "voice"}


def test_messy_web_and_email_values_are_cleaned_or_left_out_with_a_warning(tmp_path: Path) -> None:
    rows = [{**AGENCY, "WebsiteAddress": "HTTP:// www.food.org", "EmailAddressMain": "a@food.org; b@food.org"},
            {**PROGRAM, "WebsiteAddress": "no website", "EmailAddressMain": "call us", "LastVerifiedOn": "13/45/11"}]
    result = parse(export(tmp_path, rows))
    assert props(result.plan, "Organization", ORG)["website"] == "http://www.food.org"
    assert props(result.plan, "Organization", ORG)["email"] == "a@food.org"
    service = props(result.plan, "Service", SVC)
    assert "url" not in service and "email" not in service and "assuredDate" not in service
    assert warnings(result) == [
        "211.csv:2:EmailAddressMain: 2 addresses in one value; the first is kept",
        "211.csv:3:EmailAddressMain: 'call us' is not an e-mail address; left out",
        "211.csv:3:LastVerifiedOn: '13/45/11' is not a date (expected M/D/YYYY or YYYY-MM-DD); left out",
        "211.csv:3:WebsiteAddress: 'no website' is not a web address; left out",
    ]


# --- privacy ---------------------------------------------------------------------------------------------

def test_a_private_physical_address_makes_a_confidential_location_and_stays_apart_from_public_ones(
    tmp_path: Path,
) -> None:
    shelter = {**PROGRAM, "ResourceAgencyNum": "201", "PublicName": "Safe House",
               "PhysicalAddressIsPrivate": "Yes", "Phone1Number": "202-555-0111", "Phone1IsPrivate": "Yes",
               "Phone2Number": "202-555-0112", "Phone2IsPrivate": "No"}
    plan = parse(export(tmp_path, [AGENCY, PROGRAM, shelter])).plan
    hidden = f"{NS}:location:201"  # same street as the agency, but private: a place of its own
    assert props(plan, "Location", hidden)["staffOnly"] == ["address", "latitude", "longitude", "point"]
    assert "staffOnly" not in props(plan, "Location", f"{NS}:location:100")
    assert props(plan, "Address", f"{NS}:address:201:physical")["staffOnly"] == [
        "address1", "city", "postalCode"]
    assert props(plan, "Phone", f"{NS}:phone:201:1")["staffOnly"] == ["number", "type"]
    assert "staffOnly" not in props(plan, "Phone", f"{NS}:phone:201:2")
    assert "staffOnly" not in props(plan, "Service", f"{NS}:service:201")


def test_private_contacts_mailing_addresses_and_values_are_staff_only(tmp_path: Path) -> None:
    agency = {**AGENCY, "MainContactName": "Bo Lee", "MainContactPhoneNumber": "202-555-0199",
              "MainContactIsPrivate": "Yes", "MailingAddress1": "PO Box 7", "MailingCity": "Washington",
              "MailingAddressIsPrivate": "yes", "EmailAddressMainIsPrivate": "True"}
    plan = parse(export(tmp_path, [agency])).plan
    assert props(plan, "Contact", f"{NS}:contact:100:maincontact")["staffOnly"] == ["name"]
    assert props(plan, "Phone", f"{NS}:phone:100:maincontact")["staffOnly"] == ["number", "type"]
    assert props(plan, "Address", f"{NS}:address:100:postal") == {
        "address1": "PO Box 7", "city": "Washington", "addressType": "postal", "staffOnly": ["address1", "city"]}
    assert props(plan, "Organization", ORG)["staffOnly"] == ["email"]


def test_a_flag_that_is_neither_yes_nor_no_is_taken_as_private_and_an_unknown_flag_is_reported(
    tmp_path: Path,
) -> None:
    rows = [{**AGENCY, "Phone1IsPrivate": "maybe", "CustomFieldIsPrivate": "Yes"}]
    result = parse(export(tmp_path, rows))
    assert "staffOnly" in props(result.plan, "Phone", f"{NS}:phone:100:1")
    assert warnings(result) == [
        "211.csv:0:CustomFieldIsPrivate: a privacy flag the loader does not know: the values it flags are not "
        "marked staff-only; check before publishing",
        "211.csv:2:Phone1IsPrivate: 'maybe' is neither yes nor no; taken as private",
    ]


def test_a_record_excluded_from_the_website_is_kept_for_staff_only_as_a_whole(tmp_path: Path) -> None:
    hidden = {**PROGRAM, "ExcludeFromWebsite": "Yes", "Phone1Number": "202-555-0123",
              "SeniorWorkerName": "Ana Diaz"}
    result = parse(export(tmp_path, [AGENCY, hidden]))
    plan = result.plan
    service = props(plan, "Service", SVC)
    assert service["staffOnly"] == sorted(["*", *(k for k in service if k != "staffOnly")])  # "*": the whole record
    assert "name" in service["staffOnly"] and "eligibilityDescription" in service["staffOnly"]
    assert "number" in props(plan, "Phone", f"{NS}:phone:200:1")["staffOnly"]
    assert props(plan, "Contact", f"{NS}:contact:200:seniorworker")["staffOnly"] == ["name"]
    # its place is confidential, apart from the agency's public location at the same street
    location = next(loc for sal, loc in links(plan, "AT") if sal == f"{NS}:service-at-location:200")
    assert location != f"{NS}:location:100"
    assert "address" in props(plan, "Location", location)["staffOnly"]
    assert "staffOnly" not in props(plan, "Organization", ORG)
    assert result.stats["records kept for staff only (ExcludeFromWebsite)"] == 1


def test_an_agency_excluded_from_the_website_keeps_its_places_and_addresses_for_staff(tmp_path: Path) -> None:
    agency = {**AGENCY, "ExcludeFromWebsite": "Yes", "MailingAddress1": "PO Box 7", "MailingCity": "Washington"}
    plan = parse(export(tmp_path, [agency, PROGRAM])).plan
    assert "name" in props(plan, "Organization", ORG)["staffOnly"]
    assert "address" in props(plan, "Location", f"{NS}:location:100")["staffOnly"]
    assert props(plan, "Address", f"{NS}:address:100:postal")["staffOnly"] == ["address1", "city"]
    # its public program at the same street is a public place of its own
    program_place = next(loc for sal, loc in links(plan, "AT") if sal == f"{NS}:service-at-location:200")
    assert program_place == f"{NS}:location:200" and "staffOnly" not in props(plan, "Location", program_place)


def test_a_place_named_after_an_agency_kept_off_the_website_does_not_publish_the_agencys_name(
        tmp_path: Path) -> None:
    agency = {**AGENCY, "PublicName": "Casa Unit", "ExcludeFromWebsite": "Yes"}
    side = {"PhysicalAddress1": "9 Side St", "PhysicalCity": "Washington", "Latitude": "38.95", "Longitude": "-77.05"}
    programs = [{**PROGRAM, **side}, {**PROGRAM, **side, "ResourceAgencyNum": "201", "PublicName": "Meals"}]
    plan = parse(export(tmp_path, [agency, *programs])).plan
    shared = {loc for sal, loc in links(plan, "AT") if sal.endswith((":200", ":201"))}
    assert len(shared) == 1  # one place for both programs, named after their agency
    place = props(plan, "Location", shared.pop())
    assert place["name"] == "Casa Unit" and "name" in place["staffOnly"]
    assert "address" not in place["staffOnly"]  # the programs are public: so is where they are


def test_a_place_named_after_a_public_agency_keeps_its_name_public(tmp_path: Path) -> None:
    side = {"PhysicalAddress1": "9 Side St", "PhysicalCity": "Washington", "Latitude": "38.95", "Longitude": "-77.05"}
    programs = [{**PROGRAM, **side}, {**PROGRAM, **side, "ResourceAgencyNum": "201", "PublicName": "Meals"}]
    plan = parse(export(tmp_path, [AGENCY, *programs])).plan
    shared = {loc for sal, loc in links(plan, "AT") if sal.endswith((":200", ":201"))}
    assert "staffOnly" not in props(plan, "Location", shared.pop())


# --- exports differ --------------------------------------------------------------------------------------

def test_column_order_extra_columns_and_missing_optional_columns_do_not_change_the_plan(tmp_path: Path) -> None:
    rows = [AGENCY, PROGRAM]
    base = comparable(parse(export(tmp_path, rows, name="a.csv")).plan)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    shuffled = [*reversed(columns), "Custom_Facebook", "SearchHints"]
    assert comparable(parse(export(tmp_path, rows, columns=shuffled, name="b.csv")).plan) == base
    spaced = [{k.replace("Number", " Number").replace("Public", "public "): v for k, v in row.items()}
              for row in rows]
    assert comparable(parse(export(tmp_path, spaced, name="c.csv")).plan) == base
    minimal = [{k: row[k] for k in ("ResourceAgencyNum", "PublicName", "TaxonomyLevelName", "ParentAgencyNum")}
               for row in rows]
    result = parse(export(tmp_path, minimal, name="d.csv"))
    assert errors(result) == [] and links(result.plan, "PROVIDES") == {(ORG, SVC)}


@pytest.mark.parametrize(("encoding", "newline", "name"), [
    ("utf-8-sig", "\n", "bom.csv"), ("cp1252", "\r\n", "windows.csv"), ("utf-8", "\r", "cr-only.csv"),
    ("utf-16", "\r\n", "utf16.csv"),
])
def test_encodings_and_line_endings_of_real_exports_parse_identically(
    tmp_path: Path, encoding: str, newline: str, name: str,
) -> None:
    rows = [{**AGENCY, "PublicName": "Café Nuestra Señora", "AgencyDescription": "It’s open\nto all"},
            {**PROGRAM, "Eligibility": "Résidents – all ages"}]
    base = parse(export(tmp_path, rows, name="plain.csv"))
    other = parse(export(tmp_path, rows, encoding=encoding, newline=newline, name=name))
    assert errors(other) == [] and warnings(other) == []
    assert comparable(other.plan) == comparable(base.plan)
    assert props(other.plan, "Organization", ORG)["name"] == "Café Nuestra Señora"
    assert props(other.plan, "Organization", ORG)["description"] == "It’s open\nto all"
    assert props(other.plan, "Service", SVC)["eligibilityDescription"] == "Résidents – all ages"
    assert other.encoding == encoding


def test_a_utf8_file_with_a_stray_byte_is_refused_at_its_row_and_column(tmp_path: Path) -> None:
    path = export(tmp_path, [{**AGENCY, "PublicName": "Café"}, PROGRAM])
    data = path.read_bytes().replace(b"Food boxes", b"Food \xe9boxes")
    path.write_bytes(data)
    result = parse(path)
    assert errors(result) == ["211.csv:3:AgencyDescription: byte 0xE9 is not UTF-8, yet the file is UTF-8 "
                              "elsewhere (mixed encodings or a damaged file); save the whole file as UTF-8"]
    assert result.plan.node_count() == 0


# --- malformed exports -----------------------------------------------------------------------------------

def test_each_missing_required_column_is_one_error_naming_it(tmp_path: Path) -> None:
    rows = [{k: v for k, v in row.items() if k not in ("TaxonomyLevelName", "ParentAgencyNum")}
            for row in (AGENCY, PROGRAM)]
    result = parse(export(tmp_path, rows))
    assert errors(result) == ["211.csv:0:ParentAgencyNum: required column is missing",
                              "211.csv:0:TaxonomyLevelName: required column is missing"]
    assert result.plan.node_count() == 0 and result.records == 0


def test_an_unknown_record_level_is_an_error_at_its_row(tmp_path: Path) -> None:
    result = parse(export(tmp_path, [AGENCY, {**PROGRAM, "TaxonomyLevelName": "Service"},
                                     {**PROGRAM, "ResourceAgencyNum": "201", "TaxonomyLevelName": "program at site",
                                      "ConnectsToProgramNum": "", "ConnectsToSiteNum": ""}]))
    assert errors(result) == [
        "211.csv:3:TaxonomyLevelName: 'Service' is not a record level; expected Agency, Site, Program or "
        "ProgramAtSite",
        "211.csv:4:ConnectsToProgramNum: required for a ProgramAtSite row: the program it places",
        "211.csv:4:ConnectsToSiteNum: required for a ProgramAtSite row: the site it is at",
    ]


def test_a_program_whose_agency_is_not_in_the_file_is_an_error(tmp_path: Path) -> None:
    rows = [AGENCY, {**PROGRAM, "ParentAgencyNum": "999"},
            {**PROGRAM, "ResourceAgencyNum": "201", "ParentAgencyNum": "200"},
            {**PROGRAM, "ResourceAgencyNum": "202", "ParentAgencyNum": "0"},
            {"ResourceAgencyNum": "400", "PublicName": "X", "TaxonomyLevelName": "ProgramAtSite",
             "ParentAgencyNum": "100", "ConnectsToProgramNum": "202", "ConnectsToSiteNum": "100"}]
    result = parse(export(tmp_path, rows))
    assert errors(result) == [
        "211.csv:3:ParentAgencyNum: no Agency row with ResourceAgencyNum '999'",
        "211.csv:4:ParentAgencyNum: '200' is a Program row (row 3), not an Agency",
        "211.csv:5:ParentAgencyNum: required for a Program row: the agency it belongs to",
        "211.csv:6:ConnectsToSiteNum: '100' is an Agency row (row 2), not a Site",
    ]


def test_a_truncated_row_is_an_error_naming_where_it_ends_and_rows_naming_it_say_they_depend_on_it(
    tmp_path: Path,
) -> None:
    """The program of the unreadable agency cannot stand either: --skip-invalid would leave it out, so it says so
    (every record left out is in the rejects report, with why)."""
    columns = list(dict.fromkeys([*AGENCY, *PROGRAM]))
    text = csv_text([AGENCY, PROGRAM], columns)
    lines = text.splitlines()
    cut = lines[1].split(",")[:5]  # the agency row stops after its fifth field
    path = tmp_path / "211.csv"
    path.write_text("\n".join([lines[0], ",".join(cut), lines[2]]) + "\n", encoding="utf-8")
    result = parse(path)
    assert errors(result) == [f"211.csv:2:{columns[5]}: the row ends after 5 of the header's {len(columns)} "
                              "columns (a truncated row); fix or remove it",
                              "211.csv:3:ParentAgencyNum: its agency '100' is on a row that could not be read"]
    assert [p.record for p in result.report.errors] == [("record", "100"), ("Program", PROGRAM["ResourceAgencyNum"])]
    assert result.records == 2


def test_a_duplicate_number_and_a_missing_one_are_errors(tmp_path: Path) -> None:
    """Both rows of a repeated number are in error (which one is meant is unknown), each naming the other."""
    rows = [AGENCY, PROGRAM, {**PROGRAM, "PublicName": "Again"}, {**PROGRAM, "ResourceAgencyNum": ""}]
    result = parse(export(tmp_path, rows))
    assert errors(result) == [
        "211.csv:3:ResourceAgencyNum: ResourceAgencyNum '200' is also on row 4; each record needs its own",
        "211.csv:4:ResourceAgencyNum: ResourceAgencyNum '200' is also on row 3; each record needs its own",
        "211.csv:5:ResourceAgencyNum: required value is missing",
    ]
    # each names its record for --skip-invalid: the repeated number's rows are one record, the row without one its own
    assert [p.record for p in result.report.errors] == [("Program", "200"), ("Program", "200"), ("Program", "row 5")]


def test_bad_coordinates_are_warnings_and_the_place_keeps_its_address_without_a_point(tmp_path: Path) -> None:
    base = {k: v for k, v in PROGRAM.items() if k != "PhysicalAddress1"}
    rows = [AGENCY,
            {**base, "ResourceAgencyNum": "201", "PhysicalAddress1": "2 A St", "Latitude": "north"},
            {**base, "ResourceAgencyNum": "202", "PhysicalAddress1": "3 B St", "Longitude": "-277.0"},
            {**base, "ResourceAgencyNum": "203", "PhysicalAddress1": "4 C St", "Longitude": ""},
            {**base, "ResourceAgencyNum": "204", "Latitude": "0", "Longitude": "0"}]
    result = parse(export(tmp_path, rows))
    assert warnings(result) == [
        "211.csv:3:Latitude: 'north' is not a number; the place is kept without a point",
        "211.csv:4:Longitude: -277.0 is outside [-180, 180]; the place is kept without a point",
        "211.csv:5:Longitude: missing, though Latitude is given; the place is kept without a point",
        "211.csv:6:Latitude: 0, 0 is no place people go (an unset point); the place is kept without a point",
    ]
    location = props(result.plan, "Location", f"{NS}:location:201")
    assert "latitude" not in location and location["name"] == "Pantry"
    assert f"{NS}:location:204" not in result.plan.nodes["Location"]  # no address and no point: no place


def test_malformed_quoting_is_an_error_and_stops_the_read(tmp_path: Path) -> None:
    path = export(tmp_path, [AGENCY, PROGRAM])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Pantry", '"Pantry', 1)  # a quote that never closes
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = parse(path)
    assert [e.split(": malformed CSV")[0] for e in errors(result)] == ["211.csv:3:"]


def test_progress_is_reported_with_the_file_name_and_records_read(tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []
    parse_211(export(tmp_path, [AGENCY, PROGRAM]), namespace=NS, on_progress=lambda f, n: seen.append((f, n)))
    assert seen[-1] == ("211.csv", 2)


# --- invariants ------------------------------------------------------------------------------------------

def dangling(plan: GraphPlan) -> list[str]:
    """Relationship ends that are no node of the plan (the writer would drop such links silently)."""
    ids = {node_id for rows in plan.nodes.values() for node_id in rows}
    return [f"{t} {r['from']}>{r['to']}" for (_, t, _), rows in plan.relationships.items() for r in rows.values()
            if r["from"] not in ids or r["to"] not in ids]


def test_the_dc_export_parses_without_errors_into_a_plan_whose_links_all_land(shared_data: Path) -> None:
    result = parse_211(shared_data / "dc-211" / "211.csv", namespace="dc-211")
    assert errors(result) == []
    assert dangling(result.plan) == []
    assert len(warnings(result)) < 60  # messy values (no website, several e-mails) only; each one located
    assert all(re.match(r"^211\.csv:\d+:\w+: ", w) for w in warnings(result))
    assert result.stats["hours read in full"] > 0.9 * result.stats["hours texts"]


_CELLS = st.lists(st.sampled_from([*"abcXYZ019 ,;*-.:()/\"'é", "Yes", "No", "-1", "BD-1800", "Ward 6", "9am-5pm",
                                    "Mon-Fri", "Spanish", "100", "200", "0"]), max_size=8).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(sorted({*AGENCY, *PROGRAM, "ConnectsToProgramNum",
                                                       "ConnectsToSiteNum", "PhysicalAddressIsPrivate",
                                                       "ExcludeFromWebsite", "Phone2IsPrivate"})),
                                _CELLS, max_size=12), max_size=4))
def test_any_values_in_any_columns_parse_without_raising_into_links_that_land(
    tmp_path: Path, rows: list[dict[str, str]],
) -> None:
    levels = ["Agency", "Program", "Site", "ProgramAtSite"]
    full = [AGENCY, PROGRAM, *({**row, "TaxonomyLevelName": levels[i % 4],
                                "ResourceAgencyNum": row.get("ResourceAgencyNum") or f"9{i}"}
                               for i, row in enumerate(rows))]
    result = parse(export(tmp_path, full, name="fuzz.csv"))
    if not result.report.errors:
        assert dangling(result.plan) == []
