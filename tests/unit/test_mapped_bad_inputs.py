"""`load mapped` (docs/mapping.md) on mistakes: each mistake in a mapping is a MappingError naming the mapping file
and the line of the mistake (`MAP.yaml:LINE: message`), raised before any data row is read; problems with the
data are the report's errors and warnings, naming file, row and field, as for an HSDS package.

A small fictional directory file and a valid mapping are written in each test; each case changes one line of the
mapping (or the file) and expects the line it changed."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from loaders.mapped import MappingError, parse_mapped

NAMESPACE = "harbor"
MAP = "harbor.yaml"
DATA = "agencies.csv"
HEADER = ["agency_id", "agency_name", "program", "phone", "checked_on", "parent_id", "areas", "website"]
ROWS = [
    ["A1", "Harbor Shelter", "Beds", "555-0101", "2024-03-01", "", "North; South", "https://shelter.example"],
    ["A2", "Harbor Kitchen", "Meals", "555-0102", "2024-03-02", "A1", "North", "https://kitchen.example"],
    ["A3", "Harbor Clinic", "Care", "555-0103", "2024-03-03", "A1", "South", "https://clinic.example"],
    ["A4", "Harbor Legal Aid", "Advice", "555-0104", "2024-03-04", "", "North; East", "https://legal.example"],
]

MAPPING = """\
version: 1
objects:
  agency:
    table: organization
    file: agencies.csv
    key: "{agency_id}"
    fields:
      name: agency_name
      description: {value: "A member of the harbor network"}
      website: website
    links:
      parent_organization_id: {object: agency, key: "{parent_id}"}
  program_service:
    table: service
    file: agencies.csv
    key: "{agency_id}-{program}"
    fields:
      name: program
      status: {value: active}
      assured_date: checked_on
    links:
      organization_id: agency
  agency_phone:
    table: phone
    file: agencies.csv
    key: "{agency_id}"
    fields:
      number: phone
    links:
      service_id: program_service
  area:
    table: service_area
    file: agencies.csv
    each: {column: areas, split: ";"}
    key: "{agency_id}-{$item}"
    fields:
      name: {template: "{$item}"}
    links:
      service_id: program_service
"""


def write_data(folder: Path, rows: list[list[str]] = ROWS, delimiter: str = ",") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DATA
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def changed(old: str, new: str, text: str = MAPPING) -> tuple[str, int]:
    """The mapping with the one line holding `old` changed to hold `new`, and that line's number."""
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if old in line]
    assert len(found) == 1, (old, found)
    (i,) = found
    lines[i] = lines[i].replace(old, new)
    return "".join(lines), i + 1


def line_of(needle: str, text: str) -> int:
    found = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def mapping_problems(tmp_path: Path, text: str, data: Path | None = None) -> list[str]:
    """The problems of the MappingError that parsing the sample file through `text` raises; and checks that no
    data row was reported read before it."""
    data = data or write_data(tmp_path)
    mapping = tmp_path / MAP
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as raised:
        parse_mapped([data], mapping, namespace=NAMESPACE)
    problems = raised.value.problems
    assert problems, "a MappingError lists its problems"
    for problem in problems:
        assert re.match(rf"^{re.escape(MAP)}:\d+: \S", problem), problem
    return problems


def lines_named(problems: list[str]) -> set[int]:
    return {int(p.split(":")[1]) for p in problems}


# ------------------------------------------------------------------------------------------ the valid case


def test_the_sample_mapping_is_valid(tmp_path: Path) -> None:
    mapping = tmp_path / MAP
    mapping.write_text(MAPPING, encoding="utf-8")
    result = parse_mapped([write_data(tmp_path)], mapping, namespace=NAMESPACE)
    assert not result.report.errors, [str(p) for p in result.report.errors]
    assert len(result.plan.nodes["Organization"]) == len(ROWS)
    assert len(result.plan.nodes["ServiceArea"]) == sum(len(r[6].split(";")) for r in ROWS)


# --------------------------------------------------------------------------------------- mapping mistakes


def test_an_unknown_column_names_its_line(tmp_path: Path) -> None:
    text, line = changed("name: agency_name", "name: agency_nme")
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {line}, problems
    assert "agency_nme" in problems[0]


def test_an_unknown_hsds_field_names_its_line(tmp_path: Path) -> None:
    text, line = changed("name: agency_name", "nmae: agency_name")
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {line}, problems
    assert "nmae" in problems[0]


def test_an_unknown_table_names_its_line(tmp_path: Path) -> None:
    text, line = changed("table: organization", "table: organisation")
    problems = mapping_problems(tmp_path, text)
    assert line in lines_named(problems), problems
    assert any("organisation" in p for p in problems if f":{line}:" in p), problems


def test_a_link_to_an_object_the_mapping_never_makes_names_its_line(tmp_path: Path) -> None:
    text, line = changed("organization_id: agency", "organization_id: agencies")
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {line}, problems
    assert "agencies" in problems[0]


def test_a_link_field_the_table_does_not_have_names_its_line(tmp_path: Path) -> None:
    # a service has no location_id (HSDS: services are placed through service_at_location)
    text, line = changed("organization_id: agency", "organization_id: agency\n      location_id: agency")
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {line + 1}, problems
    assert "location_id" in problems[0]


def test_a_link_to_an_object_of_the_wrong_table_names_its_line(tmp_path: Path) -> None:
    text, line = changed("organization_id: agency", "organization_id: agency_phone")
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {line}, problems


def test_an_each_key_without_item_names_its_line(tmp_path: Path) -> None:
    text, line = changed('key: "{agency_id}-{$item}"', 'key: "{agency_id}-{areas}"')
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {line}, problems
    assert "$item" in problems[0]


def test_a_reader_on_the_wrong_table_names_its_line(tmp_path: Path) -> None:
    text, line = changed("    each: {column: areas, split: \";\"}", "    read: {hours: areas}")
    text = text.replace('key: "{agency_id}-{$item}"', 'key: "{agency_id}"').replace('{template: "{$item}"}',
                                                                                   "areas")
    problems = mapping_problems(tmp_path, text)
    # the mistake is the pair: the reader's line or the table's
    assert lines_named(problems) <= {line, line_of("table: service_area", text)}, problems


def test_an_unknown_key_names_its_line(tmp_path: Path) -> None:
    text, line = changed("    key: \"{agency_id}-{program}\"", "    key: \"{agency_id}-{program}\"\n    colour: red")
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {line + 1}, problems
    assert "colour" in problems[0]


def test_invalid_yaml_names_the_line_of_the_syntax_error(tmp_path: Path) -> None:
    text, line = changed("name: program", "name: program: or what")
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {line}, problems


@pytest.mark.parametrize(("old", "new"), [
    ('key: "{agency_id}-{program}"', 'key: "{agency_code}-{program}"'),
    ("each: {column: areas, split", "each: {column: area_list, split"),
], ids=["key", "each"])
def test_a_column_missing_from_the_header_names_the_line_that_names_it(tmp_path: Path, old: str, new: str) -> None:
    text, line = changed(old, new)
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {line}, problems
    missing = re.search(r"(agency_code|area_list)", new)
    assert missing is not None and missing[1] in problems[0]


def test_a_column_missing_from_the_header_is_a_mistake_of_the_mapping(tmp_path: Path) -> None:
    """The same mistakes, whatever line they are given: a MappingError naming the column."""
    for old, new, column in (('key: "{agency_id}-{program}"', 'key: "{agency_code}-{program}"', "agency_code"),
                             ("each: {column: areas, split", "each: {column: area_list, split", "area_list"),
                             ("number: phone", "number: {first_of: [telephone, phone]}", "telephone")):
        problems = mapping_problems(tmp_path, changed(old, new)[0])
        assert len(problems) == 1 and f"'{column}'" in problems[0], problems


def test_a_file_read_with_the_wrong_delimiter_is_a_mistake_that_suggests_the_delimiter(tmp_path: Path) -> None:
    data = write_data(tmp_path, delimiter=";")
    problems = mapping_problems(tmp_path, MAPPING, data)
    assert any("delimiter" in p and "';'" in p for p in problems), problems
    # each names the line of a column the header lacks
    assert line_of("name: agency_name", MAPPING) in lines_named(problems), problems
    # with the delimiter given, the same file is read
    fixed = MAPPING.replace("objects:\n", "files:\n  agencies.csv: {delimiter: \";\"}\nobjects:\n", 1)
    mapping = tmp_path / MAP
    mapping.write_text(fixed, encoding="utf-8")
    result = parse_mapped([data], mapping, namespace=NAMESPACE)
    assert not result.report.errors, [str(p) for p in result.report.errors]
    assert len(result.plan.nodes["Organization"]) == len(ROWS)


def test_every_mistake_is_listed_at_once(tmp_path: Path) -> None:
    text, first = changed("name: agency_name", "nmae: agency_name")
    text, second = changed("organization_id: agency", "organization_id: agency\n      location_id: agency", text)
    problems = mapping_problems(tmp_path, text)
    assert lines_named(problems) == {first, second + 1}, problems


def test_a_mapping_mistake_is_raised_before_any_data_row_is_read(tmp_path: Path) -> None:
    text, _ = changed("name: agency_name", "name: agency_nme")
    mapping = tmp_path / MAP
    mapping.write_text(text, encoding="utf-8")
    progress: list[tuple[str, int]] = []
    with pytest.raises(MappingError):
        parse_mapped([write_data(tmp_path)], mapping, namespace=NAMESPACE,
                     on_progress=lambda file, records: progress.append((file, records)))
    assert all(records == 0 for _, records in progress), progress


# ----------------------------------------------------------------------------------------- data problems


def test_a_required_field_missing_on_some_rows_is_an_error_naming_file_row_and_field(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][1] = ""  # A2 without its name: data row 3
    rows[3][1] = "  "  # A4: only spaces, data row 5
    mapping = tmp_path / MAP
    mapping.write_text(MAPPING, encoding="utf-8")
    result = parse_mapped([write_data(tmp_path, rows)], mapping, namespace=NAMESPACE)
    errors = result.report.errors
    assert {(p.file, p.row) for p in errors} == {(DATA, 3), (DATA, 5)}, [str(p) for p in errors]
    assert all(p.field in ("name", "agency_name") for p in errors), [str(p) for p in errors]
    assert all("required" in p.message for p in errors), [str(p) for p in errors]
    # each names the record it is about, so --skip-invalid can leave it out
    assert {p.node for p in errors} == {("Organization", f"{NAMESPACE}:agency:A2"),
                                        ("Organization", f"{NAMESPACE}:agency:A4")}
    assert result.records == len(ROWS)


def test_a_missing_name_is_an_error_even_when_it_is_the_only_cell_the_object_reads(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][1] = ""  # A2 without its name: data row 3
    mapping = tmp_path / MAP
    mapping.write_text(changed("      website: website\n", "")[0], encoding="utf-8")
    result = parse_mapped([write_data(tmp_path, rows)], mapping, namespace=NAMESPACE)
    named = [(p.file, p.row, p.field) for p in result.report.errors if p.node == ("Organization", "harbor:agency:A2")]
    assert named == [(DATA, 3, "name")], [str(p) for p in result.report.errors]


def test_a_bad_date_is_a_warning_and_the_date_is_left_out(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][4] = "2024-02-31"  # A3: data row 4
    mapping = tmp_path / MAP
    mapping.write_text(MAPPING, encoding="utf-8")
    result = parse_mapped([write_data(tmp_path, rows)], mapping, namespace=NAMESPACE)
    assert not result.report.errors, [str(p) for p in result.report.errors]
    bad = [p for p in result.report.warnings if p.row == 4 and p.field in ("assured_date", "checked_on")]
    assert len(bad) == 1, [str(p) for p in result.report.warnings]
    assert bad[0].file == DATA
    services = result.plan.nodes["Service"]
    assert "assuredDate" not in services[f"{NAMESPACE}:program_service:A3-Care"]["props"]
    assert services[f"{NAMESPACE}:program_service:A2-Meals"]["props"]["assuredDate"] == "2024-03-02"
