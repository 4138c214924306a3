"""`--skip-invalid` on an Ohana export (issue 18): every problem about a row names its record and plan node, the
parse says where each record node came from, and what depends on an invalid record is left out with it, listed
once. Small exports written in tmp_path, skipped with loaders.skipping as `load --skip-invalid` does (no database)."""

from __future__ import annotations

from pathlib import Path

from loaders.ohana import OhanaResult
from loaders.report import Severity
from loaders.skipping import Origin, Skipped, skip_invalid
from tests.unit.test_ohana_parse import LOCATIONS, NS, ORGANIZATIONS, SERVICES, export, parse, rows_with

PHONES = [
    ["id", "number", "service_id", "location_id", "organization_id"],
    ["1", "410-555-0100", "100", "", ""],
    ["2", "410-555-0101", "", "10", ""],
    ["3", "410-555-0102", "", "", "1"],
]
ADDRESSES = [["id", "location_id", "address_1", "city"], ["7", "10", "1 Main St", "Baltimore"]]
# A second organization with a location and service of its own: what must still load when the first goes.
OTHER_ORG = ["2", "Shelter Org", "", "", "", "", ""]
OTHER_LOCATION = ["20", "2", "Shelter", "", "39.3", "-76.6", "", "", "", ""]
OTHER_SERVICE = ["200", "20", "Beds", *[""] * 13]


def node(kind: str, source_id: str) -> str:
    return f"{NS}:{kind}:{source_id}"


def full(tmp_path: Path, **changes: list[list[str]]) -> OhanaResult:
    files = {"organizations_csv": [*ORGANIZATIONS, OTHER_ORG], "locations_csv": [*LOCATIONS, OTHER_LOCATION],
             "services_csv": [*SERVICES, OTHER_SERVICE], "phones_csv": PHONES, "addresses_csv": ADDRESSES}
    return parse(export(tmp_path, **(files | changes)))


def skipped(result: OhanaResult) -> Skipped:
    return skip_invalid(result.plan, result.report.errors, result.origins)


def rejects(skip: Skipped) -> dict[tuple[str, str], list[str]]:
    return {record: [p.message for p in problems] for record, problems in skip.records().items()}


def dangling(result: OhanaResult) -> list[tuple[str, str, str]]:
    """Relationships whose end is no node of the plan: what a load would write pointing at nothing."""
    out = []
    for (from_label, rel_type, to_label), rels in result.plan.relationships.items():
        for rel in rels.values():
            for label, id_ in ((from_label, rel["from"]), (to_label, rel["to"])):
                if id_ not in result.plan.nodes.get(label, {}):
                    out.append((rel_type, label, id_))
    return out


def test_each_problem_on_a_row_names_its_record_and_plan_node_and_file_problems_name_none(tmp_path: Path) -> None:
    folder = export(tmp_path, services_csv=rows_with(SERVICES, status="sort of", keywords="food"),
                    phones_csv=[["id", "number", "service_id"], ["", "410-555-0100", "100"]])
    problems = {str(p): p for p in parse(folder).report.problems}

    status = problems["services.csv:2:status: 'sort of' is not a service status (active, inactive, defunct, "
                      "temporarily closed); left out"]
    assert (status.record, status.node) == (("service", "100"), ("Service", node("service", "100")))
    no_id = problems["phones.csv:2:id: required value is missing"]
    assert (no_id.record, no_id.node) == (("phone", "row 2"), None)  # no id: nothing in the plan to name
    column = next(p for p in problems.values() if p.file == "services.csv" and p.field == "keywords")
    assert (column.row, column.record, column.node) == (0, None, None)  # about the file: stops any load


def test_the_parse_says_which_row_each_record_node_came_from_and_parts_of_a_row_are_no_records(
    tmp_path: Path,
) -> None:
    result = full(tmp_path)

    assert result.origins[("Location", node("location", "10"))] == Origin("locations.csv", 2, ("location", "10"))
    assert result.origins[("Service", node("service", "200"))] == Origin("services.csv", 3, ("service", "200"))
    assert result.origins[("Phone", node("phone", "3"))] == Origin("phones.csv", 4, ("phone", "3"))
    assert result.origins[("Address", node("address", "7"))] == Origin("addresses.csv", 2, ("address", "7"))
    labels = {label for label, _ in result.origins}
    assert labels == {"Organization", "Location", "Service", "Phone", "Address"}  # no ServiceAtLocation, Language…


def test_what_belongs_to_an_organization_with_errors_is_linked_to_it_and_skipped_with_it(tmp_path: Path) -> None:
    result = full(tmp_path, organizations_csv=[*rows_with(ORGANIZATIONS, name=""), OTHER_ORG])
    assert [str(p) for p in result.report.errors] == ["organizations.csv:2:name: required value is missing"]

    skip = skipped(result)

    its_org = ["skipped: its organization 1 was skipped"]
    assert rejects(skip) == {
        ("organization", "1"): ["required value is missing"],
        ("location", "10"): its_org, ("phone", "3"): its_org, ("service", "100"): its_org,
        ("address", "7"): ["skipped: its location 10 was skipped"],
        ("phone", "2"): ["skipped: its location 10 was skipped"],
        ("phone", "1"): ["skipped: its service 100 was skipped"],
    }
    assert all(len(problems) == 1 for problems in skip.records().values())  # each listed once
    assert set(result.plan.nodes["Service"]) == {node("service", "200")}
    assert set(result.plan.nodes["Location"]) == {node("location", "20")}
    assert "Phone" not in result.plan.nodes or not result.plan.nodes["Phone"]
    assert dangling(result) == []


def test_services_at_a_location_whose_organization_is_not_in_the_export_get_an_error_of_their_own(
    tmp_path: Path,
) -> None:
    result = full(tmp_path, organizations_csv=[ORGANIZATIONS[0], OTHER_ORG])  # organization 1 cut out

    assert [str(p) for p in result.report.errors] == [
        "locations.csv:2:organization_id: no organization with id '1'",
        "services.csv:2:location_id: its location '10' has errors (locations.csv:2:organization_id: no organization "
        "with id '1'); the service cannot be loaded without it",
    ]
    assert all(p.record is not None for p in result.report.problems if p.row)
    skip = skipped(result)

    assert skip.unattributed == []
    assert rejects(skip) == {
        ("location", "10"): ["no organization with id '1'"],
        ("service", "100"): [result.report.errors[1].message],
        ("address", "7"): ["skipped: its location 10 was skipped"],
        ("phone", "2"): ["skipped: its location 10 was skipped"],
        ("phone", "1"): ["skipped: its service 100 was skipped"],
    }
    # The phone of the missing organization was never loadable: a warning of its own, as before.
    assert "phones.csv:4:organization_id: no organization with id '1'; link skipped" in map(str, result.report.problems)
    assert set(result.plan.nodes["Service"]) == {node("service", "200")}
    assert dangling(result) == []


def test_a_row_with_a_wrong_number_of_fields_takes_what_names_its_id_with_it(tmp_path: Path) -> None:
    broken = [*LOCATIONS, OTHER_LOCATION]
    broken[1] = broken[1][:4]  # location 10 cut short
    result = full(tmp_path, locations_csv=broken)

    assert [str(p) for p in result.report.errors][0].startswith("locations.csv:2:: the row has 4 fields")
    skip = skipped(result)

    assert skip.unattributed == []
    assert set(rejects(skip)) == {("location", "10"), ("service", "100"), ("address", "7"), ("phone", "2"),
                                  ("phone", "1")}
    assert set(result.plan.nodes["Service"]) == {node("service", "200")}
    assert dangling(result) == []


def test_a_broken_row_without_an_id_and_a_malformed_file_cannot_be_skipped(tmp_path: Path) -> None:
    no_id = full(tmp_path / "a", locations_csv=[*LOCATIONS, [""] * 3])
    assert [p.record for p in no_id.report.errors] == [None]
    assert skipped(no_id).unattributed  # what named that row cannot be known: the load stops

    malformed = parse(export(tmp_path / "b", services_csv=(
        'id,location_id,name\n100,10,"Pantry\n')))
    assert any(p.message.startswith("malformed CSV") for p in malformed.report.errors)
    assert skipped(malformed).unattributed


def test_a_repeated_id_leaves_out_both_rows_and_what_names_the_id(tmp_path: Path) -> None:
    result = full(tmp_path, services_csv=[*SERVICES, ["100", *OTHER_SERVICE[1:]]])
    assert [str(p) for p in result.report.errors] == ["services.csv:3:id: id '100' is also on row 2"]

    skip = skipped(result)

    assert rejects(skip) == {("service", "100"): ["id '100' is also on row 2"],
                             ("phone", "1"): ["skipped: its service 100 was skipped"]}
    assert not result.plan.nodes.get("Service")  # which row is meant is unknown: neither loads
    assert set(result.plan.nodes["Location"]) == {node("location", "10"), node("location", "20")}
    assert dangling(result) == []


def test_under_strict_a_warning_skips_only_its_own_record(tmp_path: Path) -> None:
    result = full(tmp_path, services_csv=[*rows_with(SERVICES, status="sort of"), OTHER_SERVICE])
    assert result.report.errors == []

    skip = skip_invalid(result.plan, result.report.strict().errors, result.origins)

    assert rejects(skip) == {("service", "100"): [result.report.warnings[0].message],
                             ("phone", "1"): ["skipped: its service 100 was skipped"]}
    assert all(p.severity is Severity.ERROR for p in skip.problems)
    assert dangling(result) == []


def test_a_valid_export_skips_nothing(tmp_path: Path) -> None:
    result = full(tmp_path)
    before = {label: set(nodes) for label, nodes in result.plan.nodes.items()}

    skip = skipped(result)

    assert skip.problems == [] and skip.unattributed == []
    assert {label: set(nodes) for label, nodes in result.plan.nodes.items()} == before
    assert dangling(result) == []


def test_a_funding_source_shared_with_a_skipped_service_stays_with_the_records_still_loaded(tmp_path: Path) -> None:
    other = list(OTHER_ORG)
    other[6] = "City"  # the funding source service 100 names too
    result = full(tmp_path, organizations_csv=[*rows_with(ORGANIZATIONS, name=""), other])

    skipped(result)

    funded = {(r["from"], r["to"]) for r in result.plan.relationships[("Organization", "HAS_FUNDING", "Funding")]
              .values()}
    assert funded == {(node("organization", "2"), node("funding", "city"))}
    assert node("funding", "city") in result.plan.nodes["Funding"]


def test_under_strict_a_location_with_a_warning_takes_its_services_along(tmp_path: Path) -> None:
    """--strict --skip-invalid: the location's warning is an error, so it is left out, and its service with it (an
    Ohana service belongs to its location: OhanaResult.requires), not loaded pointing at nothing."""
    result = full(tmp_path, locations_csv=[*rows_with(LOCATIONS, virtual="perhaps"), OTHER_LOCATION])
    assert not result.report.errors
    skip = skip_invalid(result.plan, result.report.strict().errors, result.origins, result.requires)
    assert ("location", "10") in skip.records()
    assert rejects(skip)[("service", "100")] == ["skipped: its location 10 was skipped"]
    assert node("service", "100") not in result.plan.nodes["Service"]
    assert node("service", "200") in result.plan.nodes["Service"]
    assert not dangling(result)
