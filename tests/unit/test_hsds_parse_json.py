"""The HSDS 3.0 JSON parser: full service objects with their nested records, in every file form."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from loaders.hsds import parse_hsds
from tests.hsds_examples import EXAMPLE_JSON_WARNINGS, errors, rel, warnings

ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
SERVICE = "ac148810-d857-441c-9679-408f346de14b"
LOCATION = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
SAL = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
PHONE = "1554f2e2-a373-45db-a3fa-9fc48a61c15e"
CONTACT = "1e7efce3-639b-4880-940c-b95cd30cdb50"
TERM = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
TAXONOMY = "5c4d79d7-cc55-470e-9f1f-8cad074e4892"
ATTRIBUTE = "ae58cc39-8b70-4ab1-8aea-786882e5ac8e"
LANGUAGE = "2989d3ed-c547-48f8-8f9d-432d81c7892e"



@pytest.fixture
def service(hsds_examples: Path) -> dict[str, Any]:
    """A fresh copy of examples/service_full.json."""
    loaded: dict[str, Any] = json.loads((hsds_examples / "service_full.json").read_text(encoding="utf-8"))
    return loaded


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_service_full_json_loads_every_nested_record_without_errors(hsds_examples: Path) -> None:
    result = parse_hsds(hsds_examples / "service_full.json")

    assert result.format == "hsds-json"
    assert errors(result) == []
    assert warnings(result) == EXAMPLE_JSON_WARNINGS
    counts = {label: len(rows) for label, rows in result.plan.nodes.items() if rows}
    assert counts == {
        label: 1
        for label in (
            "Organization", "OrganizationIdentifier", "Program", "Service", "Location", "ServiceAtLocation",
            "Address", "Accessibility", "Contact", "Phone", "Schedule", "ServiceArea", "CostOption",
            "RequiredDocument", "Funding", "Taxonomy", "TaxonomyTerm", "Language",
        )
    }
    assert result.records == 52  # every object read, nested copies included (metadata excluded)


def test_parent_ids_omitted_by_nested_objects_are_implied_by_their_nesting(hsds_examples: Path) -> None:
    result = parse_hsds(hsds_examples / "service_full.json")

    assert rel(result, ("Organization", "PROVIDES", "Service")) == {(ORG, SERVICE)}
    assert rel(result, ("Service", "DELIVERED_AT", "ServiceAtLocation")) == {(SERVICE, SAL)}
    assert rel(result, ("ServiceAtLocation", "AT", "Location")) == {(SAL, LOCATION)}
    assert rel(result, ("Organization", "HAS_LOCATION", "Location")) == {(ORG, LOCATION)}
    assert rel(result, ("TaxonomyTerm", "IN_TAXONOMY", "Taxonomy")) == {(TERM, TAXONOMY)}
    funding = "1f2df32c-bf08-4b8e-bd6f-e834014b19bc"  # nested under both the service and its organization
    assert rel(result, ("Service", "HAS_FUNDING", "Funding")) == {(SERVICE, funding)}
    assert rel(result, ("Organization", "HAS_FUNDING", "Funding")) == {(ORG, funding)}


def test_one_phone_nested_under_several_records_is_one_node_linked_from_each(hsds_examples: Path) -> None:
    result = parse_hsds(hsds_examples / "service_full.json")

    assert list(result.plan.nodes["Phone"]) == [PHONE]
    for owner, owner_id in (
        ("Organization", ORG), ("Service", SERVICE), ("Location", LOCATION),
        ("Contact", CONTACT), ("ServiceAtLocation", SAL),
    ):
        assert rel(result, (owner, "HAS_PHONE", "Phone")) == {(owner_id, PHONE)}
    for owner, owner_id in (("Service", SERVICE), ("Location", LOCATION), ("Phone", PHONE)):
        rels = result.plan.relationships[(owner, "OFFERED_IN", "Language")]
        assert rels[LANGUAGE]["from"] == owner_id and rels[LANGUAGE]["to"] == "ur"


def test_a_nested_attribute_tags_the_record_it_is_nested_under(hsds_examples: Path) -> None:
    result = parse_hsds(hsds_examples / "service_full.json")

    assert result.plan.relationships[("Service", "TAGGED", "TaxonomyTerm")] == {
        ATTRIBUTE: {
            "id": ATTRIBUTE, "from": SERVICE, "to": TERM,
            "props": {"linkEntity": "service", "linkType": "link_type", "value": "value"},
        }
    }
    term = result.plan.nodes["TaxonomyTerm"][TERM]["props"]
    assert term == {
        "code": "code", "name": "name", "description": "description", "taxonomy": "taxonomy",
        "language": "eng", "termUri": "http://example.com",
    }


def test_service_list_json_loads_a_page_of_services(hsds_examples: Path) -> None:
    result = parse_hsds(hsds_examples / "service_list.json")

    assert errors(result) == []
    assert result.plan.nodes["Service"][SERVICE]["props"]["name"] == "Community Counselling"
    assert rel(result, ("Organization", "PROVIDES", "Service")) == {(ORG, SERVICE)}
    assert rel(result, ("Program", "INCLUDES", "Service")) == {("e7ec2e57-4540-43fa-b2c7-6be5a0ef7f42", SERVICE)}
    assert result.records == 3


@pytest.mark.parametrize("name", ["organization_full.json", "service_at_location_full.json", "organization_list.json"])
def test_other_official_json_examples_load_without_errors(hsds_examples: Path, name: str) -> None:
    result = parse_hsds(hsds_examples / name)

    assert errors(result) == []
    assert ORG in result.plan.nodes["Organization"]


def test_an_object_an_array_a_page_and_ndjson_give_the_same_plan(service: dict[str, Any], tmp_path: Path) -> None:
    other = copy.deepcopy(service)
    other["id"] = "second-service"
    for i, sal in enumerate(other["service_at_locations"]):
        sal["id"] = f"second-sal-{i}"
    single = parse_hsds(write(tmp_path / "one.json", service)).plan
    forms = {
        "array.json": [service, other],
        "page.json": {"total_items": 2, "total_pages": 1, "contents": [service, other]},
    }
    plans = {name: parse_hsds(write(tmp_path / name, doc)).plan for name, doc in forms.items()}
    lines = f"{json.dumps(service)}\n\n{json.dumps(other)}\n"
    (tmp_path / "lines.ndjson").write_text(lines, encoding="utf-8")
    (tmp_path / "lines-in.json").write_text(lines, encoding="utf-8")
    plans["lines.ndjson"] = parse_hsds(tmp_path / "lines.ndjson").plan
    plans["lines-in.json"] = parse_hsds(tmp_path / "lines-in.json").plan

    assert plans["array.json"] == plans["page.json"] == plans["lines.ndjson"] == plans["lines-in.json"]
    assert set(plans["array.json"].nodes["Service"]) == {SERVICE, "second-service"}
    assert single.nodes["Organization"] == plans["array.json"].nodes["Organization"]


def test_a_folder_of_json_files_loads_them_all_and_reports_each_by_name(
    service: dict[str, Any], tmp_path: Path
) -> None:
    write(tmp_path / "a.json", service)
    write(tmp_path / "b.json", service)

    assert errors(parse_hsds(tmp_path)) == [f"b.json:1:id: duplicate service id '{SERVICE}' (first in a.json row 1)"]


def test_invalid_json_is_an_error_with_its_position(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{\n  "id": "x",\n  "name": \n}\n', encoding="utf-8")

    assert errors(parse_hsds(tmp_path / "bad.json")) == [
        "bad.json:0:: invalid JSON: Expecting value at line 4 column 1"
    ]


def test_an_invalid_ndjson_line_is_an_error_on_that_line(service: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "s.ndjson").write_text(f"{json.dumps(service)}\n{{nope\n", encoding="utf-8")

    result = parse_hsds(tmp_path / "s.ndjson")

    assert errors(result) == [
        "s.ndjson:2:: invalid JSON: Expecting property name enclosed in double quotes at column 2"
    ]
    assert SERVICE in result.plan.nodes["Service"]


def test_a_value_of_the_wrong_json_type_is_an_error_at_its_dotted_path(
    service: dict[str, Any], tmp_path: Path
) -> None:
    service["minimum_age"] = "12"
    service["service_at_locations"][0]["location"]["latitude"] = {"degrees": 51}
    service["phones"][0]["number"] = 441234
    service["contacts"] = {"id": "not-a-list"}

    assert errors(parse_hsds(write(tmp_path / "service.json", service))) == [
        "service.json:1:contacts: expected an array of objects, got an object",
        "service.json:1:minimum_age: expected a number, got a string",
        "service.json:1:phones[0].number: expected a string, got a number",
        "service.json:1:service_at_locations[0].location.latitude: expected a number, got an object",
    ]


def test_a_missing_required_field_in_json_is_an_error(service: dict[str, Any], tmp_path: Path) -> None:
    del service["status"]
    service["organization"]["name"] = ""  # empty strings count as absent
    service["service_at_locations"][0]["location"]["addresses"][0]["city"] = None

    assert errors(parse_hsds(write(tmp_path / "service.json", service))) == [
        "service.json:1:organization.name: required value is missing",
        "service.json:1:service_at_locations[0].location.addresses[0].city: required value is missing",
        "service.json:1:status: required value is missing",
    ]


def test_a_service_without_any_organization_is_an_error(service: dict[str, Any], tmp_path: Path) -> None:
    del service["organization"]

    assert errors(parse_hsds(write(tmp_path / "service.json", service))) == [
        "service.json:1:organization_id: required value is missing"
    ]


def test_a_bad_date_in_json_is_a_warning_and_the_value_is_dropped(service: dict[str, Any], tmp_path: Path) -> None:
    service["assured_date"] = "15/03/2023"

    result = parse_hsds(write(tmp_path / "service.json", service))

    assert errors(result) == []
    assert "service.json:1:assured_date: '15/03/2023' is not an ISO date (YYYY-MM-DD); value dropped" in warnings(
        result
    )
    assert "assuredDate" not in result.plan.nodes["Service"][SERVICE]["props"]


def test_differing_copies_of_a_nested_record_keep_the_first_value_with_a_warning(
    service: dict[str, Any], tmp_path: Path
) -> None:
    service["contacts"][0]["phones"][0]["description"] = "Another description"

    result = parse_hsds(write(tmp_path / "service.json", service))

    assert errors(result) == []
    assert (
        "service.json:1:contacts[0].phones[0].description: differs from another copy of phone "
        f"'{PHONE}' (service.json row 1); the first value is kept"
    ) in warnings(result)
    assert result.plan.nodes["Phone"][PHONE]["props"]["description"].startswith("Our main reception")


def test_a_top_level_value_that_is_not_an_object_is_an_error(tmp_path: Path) -> None:
    assert errors(parse_hsds(write(tmp_path / "list.json", [1]))) == [
        "list.json:1:: expected an HSDS service object, got a number"
    ]
