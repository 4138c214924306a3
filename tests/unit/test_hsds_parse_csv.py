"""The HSDS 3.0 tabular (CSV) parser: the official example package, and broken copies of it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from loaders.hsds import parse_hsds
from loaders.report import Severity
from tests.hsds_examples import EXAMPLE_CSV_WARNINGS, errors, rel, warnings

ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
SERVICE = "ac148810-d857-441c-9679-408f346de14b"
LOCATION = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
SAL = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
PHONE = "1554f2e2-a373-45db-a3fa-9fc48a61c15e"
TERM = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
ATTRIBUTE = "ae58cc39-8b70-4ab1-8aea-786882e5ac8e"
LANGUAGE = "2989d3ed-c547-48f8-8f9d-432d81c7892e"



@pytest.fixture
def package(hsds_examples: Path, tmp_path: Path) -> Path:
    """A writable copy of the official examples/csv package."""
    target = tmp_path / "csv"
    shutil.copytree(hsds_examples / "csv", target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def read_table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_table(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def set_cell(package: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell; `row` counts like the report does (the header is row 1)."""
    rows = read_table(package / file)
    rows[row - 1][rows[0].index(column)] = value
    write_table(package / file, rows)


def drop_column(package: Path, file: str, column: str) -> None:
    rows = read_table(package / file)
    i = rows[0].index(column)
    write_table(package / file, [r[:i] + r[i + 1 :] for r in rows])



# --- the official example package -------------------------------------------------------------


def test_the_official_csv_example_loads_without_errors_and_lists_its_known_warnings(hsds_examples: Path) -> None:
    result = parse_hsds(hsds_examples / "csv")

    assert result.format == "hsds-csv"
    assert errors(result) == []
    assert warnings(result) == EXAMPLE_CSV_WARNINGS
    assert all(p.severity is Severity.WARNING for p in result.report.problems)


def test_the_official_csv_example_gives_one_node_per_record_of_every_label(hsds_examples: Path) -> None:
    result = parse_hsds(hsds_examples / "csv")

    counts = {label: len(rows) for label, rows in result.plan.nodes.items() if rows}
    assert counts == {
        label: 1
        for label in (
            "Organization", "OrganizationIdentifier", "Program", "Service", "Location", "ServiceAtLocation",
            "Address", "Accessibility", "Contact", "Phone", "Schedule", "ServiceArea", "CostOption",
            "RequiredDocument", "Funding", "Taxonomy", "TaxonomyTerm", "Language",
        )
    }
    assert result.records == 19  # data rows of the 19 HSDS tables; metadata tables are ignored


def test_the_official_csv_example_maps_fields_to_camel_case_properties_with_typed_values(
    hsds_examples: Path,
) -> None:
    plan = parse_hsds(hsds_examples / "csv").plan

    service = plan.nodes["Service"][SERVICE]["props"]
    assert service["name"] == "Community Counselling"
    assert service["minimumAge"] == 12 and service["maximumAge"] == 100
    assert service["assuredDate"] == "2005-01-01"
    assert service["lastModified"] == "2023-03-15T10:30:45.123Z"
    assert "organization_id" not in service and "organizationId" not in service
    address = next(iter(plan.nodes["Address"].values()))["props"]
    assert address["address1"] == "1-30 Main Street" and address["stateProvince"] == "MyState"
    assert next(iter(plan.nodes["Funding"].values()))["props"]["fundingSource"].startswith("This service is funded")
    schedule = next(iter(plan.nodes["Schedule"].values()))["props"]
    assert schedule["opensAt"] == "10:00:00" and schedule["interval"] == 1 and schedule["bymonthday"] == "2,3,4"
    assert plan.nodes["Organization"][ORG]["props"]["yearIncorporated"] == 2011
    assert next(iter(plan.nodes["Phone"].values()))["props"]["extension"] == 100


def test_the_official_csv_example_location_keeps_no_coordinates_when_latitude_is_out_of_range(
    hsds_examples: Path,
) -> None:
    location = parse_hsds(hsds_examples / "csv").plan.nodes["Location"][LOCATION]["props"]

    assert "latitude" not in location and "longitude" not in location
    assert location["name"] == "MyCity Civic Center"


def test_the_official_csv_example_links_records_as_the_graph_model_says(hsds_examples: Path) -> None:
    result = parse_hsds(hsds_examples / "csv")

    assert rel(result, ("Organization", "PROVIDES", "Service")) == {(ORG, SERVICE)}
    assert rel(result, ("Service", "DELIVERED_AT", "ServiceAtLocation")) == {(SERVICE, SAL)}
    assert rel(result, ("ServiceAtLocation", "AT", "Location")) == {(SAL, LOCATION)}
    assert rel(result, ("Contact", "HAS_PHONE", "Phone")) == {("1e7efce3-639b-4880-940c-b95cd30cdb50", PHONE)}
    assert rel(result, ("Program", "INCLUDES", "Service")) == {("e7ec2e57-4540-43fa-b2c7-6be5a0ef7f42", SERVICE)}
    assert rel(result, ("Organization", "PARENT_OF", "Organization")) == set()  # the parent is not in the package
    provides = result.plan.relationships[("Organization", "PROVIDES", "Service")]
    assert list(provides) == [f"{ORG}>{SERVICE}"]


def test_a_language_record_becomes_offered_in_from_each_owner_to_a_shared_language_node(
    hsds_examples: Path,
) -> None:
    result = parse_hsds(hsds_examples / "csv")

    assert result.plan.nodes["Language"] == {"ur": {"id": "ur", "props": {"code": "ur", "name": "Urdu"}}}
    for owner, owner_id in (("Service", SERVICE), ("Location", LOCATION), ("Phone", PHONE)):
        rels = result.plan.relationships[(owner, "OFFERED_IN", "Language")]
        assert rels[LANGUAGE]["from"] == owner_id and rels[LANGUAGE]["to"] == "ur"
        assert rels[LANGUAGE]["props"]["name"] == "Urdu"
        assert rels[LANGUAGE]["props"]["note"].startswith("Translation services")


def test_an_attribute_becomes_a_tagged_relationship_to_its_taxonomy_term(package: Path) -> None:
    set_cell(package, "attributes.csv", 2, "link_id", SERVICE)
    set_cell(package, "attributes.csv", 2, "link_entity", "services")

    result = parse_hsds(package)

    tagged = result.plan.relationships[("Service", "TAGGED", "TaxonomyTerm")]
    assert tagged == {
        ATTRIBUTE: {
            "id": ATTRIBUTE, "from": SERVICE, "to": TERM,
            "props": {"linkType": "link_type", "linkEntity": "service", "value": "value"},
        }
    }
    assert not any(w.startswith("attributes.csv") for w in warnings(result))


def test_an_attribute_with_an_unknown_link_entity_is_resolved_against_every_loaded_id(package: Path) -> None:
    set_cell(package, "attributes.csv", 2, "link_id", LOCATION)  # link_entity stays "link_entity"

    result = parse_hsds(package)

    assert rel(result, ("Location", "TAGGED", "TaxonomyTerm")) == {(LOCATION, TERM)}
    tag = result.plan.relationships[("Location", "TAGGED", "TaxonomyTerm")][ATTRIBUTE]
    assert tag["props"]["linkEntity"] == "location"


def test_columns_in_any_order_with_unknown_extra_columns_and_a_bom_give_the_same_plan(
    hsds_examples: Path, package: Path
) -> None:
    rows = read_table(package / "services.csv")
    order = list(reversed(range(len(rows[0]))))
    shuffled = [[r[i] for i in order] + ["extra"] for r in rows]
    shuffled[0][-1] = "not_an_hsds_column"
    with (package / "services.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(shuffled)

    assert parse_hsds(package).plan == parse_hsds(hsds_examples / "csv").plan


def test_any_table_may_be_absent(package: Path) -> None:
    for name in ("phones.csv", "languages.csv", "attributes.csv", "schedules.csv"):
        (package / name).unlink()

    result = parse_hsds(package)

    assert errors(result) == []
    assert "Phone" not in result.plan.counts() and "OFFERED_IN" not in result.plan.counts()


# --- errors: nothing may be loaded -------------------------------------------------------------


def test_an_empty_required_field_is_an_error(package: Path) -> None:
    set_cell(package, "services.csv", 2, "name", "")

    assert errors(parse_hsds(package)) == ["services.csv:2:name: required value is missing"]


def test_a_missing_required_column_is_an_error_on_row_0(package: Path) -> None:
    drop_column(package, "services.csv", "status")

    assert errors(parse_hsds(package)) == ["services.csv:0:status: required column is missing"]


def test_a_duplicate_id_in_a_table_is_an_error(package: Path) -> None:
    rows = read_table(package / "organizations.csv")
    write_table(package / "organizations.csv", [*rows, rows[1]])

    assert errors(parse_hsds(package)) == [
        f"organizations.csv:3:id: duplicate organization id '{ORG}' (first at row 2)"
    ]


def test_a_service_whose_organization_is_not_loaded_is_an_error(package: Path) -> None:
    set_cell(package, "services.csv", 2, "organization_id", "no-such-org")

    assert errors(parse_hsds(package)) == ["services.csv:2:organization_id: no organization with id 'no-such-org'"]


def test_a_service_at_location_needs_both_its_service_and_its_location(package: Path) -> None:
    set_cell(package, "service_at_location.csv", 2, "service_id", "")
    set_cell(package, "service_at_location.csv", 2, "location_id", "no-such-location")

    assert errors(parse_hsds(package)) == [
        "service_at_location.csv:2:location_id: no location with id 'no-such-location'",
        "service_at_location.csv:2:service_id: required value is missing",
    ]


def test_an_attribute_whose_taxonomy_term_is_not_loaded_is_an_error(package: Path) -> None:
    set_cell(package, "attributes.csv", 2, "taxonomy_term_id", "no-such-term")

    assert errors(parse_hsds(package)) == ["attributes.csv:2:taxonomy_term_id: no taxonomy term with id 'no-such-term'"]


def test_bad_quoting_is_a_malformed_csv_error_at_its_row(package: Path) -> None:
    text = (package / "programs.csv").read_text(encoding="utf-8")
    header, first = text.splitlines()[:2]
    (package / "programs.csv").write_text(f'{header}\n{first}\nx,"a"b,c,d,e\n', encoding="utf-8")

    result = parse_hsds(package)

    assert errors(result) == ["programs.csv:3:: malformed CSV: ',' expected after '\"'"]
    assert "Program" in result.plan.counts()  # rows before the bad one were read


def test_references_into_a_table_that_could_not_be_read_to_the_end_are_not_reported_again(
    package: Path,
) -> None:
    header = (package / "services.csv").read_text(encoding="utf-8").splitlines()[0]
    (package / "services.csv").write_text(f'{header}\n"unterminated\n', encoding="utf-8")

    result = parse_hsds(package)

    assert errors(result) == ["services.csv:2:: malformed CSV: unexpected end of data"]


def test_a_row_with_the_wrong_number_of_fields_is_an_error(package: Path) -> None:
    with (package / "taxonomies.csv").open("a", encoding="utf-8") as fh:
        fh.write("only,three,fields\n")

    assert errors(parse_hsds(package)) == ["taxonomies.csv:3:: malformed CSV: the row has 3 fields, the header has 5"]


# --- warnings: the record loads, the problem is listed ------------------------------------------


def test_an_unparseable_optional_value_is_a_warning_and_the_value_is_dropped(package: Path) -> None:
    set_cell(package, "services.csv", 2, "minimum_age", "twelve")
    set_cell(package, "services.csv", 2, "assured_date", "2023-02-30")
    set_cell(package, "schedules.csv", 2, "opens_at", "9:00")  # loose but readable: kept as 09:00

    result = parse_hsds(package)

    assert errors(result) == []
    assert warnings(result) == sorted(
        [
            *EXAMPLE_CSV_WARNINGS,
            "services.csv:2:assured_date: '2023-02-30' is not an ISO date (YYYY-MM-DD); value dropped",
            "services.csv:2:minimum_age: 'twelve' is not a number; value dropped",
        ]
    )
    service = result.plan.nodes["Service"][SERVICE]["props"]
    assert "minimumAge" not in service and "assuredDate" not in service and service["maximumAge"] == 100
    assert next(iter(result.plan.nodes["Schedule"].values()))["props"]["opensAt"] == "09:00"


def test_an_out_of_range_longitude_drops_both_coordinates_with_a_warning(package: Path) -> None:
    set_cell(package, "locations.csv", 2, "latitude", "51.5")
    set_cell(package, "locations.csv", 2, "longitude", "200")

    result = parse_hsds(package)

    assert "locations.csv:2:longitude: 200 is outside [-180, 180]; latitude and longitude dropped" in warnings(result)
    props = result.plan.nodes["Location"][LOCATION]["props"]
    assert "latitude" not in props and "longitude" not in props


def test_valid_coordinates_are_kept_as_floats(package: Path) -> None:
    set_cell(package, "locations.csv", 2, "latitude", "51.5")
    set_cell(package, "locations.csv", 2, "longitude", "-0.12")

    props = parse_hsds(package).plan.nodes["Location"][LOCATION]["props"]

    assert props["latitude"] == 51.5 and props["longitude"] == -0.12


def test_a_dangling_optional_reference_is_a_warning_and_the_link_is_skipped(package: Path) -> None:
    set_cell(package, "phones.csv", 2, "contact_id", "no-such-contact")

    result = parse_hsds(package)

    assert errors(result) == []
    assert "phones.csv:2:contact_id: no contact with id 'no-such-contact'; link skipped" in warnings(result)
    assert rel(result, ("Contact", "HAS_PHONE", "Phone")) == set()
    assert rel(result, ("Service", "HAS_PHONE", "Phone")) == {(SERVICE, PHONE)}


def test_strict_mode_turns_every_warning_into_an_error(hsds_examples: Path) -> None:
    report = parse_hsds(hsds_examples / "csv").report.strict()

    assert [str(p) for p in report.errors] == EXAMPLE_CSV_WARNINGS
    assert report.warnings == []


def test_an_unknown_csv_file_is_ignored_with_a_warning(package: Path) -> None:
    (package / "service.csv.bak.csv").write_text("id\n1\n", encoding="utf-8")

    result = parse_hsds(package)

    assert "service.csv.bak.csv:0:: not an HSDS 3.0 table name; file ignored" in warnings(result)
    assert errors(result) == []
