"""What the parser shares to keep a large plan small, and the behaviour it must keep while doing so:
records read from equal property cells share one properties dict (and skip validation), yet every
row's own problems are still reported; a relationship's ends are its nodes' own id strings."""

from __future__ import annotations

import csv
from pathlib import Path

from loaders.hsds import parse_hsds
from loaders.hsds.tabular import CHUNK_ROWS

ORGS = [["id", "name", "description"], ["o1", "Food Org", "Feeds people"]]
MANY = 3 * CHUNK_ROWS + 5  # rows enough to span several chunks


def write_package(folder: Path, tables: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, rows in tables.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return folder


def package(tmp_path: Path, schedules: list[list[str]]) -> Path:
    return write_package(tmp_path / "p", {
        "organizations.csv": ORGS,
        "services.csv": [["id", "organization_id", "name", "status"], ["s1", "o1", "Meals", "active"]],
        "schedules.csv": [["id", "service_id", "freq", "byday", "opens_at", "interval"], *schedules],
    })


def test_records_with_equal_property_cells_share_one_properties_dict(tmp_path: Path) -> None:
    rows = [[f"sc{i}", "s1", "WEEKLY", "MO,TU", "09:00", "1"] for i in range(MANY)]
    result = parse_hsds(package(tmp_path, rows))

    assert result.report.problems == []
    nodes = result.plan.nodes["Schedule"]
    assert list(nodes) == [f"sc{i}" for i in range(MANY)]
    first = nodes["sc0"]["props"]
    assert first == {"freq": "WEEKLY", "byday": "MO,TU", "opensAt": "09:00", "interval": 1}
    assert all(node["props"] is first for node in nodes.values())
    assert all(node["id"] == rid for rid, node in nodes.items())


def test_each_of_many_equal_rows_still_reports_its_own_problems(tmp_path: Path) -> None:
    rows = [[f"sc{i}", "s1", "WEEKLY", "", "25:00", "1"] for i in range(MANY)]  # a bad time: a warning
    rows += [["", "s1", "WEEKLY", "MO", "09:00", "1"]] * 2  # no id: an error, even for cells seen before
    rows.insert(1, ["sc-x", "s1", "WEEKLY", "MO", "09:00", "1"])
    result = parse_hsds(package(tmp_path, rows))

    warnings = [str(p) for p in result.report.warnings]
    assert len(warnings) == MANY
    assert warnings[0] == (
        "schedules.csv:2:opens_at: '25:00' is not an ISO time (HH:MM or HH:MM:SS, optional offset); value dropped"
    )
    assert warnings[-1].startswith(f"schedules.csv:{MANY + 2}:opens_at: ")
    assert [str(p) for p in result.report.errors] == [
        f"schedules.csv:{MANY + 3}:id: required value is missing",
        f"schedules.csv:{MANY + 4}:id: required value is missing",
    ]
    assert result.plan.nodes["Schedule"]["sc5"]["props"] == {"freq": "WEEKLY", "interval": 1}


def test_an_enumeration_warning_is_reported_for_every_row_with_equal_cells(tmp_path: Path) -> None:
    services = [["id", "organization_id", "name", "status"]]
    services += [[f"s{i}", "o1", "Meals", "paused"] for i in range(MANY)]
    result = parse_hsds(write_package(tmp_path / "p", {"organizations.csv": ORGS, "services.csv": services}))

    assert len(result.report.warnings) == MANY
    assert {p.message for p in result.report.warnings} == {
        "'paused' is not one of active, inactive, defunct, temporarily closed; kept as given"
    }


def test_a_duplicate_id_among_equal_rows_is_an_error_and_the_first_row_wins(tmp_path: Path) -> None:
    rows = [[f"sc{i}", "s1", "WEEKLY", "MO", "09:00", "1"] for i in range(MANY)]
    rows.append(["sc7", "s1", "DAILY", "", "", ""])
    result = parse_hsds(package(tmp_path, rows))

    assert [str(p) for p in result.report.errors] == [
        f"schedules.csv:{MANY + 2}:id: duplicate schedule id 'sc7' (first at row 9)"
    ]
    assert result.plan.nodes["Schedule"]["sc7"]["props"]["freq"] == "WEEKLY"


def test_a_nul_character_in_csv_is_still_an_error(tmp_path: Path) -> None:
    rows = [[f"sc{i}", "s1", "WEEKLY", "MO", "09:00", "1"] for i in range(MANY)]
    rows[3][2] = "WEE\x00KLY"
    result = parse_hsds(package(tmp_path, rows))

    assert [str(p) for p in result.report.errors] == [
        "schedules.csv:5:freq: contains a NUL character or invalid Unicode (a lone surrogate), which cannot be stored"
    ]
    assert "sc3" not in result.plan.nodes["Schedule"] and len(result.plan.nodes["Schedule"]) == MANY - 1


def test_relationship_ends_are_the_id_strings_of_their_nodes(tmp_path: Path) -> None:
    rows = [[f"sc{i}", "s1", "WEEKLY", "MO", "09:00", "1"] for i in range(10)]
    folder = package(tmp_path, rows)
    with (folder / "languages.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["id", "service_id", "code"], ["l1", "s1", "fr"], ["l2", "s1", "FR"]])
    plan = parse_hsds(folder).plan

    service = plan.nodes["Service"]["s1"]
    organization = plan.nodes["Organization"]["o1"]
    provides = plan.relationships[("Organization", "PROVIDES", "Service")]["o1>s1"]
    assert provides["from"] is organization["id"] and provides["to"] is service["id"]
    for rel in plan.relationships[("Service", "HAS_SCHEDULE", "Schedule")].values():
        assert rel["from"] is service["id"] and rel["to"] is plan.nodes["Schedule"][rel["to"]]["id"]
    offered = plan.relationships[("Service", "OFFERED_IN", "Language")]
    assert offered["l1"]["from"] is service["id"]
    assert offered["l1"]["to"] is offered["l2"]["to"] is plan.nodes["Language"]["fr"]["id"]
