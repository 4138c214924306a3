"""HSDS parser rules checked on small hand-written sources (no shared data needed)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders.hsds import parse_hsds
from loaders.hsds.models import TABLES, camel
from loaders.hsds.tabular import iter_table
from loaders.plan import GraphPlan
from loaders.report import Report
from tests.hsds_examples import errors, warnings

ORGS = [["id", "name", "description"], ["o1", "Food Org", "Feeds people"]]


def write_package(folder: Path, tables: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, rows in tables.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return folder


def services(*rows: list[str], extra: tuple[str, ...] = ()) -> list[list[str]]:
    return [["id", "organization_id", "name", "status", *extra], *rows]



def test_hsds_field_names_become_camel_case_property_names() -> None:
    assert camel("address_1") == "address1"
    assert camel("state_province") == "stateProvince"
    assert camel("name") == "name"
    assert TABLES["funding"].hsds_names["fundingSource"] == "source"


def test_a_path_that_does_not_exist_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        parse_hsds(tmp_path / "missing")


@pytest.mark.parametrize("name", ["notes.txt", "services.csv"])
def test_a_file_that_is_not_an_hsds_source_raises_value_error(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("id\n", encoding="utf-8")

    with pytest.raises(ValueError, match="HSDS"):
        parse_hsds(tmp_path / name)


def test_a_folder_with_neither_hsds_tables_nor_json_raises_value_error(tmp_path: Path) -> None:
    (tmp_path / "readme.md").write_text("hello", encoding="utf-8")

    with pytest.raises(ValueError, match="neither an HSDS CSV package"):
        parse_hsds(tmp_path)


def test_the_plan_is_exactly_what_graph_plan_add_methods_would_build(tmp_path: Path) -> None:
    package = write_package(tmp_path / "p", {
        "organizations.csv": ORGS,
        "services.csv": services(["s1", "o1", "Meals", "active"]),
        "languages.csv": [["id", "service_id", "code", "name", "note"], ["l1", "s1", "FR", "French", ""]],
        "taxonomy_terms.csv": [["id", "name", "description"], ["t1", "Food", "Food needs"]],
        "attributes.csv": [
            ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"],
            ["a1", "s1", "t1", "need", "service", ""],
        ],
    })
    plan = parse_hsds(package).plan

    rebuilt = GraphPlan()
    for label, rows in plan.nodes.items():
        for node_id, node in rows.items():
            rebuilt.add_node(label, node_id, node["props"])
    for key, rels in plan.relationships.items():
        for rel_id, r in rels.items():
            rebuilt.add_relationship(key, r["from"], r["to"], r["props"], id=rel_id)

    assert rebuilt == plan
    assert plan.nodes["Language"]["fr"]["props"] == {"code": "fr", "name": "French"}
    assert plan.relationships[("Service", "OFFERED_IN", "Language")]["l1"]["props"] == {"name": "French"}


def test_values_are_typed_and_dates_and_times_normalised_to_iso_text(tmp_path: Path) -> None:
    package = write_package(tmp_path / "p", {
        "organizations.csv": ORGS,
        "services.csv": services(
            ["s1", "o1", "Meals", "Active", " 7 ", "65.5", "20240115", "2024-01-15 09:30:00"],
            extra=("minimum_age", "maximum_age", "assured_date", "last_modified"),
        ),
        "schedules.csv": [["id", "service_id", "opens_at", "closes_at"], ["sc1", "s1", "9:00", "17:30Z"]],
    })
    result = parse_hsds(package)

    assert errors(result) == [] and warnings(result) == []
    props = result.plan.nodes["Service"]["s1"]["props"]
    assert props["status"] == "active"  # enum spelling folded
    assert props["minimumAge"] == 7 and isinstance(props["minimumAge"], int)
    assert props["maximumAge"] == 65.5
    assert props["assuredDate"] == "2024-01-15"
    assert props["lastModified"] == "2024-01-15T09:30:00"
    assert result.plan.nodes["Schedule"]["sc1"]["props"] == {"opensAt": "09:00", "closesAt": "17:30Z"}


def test_a_value_outside_its_enumeration_is_kept_with_a_warning(tmp_path: Path) -> None:
    package = write_package(tmp_path / "p", {
        "organizations.csv": ORGS,
        "services.csv": services(["s1", "o1", "Meals", "paused"]),
    })
    result = parse_hsds(package)

    assert warnings(result) == [
        "services.csv:2:status: 'paused' is not one of active, inactive, defunct, temporarily closed; kept as given"
    ]
    assert result.plan.nodes["Service"]["s1"]["props"]["status"] == "paused"


def test_a_language_without_code_is_keyed_by_its_name_and_one_without_either_is_skipped(tmp_path: Path) -> None:
    package = write_package(tmp_path / "p", {
        "organizations.csv": ORGS,
        "services.csv": services(["s1", "o1", "Meals", "active"]),
        "languages.csv": [
            ["id", "service_id", "code", "name"],
            ["l1", "s1", "", " Somali "],
            ["l2", "s1", "", ""],
        ],
    })
    result = parse_hsds(package)

    assert warnings(result) == ["languages.csv:3:code: language has neither a code nor a name; skipped"]
    assert result.plan.nodes["Language"] == {"somali": {"id": "somali", "props": {"name": " Somali "}}}
    assert list(result.plan.relationships[("Service", "OFFERED_IN", "Language")]) == ["l1"]


def test_attributes_on_records_the_graph_cannot_tag_are_skipped_with_a_warning(tmp_path: Path) -> None:
    package = write_package(tmp_path / "p", {
        "organizations.csv": ORGS,
        "services.csv": services(["s1", "o1", "Meals", "active"]),
        "cost_options.csv": [["id", "service_id"], ["c1", "s1"]],
        "taxonomy_terms.csv": [["id", "name", "description"], ["t1", "Food", "Food needs"]],
        "attributes.csv": [
            ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity"],
            ["a1", "c1", "t1", "need", "cost_option"],
            ["a2", "s1", "t1", "need", "organization"],
            ["a3", "", "t1", "need", ""],
        ],
    })
    result = parse_hsds(package)

    assert errors(result) == []
    assert warnings(result) == [
        "attributes.csv:2:link_id: a cost option cannot be tagged in the graph; attribute skipped",
        "attributes.csv:3:link_id: no organization with id 's1'; link skipped",
        "attributes.csv:4:link_id: attribute names no record (link_id is empty); skipped",
    ]


def test_a_duplicate_id_and_references_to_an_invalid_record_are_reported_once(tmp_path: Path) -> None:
    package = write_package(tmp_path / "p", {
        "organizations.csv": [*ORGS, ["o2", "", "No name"], ["o1", "Again", "Duplicate"]],
        "services.csv": services(["s1", "o2", "Meals", "active"]),
    })
    assert errors(parse_hsds(package)) == [
        "organizations.csv:3:name: required value is missing",
        "organizations.csv:4:id: duplicate organization id 'o1' (first at row 2)",
    ]


def test_a_csv_table_read_in_chunks_keeps_row_numbers_across_blank_and_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "programs.csv"
    path.write_text("id,name,description\np1,A,a\np2,B,b\n\np4,D,d\np5,E\np6,F,f\np7,G,g\n", encoding="utf-8")
    report = Report()

    batches = list(iter_table(path, "programs.csv", "program", report, chunk=2))

    placed = [(b.first_row + i, row["id"]) for b in batches for i, row in enumerate(b.rows)]
    assert placed == [(2, "p1"), (3, "p2"), (5, "p4"), (7, "p6"), (8, "p7")]
    assert [str(p) for p in report.problems] == [
        "programs.csv:6:: malformed CSV: the row has 2 fields, the header has 3"
    ]


def test_an_empty_table_file_is_an_error(tmp_path: Path) -> None:
    package = write_package(tmp_path / "p", {"organizations.csv": ORGS})
    (package / "services.csv").write_text("", encoding="utf-8")

    assert errors(parse_hsds(package)) == ["services.csv:0:: empty file: no header row"]


def test_a_csv_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    package = write_package(tmp_path / "p", {"services.csv": services()})
    (package / "organizations.csv").write_bytes("id,name,description\no1,Caf\xe9,x\n".encode("latin-1"))

    result = parse_hsds(package)

    assert errors(result) == ["organizations.csv:0:: not UTF-8 text (invalid continuation byte)"]


def test_problems_are_reported_in_file_row_field_order(tmp_path: Path) -> None:
    package = write_package(tmp_path / "p", {
        "organizations.csv": ORGS,
        "services.csv": services(
            ["s2", "o1", "", "active", "x"], ["s1", "nope", "Meals", "active", "y"], extra=("minimum_age",)
        ),
        "locations.csv": [["id", "location_type", "latitude", "longitude"], ["l1", "physical", "91", "0"]],
    })
    result = parse_hsds(package)

    assert [str(p) for p in result.report.problems] == [
        "locations.csv:2:latitude: 91 is outside [-90, 90]; latitude and longitude dropped",
        "services.csv:2:minimum_age: 'x' is not a number; value dropped",
        "services.csv:2:name: required value is missing",
        "services.csv:3:minimum_age: 'y' is not a number; value dropped",
        "services.csv:3:organization_id: no organization with id 'nope'",
    ]
