"""HSDS 3.0 sources and `--skip-invalid` (issue 18): every problem about a record names it (HSDS table and id)
and the plan node it becomes, the plan says where each record came from, and `loaders.skipping.skip_invalid`
leaves out each invalid record with everything that depends on it, the rest of the plan intact. Small broken
CSV packages and JSON files are built in each test."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from loaders.hsds import parse_hsds
from loaders.hsds.parse import ParseResult
from loaders.report import Problem
from loaders.skipping import Origin, Skipped, skip_invalid

TABLES: dict[str, list[str]] = {
    "organizations.csv": ["id", "name", "description"],
    "services.csv": ["id", "organization_id", "name", "status", "minimum_age"],
    "locations.csv": ["id", "location_type", "name"],
    "service_at_locations.csv": ["id", "service_id", "location_id"],
    "phones.csv": ["id", "service_id", "location_id", "number"],
    "languages.csv": ["id", "service_id", "name", "code"],
}


def package(folder: Path, **changes: list[dict[str, str]]) -> Path:
    """A small valid package (two organizations, three services, two locations, …) with rows of a table replaced
    or added: `changes[table stem]` lists rows that take the place of the base row of their id, or come after the
    base rows."""
    base: dict[str, list[dict[str, str]]] = {
        "organizations": [{"id": "o1", "name": "Food Bank", "description": "Food"},
                          {"id": "o2", "name": "Shelter", "description": "Beds"}],
        "services": [{"id": "s1", "organization_id": "o1", "name": "Pantry", "status": "active"},
                     {"id": "s2", "organization_id": "o1", "name": "Meals", "status": "active"},
                     {"id": "s3", "organization_id": "o2", "name": "Beds", "status": "active"}],
        "locations": [{"id": "l1", "location_type": "physical", "name": "Hall"},
                      {"id": "l2", "location_type": "physical", "name": "House"}],
        "service_at_locations": [{"id": "a1", "service_id": "s1", "location_id": "l1"},
                                 {"id": "a2", "service_id": "s3", "location_id": "l2"}],
        "phones": [{"id": "p1", "service_id": "s1", "number": "555-0101"},
                   {"id": "p2", "service_id": "s3", "number": "555-0103"},
                   {"id": "p3", "location_id": "l2", "number": "555-0202"}],
        "languages": [{"id": "g1", "service_id": "s1", "name": "Spanish", "code": "es"}],
    }
    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in base.items():
        instead: dict[str, list[dict[str, str]]] = {}
        for r in changes.get(stem, []):
            instead.setdefault(r["id"], []).append(r)
        out = [new for r in rows for new in instead.pop(r["id"], [r])]
        out += [r for rows_ in instead.values() for r in rows_]
        with (folder / f"{stem}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, TABLES[f"{stem}.csv"])
            writer.writeheader()
            writer.writerows(out)
    return folder


def skipped(result: ParseResult, problems: list[Problem] | None = None) -> Skipped:
    """`skip_invalid` as `load_parsed` calls it (the origins are a lazy Mapping, looked up only)."""
    return skip_invalid(result.plan, result.report.errors if problems is None else problems, result.origins)


def lines(skipped_: Skipped) -> dict[tuple[str, str], str]:
    """Each skipped record -> `file:row:field: message` of its first problem."""
    return {record: str(problems[0]) for record, problems in skipped_.records().items()}


def ids(result: ParseResult, label: str) -> set[str]:
    return set(result.plan.nodes.get(label, {}))


def test_an_invalid_organization_is_skipped_with_its_services_and_all_that_hangs_on_them(tmp_path: Path) -> None:
    result = parse_hsds(package(tmp_path / "p", organizations=[{"id": "o1", "name": "", "description": "Food"}]))
    # without --skip-invalid the report names the organization alone, as before
    assert [str(p) for p in result.report.errors] == ["organizations.csv:2:name: required value is missing"]
    (error,) = result.report.errors
    assert (error.record, error.node) == (("organization", "o1"), ("Organization", "o1"))

    gone = skipped(result)
    assert not gone.unattributed
    assert lines(gone) == {
        ("organization", "o1"): "organizations.csv:2:name: required value is missing",
        ("service", "s1"): "services.csv:2:: skipped: its organization o1 was skipped",
        ("service", "s2"): "services.csv:3:: skipped: its organization o1 was skipped",
        ("service_at_location", "a1"): "service_at_locations.csv:2:: skipped: its service s1 was skipped",
        ("phone", "p1"): "phones.csv:2:: skipped: its service s1 was skipped",
    }
    # the valid rest is all there, and nothing points at what was left out
    assert ids(result, "Organization") == {"o2"}
    assert ids(result, "Service") == {"s3"}
    assert ids(result, "ServiceAtLocation") == {"a2"}
    assert ids(result, "Location") == {"l1", "l2"}  # a location stands on its own
    assert ids(result, "Phone") == {"p2", "p3"}
    assert_no_dangling(result)


def assert_no_dangling(result: ParseResult) -> None:
    for (from_label, _, to_label), rels in result.plan.relationships.items():
        for rel in rels.values():
            assert rel["from"] in result.plan.nodes.get(from_label, {}), rel
            assert rel["to"] in result.plan.nodes.get(to_label, {}) or to_label == "Language", rel


def test_a_service_whose_organization_is_not_in_the_package_is_skipped_with_its_own_error(tmp_path: Path) -> None:
    result = parse_hsds(package(tmp_path / "p", services=[
        {"id": "s3", "organization_id": "o9", "name": "Beds", "status": "active"}]))
    gone = skipped(result)
    assert lines(gone) == {
        ("service", "s3"): "services.csv:4:organization_id: no organization with id 'o9'",
        ("service_at_location", "a2"): "service_at_locations.csv:3:: skipped: its service s3 was skipped",
        ("phone", "p2"): "phones.csv:3:: skipped: its service s3 was skipped",
    }
    assert ids(result, "Service") == {"s1", "s2"}
    assert ids(result, "Organization") == {"o1", "o2"}
    assert_no_dangling(result)


def test_a_phone_of_an_invalid_service_is_skipped_with_it_and_a_phone_of_an_unknown_one_stays_a_warning(
    tmp_path: Path,
) -> None:
    """A service that fails validation: the phone naming it had no link to it before (and went unnoticed under a
    load that skips); now it goes with it. A phone naming a service that is nowhere keeps today's warning, and
    is loaded without the link; --strict makes that an error, and the phone is skipped on its own."""
    result = parse_hsds(package(
        tmp_path / "p",
        services=[{"id": "s2", "organization_id": "o1", "name": "Meals", "status": "active", "minimum_age": "x"},
                  {"id": "s1", "organization_id": "o1", "name": "", "status": "active"}],
        phones=[{"id": "p9", "service_id": "nowhere", "number": "555-0999"}],
    ))
    assert [str(p) for p in result.report.errors] == ["services.csv:2:name: required value is missing"]
    assert [str(p) for p in result.report.warnings] == [
        "phones.csv:5:service_id: no service with id 'nowhere'; link skipped",
        "services.csv:3:minimum_age: 'x' is not a number; value dropped",
    ]
    assert [(w.record, w.node) for w in result.report.warnings] == [
        (("phone", "p9"), ("Phone", "p9")), (("service", "s2"), ("Service", "s2"))]
    gone = skipped(result)
    assert set(lines(gone)) == {("service", "s1"), ("service_at_location", "a1"), ("phone", "p1")}
    assert "p9" in ids(result, "Phone") and "s2" in ids(result, "Service")

    strict = parse_hsds(tmp_path / "p")
    gone = skipped(strict, strict.report.strict().errors)
    assert set(lines(gone)) == {("service", "s1"), ("service", "s2"), ("service_at_location", "a1"),
                                ("phone", "p1"), ("phone", "p9")}
    assert ids(strict, "Service") == {"s3"}


def test_a_service_at_location_whose_location_is_invalid_goes_with_it_and_its_service_stays(tmp_path: Path) -> None:
    result = parse_hsds(package(tmp_path / "p", locations=[{"id": "l2", "location_type": "", "name": "House"}]))
    gone = skipped(result)
    assert lines(gone) == {
        ("location", "l2"): "locations.csv:3:location_type: required value is missing",
        ("service_at_location", "a2"): "service_at_locations.csv:3:: skipped: its location l2 was skipped",
        ("phone", "p3"): "phones.csv:4:: skipped: its location l2 was skipped",
    }
    assert ids(result, "Service") == {"s1", "s2", "s3"}
    assert ids(result, "ServiceAtLocation") == {"a1"}
    assert_no_dangling(result)


def test_a_row_without_an_id_and_a_malformed_row_are_records_of_their_own(tmp_path: Path) -> None:
    folder = package(tmp_path / "p", phones=[{"id": "", "service_id": "s1", "number": "555-0100"}])
    with (folder / "services.csv").open("a", encoding="utf-8") as handle:
        handle.write("s4,o2,Too,active,1,extra\n")  # one field too many
    with (folder / "phones.csv").open("a", encoding="utf-8") as handle:
        handle.write("p4,s4,,555-0104\n")
    result = parse_hsds(folder)
    assert [(str(p), p.record, p.node) for p in result.report.errors] == [
        ("phones.csv:5:id: required value is missing", ("phone", "row 5"), None),
        ("services.csv:5:: malformed CSV: the row has 6 fields, the header has 5", ("service", "s4"),
         ("Service", "s4")),
    ]
    gone = skipped(result)
    # the phone of the unreadable service goes with it, as a record of its own (not "no service with id 's4'")
    assert lines(gone)[("phone", "p4")] == "phones.csv:6:: skipped: its service s4 was skipped"
    assert len(gone.records()) == 3
    assert ids(result, "Phone") == {"p1", "p2", "p3"}


def test_a_duplicate_id_skips_both_copies_and_what_hangs_on_either(tmp_path: Path) -> None:
    result = parse_hsds(package(tmp_path / "p", services=[
        {"id": "s3", "organization_id": "o2", "name": "Beds", "status": "active"},
        {"id": "s3", "organization_id": "o2", "name": "Beds again", "status": "active"}]))
    gone = skipped(result)
    assert lines(gone)[("service", "s3")] == "services.csv:5:id: duplicate service id 's3' (first at row 4)"
    assert ("phone", "p2") in gone.records()
    assert ids(result, "Service") == {"s1", "s2"}


def test_problems_about_the_file_name_no_record_and_stop_a_load_that_skips(tmp_path: Path) -> None:
    folder = package(tmp_path / "p")
    rows = (folder / "services.csv").read_text(encoding="utf-8").splitlines()
    (folder / "services.csv").write_text("\n".join(r.rsplit(",", 2)[0] for r in rows) + "\n", encoding="utf-8")
    result = parse_hsds(folder)  # the status column is gone
    assert [p.record for p in result.report.errors] == [None]
    assert skipped(result).unattributed == result.report.errors


def test_origins_say_where_each_record_node_came_from_and_only_when_a_problem_names_a_record(tmp_path: Path) -> None:
    clean = parse_hsds(package(tmp_path / "clean"))
    assert not clean.origins  # a clean load works nothing out for it
    result = parse_hsds(package(tmp_path / "p", organizations=[{"id": "o1", "name": "", "description": "F"}]))
    assert result.origins[("Phone", "p3")] == Origin("phones.csv", 4, ("phone", "p3"))
    assert result.origins[("ServiceAtLocation", "a2")] == Origin("service_at_locations.csv", 3,
                                                                 ("service_at_location", "a2"))
    assert ("Organization", "o1") not in result.origins  # invalid: no node
    assert ("Language", "es") not in result.origins  # a shared Language node is no record
    assert len(result.origins) == sum(len(v) for k, v in result.plan.nodes.items() if k != "Language")


# --- JSON -----------------------------------------------------------------------------------------------------


def service(sid: str, org: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": sid, "name": f"Service {sid}", "status": "active", "organization": org,
            "phones": [{"id": f"{sid}-phone", "number": "555-0100"}],
            "service_at_locations": [{"id": f"{sid}-at", "location": {
                "id": f"{sid}-place", "location_type": "physical", "name": "Hall",
                "phones": [{"id": f"{sid}-place-phone", "number": "555-0200"}]}}],
            **extra}


def write_json(path: Path, objects: list[Any]) -> Path:
    path.write_text(json.dumps(objects), encoding="utf-8")
    return path


def test_json_a_nested_invalid_organization_skips_its_service_and_the_service_s_nested_records(
    tmp_path: Path,
) -> None:
    good = {"id": "o1", "name": "Food Bank", "description": "Food"}
    bad = {"id": "o2", "name": "Shelter"}  # no description
    result = parse_hsds(write_json(tmp_path / "services.json", [service("s1", good), service("s2", bad)]))
    assert [(str(p), p.record, p.node) for p in result.report.errors] == [
        ("services.json:2:organization.description: required value is missing", ("organization", "o2"),
         ("Organization", "o2"))]
    gone = skipped(result)
    assert lines(gone) == {
        ("organization", "o2"): "services.json:2:organization.description: required value is missing",
        ("service", "s2"): "services.json:2:: skipped: its organization o2 was skipped",
        ("phone", "s2-phone"): "services.json:2:: skipped: its service s2 was skipped",
        ("service_at_location", "s2-at"): "services.json:2:: skipped: its service s2 was skipped",
    }
    # the location stands on its own (and keeps its phone); service s1 and all of its own are there
    assert ids(result, "Service") == {"s1"}
    assert ids(result, "Location") == {"s1-place", "s2-place"}
    assert ids(result, "Phone") == {"s1-phone", "s1-place-phone", "s2-place-phone"}
    assert_no_dangling(result)


def test_json_objects_without_an_id_are_records_named_by_their_place_and_take_what_is_nested_in_them(
    tmp_path: Path,
) -> None:
    org = {"id": "o1", "name": "Food Bank", "description": "Food"}
    broken = service("s2", org)
    del broken["service_at_locations"][0]["location"]["id"]
    broken["phones"].append("555-0199")  # not an object
    result = parse_hsds(write_json(tmp_path / "services.json", [service("s1", org), broken, 7]))
    problems = {str(p): p.record for p in result.report.errors}
    assert problems == {
        "services.json:2:phones[1]: expected an object, got a string": ("phone", "row 2 phones[1]"),
        "services.json:2:service_at_locations[0].location.id: required value is missing":
            ("location", "row 2 service_at_locations[0].location"),
        "services.json:3:: expected an HSDS service object, got a number": ("record", "row 3"),
    }
    gone = skipped(result)
    assert not gone.unattributed
    # the location without an id takes its service at location and its phone with it
    assert lines(gone)[("service_at_location", "s2-at")] == (
        "services.json:2:: skipped: its location row 2 service_at_locations[0].location was skipped")
    assert lines(gone)[("phone", "s2-place-phone")] == (
        "services.json:2:: skipped: its location row 2 service_at_locations[0].location was skipped")
    assert len(gone.records()) == 5
    assert ids(result, "Service") == {"s1", "s2"}
    assert ids(result, "Phone") == {"s1-phone", "s1-place-phone", "s2-phone"}
    assert_no_dangling(result)


def test_json_a_wrongly_typed_list_is_an_error_of_the_object_holding_it(tmp_path: Path) -> None:
    org = {"id": "o1", "name": "Food Bank", "description": "Food"}
    result = parse_hsds(write_json(tmp_path / "s.json", [service("s1", org, contacts={"id": "c"})]))
    (error,) = result.report.errors
    assert (str(error), error.record, error.node) == (
        "s.json:1:contacts: expected an array of objects, got an object", ("service", "s1"), ("Service", "s1"))
    gone = skipped(result)
    assert set(gone.records()) == {("service", "s1"), ("phone", "s1-phone"), ("service_at_location", "s1-at")}


def test_every_problem_of_a_broken_package_names_a_record_or_is_about_a_file(tmp_path: Path) -> None:
    folder = package(tmp_path / "p", languages=[{"id": "g2", "service_id": "s9", "name": "", "code": ""}],
                     services=[{"id": "s2", "organization_id": "o1", "name": "M", "status": "open",
                                "minimum_age": "x"}])
    result = parse_hsds(folder)
    problems: list[Problem] = result.report.problems
    assert problems and all(p.record is not None and p.record[0] in {"service", "language"} for p in problems)
    assert {p.node for p in problems} == {("Service", "s2"), None}  # a language is no node
