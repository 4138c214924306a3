"""The value forms, conditions, links and vocabularies of a mapping (docs/mapping.md), each on a row written here."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from loaders.airs211.privacy import STAFF_ONLY_RECORD
from loaders.mapped import MappingError, parse_mapped
from loaders.skipping import skip_invalid

HEADER = ["id", "parent", "name", "alias", "limit", "veteran", "status", "hidden", "kind", "codes", "oe", "needs"]
ROWS = [
    ["A1", "0", "Alpha", "", "200", "true", "Y", "No", "agency", "BD-1800.2000", "101-02-01", "Housing; Food"],
    ["A2", "A1", "", "Beta", "", "false", "N", "", "agency", "", "", ""],
    ["A3", "A3", "Gamma", "", "150", "", "?", "Yes", "agency", "", "", ""],
    ["X9", "", "Skipped", "", "", "", "Y", "No", "other", "", "", ""],
]
MAPPING = """\
version: 1
objects:
  org:
    table: organization
    where:
      - {column: kind, equals: AGENCY}
      - {column: status, not_in: ["?"]}
    staff_only: {column: hidden, not_in: ["No"]}
    key: "{id}"
    fields:
      name: {first_of: [name, alias]}
      description:
        join:
          - {template: "Income at or below {limit}% of poverty."}
          - {column: veteran, map: {"true": "Veterans only.", "false": null}}
        default: "No description given."
      legal_status: {column: status, map: {"Y": registered}}
    links:
      parent_organization_id: {object: org, key: ["{parent}"], none: ["0"]}
    taxonomy:
      - {column: codes, vocabulary: airs}
      - {column: oe, vocabulary: open-eligibility}
      - {column: needs, vocabulary: {id: local-needs, name: Local needs}, link_type: eligibility}
"""


def parse(tmp_path: Path, mapping: str = MAPPING, rows: list[list[str]] = ROWS) -> Any:
    data = tmp_path / "agencies.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    (tmp_path / "map.yaml").write_text(mapping, encoding="utf-8")
    return parse_mapped([data], tmp_path / "map.yaml", namespace="t")


def test_where_conditions_all_hold_and_not_in_takes_empty_cells(tmp_path: Path) -> None:
    result = parse(tmp_path)
    # X9 is no agency; A3's status "?" is in the not_in list
    assert set(result.plan.nodes["Organization"]) == {"t:org:A1", "t:org:A2"}


def test_first_of_join_default_and_a_map_to_null(tmp_path: Path) -> None:
    orgs = parse(tmp_path).plan.nodes["Organization"]
    alpha, beta = orgs["t:org:A1"]["props"], orgs["t:org:A2"]["props"]
    assert (alpha["name"], beta["name"]) == ("Alpha", "Beta")
    assert alpha["description"] == "Income at or below 200% of poverty. Veterans only."
    assert beta["description"] == "No description given."  # nothing to join ("false" maps to null): the default
    assert alpha["legalStatus"] == "registered" and "legalStatus" not in beta


def test_a_value_the_map_lacks_is_left_out_with_a_warning(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS[:1]]
    rows[0][6] = "Maybe"
    result = parse(tmp_path, rows=rows)
    assert "legalStatus" not in result.plan.nodes["Organization"]["t:org:A1"]["props"]
    [warning] = [p for p in result.report.warnings if p.field == "legal_status"]
    assert (warning.row, warning.record) == (2, ("organization", "t:org:A1"))
    assert "'Maybe' is not in the mapping's map" in warning.message


def test_links_take_the_first_key_not_in_none_and_never_the_record_itself(tmp_path: Path) -> None:
    rows = [*ROWS[:2], ["A4", "A4", "Delta", "", "", "", "Y", "No", "agency", "", "", ""]]
    plan = parse(tmp_path, rows=rows).plan
    parents = {(r["from"], r["to"]) for r in plan.relationships[("Organization", "PARENT_OF", "Organization")].values()}
    assert parents == {("t:org:A1", "t:org:A2")}  # A1's parent "0" is none; A4 names itself


def test_staff_only_rows_make_staff_only_records(tmp_path: Path) -> None:
    orgs = parse(tmp_path).plan.nodes["Organization"]
    assert STAFF_ONLY_RECORD not in orgs["t:org:A1"]["props"].get("staffOnly", [])
    assert STAFF_ONLY_RECORD in orgs["t:org:A2"]["props"]["staffOnly"]  # hidden is empty: not "No"


def test_the_three_vocabularies_make_terms_chains_and_tags(tmp_path: Path) -> None:
    plan = parse(tmp_path).plan
    terms = plan.nodes["TaxonomyTerm"]
    assert {"airs:B", "airs:BD", "airs:BD-1800", "airs:BD-1800.2000"} <= set(terms)
    assert {"oe:101", "oe:101-02", "oe:101-02-01"} <= set(terms)
    assert {"local-needs:housing", "local-needs:food"} <= set(terms)
    assert terms["local-needs:housing"]["props"] == {"code": "Housing", "name": "Housing", "taxonomy": "local-needs"}
    broader = {(r["from"], r["to"]) for r in plan.relationships[("TaxonomyTerm", "BROADER", "TaxonomyTerm")].values()}
    assert ("oe:101-02-01", "oe:101-02") in broader and ("airs:BD-1800.2000", "airs:BD-1800") in broader
    tags = {r["to"]: r["props"]["linkType"]
            for r in plan.relationships[("Organization", "TAGGED", "TaxonomyTerm")].values()}
    assert tags == {"airs:BD-1800.2000": "need", "oe:101-02-01": "need", "local-needs:housing": "eligibility",
                    "local-needs:food": "eligibility"}
    assert set(plan.nodes["Taxonomy"]) == {"airs", "open-eligibility", "local-needs"}


@pytest.mark.parametrize("codes", ["not a code", "BD-18"])
def test_a_value_that_is_no_code_of_its_vocabulary_is_a_warning(tmp_path: Path, codes: str) -> None:
    rows = [r[:] for r in ROWS[:1]]
    rows[0][9] = codes
    result = parse(tmp_path, rows=rows)
    [warning] = [p for p in result.report.warnings if p.field == "codes"]
    assert f"{codes!r} is no AIRS/211 code; left out" in warning.message


@pytest.mark.shared_data
def test_open_eligibility_names_are_read_through_the_taxonomy_file(tmp_path: Path, shared_data: Path) -> None:
    """DC 211's oe.json names 327 terms; "Emergency Food" stands under Emergency and under Food."""
    mapping = MAPPING.replace("{column: oe, vocabulary: open-eligibility}",
                              f"{{column: oe, vocabulary: open-eligibility, terms: {shared_data / 'dc-211/oe.json'}}}")
    rows = [r[:] for r in ROWS[:1]]
    rows[0][10] = "emergency food; 101-02-01; Not A Term"
    result = parse(tmp_path, mapping, rows)
    tags = {r["to"] for r in result.plan.relationships[("Organization", "TAGGED", "TaxonomyTerm")].values()}
    oe = {t for t in tags if t.startswith("oe:")}
    emergency_food = {t for t in oe if t != "oe:101-02-01"}
    assert len(emergency_food) == 2 and "oe:101-02-01" in oe
    terms = result.plan.nodes["TaxonomyTerm"]
    assert {terms[t]["props"]["name"] for t in emergency_food} == {"Emergency Food"}
    assert terms["oe:101"]["props"]["name"] == "Emergency"  # the chain is named from the file too
    [warning] = [p for p in result.report.warnings if p.field == "oe"]
    assert "'Not A Term' is no Open Eligibility code" in warning.message


def test_a_taxonomy_file_that_is_missing_is_a_mapping_error(tmp_path: Path) -> None:
    mapping = MAPPING.replace("{column: oe, vocabulary: open-eligibility}",
                              "{column: oe, vocabulary: open-eligibility, terms: no-such-oe.json}")
    with pytest.raises(MappingError) as raised:
        parse(tmp_path, mapping)
    [problem] = raised.value.problems
    assert problem.startswith("map.yaml:22: cannot read no-such-oe.json") and "mapping's folder" in problem


SERVICES = """\
  svc:
    table: service
    where: {column: kind, equals: agency}
    key: "{id}"
    fields:
      name: {first_of: [name, alias]}
      status: {value: active}
    links:
      organization_id: org
  lang:
    table: language
    read: {languages: needs}
    key: "{id}"
    links:
      service_id: svc
"""


def test_a_row_that_cannot_be_read_whole_is_left_out_alone_with_skip_invalid(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS[:2]]
    rows[0] = rows[0][:5]  # A1 cut short: 5 fields of 12
    result = parse(tmp_path, MAPPING + SERVICES, rows)
    [broken] = result.report.errors
    assert (broken.row, broken.record, broken.node) == (2, ("row", "row 2"), None)
    skipped = skip_invalid(result.plan, result.report.problems, result.origins)
    assert not skipped.unattributed and set(skipped.records()) == {("row", "row 2")}
    assert set(result.plan.nodes["Organization"]) == {"t:org:A2"} and set(result.plan.nodes["Service"]) == {"t:svc:A2"}


def test_a_language_the_reader_does_not_know_is_a_warning_naming_its_record(tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS[:1]]
    rows[0][11] = "English, Fujinese"
    result = parse(tmp_path, MAPPING.replace("      - {column: needs, vocabulary: {id: local-needs, name: Local "
                                             "needs}, link_type: eligibility}\n", "") + SERVICES, rows)
    [warning] = [p for p in result.report.warnings if p.field == "needs"]
    assert warning.record == ("language", "t:lang:A1:fujinese") and "'Fujinese' is no language name" in warning.message
    offered = {r["to"] for r in result.plan.relationships[("Service", "OFFERED_IN", "Language")].values()}
    assert "en" in offered and len(offered) == 2
