"""Parsing de-identified referral events into monthly aggregates: the personal-data guard first,
then every cell checked against a hand-built directory, then counts. Pure, no database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loaders.directory_lookup import Directory
from loaders.referrals import (
    FORMAT,
    ReferralsResult,
    flow_id,
    need_count_id,
    parse_month,
    parse_outcome,
    parse_referrals,
    personal_data_kind,
    personal_value_kind,
)
from loaders.report import Severity
from loaders.skipping import skip_invalid

NS = "referrals-test"
HEADER = "date,from_org,to_org_or_service,need_code,area_id,outcome\n"
DIRECTORY = Directory(
    organizations={
        "org-shelter": "Harbour Light Shelter Services",
        "org-food": "Lakeshore Food Bank",
        "org-health": "Westbrook Community Health Centre",
        "org-fam-1": "Family Services",
        "org-fam-2": "FAMILY SERVICES",
        "123456789": "Numbered Agency",  # a 9-digit id: known, so never taken for a SIN
    },
    services=frozenset({"svc-meals", "svc-beds"}),
    areas=frozenset({"ward-1", "ward-2", "K1A 0B1"}),  # an area id shaped like a postal code is known: fine
    need_terms=frozenset({"need-food", "FOOD", "need-housing", "HOUSING", "HOUSING.SHELTER"}),
)


def _parse(tmp_path: Path, body: str, *, header: str = HEADER, directory: Directory = DIRECTORY,
           namespace: str = NS) -> ReferralsResult:
    path = tmp_path / "referrals.csv"
    path.write_text(header + body, encoding="utf-8")
    return parse_referrals(path, namespace=namespace, directory=directory)


def _messages(result: ReferralsResult, severity: Severity = Severity.ERROR) -> list[str]:
    return [str(p) for p in result.report.problems if p.severity is severity]


def _flows(result: ReferralsResult) -> dict[tuple[str, str, str, str, str], int]:
    """(from org, recipient label, recipient, need, month) → count, read back from the plan."""
    nodes = result.plan.nodes.get("ReferralFlow", {})
    sent = {r["to"]: r["from"] for rels in [result.plan.relationships.get(("Organization", "SENT", "ReferralFlow"), {})]
            for r in rels.values()}
    out = {}
    for label in ("Organization", "Service"):
        for rel in result.plan.relationships.get(("ReferralFlow", "RECEIVED_BY", label), {}).values():
            props = nodes[rel["from"]]["props"]
            out[(sent[rel["from"]], label, rel["to"], props["need"], props["month"])] = props["count"]
    assert len(out) == len(nodes) == len(sent)
    return out


def _needs(result: ReferralsResult) -> dict[tuple[str, str, str, str], int]:
    """(area, need, month, outcome) → count, read back from the plan."""
    nodes = result.plan.nodes.get("NeedCount", {})
    out = {}
    for rel in result.plan.relationships.get(("NeedCount", "IN_AREA", "Area"), {}).values():
        props = nodes[rel["from"]]["props"]
        out[(rel["to"], props["need"], props["month"], props["outcome"])] = props["count"]
    assert len(out) == len(nodes)
    return out


# --- the personal-data guard: the header -------------------------------------------------------


@pytest.mark.parametrize("column", [
    "name", "first_name", "Last Name", "client_name", "clientName", "surname", "date_of_birth", "DOB", "birthdate",
    "address", "street", "home_address", "postal_code", "postcode", "latitude", "phone", "Phone Number", "mobile",
    "email", "e-mail", "ohip", "hcn", "health_card", "health_card_number", "sin", "ssn", "social_insurance_number",
    "client_id", "case_number", "patient", "passport",
])
def test_a_column_that_looks_like_personal_data_is_refused(column: str) -> None:
    assert personal_data_kind(column.lower()) is not None


@pytest.mark.parametrize("column", [
    "date", "from_org", "to_org_or_service", "need_code", "area_id", "outcome", "org_name", "agency_name",
    "service_name", "agency_phone", "site_address", "age_band", "referral_id", "program", "month", "count",
])
def test_columns_about_organizations_places_and_needs_are_not_taken_for_personal_data(column: str) -> None:
    assert personal_data_kind(column) is None


def test_a_file_with_personal_columns_is_refused_on_its_header_before_any_row_is_read(tmp_path: Path) -> None:
    header = "date,client_name,from_org,to_org_or_service,need_code,area_id,outcome,DOB\n"
    # the rows are rubbish: had they been read, they would be reported too
    result = _parse(tmp_path, "not a date,Jane Doe,nobody\n" * 3, header=header)
    assert result.records == 0
    assert result.plan.node_count() == 0
    assert [p.field for p in result.report.errors] == ["client_name", "dob"]
    assert all(p.row == 1 for p in result.report.problems)
    assert _messages(result)[0] == (
        "referrals.csv:1:client_name: the column looks like personal data (a person's name), so the file was not "
        "read: this loader takes de-identified events only. Drop the column from the export (or aggregate the "
        "events to counts before sharing them) and load the file again"
    )
    assert "Jane" not in str(result.report.problems)


# --- the personal-data guard: the values -------------------------------------------------------


@pytest.mark.parametrize(("value", "kind"), [
    ("jane.doe@example.com", "an email address"),
    ("416-555-1234", "a phone or health-card number"),
    ("(416) 555-1234", "a phone or health-card number"),
    ("+1 416 555 1234", "a phone or health-card number"),
    ("4165551234", "a phone or health-card number"),
    ("1234-567-890", "a health-card number"),
    ("1234567890AB", "a health-card number"),
    ("123 456 789", "a SIN or SSN"),
    ("123-45-6789", "a SIN or SSN"),
    ("M5V 2T6", "a full postal code"),
    ("call 416.555.1234 after 5", "a phone or health-card number"),
])
def test_values_that_look_like_personal_data_are_recognised(value: str, kind: str) -> None:
    assert personal_value_kind(value) == kind


@pytest.mark.parametrize("value", [
    "2024-03-15", "2024-03-15T09:30:00-05:00", "014378ff-80d0-44b2-9d41-7ead8930fbcd", "ab4165551234", "ward-10",
    "BD-1800.2000-250", "unmet:waitlist", "FOOD.BANK", "K1A", "12345",
])
def test_ids_dates_and_codes_are_not_taken_for_personal_values(value: str) -> None:
    assert personal_value_kind(value) is None


@pytest.mark.parametrize(("column", "value"), [
    ("from_org", "jane.doe@example.com"), ("to_org_or_service", "416-555-1234"), ("need_code", "123 456 789"),
    ("area_id", "M5V 2T6"), ("outcome", "unmet:4165551234"), ("date", "1234-567-890 AB"),
])
def test_a_personal_value_is_an_error_at_its_row_and_column_that_never_repeats_it(
    tmp_path: Path, column: str, value: str,
) -> None:
    cells = {"date": "2024-03-15", "from_org": "org-food", "to_org_or_service": "org-shelter",
             "need_code": "FOOD", "area_id": "ward-1", "outcome": "referred"}
    cells[column] = value
    good = "2024-03-16,org-food,org-shelter,FOOD,ward-1,referred\n"
    result = _parse(tmp_path, good + ",".join(cells.values()) + "\n")
    (problem,) = result.report.problems  # one error: nothing else is said about that row
    assert (problem.row, problem.field) == (3, column)
    assert problem.message.startswith("the value looks like ")
    assert "(not repeated here); referral files must be de-identified" in problem.message
    assert value not in str(result.report.problems)
    for part in re.findall(r"\d{3,}|[A-Za-z]{4,}@", value):
        assert part not in str(problem)


def test_personal_values_in_a_column_that_is_dropped_still_refuse_the_file(tmp_path: Path) -> None:
    result = _parse(tmp_path, "2024-03-15,org-food,org-shelter,FOOD,ward-1,referred,call jane@example.org\n",
                    header=HEADER.strip() + ",notes\n")
    assert _messages(result) == [
        "referrals.csv:2:notes: the value looks like an email address (not repeated here); referral files must be "
        "de-identified: remove personal data from the export and load the file again",
    ]
    assert _messages(result, Severity.WARNING) == [
        "referrals.csv:1:notes: not a column of this format; dropped (never stored); remove it from the export",
    ]
    assert "jane" not in str(result.report.problems)


def test_ids_and_names_the_graph_holds_are_not_scanned_for_personal_values(tmp_path: Path) -> None:
    result = _parse(tmp_path, "2024-03-15,123456789,org-shelter,FOOD,K1A 0B1,referred\n")
    assert _messages(result) == []
    assert _flows(result) == {("123456789", "Organization", "org-shelter", "FOOD", "2024-03"): 1}
    assert _needs(result) == {("K1A 0B1", "FOOD", "2024-03", "referred"): 1}


# --- aggregation -------------------------------------------------------------------------------


def test_events_become_counts_per_flow_and_month_and_per_area_need_month_and_outcome(tmp_path: Path) -> None:
    result = _parse(tmp_path, (
        "2024-03-01,org-food,org-shelter,HOUSING,ward-1,referred\n"
        "2024-03-31T23:59:00,Lakeshore Food Bank,org-shelter,HOUSING,ward-1,referred\n"
        "2024-03-15,org-food,svc-beds,HOUSING,ward-2,unmet:waitlist\n"
        "2024-04-02,org-food,org-shelter,HOUSING,ward-1,referred\n"
        "2024-03-10,org-health,svc-meals,need-food,ward-1,referred\n"
        "2024-03-11,org-health,Lakeshore  food bank,need-food,ward-1,Referred\n"
        "2024-03-12,org-health,,need-food,ward-1,unmet:no-service\n"
        "2024-03-13,org-health,,need-food,ward-1,Unmet: No Service\n"
    ))
    assert _messages(result) == [] and _messages(result, Severity.WARNING) == []
    assert result.records == 8 and result.format == FORMAT == "referral-aggregates"
    assert _flows(result) == {
        ("org-food", "Organization", "org-shelter", "HOUSING", "2024-03"): 2,
        ("org-food", "Service", "svc-beds", "HOUSING", "2024-03"): 1,  # unmet, but the referral was made
        ("org-food", "Organization", "org-shelter", "HOUSING", "2024-04"): 1,
        ("org-health", "Service", "svc-meals", "need-food", "2024-03"): 1,
        ("org-health", "Organization", "org-food", "need-food", "2024-03"): 1,
    }
    assert _needs(result) == {
        ("ward-1", "HOUSING", "2024-03", "referred"): 2,
        ("ward-2", "HOUSING", "2024-03", "unmet:waitlist"): 1,
        ("ward-1", "HOUSING", "2024-04", "referred"): 1,
        ("ward-1", "need-food", "2024-03", "referred"): 2,
        ("ward-1", "need-food", "2024-03", "unmet:no-service"): 2,
    }
    assert sum(_needs(result).values()) == result.records


def test_aggregate_ids_come_from_namespace_and_key_so_a_reload_sets_the_same_nodes(tmp_path: Path) -> None:
    body = "2024-03-01,org-food,org-shelter,HOUSING,ward-1,referred\n"
    first, again = _parse(tmp_path, body), _parse(tmp_path, body)
    other = _parse(tmp_path, body, namespace="elsewhere")
    flow = flow_id(NS, ("org-food", "Organization", "org-shelter", "HOUSING", "2024-03"))
    need = need_count_id(NS, ("ward-1", "HOUSING", "2024-03", "referred"))
    assert flow.startswith(f"{NS}:flow:") and need.startswith(f"{NS}:needcount:")
    assert set(first.plan.nodes["ReferralFlow"]) == {flow} and set(first.plan.nodes["NeedCount"]) == {need}
    assert first.plan.nodes == again.plan.nodes and first.plan.relationships == again.plan.relationships
    assert not set(other.plan.nodes["ReferralFlow"]) & {flow}
    ids = {rel["id"] for rels in first.plan.relationships.values() for rel in rels.values()}
    assert ids == {f"{flow}:sent", f"{flow}:received", f"{need}:area"}


def _values(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _values(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _values(item)
    else:
        yield value


def test_no_plan_property_holds_a_date_finer_than_a_month_or_anything_of_a_raw_row(tmp_path: Path) -> None:
    rows = [
        "2024-03-01T08:15:00,org-food,org-shelter,HOUSING,ward-1,referred,ref-0001",
        "2024-03-17,org-health,svc-meals,need-food,ward-2,unmet:waitlist,ref-0002",
    ]
    result = _parse(tmp_path, "\n".join(rows) + "\n", header=HEADER.strip() + ",referral_id\n")
    assert not result.report.errors
    assert set(vars(result)) == {"plan", "report", "format", "records"}  # nothing else is kept
    assert set(result.plan.nodes) == {"ReferralFlow", "NeedCount"}
    values = [str(v) for v in _values(result.plan.nodes) if v is not None]
    values += [str(v) for v in _values(result.plan.relationships) if v is not None]
    assert values
    assert not [v for v in values if re.search(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}", v)]
    assert {v for v in values if re.fullmatch(r"\d{4}-\d{2}", v)} == {"2024-03"}
    assert not [v for v in values if "ref-000" in v or "," in v]
    assert not [v for v in values if v in {"08:15:00", "2024-03-17", "2024-03-01T08:15:00"}]


# --- cells -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "month"), [
    ("2024-03-15", "2024-03"), ("2024-03", "2024-03"), ("2024-03-15T09:30:00-05:00", "2024-03"),
    ("2024-03-15 09:30", "2024-03"), ("2024-02-30", None), ("2024-3-15", None), ("15/03/2024", None),
    ("2024", None), ("2024-03-15Tlunch", None), ("", None),
])
def test_a_date_is_reduced_to_its_month(text: str, month: str | None) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize(("text", "outcome"), [
    ("referred", "referred"), (" Referred ", "referred"), ("unmet:waitlist", "unmet:waitlist"),
    ("Unmet: Wait list", "unmet:wait-list"), ("unmet:not_eligible", "unmet:not-eligible"), ("unmet:", None),
    ("unmet", None), ("met", None), ("unmet:" + "x" * 41, None), ("unmet:too!", None),
])
def test_an_outcome_is_referred_or_unmet_with_a_short_reason_code(text: str, outcome: str | None) -> None:
    assert parse_outcome(text) == outcome


def test_every_bad_cell_is_an_error_at_its_row_and_column_without_its_value(tmp_path: Path) -> None:
    result = _parse(tmp_path, (
        "March 3rd,org-food,org-shelter,HOUSING,ward-1,referred\n"
        "2024-03-01,Lakeshore Fod Bank,org-shelter,HOUSING,ward-1,referred\n"
        "2024-03-01,Family Services,org-shelter,HOUSING,ward-1,referred\n"
        "2024-03-01,org-food,Nowhere Shelter,HOUSING,ward-1,referred\n"
        "2024-03-01,org-food,,HOUSING,ward-1,referred\n"
        "2024-03-01,org-food,org-shelter,HOUSNG,ward-1,referred\n"
        "2024-03-01,org-food,org-shelter,HOUSING,ward-9,referred\n"
        "2024-03-01,org-food,org-shelter,HOUSING,ward-1,maybe\n"
        "2024-03-01,,org-shelter,,,\n"
    ))
    assert _messages(result) == [
        "referrals.csv:2:date: not an ISO date; give YYYY-MM-DD (only its month is kept)",
        "referrals.csv:3:from_org: no organization in the graph has this id or name; nearest names: "
        "'Lakeshore Food Bank' (id org-food); correct the name or give the organization's id",
        "referrals.csv:4:from_org: this is the name of 2 organizations (ids org-fam-1, org-fam-2); give the id of "
        "the one meant instead of the name",
        "referrals.csv:5:to_org_or_service: no organization in the graph has this id or name, and no service this "
        "id; correct the name or give the organization's or service's id",
        "referrals.csv:6:to_org_or_service: empty, but the outcome is 'referred'; name the organization or service "
        "the referral went to",
        "referrals.csv:7:need_code: not a taxonomy code or term id the graph knows; nearest: HOUSING",
        "referrals.csv:8:area_id: not the id of an Area in the graph",
        "referrals.csv:9:outcome: give 'referred' or 'unmet:' and a short reason code of letters, digits and "
        "dashes (at most 40), e.g. unmet:waitlist",
        "referrals.csv:10:area_id: empty; give the id of the planning area the need arose in",
        "referrals.csv:10:from_org: empty; give the organization's id or exact name",
        "referrals.csv:10:need_code: empty; give the need's taxonomy code or term id",
        "referrals.csv:10:outcome: give 'referred' or 'unmet:' and a short reason code of letters, digits and "
        "dashes (at most 40), e.g. unmet:waitlist",
    ]
    for secret in ("March 3rd", "Fod", "Nowhere", "HOUSNG", "ward-9", "maybe"):
        assert secret not in str(result.report.problems)
    assert result.plan.node_count() == 0  # a file with errors yields no counts at all


def test_without_taxonomy_terms_need_codes_are_kept_unchecked_with_one_warning(tmp_path: Path) -> None:
    directory = Directory(DIRECTORY.organizations, DIRECTORY.services, DIRECTORY.areas)
    result = _parse(tmp_path, "2024-03-01,org-food,org-shelter,ANY-CODE,ward-1,referred\n"
                              "2024-03-02,org-food,org-shelter,ANY-CODE,ward-1,referred\n", directory=directory)
    assert _messages(result) == []
    assert _messages(result, Severity.WARNING) == [
        "referrals.csv:0:need_code: the graph has no taxonomy terms, so need codes were not checked; load the "
        "taxonomy first to have them checked",
    ]
    assert _needs(result) == {("ward-1", "ANY-CODE", "2024-03", "referred"): 2}


def test_without_areas_in_the_graph_the_error_says_to_load_them_first(tmp_path: Path) -> None:
    directory = Directory(DIRECTORY.organizations, DIRECTORY.services, frozenset(), DIRECTORY.need_terms)
    result = _parse(tmp_path, "2024-03-01,org-food,org-shelter,FOOD,ward-1,referred\n", directory=directory)
    assert _messages(result) == [
        "referrals.csv:2:area_id: not the id of an Area in the graph (the graph has no areas yet: load the "
        "planning areas first)",
    ]


def test_an_id_that_is_both_an_organization_and_a_service_is_an_error(tmp_path: Path) -> None:
    directory = Directory({**DIRECTORY.organizations, "svc-beds": "Beds Inc"}, DIRECTORY.services, DIRECTORY.areas,
                          DIRECTORY.need_terms)
    result = _parse(tmp_path, "2024-03-01,org-food,svc-beds,FOOD,ward-1,referred\n", directory=directory)
    assert _messages(result)[0].startswith("referrals.csv:2:to_org_or_service: this id is both an organization's "
                                           "and a service's")


def test_a_missing_column_is_an_error_and_no_row_is_counted(tmp_path: Path) -> None:
    result = _parse(tmp_path, "2024-03-01,org-food,org-shelter,FOOD,referred\n",
                    header="date,from_org,to_org_or_service,need_code,outcome\n")
    assert _messages(result) == [
        "referrals.csv:1:area_id: missing required column; the header must have date, from_org, "
        "to_org_or_service, need_code, area_id, outcome",
    ]
    assert result.records == 0 and result.plan.node_count() == 0


def test_an_empty_namespace_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="namespace"):
        _parse(tmp_path, "", namespace="")


# --- --skip-invalid: each event row is a record; personal data is about the file ------------------------------

def test_with_skip_invalid_a_bad_event_is_a_record_counted_in_no_aggregate(tmp_path: Path) -> None:
    result = _parse(tmp_path, (
        "2024-03-15,org-food,org-shelter,FOOD,ward-1,referred\n"          # 2: counted
        "2024-03-16,org-food,org-shelter,FOOD,ward-1,referred\n"          # 3: counted
        "2024-03-17,org-food,org-shelter,FOOD,ward-9,referred\n"          # 4: unknown area: its flow is not counted
        "2024-03-18,Nobody At All,org-shelter,FOOD,ward-1,referred\n"     # 5: unknown sender: its need is not counted
        "2024-13-01,org-food,org-shelter,FOOD,ward-1,unmet:waitlist\n"    # 6: not a date
        "2024-03-19,org-food,org-shelter\n"                               # 7: too few cells
    ))
    assert {p.row: (p.record, p.node) for p in result.report.errors} == {
        row: (("referral event", f"row {row}"), None) for row in (4, 5, 6, 7)}
    skipped = skip_invalid(result.plan, result.report.errors)
    assert skipped.unattributed == [] and skipped.counts() == {"referral event": 4}
    assert _flows(result) == {("org-food", "Organization", "org-shelter", "FOOD", "2024-03"): 2}
    assert _needs(result) == {("ward-1", "FOOD", "2024-03", "referred"): 2}


def test_personal_data_names_no_record_so_a_skipping_load_stops_and_no_value_is_repeated(tmp_path: Path) -> None:
    good = "2024-03-15,org-food,org-shelter,FOOD,ward-1,referred\n"
    in_a_cell = _parse(tmp_path, good.strip() + ",\n"
                       + "2024-03-16,org-food,org-shelter,FOOD,ward-1,referred,jane.doe@example.com\n"
                       + "2024-03-17,org-food,org-shelter,FOOD,ward-9,referred,\n",
                       header=HEADER.strip() + ",notes\n")
    personal = [p for p in in_a_cell.report.errors if p.field == "notes"]
    assert [p.row for p in personal] == [3] and personal[0].record is None
    assert [p.record for p in in_a_cell.report.errors if p.field != "notes"] == [("referral event", "row 4")]
    skipped = skip_invalid(in_a_cell.plan, in_a_cell.report.errors)
    assert skipped.unattributed == personal  # the whole load stops on it, with --skip-invalid too
    assert "jane" not in str(in_a_cell.report.problems) + repr(in_a_cell.report.problems)

    in_the_header = _parse(tmp_path, good.strip() + ",Jane Doe\n", header=HEADER.strip() + ",client_name\n")
    assert [(p.row, p.field, p.record) for p in in_the_header.report.errors] == [(1, "client_name", None)]
    assert skip_invalid(in_the_header.plan, in_the_header.report.errors).unattributed == in_the_header.report.errors
    assert in_the_header.plan.node_count() == 0 and "Jane" not in repr(in_the_header.report.problems)
